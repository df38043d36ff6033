// The emulated kernel: ties the memory manager, system PTEs, pool, processes and MDL routines
// together behind the GuestKernel/EngineKernel contracts, owns IRQL, the process context, the
// routine table, bug checks, the event log and checkpoints.
//
// For the I/O manager (src/emulator/io/): build on `kernel.mm` (frames, page tables, faults),
// `kernel.pool` (ExAllocatePool*), `kernel.procs` (processes, context switches),
// `kernel.mdl` (probeAndLockPages, unlockPages, mapLockedPages…, the MDL registry with its
// `irp` link), `kernel.register(routine)` to add natives, `kernel.bugCheck`, `kernel.event`,
// `kernel.verifierReport`, and `kernel.memory` for guest reads/writes.
import { BugCheck, type EngineKernel, type GuestLocation, type KernelOptions, type NativeRoutine, type U64 } from './contract';
import type { FrameView, IrpView, MmEvent, MmSnapshot } from './snapshotTypes';
import { bugCheckName, LAYOUT, PAGE_SIZE, DISPATCH_LEVEL } from './constants';
import { MemoryManager, type MmSave } from './memoryManager';
import { describePte, isCanonical, vpnOf, PTE_WRITE } from './pageTables';
import { KernelMemory } from './kernelMemory';
import { SystemPtes, type SystemPtesSave } from './systemPtes';
import { Pool, type PoolSave } from './pool';
import { Processes, type ProcessesSave } from './processes';
import { MdlManager, type MdlSave } from './mdl';
import { buildSnapshot, frameView } from './snapshot';
import { registerAllRoutines } from './routines/index';
import { hex64, toU64 } from './u64';

const GIB = 1024 * 1024 * 1024;
export const MAX_PHYSICAL_MEMORY = 64 * GIB;
const KERNEL_STACK_SIZE = 24 * 1024;
const MAX_EVENTS = 2000;

export type OutputKind = 'dbgprint' | 'expect-pass' | 'expect-fail' | 'verifier' | 'info';

export interface KernelExtraOptions extends KernelOptions {
  /** Number of system PTEs available for mappings (default: twice the physical pages, at least 4096). */
  systemPtes?: number;
}

interface KernelCheckpoint {
  mm: MmSave;
  ptes: SystemPtesSave;
  pool: PoolSave;
  procs: ProcessesSave;
  mdl: MdlSave;
  core: CoreState;
  parts?: [string, unknown][];
}

interface CoreState {
  irql: number;
  verifier: boolean;
  events: MmEvent[];
  eventSeq: number;
  expectFailures: number;
  expectPasses: number;
  imageNext: number;
  bugcheck: { code: number; params: [U64, U64, U64, U64]; explanation: string } | null;
}

export class Kernel implements EngineKernel {
  readonly mm: MemoryManager;
  readonly memory: KernelMemory;
  readonly ptes: SystemPtes;
  readonly pool: Pool;
  readonly procs: Processes;
  readonly mdl: MdlManager;
  readonly totalFrames: number;
  readonly kernelStackBase: number;
  readonly kernelStackLimit: number;
  readonly dummyPfn: number;
  core: CoreState;
  /** A scenario driver has attached a device to a stack (see GuestKernel.pagingRunsDrivers); never cleared. */
  pagingRunsDrivers = false;
  /** The I/O manager fills the snapshot's `irps` through this. */
  irpProvider: (() => IrpView[]) | null = null;
  /** State kept outside the core (the I/O manager's files and page cache), saved and restored with checkpoints. */
  readonly checkpointParts = new Map<string, { save(): unknown; restore(state: unknown): void }>();
  /** True while an emulated kernel routine runs (a fault there is 0x0A rather than 0xD1). */
  inKernelRoutine = false;
  private readonly routines = new Map<string, NativeRoutine>();
  private locationProvider: () => GuestLocation | null = () => null;
  private readonly output: NonNullable<KernelOptions['output']>;

