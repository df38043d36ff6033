// MDL Lab's debug adapter: translates Debug Adapter Protocol requests into engine calls and engine
// events into DAP events. Request handling lives in the *Requests modules, one concern each.
import { DebugSession, Event, ExitedEvent, InitializedEvent, OutputEvent, StoppedEvent, TerminatedEvent, BreakpointEvent, InvalidatedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointTable } from '../engine/breakpoints';
import { DebugEngine } from '../engine/engine';
import type { EngineDeps, ExceptionFilters } from '../engine/engine';
import { defaultEngineDeps } from '../engine/defaultDeps';
import type { OutputEvent as EngineOutput, RunResult, StopEvent } from '../engine/events';
import type { FileHost } from '../engine/host';
import { parsePhysicalMemory, parseSwitch } from '../engine/options';
import { bugCheckLine, formatFrames } from '../engine/describe';
import { capabilities } from './capabilities';
import { THREAD_ID, requireString } from './context';
import type { SessionContext } from './context';
import * as bp from './breakpointRequests';
import { checkMotion, startMotion, type ExecutionCommand } from './executionRequests';
import * as inspect from './inspectRequests';
import * as memory from './memoryRequests';
import { GOTO_STEP_REQUEST, PAGE_TABLES_REQUEST, PHYSICAL_MAP_REQUEST, SNAPSHOT_EVENT, SNAPSHOT_REQUEST, type PageTablesArguments } from './protocol';
import { VariableStore } from './variables';

/** launch.json attributes of the `mdl` debug type. */
export interface MdlLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program: string;
  stopOnEntry?: boolean;
  entry?: string;
  physicalMemory?: string | number;
  verifier?: boolean | string;
  maxSteps?: number;
  /** Seconds of running before the run is ended (0 = none). */
  timeout?: number;
}

/** Quiet time after a stop before its snapshot event goes out (requests in between postpone it). */
const SNAPSHOT_QUIET_MS = 40;

export class MdlDebugSession extends DebugSession {
  private engine: DebugEngine | null = null;
  private store: VariableStore | null = null;
  private readonly breakpoints = new BreakpointTable();
  private readonly filters: ExceptionFilters = { bugcheck: true, sehUnhandled: true, verifier: false };
  private launchArgs: MdlLaunchArguments | null = null;
  private configured = false;
  private started = false;
  private noDebug = false;

  /** `deps` defaults to the real interpreter and emulator; tests pass doubles. */
  constructor(
    private readonly fileHost: FileHost,
    private readonly deps: EngineDeps = defaultEngineDeps,
  ) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  private readonly ctx: SessionContext = {
    engine: () => {
      if (!this.engine || this.engine.state === 'unloaded') throw new Error('no scenario is loaded (launch first)');
      return this.engine;
    },
    vars: () => {
      if (!this.store) throw new Error('no scenario is loaded (launch first)');
      return this.store;
    },
    sendEvent: (e) => this.sendEvent(e),
    afterEdit: () => {
      this.engine?.afterEdit();
      this.sendEvent(new InvalidatedEvent(['variables']));
      this.sendSnapshot();
    },
  };

