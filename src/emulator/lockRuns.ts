// What MmProbeAndLockPages stored in a big MDL's PFN array, kept as runs of consecutive frames, so
// that MmMapLockedPagesSpecifyCache and MmUnlockPages need not read the array from guest memory
// again. The runs stand for the array only while nothing can have changed it: the MDL's record is
// the same object (not freed, not restored from a checkpoint), it spans the same number of pages,
// every page of slots after the header's still translates to the frame it did and no write has
// reached those frames since (PhysicalMemory.watch), and the slots on the header's page — which the
// MDL routines write themselves — still hold the first frames. A driver that rewrites a slot, a
// trim that moves a paged-pool MDL, or a restore: the array is read from memory, as it always was.
import type { Kernel } from './kernel';
import type { MdlRecord } from './mdl';
import { MDL as L } from './layouts';
import { PAGE_SIZE } from './constants';

/** Below this many pages reading the array is cheaper than checking that it did not change. */
export const LOCK_RUNS_MIN_PAGES = 64;

interface KeptRuns {
  pages: number;
  /** [first frame, count] pairs, in slot order. */
  runs: Int32Array;
  /** Base VA, frame and watch token of each page of slots after the header's page. */
  vas: number[];
  frames: number[];
  tokens: number[];
  /** MemoryManager.pteEpoch when the translations were last found unchanged. */
  epoch: number;
}

const kept = new WeakMap<MdlRecord, KeptRuns>();

/** Collects the frames the lock stores, slot by slot or a run at a time, merging consecutive ones. */
export class RunRecorder {
  private pairs = new Int32Array(64);
  private n = 0;
  /** Frames recorded so far (the recorder gives up past an impossible value). */
  count = 0;
  private ok = true;

  run(first: number, m: number): void {
    if (m <= 0) return;
    this.count += m;
    if (!this.ok) return;
    if (first < 0 || first + m > 0x7fffffff) {
      this.ok = false;
      return;
    }
    const n = this.n;
    if (n > 0 && this.pairs[n - 2] + this.pairs[n - 1] === first) {
      this.pairs[n - 1] += m;
      return;
    }
    if (n === this.pairs.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(this.pairs);
      this.pairs = bigger;
    }
    this.pairs[n] = first;
    this.pairs[n + 1] = m;
    this.n = n + 2;
  }

  /** The [first, count] pairs, or null if a value could not be recorded. */
  result(): Int32Array | null {
    return this.ok ? this.pairs.slice(0, this.n) : null;
  }
}

/** After a successful MmProbeAndLockPages: keep what the lock stored in the MDL's first `pages` slots. */
export function keepLockRuns(k: Kernel, mdl: number, pages: number, recorder: RunRecorder): void {
  const rec = k.mdl.record(mdl);
  if (!rec) return;
  const old = kept.get(rec);
  if (old) forget(k, rec, old);
  const runs = recorder.result();
  const slots = mdl + L.PfnArray;
  if (runs === null || recorder.count !== pages || pages < LOCK_RUNS_MIN_PAGES || (slots & 7) !== 0) return;
  const mm = k.mm;
  const vas: number[] = [];
  const frames: number[] = [];
  // the header's page is written by the MDL routines themselves (flags, MappedSystemVa): its slots
  // are compared when the runs are used; the pages after it hold nothing but slots and are watched
  const last = slots + 8 * pages - 1;
  for (let va = slots - (slots & 0xfff) + PAGE_SIZE; va <= last; va += PAGE_SIZE) {
    const pa = mm.peekTranslate(va);
    if (pa < 0) return;
    vas.push(va);
    frames.push(Math.floor(pa / PAGE_SIZE));
  }
  const tokens = mm.phys.watch(frames);
  kept.set(rec, { pages, runs, vas, frames, tokens, epoch: mm.pteEpoch });
}

/** The runs the lock stored in the MDL's first `pages` slots, if the array cannot have changed since. */
export function lockRunsOf(k: Kernel, mdl: number, pages: number): Int32Array | null {
  const rec = k.mdl.record(mdl);
  const r = rec ? kept.get(rec) : undefined;
  if (!r || r.pages !== pages) return null;
  const mm = k.mm;
  const phys = mm.phys;
  for (let i = 0; i < r.frames.length; i++) {
    if (phys.watchedBy(r.frames[i]) !== r.tokens[i]) return forget(k, rec!, r);
  }
  if (mm.pteEpoch !== r.epoch) {
    // page tables changed somewhere since: the pages must still be where they were
    for (let i = 0; i < r.vas.length; i++) {
      if (Math.floor(mm.peekTranslate(r.vas[i]) / PAGE_SIZE) !== r.frames[i]) return forget(k, rec!, r);
    }
    r.epoch = mm.pteEpoch;
  }
  return firstPageHolds(k, mdl + L.PfnArray, pages, r.runs) ? r.runs : forget(k, rec!, r);
}

/** Do the slots in the header's page still hold the first frames of the runs? */
function firstPageHolds(k: Kernel, slots: number, pages: number, runs: Int32Array): boolean {
  const pa = k.mm.peekTranslate(slots);
  if (pa < 0) return false;
  const w = k.mm.phys.words(Math.floor(pa / PAGE_SIZE), false);
  const n = Math.min(pages, (PAGE_SIZE - (slots & 0xfff)) >> 3);
  let at = (slots & 0xfff) >> 2;
  for (let i = 0, done = 0; done < n; i += 2) {
    const first = runs[i];
    const m = Math.min(runs[i + 1], n - done);
    for (let t = 0; t < m; t++, at += 2) if (w[at] !== first + t || w[at + 1] !== 0) return false;
    done += m;
  }
  return true;
}

/** The lock is gone (MmUnlockPages): the runs no longer stand for a lock. */
export function forgetLockRuns(k: Kernel, mdl: number): void {
  const rec = k.mdl.record(mdl);
  const r = rec ? kept.get(rec) : undefined;
  if (r) forget(k, rec!, r);
}

function forget(k: Kernel, rec: MdlRecord, r: KeptRuns): null {
  kept.delete(rec);
  k.mm.phys.unwatch(r.frames, r.tokens);
  return null;
}
