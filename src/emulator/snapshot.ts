// The MM snapshot (snapshotTypes.ts) built from the kernel without side effects: MDLs read with
// peek (no faults), frames with their PFN entries and mappers, processes, lists, PTEs, pool.
import type { Kernel } from './kernel';
import type { FrameMapping, FrameView, MdlView, MmSnapshot, PageState, PoolTagView } from './snapshotTypes';
import { mdlFlagNames, irqlName, bugCheckName, PAGE_SIZE, PFN_SENTINEL, MDL_PAGES_LOCKED, MDL_SOURCE_IS_NONPAGED_POOL, MDL_PARTIAL, MDL_IO_PAGE_READ } from './constants';
import { MDL as L } from './layouts';
import { PAGE_STATE_NAMES, PageLocation, PFN_MODIFIED, PFN_DUMMY } from './pfnDatabase';
import { spanPages } from './mdl';
import { vpnOf, pteFrame, PTE_TRANSITION } from './pageTables';
import { tagString } from './pool';
import { hex64 } from './u64';
import type { MdlRecord } from './mdl';

const MAX_SNAPSHOT_EVENTS = 200;
const MAX_SLOTS_SHOWN = 1 << 20; // the contract shows every slot (4 GiB - PAGE_SIZE spans just under 2^20 pages)

const HEX4: string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));
const HEXN: string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16));

/** `0x` hex of the unsigned 64-bit pattern of a safe integer, without BigInt (hot in big snapshots). */
export function fastHex(v: number): string {
  let hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  if (hi < 0) hi += 4294967296;
  if (hi === 0) return lo < 0x10000 ? '0x' + HEXN[lo] : '0x' + HEXN[lo >>> 16] + HEX4[lo & 0xffff];
  const low = HEX4[lo >>> 16] + HEX4[lo & 0xffff];
  return hi < 0x10000 ? '0x' + HEXN[hi] + low : '0x' + HEXN[hi >>> 16] + HEX4[hi & 0xffff] + low;
}

const flagNamesCache = new Map<number, string[]>();
function cachedFlagNames(flags: number): string[] {
  let names = flagNamesCache.get(flags);
  if (!names) flagNamesCache.set(flags, (names = mdlFlagNames(flags)));
  return names; // shared between views of equal flags: treat snapshot arrays as read-only
}

/** Reads guest memory through the page tables without faults: a cheap, allocation-free view. */
class Peeker {
  private page = NaN;
  private bytes: Uint8Array | null = null;
  constructor(private readonly k: Kernel) {}
  private at(va: number): number {
    const off = (va & 0xfff);
    const base = va - off;
    if (base !== this.page) {
      this.page = base;
      const pa = this.k.mm.peekTranslate(base);
      this.bytes = pa < 0 ? null : this.k.mm.phys.view(Math.floor(pa / PAGE_SIZE));
    }
    return off;
  }
  ok(va: number): boolean {
    this.at(va);
    return this.bytes !== null;
  }
  u8(va: number): number {
    const o = this.at(va);
    return this.bytes ? this.bytes[o] : 0;
  }
  u16(va: number): number {
    const o = this.at(va);
    const b = this.bytes;
    if (!b) return 0;
    return o <= PAGE_SIZE - 2 ? b[o] | (b[o + 1] << 8) : b[o] | (this.u8(va + 1) << 8);
  }
  u32(va: number): number {
    const o = this.at(va);
    const b = this.bytes;
    if (!b) return 0;
    if (o <= PAGE_SIZE - 4) return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    return (this.u16(va) | (this.u16(va + 2) << 16)) >>> 0;
  }
  /** A 64-bit value as a safe number (kernel addresses negative; all ones is -1). */
  u64(va: number): number {
    const lo = this.u32(va);
    const hi = this.u32(va + 4);
    if (hi === 0) return lo;
    return hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
  }
}

export function mdlView(k: Kernel, rec: MdlRecord, peeker?: Peeker): MdlView | null {
  const a = rec.address;
  const pk = peeker ?? new Peeker(k);
  if (!pk.ok(a) || !pk.ok(a + L.sizeof - 1)) return null;
  const flags = pk.u16(a + L.MdlFlags);
  const process = pk.u64(a + L.Process);
  const startVa = pk.u64(a + L.StartVa);
  const byteCount = pk.u32(a + L.ByteCount);
  const byteOffset = pk.u32(a + L.ByteOffset);
  const pageCount = spanPages(startVa + byteOffset, byteCount);
  const shown = Math.min(pageCount, MAX_SLOTS_SHOWN);
  const pfns: number[] = [];
  for (let i = 0; i < shown; i++) {
    const slot = a + L.PfnArray + i * 8;
    if (!pk.ok(slot)) break;
    pfns.push(pk.u64(slot));
  }
  const proc = process ? k.procs.byEprocess(process) : undefined;
  const described = (flags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_IO_PAGE_READ)) !== 0;
  const slotMatches = pfns.map((pfn, i) => {
    if (!described || startVa === 0 || pfn === PFN_SENTINEL || pfn === k.dummyPfn) return null;
    const va = startVa + i * PAGE_SIZE;
    let space = k.mm.system;
    if (va >= 0) {
      const owner = proc ?? k.procs.current;
      const sp = k.mm.spaces.get(owner.spaceId);
      if (!sp || !owner.alive) return false;
      space = sp;
    }
    const pte = space.getPte(vpnOf(va));
    const valid = pte % 2 === 1 || ((pte % 4096) & PTE_TRANSITION) !== 0;
    return valid && pteFrame(pte) === pfn;
  });
  const size = pk.u16(a + L.Size);
  return {
    address: fastHex(a),
    next: fastHex(pk.u64(a + L.Next)),
    size: (size << 16) >> 16,
    flags,
    flagNames: cachedFlagNames(flags),
    process: fastHex(process),
    processName: proc ? proc.name : null,
    mappedSystemVa: fastHex(pk.u64(a + L.MappedSystemVa)),
    startVa: fastHex(startVa),
    byteCount,
    byteOffset,
    pageCount,
    pfns,
    origin: rec.origin,
    parent: rec.parent === null ? null : fastHex(rec.parent),
    irp: rec.irp === null ? null : fastHex(rec.irp),
    slotMatchesPageTables: slotMatches,
  };
}

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

