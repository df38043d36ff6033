// Nonpaged and paged pool: tagged allocations with 16-byte POOL_HEADERs, small blocks carved from
// pool pages and reused LIFO (stale contents stay, as on Windows), page-aligned big allocations,
// and — with Driver Verifier on — special pool: each allocation alone at the end of its page
// followed by a guard page, freed pages made inaccessible (0xD5 on a later touch).
import type { Kernel } from './kernel';
import { APC_LEVEL, DISPATCH_LEVEL, LAYOUT, PAGE_SIZE } from './constants';
import { vpnOf, makeDemandZeroPte, MM_NOACCESS } from './pageTables';
import { hex64 } from './u64';
import type { PoolTagView } from './snapshotTypes';

export type PoolKind = 'NonPaged' | 'Paged';

export interface PoolAllocation {
  va: number;
  size: number;
  tag: number;
  kind: PoolKind;
  freed: boolean;
  /** 'small' blocks have a header in front; 'big' ones own whole pages; 'special' is verifier special pool. */
  layout: 'small' | 'big' | 'special';
  pageVa: number;
  pages: number;
  units: number;
}

interface PoolState {
  allocations: Map<number, PoolAllocation>;
  freeLists: Map<string, number[]>;
  carvePage: Record<PoolKind, number>;
  carveUsed: Record<PoolKind, number>;
  nextVa: Record<PoolKind, number>;
  /** Pages of freed special pool: touching them is DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL. */
  freedSpecialPages: Set<number>;
  /** Freed special-pool pages in the order they were freed; the oldest are reused after a while. */
  quarantine: Record<PoolKind, number[]>;
  /** Freed big allocations kept for double-free detection, oldest first (bounded). */
  freedBig: number[];
}

/** Freed special pages stay inaccessible this long (in frees) before their VA is reused. */
const QUARANTINE = 1024;
/** Freed big allocations remembered for double-free reports. */
const FREED_RECORDS = 4096;

export type PoolSave = PoolState;

interface LiveTag {
  tag: number;
  kind: PoolKind;
  /** In allocation order (a Set keeps insertion order). */
  allocations: Set<PoolAllocation>;
  bytes: number;
}

const NONE_LIVE: readonly PoolAllocation[] = [];

/** One key per tag and pool type (a tag's high bit is kept: tags differing only there are told apart). */
function tagKey(tag: number, kind: PoolKind): number {
  return (tag >>> 0) + (kind === 'Paged' ? 4294967296 : 0);
}

const HEADER = 16;

/** The four characters of a pool tag as they lie in memory ('Mdl ' etc.). */
export function tagString(tag: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = (tag >>> (8 * i)) & 0xff;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

export function tagValue(text: string): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v |= (text.charCodeAt(i) & 0xff) << (8 * i);
  return v >>> 0;
}

export class Pool {
  st: PoolState;

  constructor(private readonly k: Kernel) {
    this.st = {
      allocations: new Map(),
      freeLists: new Map(),
      carvePage: { NonPaged: 0, Paged: 0 },
      carveUsed: { NonPaged: PAGE_SIZE, Paged: PAGE_SIZE },
      nextVa: { NonPaged: LAYOUT.nonPagedPoolBase, Paged: LAYOUT.pagedPoolBase },
      freedSpecialPages: new Set(),
      quarantine: { NonPaged: [], Paged: [] },
      freedBig: [],
    };
  }

  /** Reserve pages of pool VA space; nonpaged pages get frames now, paged ones are demand zero. */
  private reservePages(kind: PoolKind, pages: number, guard: boolean): number {
    const va = this.st.nextVa[kind];
    this.st.nextVa[kind] += (pages + (guard ? 1 : 0)) * PAGE_SIZE;
    const space = this.k.mm.system;
    if (kind === 'Paged') {
      const vpn = vpnOf(va);
      for (let i = 0; i < pages; i++) space.setPte(vpn + i, makeDemandZeroPte(4));
      this.k.mm.flushTlb();
      return va;
    }
    const vpn = vpnOf(va);
    for (let i = 0; i < pages; i++) {
      const pfn = this.k.mm.allocateFrame(true);
      if (pfn < 0) {
        for (let j = 0; j < i; j++) this.k.mm.releasePage(space, vpn + j);
        return 0;
      }
      this.k.mm.mapNewFrame(space, vpn + i, 4, pfn);
    }
    return va;
  }

