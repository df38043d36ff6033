// Yielding to the host's event loop between slices of guest execution, so that pause, terminate
// and other requests are handled while a scenario runs — in Node and in browser workers alike.

type Resume = () => void;

function makeYield(): () => Promise<void> {
  const g = globalThis as { setImmediate?: (cb: Resume) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') {
    const si = g.setImmediate;
    return () => new Promise<void>((r) => void si(r));
  }
  if (typeof g.MessageChannel === 'function') {
    // setTimeout(0) is clamped to 4 ms in browsers after a few nestings; a message port is not.
    const channel = new g.MessageChannel();
    const waiting: Resume[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((r) => {
        waiting.push(r);
        channel.port2.postMessage(0);
      });
  }
  return () => new Promise<void>((r) => setTimeout(r, 0));
}

export const yieldToEventLoop = makeYield();

/** Milliseconds from an arbitrary origin, for slice sizing and timeouts (never for guest-visible state). */
export function now(): number {
  const p = (globalThis as { performance?: { now(): number } }).performance;
  return p ? p.now() : Date.now();
}

/** A slice stays under this many milliseconds so pause and terminate land within 100 ms. */
export const SLICE_MS = 5;

/**
 * Sizes slices of guest execution by how long they take, counts running time (for --timeout) and
 * yields to the event loop between slices.
 */
export class SliceClock {
  budget = 1000;
  runningMs = 0;
  private lastYield = now();

  /** Records how long a slice took and adapts the next budget. */
  ran(ms: number): void {
    this.runningMs += ms;
    if (ms < SLICE_MS / 4 && this.budget < 1 << 20) this.budget *= 2;
    else if (ms > SLICE_MS && this.budget > 16) this.budget >>= 1;
  }

  /** Yields when a slice's worth of time has passed since the last yield. */
  async breathe(): Promise<void> {
    if (now() - this.lastYield > SLICE_MS) {
      await yieldToEventLoop();
      this.lastYield = now();
    }
  }
}
