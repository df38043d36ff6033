// The debug engine: one scenario run that the adapter and the CLI drive — load, run in slices,
// breakpoints, stepping, pause, time travel, stop reasons and the end of the run.
import type { EngineKernel } from '../emulator/contract';
import type { FrameInfo, Machine, Program, RunOutcome } from '../lang/contract';
import { BreakpointTable } from './breakpoints';
import type { BreakpointStatus } from './breakpoints';
import { Emitter } from './emitter';
import { EngineError } from './events';
import type { BugCheckInfo, EngineEvents, RunResult, StopEvent } from './events';
import { formatDiagnostic, loadScenario } from './loader';
import type { FileHost } from './host';
import { DEFAULT_OPTIONS } from './options';
import type { EngineOptions } from './options';
import type { Snapshot } from './snapshot';
import { makeCallHook, makePauseOnlyCheck, makeStopCheck } from './stopChecks';
import type { CheckContext, MidCall, PendingStop, RunMode } from './stopChecks';
import { Timeline } from './timeline';
import { TimeTravel, TravelAbandoned } from './timeTravel';
import { recountHits, reverseContinueTarget, stepBackTarget } from './reverseSearch';
import { describeStop, isBugCheck, toBugCheckInfo } from './describe';
import type { EngineDeps, EngineState, ExceptionFilters, LoadResult, TravelTarget } from './engineTypes';
import { OutputRouter } from './outputRouter';
import { queryPageTables, type PageTableQuery, type PageTableWalk } from './pageTableQuery';
import { now, SliceClock } from './scheduler';

export type { EngineDeps, EngineState, ExceptionFilters, LoadResult } from './engineTypes';

export class DebugEngine extends Emitter<EngineEvents> {
  options: EngineOptions = { ...DEFAULT_OPTIONS };
  filters: ExceptionFilters = { bugcheck: true, sehUnhandled: true, verifier: false };
  state: EngineState = 'unloaded';
  mainFile = '';

  private program: Program | null = null;
  private _machine: Machine | null = null;
  private _kernel: EngineKernel | null = null;
  private timeline = new Timeline(0);
  private travel: TimeTravel | null = null;
  private pauseRequested = false;
  private terminateRequested = false;
  private pending: PendingStop | null = null;
  /** Set when a run() stopped before a call (function breakpoint): not a clean place for a checkpoint. */
  private midCall: MidCall | null = null;
  /** The bug check that ended the machine, while the debugger still shows it. */
  private dead: { info: BugCheckInfo; frames: FrameInfo[]; stop: StopEvent } | null = null;
  private readonly out = new OutputRouter({
    machine: () => this._machine,
    replaying: () => this.replaying,
    liveHigh: () => this.liveHigh,
    filters: () => this.filters,
    mainFile: () => this.mainFile,
    emit: (event) => this.emit('output', event),
  });
  private readonly clock = new SliceClock();
  /** Highest statement ever executed live: output below it was already shown. */
  private liveHigh = 0;
  private replaying = false;
  private lastStop: StopEvent | null = null;
  private lastResult: RunResult | null = null;
  private lastBug: { info: BugCheckInfo; frames: FrameInfo[]; unhandled: boolean } | null = null;
  /** Breakpoint verification after load, for breakpoints set before the program existed. */
  rebound = new Map<string, BreakpointStatus[]>();

  /** The breakpoint table may outlive the engine (a restart keeps the user's breakpoints). */
  constructor(
    private readonly deps: EngineDeps,
    private readonly host: FileHost,
    readonly breakpoints: BreakpointTable = new BreakpointTable(),
  ) {
    super();
  }

  get machine(): Machine {
    if (!this._machine) throw new EngineError('no scenario is loaded');
    return this._machine;
  }

  get kernel(): EngineKernel {
    if (!this._kernel) throw new EngineError('no scenario is loaded');
    return this._kernel;
  }

  get loadedProgram(): Program | null {
    return this.program;
  }

