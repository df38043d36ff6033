// Frames of the interpreter's explicit stack: fresh ones, and where a callee's goes below its caller's.
import type { Frame } from './codegen';
import type { CompiledFunction } from './lower';

/** Shared by frames that never enter a __try (most), so a call allocates no arrays for SEH. */
export const NO_TRIES: number[] = Object.freeze([] as number[]) as number[];
/**
 * Fresh slot arrays for a frame. Array literals are far cheaper than slice(); -0 makes them
 * double-element arrays from the start, so pointers and ULONGs above 2^31 are stored unboxed.
 */
export function makeSlots(n: number): number[] {
  switch (n) {
    case 0: return [];
    case 1: return [-0];
    case 2: return [-0, -0];
    case 3: return [-0, -0, -0];
    case 4: return [-0, -0, -0, -0];
    case 5: return [-0, -0, -0, -0, -0];
    case 6: return [-0, -0, -0, -0, -0, -0];
    case 7: return [-0, -0, -0, -0, -0, -0, -0];
    case 8: return [-0, -0, -0, -0, -0, -0, -0, -0];
    default: {
      const s = [-0, -0, -0, -0, -0, -0, -0, -0];
      for (let i = 8; i < n; i++) s.push(-0);
      return s;
    }
  }
}
export const NO_FIN: Frame['fin'] = Object.freeze([]) as unknown as Frame['fin'];

/** A fresh frame for `cf` at `bp`, every slot 0. */
export function newFrame(cf: CompiledFunction, bp: number): Frame {
  return { fn: cf.index, pc: 0, s: makeSlots(cf.nslots), bp, tries: NO_TRIES, fin: NO_FIN, exc: 0, native: undefined, req: undefined };
}

/**
 * Where a call of `cf` from a frame at `callerBp` puts its frame (`extra` variadic 8-byte arguments
 * below the caller's): x64 keeps every frame 16-byte aligned; a __declspec(align(N)) local needs its
 * frame base N-aligned.
 */
export function calleeBase(cf: CompiledFunction, callerBp: number, extra = 0): number {
  return alignDown(callerBp - cf.frameSize - extra * 8, cf.frameAlign ?? 16);
}

function alignDown(a: number, n: number): number {
  // n is a power of two: the low bits of a (two's complement, also for negative kernel addresses) say it all
  const low = a & (n - 1);
  return low === 0 ? a : a - low;
}

