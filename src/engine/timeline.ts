// Time-travel checkpoints: the interpreter's and the kernel's state every K statements, so any
// earlier statement is reached by restoring the nearest checkpoint and replaying deterministically.
import type { Machine } from '../lang/contract';
import type { EngineKernel } from '../emulator/contract';
import { now } from './scheduler';

interface Checkpoint {
  steps: number;
  machine: unknown;
  kernel: unknown;
}

/** Past this many checkpoints every other one is dropped and the interval doubles, bounding memory. */
const MAX_CHECKPOINTS = 1024;
const MIN_INTERVAL = 256;
const MAX_INTERVAL = 1 << 20;
/** Milliseconds of execution between checkpoints (a checkpoint costs about 1–2 ms of kernel copying). */
const CHECKPOINT_EVERY_MS = 4;

export class Timeline {
  private checkpoints: Checkpoint[] = [];
  private interval: number;

  /** Floor raised by thinning, so that memory stays bounded however long the run. */
  private floor: number;

  constructor(interval: number) {
    this.interval = interval;
    this.floor = Math.min(interval, MIN_INTERVAL);
  }

  /**
   * Spaces checkpoints by running time rather than by a fixed count: a step back replays at most
   * about two intervals, so this keeps it fast on a slow host and cheap on a fast one.
   */
  setPace(stepsPerMs: number): void {
    if (!this.enabled || !(stepsPerMs > 0)) return;
    // A checkpoint of a big kernel (thousands of MDLs) costs more: space them so that recording
    // stays under about half the running time (step back latency is the goal that matters).
    const everyMs = Math.max(CHECKPOINT_EVERY_MS, 2 * this.lastCostMs);
    this.pace = this.pace === 0 ? stepsPerMs : 0.8 * this.pace + 0.2 * stepsPerMs;
    this.interval = Math.max(this.floor, Math.min(MAX_INTERVAL, Math.round(this.pace * everyMs)));
  }

  /** Statements per millisecond, smoothed. */
  private pace = 0;

  /** Milliseconds a checkpoint takes, smoothed so that one descheduled moment does not spread them out. */
  private lastCostMs = 0;

  get enabled(): boolean {
    return this.interval > 0;
  }

  get count(): number {
    return this.checkpoints.length;
  }

  get last(): number {
    return this.checkpoints.length ? this.checkpoints[this.checkpoints.length - 1].steps : -1;
  }

  /** The statement count at which the next checkpoint is due (Infinity when time travel is off). */
  nextDue(): number {
    if (!this.enabled) return Infinity;
    return this.checkpoints.length ? this.last + this.interval : 0;
  }

  record(machine: Machine, kernel: EngineKernel): void {
    if (!this.enabled) return;
    const steps = machine.steps;
    // Replacing a checkpoint at the same step keeps edits made there (setVariable, writeMemory).
    while (this.checkpoints.length && this.last >= steps) this.checkpoints.pop();
    const t0 = now();
    this.checkpoints.push({ steps, machine: machine.saveState(), kernel: kernel.checkpoint() });
    const cost = now() - t0;
    this.lastCostMs = this.checkpoints.length <= 1 ? cost : 0.8 * this.lastCostMs + 0.2 * cost;
    if (this.checkpoints.length > MAX_CHECKPOINTS) {
      this.checkpoints = this.checkpoints.filter((_, i) => i % 2 === 0 || i === this.checkpoints.length - 1);
      this.interval *= 2;
      this.floor = this.interval;
    }
  }

  /** Forget the future after an edit: it no longer follows from the past. */
  truncateAfter(steps: number): void {
    while (this.checkpoints.length && this.last > steps) this.checkpoints.pop();
  }

  /** Index of the latest checkpoint at or before `steps`, or -1. */
  indexAtOrBefore(steps: number): number {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.checkpoints[mid].steps <= steps) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  stepsAt(index: number): number {
    return this.checkpoints[index].steps;
  }

  restore(index: number, machine: Machine, kernel: EngineKernel): void {
    const cp = this.checkpoints[index];
    kernel.restore(cp.kernel);
    machine.restoreState(cp.machine);
  }
}
