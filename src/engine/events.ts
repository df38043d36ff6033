// What the engine reports: why it stopped, how a run ended, and the scenario's output.
import type { U64 } from '../emulator/contract';
import type { FrameInfo, SourceLocation } from '../lang/contract';

export type StopKind =
  | 'entry'
  | 'breakpoint'
  | 'function breakpoint'
  | 'data breakpoint'
  | 'step'
  | 'pause'
  | 'goto'
  | 'LabBreak'
  | 'bugcheck'
  | 'seh-unhandled'
  | 'seh-raised'
  | 'verifier';

export interface BugCheckInfo {
  code: number;
  name: string;
  params: [U64, U64, U64, U64];
  explanation: string;
  /** NTSTATUS of the exception when the bug check is an unhandled SEH exception (0x1E/0x7E/0x8E). */
  exceptionStatus?: number;
}

export interface StopEvent {
  kind: StopKind;
  /** The DAP `stopped` reason. */
  reason: 'entry' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'step' | 'pause' | 'goto' | 'exception';
  /** Shown in the CALL STACK view, e.g. "Paused on LabBreak()". */
  description: string;
  /** Longer text (exception widget). */
  text?: string;
  breakpointIds: number[];
  bugcheck?: BugCheckInfo;
  step: number;
  location: SourceLocation | null;
}

export type RunEndKind = 'ended' | 'bugcheck' | 'terminated' | 'step-limit' | 'timeout' | 'internal-error';

export interface ExpectFailure {
  file: string;
  line: number;
  what: string;
}

export interface RunResult {
  kind: RunEndKind;
  /** The CLI's exit code for this end: 0 ok, 1 LabExpect failed, 3 bug check, 4 limit, 5 internal error. */
  exitCode: number;
  expectFailures: ExpectFailure[];
  bugcheck?: BugCheckInfo;
  /** The C call stack at the bug check. */
  frames?: FrameInfo[];
  message?: string;
  steps: number;
}

export type OutputKind = 'dbgprint' | 'expect-pass' | 'expect-fail' | 'verifier' | 'info' | 'log' | 'error';

export interface OutputEvent {
  kind: OutputKind;
  text: string;
  location: SourceLocation | null;
}

export interface EngineEvents {
  stopped: (stop: StopEvent) => void;
  ended: (result: RunResult) => void;
  output: (event: OutputEvent) => void;
}

export function isStop(r: StopEvent | RunResult): r is StopEvent {
  return 'reason' in r;
}

/** A request the engine cannot honour now (wrong state, bad argument). The adapter turns it into an error response. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