  /**
   * ExAllocatePool*: returns the block's VA or 0. `special` defaults to Driver Verifier's state
   * (special pool covers blocks smaller than a page).
   */
  allocate(kind: PoolKind, size: number, tag: number, special = this.k.verifier): number {
    const irql = this.k.irql;
    // Reference 6 / DV 0xC4 subcodes 0x00-0x02 for pool allocation misuse.
    if (size === 0) this.k.verifierCheck(0x00, irql, kind === 'Paged' ? 1 : 0, 0, 'zero-byte pool allocation');
    if (kind === 'Paged' && irql > APC_LEVEL) this.k.verifierCheck(0x01, irql, 1, size, 'paged pool allocated above APC_LEVEL');
    if (kind === 'NonPaged' && irql > DISPATCH_LEVEL) this.k.verifierCheck(0x02, irql, 0, size, 'nonpaged pool allocated above DISPATCH_LEVEL');
    // More than the machine's memory can never be satisfied: NULL (pool exhaustion).
    if (!(size >= 0) || size > this.k.totalFrames * PAGE_SIZE) return 0;
    let a: PoolAllocation;
    if (special && size + HEADER <= PAGE_SIZE) {
      const pageVa = this.takeSpecialPage(kind);
      if (!pageVa) return 0;
      const units = Math.ceil(Math.max(size, 1) / HEADER);
      const va = pageVa + PAGE_SIZE - units * HEADER;
      a = { va, size, tag, kind, freed: false, layout: 'special', pageVa, pages: 1, units };
    } else if (size + HEADER > PAGE_SIZE) {
      const pages = Math.ceil(size / PAGE_SIZE);
      const pageVa = this.reservePages(kind, pages, special);
      if (!pageVa) return 0;
      a = { va: pageVa, size, tag, kind, freed: false, layout: 'big', pageVa, pages, units: 0 };
    } else {
      const units = Math.ceil((Math.max(size, 1) + HEADER) / HEADER);
      const key = `${kind}:${units}`;
      const list = this.st.freeLists.get(key);
      let block = list && list.length ? list.pop()! : 0;
      if (!block) {
        if (this.st.carveUsed[kind] + units * HEADER > PAGE_SIZE) {
          const page = this.reservePages(kind, 1, false);
          if (!page) return 0;
          this.st.carvePage[kind] = page;
          this.st.carveUsed[kind] = 0;
        }
        block = this.st.carvePage[kind] + this.st.carveUsed[kind];
        this.st.carveUsed[kind] += units * HEADER;
      }
      a = { va: block + HEADER, size, tag, kind, freed: false, layout: 'small', pageVa: block - (block % PAGE_SIZE), pages: 0, units };
    }
    this.st.allocations.set(a.va, a);
    this.becameLive(a);
    this.writeHeader(a);
    return a.va;
  }

  /** A page (with an unmapped guard page after it) for one special-pool allocation. */
  private takeSpecialPage(kind: PoolKind): number {
    const q = this.st.quarantine[kind];
    if (q.length <= QUARANTINE) return this.reservePages(kind, 1, true);
    const pageVa = q.shift()!;
    this.st.freedSpecialPages.delete(pageVa);
    for (const [va, a] of this.st.allocations) if (a.layout === 'special' && a.pageVa === pageVa) this.st.allocations.delete(va);
    const space = this.k.mm.system;
    const vpn = vpnOf(pageVa);
    if (kind === 'Paged') {
      this.k.mm.setPte(space, vpn, makeDemandZeroPte(4));
      return pageVa;
    }
    const pfn = this.k.mm.allocateFrame(true);
    if (pfn < 0) return 0;
    space.setPte(vpn, 0);
    this.k.mm.mapNewFrame(space, vpn, 4, pfn);
    return pageVa;
  }

  private writeHeader(a: PoolAllocation): void {
    if (a.layout === 'big') return; // big pages are tracked in a table, not by an in-page header
    const h = a.va - HEADER;
    const m = this.k.memory;
    m.write8(h, 0);
    m.write8(h + 1, 0);
    m.write8(h + 2, a.units + 1);
    m.write8(h + 3, a.freed ? 0 : (a.kind === 'Paged' ? 1 : 0) + 1);
    m.write32(h + 4, a.tag >>> 0);
    m.write64(h + 8, 0);
  }

  headerContents(a: PoolAllocation): number {
    if (a.layout === 'big') return 0;
    return this.k.memory.read32(a.va - HEADER);
  }

  find(va: number): PoolAllocation | undefined {
    return this.st.allocations.get(va);
  }

  /** The live allocation containing va, if any. */
  containing(va: number): PoolAllocation | undefined {
    for (const a of this.st.allocations.values()) {
      if (!a.freed && va >= a.va && va < a.va + Math.max(a.size, 1)) return a;
    }
    return undefined;
  }