  /** The last bug check of this run, kept after the run ended (the exception widget may still ask). */
  get lastBugCheck(): { info: BugCheckInfo; frames: FrameInfo[]; unhandled: boolean } | null {
    return this.lastBug;
  }

  get isDead(): boolean {
    return this.dead !== null;
  }

  get currentStop(): StopEvent | null {
    return this.state === 'stopped' ? this.lastStop : null;
  }

  /** The latest stop, kept while running again and after the end (late requests about it). */
  get previousStop(): StopEvent | null {
    return this.lastStop;
  }

  get checkpointCount(): number {
    return this.timeline.count;
  }

  /** Statements re-executed by time travel in this run. */
  get replayedStatements(): number {
    return this.travel?.replayed ?? 0;
  }

  /** Compiles the scenario and creates its kernel and machine. Compile errors come back as diagnostics. */
  async load(mainFile: string, options: Partial<EngineOptions> = {}): Promise<LoadResult> {
    if (this.state !== 'unloaded') throw new EngineError('a scenario is already loaded');
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const r = await loadScenario(this.deps.language, this.deps.createKernel, this.host, mainFile, this.options, (line, kind) => this.out.onKernelOutput(line, kind), (status, explanation, routine) => this.out.onRaised(status, explanation, routine));
    this.mainFile = r.main;
    if (!r.ok) return { ok: false, diagnostics: r.diagnostics, message: r.message };
    for (const d of r.warnings) this.out.output('info', formatDiagnostic(d));
    this.program = r.program;
    this._kernel = r.kernel;
    this._machine = r.machine;
    r.machine.onException = (status, native, explanation) => this.out.onMachineException(status, native, explanation);
    this.timeline = new Timeline(this.options.checkpointInterval);
    this.timeline.record(r.machine, r.kernel);
    this.travel = new TimeTravel(r.machine, r.kernel, this.timeline, (on) => (this.replaying = on), () => this.terminateRequested);
    this.rebound = this.breakpoints.rebind(r.program);
    this.breakpoints.resyncData(r.kernel);
    this.state = 'ready';
    return { ok: true };
  }

  /** Starts the run: stops on entry when asked, otherwise runs to the first stop or the end. */
  async start(): Promise<StopEvent | RunResult> {
    if (this.state !== 'ready') throw new EngineError(this.state === 'unloaded' ? 'no scenario is loaded' : 'the scenario has already started');
    if (this.options.stopOnEntry) return this.report(this.makeStop({ kind: 'entry', ids: [] }));
    return this.exec({ kind: 'continue', fromStart: true });
  }

  continue(): Promise<StopEvent | RunResult> {
    return this.exec({ kind: 'continue' });
  }
  stepOver(): Promise<StopEvent | RunResult> {
    return this.exec({ kind: 'stepOver' });
  }
  stepIn(): Promise<StopEvent | RunResult> {
    return this.exec({ kind: 'stepIn' });
  }
  stepOut(): Promise<StopEvent | RunResult> {
    return this.exec({ kind: 'stepOut' });
  }

  /** Takes effect before the next statement (within one slice, a few milliseconds). */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  /** Ends the run: while running, at the next slice; otherwise at once. */
  async terminate(): Promise<RunResult> {
    if (this.state === 'ended') return this.lastResult!;
    if (this.state === 'running') {
      this.terminateRequested = true;
      return new Promise((resolve) => this.on('ended', resolve));
    }
    return this.report(this.result('terminated', 'the run was terminated')) as RunResult;
  }

  // ---- time travel ----------------------------------------------------------------------------

  get canTimeTravel(): boolean {
    return this.timeline.enabled;
  }

  /** Back one statement at the same or an outer call depth (a call is stepped over backwards). */
  stepBack(): Promise<StopEvent | RunResult> {
    return this.travelWith((t, m) => stepBackTarget(t, m, this.fromStep()));
  }

  /** Back to the latest earlier point where a forward run would have stopped on a breakpoint of any kind. */
  reverseContinue(): Promise<StopEvent | RunResult> {
    const reports = { watch: (on: boolean) => this.out.watchReplay(on), take: () => this.out.takeReplayReport() };
    return this.travelWith((t, m) => reverseContinueTarget(t, this.breakpoints, m, this.kernel, this.fromStep(), reports));
  }

