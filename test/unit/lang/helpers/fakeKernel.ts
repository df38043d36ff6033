// A small stand-in for the emulator in interpreter unit tests: flat sparse memory with a few
// valid regions (image, kernel stack, pool, one user range), and a handful of routines.
import { BugCheck, GuestCallFault, SehException, type GuestCallRequest, type GuestKernel, type GuestLocation, type GuestMemory, type NativeRoutine, type U64 } from '../../../../src/emulator/contract';
import { formatPrintf } from '../../../../src/emulator/printf';
import { toU64 } from '../../../../src/emulator/u64';

const PAGE = 4096;
export const IMAGE_BASE = -0x7ff_ffe0_0000; // 0xFFFFF800`00200000
export const STACK_BASE = -0x2fff_ffff_a000; // 0xFFFFD000`00006000 (exclusive top)
export const STACK_SIZE = 0x6000; // KERNEL_STACK_SIZE on x64
export const POOL_BASE = -0x5fff_0000_0000;
export const USER_BASE = 0x10000;

class FlatMemory implements GuestMemory {
  pages = new Map<number, Uint8Array>();
  regions: [number, number][] = [];
  /** Pages whose next access must first run a C function (a paging read through a driver). */
  faults = new Map<number, number>();
  page(va: number, write: boolean): Uint8Array {
    const pn = Math.floor(va / PAGE);
    const handler = this.faults.get(pn);
    if (handler !== undefined) {
      this.faults.delete(pn);
      throw new GuestCallFault({ kind: 'call-guest', target: handler, args: [va], resume: () => 0 }, va, write, `page fault at 0x${va.toString(16)} resolved by driver code`);
    }
    let p = this.pages.get(pn);
    if (!p) {
      if (!this.regions.some(([lo, hi]) => va >= lo && va < hi)) {
        throw new SehException(0xc0000005, `access violation ${write ? 'writing' : 'reading'} 0x${BigInt.asUintN(64, BigInt(va)).toString(16)}`, va, write);
      }
      p = new Uint8Array(PAGE);
      this.pages.set(pn, p);
    }
    return p;
  }
  readBytes(va: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { const a = va + i; out[i] = this.page(a, false)[((a % PAGE) + PAGE) % PAGE]; }
    return out;
  }
  writeBytes(va: number, d: Uint8Array): void {
    for (let i = 0; i < d.length; i++) { const a = va + i; this.page(a, true)[((a % PAGE) + PAGE) % PAGE] = d[i]; }
  }
  read8(va: number): number { return this.readBytes(va, 1)[0]; }
  read16(va: number): number { const b = this.readBytes(va, 2); return b[0] | (b[1] << 8); }
  read32(va: number): number { const b = this.readBytes(va, 4); return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0; }
  read64(va: number): U64 { const b = this.readBytes(va, 8); let x = 0n; for (let i = 7; i >= 0; i--) x = (x << 8n) | BigInt(b[i]); return toU64(x); }
  write8(va: number, v: number): void { this.writeBytes(va, Uint8Array.of(v & 0xff)); }
  write16(va: number, v: number): void { this.writeBytes(va, Uint8Array.of(v & 0xff, (v >> 8) & 0xff)); }
  write32(va: number, v: number): void { this.writeBytes(va, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)); }
  write64(va: number, v: U64): void { let x = BigInt.asUintN(64, BigInt(v)); const b = new Uint8Array(8); for (let i = 0; i < 8; i++) { b[i] = Number(x & 0xffn); x >>= 8n; } this.writeBytes(va, b); }
}

export class FakeKernel implements GuestKernel {
  readonly memory = new FlatMemory();
  readonly kernelStackBase = STACK_BASE;
  readonly kernelStackLimit = STACK_BASE - STACK_SIZE;
  readonly out: string[] = [];
  readonly expects: { ok: boolean; what: string; where: string }[] = [];
  bugchecks: BugCheck[] = [];
  private imageNext = IMAGE_BASE;
  private poolNext = POOL_BASE;
  private routines = new Map<string, NativeRoutine>();
  location: () => GuestLocation | null = () => null;