  /** ExFreePoolWithTag / ExFreePool (tag null). */
  free(va: number, tag: number | null): void {
    const a = this.st.allocations.get(va);
    const irql = this.k.irql;
    if (!a) {
      // DV 0xC4/0x10: freeing an address no allocation returned; plain Windows: BAD_POOL_CALLER.
      this.k.verifierCheck(0x10, va, 0, 0, `ExFreePool of ${hex64(va)}, which no pool allocation returned`);
      this.k.bugCheck(0xc2, [0x42, va, 0, 0], `ExFreePool of ${hex64(va)}, which is not the start of a pool block`);
    }
    if (a.freed) {
      // BAD_POOL_CALLER 7: the block was already freed (pool header says free).
      this.k.bugCheck(0xc2, [0x07, 0, this.headerContents(a), va], `double free of pool block ${hex64(va)} (tag '${tagString(a.tag)}')`);
    }
    if (tag !== null && ((tag ^ a.tag) & 0x7fffffff) !== 0) {
      // BAD_POOL_CALLER 0x0A: freed with a tag other than the one it was allocated with.
      this.k.bugCheck(0xc2, [0x0a, va, a.tag >>> 0, tag >>> 0], `ExFreePoolWithTag(${hex64(va)}, '${tagString(tag)}') but the block was allocated with tag '${tagString(a.tag)}'`);
    }
    if (a.kind === 'Paged' && irql > APC_LEVEL) this.k.verifierCheck(0x11, irql, 1, va, 'paged pool freed above APC_LEVEL');
    if (a.kind === 'NonPaged' && irql > DISPATCH_LEVEL) this.k.verifierCheck(0x12, irql, 0, va, 'nonpaged pool freed above DISPATCH_LEVEL');
    a.freed = true;
    this.becameFree(a);
    const space = this.k.mm.system;
    if (a.layout === 'small') {
      this.writeHeader(a);
      const key = `${a.kind}:${a.units}`;
      const list = this.st.freeLists.get(key) ?? [];
      list.push(a.va - HEADER);
      this.st.freeLists.set(key, list);
    } else {
      const vpn = vpnOf(a.pageVa);
      for (let i = 0; i < a.pages; i++) {
        this.k.mm.releasePage(space, vpn + i);
        if (a.layout === 'special') {
          space.setPte(vpn + i, makeDemandZeroPte(MM_NOACCESS));
          this.st.freedSpecialPages.add(a.pageVa + i * PAGE_SIZE);
          this.st.quarantine[a.kind].push(a.pageVa + i * PAGE_SIZE);
        }
      }
      this.k.mm.flushTlb();
      if (a.layout === 'big') {
        this.st.freedBig.push(a.va);
        if (this.st.freedBig.length > FREED_RECORDS) {
          const old = this.st.freedBig.shift()!;
          if (this.st.allocations.get(old)?.freed) this.st.allocations.delete(old);
        }
      }
    }
  }

  /** Called on a bad kernel access: freed special pool is reported as 0xD5, not 0x50. */
  checkFreedSpecialPool(va: number, write: boolean): void {
    const page = va - ((va & 0xfff));
    if (this.st.freedSpecialPages.has(page)) {
      this.k.bugCheck(0xd5, [va, write ? 1 : 0, this.k.instructionPointer(), 0], `driver touched ${hex64(va)} in special pool it had already freed`);
    }
  }

  /** Is va in paged pool (pageable system memory)? */
  isPaged(va: number): boolean {
    return va >= LAYOUT.pagedPoolBase && va < this.st.nextVa.Paged;
  }

  isNonPagedPool(va: number): boolean {
    return va >= LAYOUT.nonPagedPoolBase && va < this.st.nextVa.NonPaged;
  }

  pagedRangeVpns(): [number, number] {
    return [vpnOf(LAYOUT.pagedPoolBase), vpnOf(this.st.nextVa.Paged)];
  }

  /** The live allocations with this tag and pool type, oldest first (read-only; IRPs for the snapshot). */
  liveWithTag(tag: number, kind: PoolKind): Iterable<PoolAllocation> {
    return this.live.get(tagKey(tag, kind))?.allocations ?? NONE_LIVE;
  }

  /** Allocations and bytes per tag and pool type, sorted by tag (the snapshot's pool view; read-only). */
  tagTotals(): readonly PoolTagView[] {
    if (this.byTagAt !== this.changes) {
      const out: PoolTagView[] = [];
      for (const t of this.live.values()) {
        if (t.allocations.size > 0) out.push({ tag: tagString(t.tag), poolType: t.kind, allocations: t.allocations.size, bytes: t.bytes });
      }
      this.byTag = out.sort((x, y) => (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : x.poolType < y.poolType ? -1 : 1));
      this.byTagAt = this.changes;
    }
    return this.byTag;
  }

  // Host-side only (never saved, rebuilt on restore): the live allocations by tag and pool type,
  // kept as allocations come and go, so a stop's pool view and IRP list cost the number of tags and
  // IRPs rather than a walk over every allocation (a stop with 10,000 MDLs has 10,000 of them).
  private live = new Map<number, LiveTag>();
  private changes = 0;
  private byTagAt = -1;
  private byTag: PoolTagView[] = [];

  private becameLive(a: PoolAllocation): void {
    const key = tagKey(a.tag, a.kind);
    let t = this.live.get(key);
    if (!t) this.live.set(key, (t = { tag: a.tag, kind: a.kind, allocations: new Set(), bytes: 0 }));
    t.allocations.add(a);
    t.bytes += a.size;
    this.changes++;
  }

  private becameFree(a: PoolAllocation): void {
    const t = this.live.get(tagKey(a.tag, a.kind));
    if (t && t.allocations.delete(a)) t.bytes -= a.size;
    this.changes++;
  }

  save(): PoolSave {
    return structuredClone(this.st);
  }

  restore(s: PoolSave): void {
    this.st = structuredClone(s);
    this.live.clear();
    for (const a of this.st.allocations.values()) if (!a.freed) this.becameLive(a);
    this.changes++;
  }
}