  constructor(options: KernelExtraOptions = {}) {
    const bytes = options.physicalMemory ?? GIB;
    if (!Number.isFinite(bytes) || bytes < 4 * 1024 * 1024 || bytes > MAX_PHYSICAL_MEMORY) {
      throw new RangeError(`physicalMemory must be between 4 MiB and 64 GiB, got ${bytes}`);
    }
    this.totalFrames = Math.floor(bytes / PAGE_SIZE);
    this.output = options.output ?? (() => {});
    this.core = {
      irql: 0, verifier: options.verifier ?? true, events: [], eventSeq: 0, expectFailures: 0, expectPasses: 0,
      imageNext: LAYOUT.imageBase + 0x1000, bugcheck: null,
    };
    this.mm = new MemoryManager(this.totalFrames, this);
    this.memory = new KernelMemory(this.mm);
    this.ptes = new SystemPtes(options.systemPtes ?? Math.max(4096, this.totalFrames * 2));
    // The system-wide dummy page for paging-read MDLs (reference 5.1): one frame, never mapped.
    this.dummyPfn = this.mm.allocateFrame(true);
    this.mm.pfn.referenceCount[this.dummyPfn] = 1;
    this.mm.pfn.flags[this.dummyPfn] |= 4; // PFN_DUMMY
    this.pool = new Pool(this);
    this.procs = new Processes(this);
    this.mdl = new MdlManager(this);
    // The scenario thread's kernel stack: nonpaged, resident, with an unmapped guard page below.
    this.kernelStackLimit = LAYOUT.kernelStackBase + PAGE_SIZE;
    this.kernelStackBase = this.kernelStackLimit + KERNEL_STACK_SIZE;
    this.mapNonPagedRange(this.kernelStackLimit, KERNEL_STACK_SIZE / PAGE_SIZE);
    registerAllRoutines(this);
  }

  // ---- contract surface ----------------------------------------------------------------------

  get irql(): number { return this.core.irql; }
  set irql(v: number) { this.core.irql = v; }
  get verifier(): boolean { return this.core.verifier; }
  set verifier(v: boolean) { this.core.verifier = v; }
  get expectFailures(): number { return this.core.expectFailures; }

  routine(name: string): NativeRoutine | undefined {
    return this.routines.get(name);
  }

  routineNames(): string[] {
    return [...this.routines.keys()].sort();
  }

  /** Add a native routine. `driverCode` routines (memcpy…) fault like driver code (0xD1), others like the kernel (0x0A). */
  register(r: NativeRoutine, driverCode = false): void {
    const impl = r.impl;
    const wrapped: NativeRoutine = {
      ...r,
      impl: (args: U64[]) => {
        if (this.core.bugcheck) throw new Error('the system has already bug-checked');
        const prev = this.inKernelRoutine;
        this.inKernelRoutine = !driverCode;
        try {
          return impl(args);
        } finally {
          this.inKernelRoutine = prev;
        }
      },
    };
    this.routines.set(r.name, wrapped);
  }

  allocateImage(size: number, alignment = 16): number {
    if (!(size >= 0) || !Number.isFinite(size)) throw new RangeError(`bad image allocation size ${size}`);
    const a = Math.max(1, alignment);
    const start = Math.ceil(this.core.imageNext / a) * a;
    const end = start + Math.max(size, 1);
    const firstPage = Math.ceil(this.core.imageNext / PAGE_SIZE) * PAGE_SIZE;
    const lastPage = Math.ceil(end / PAGE_SIZE) * PAGE_SIZE;
    if (lastPage > firstPage) this.mapNonPagedRange(firstPage, (lastPage - firstPage) / PAGE_SIZE);
    this.core.imageNext = end;
    return start;
  }

  protectImage(va: number, size: number): void {
    const space = this.mm.system;
    for (let at = va; at < va + size; at += PAGE_SIZE) {
      const vpn = vpnOf(at);
      const pte = space.getPte(vpn);
      if (pte % 2 === 1 && (pte % 4096) & PTE_WRITE) this.mm.setPte(space, vpn, pte - PTE_WRITE);
    }
  }

