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
