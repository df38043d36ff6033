// The MM snapshot (snapshotTypes.ts) built from the kernel without side effects: MDLs
// (snapshotMdls.ts), frames with their PFN entries and mappers, processes, lists, PTEs, pool.
import type { Kernel } from './kernel';
import type { FrameMapping, FrameView, MdlView, MmSnapshot, PageState } from './snapshotTypes';
import { irqlName, bugCheckName, PAGE_SIZE } from './constants';
import { PAGE_STATE_NAMES, PageLocation, PFN_MODIFIED, PFN_DUMMY } from './pfnDatabase';
import { vpnOf, pteFrame } from './pageTables';
import { hex64 } from './u64';
import { fastHex, mdlViews, forgetMdlViews } from './snapshotMdls';

export { fastHex, mdlView } from './snapshotMdls';

const MAX_SNAPSHOT_EVENTS = 200;

/** The set of frames a snapshot describes: a mark per frame plus the list in ascending order. */
class FrameSet {
  private readonly mark: Uint8Array;
  private count = 0;
  constructor(readonly limit: number) {
    this.mark = new Uint8Array(limit);
  }
  add(pfn: number): void {
    if (pfn >= 0 && pfn < this.limit && Number.isInteger(pfn) && this.mark[pfn] === 0) {
      this.mark[pfn] = 1;
      this.count++;
    }
  }
  has(pfn: number): boolean {
    return pfn >= 0 && pfn < this.limit && this.mark[pfn] === 1;
  }
  list(): number[] {
    const out: number[] = [];
    for (let pfn = 0; pfn < this.limit && out.length < this.count; pfn++) if (this.mark[pfn]) out.push(pfn);
    return out;
  }
}

/** Mappings of frames other than their owner PTE: MDL system mappings and user MDL-mapping VADs. */
function extraMappers(k: Kernel, wanted: FrameSet): Map<number, FrameMapping[]> {
  const out = new Map<number, FrameMapping[]>();
  const add = (pfn: number, m: FrameMapping) => {
    if (!wanted.has(pfn)) return;
    const l = out.get(pfn);
    if (l) l.push(m);
    else out.set(pfn, [m]);
  };
  for (const m of k.mdl.st.mappings.values()) {
    if (m.kind === 'reserved' && !m.mdl) continue;
    const vpn0 = vpnOf(m.base);
    const n = m.kind === 'reserved' ? m.reservedPages : m.pages;
    for (let i = 0; i < n; i++) {
      const pte = k.mm.system.getPte(vpn0 + i);
      if (pte % 2 === 1) add(pteFrame(pte), { process: null, va: fastHex(m.base + i * PAGE_SIZE), kind: 'system', valid: true });
    }
  }
  for (const p of k.procs.all()) {
    const space = k.mm.spaces.get(p.spaceId);
    if (!space) continue;
    for (const v of p.vads) {
      if (v.kind !== 'mdl-mapping') continue;
      for (let i = 0; i < v.pages; i++) {
        const pte = space.getPte(vpnOf(v.start) + i);
        if (pte % 2 === 1) add(pteFrame(pte), { process: p.name, va: fastHex(v.start + i * PAGE_SIZE), kind: 'user', valid: true });
      }
    }
  }
  return out;
}

/** A frame's view at the previous stop, with its owner mapping's numbers (reused when all agree). */
interface CachedFrame {
  view: FrameView;
  ownerSpace: number;
  ownerVa: number;
  ownerValid: boolean;
  hadExtra: boolean;
}

/** Cached frame views by PFN, in chunks of 4,096 allocated as frames are first shown (sparse machines stay cheap). */
class FrameCache {
  private readonly chunks: (CachedFrame | undefined)[][] = [];
  size = 0;
  get(pfn: number): CachedFrame | undefined {
    const c = this.chunks[pfn >>> 12];
    return c === undefined ? undefined : c[pfn & 4095];
  }
  set(pfn: number, v: CachedFrame): void {
    let c = this.chunks[pfn >>> 12];
    if (c === undefined) this.chunks[pfn >>> 12] = c = new Array(4096).fill(undefined);
    if (c[pfn & 4095] === undefined) this.size++;
    c[pfn & 4095] = v;
  }
  /** Keep only the frames in `keep`. */
  prune(keep: FrameSet): void {
    this.size = 0;
    this.chunks.forEach((c, i) => {
      for (let j = 0; j < 4096; j++) {
        if (c[j] === undefined) continue;
        if (keep.has(i * 4096 + j)) this.size++;
        else c[j] = undefined;
      }
    });
  }
}

const frameCaches = new WeakMap<Kernel, FrameCache>();

/** Builds frame views for one snapshot: each PFN once, from the PFN database and its owner PTE. */
class FrameViews {
  private readonly names = new Map<number, string | null>();
  constructor(private readonly k: Kernel, private readonly extra: Map<number, FrameMapping[]>, private readonly cache: FrameCache | null) {}

  private nameOf(spaceId: number): string | null {
    let n = this.names.get(spaceId);
    if (n === undefined) this.names.set(spaceId, (n = spaceId === 0 ? null : this.k.procs.bySpace(spaceId)?.name ?? null));
    return n;
  }

