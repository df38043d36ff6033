// An MDL's PFN array read and written in place in guest memory, a page of slots at a time, as
// runs of consecutive frames: the big-MDL paths (lock, map, unlock) then work a run at a time on
// the PFN columns instead of page by page, and never copy the array.
import type { Kernel } from './kernel';
import { MDL as L } from './layouts';

/** Store the PFN array from a host array (MmAllocatePagesForMdlEx). */
export function writePfnArray(k: Kernel, mdl: number, pfns: Float64Array): void {
  k.memory.writeQwords(mdl + L.PfnArray, pfns);
}

export function readPfnArray(k: Kernel, mdl: number, count: number): Float64Array {
  return k.memory.readQwords(mdl + L.PfnArray, count);
}

let scratch = new Float64Array(1024);

/**
 * The PFN array read into a buffer reused between calls (no garbage for big MDLs). Only for
 * callers that finish with it before anything else can read a PFN array.
 */
export function readPfnArrayScratch(k: Kernel, mdl: number, count: number): Float64Array {
  if (scratch.length < count) scratch = new Float64Array(Math.max(count, scratch.length * 2));
  return k.memory.readQwords(mdl + L.PfnArray, count, scratch.subarray(0, count));
}

/**
 * The page of 64-bit slots holding va as little-endian 32-bit words (the whole frame: slot va is
 * at word (va & 0xfff) >> 2), or null when va is not 8-aligned. The access is translated as any
 * guest access is (faults, the dirty bit for a write, working-set bookkeeping), but not cached in
 * the guest-memory TLB: a big PFN array's pages would only evict each other there. Callers flush
 * that TLB when done (`endSlotAccess`), so its shortcut for the last page it served never skips
 * bookkeeping that these translations displaced.
 */
export function slotPage(k: Kernel, va: number, write: boolean): Uint32Array | null {
  if ((va & 7) !== 0) return null; // exact for kernel (negative) VAs too
  const mm = k.mm;
  return mm.phys.words(Math.floor(mm.translate(va, write) / 4096), write);
}

/** Slots from va to the end of its page, at most `max`. */
export function slotsInPage(va: number, max: number): number {
  return Math.min(max, (4096 - (va & 0xfff)) >> 3);
}

/** After slotPage: the guest-memory TLB starts again from the page tables. */
export function endSlotAccess(k: Kernel): void {
  k.memory.flush();
}

/** A slot's value as readQwords gives it: the all-ones sentinel is -1, other high values signed. */
function slotValue(lo: number, hi: number): number {
  return hi === 0 ? lo : hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
}

/**
 * Reads the first `count` slots at `slotsVa` as runs: after next() returns true, `first` is the
 * value of slot `index` and the run is `m` slots holding first, first + 1, … (m > 1 only for
 * values below 2^31). Slots that are not 8-aligned are read one by one. A reader rather than a
 * callback, so the caller's loops over a run are optimized with the caller.
 *
 * Readers (and SlotWriters) are taken from a pool and given back, never left to the collector: a
 * V8 object layout dies with the last object that has it, and code optimized for it is thrown
 * away then, so a short-lived reader would make every big map after a full GC start unoptimized.
 */
export class PfnRuns {
  first = 0;
  m = 0;
  index = 0;
  private words: Uint32Array | null = null;
  /** Word of slot `base` in words. */
  private wb = 0;
  /** Slot index of the page's first slot, and the next slot to read / the number of slots in the page. */
  private base = 0;
  private j = 0;
  private n = 0;
  private k: Kernel | null = null;
  private slotsVa = 0;
  private count = 0;
  /** Runs the lock recorded for these slots ([first, count] pairs, see lockRuns.ts), read instead of memory. */
  private recorded: Int32Array | null = null;
  private static readonly pool: PfnRuns[] = [];

  /**
   * A reader of the first `count` slots at `slotsVa`; release() it when done. With `recorded`, the
   * runs the lock kept for exactly these slots (lockRunsOf) are handed out instead of reading them.
   */
  static take(k: Kernel, slotsVa: number, count: number, recorded: Int32Array | null = null): PfnRuns {
    const r = PfnRuns.pool.pop() ?? new PfnRuns();
    r.k = k;
    r.slotsVa = slotsVa;
    r.count = count;
    r.first = r.m = r.index = r.base = r.j = r.n = 0;
    r.words = null;
    r.recorded = recorded;
    return r;
  }

  release(): void {
    if (this.k !== null) endSlotAccess(this.k);
    this.k = null;
    this.words = null;
    this.recorded = null;
    PfnRuns.pool.push(this);
  }

