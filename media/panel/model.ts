// What the views derive from one snapshot (and the one before it): lookups by PFN and address,
// which frames are shared, and what changed since the previous stop. Costly indexes are built
// on first use, so a stop only pays for what the visible view needs.
import type { FrameView, MdlView, Snapshot } from '../../src/engine/snapshot';

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
  private frameIndex: Map<number, FrameView> | null = null;
  private prevMdls: Map<string, MdlView> | null = null;
  private sharedCache: Map<number, number> | null = null;
  private vaIndex: Map<string, number> | null = null;

  constructor(readonly snap: Snapshot, readonly prev: Snapshot | null) {
    for (const m of snap.mdls) this.mdlByAddress.set(m.address.toLowerCase(), m);
  }

  frame(pfn: number): FrameView | undefined {
    if (!this.frameIndex) {
      this.frameIndex = new Map();
      for (const f of this.snap.frames) this.frameIndex.set(f.pfn, f);
    }
    return this.frameIndex.get(pfn);
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
    return p.pfns[i] !== m.pfns[i] || p.slotMatchesPageTables[i] !== m.slotMatchesPageTables[i];
  }

  /**
   * How many unrelated MDLs name this PFN, counting an MDL and the partial MDLs built from it as
   * one family (they share frames by design); one MDL naming a frame twice counts twice.
   */
  slotsNaming(pfn: number): number {
    if (!this.sharedCache) {
      this.sharedCache = new Map();
      const seen = new Map<number, Set<string>>();
      for (const m of this.snap.mdls) {
        const family = this.familyRoot(m);
        const inThis = new Set<number>();
        for (const p of m.pfns) {
          let fams = seen.get(p);
          if (!fams) seen.set(p, (fams = new Set()));
          const repeat = inThis.has(p);
          inThis.add(p);
          if (repeat || !fams.has(family)) this.sharedCache.set(p, (this.sharedCache.get(p) ?? 0) + 1);
          fams.add(family);
        }
      }
    }
    return this.sharedCache.get(pfn) ?? 0;
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
