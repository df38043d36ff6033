// Where the scenario's output goes: DbgPrint, LabExpect results and verifier reports become output
// events (once: replayed statements stay quiet), expect failures are collected for the exit code,
// and verifier reports and first-chance exceptions wait to become stops when their filter is on.
import type { Machine } from '../lang/contract';
import { expectWhat } from './describe';
import type { ExceptionFilters } from './engineTypes';
import type { ExpectFailure, OutputEvent, OutputKind } from './events';
import type { PendingStop } from './stopChecks';

/** What the router reads from the engine it serves. */
export interface OutputSource {
  machine(): Machine | null;
  /** True while time travel re-executes statements. */
  replaying(): boolean;
  /** Highest statement ever executed live: output below it was already shown. */
  liveHigh(): number;
  filters(): ExceptionFilters;
  mainFile(): string;
  emit(event: OutputEvent): void;
}

export type KernelOutputKind = 'dbgprint' | 'expect-pass' | 'expect-fail' | 'verifier' | 'info';

export class OutputRouter {
  readonly expectFailures: ExpectFailure[] = [];
  private pendingReport: PendingStop | null = null;
  /** While reverse continue searches the past, reports met in the replay are kept here instead. */
  private replayWatch: { report: PendingStop | null } | null = null;

  constructor(private readonly source: OutputSource) {}

  /** The verifier report or first-chance exception waiting to stop the run, taken once. */
  takeReport(): PendingStop | null {
    const r = this.pendingReport;
    this.pendingReport = null;
    return r;
  }

  /** Reverse continue stops at earlier reports too: watch the replay for them (off again with null). */
  watchReplay(on: boolean): void {
    this.replayWatch = on ? { report: null } : null;
  }

  /** The report the replayed statement before this one made, taken once. */
  takeReplayReport(): PendingStop | null {
    const w = this.replayWatch;
    if (!w) return null;
    const r = w.report;
    w.report = null;
    return r;
  }

  onKernelOutput(line: string, kind: KernelOutputKind): void {
    const src = this.source;
    const m = src.machine();
    if (src.replaying()) {
      if (this.replayWatch && kind === 'verifier' && src.filters().verifier) this.replayWatch.report = verifierStop(line);
      return;
    }
    if (m && m.steps < src.liveHigh()) return;
    const loc = m?.location() ?? null;
    if (kind === 'expect-fail') this.expectFailures.push({ file: loc?.file ?? src.mainFile(), line: loc?.line ?? 0, what: expectWhat(line) });
    if (kind === 'verifier' && src.filters().verifier) this.pendingReport = verifierStop(line);
    src.emit({ kind, text: line, location: loc });
  }

  /** First-chance notice of an exception raised by an emulated routine: stops at the next statement (the handler). */
  onRaised(status: number, explanation: string, routine: string): void {
    this.firstChance(status, explanation, ` by ${routine}`);
  }

  /**
   * The machine's first-chance notice (Machine.onException). Exceptions emulated routines raise
   * were already reported by onRaised with the routine's name, so only the C code's own faults
   * (a bad pointer) and system-raised ones are taken here.
   */
  onMachineException(status: number, native: boolean, explanation: string): void {
    if (!native) this.firstChance(status, explanation, '');
  }

  private firstChance(status: number, explanation: string, by: string): void {
    const src = this.source;
    if (!src.filters().sehRaised) return;
    if (src.replaying() && !this.replayWatch) return;
    const loc = src.machine()?.location();
    const code = '0x' + (status >>> 0).toString(16).toUpperCase().padStart(8, '0');
    const where = loc ? ` at ${loc.file}:${loc.line}` : '';
    const stop: PendingStop = { kind: 'seh-raised', ids: [], description: `Exception ${code} raised${by}${where}`, text: `${code} raised${by}${where}: ${explanation}` };
    if (src.replaying()) this.replayWatch!.report = stop;
    else this.pendingReport = stop;
  }

  output(kind: OutputKind, text: string): void {
    this.source.emit({ kind, text, location: this.source.machine()?.location() ?? null });
  }
}

function verifierStop(line: string): PendingStop {
  return { kind: 'verifier', ids: [], description: 'Driver Verifier report', text: line };
}