  view(pfn: number): FrameView {
    const k = this.k;
    const d = k.mm.pfn;
    const known = pfn < d.watermark;
    // the owner PTE (the PFN's "PteAddress"), when it still names this frame
    let ownerSpace = -1;
    let ownerVa = 0;
    let ownerValid = false;
    if (known && d.ownerSpace[pfn] >= 0) {
      const space = k.mm.spaces.get(d.ownerSpace[pfn]);
      if (space) {
        const va = d.ownerVa[pfn];
        const pte = space.getPte(vpnOf(va));
        if (pte !== 0 && pteFrame(pte) === pfn) {
          ownerSpace = space.spaceId;
          ownerVa = va;
          ownerValid = pte % 2 === 1;
        }
      }
    }
    const state = PAGE_STATE_NAMES[known ? d.state[pfn] : PageLocation.Zeroed];
    const shareCount = known ? d.shareCount[pfn] : 0;
    const referenceCount = known ? d.referenceCount[pfn] : 0;
    const lockCount = known ? d.lockCount[pfn] : 0;
    const modified = known ? (d.flags[pfn] & PFN_MODIFIED) !== 0 : false;
    const dummy = pfn === k.dummyPfn || (known && (d.flags[pfn] & PFN_DUMMY) !== 0);
    const extra = this.extra.size === 0 ? undefined : this.extra.get(pfn);
    const c = this.cache?.get(pfn);
    const sameOwner = c !== undefined && c.ownerSpace === ownerSpace && c.ownerVa === ownerVa && c.ownerValid === ownerValid;
    if (c && sameOwner && !extra && !c.hadExtra) {
      const v = c.view;
      if (v.state === state && v.shareCount === shareCount && v.referenceCount === referenceCount && v.lockCount === lockCount && v.modified === modified && v.dummy === dummy) return v;
    }
    const mappedBy: FrameMapping[] = [];
    if (ownerSpace >= 0) {
      const prevOwner = sameOwner && c!.view.mappedBy[0];
      mappedBy.push(prevOwner || { process: this.nameOf(ownerSpace), va: fastHex(ownerVa), kind: ownerVa < 0 ? 'system' : 'user', valid: ownerValid });
    }
    if (extra) for (const m of extra) mappedBy.push(m);
    const view: FrameView = { pfn, state, shareCount, referenceCount, lockCount, modified, dummy, mappedBy };
    this.cache?.set(pfn, { view, ownerSpace, ownerVa, ownerValid, hadExtra: extra !== undefined });
    return view;
  }
}

export function frameView(k: Kernel, pfn: number): FrameView {
  const d = k.mm.pfn;
  const one = new FrameSet(Math.min(d.totalFrames, Math.max(d.watermark, pfn + 1)));
  one.add(pfn);
  return new FrameViews(k, extraMappers(k, one), null).view(pfn);
}

const signed64 = (hex: string): number => Number(BigInt.asIntN(64, BigInt(hex)));

export function buildSnapshot(k: Kernel): MmSnapshot {
  const irps = k.irpProvider ? k.irpProvider() : [];
  const chainIrp = new Map<number, number>();
  for (const irp of irps) for (const m of irp.mdlChain) if (!chainIrp.has(signed64(m))) chainIrp.set(signed64(m), signed64(irp.address));
  // Frames above the watermark were never used: an MDL naming one still shows it (as Zeroed).
  const wanted = new FrameSet(k.mm.pfn.totalFrames);
  wanted.add(k.dummyPfn);
  const mdls: MdlView[] = mdlViews(k, chainIrp, wanted);
  let frameCache = frameCaches.get(k);
  if (!frameCache) frameCaches.set(k, (frameCache = new FrameCache()));
  const fv = new FrameViews(k, extraMappers(k, wanted), frameCache);
  const frames = wanted.list().map((pfn) => fv.view(pfn));
  if (frameCache.size > 2 * frames.length + 4096) {
    // forget frames no MDL names any more
    frameCache.prune(wanted);
  }
  const pageLists = {} as Record<PageState, number>;
  PAGE_STATE_NAMES.forEach((name, i) => { pageLists[name] = k.mm.pfn.listCount(i as PageLocation); });
  const bc = k.core.bugcheck;
  const cur = k.procs.current;
  return {
    process: cur ? cur.name : null,
    irql: k.irql,
    irqlName: irqlName(k.irql),
    verifier: k.verifier,
    mdls,
    frames,
    bugcheck: bc ? {
      code: bc.code,
      codeHex: '0x' + bc.code.toString(16).toUpperCase().padStart(8, '0'),
      name: bugCheckName(bc.code),
      params: bc.params.map(hex64) as [string, string, string, string],
      explanation: bc.explanation,
    } : null,
    processes: k.procs.all().map((p) => ({
      address: hex64(p.eprocess),
      name: p.name,
      pid: p.pid,
      alive: p.alive,
      workingSetPages: k.mm.spaces.get(p.spaceId)?.workingSetPages ?? 0,
      lockedPages: p.lockedPages,
      committedPages: p.vads.filter((v) => v.kind === 'private').reduce((s, v) => s + v.pages, 0),
    })),
    pageLists,
    physicalPages: k.totalFrames,
    dummyPfn: k.dummyPfn,
    systemPtes: { total: k.ptes.total, used: k.ptes.used },
    pool: k.pool.tagTotals().slice(),
    irps,
    events: k.core.events.slice(-MAX_SNAPSHOT_EVENTS),
  };
}

/** Forget the views kept between stops (tests compare a cached build with one from scratch). */
export function clearSnapshotCache(k: Kernel): void {
  forgetMdlViews(k);
  frameCaches.delete(k);
}
