// Where backward motions land. Step back: the previous statement at the same or an outer depth.
// Reverse continue: the latest earlier statement at which a forward run would have stopped on a
// breakpoint — line (condition, hit count; a logpoint never stops), function (C or emulated) or data.
import type { EngineKernel } from '../emulator/contract';
import type { Machine, RunOutcome } from '../lang/contract';
import type { BreakpointTable } from './breakpoints';
import type { TravelTarget } from './engineTypes';
import { makeStopCheck } from './stopChecks';
import type { PendingStop } from './stopChecks';
import type { TimeTravel, PastTest } from './timeTravel';

/** Step back from statement `from`: the latest earlier statement at the same or an outer call depth. */
export async function stepBackTarget(travel: TimeTravel, machine: Machine, from: number): Promise<TravelTarget> {
  const depth = machine.depth();
  const pred = (m: Machine) => m.depth() <= depth;
  // Usually the previous statement is the answer: one replay instead of a search and a replay.
  if (from > 0 && (await travel.holdsAt(from - 1, pred))) return { step: from - 1, kind: 'step' };
  const target = await travel.searchBack(from, () => pred);
  return target === null ? { step: 0, kind: 'entry' } : { step: target, kind: 'step' };
}

/** Reverse continue from statement `from`; the hit counts become those at the landing point. */
export async function reverseContinueTarget(travel: TimeTravel, bps: BreakpointTable, machine: Machine, kernel: EngineKernel, from: number, reports: ReplayReports): Promise<TravelTarget> {
  const hit = await searchBreakpointBack(travel, bps, machine, kernel, from, reports);
  if (hit === null) return { step: 0, kind: 'entry' };
  if (hit.hits) bps.setHitCounts(hit.hits);
  return { step: hit.step, kind: hit.stop.kind, stop: hit.stop, nativeCall: hit.nativeCall, hitsCounted: hit.hits !== undefined };
}

/**
 * After a backward motion the hit counts must be those of the new position, or a forward run would
 * count on from the old one. They are counted as reverse continue counts them, by the forward stop
 * check from the start of the run, up to and including the statement at `step` (where the machine is left).
 */
export async function recountHits(travel: TimeTravel, bps: BreakpointTable, machine: Machine, kernel: EngineKernel, step: number): Promise<RunOutcome | null> {
  bps.setHitCounts(new Map());
  const check = makeStopCheck(
    { machine, kernel, breakpoints: bps, isPauseRequested: () => false, takeReport: () => null, hasFunctionBreakpoints: () => bps.hasFunctions, setPending: () => undefined, log: () => undefined },
    { kind: 'continue', fromStart: true },
  );
  let first = true;
  const observe = (m: Machine) => {
    if (first) bps.resyncData(kernel);
    first = false;
    check(m);
  };
  const out = await travel.scanForward(step, observe, (name, native) => {
    if (native && bps.hasFunction(name)) bps.checkFunction(machine, name);
    return false;
  });
  if (out === null && machine.steps === step) observe(machine);
  return out;
}

/**
 * Driver Verifier reports and first-chance exceptions met while replaying (when their exception
 * filter is on): like forwards, reverse continue stops at the statement after one.
 */
export interface ReplayReports {
  watch(on: boolean): void;
  take(): PendingStop | null;
}

/** Where reverse continue lands and why. */
export interface ReverseHit {
  step: number;
  stop: PendingStop;
  /** Set for a function breakpoint on an emulated routine: the stop is inside `step`, just before this call. */
  nativeCall?: string;
  /** Every breakpoint's hit count at the landing point, when they had to be counted. */
  hits?: Map<number, number>;
}

/**
 * Searches the past before statement `from`. Line and data breakpoints are found by searching the
 * latest interval first; hit counts and function breakpoints depend on all that came before, so
 * then the past is replayed from the start with the same test a forward run uses.
 */
