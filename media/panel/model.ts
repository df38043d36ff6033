// What the views derive from one snapshot (and the one before it): lookups by PFN and address,
// which frames are shared, and what changed since the previous stop. Costly indexes are built
// on first use, so a stop only pays for what the visible view needs.
import type { FrameView, MdlView, Snapshot } from '../../src/engine/snapshot';
import { frameAt, framesAscending, packedFrames, packedSlots, type PackedFrames } from './packing';
import { PfnTable } from './pfnIndex';

/** MDL header fields compared between stops, in x64 layout order. */
export const MDL_DIFF_FIELDS = ['next', 'size', 'flags', 'process', 'mappedSystemVa', 'startVa', 'byteCount', 'byteOffset'] as const;
export type MdlDiffField = (typeof MDL_DIFF_FIELDS)[number];

export interface MdlChange {
  /** The MDL did not exist at the previous stop. */
  isNew: boolean;
  fields: Set<MdlDiffField>;
}

export class Model {
  readonly mdlByAddress = new Map<string, MdlView>();
  private frameIndex: PfnTable | null = null;
  private framesSorted: boolean | null = null;
  private readonly frameCache = new Map<number, FrameView>();
  private readonly packed: PackedFrames | undefined;
  private prevMdls: Map<string, MdlView> | null = null;
  private sharedCache: PfnTable | null = null;
  private vaIndex: Map<string, number> | null = null;

  constructor(readonly snap: Snapshot, readonly prev: Snapshot | null) {
    this.packed = packedFrames(snap);
    if (this.packed && framesAscending(this.packed)) this.framesSorted = true;
    for (const m of snap.mdls) this.mdlByAddress.set(m.address.toLowerCase(), m);
  }

  frame(pfn: number): FrameView | undefined {
    const i = this.frameIndexOf(pfn);
    if (i < 0) return undefined;
    const packed = this.packed;
    if (!packed) return this.snap.frames[i];
    let f = this.frameCache.get(i);
    if (!f) this.frameCache.set(i, (f = frameAt(packed, i)));
    return f;
  }

  /**
   * Index of the frame entry for pfn, or -1. The engine lists frames in PFN order, so a binary
   * search needs no index at all; any other order gets a hash table built once.
   */
  private frameIndexOf(pfn: number): number {
    const packed = this.packed;
    const n = packed ? packed.count : this.snap.frames.length;
    const pfnAt = packed ? (i: number) => packed.pfn[i] : (i: number) => this.snap.frames[i].pfn;
    if (this.framesSorted === null) {
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) sorted = pfnAt(i - 1) < pfnAt(i);
      this.framesSorted = sorted;
    }
    if (this.framesSorted) {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = pfnAt(mid);
        if (v === pfn) return mid;
        if (v < pfn) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    if (!this.frameIndex) {
      const t = new PfnTable(n);
      for (let i = 0; i < n; i++) t.values[t.claim(pfnAt(i))] = i;
      this.frameIndex = t;
    }
    return this.frameIndex.get(pfn);
  }

  /**
   * Every frame's PFN, state name, lock count and dummy bit, read from the packed columns when the
   * snapshot came packed (no FrameView objects are built), else from the frames.
   */
  /** The packed frame columns behind this snapshot, when it came packed (read-only). */
  get frameColumns(): PackedFrames | undefined {
    return this.packed;
  }

  forEachFrame(cb: (pfn: number, state: string, lockCount: number, dummy: boolean) => void): void {
    const p = this.packed;
    if (p) for (let i = 0; i < p.count; i++) cb(p.pfn[i], p.states[p.state[i]], p.lockCount[i], (p.bits[i] & 2) !== 0);
    else for (const f of this.snap.frames) cb(f.pfn, f.state, f.lockCount, f.dummy);
  }

  /** PFNs of the frames some page table of `process` maps ('' = system space). */
  framesMappedBy(process: string): Set<number> {
    const out = new Set<number>();
    const p = this.packed;
    if (p) {
      const id = process === '' ? -1 : p.strings.indexOf(process);
      if (process !== '' && id < 0) return out;
      for (let i = 0; i < p.count; i++) for (let k = p.mapStart[i]; k < p.mapStart[i + 1]; k++) if (p.mapProcess[k] === id) out.add(p.pfn[i]);
    } else {
      for (const f of this.snap.frames) if (f.mappedBy.some((mp) => (process === '' ? mp.process === null : mp.process === process))) out.add(f.pfn);
    }
    return out;
  }

  mdl(address: string | null): MdlView | undefined {
    return address ? this.mdlByAddress.get(address.toLowerCase()) : undefined;
  }

  prevMdl(address: string): MdlView | undefined {
    if (!this.prev) return undefined;
    if (!this.prevMdls) {
      this.prevMdls = new Map();
      for (const m of this.prev.mdls) this.prevMdls.set(m.address.toLowerCase(), m);
    }
    return this.prevMdls.get(address.toLowerCase());
  }