  /** Back [va, va + pages) in system space with fresh resident frames (nonpaged memory). */
  mapNonPagedRange(va: number, pages: number): void {
    const space = this.mm.system;
    for (let i = 0; i < pages; i++) {
      const vpn = Math.floor((va + i * PAGE_SIZE + 2 ** 48) / PAGE_SIZE) % 2 ** 36;
      if (space.getPte(vpn) % 2 === 1) continue;
      const pfn = this.mm.allocateFrame(true);
      if (pfn < 0) this.bugCheck(0x1a, [0x41201, 0, 0, 0], 'physical memory exhausted by nonpaged memory');
      this.mm.mapNewFrame(space, vpn, 4, pfn);
    }
  }

  setLocationProvider(provider: () => GuestLocation | null): void {
    this.locationProvider = provider;
  }

  location(): GuestLocation | null {
    try {
      return this.locationProvider();
    } catch {
      return null;
    }
  }

  /** A pseudo return address in the driver image for the current C line (bug-check parameters). */
  instructionPointer(): number {
    const loc = this.location();
    return LAYOUT.imageBase + 0x100000 + (loc ? loc.line * 0x10 : 0);
  }

  bugCheck(code: number, params: [U64, U64, U64, U64], explanation: string): never {
    // parameters come from arbitrary guest values: anything that is not an integer becomes 0
    const p = params.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? 0 : toU64(x))) as [U64, U64, U64, U64];
    if (!this.core.bugcheck) {
      this.core.bugcheck = { code, params: p, explanation };
      this.event('bugcheck', `*** BUGCHECK 0x${code.toString(16).toUpperCase().padStart(8, '0')} (${p.map(hex64).join(', ')}) ${bugCheckName(code)}: ${explanation}`);
    }
    throw new BugCheck(code, bugCheckName(code), p, explanation);
  }

  /** Driver Verifier on: bug check 0xC4 with the subcode; off: nothing (the caller goes on). */
  verifierCheck(subcode: number, p2: U64, p3: U64, p4: U64, explanation: string): void {
    if (this.core.verifier) this.bugCheck(0xc4, [subcode, p2, p3, p4], explanation);
  }

  /** A report Driver Verifier prints where plain Windows damages state silently (nothing when it is off). */
  verifierReport(text: string, mdl: number | null = null): void {
    if (!this.core.verifier) return;
    this.event('verifier', text, mdl);
    this.print(text, 'verifier');
  }

  event(kind: MmEvent['kind'], text: string, mdl: number | null = null): void {
    const loc = this.location();
    const ev: MmEvent = {
      seq: ++this.core.eventSeq,
      kind,
      text,
      mdl: mdl === null ? null : hex64(mdl),
      location: loc ? { file: loc.file, line: loc.line, function: loc.function } : null,
      step: loc && typeof loc.step === 'number' ? loc.step : null,
    };
    const log = this.core.events;
    log.push(ev);
    // keep the newest MAX_EVENTS, trimming in batches so a long run stays linear
    if (log.length > 2 * MAX_EVENTS) log.splice(0, log.length - MAX_EVENTS);
  }

  print(line: string, kind: OutputKind): void {
    this.output(line, kind);
  }

  expect(condition: boolean, what: string): void {
    const loc = this.location();
    const where = loc ? `${loc.file}:${loc.line}: ` : '';
    if (condition) {
      this.core.expectPasses++;
      this.print(`EXPECT PASSED ${where}${what}`, 'expect-pass');
    } else {
      this.core.expectFailures++;
      this.print(`EXPECT FAILED ${where}${what}`, 'expect-fail');
    }
  }

  /** Paged pool is the system working set's pageable part (reference 3.3). */
  isPageableSystemVa(va: number): boolean {
    return this.pool?.isPaged(va) ?? false;
  }

  spaceName(spaceId: number): string {
    return this.procs?.bySpace(spaceId)?.name ?? `address space ${spaceId}`;
  }

  badKernelAccess(va: number, write: boolean): void {
    this.pool?.checkFreedSpecialPool(va, write);
  }

  /** IRQL at or above DISPATCH_LEVEL? */
  atDispatch(): boolean {
    return this.core.irql >= DISPATCH_LEVEL;
  }

  // ---- engine surface ------------------------------------------------------------------------

  snapshot(): MmSnapshot {
    return buildSnapshot(this);
  }

  checkpoint(): unknown {
    const cp: KernelCheckpoint = {
      mm: this.mm.save(),
      ptes: this.ptes.save(),
      pool: this.pool.save(),
      procs: this.procs.save(),
      mdl: this.mdl.save(),
      core: { ...this.core, events: this.core.events.slice(), bugcheck: this.core.bugcheck ? { ...this.core.bugcheck } : null },
      parts: [...this.checkpointParts].map(([name, part]) => [name, part.save()]),
    };
    return cp;
  }

  restore(checkpoint: unknown): void {
    const cp = checkpoint as KernelCheckpoint;
    if (!cp || !cp.mm || !cp.core) throw new TypeError('not a kernel checkpoint');
    this.mm.restore(cp.mm);
    this.ptes.restore(cp.ptes);
    this.pool.restore(cp.pool);
    this.procs.restore(cp.procs);
    this.mdl.restore(cp.mdl);
    this.core = { ...cp.core, events: cp.core.events.slice(), bugcheck: cp.core.bugcheck ? { ...cp.core.bugcheck } : null };
    this.inKernelRoutine = false;
    for (const [name, state] of cp.parts ?? []) this.checkpointParts.get(name)?.restore(state);
  }

  terminateAllProcesses(): void {
    this.procs.terminateAll();
  }

  peek(va: number, length: number): Uint8Array | null {
    if (!(length >= 0) || length > 1 << 24) return null;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const pa = this.mm.peekTranslate(va + done);
      if (pa < 0) return null;
      const pfn = Math.floor(pa / PAGE_SIZE);
      const off = pa - pfn * PAGE_SIZE;
      const n = Math.min(length - done, PAGE_SIZE - off);
      out.set(this.readPhysical(pfn, off, n), done);
      done += n;
    }
    return out;
  }

  readPhysical(pfn: number, offset: number, length: number): Uint8Array {
    if (!this.mm.pfn.isRam(pfn) || offset < 0 || length < 0 || offset + length > PAGE_SIZE) {
      throw new RangeError(`no such physical range: pfn 0x${pfn.toString(16)} +0x${offset.toString(16)} len ${length}`);
    }
    // Page-table frames hold their entries in typed arrays; render them as the bytes they stand for.
    if (this.mm.pfn.flags[pfn] & 8) {
      for (const sp of this.mm.spaces.values()) {
        const t = sp.findTable(pfn);
        if (t) {
          const bytes = new Uint8Array(PAGE_SIZE);
          const dv = new DataView(bytes.buffer);
          t.forEach((e, i) => dv.setBigUint64(i * 8, BigInt(e), true));
          return bytes.slice(offset, offset + length);
        }
      }
    }
    return this.mm.phys.view(pfn).slice(offset, offset + length);
  }

  /** The VA → physical translation of a process (null = current context) without side effects; -1 if not resident. */
  translate(va: number, process: number | null = null): number {
    const p = process === null ? null : this.procs.byEprocess(process);
    return this.mm.peekTranslate(va, p ? this.mm.spaces.get(p.spaceId) : undefined);
  }

  /** Every process (the System process first) for the debugger's !process 0 0. */
  processList(): { eprocess: number; name: string; pid: number; alive: boolean; current: boolean; lockedPages: number }[] {
    const cur = this.procs.current;
    return this.procs.all().map((p) => ({ eprocess: p.eprocess, name: p.name, pid: p.pid, alive: p.alive, current: p === cur, lockedPages: p.lockedPages }));
  }

  /** The PTE behind a VA (current context, or the given EPROCESS) for the debugger's !pte. */
  pteInfo(va: number, process: number | null = null): { pte: number; description: string } {
    const p = process === null ? null : this.procs.byEprocess(process);
    const space = va < 0 ? this.mm.system : p ? this.mm.spaces.get(p.spaceId) ?? this.mm.current : this.mm.current;
    const pte = isCanonical(va) ? space.getPte(vpnOf(va)) : 0;
    return { pte, description: describePte(pte) };
  }

  /** PFN-database entry for the debugger's !pfn. */
  pfnEntry(pfn: number): FrameView {
    return frameView(this, pfn);
  }
}

export function createKernel(options: KernelExtraOptions = {}): Kernel {
  return new Kernel(options);
}
