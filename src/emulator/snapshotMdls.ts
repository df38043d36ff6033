// The MDL views of the MM snapshot: each MDL's header and PFN slots read through the page tables
// without faults, the slots checked against the PTEs, and the previous stop's views handed out
// again when nothing they show has changed (snapshots are read-only).
import type { Kernel } from './kernel';
import type { MdlView } from './snapshotTypes';
import { mdlFlagNames, PAGE_SIZE, PFN_SENTINEL, MDL_PAGES_LOCKED, MDL_SOURCE_IS_NONPAGED_POOL, MDL_PARTIAL, MDL_IO_PAGE_READ } from './constants';
import { MDL as L } from './layouts';
import { spanPages } from './mdl';
import { vpnOf, pteFrame, PTE_TRANSITION } from './pageTables';
import type { MdlRecord } from './mdl';

/** Where the frames an MDL names are collected (the snapshot's frame set). */
export interface FrameSink {
  add(pfn: number): void;
}

const MAX_SLOTS_SHOWN = 1 << 20; // the contract shows every slot (4 GiB - PAGE_SIZE spans just under 2^20 pages)

// Hex digits of every 16-bit value (131,072 strings), made by the first snapshot: a run that never
// takes one keeps them out of its heap, where every full collection would have to mark them.
let HEX4: string[] | null = null;
let HEXN: string[] = [];
function hexTables(): string[] {
  HEXN = Array.from({ length: 65536 }, (_, i) => i.toString(16));
  HEX4 = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));
  return HEX4;
}

// The last string made for each of 1,024 buckets of values: the same address recurs across MDLs
// (NULL, a shared buffer, one process) and then costs no new string.
const HEX_MEMO = 1024;
const memoValue = new Float64Array(HEX_MEMO).fill(NaN);
const memoHex: string[] = new Array(HEX_MEMO).fill('');

/** `0x` hex of the unsigned 64-bit pattern of a safe integer, without BigInt (hot in big snapshots). */
export function fastHex(v: number): string {
  let hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  const slot = (lo ^ (lo >>> 10) ^ (lo >>> 20) ^ hi) & (HEX_MEMO - 1);
  if (memoValue[slot] === v) return memoHex[slot];
  const h4 = HEX4 ?? hexTables();
  const hn = HEXN;
  if (hi < 0) hi += 4294967296;
  let hex: string;
  if (hi === 0) hex = lo < 0x10000 ? '0x' + hn[lo] : '0x' + hn[lo >>> 16] + h4[lo & 0xffff];
  else {
    const low = h4[lo >>> 16] + h4[lo & 0xffff];
    hex = hi < 0x10000 ? '0x' + hn[hi] + low : '0x' + hn[hi >>> 16] + h4[hi & 0xffff] + low;
  }
  memoValue[slot] = v;
  memoHex[slot] = hex;
  return hex;
}

const flagNamesCache = new Map<number, string[]>();
function cachedFlagNames(flags: number): string[] {
  let names = flagNamesCache.get(flags);
  if (!names) flagNamesCache.set(flags, (names = mdlFlagNames(flags)));
  return names; // shared between views of equal flags: treat snapshot arrays as read-only
}