  /** Where backward searches start: after a bug check the faulting statement never completed, so it counts as past. */
  private fromStep(): number {
    return this.dead ? this.machine.steps + 1 : this.machine.steps;
  }

  /** Runs forwards or backwards to the statement counter `step` (timeline clicks, `mdlGotoStep`). */
  async gotoStep(step: number): Promise<StopEvent | RunResult> {
    if (!Number.isSafeInteger(step) || step < 0) throw new EngineError(`step must be a non-negative integer (got ${step})`);
    const m = this.machine;
    // Beyond what has run, the future must be computed; up to there, checkpoints reach it faster.
    if (step > this.liveHigh && !this.dead) return this.exec({ kind: 'toStep', step });
    return this.travelWith(async () => ({ step, kind: 'goto' }));
  }

  /** A terminate while travelling (a long search) ends the run there, as it does a forward run. */
  private async travelWith(choose: (t: TimeTravel, m: Machine) => Promise<TravelTarget>): Promise<StopEvent | RunResult> {
    this.requireStopped();
    if (!this.timeline.enabled || !this.travel) throw new EngineError('time travel is off for this run');
    const m = this.machine;
    this.state = 'running';
    this.snapshotCache = null;
    try {
      const { step, kind, stop, nativeCall, hitsCounted } = await choose(this.travel, m);
      const recount = this.breakpoints.hasHitConditions && !hitsCounted;
      const outcome = recount ? await recountHits(this.travel, this.breakpoints, m, this.kernel, step) : this.travel.arrivedAt === step && m.steps === step ? null : await this.travel.goTo(step);
      this.midCall = null;
      if (outcome === null && nativeCall) {
        // As forwards: inside the statement, just before the emulated routine runs.
        if (this.travel.stopBeforeCall(nativeCall)) this.midCall = { steps: m.steps, name: nativeCall, native: true };
        else await this.travel.goTo(step);
      }
      this.pending = null;
      if (this.terminateRequested) return this.report(this.result('terminated', 'the run was terminated'));
      this.breakpoints.resyncData(this.kernel);
      if (outcome && (outcome.kind === 'bugcheck' || outcome.kind === 'unhandled-exception')) {
        return this.report(this.onBugCheck(outcome));
      }
      this.dead = null;
      return this.report(this.makeStop(stop ?? { kind, ids: [] }));
    } catch (e) {
      if (e instanceof TravelAbandoned) return this.report(this.result('terminated', 'the run was terminated'));
      this.state = 'stopped';
      throw e;
    }
  }

  // ---- state while stopped ----------------------------------------------------------------------

  /** Frames innermost first; an emulated routine stopped at by a function breakpoint is frame 0. */
  frames(): FrameInfo[] {
    if (this.dead) return this.dead.frames;
    const frames = this.machine.frames();
    if (this.midCall?.native && !frames.some((f) => f.native)) {
      return [{ index: 0, function: `nt!${this.midCall.name}`, native: true, location: null }, ...frames.map((f) => ({ ...f, index: f.index + 1 }))];
    }
    return frames;
  }

  /** Maps a displayed frame index to the machine's frame index (null for a synthetic native frame). */
  machineFrame(displayed: number): number | null {
    const frames = this.frames();
    const f = frames[displayed];
    if (!f || f.native) return null;
    return frames.slice(0, displayed).filter((x) => !x.native).length;
  }

  /** The snapshot is built once per stop (it can be large): cleared by any motion or edit. */
  private snapshotCache: Snapshot | null = null;

  snapshot(): Snapshot {
    if (this.snapshotCache && this.state !== 'running') return this.snapshotCache;
    this.snapshotCache = this.buildSnapshot();
    return this.snapshotCache;
  }

  /** A process's page tables over a VA range at this stop (the panels' address space view). */
  pageTables(query: PageTableQuery): PageTableWalk {
    return queryPageTables(this, query);
  }

