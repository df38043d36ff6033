// Memory requests: the hex view on emulated virtual (or physical, `phys:` references) memory, and
// the physical memory map for the panels.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PhysicalMapResponseBody } from './protocol';
import type { SessionContext } from './context';
import { requireNumber, requireString } from './context';
import { parseNumber } from '../engine/windbg/format';

const MAX_READ = 1 << 20;
const PAGE = 0x1000;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `0x…` (virtual) or `phys:0x…` (physical byte address). */
function parseReference(ref: string): { physical: boolean; address: number } {
  const physical = ref.startsWith('phys:');
  const n = parseNumber(physical ? ref.slice(5) : ref);
  if (n === null || typeof n === 'bigint') throw new Error(`memory reference ${ref} is not an address`);
  return { physical, address: n };
}

export function readMemory(ctx: SessionContext, args: DebugProtocol.ReadMemoryArguments): DebugProtocol.ReadMemoryResponse['body'] {
  const ref = parseReference(requireString(args?.memoryReference, 'memoryReference'));
  const count = Math.min(Math.max(0, requireNumber(args.count, 'count')), MAX_READ);
  const start = ref.address + (args.offset ?? 0);
  const k = ctx.engine().kernel;
  // Read page by page: the readable prefix is returned, the rest reported as unreadable.
  const chunks: Uint8Array[] = [];
  let done = 0;
  while (done < count) {
    const va = start + done;
    const n = Math.min(count - done, PAGE - (((va % PAGE) + PAGE) % PAGE));
    let bytes: Uint8Array | null = null;
    try {
      bytes = ref.physical ? k.readPhysical(Math.floor(va / PAGE), va % PAGE, n) : k.peek(va, n);
    } catch {
      bytes = null;
    }
    if (!bytes) break;
    chunks.push(bytes);
    done += n;
  }
  const data = new Uint8Array(done);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { address: '0x' + BigInt.asUintN(64, BigInt(start)).toString(16), data: toBase64(data), unreadableBytes: count - done };
}

export function writeMemory(ctx: SessionContext, args: DebugProtocol.WriteMemoryArguments): DebugProtocol.WriteMemoryResponse['body'] {
  const ref = parseReference(requireString(args?.memoryReference, 'memoryReference'));
  if (ref.physical) throw new Error('physical memory is read-only in the debugger');
  const data = fromBase64(requireString(args.data, 'data'));
  const start = ref.address + (args.offset ?? 0);
  const engine = ctx.engine();
  if (!engine.kernel.peek(start, data.length)) throw new Error(`no valid mapping for ${data.length} bytes at 0x${BigInt.asUintN(64, BigInt(start)).toString(16)}`);
  engine.kernel.memory.writeBytes(start, data);
  ctx.afterEdit();
  return { offset: args.offset ?? 0, bytesWritten: data.length };
}

export function physicalMap(ctx: SessionContext): PhysicalMapResponseBody {
  const k = ctx.engine().kernel;
  if (k.pageStateMap) {
    const { states, codes } = k.pageStateMap();
    return { states, runs: runLength(codes) };
  }
  const s = ctx.engine().snapshot();
  const states = Object.keys(s.pageLists);
  // Until the kernel offers pageStateMap: the emulator's PFN database hands frames out in ascending
  // order, so frames at or above its watermark were never used (zeroed) and need no per-frame query.
  const pfnDb = (k as { mm?: { pfn?: { watermark?: number; stateOf?(pfn: number): number } } }).mm?.pfn;
  if (pfnDb && typeof pfnDb.watermark === 'number' && typeof pfnDb.stateOf === 'function') {
    const used = Math.min(pfnDb.watermark, s.physicalPages);
    const codes = new Uint8Array(used);
    for (let pfn = 0; pfn < used; pfn++) codes[pfn] = pfnDb.stateOf(pfn);
    const runs = runLength(codes);
    const zeroed = states.indexOf('Zeroed');
    if (s.physicalPages > used) {
      const last = runs[runs.length - 1];
      if (last && last[0] === zeroed) last[1] += s.physicalPages - used;
      else runs.push([zeroed, s.physicalPages - used]);
    }
    return { states, runs };
  }
  if (!k.pfnEntry) return { states, runs: [] };
  const codes = new Uint8Array(s.physicalPages);
  for (let pfn = 0; pfn < codes.length; pfn++) codes[pfn] = Math.max(0, states.indexOf(k.pfnEntry(pfn).state));
  return { states, runs: runLength(codes) };
}

function runLength(codes: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < codes.length; ) {
    let j = i + 1;
    while (j < codes.length && codes[j] === codes[i]) j++;
    runs.push([codes[i], j - i]);
    i = j;
  }
  return runs;
}