  next(): boolean {
    const rec = this.recorded;
    if (rec !== null) {
      // j counts pairs handed out, base the slots they covered
      if (this.j >= rec.length) return false;
      this.first = rec[this.j];
      this.m = rec[this.j + 1];
      this.index = this.base;
      this.base += this.m;
      this.j += 2;
      return true;
    }
    if (this.j >= this.n) {
      const at = this.base + this.n;
      if (at >= this.count) return false;
      this.base = at;
      this.j = 0;
      const k = this.k!;
      const va = this.slotsVa + at * 8;
      this.words = slotPage(k, va, false);
      if (this.words === null) {
        this.n = 1;
        this.j = 1;
        this.first = Number(k.memory.read64(va));
        this.m = 1;
        this.index = at;
        return true;
      }
      this.wb = (va & 0xfff) >> 2;
      this.n = slotsInPage(va, this.count - at);
    }
    const w = this.words!;
    const j = this.j;
    const wj = this.wb + 2 * j;
    const lo = w[wj];
    const hi = w[wj + 1];
    let m = 1;
    if (hi === 0 && lo < 0x7fffffff) {
      // int32 comparisons: a Uint32Array load compared as a double is several times slower
      const lim = this.wb + 2 * this.n;
      let at = wj + 2;
      let next = (lo + 1) | 0;
      while (at < lim && (w[at] | 0) === next && w[at + 1] === 0) {
        at += 2;
        next = (next + 1) | 0;
      }
      m = (at - wj) >> 1;
    }
    this.first = slotValue(lo, hi);
    this.m = m;
    this.index = this.base + j;
    this.j = j + m;
    return true;
  }
}

/**
 * Stores PFNs into an MDL's PFN array in place, a page of slots at a time (as 32-bit word pairs:
 * RAM PFNs stay below 2^32), going slot by slot through guest memory when it is not 8-aligned.
 */
export class SlotWriter {
  private words: Uint32Array | null = null;
  /** Word of the page's first slot in words. */
  private wb = 0;
  private left = 0;
  private pos = 0;
  private done = 0;
  private k: Kernel | null = null;
  private va = 0;
  private count = 0;
  private static readonly pool: SlotWriter[] = [];

  /** A writer of `count` slots from `va` on (pooled, see PfnRuns); release() it when done. */
  static take(k: Kernel, va: number, count: number): SlotWriter {
    const w = SlotWriter.pool.pop() ?? new SlotWriter();
    w.k = k;
    w.va = va;
    w.count = count;
    w.left = w.pos = w.done = 0;
    w.words = null;
    return w;
  }

  release(): void {
    if (this.k !== null) endSlotAccess(this.k);
    this.k = null;
    this.words = null;
    SlotWriter.pool.push(this);
  }

  private next(): void {
    const va = this.va + this.done * 8;
    this.words = slotPage(this.k!, va, true);
    this.wb = (va & 0xfff) >> 2;
    this.left = this.words ? slotsInPage(va, this.count - this.done) : 1;
    this.pos = 0;
  }

  /** Look the slot page up again (a fault may have moved it). */
  refresh(): void {
    this.left = 0;
  }

  one(pfn: number): void {
    if (this.left === 0) this.next();
    if (this.words) {
      this.words[this.wb + 2 * this.pos] = pfn;
      this.words[this.wb + 2 * this.pos + 1] = 0;
    } else this.k!.memory.write64(this.va + this.done * 8, pfn);
    this.pos++;
    this.left--;
    this.done++;
  }

  /**
   * The 32-bit words of the current page of slots (null when the slots are not 8-aligned), for a
   * caller that stores a run itself: `slotsLeft` slots from word `at`, then skip() past what it stored.
   */
  page(): Uint32Array | null {
    if (this.left === 0) this.next();
    return this.words;
  }

  get at(): number {
    return this.wb + 2 * this.pos;
  }

  get slotsLeft(): number {
    return this.left;
  }

  skip(m: number): void {
    this.pos += m;
    this.left -= m;
    this.done += m;
  }

  /** Slots for the m consecutive frames p0, p0 + 1, … */
  run(p0: number, m: number): void {
    let t = 0;
    while (t < m) {
      if (this.left === 0) this.next();
      const w = this.words;
      if (!w) {
        this.one(p0 + t);
        t++;
        continue;
      }
      const c = Math.min(m - t, this.left);
      for (let u = 0, at = this.wb + 2 * this.pos, pf = p0 + t; u < c; u++, at += 2, pf++) {
        w[at] = pf;
        w[at + 1] = 0;
      }
      this.pos += c;
      this.left -= c;
      this.done += c;
      t += c;
    }
  }
}
