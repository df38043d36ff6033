// What the emulated kernel offers to a guest language (src/lang) and to the debug engine.
// The emulator knows nothing of C: it deals in addresses, integers and named routines.
//
// Value conventions
// - A 64-bit integer (pointer, ULONG64, SIZE_T, …) is a `U64`: the two's-complement *signed*
//   interpretation of its 64 bits, held as a JS number when it is a safe integer and as a bigint
//   otherwise. Canonical x64 addresses are sign-extended 48-bit values, so every virtual address
//   is a safe number: user addresses are positive, kernel addresses (0xFFFF8000`00000000 and up)
//   are negative numbers. Use `toU64`/`hex64` in ./u64 to convert and print.
// - Integers of 32 bits or fewer are plain numbers; natives receive them already truncated to the
//   parameter's width by the caller, and zero- or sign-extended per its C type.

export type U64 = number | bigint;

/** Every load and store of guest code goes through here (address translation, faults, IRQL). */
export interface GuestMemory {
  read8(va: number): number;
  read16(va: number): number;
  read32(va: number): number;
  /** Returns the 64-bit pattern as a U64 (signed interpretation, normalised to number when safe). */
  read64(va: number): U64;
  write8(va: number, value: number): void;
  write16(va: number, value: number): void;
  write32(va: number, value: number): void;
  write64(va: number, value: U64): void;
  readBytes(va: number, length: number): Uint8Array;
  writeBytes(va: number, data: Uint8Array): void;
  /**
   * The page last read through the memory's own cache, for code generators that inline the common
   * case of a guest access: a 4-aligned 32-bit or 8-aligned 64-bit (two little-endian words) read
   * at va may use hotReadWords at index (va & 0xfff) >>> 2 directly when
   * va - (va & 0xfff) === hotReadBase. NaN when there is none; absent when the memory offers none.
   * Every other access goes through read32/read64…, which translate, fault and keep the working-set
   * bookkeeping. hotWriteBase/hotWriteWords are the same for writes.
   */
  readonly hotReadBase?: number;
  readonly hotReadWords?: Uint32Array;
  readonly hotWriteBase?: number;
  readonly hotWriteWords?: Uint32Array;
  /**
   * Starts (or starts again) keeping the bytes every write replaces, so that `undoJournal` can put
   * them back: an instruction interrupted by a GuestCallFault is run again from its start, and what
   * it had already written must be as it was. While the journal is kept, no write is served from
   * the hot page (generated code would bypass it).
   */
  beginJournal?(): void;
  /** Puts back every byte written since `beginJournal`, newest first, and empties the journal. */
  undoJournal?(): void;
  /** Stops keeping replaced bytes. */
  endJournal?(): void;
}

/**
 * A bug check ("blue screen"): thrown by the emulator, caught by the interpreter, which stops the
 * run and reports it with the C call stack. Parameters are U64 as Windows passes them.
 */
export class BugCheck extends Error {
  constructor(
    readonly code: number,
    readonly bugCheckName: string,
    readonly params: [U64, U64, U64, U64],
    /** A sentence saying which misuse this is, e.g. "MmUnlockPages on an MDL that was never locked". */
    readonly explanation: string,
  ) {
    super(`*** BUGCHECK 0x${code.toString(16).toUpperCase().padStart(8, '0')} ${bugCheckName}: ${explanation}`);
    this.name = 'BugCheck';
  }
}

/**
 * A structured exception raised in guest context (ExRaiseStatus, an access violation on a user
 * address, MmProbeAndLockPages failing). The interpreter dispatches it to __try/__except.
 */
export class SehException extends Error {
  constructor(
    /** NTSTATUS as an unsigned 32-bit number, e.g. 0xC0000005 for STATUS_ACCESS_VIOLATION. */
    readonly status: number,
    readonly explanation: string,
    /** For access violations: the faulting address and 0 read / 1 write. */
    readonly faultAddress?: number,
    readonly faultWrite?: boolean,
  ) {
    super(explanation);
    this.name = 'SehException';
  }
}

/** A native routine may ask the interpreter to call guest code (a dispatch or completion routine). */
export interface GuestCallRequest {
  kind: 'call-guest';
  /** Address of the guest function (a function pointer value). */
  target: number;
  args: U64[];
  /** Called with the guest function's return value; may return another request or the final result. */
  resume(returnValue: U64): NativeResult;
}

export type NativeResult = U64 | void | GuestCallRequest;

/**
 * Thrown by a guest memory access whose page fault can only be resolved by running guest code
 * first (a paging read of a mapped file sent down a device stack with a scenario driver on it).
 * The interpreter runs `request` like a native's GuestCallRequest (the final resume returns when
 * the page is in) and then executes the faulting instruction again, which now finds the page.
 * It is an in-page error (STATUS_IN_PAGE_ERROR) for an interpreter that does not know it.
 */
