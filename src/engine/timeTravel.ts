// Moving backwards: restore the nearest checkpoint and replay silently to a target statement, and
// search the past interval by interval (latest first) for the last statement satisfying a test.
import type { EngineKernel } from '../emulator/contract';
import type { Machine, RunOutcome } from '../lang/contract';
import { yieldToEventLoop } from './scheduler';
import type { Timeline } from './timeline';

/** A predicate evaluated before each replayed statement; made afresh per interval (it may keep state). */
export type PastTest = () => (m: Machine) => boolean;

const REPLAY_CHUNK = 1 << 16;
/** Statements replayed between yields to the event loop, so that requests (terminate) get in. */
const YIELD_EVERY = 8 * REPLAY_CHUNK;

/** A long search or replay given up because the run is being terminated. */
export class TravelAbandoned extends Error {
  constructor() {
    super('time travel was abandoned: the run is being terminated');
    this.name = 'TravelAbandoned';
  }
}

export class TimeTravel {
  /** The step the last goTo() reached cleanly; null once anything else moved the machine. */
  arrivedAt: number | null = null;
  /** Statements re-executed by time travel so far (benchmarks report it: it does not depend on host load). */
  replayed = 0;
  private sinceYield = 0;

  constructor(
    private readonly machine: Machine,
    private readonly kernel: EngineKernel,
    private readonly timeline: Timeline,
    private readonly setReplaying: (on: boolean) => void,
    /** Polled between replay chunks: true once the run is being terminated. */
    private readonly abandoned: () => boolean = () => false,
  ) {}

  /** The latest statement counter s < from at which `test` holds, or null when none does. */
  async searchBack(from: number, test: PastTest): Promise<number | null> {
    this.arrivedAt = null;
    let end = from;
    for (let idx = this.timeline.indexAtOrBefore(from - 1); idx >= 0; idx--) {
      const start = this.timeline.stepsAt(idx);
      this.timeline.restore(idx, this.machine, this.kernel);
      const pred = test();
      let found = -1;
      const limit = end;
      await this.replay(limit, (m) => {
        if (m.steps >= limit) return true;
        if (pred(m)) found = m.steps;
        return false;
      });
      // The later interval judged its first statement without knowing the one before it (a watched
      // value's change shows only in comparison): judge it again here, where that is known.
      if (found < 0 && limit < from && this.machine.steps === limit && pred(this.machine)) found = limit;
      if (found >= 0) return found;
      end = start;
    }
    return null;
  }

  /** Goes to `step` and tells whether `test` holds there (the machine is left at `step`). */
  async holdsAt(step: number, test: (m: Machine) => boolean): Promise<boolean> {
    const out = await this.goTo(step);
    return out === null && this.machine.steps === step && test(this.machine);
  }

  /** Restores and replays to exactly `step` (or to where the run ended or bug-checked before it). */
  async goTo(step: number): Promise<RunOutcome | null> {
    const idx = this.timeline.indexAtOrBefore(step);
    if (idx < 0) throw new Error('no checkpoint at or before the target step');
    this.timeline.restore(idx, this.machine, this.kernel);
    const out = await this.replay(step, (m) => m.steps >= step);
    this.arrivedAt = out === null && this.machine.steps === step ? step : null;
    return out;
  }

  /**
   * Replays the recorded past from the start of the run to `end`, interval by interval (each from
   * its own checkpoint, so edits recorded there count), calling `observe` before every statement and
   * `onCall` before every call. The machine is left at `end`.
   */
  async scanForward(end: number, observe: (m: Machine) => void, onCall?: (name: string, native: boolean) => boolean | void): Promise<RunOutcome | null> {
    this.arrivedAt = null;
    const last = this.timeline.indexAtOrBefore(Math.max(0, end - 1));
    for (let idx = 0; idx <= last; idx++) {
      const limit = idx < last ? Math.min(end, this.timeline.stepsAt(idx + 1)) : end;
      this.timeline.restore(idx, this.machine, this.kernel);
      const out = await this.replay(
        limit,
        (m) => {
          if (m.steps >= limit) return true;
          observe(m);
          return false;
        },
        onCall,
      );
      if (out !== null) return out;
    }
    return null;
  }

  /**
   * From a clean statement start, runs into that statement until just before its call of the
   * emulated routine `name` (where a forward run stops on a function breakpoint). False when the
   * statement makes no such call.
   */
  stopBeforeCall(name: string): boolean {
    const m = this.machine;
    const savedOnCall = m.onCall;
    let reached = false;
    m.onCall = (called, native) => (reached = native && called === name);
    this.setReplaying(true);
    try {
      const out = m.run(1, () => false);
      this.arrivedAt = null;
      return reached && out.kind === 'stopped';
    } finally {
      this.setReplaying(false);
      m.onCall = savedOnCall;
    }
  }

  private async replay(target: number, check: (m: Machine) => boolean, onCall?: (name: string, native: boolean) => boolean | void): Promise<RunOutcome | null> {
    const m = this.machine;
    const savedOnCall = m.onCall;
    m.onCall = onCall;
    this.setReplaying(true);
    try {
      while (m.steps < target) {
        const before = m.steps;
        const out = m.run(Math.min(REPLAY_CHUNK, target - m.steps), check);
        this.replayed += m.steps - before;
        if (out.kind === 'stopped') return null;
        if (out.kind === 'exited' || out.kind === 'bugcheck' || out.kind === 'unhandled-exception') return out;
        // Counted across replays: a search over many short intervals must also let requests in.
        this.sinceYield += m.steps - before;
        if (this.sinceYield >= YIELD_EVERY) {
          this.sinceYield = 0;
          await yieldToEventLoop();
          if (this.abandoned()) throw new TravelAbandoned();
        }
      }
      return null;
    } finally {
      this.setReplaying(false);
      m.onCall = savedOnCall;
    }
  }
}
