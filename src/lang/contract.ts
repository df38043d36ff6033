// What the driver-C language offers to the debug engine (src/engine) and the editor features.
// src/lang implements these; the engine and extension depend only on this surface.
import type { GuestKernel, U64 } from '../emulator/contract';
import type { BugCheck } from '../emulator/contract';

/** Reads scenario files. Paths are as the host names them (absolute or workspace-relative). */
export interface SourceHost {
  /** Returns the text, or undefined when there is no such file. */
  readFile(path: string): string | undefined;
  /** Resolves `#include "name"` relative to the including file; undefined if not allowed/found. */
  resolveInclude(fromFile: string, name: string): string | undefined;
}

export interface SourceRange {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  endLine: number;
  endCol: number;
}

export interface Diagnostic extends SourceRange {
  severity: 'error' | 'warning' | 'note';
  message: string;
}

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** A compiled scenario. Opaque to the engine except for these queries. */
export interface Program {
  readonly mainFile: string;
  /** Lines of `file` on which a statement starts (where a line breakpoint can bind). Sorted. */
  executableLines(file: string): number[];
  /** Names of the scenario's own functions (for function breakpoints and completion). */
  functionNames(): string[];
}

export interface CompileResult {
  program: Program | null;
  /** All errors and warnings, not only the first. Errors mean program === null. */
  diagnostics: Diagnostic[];
}

export type StopCheck = ((machine: Machine) => boolean) & {
  /**
   * Set on a check that can only say yes at the first statement of a run() slice, or at the first
   * statement after an emulated routine returned or an exception was dispatched (pause requests and
   * Driver Verifier reports, when no breakpoint or step applies): the machine asks it only there,
   * and the statements in between run without it.
   */
  readonly sparse?: boolean;
};

export type RunOutcome =
  /** `shouldStop` returned true before a statement (the machine is paused at it). */
  | { kind: 'stopped' }
  /** The step budget ran out (the engine uses slices to stay responsive and to honour pause). */
  | { kind: 'budget' }
  /** The entry function returned. */
  | { kind: 'exited'; returnValue: U64 }
  | { kind: 'bugcheck'; bugcheck: BugCheck }
  /** An SEH exception nobody handled: in kernel mode Windows bug-checks (0x1E / 0x7E / 0x8E). */
  | { kind: 'unhandled-exception'; status: number; bugcheck: BugCheck }
  /** A LabExpect that failed does not stop the run; LabBreak / DbgBreakPoint does: */
  | { kind: 'break'; reason: 'LabBreak' | 'DbgBreakPoint' };

export interface FrameInfo {
  /** 0 = innermost */
  index: number;
  /** C function name, or `nt!MmProbeAndLockPages` for an emulated routine. */
  function: string;
  native: boolean;
  location: SourceLocation | null;
}

/** A value shown in Variables, Watch, hover and the Debug Console. */
export interface ValueView {
  name: string;
  /** The C type as written, e.g. `PMDL`, `ULONG`, `struct _MDL *`. */
  type: string;
  /** Formatted per `hex`, e.g. `0x0000000a`, `5`, `0xffffe001`12340000`. */
  value: string;
  /** The raw value for integers and pointers. */
  raw?: U64;
  /** Address of the object when it lives in memory (for memoryReference / data breakpoints). */
  address?: number;
  /** Size in bytes of the object. */
  size?: number;
  /** Named children (struct fields, pointed-to object) or indexed children (arrays). */
  namedChildren: number;
  indexedChildren: number;
  children(start?: number, count?: number): ValueView[];
}

export interface EvaluateOptions {
  frame?: number;
  hex?: boolean;
  /** false (default): any store or call with side effects is refused with an error. */
  allowSideEffects?: boolean;
}

/** The running interpreter. All of its state is plain data (snapshot/restore). */
export interface Machine {
  readonly program: Program;
  readonly kernel: GuestKernel;
  /** Statements executed so far (monotonic; the time-travel clock). */
  readonly steps: number;
  /** Call depth of C frames (1 inside the entry function). */
  depth(): number;
  /** Where the next statement to run is. null before start or after exit. */
  location(): SourceLocation | null;
  /** The C function that is running. */
  currentFunction(): string | null;
  /** Executes statements until `shouldStop` (checked before each statement) returns true, the budget runs out, or the run ends. */
  run(maxSteps: number, shouldStop?: StopCheck): RunOutcome;
  /**
   * Called before each call of an emulated routine or C function (function breakpoints). Returning
   * true makes run() return { kind: 'stopped' } before the call executes; the next run() performs it.
   */
  onCall?: (name: string, native: boolean) => boolean | void;
  /**
   * First-chance notice of a structured exception, called just before it is dispatched to the
   * __except filters. `native` is true when an emulated routine raised it, false when C code itself
   * faulted (a bad pointer) or the system raised it. Report only: the return value is ignored, the
   * dispatch and the statement clock go on unchanged, so a debugger stops at the next statement.
   */
  onException?: (status: number, native: boolean, explanation: string) => boolean | void;
  frames(): FrameInfo[];
  /** Locals (incl. parameters) of a frame. */
  locals(frame: number, hex?: boolean): ValueView[];
  globals(hex?: boolean): ValueView[];
  evaluate(expression: string, options?: EvaluateOptions): ValueView;
  /** Assign `value` (a C expression) to the lvalue `target` in a frame. */
  assign(target: string, value: string, options?: EvaluateOptions): ValueView;
  /** Plain-data copy of the interpreter state (the kernel saves its own). */
  saveState(): unknown;
  restoreState(state: unknown): void;
}

export interface LanguageModule {
  compile(mainFile: string, host: SourceHost): CompileResult;
  /** Creates a machine positioned before the first statement of `entry` (default LabMain). */
  createMachine(program: Program, kernel: GuestKernel, entry?: string): Machine;
}