  /** What changed in this MDL since the previous stop (nothing when there was no previous stop). */
  change(m: MdlView): MdlChange {
    const fields = new Set<MdlDiffField>();
    if (!this.prev) return { isNew: false, fields };
    const p = this.prevMdl(m.address);
    if (!p) return { isNew: true, fields };
    for (const f of MDL_DIFF_FIELDS) if (p[f] !== m[f]) fields.add(f);
    return { isNew: false, fields };
  }

  /** Did PFN slot i change since the previous stop (value or staleness)? */
  slotChanged(m: MdlView, i: number): boolean {
    if (!this.prev) return false;
    const p = this.prevMdl(m.address);
    if (!p) return false;
    return p.pfns[i] !== m.pfns[i] || this.slotMatches(p, i) !== this.slotMatches(m, i);
  }

  /** slotMatchesPageTables[i], read from the packed column when there is one. */
  slotMatches(m: MdlView, i: number): boolean | null {
    const packed = packedSlots(m);
    if (packed) return i < packed.length ? (packed[i] < 0 ? null : packed[i] === 1) : null;
    return m.slotMatchesPageTables[i] ?? null;
  }

  /** How many slots no longer match the page tables. */
  staleCount(m: MdlView): number {
    const packed = packedSlots(m);
    let n = 0;
    if (packed) for (let i = 0; i < packed.length; i++) n += packed[i] === 0 ? 1 : 0;
    else for (const x of m.slotMatchesPageTables) n += x === false ? 1 : 0;
    return n;
  }

  /** Slots across all MDLs; above this many the shared-frame count is computed after the first paint. */
  static readonly EAGER_SHARED_SLOTS = 16384;

  /** Whether isShared can answer now without a pass over every slot of every MDL. */
  get sharedReady(): boolean {
    if (this.sharedCache) return true;
    let total = 0;
    for (const m of this.snap.mdls) total += m.pfns.length;
    return total <= Model.EAGER_SHARED_SLOTS;
  }

  /** Computes the shared-frame counts (a pass over every slot). */
  prepareShared(): void {
    this.slotsNaming(-1);
  }

  /**
   * How many unrelated MDLs name this PFN, counting an MDL and the partial MDLs built from it as
   * one family (they share frames by design); one MDL naming a frame twice counts twice.
   */
  slotsNaming(pfn: number): number {
    if (!this.sharedCache) {
      const mdls = this.snap.mdls;
      let total = 0;
      for (const m of mdls) total += m.pfns.length;
      const t = new PfnTable(total);
      // Per PFN slot in the table: the count (values), the first family and the last MDL that named it.
      const family = new Int32Array(t.values.length);
      const lastMdl = new Int32Array(t.values.length).fill(-1);
      const familyIds = new Map<string, number>();
      mdls.forEach((m, mi) => {
        const root = this.familyRoot(m);
        let fam = familyIds.get(root);
        if (fam === undefined) familyIds.set(root, (fam = familyIds.size));
        const pfns = m.pfns;
        for (let i = 0; i < pfns.length; i++) {
          const slot = t.claim(pfns[i]);
          if (t.fresh) {
            t.values[slot] = 1;
            family[slot] = fam;
          } else if (lastMdl[slot] === mi || family[slot] !== fam) t.values[slot]++;
          lastMdl[slot] = mi;
        }
      });
      this.sharedCache = t;
    }
    const n = this.sharedCache.get(pfn);
    return n < 0 ? 0 : n;
  }

  private familyRoot(m: MdlView): string {
    let cur = m;
    for (let i = 0; i < 8 && cur.parent; i++) {
      const p = this.mdl(cur.parent);
      if (!p) return cur.parent.toLowerCase();
      cur = p;
    }
    return cur.address.toLowerCase();
  }

  /** Shared: several user mappings (processes or VAs) map the frame, or unrelated MDLs name it. */
  isShared(pfn: number): boolean {
    if (!this.sharedReady) return false;
    const f = this.frame(pfn);
    let userMaps = 0;
    if (f && !f.dummy) for (const mp of f.mappedBy) if (mp.kind === 'user') userMaps++;
    return userMaps > 1 || this.slotsNaming(pfn) > 1;
  }

  isDummy(pfn: number): boolean {
    return pfn === this.snap.dummyPfn || this.frame(pfn)?.dummy === true;
  }

  /** The frame a process's page tables validly map at this VA now (null: none that the snapshot knows). */
  frameMappedAt(process: string | null, va: string): number | null {
    if (!this.vaIndex) {
      this.vaIndex = new Map();
      for (const f of this.snap.frames) for (const mp of f.mappedBy) if (mp.valid) this.vaIndex.set(`${mp.process ?? ''}|${mp.va.toLowerCase()}`, f.pfn);
    }
    return this.vaIndex.get(`${process ?? ''}|${va.toLowerCase()}`) ?? null;
  }

  /** MDLs whose `parent` is this MDL (partial MDLs built from it). */
  children(address: string): MdlView[] {
    const a = address.toLowerCase();
    return this.snap.mdls.filter((m) => m.parent?.toLowerCase() === a);
  }
}