type Mappers = (FrameMapping[] | undefined)[];

/** Who maps each of the given frames, from the owners in the PFN database and the mapping records. */
function mappersOf(k: Kernel, wanted: FrameSet): Mappers {
  const out: Mappers = [];
  const add = (pfn: number, m: FrameMapping) => {
    if (!wanted.has(pfn)) return;
    const l = out[pfn];
    if (l) l.push(m);
    else out[pfn] = [m];
  };
  const d = k.mm.pfn;
  const names = new Map<number, string | null>();
  const nameOf = (spaceId: number) => {
    if (!names.has(spaceId)) names.set(spaceId, spaceId === 0 ? null : k.procs.bySpace(spaceId)?.name ?? null);
    return names.get(spaceId)!;
  };
  for (const pfn of wanted.list()) {
    if (pfn >= d.watermark || d.ownerSpace[pfn] < 0) continue;
    const space = k.mm.spaces.get(d.ownerSpace[pfn]);
    if (!space) continue;
    const va = d.ownerVa[pfn];
    const pte = space.getPte(vpnOf(va));
    if (pte === 0 || pteFrame(pte) !== pfn) continue;
    add(pfn, { process: nameOf(space.spaceId), va: fastHex(va), kind: va < 0 ? 'system' : 'user', valid: pte % 2 === 1 });
  }
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

export function frameView(k: Kernel, pfn: number, mappers?: Mappers): FrameView {
  const d = k.mm.pfn;
  const known = pfn < d.watermark;
  let map = mappers;
  if (!map) {
    const one = new FrameSet(Math.min(d.totalFrames, Math.max(d.watermark, pfn + 1)));
    one.add(pfn);
    map = mappersOf(k, one);
  }
  return {
    pfn,
    state: PAGE_STATE_NAMES[known ? d.state[pfn] : PageLocation.Zeroed],
    shareCount: known ? d.shareCount[pfn] : 0,
    referenceCount: known ? d.referenceCount[pfn] : 0,
    lockCount: known ? d.lockCount[pfn] : 0,
    modified: known ? (d.flags[pfn] & PFN_MODIFIED) !== 0 : false,
    dummy: pfn === k.dummyPfn || (known && (d.flags[pfn] & PFN_DUMMY) !== 0),
    mappedBy: map[pfn] ?? [],
  };
}

export function buildSnapshot(k: Kernel): MmSnapshot {
  const mdls: MdlView[] = [];
  // Frames above the watermark were never used: an MDL naming one still shows it (as Zeroed).
  const wanted = new FrameSet(k.mm.pfn.totalFrames);
  wanted.add(k.dummyPfn);
  const peeker = new Peeker(k);
  for (const rec of k.mdl.st.mdls.values()) {
    const v = mdlView(k, rec, peeker);
    if (!v) continue;
    mdls.push(v);
    for (const pfn of v.pfns) wanted.add(pfn);
  }
  const mappers = mappersOf(k, wanted);
  const frames = wanted.list().map((pfn) => frameView(k, pfn, mappers));
  const pageLists = {} as Record<PageState, number>;
  PAGE_STATE_NAMES.forEach((name, i) => { pageLists[name] = k.mm.pfn.listCount(i as PageLocation); });
  const pool = new Map<number, PoolTagView>();
  for (const a of k.pool.st.allocations.values()) {
    if (a.freed) continue;
    const key = (a.tag >>> 0) + (a.kind === 'Paged' ? 4294967296 : 0);
    const t = pool.get(key) ?? { tag: tagString(a.tag), poolType: a.kind, allocations: 0, bytes: 0 };
    t.allocations++;
    t.bytes += a.size;
    pool.set(key, t);
  }
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
    pool: [...pool.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.poolType < b.poolType ? -1 : 1)),
    irps: k.irpProvider ? k.irpProvider() : [],
    events: k.core.events.slice(-MAX_SNAPSHOT_EVENTS),
  };
}
