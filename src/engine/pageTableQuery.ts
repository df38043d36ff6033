// The address space view's question to the engine: a process's page tables over a VA range at the
// current stop. Checks the arguments (hex text or numbers, WinDbg's backtick and `_` separators
// allowed), then walks with the live MDLs of this stop's snapshot (src/emulator/pageTableWalk.ts),
// each at its described range and, when mapped, at its system mapping.
import { MDL_MAPPED_TO_SYSTEM_VA } from '../emulator/constants';
import { Kernel } from '../emulator/kernel';
import { walkPageTables, walkSourceOf, type MdlRange, type PageTableWalk } from '../emulator/pageTableWalk';
import type { DebugEngine } from './engine';
import { EngineError } from './events';

export type { PageTableWalk, PageTableRow, PteStateName, PageDirectoryEntries } from '../emulator/pageTableWalk';

export interface PageTableQuery {
  /** EPROCESS address (0x hex) of the process whose user half to walk; null or absent: the current process. */
  process?: string | null;
  /** First VA: 0x hex text (backticks and underscores allowed) or a safe integer. */
  start: string | number;
  /** Bytes: hex or decimal text, or a number. */
  length: string | number;
  /** At most this many rows (default 4096, at most 65536). */
  maxRows?: number;
}

const HEX_TEXT = /^0x[0-9a-f`_]{1,40}$/i;
const DEC_TEXT = /^[0-9]{1,20}$/;

/** A 64-bit address or size from the wire: the signed value (kernel addresses negative). */
export function parseQueryNumber(v: unknown, what: string): number {
  let big: bigint;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new EngineError(`${what}: expected an integer`);
    return v;
  }
  if (typeof v !== 'string') throw new EngineError(`${what}: expected 0x hex text or a number`);
  const t = v.trim();
  if (HEX_TEXT.test(t)) big = BigInt(t.replace(/[`_]/g, ''));
  else if (DEC_TEXT.test(t)) big = BigInt(t);
  else throw new EngineError(`${what}: "${t.slice(0, 40)}" is not a number (write 0x7ff6\`12340000 or 4096)`);
  if (big >= 1n << 64n) throw new EngineError(`${what}: more than 64 bits`);
  return Number(BigInt.asIntN(64, big));
}

const signed = (hex: string): number => Number(BigInt.asIntN(64, BigInt(hex)));

/** Walks the page tables at the engine's current stop. */
export function queryPageTables(engine: DebugEngine, q: PageTableQuery): PageTableWalk {
  if (engine.state === 'running') throw new EngineError('the scenario is running; pause it first');
  if (engine.state === 'ended') throw new EngineError('the run has ended');
  if (typeof q !== 'object' || q === null) throw new EngineError('expected {process?, start, length}');
  const k = engine.kernel;
  if (!(k instanceof Kernel)) throw new EngineError('page tables are not available from this kernel');
  const start = parseQueryNumber(q.start, 'start');
  const length = parseQueryNumber(q.length, 'length');
  const process = q.process === undefined || q.process === null ? null : parseQueryNumber(q.process, 'process');
  const mdls: MdlRange[] = [];
  for (const m of engine.snapshot().mdls) {
    mdls.push({ address: m.address, startVa: signed(m.startVa), byteOffset: m.byteOffset, byteCount: m.byteCount, process: signed(m.process) });
    // Its system mapping shows the same buffer in system space (MappedSystemVa points at the first byte).
    const mapped = signed(m.mappedSystemVa);
    if (m.flags & MDL_MAPPED_TO_SYSTEM_VA && mapped < 0 && mapped !== signed(m.startVa) + m.byteOffset) {
      mdls.push({ address: m.address, startVa: mapped, byteOffset: 0, byteCount: m.byteCount, process: 0 });
    }
  }
  try {
    return walkPageTables(walkSourceOf(k, process, mdls), { start, length, maxRows: q.maxRows });
  } catch (e) {
    throw e instanceof EngineError ? e : new EngineError((e as Error).message);
  }
}