  private buildSnapshot(): Snapshot {
    const m = this.machine;
    const mm = this.kernel.snapshot();
    const loc = m.location() ?? this.lastStop?.location ?? null;
    const fn = m.currentFunction() ?? this.frames().find((f) => !f.native)?.function ?? '';
    return { ...mm, version: 1, location: loc ? { file: loc.file, line: loc.line, function: fn } : null, step: m.steps };
  }

  /** Call after the user changed guest state (setVariable, writeMemory): the recorded future is void. */
  afterEdit(): void {
    const m = this.machine;
    this.snapshotCache = null;
    if (this.travel) this.travel.arrivedAt = null;
    this.timeline.truncateAfter(m.steps);
    if (!this.midCall) this.timeline.record(m, this.kernel);
    this.liveHigh = m.steps;
    this.breakpoints.resyncData(this.kernel);
  }

  // ---- running ----------------------------------------------------------------------------------

  private requireStopped(): void {
    if (this.state === 'running') throw new EngineError('the scenario is running; pause it first');
    if (this.state === 'ended') throw new EngineError('the run has ended');
    if (this.state === 'unloaded') throw new EngineError('no scenario is loaded');
  }

  private async exec(mode: RunMode): Promise<StopEvent | RunResult> {
    if (this.state === 'ready') this.state = 'stopped';
    this.requireStopped();
    if (this.dead) {
      // A bug check stops the machine for good; moving on ends the run with it.
      return this.report(this.result('bugcheck', undefined, this.dead.info, this.dead.frames));
    }
    return this.report(await this.drive(mode));
  }

  private report(r: StopEvent | RunResult): StopEvent | RunResult {
    this.snapshotCache = null;
    if ('reason' in r) {
      this.state = 'stopped';
      this.lastStop = r;
      this.emit('stopped', r);
    } else {
      this.state = 'ended';
      this.lastResult = r;
      this.emit('ended', r);
    }
    return r;
  }

  private checkContext(): CheckContext {
    return {
      machine: this.machine,
      kernel: this.kernel,
      breakpoints: this.breakpoints,
      isPauseRequested: () => this.pauseRequested,
      takeReport: () => this.out.takeReport(),
      hasFunctionBreakpoints: () => this.breakpoints.hasFunctions,
      setPending: (p) => (this.pending = p),
      log: (text) => this.out.output('log', text),
    };
  }