export class GuestCallFault extends SehException {
  constructor(readonly request: GuestCallRequest, faultAddress: number, faultWrite: boolean, explanation: string) {
    super(0xc0000006, explanation, faultAddress, faultWrite);
    this.name = 'GuestCallFault';
  }
}

/** Static description of an emulated routine: the single source of docs, completion, and breakpoints. */
export interface RoutineDoc {
  name: string;
  /** The C prototype as in the WDK header, for hovers and signature help. */
  prototype: string;
  header: 'wdm.h' | 'ntddk.h' | 'ntifs.h' | 'mdlab.h' | 'ntstrsafe.h';
  /** e.g. "<= DISPATCH_LEVEL" */
  irql: string;
  summary: string;
  /** What it does to the MDL and the PFNs, failure modes, bug checks. Markdown. */
  details: string;
  docUrl?: string;
}

export interface NativeRoutine extends RoutineDoc {
  /** Arguments as U64 (already converted per the prototype's parameter types by the caller). */
  impl(args: U64[]): NativeResult;
}

/** A place in guest source, supplied by the interpreter so that MM events carry their C line. */
export interface GuestLocation {
  file: string;
  line: number;
  function: string;
  /** The interpreter's statement counter, if it has one: MM events record it for time travel. */
  step?: number;
}

/** What the interpreter needs from the kernel. Implemented by the emulator's Kernel class. */
export interface GuestKernel {
  readonly memory: GuestMemory;
  /** Emulated routines by name (IoAllocateMdl, MmProbeAndLockPages, DbgPrint, Lab* harness…). */
  routine(name: string): NativeRoutine | undefined;
  routineNames(): string[];
  /** Reserve nonpaged, zero-filled memory in the driver image (globals, string literals, code addresses). */
  allocateImage(size: number, alignment?: number): number;
  /**
   * Make whole pages of the image read-only, as its .rdata section is on Windows (string literals):
   * a later write is bug check 0xBE. Optional; page-aligned [va, va + size).
   */
  protectImage?(va: number, size: number): void;
  /** The current thread's kernel stack: [limit, base). Locals whose address is taken live here. */
  readonly kernelStackBase: number;
  readonly kernelStackLimit: number;
  /** The interpreter reports where guest code is, so that emulator events and reports carry a C line. */
  setLocationProvider(provider: () => GuestLocation | null): void;
  /** Raise a bug check from the interpreter (e.g. kernel stack overflow: 0x7F, P1 = 8). Never returns. */
  bugCheck(code: number, params: [U64, U64, U64, U64], explanation: string): never;
  /**
   * True once a scenario driver's device sits on a device stack: from then on a page fault may need
   * that driver's code (a paging read through it) and end in a GuestCallFault.
   */
  readonly pagingRunsDrivers?: boolean;
}

export interface KernelOptions {
  /** Bytes of physical memory described (default 1 GiB; sparse: host memory grows with frames touched). */
  physicalMemory?: number;
  /** Driver Verifier on (default true): misuse is reported at the faulting call. */
  verifier?: boolean;
  /** Where DbgPrint output and LabExpect results go. */
  output?: (line: string, kind: 'dbgprint' | 'expect-pass' | 'expect-fail' | 'verifier' | 'info') => void;
}

/** What the debug engine needs beyond the guest surface. */
export interface EngineKernel extends GuestKernel {
  /** The memory manager's state as plain JSON (see snapshotTypes.ts). */
  snapshot(): import('./snapshotTypes').MmSnapshot;
  /** Deterministic state save/restore for time travel. Cheap: copy-on-write where it matters. */
  checkpoint(): unknown;
  restore(checkpoint: unknown): void;
  /** End of run: every live process exits with Windows' checks (0x76 / 0xCB for locked pages…). */
  terminateAllProcesses(): void;
  /** Number of LabExpect calls that failed so far. */
  readonly expectFailures: number;
  /** Translate and read without side effects or faults (debugger memory view); null where invalid. */
  peek(va: number, length: number): Uint8Array | null;
  /** Physical reads for !pfn / db /p. */
  readPhysical(pfn: number, offset: number, length: number): Uint8Array;
  /** Optional (debugger's !vtop / !pte): physical address of `va` in a process (EPROCESS address; null = current), -1 if not resident. */
  translate?(va: number, process?: number | null): number;
  /** Optional (debugger's !pfn): the PFN database entry of any frame. */
  pfnEntry?(pfn: number): import('./snapshotTypes').FrameView;
  /** Optional (physical memory map): the page-list state of every frame from PFN 0, as indexes into `states`. */
  pageStateMap?(): { states: string[]; codes: Uint8Array };
}