/** Reads guest memory through the page tables without faults: a cheap, allocation-free view. */
export class Peeker {
  private page = NaN;
  bytes: Uint8Array | null = null;
  /** The same page as little-endian 32-bit words (null with bytes), for aligned fields. */
  words: Uint32Array | null = null;
  constructor(private readonly k: Kernel) {}
  at(va: number): number {
    const off = (va & 0xfff);
    const base = va - off;
    if (base !== this.page) {
      this.page = base;
      const pa = this.k.mm.peekTranslate(base);
      const pfn = Math.floor(pa / PAGE_SIZE);
      this.bytes = pa < 0 ? null : this.k.mm.phys.view(pfn);
      this.words = pa < 0 ? null : this.k.mm.phys.words(pfn, false);
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

/**
 * What the previous stop showed for one MDL, with the numbers behind its hex strings: a view
 * whose every field reads the same again is handed out as the same object (snapshots are
 * read-only), and equal parts (strings, PFN and slot arrays) are shared, so a stop where little
 * changed allocates little.
 */
interface CachedView {
  view: MdlView;
  rec: MdlRecord;
  // the header's numbers, compared without touching the view
  next: number;
  process: number;
  mapped: number;
  startVa: number;
  flags: number;
  size: number;
  byteCount: number;
  byteOffset: number;
  /** Slots shown, and the first PFN (a one-page MDL is compared without its array). */
  n: number;
  pfn0: number;
  /** The view's arrays (the view itself is not touched when it is handed out again). */
  pfns: number[];
  slots: (boolean | null)[];
  origin: string;
  processName: string | null;
  /** The IRP and parent shown, as numbers (null when none): compared without formatting. */
  irpVa: number | null;
  parentVa: number | null;
  /** What the slot checks depended on: the page tables (MemoryManager.pteEpoch), the process context. */
  pteEpoch: number;
  currentSpace: number;
  proc: unknown;
  procAlive: boolean;
}

/**
 * The views of the previous stop in the order the MDLs were visited (between stops the MDL list
 * mostly keeps its order, so the entry is usually found at the next position without a lookup),
 * and by address, for MDLs that moved and after a checkpoint restore (which replaces the records).
 */
interface ViewCache {
  order: CachedView[];
  next: CachedView[];
  pos: number;
  /** `order` by MDL address, made on the first MDL not found in order (null until then). */
  byAddress: Map<number, CachedView> | null;
}

const viewCaches = new WeakMap<Kernel, ViewCache>();

// Scratch arrays reused between MDLs: filled, compared with the cached arrays, copied only on change.
let pfnScratch: number[] = [];
let slotScratch: (boolean | null)[] = [];

function samePfns(prev: readonly number[] | undefined, n: number): boolean {
  if (!prev || prev.length !== n) return false;
  const cur = pfnScratch;
  for (let i = 0; i < n; i++) if (prev[i] !== cur[i]) return false;
  return true;
}

function sameSlots(prev: readonly (boolean | null)[] | undefined, n: number): boolean {
  if (!prev || prev.length !== n) return false;
  const cur = slotScratch;
  for (let i = 0; i < n; i++) if (prev[i] !== cur[i]) return false;
  return true;
}

/** Read `count` PFN slots at `va` into pfnScratch (stops at an unreadable page); returns how many. */
function readSlots(k: Kernel, pk: Peeker, va: number, count: number): number {
  const out = pfnScratch;
  let n = 0;
  if (count <= 16) {
    // a few slots: through the peeker, which already has the MDL's page
    for (; n < count; n++) {
      if (!pk.ok(va + n * 8)) break;
      out[n] = pk.u64(va + n * 8);
    }
    return n;
  }
  while (n < count) {
    const at = va + n * 8;
    const pa = k.mm.peekTranslate(at);
    if (pa < 0) break;
    const bytes = k.mm.phys.view(Math.floor(pa / PAGE_SIZE));
    const off = pa & 0xfff;
    const inPage = Math.min(count - n, (PAGE_SIZE - off) >> 3);
    if (inPage === 0) {
      // a slot that straddles two pages (a PFN array that is not 8-aligned): through the peeker
      if (!pk.ok(at + 7)) break;
      out[n++] = pk.u64(at);
      continue;
    }
    if (((bytes.byteOffset + off) & 3) === 0) {
      // whole page of slots as 32-bit words (little-endian hosts, as elsewhere in the emulator)
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset + off, inPage * 2);
      for (let j = 0; j < inPage; j++) {
        const lo = w[2 * j];
        const hi = w[2 * j + 1];
        out[n + j] = hi === 0 ? lo : hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
      }
    } else {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + off, inPage * 8);
      for (let j = 0; j < inPage; j++) {
        const lo = dv.getUint32(8 * j, true);
        const hi = dv.getUint32(8 * j + 4, true);
        out[n + j] = hi === 0 ? lo : hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
      }
    }
    n += inPage;
  }
  return n;
}

/**
 * Per slot: does the PFN agree with the PTE for its VA (valid or transition naming that frame)?
 * Into slotScratch; the page table is looked up once per 512 slots, not per slot.
 */
function checkSlots(k: Kernel, n: number, startVa: number, described: boolean, proc: { spaceId: number; alive: boolean } | undefined): void {
  const out = slotScratch;
  const pfns = pfnScratch;
  if (!described || startVa === 0) {
    for (let i = 0; i < n; i++) out[i] = null;
    return;
  }
  const dummy = k.dummyPfn;
  let space = k.mm.system;
  let spaceOk = true;
  if (startVa >= 0) {
    const owner = proc ?? k.procs.current;
    const sp = k.mm.spaces.get(owner.spaceId);
    spaceOk = !!sp && owner.alive;
    if (sp) space = sp;
  }
  const firstVpn = vpnOf(startVa);
  // the table found for the previous MDL often serves this one (many MDLs over one buffer)
  if (ptSpace !== space) { ptSpace = space; ptBlock = -1; ptEntries = null; }
  let block = ptBlock;
  let entries = ptEntries;
  for (let i = 0; i < n; i++) {
    const pfn = pfns[i];
    if (pfn === PFN_SENTINEL || pfn === dummy) { out[i] = null; continue; }
    const va = startVa + i * PAGE_SIZE;
    // a range that crosses from user to system space is checked against system space from there
    if (va < 0 !== startVa < 0 || !spaceOk) { out[i] = va < 0 ? checkOne(k, va, pfn) : false; continue; }
    const vpn = firstVpn + i;
    const b = Math.floor(vpn / 512);
    if (b !== block) {
      block = b;
      entries = space.pt(vpn, false)?.entries ?? null;
    }
    const pte = entries ? entries[vpn % 512] : 0;
    out[i] = (pte % 2 === 1 || ((pte % 4096) & PTE_TRANSITION) !== 0) && pteFrame(pte) === pfn;
  }
  ptBlock = block;
  ptEntries = entries;
}

// The last page table checkSlots used; reset at the start of every snapshot (tables change between stops).
let ptSpace: unknown = null;
let ptBlock = -1;
let ptEntries: Float64Array | null = null;

function checkOne(k: Kernel, va: number, pfn: number): boolean {
  const pte = k.mm.system.getPte(vpnOf(va));
  return (pte % 2 === 1 || ((pte % 4096) & PTE_TRANSITION) !== 0) && pteFrame(pte) === pfn;
}

function u32At(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** The 64-bit value at word w of a page as a safe number (kernel addresses negative; all ones is -1). */
function u64Word(words: Uint32Array, w: number): number {
  const lo = words[w];
  const hi = words[w + 1];
  if (hi === 0) return lo;
  return hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
}

/** A 64-bit little-endian value as a safe number (kernel addresses negative; all ones is -1). */
function u64At(b: Uint8Array, o: number): number {
  const lo = u32At(b, o);
  const hi = u32At(b, o + 4);
  if (hi === 0) return lo;
  return hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
}

const hexOf = (v: number, prev: number | undefined, prevHex: string | undefined): string =>
  v === prev && prevHex !== undefined ? prevHex : fastHex(v);

function viewCacheOf(k: Kernel): ViewCache {
  let cache = viewCaches.get(k);
  if (!cache) viewCaches.set(k, (cache = { order: [], next: [], pos: 0, byAddress: null }));
  return cache;
}

// One-page MDLs share their one-element arrays (snapshot arrays are read-only).
const ONE_SLOT = new Map<boolean | null, (boolean | null)[]>([[true, [true]], [false, [false]], [null, [null]]]);
let lastOnePfn: number[] = [NaN];
function onePfn(pfn: number): number[] {
  if (lastOnePfn[0] !== pfn) lastOnePfn = [pfn];
  return lastOnePfn;
}

/** The previous stop's entry for this MDL: at the next position when the list kept its order. */
function lookUp(cache: ViewCache, rec: MdlRecord): CachedView | undefined {
  const order = cache.order;
  let p = cache.pos;
  if (p < order.length && order[p].rec !== rec && p + 1 < order.length && order[p + 1].rec === rec) p++; // one was freed
  if (p < order.length && order[p].rec === rec) {
    cache.pos = p + 1;
    return order[p];
  }
  if (order.length === 0) return undefined;
  if (cache.byAddress === null) {
    cache.byAddress = new Map();
    for (const e of order) cache.byAddress.set(e.rec.address, e);
  }
  return cache.byAddress.get(rec.address);
}

/** The view of one MDL; the frames it names are added to `wanted` (read while at hand). */
export function mdlView(k: Kernel, rec: MdlRecord, peeker?: Peeker, chainIrp?: ReadonlyMap<number, number>, viewCache?: ViewCache, wanted?: FrameSink): MdlView | null {
  const a = rec.address;
  if (!peeker) ptSpace = null; // a call on its own: tables may have changed since the last one
  const pk = peeker ?? new Peeker(k);
  if (!pk.ok(a) || !pk.ok(a + L.sizeof - 1)) return null;
  const cache = viewCache ?? viewCacheOf(k);
  const c = lookUp(cache, rec);
  const prev = c?.view;
  let flags: number, size: number, next: number, process: number, mapped: number, startVa: number, byteCount: number, byteOffset: number;
  const o = pk.at(a);
  const b = pk.bytes!;
  const words = pk.words!;
  // Pool MDLs are 16-byte aligned: their header is read a 32-bit word at a time (the offsets below
  // are those of the x64 MDL: Size and MdlFlags share the word at 8)
  const aligned = (o & 3) === 0 && o <= PAGE_SIZE - L.sizeof;
  if (aligned) {
    const w = o >> 2;
    const sizeFlags = words[w + (L.Size >> 2)];
    size = (sizeFlags << 16) >> 16;
    flags = sizeFlags >>> 16;
    next = u64Word(words, w + (L.Next >> 2));
    process = u64Word(words, w + (L.Process >> 2));
    mapped = u64Word(words, w + (L.MappedSystemVa >> 2));
    startVa = u64Word(words, w + (L.StartVa >> 2));
    byteCount = words[w + (L.ByteCount >> 2)];
    byteOffset = words[w + (L.ByteOffset >> 2)];
  } else if (o <= PAGE_SIZE - L.sizeof) {
    // the whole header is in one page: straight from its bytes
    flags = b[o + L.MdlFlags] | (b[o + L.MdlFlags + 1] << 8);
    size = ((b[o + L.Size] | (b[o + L.Size + 1] << 8)) << 16) >> 16;
    next = u64At(b, o + L.Next);
    process = u64At(b, o + L.Process);
    mapped = u64At(b, o + L.MappedSystemVa);
    startVa = u64At(b, o + L.StartVa);
    byteCount = u32At(b, o + L.ByteCount);
    byteOffset = u32At(b, o + L.ByteOffset);
  } else {
    flags = pk.u16(a + L.MdlFlags);
    size = (pk.u16(a + L.Size) << 16) >> 16;
    next = pk.u64(a + L.Next);
    process = pk.u64(a + L.Process);
    mapped = pk.u64(a + L.MappedSystemVa);
    startVa = pk.u64(a + L.StartVa);
    byteCount = pk.u32(a + L.ByteCount);
    byteOffset = pk.u32(a + L.ByteOffset);
  }
  const pageCount = spanPages(startVa + byteOffset, byteCount);
  const shown = Math.min(pageCount, MAX_SLOTS_SHOWN);
  if (pfnScratch.length < shown) pfnScratch = new Array(shown).fill(0);
  if (slotScratch.length < shown) slotScratch = new Array(shown).fill(null);
  let n: number;
  if (shown <= 16 && o + L.PfnArray + 8 * shown <= PAGE_SIZE) {
    // a few slots in the header's page: straight from its bytes
    if (aligned) for (let i = 0, w = (o + L.PfnArray) >> 2; i < shown; i++, w += 2) pfnScratch[i] = u64Word(words, w);
    else for (let i = 0; i < shown; i++) pfnScratch[i] = u64At(b, o + L.PfnArray + 8 * i);
    n = shown;
  } else n = readSlots(k, pk, a + L.PfnArray, shown);
  if (wanted) for (let i = 0; i < n; i++) wanted.add(pfnScratch[i]);
  const proc = process ? k.procs.byEprocess(process) : undefined;
  const procAlive = proc !== undefined && proc.alive;
  const epoch = k.mm.pteEpoch;
  const currentSpace = k.mm.current.spaceId;
  // Drivers may splice Irp->MdlAddress themselves (reference 4.1): the chain names the IRP too.
  const irpVa = rec.irp ?? (chainIrp && chainIrp.size ? chainIrp.get(a) ?? null : null);
  const parentVa = rec.parent;
  const pfnsSame = c !== undefined && c.n === n && (n === 0 || (c.pfn0 === pfnScratch[0] && (n === 1 || samePfns(c.pfns, n))));
  // The slot checks read page tables: unchanged when the PFNs, the range, the page tables and the
  // process context all are.
  const slotsSame = pfnsSame && c!.startVa === startVa && c!.flags === flags &&
    c!.pteEpoch === epoch && c!.currentSpace === currentSpace && c!.proc === proc && c!.procAlive === procAlive;
  let slots: readonly (boolean | null)[];
  if (slotsSame) slots = c!.slots;
  else {
    const described = (flags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_IO_PAGE_READ)) !== 0;
    checkSlots(k, n, startVa, described, proc);
    slots = sameSlots(c?.slots, n) ? c!.slots : n === 1 ? ONE_SLOT.get(slotScratch[0])! : slotScratch.slice(0, n);
  }
  if (pfnsSame && (slotsSame || slots === c!.slots) && c!.startVa === startVa && c!.flags === flags && c!.next === next &&
    c!.process === process && c!.mapped === mapped && c!.size === size && c!.byteCount === byteCount &&
    c!.byteOffset === byteOffset && c!.irpVa === irpVa && c!.parentVa === parentVa && c!.origin === rec.origin &&
    c!.processName === (proc ? proc.name : null)) {
    // the same view; what the slot checks were derived from is now this stop's
    c!.pteEpoch = epoch;
    c!.currentSpace = currentSpace;
    c!.proc = proc;
    c!.procAlive = procAlive;
    c!.rec = rec;
    cache.next.push(c!);
    return prev!;
  }
  const pfns = pfnsSame ? c!.pfns : n === 1 ? onePfn(pfnScratch[0]) : pfnScratch.slice(0, n);
  const view: MdlView = {
    address: prev ? prev.address : fastHex(a),
    next: hexOf(next, c?.next, prev?.next),
    size,
    flags,
    flagNames: cachedFlagNames(flags),
    process: hexOf(process, c?.process, prev?.process),
    processName: proc ? proc.name : null,
    mappedSystemVa: hexOf(mapped, c?.mapped, prev?.mappedSystemVa),
    startVa: hexOf(startVa, c?.startVa, prev?.startVa),
    byteCount,
    byteOffset,
    pageCount,
    pfns,
    origin: rec.origin,
    parent: parentVa === null ? null : prev && c!.parentVa === parentVa ? prev.parent : fastHex(parentVa),
    irp: irpVa === null ? null : prev && c!.irpVa === irpVa ? prev.irp : fastHex(irpVa),
    slotMatchesPageTables: slots as (boolean | null)[],
  };
  const entry: CachedView = {
    view, rec, next, process, mapped, startVa, flags, size, byteCount, byteOffset, n, pfn0: n > 0 ? pfns[0] : 0, pfns, slots: view.slotMatchesPageTables,
    origin: rec.origin, processName: view.processName, irpVa, parentVa, pteEpoch: epoch, currentSpace, proc, procAlive,
  };
  cache.next.push(entry);
  return view;
}

/**
 * The views of every tracked MDL at this stop, in the MDL list's order; the frames they name go
 * to `wanted`. This stop's views become what the next stop compares with (MDLs that are gone are
 * forgotten).
 */
export function mdlViews(k: Kernel, chainIrp: ReadonlyMap<number, number>, wanted: FrameSink): MdlView[] {
  const mdls: MdlView[] = [];
  const peeker = new Peeker(k);
  const cache = viewCacheOf(k);
  cache.pos = 0;
  cache.next = [];
  ptSpace = null;
  for (const rec of k.mdl.st.mdls.values()) {
    const v = mdlView(k, rec, peeker, chainIrp, cache, wanted);
    if (v) mdls.push(v);
  }
  cache.order = cache.next;
  cache.next = [];
  cache.byAddress = null;
  return mdls;
}

/** Forget the MDL views kept between stops. */
export function forgetMdlViews(k: Kernel): void {
  viewCaches.delete(k);
}
