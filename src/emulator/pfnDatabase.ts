// The PFN database (reference section 3): one entry per physical frame in typed arrays that grow
// with the frames ever handed out, so a 64 GiB machine costs only what a scenario touches.
// Page lists are doubly linked through flink/blink; the never-used frames above the watermark form
// the head of the zeroed list implicitly, so frames are handed out in ascending order and a page
// that is paged out and read back lands in a different frame.
import type { PageState } from './snapshotTypes';

/** MMLISTS values (reference 3.1), stored per frame. */
export enum PageLocation {
  Zeroed = 0,
  Free = 1,
  Standby = 2,
  Modified = 3,
  ModifiedNoWrite = 4,
  Bad = 5,
  Active = 6,
  Transition = 7,
}

export const PAGE_STATE_NAMES: readonly PageState[] = ['Zeroed', 'Free', 'Standby', 'Modified', 'ModifiedNoWrite', 'Bad', 'Active', 'Transition'];

/** Per-frame flag bits. */
export const PFN_MODIFIED = 1;
/** Owner gone (MmAllocatePagesForMdl pages, freed pool): the frame goes to the free list at ReferenceCount 0. */
export const PFN_DELETED = 2;
export const PFN_DUMMY = 4;
export const PFN_PAGE_TABLE = 8;
/** Given out by MmAllocatePagesForMdlEx (ReactOS marks these with a special PteFrame). */
export const PFN_MDL_ALLOCATED = 16;

const LIST_COUNT = 6; // Zeroed..Bad have lists
const NONE = -1;
/** Entries allocated up front (16 MiB worth); the database grows with use and with commitment. */
const INITIAL_CAPACITY = 1 << 12;
/** Growth is rounded up to this many entries. */
const GROWTH_STEP = 1 << 12;
/** A commitment reserves entries for at most this many frames (4 GiB worth) beyond those in use. */
const MAX_RESERVE = 1 << 20;

export interface PfnSave {
  arrays: ArrayBufferView[];
  watermark: number;
  heads: Int32Array;
  tails: Int32Array;
  counts: Int32Array;
  activeCount: number;
  transitionCount: number;
}

/**
 * MmProbeAndLockPages refuses a frame whose ReferenceCount has reached MAXUSHORT / 2
 * (MmReferenceCountCheck) with STATUS_WORKING_SET_QUOTA, so the 16-bit count keeps half its range
 * for the references taken without that check (soft faults, file-view mappings).
 */
export const REFERENCE_COUNT_LIMIT = 0x7fff;

export class PfnDatabase {
  state = new Uint8Array(0);
  shareCount = new Int32Array(0);
  /** u3.e2.ReferenceCount: 16 bits, as in Windows (reference 3.2). */
  referenceCount = new Uint16Array(0);
  /** Locks among those references (every lock also holds a reference, so 16 bits suffice). */
  lockCount = new Uint16Array(0);
  flags = new Uint8Array(0);
  /** Cache attribute recorded for the frame (MEMORY_CACHING_TYPE), -1 when none. */
  cacheAttribute = new Int8Array(0);
  /** cacheAttribute four entries to a word (made again when the column is replaced). */
  private cacheQuads = new Int32Array(0);
  /** Address space id whose PTE maps the frame (0 = system), -1 when none: the "PteAddress" owner. */
  ownerSpace = new Int32Array(0);
  /** The VA that the owning PTE maps. */
  ownerVa = new Float64Array(0);
  /** Page-file slot holding a copy of the contents ("OriginalPte"), -1 when none. */
  pageFileSlot = new Int32Array(0);
  flink = new Int32Array(0);
  blink = new Int32Array(0);

  /** Frames below the watermark have entries; those above are untouched and implicitly zeroed. */
  watermark = 0;
  private capacity = 0;
  private heads = new Int32Array(LIST_COUNT).fill(NONE);
  private tails = new Int32Array(LIST_COUNT).fill(NONE);
  private counts = new Int32Array(LIST_COUNT);
  activeCount = 0;
  transitionCount = 0;

  constructor(readonly totalFrames: number) {
    this.grow(Math.min(totalFrames, INITIAL_CAPACITY));
  }

  /**
   * Make room for `frames` more frames beyond those in use (memory just committed will take
   * frames when it is touched): the database then grows here, once, rather than a step at a
   * time inside the probe that first touches the memory. Host memory follows commitment, not
   * the machine's size.
   */
  reserve(frames: number): void {
    const want = Math.min(this.totalFrames, this.watermark + Math.min(frames, MAX_RESERVE));
    if (want > this.capacity) this.grow(want);
  }