  private async drive(mode: RunMode): Promise<StopEvent | RunResult> {
    const m = this.machine;
    this.snapshotCache = null;
    if (this.travel) this.travel.arrivedAt = null;
    const k = this.kernel;
    this.state = 'running';
    this.pauseRequested = false;
    this.pending = null;
    const ctx = this.checkContext();
    const makeCheck = () => (mode.kind !== 'continue' || this.breakpoints.hasAny ? makeStopCheck(ctx, mode) : makePauseOnlyCheck(ctx));
    let check = makeCheck();
    let bpVersion = this.breakpoints.version;
    const resumeCall = this.midCall;
    this.midCall = null;
    const callHook = makeCallHook(m, this.breakpoints, resumeCall, () => this.replaying, (call, stop) => {
      this.midCall = call;
      this.pending = stop;
    });
    // without function breakpoints the hook never stops a call: leaving it unset keeps calls on the machine's fast path
    const hookNow = () => (this.breakpoints.hasFunctions ? callHook : undefined);
    m.onCall = hookNow();
    for (;;) {
      if (this.terminateRequested) return this.result('terminated', 'the run was terminated');
      if (bpVersion !== this.breakpoints.version) {
        // Breakpoints changed while running (set in the editor): from here on they count.
        bpVersion = this.breakpoints.version;
        check = makeCheck();
        m.onCall = hookNow();
      }
      if (m.steps >= this.timeline.nextDue()) this.timeline.record(m, k);
      let budget = Math.min(this.clock.budget, this.timeline.nextDue() - m.steps);
      if (this.options.maxSteps > 0) budget = Math.min(budget, this.options.maxSteps - m.steps);
      if (budget <= 0) {
        if (this.options.maxSteps > 0 && m.steps >= this.options.maxSteps) {
          return this.result('step-limit', `the scenario ran ${this.options.maxSteps} statements without ending (--max-steps ${this.options.maxSteps}); it may loop forever`);
        }
        budget = 1;
      }
      const t0 = now();
      const stepsBefore = m.steps;
      let out: RunOutcome;
      try {
        out = m.run(budget, check);
      } catch (e) {
        if (isBugCheck(e)) out = { kind: 'bugcheck', bugcheck: e };
        else return this.result('internal-error', `internal error in the interpreter: ${(e as Error).stack ?? String(e)}`);
      }
      const dt = now() - t0;
      this.clock.ran(dt);
      if (m.steps > this.liveHigh) this.liveHigh = m.steps;
      const ran = m.steps - stepsBefore;
      if (out.kind === 'budget' && ran >= 256 && dt > 0.5 && this.options.checkpointInterval === DEFAULT_OPTIONS.checkpointInterval) this.timeline.setPace(ran / dt);
      switch (out.kind) {
        case 'budget':
          if (this.options.timeoutMs > 0 && this.clock.runningMs > this.options.timeoutMs) {
            return this.result('timeout', `the scenario ran for ${Math.round(this.options.timeoutMs / 1000)} s without ending (--timeout); it may loop forever`);
          }
          await this.clock.breathe();
          continue;
        case 'stopped':
          return this.makeStop(this.pending ?? { kind: 'pause', ids: [] });
        case 'break':
          return this.makeStop({ kind: 'LabBreak', ids: [], description: `Paused on ${out.reason}()` });
        case 'exited':
          return this.atExit();
        case 'bugcheck':
        case 'unhandled-exception':
          return this.onBugCheck(out);
      }
    }
  }

  private atExit(): StopEvent | RunResult {
    try {
      this.kernel.terminateAllProcesses();
    } catch (e) {
      if (isBugCheck(e)) return this.onBugCheck({ kind: 'bugcheck', bugcheck: e });
      return this.result('internal-error', `internal error at the end of the run: ${(e as Error).message}`);
    }
    return this.result('ended');
  }

  private onBugCheck(out: Extract<RunOutcome, { kind: 'bugcheck' | 'unhandled-exception' }>): StopEvent | RunResult {
    const info = toBugCheckInfo(out.bugcheck, out.kind === 'unhandled-exception' ? out.status : undefined);
    const frames = this.machine.frames();
    this.lastBug = { info, frames, unhandled: out.kind === 'unhandled-exception' };
    const stopHere = this.filters.bugcheck || (out.kind === 'unhandled-exception' && this.filters.sehUnhandled);
    if (!stopHere) return this.result('bugcheck', undefined, info, frames);
    const stop = this.makeStop({ kind: out.kind === 'unhandled-exception' ? 'seh-unhandled' : 'bugcheck', ids: [] }, info);
    this.dead = { info, frames, stop };
    return stop;
  }

  private makeStop(p: PendingStop, bugcheck?: BugCheckInfo): StopEvent {
    const m = this.machine;
    const d = describeStop(p, bugcheck);
    return { kind: p.kind, reason: d.reason, description: p.description ?? d.description, text: p.text ?? d.text, breakpointIds: p.ids, bugcheck, step: m.steps, location: m.location() };
  }

  private result(kind: RunResult['kind'], message?: string, bugcheck?: BugCheckInfo, frames?: FrameInfo[]): RunResult {
    this.terminateRequested = false;
    const failures = [...this.out.expectFailures];
    const exitCode = kind === 'bugcheck' ? 3 : kind === 'step-limit' || kind === 'timeout' ? 4 : kind === 'internal-error' ? 5 : failures.length > 0 ? 1 : 0;
    return { kind, exitCode, expectFailures: failures, bugcheck, frames, message, steps: this._machine?.steps ?? 0 };
  }
}

export { formatDiagnostic };