export async function searchBreakpointBack(travel: TimeTravel, bps: BreakpointTable, machine: Machine, kernel: EngineKernel, from: number, reports: ReplayReports): Promise<ReverseHit | null> {
  reports.watch(true);
  try {
    if (!bps.hasHitConditions && !bps.hasFunctions) {
      let last: PendingStop | null = null;
      const step = await travel.searchBack(from, pastPredicate(bps, kernel, reports, (p) => (last = p)));
      return step === null || last === null ? null : { step, stop: last };
    }
    return await replayFromStart(travel, bps, machine, kernel, from, reports);
  } finally {
    reports.watch(false);
  }
}

/**
 * The forward stop check's verdict without its history: a line breakpoint (condition passing) at a
 * statement that starts its line, or a watched value that differs from the previous statement's.
 */
function pastPredicate(bps: BreakpointTable, kernel: EngineKernel, reports: ReplayReports, found: (stop: PendingStop) => void): PastTest {
  return () => {
    // A report left over from the later interval's replay belongs to no statement of this one.
    reports.take();
    let prevLine = -1;
    let prevFile = '';
    let prevCol = 0;
    let prevDepth = -1;
    let prevValues: (string | null)[] | null = null;
    return (m) => {
      const report = reports.take();
      if (report !== null) {
        found(report);
        return true;
      }
      const loc = m.location();
      if (!loc) return false;
      const values = bps.hasData ? bps.dataValues(kernel) : null;
      const before = prevValues;
      prevValues = values;
      const depth = m.depth();
      const newLine = loc.line !== prevLine || loc.file !== prevFile || depth !== prevDepth || loc.col <= prevCol;
      prevLine = loc.line;
      prevFile = loc.file;
      prevCol = loc.col;
      prevDepth = depth;
      if (newLine && bps.hasLine(loc.file, loc.line)) {
        const v = bps.checkLine(m, loc.file, loc.line, false);
        if (v.errors.length) {
          found({ kind: 'breakpoint', ids: v.ids, description: 'Breakpoint condition error', text: v.errors.join('\n') });
          return true;
        }
        if (v.stop) {
          found({ kind: 'breakpoint', ids: v.ids });
          return true;
        }
      }
      if (values && before) {
        const { verdict, labels } = bps.changedData(m, before, values);
        if (verdict.stop) {
          found({ kind: 'data breakpoint', ids: verdict.ids, description: `Paused on data breakpoint: ${labels.join(', ')} changed` });
          return true;
        }
      }
      return false;
    };
  };
}

async function replayFromStart(travel: TimeTravel, bps: BreakpointTable, machine: Machine, kernel: EngineKernel, from: number, reports: ReplayReports): Promise<ReverseHit | null> {
  const before = bps.hitCounts();
  // Counted as a fresh run counts them: from zero at the start.
  bps.setHitCounts(new Map());
  let pending: PendingStop | null = null;
  let hit: ReverseHit | null = null;
  let statement = -1;
  const check = makeStopCheck(
    {
      machine,
      kernel,
      breakpoints: bps,
      isPauseRequested: () => false,
      takeReport: () => reports.take(),
      hasFunctionBreakpoints: () => bps.hasFunctions,
      setPending: (p) => (pending = p),
      log: () => undefined,
    },
    { kind: 'continue', fromStart: true },
  );
  try {
    await travel.scanForward(
      from,
      (m) => {
        // A watch compares with the value the previous statement left: at the start there is none.
        if (statement < 0) bps.resyncData(kernel);
        statement = m.steps;
        pending = null;
        // The check's "stop" is only noted: the replay goes on to find the latest one.
        const stopped = check(m);
        const p = pending as PendingStop | null;
        if (stopped && p !== null && p.kind !== 'pause') hit = { step: m.steps, stop: p, hits: bps.hitCounts() };
      },
      (name, native) => {
        if (!native || !bps.hasFunction(name)) return false;
        const v = bps.checkFunction(machine, name);
        if (v.stop) hit = { step: statement, stop: { kind: 'function breakpoint', ids: v.ids, description: `Paused on function breakpoint nt!${name}` }, nativeCall: name, hits: bps.hitCounts() };
        return false;
      },
    );
  } catch (e) {
    bps.setHitCounts(before);
    throw e;
  }
  bps.setHitCounts(new Map());
  return hit;
}