  // ---- every request goes through here, so that no handler can take the adapter down -----------

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (typeof request !== 'object' || request === null || typeof request.command !== 'string') return;
    if (this.snapshotTimer && request.command !== SNAPSHOT_REQUEST) this.sendSnapshot();
    if (request.arguments !== undefined && (typeof request.arguments !== 'object' || request.arguments === null)) {
      const response = { type: 'response', request_seq: request.seq, seq: 0, command: request.command, success: false } as DebugProtocol.Response;
      this.sendErrorResponse(response, 1001, `malformed arguments for ${request.command}`);
      return;
    }
    super.dispatchRequest(request);
  }

  private answer<R extends DebugProtocol.Response>(response: R, work: () => R['body'] | Promise<R['body']>): void {
    Promise.resolve()
      .then(work)
      .then((body) => {
        if (body !== undefined) response.body = body;
        this.sendResponse(response);
      })
      .catch((e: unknown) => this.sendErrorResponse(response, 1000, (e instanceof Error ? e.message : String(e)).replace(/[{}]/g, '')));
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = capabilities();
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: MdlLaunchArguments): void {
    this.answer(response, async () => {
      if (this.engine) throw new Error('a scenario is already running in this session');
      const program = requireString(args?.program, 'program');
      this.launchArgs = args;
      this.noDebug = args.noDebug === true;
      await this.loadEngine(program, args);
      // Breakpoints come after this: they are verified against the compiled statements.
      this.sendEvent(new InitializedEvent());
      if (this.configured) this.startRun();
      return undefined;
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured = true;
    this.sendResponse(response);
    if (this.engine?.state === 'ready') this.startRun();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.answer(response, async () => {
      const launch = ((args?.arguments as MdlLaunchArguments | undefined) ?? this.launchArgs);
      if (!launch) throw new Error('nothing to restart: no scenario was launched');
      const old = this.engine;
      this.engine = null;
      if (old && old.state !== 'ended') await old.terminate().catch(() => undefined);
      this.launchArgs = launch;
      await this.loadEngine(requireString(launch.program, 'program'), launch);
      this.startRun();
      return undefined;
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.answer(response, async () => {
      if (this.engine && this.engine.state !== 'ended') await this.engine.terminate();
      else this.sendEvent(new TerminatedEvent());
      return undefined;
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    const engine = this.engine;
    this.engine = null;
    if (engine && engine.state !== 'ended') void engine.terminate().catch(() => undefined);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.sendResponse(response);
    // Standalone: the process exits shortly after; inline in VS Code this does nothing.
    this.shutdown();
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [{ id: THREAD_ID, name: 'scenario thread (LabMain)' }] };
    this.sendResponse(response);
  }

  private async loadEngine(program: string, args: MdlLaunchArguments): Promise<void> {
    const options = {
      stopOnEntry: args.stopOnEntry === true && !args.noDebug,
      entry: typeof args.entry === 'string' && args.entry ? args.entry : 'LabMain',
      physicalMemory: args.physicalMemory !== undefined ? parsePhysicalMemory(args.physicalMemory) : undefined,
      verifier: args.verifier !== undefined ? parseSwitch('verifier', args.verifier) : undefined,
      maxSteps: typeof args.maxSteps === 'number' && args.maxSteps > 0 ? Math.floor(args.maxSteps) : 0,
      timeoutMs: typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout * 1000 : 0,
      checkpointInterval: args.noDebug ? 0 : undefined,
    };
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const engine = new DebugEngine(this.deps, this.fileHost, this.noDebug ? new BreakpointTable() : this.breakpoints);
    engine.filters = this.noDebug ? { bugcheck: false, sehUnhandled: false, verifier: false } : this.filters;
    const loaded = await engine.load(program, defined);
    if (!loaded.ok) {
      this.sendEvent(new OutputEvent(loaded.message + '\n', 'stderr'));
      throw new Error(loaded.message);
    }
    this.engine = engine;
    this.store = new VariableStore(engine);
    this.started = false;
    engine.on('stopped', (s) => this.onStopped(engine, s));
    engine.on('ended', (r) => this.onEnded(engine, r));
    engine.on('output', (o) => this.onOutput(engine, o));
    for (const [path, statuses] of engine.rebound) {
      for (const s of statuses) this.sendEvent(new BreakpointEvent('changed', { id: s.id, verified: s.verified, line: s.line, message: s.message, source: { path } }));
    }
  }

  private startRun(): void {
    const engine = this.engine;
    if (!engine || this.started || engine.state !== 'ready') return;
    this.started = true;
    engine.start().catch((e: Error) => this.sendEvent(new OutputEvent(`internal error: ${e.message}\n`, 'stderr')));
  }

  // ---- engine → DAP events ----------------------------------------------------------------------

  private onStopped(engine: DebugEngine, stop: StopEvent): void {
    if (engine !== this.engine) return;
    if (this.noDebug) {
      engine.continue().catch(() => undefined);
      return;
    }
    this.store?.reset();
    const e = new StoppedEvent(stop.reason, THREAD_ID, stop.reason === 'exception' ? stop.description : undefined) as DebugProtocol.StoppedEvent;
    e.body.description = stop.description;
    if (stop.breakpointIds.length) e.body.hitBreakpointIds = stop.breakpointIds;
    e.body.allThreadsStopped = true;
    if (stop.bugcheck) this.sendEvent(new OutputEvent(`\n${bugCheckLine(stop.bugcheck)}\n${stop.bugcheck.explanation}\n`, 'important'));
    this.sendEvent(e);
    this.sendSnapshot();
  }

  /**
   * The snapshot follows each stop once the client has gone quiet: building it for thousands of
   * MDLs takes a while, and while a user holds F10 only the stop they end on is worth drawing.
   */
  private snapshotTimer: ReturnType<typeof setTimeout> | null = null;
  private sendSnapshot(): void {
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    const engine = this.engine;
    const stop = engine?.currentStop;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      if (!engine || engine !== this.engine || engine.state !== 'stopped' || engine.currentStop !== stop) return;
      try {
        this.sendEvent(new Event(SNAPSHOT_EVENT, engine.snapshot()));
      } catch (e) {
        this.sendEvent(new OutputEvent(`snapshot failed: ${(e as Error).message}\n`, 'stderr'));
      }
    }, SNAPSHOT_QUIET_MS);
  }

  /** Ends the run and timers (process signals, VS Code disposing the inline adapter). */
  override dispose(): void {
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    const engine = this.engine;
    this.engine = null;
    if (engine && engine.state !== 'ended') void engine.terminate().catch(() => undefined);
    super.dispose();
  }

  private onEnded(engine: DebugEngine, r: RunResult): void {
    if (engine !== this.engine) return;
    const lines: string[] = [];
    if (r.bugcheck) lines.push(bugCheckLine(r.bugcheck), r.bugcheck.explanation, ...formatFrames(r.frames ?? []));
    for (const f of r.expectFailures) lines.push(`EXPECT FAILED ${f.file}:${f.line}: ${f.what}`);
    if (r.message) lines.push(r.message);
    lines.push(`The scenario ${r.kind === 'ended' ? 'ended' : r.kind === 'terminated' ? 'was terminated' : `ended (${r.kind})`} after ${r.steps} statements.`);
    this.sendEvent(new OutputEvent(lines.join('\n') + '\n', r.exitCode === 0 ? 'console' : 'important'));
    this.sendEvent(new ExitedEvent(r.exitCode));
    this.sendEvent(new TerminatedEvent());
  }

  private onOutput(engine: DebugEngine, o: EngineOutput): void {
    if (engine !== this.engine) return;
    const category = o.kind === 'dbgprint' ? 'stdout' : o.kind === 'expect-fail' || o.kind === 'verifier' || o.kind === 'error' ? 'stderr' : 'console';
    const text = o.text.endsWith('\n') ? o.text : o.text + '\n';
    const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
    if (o.location) {
      e.body.source = { name: o.location.file.split('/').pop(), path: o.location.file };
      e.body.line = o.location.line;
      e.body.column = o.location.col;
    }
    this.sendEvent(e);
  }

  // ---- requests delegated by concern ----------------------------------------------------------

  protected override setBreakPointsRequest(r: DebugProtocol.SetBreakpointsResponse, a: DebugProtocol.SetBreakpointsArguments): void {
    this.answer(r, () => bp.setBreakpoints(this.breakpoints, this.engine, a));
  }
  protected override setFunctionBreakPointsRequest(r: DebugProtocol.SetFunctionBreakpointsResponse, a: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.answer(r, () => bp.setFunctionBreakpoints(this.breakpoints, this.engine, a));
  }
  protected override setExceptionBreakPointsRequest(r: DebugProtocol.SetExceptionBreakpointsResponse, a: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.answer(r, () => bp.setExceptionFilters(this.filters, a));
  }
  protected override dataBreakpointInfoRequest(r: DebugProtocol.DataBreakpointInfoResponse, a: DebugProtocol.DataBreakpointInfoArguments): void {
    this.answer(r, () => bp.dataBreakpointInfo(this.ctx, a));
  }
  protected override setDataBreakpointsRequest(r: DebugProtocol.SetDataBreakpointsResponse, a: DebugProtocol.SetDataBreakpointsArguments): void {
    this.answer(r, () => bp.setDataBreakpoints(this.breakpoints, this.engine, a));
  }
  protected override breakpointLocationsRequest(r: DebugProtocol.BreakpointLocationsResponse, a: DebugProtocol.BreakpointLocationsArguments): void {
    this.answer(r, () => bp.breakpointLocations(this.engine, a));
  }

  /** The response goes out before the motion starts, so that it precedes the `stopped` event. */
  private motion(r: DebugProtocol.Response, command: ExecutionCommand): void {
    try {
      const engine = this.ctx.engine();
      checkMotion(engine, command);
      if (command === 'continue') r.body = { allThreadsContinued: true };
      this.sendResponse(r);
      startMotion(engine, command, (e) => this.sendEvent(new OutputEvent(`${command} failed: ${e.message}\n`, 'stderr')));
    } catch (e) {
      this.sendErrorResponse(r, 1000, (e as Error).message.replace(/[{}]/g, ''));
    }
  }
  protected override continueRequest(r: DebugProtocol.ContinueResponse): void {
    this.motion(r, 'continue');
  }
  protected override nextRequest(r: DebugProtocol.NextResponse): void {
    this.motion(r, 'next');
  }
  protected override stepInRequest(r: DebugProtocol.StepInResponse): void {
    this.motion(r, 'stepIn');
  }
  protected override stepOutRequest(r: DebugProtocol.StepOutResponse): void {
    this.motion(r, 'stepOut');
  }
  protected override stepBackRequest(r: DebugProtocol.StepBackResponse): void {
    this.motion(r, 'stepBack');
  }
  protected override reverseContinueRequest(r: DebugProtocol.ReverseContinueResponse): void {
    this.motion(r, 'reverseContinue');
  }
  protected override pauseRequest(r: DebugProtocol.PauseResponse): void {
    this.answer(r, () => {
      this.ctx.engine().pause();
      return undefined;
    });
  }

  protected override stackTraceRequest(r: DebugProtocol.StackTraceResponse, a: DebugProtocol.StackTraceArguments): void {
    this.answer(r, () => (this.hasEnded() ? { stackFrames: [], totalFrames: 0 } : inspect.stackTrace(this.stoppedCtx(), a)));
  }
  protected override scopesRequest(r: DebugProtocol.ScopesResponse, a: DebugProtocol.ScopesArguments): void {
    this.answer(r, () => (this.hasEnded() ? { scopes: [] } : inspect.scopes(this.stoppedCtx(), a)));
  }
  protected override variablesRequest(r: DebugProtocol.VariablesResponse, a: DebugProtocol.VariablesArguments): void {
    this.answer(r, () => (this.hasEnded() ? { variables: [] } : inspect.variables(this.stoppedCtx(), a)));
  }
  protected override setVariableRequest(r: DebugProtocol.SetVariableResponse, a: DebugProtocol.SetVariableArguments): void {
    this.answer(r, () => inspect.setVariable(this.stoppedCtx(), a));
  }
  protected override setExpressionRequest(r: DebugProtocol.SetExpressionResponse, a: DebugProtocol.SetExpressionArguments): void {
    this.answer(r, () => inspect.setExpression(this.stoppedCtx(), a));
  }
  protected override evaluateRequest(r: DebugProtocol.EvaluateResponse, a: DebugProtocol.EvaluateArguments): void {
    this.answer(r, () => inspect.evaluate(this.stoppedCtx(), a));
  }
  protected override completionsRequest(r: DebugProtocol.CompletionsResponse, a: DebugProtocol.CompletionsArguments): void {
    this.answer(r, () => (this.hasEnded() ? { targets: [] } : inspect.completions(this.stoppedCtx(), a)));
  }
  protected override exceptionInfoRequest(r: DebugProtocol.ExceptionInfoResponse, a: DebugProtocol.ExceptionInfoArguments): void {
    this.answer(r, () => {
      const engine = this.ctx.engine();
      return engine.state === 'ended' || engine.state === 'running' ? inspect.exceptionInfoOutsideStop(engine) : inspect.exceptionInfo(this.stoppedCtx(), a);
    });
  }
  protected override readMemoryRequest(r: DebugProtocol.ReadMemoryResponse, a: DebugProtocol.ReadMemoryArguments): void {
    this.answer(r, () => memory.readMemory(this.stoppedCtx(), a));
  }
  protected override writeMemoryRequest(r: DebugProtocol.WriteMemoryResponse, a: DebugProtocol.WriteMemoryArguments): void {
    this.answer(r, () => memory.writeMemory(this.stoppedCtx(), a));
  }

  protected override customRequest(command: string, r: DebugProtocol.Response, args: unknown): void {
    switch (command) {
      case SNAPSHOT_REQUEST:
        return this.answer(r, () => ({ snapshot: this.engine?.state === 'stopped' ? this.engine.snapshot() : null }));
      case GOTO_STEP_REQUEST:
        return this.answer(r, () => {
          const step = (args as { step?: unknown })?.step;
          if (typeof step !== 'number') throw new Error('mdlGotoStep needs a numeric step');
          const engine = this.stoppedCtx().engine();
          engine.gotoStep(step).catch((e: Error) => this.sendEvent(new OutputEvent(`goto step failed: ${e.message}\n`, 'stderr')));
          return undefined;
        });
      case PHYSICAL_MAP_REQUEST:
        return this.answer(r, () => memory.physicalMap(this.stoppedCtx()));
      case PAGE_TABLES_REQUEST:
        return this.answer(r, () => this.stoppedCtx().engine().pageTables((args ?? {}) as PageTablesArguments));
      default:
        this.sendErrorResponse(r, 1014, `unrecognized request: ${command.replace(/[{}]/g, '')}`);
    }
  }

  /**
   * Views the workbench refreshes on its own (call stack, variables, exception widget, completions)
   * may still ask just after the run ended: they get an empty or last-known answer, not an error
   * the user sees. Requests the user typed (evaluate, memory) still say that the run has ended.
   */
  private hasEnded(): boolean {
    return this.engine?.state === 'ended';
  }

  /** Inspection needs a stopped scenario: running or ended runs have no consistent state to show. */
  private stoppedCtx(): SessionContext {
    const engine = this.ctx.engine();
    if (engine.state === 'running') throw new Error('the scenario is running; pause it first');
    if (engine.state === 'ended') throw new Error('the run has ended');
    return this.ctx;
  }
}
