// The per-statement test that decides whether a forward run stops: pause, breakpoints of every kind,
// and the step modes (in, over, out, to a step). Kept tight: it runs before every statement.
import type { Machine, StopCheck } from '../lang/contract';
import type { EngineKernel } from '../emulator/contract';
import type { BreakpointTable } from './breakpoints';
import type { StopKind } from './events';

export type RunMode =
  | { kind: 'continue'; fromStart?: boolean }
  | { kind: 'stepIn' }
  | { kind: 'stepOver' }
  | { kind: 'stepOut' }
  | { kind: 'toStep'; step: number };

/** Why the check said stop, filled in by the check and read by the engine. */
export interface PendingStop {
  kind: StopKind;
  ids: number[];
  description?: string;
  text?: string;
}

export interface CheckContext {
  machine: Machine;
  kernel: EngineKernel;
  breakpoints: BreakpointTable;
  /** Read on every statement: set asynchronously by pause(). */
  isPauseRequested(): boolean;
  /** A Driver Verifier report or a first-chance SEH exception waiting to become a stop (null when none or its filter is off). */
  takeReport(): PendingStop | null;
  /** Whether any function breakpoint names this C function. */
  hasFunctionBreakpoints(): boolean;
  setPending(stop: PendingStop): void;
  log(text: string): void;
}

export function makeStopCheck(ctx: CheckContext, mode: RunMode): StopCheck {
  const m = ctx.machine;
  const bps = ctx.breakpoints;
  const startSteps = m.steps;
  const startDepth = m.depth();
  const start = m.location();
  // At the very start nothing has been shown yet: a breakpoint on the first statement counts.
  const fromStart = mode.kind === 'continue' && mode.fromStart === true;
  let prevFile = fromStart ? undefined : start?.file;
  let prevLine = fromStart ? -1 : start?.line ?? -1;
  let prevCol = start?.col ?? 0;
  let prevDepth = startDepth;

  return (mm) => {
    if (ctx.isPauseRequested()) {
      ctx.setPending({ kind: 'pause', ids: [] });
      return true;
    }
    const report = ctx.takeReport();
    if (report !== null) {
      ctx.setPending(report);
      return true;
    }
    const steps = mm.steps;
    if (mode.kind === 'toStep') {
      if (steps >= mode.step) {
        ctx.setPending({ kind: 'goto', ids: [] });
        return true;
      }
      return false;
    }
    if (steps === startSteps && !fromStart) return false;
    const loc = mm.location();
    if (!loc) return false;
    const depth = mm.depth();
    const newLine = loc.line !== prevLine || loc.file !== prevFile || depth !== prevDepth || loc.col <= prevCol;
    const entered = depth > prevDepth;
    prevFile = loc.file;
    prevLine = loc.line;
    prevCol = loc.col;
    prevDepth = depth;

    if (entered && ctx.hasFunctionBreakpoints()) {
      const fn = mm.currentFunction();
      if (fn && bps.hasFunction(fn)) {
        const v = bps.checkFunction(mm, fn);
        if (v.stop) {
          ctx.setPending({ kind: 'function breakpoint', ids: v.ids, description: `Paused on function breakpoint ${fn}` });
          return true;
        }
      }
    }
    if (newLine && bps.hasLine(loc.file, loc.line)) {
      const v = bps.checkLine(mm, loc.file, loc.line);
      for (const text of v.logs) ctx.log(text);
      if (v.errors.length) {
        ctx.setPending({ kind: 'breakpoint', ids: v.ids, description: 'Breakpoint condition error', text: v.errors.join('\n') });
        return true;
      }
      if (v.stop) {
        ctx.setPending({ kind: 'breakpoint', ids: v.ids });
        return true;
      }
    }
    if (bps.hasData) {
      const { verdict, labels } = bps.checkData(mm, ctx.kernel);
      if (verdict.stop) {
        ctx.setPending({ kind: 'data breakpoint', ids: verdict.ids, description: `Paused on data breakpoint: ${labels.join(', ')} changed` });
        return true;
      }
    }
    switch (mode.kind) {
      case 'stepIn':
        if (newLine) break;
        return false;
      case 'stepOver':
        if (depth < startDepth) break;
        if (depth === startDepth && (!start || loc.line !== start.line || loc.file !== start.file || loc.col <= start.col)) break;
        return false;
      case 'stepOut':
        if (depth < startDepth) break;
        return false;
      default:
        return false;
    }
    ctx.setPending({ kind: 'step', ids: [] });
    return true;
  };
}

/**
 * The cheapest check, when nothing but pause and verifier reports can stop a run. A pause request
 * arrives between run slices and a report with an emulated routine or an exception, so the check is
 * `sparse`: the machine asks it only after those.
 */
export function makePauseOnlyCheck(ctx: CheckContext): StopCheck {
  const check = (): boolean => {
    if (ctx.isPauseRequested()) {
      ctx.setPending({ kind: 'pause', ids: [] });
      return true;
    }
    const report = ctx.takeReport();
    if (report !== null) {
      ctx.setPending(report);
      return true;
    }
    return false;
  };
  return Object.assign(check, { sparse: true });
}

/** Where a run stopped before a call (function breakpoint): not a clean place for a checkpoint. */
export interface MidCall {
  steps: number;
  name: string;
  native: boolean;
}

/**
 * The machine's call hook for a forward run: function breakpoints on emulated routines stop before
 * the call (they have no statement of their own); C functions stop at their first statement, which
 * the stop check sees. `resume` is the call a previous stop was made before, performed this time.
 */
export function makeCallHook(m: Machine, bps: BreakpointTable, resume: MidCall | null, replaying: () => boolean, stopBefore: (call: MidCall, stop: PendingStop) => void): (name: string, native: boolean) => boolean {
  return (name, native) => {
    if (replaying()) return false;
    if (resume && m.steps === resume.steps && name === resume.name) return false;
    if (!native || !bps.hasFunction(name)) return false;
    const v = bps.checkFunction(m, name);
    if (!v.stop) return false;
    stopBefore({ steps: m.steps, name, native }, { kind: 'function breakpoint', ids: v.ids, description: `Paused on function breakpoint nt!${name}` });
    return true;
  };
}