  constructor() {
    this.memory.regions.push([IMAGE_BASE, IMAGE_BASE + 0x100000], [this.kernelStackLimit, STACK_BASE], [POOL_BASE, POOL_BASE + 0x1000000], [USER_BASE, USER_BASE + 0x100000]);
    const reader = {
      cString: (va: number, max = 512) => { let s = ''; for (let i = 0; i < max; i++) { const c = this.memory.read8(va + i); if (!c) break; s += String.fromCharCode(c); } return s; },
      wString: (va: number, max = 512) => { let s = ''; for (let i = 0; i < max; i++) { const c = this.memory.read16(va + 2 * i); if (!c) break; s += String.fromCharCode(c); } return s; },
      countedString: () => '',
    };
    this.define('DbgPrint', (a) => { this.out.push(formatPrintf(this.memory.readBytes(Number(a[0]), 1) && reader.cString(Number(a[0])), a.slice(1), reader)); return 0; });
    this.define('LabExpect', (a) => { const l = this.location(); this.expects.push({ ok: a[0] !== 0, what: reader.cString(Number(a[1])), where: l ? `${l.file}:${l.line}` : '?' }); });
    this.define('ExRaiseStatus', (a) => { throw new SehException(Number(a[0]) >>> 0, `ExRaiseStatus(0x${(Number(a[0]) >>> 0).toString(16)})`); });
    this.define('KeBugCheckEx', (a) => this.bugCheck(Number(a[0]), [a[1], a[2], a[3], a[4]], 'KeBugCheckEx called by the driver'));
    this.define('ExAllocatePoolWithTag', (a) => { const n = Number(a[1]); const p = this.poolNext; this.poolNext += Math.ceil((n + 16) / 16) * 16; return p; });
    this.define('ExFreePoolWithTag', () => 0);
    /** LabArmFault(va, fn): the next access to va's page first runs fn(va). */
    this.define('LabArmFault', (a) => { this.memory.faults.set(Math.floor(Number(a[0]) / PAGE), Number(a[1])); return 0; });
    /** LabCallBack(fn, arg): calls fn(arg) twice through GuestCallRequests and returns the sum of the results. */
    this.define('LabCallBack', (a) => {
      const fn = Number(a[0]);
      const req = (n: number, acc: number): GuestCallRequest => ({ kind: 'call-guest', target: fn, args: [a[1]], resume: (r) => (n === 1 ? acc + Number(r) : req(n - 1, acc + Number(r))) });
      return req(2, 0);
    });
  }
  define(name: string, impl: (a: U64[]) => ReturnType<NativeRoutine['impl']>): void {
    this.routines.set(name, { name, prototype: '', header: 'mdlab.h', irql: '', summary: '', details: '', impl });
  }
  routine(name: string): NativeRoutine | undefined { return this.routines.get(name); }
  routineNames(): string[] { return [...this.routines.keys()]; }
  allocateImage(size: number, alignment = 8): number {
    const a = Math.ceil((this.imageNext - IMAGE_BASE) / alignment) * alignment + IMAGE_BASE;
    this.imageNext = a + Math.max(1, size);
    return a;
  }
  setLocationProvider(p: () => GuestLocation | null): void { this.location = p; }
  bugCheck(code: number, params: [U64, U64, U64, U64], explanation: string): never {
    const names: Record<number, string> = { 0x1e: 'KMODE_EXCEPTION_NOT_HANDLED', 0x7f: 'UNEXPECTED_KERNEL_MODE_TRAP', 0x50: 'PAGE_FAULT_IN_NONPAGED_AREA' };
    const b = new BugCheck(code, names[code] ?? 'BUGCHECK', params, explanation);
    this.bugchecks.push(b);
    throw b;
  }
  peek(va: number, n: number): Uint8Array | null { try { return this.memory.readBytes(va, n); } catch { return null; } }
}