  private grow(min: number): void {
    // rounded up, and at least half again as big (amortized growth as frames are taken one by one)
    let cap = Math.max(Math.ceil(min / GROWTH_STEP) * GROWTH_STEP, Math.floor(this.capacity * 1.5));
    cap = Math.min(cap, this.totalFrames);
    // Entries below the watermark are copied; every new entry is written with its initial value
    // now, zero included. Windows' PFN database is resident from boot; here the host gives a big
    // zeroed array its memory page by page on first write, and that first write would otherwise
    // fall inside the probe that first uses the frames (about 1,200 host page faults for 1 GiB).
    // Growing happens at commitment (reserve), so the cost goes where memory is committed.
    const used = Math.min(this.watermark, this.capacity);
    const g = <T extends Uint8Array | Uint16Array | Int32Array | Int8Array | Float64Array>(a: T, fill = 0): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.subarray(0, used));
      b.fill(fill, used);
      return b;
    };
    this.state = g(this.state);
    this.shareCount = g(this.shareCount);
    this.referenceCount = g(this.referenceCount);
    this.lockCount = g(this.lockCount);
    this.flags = g(this.flags);
    this.cacheAttribute = g(this.cacheAttribute, -1);
    this.ownerSpace = g(this.ownerSpace, NONE);
    this.ownerVa = g(this.ownerVa);
    this.pageFileSlot = g(this.pageFileSlot, NONE);
    this.flink = g(this.flink);
    this.blink = g(this.blink);
    this.capacity = cap;
  }

  /** Does this frame number name RAM that has a PFN entry? (Otherwise: I/O space.) */
  isRam(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.totalFrames;
  }

  stateOf(pfn: number): PageLocation {
    return pfn < this.watermark ? this.state[pfn] : PageLocation.Zeroed;
  }

  listCount(loc: PageLocation): number {
    if (loc === PageLocation.Active) return this.activeCount;
    if (loc === PageLocation.Transition) return this.transitionCount;
    if (loc === PageLocation.Zeroed) return this.counts[0] + (this.totalFrames - this.watermark);
    return this.counts[loc];
  }

  /** Frames immediately available: zeroed + free + standby (reference 3.1). */
  availablePages(): number {
    return this.listCount(PageLocation.Zeroed) + this.counts[PageLocation.Free] + this.counts[PageLocation.Standby];
  }

  headOf(loc: PageLocation): number {
    return this.heads[loc];
  }

  /** Put a frame on the tail of a list (or mark it Active/Transition) and keep the counts. */
  setLocation(pfn: number, loc: PageLocation): void {
    this.leave(pfn);
    this.state[pfn] = loc;
    if (loc === PageLocation.Active) this.activeCount++;
    else if (loc === PageLocation.Transition) this.transitionCount++;
    else {
      const t = this.tails[loc];
      this.blink[pfn] = t;
      this.flink[pfn] = NONE;
      if (t === NONE) this.heads[loc] = pfn;
      else this.flink[t] = pfn;
      this.tails[loc] = pfn;
      this.counts[loc]++;
    }
  }

  private leave(pfn: number): void {
    const loc = this.state[pfn];
    if (loc === PageLocation.Active) this.activeCount--;
    else if (loc === PageLocation.Transition) this.transitionCount--;
    else {
      const f = this.flink[pfn];
      const b = this.blink[pfn];
      if (b === NONE) this.heads[loc] = f;
      else this.flink[b] = f;
      if (f === NONE) this.tails[loc] = b;
      else this.blink[f] = b;
      this.flink[pfn] = NONE;
      this.blink[pfn] = NONE;
      this.counts[loc]--;
    }
  }

  /**
   * Take a frame off the zeroed or free list (never-used frames first, then recycled ones in FIFO
   * order). Returns -1 when neither list has one; the caller then repurposes standby pages.
   * The returned frame is Active with all counts zero; `wasFree` tells the caller to zero it.
   */
  takeFreeFrame(): { pfn: number; dirty: boolean } | null {
    let pfn: number;
    let dirty = false;
    if (this.watermark < this.totalFrames) {
      pfn = this.watermark;
      if (pfn >= this.capacity) this.grow(pfn + 1);
      this.watermark++;
      this.state[pfn] = PageLocation.Active;
      this.activeCount++;
    } else if (this.heads[PageLocation.Zeroed] !== NONE) {
      pfn = this.heads[PageLocation.Zeroed];
      this.setLocation(pfn, PageLocation.Active);
    } else if (this.heads[PageLocation.Free] !== NONE) {
      pfn = this.heads[PageLocation.Free];
      this.setLocation(pfn, PageLocation.Active);
      dirty = true;
    } else return null;
    this.shareCount[pfn] = 0;
    this.referenceCount[pfn] = 0;
    this.lockCount[pfn] = 0;
    this.flags[pfn] = 0;
    this.cacheAttribute[pfn] = -1;
    this.ownerSpace[pfn] = NONE;
    this.ownerVa[pfn] = 0;
    this.pageFileSlot[pfn] = NONE;
    return { pfn, dirty };
  }

  /**
   * Give the frames [from, to) without a cache attribute this one (a mapping's CacheType),
   * four frames at a time where all four have none (the usual case for a big mapping).
   */
  recordCacheAttribute(from: number, to: number, cacheType: number): void {
    const cache = this.cacheAttribute;
    let pfn = from;
    for (; pfn < to && (pfn & 3) !== 0; pfn++) if (cache[pfn] < 0) cache[pfn] = cacheType;
    let quads = this.cacheQuads;
    if (quads.buffer !== cache.buffer) quads = this.cacheQuads = new Int32Array(cache.buffer, cache.byteOffset, cache.length >> 2);
    const packed = (cacheType & 0xff) * 0x01010101 | 0;
    for (let q = pfn >> 2, end = to >> 2; q < end; q++, pfn += 4) {
      if (quads[q] === -1) quads[q] = packed;
      else for (let i = pfn; i < pfn + 4; i++) if (cache[i] < 0) cache[i] = cacheType;
    }
    for (; pfn < to; pfn++) if (cache[pfn] < 0) cache[pfn] = cacheType;
  }

  /** Bulk fast path for the never-used range: n consecutive fresh frames, or -1 if not available. */
  takeFreshRun(n: number): number {
    if (this.totalFrames - this.watermark < n) return -1;
    const first = this.watermark;
    if (first + n > this.capacity) this.grow(first + n);
    this.state.fill(PageLocation.Active, first, first + n);
    this.watermark += n;
    this.activeCount += n;
    return first;
  }

  /** Give back the unused tail of a takeFreshRun: below the watermark again if nothing came after, else to the free list. */
  returnFreshRun(first: number, n: number): void {
    if (first + n === this.watermark) {
      this.state.fill(PageLocation.Zeroed, first, first + n);
      this.watermark = first;
      this.activeCount -= n;
    } else {
      for (let pfn = first; pfn < first + n; pfn++) this.setLocation(pfn, PageLocation.Free);
    }
  }

  save(): PfnSave {
    const n = this.watermark;
    return {
      arrays: [
        this.state.slice(0, n), this.shareCount.slice(0, n), this.referenceCount.slice(0, n), this.lockCount.slice(0, n),
        this.flags.slice(0, n), this.cacheAttribute.slice(0, n), this.ownerSpace.slice(0, n), this.ownerVa.slice(0, n),
        this.pageFileSlot.slice(0, n), this.flink.slice(0, n), this.blink.slice(0, n),
      ],
      watermark: n,
      heads: this.heads.slice(),
      tails: this.tails.slice(),
      counts: this.counts.slice(),
      activeCount: this.activeCount,
      transitionCount: this.transitionCount,
    };
  }

  restore(s: PfnSave): void {
    this.capacity = 0;
    this.state = new Uint8Array(0); this.shareCount = new Int32Array(0); this.referenceCount = new Uint16Array(0);
    this.lockCount = new Uint16Array(0); this.flags = new Uint8Array(0); this.cacheAttribute = new Int8Array(0);
    this.ownerSpace = new Int32Array(0); this.ownerVa = new Float64Array(0); this.pageFileSlot = new Int32Array(0);
    this.flink = new Int32Array(0); this.blink = new Int32Array(0);
    this.grow(Math.max(1, s.watermark));
    const [st, sc, rc, lc, fl, ca, os, ov, ps, fk, bk] = s.arrays;
    this.state.set(st as Uint8Array); this.shareCount.set(sc as Int32Array); this.referenceCount.set(rc as Uint16Array);
    this.lockCount.set(lc as Uint16Array); this.flags.set(fl as Uint8Array); this.cacheAttribute.set(ca as Int8Array);
    this.ownerSpace.set(os as Int32Array); this.ownerVa.set(ov as Float64Array); this.pageFileSlot.set(ps as Int32Array);
    this.flink.set(fk as Int32Array); this.blink.set(bk as Int32Array);
    this.watermark = s.watermark;
    this.heads = s.heads.slice();
    this.tails = s.tails.slice();
    this.counts = s.counts.slice();
    this.activeCount = s.activeCount;
    this.transitionCount = s.transitionCount;
  }
}
