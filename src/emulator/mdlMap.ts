// Mapping locked pages: MmMapLockedPagesSpecifyCache (kernel and user mode), MmUnmapLockedPages,
// reserved mappings, and MmAllocatePagesForMdlEx / MmFreePagesFromMdl (reference 2.7–2.9,
// 2.12, 2.13, 6.3, 6.4, 6.11–6.13).
import type { Kernel } from './kernel';
import { SehException } from './contract';
import { MDL as L } from './layouts';
import {
  PAGE_SIZE, DISPATCH_LEVEL, APC_LEVEL, UserMode, KernelMode, STATUS, PFN_SENTINEL, MM_HIGHEST_USER_ADDRESS,
  MDL_PAGES_LOCKED, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL, MDL_PARTIAL, MDL_PARTIAL_HAS_BEEN_MAPPED,
  MDL_FREE_EXTRA_PTES, MDL_IO_SPACE, MDL_MAPPING_CAN_FAIL, MDL_PARENT_MAPPED_SYSTEM_VA,
  MdlMappingNoWrite, MdlMappingNoExecute, LowPagePriority, NormalPagePriority, MM_DONT_ZERO_ALLOCATION,
  MM_ALLOCATE_FULLY_REQUIRED, MM_ALLOCATE_VALID_FLAGS, mdlFlagNames,
} from './constants';
import { spanPages, pageAlign, MDL_TAG } from './mdl';
import { readPfnArray, readPfnArrayScratch, writePfnArray, PfnRuns } from './pfnArray';
import { lockRunsOf } from './lockRuns';
import { vpnOf, makeValidPte, PTE_VALID, PTE_WRITE, PTE_ACCESSED, PTE_NX } from './pageTables';
import { PFN_DELETED, PFN_MDL_ALLOCATED } from './pfnDatabase';
import { hex64 } from './u64';

export interface MappingRecord {
  /** Page-aligned first VA of the system PTE range. */
  base: number;
  pages: number;
  /** The MDL mapped there (0 for an unused reserved range). */
  mdl: number;
  firstPfn: number;
  startVa: number;
  kind: 'mdl' | 'reserved';
  tag: number;
  /** For reserved ranges: how many pages were reserved. */
  reservedPages: number;
  /** The MDL was freed while mapped (leaked system PTEs, reference 6.4). */
  leaked?: boolean;
  mdlFreed?: boolean;
}

/**
 * Write system PTEs for the first `pages` frames of the MDL's PFN array, read in place a run of
 * consecutive frames at a time and a page table at a time (the all-ones sentinel ends the array;
 * impossible values leave the PTE invalid). With `check`, each frame is also checked for being
 * mappable on the way (one pass).
 */
function writeSystemPtes(k: Kernel, base: number, mdl: number, pages: number, writable: boolean, noExecute: boolean, cacheType = -1, check?: { flags: number }): void {
  const space = k.mm.system;
  const d = k.mm.pfn;
  const cache = d.cacheAttribute;
  const known = d.watermark;
  const locks = d.lockCount;
  const checkLocks = check !== undefined && !(check.flags & MDL_SOURCE_IS_NONPAGED_POOL);
  const vpn0 = vpnOf(base);
  const low = PTE_VALID + (writable ? PTE_WRITE : 0) + PTE_ACCESSED + (noExecute ? PTE_NX : 0);
  const runs = PfnRuns.take(k, mdl + L.PfnArray, pages, lockRunsOf(k, mdl, pages));
  try {
    while (runs.next()) {
      const first = runs.first;
      const m = runs.m;
      const index = runs.index;
      if (first < 0) break; // the all-ones sentinel ends the array
      if (first + m <= known) {
        // the common case: frames with PFN entries (int indexes, a double index is several times
        // slower in V8: PFNs of RAM stay below 2^31)
        const p0 = first | 0;
        const p1 = p0 + m;
        // (a native search finds an unlocked frame: most runs have none)
        if (checkLocks && locks.subarray(p0, p1).indexOf(0) >= 0) {
          for (let pfn = p0; pfn < p1; pfn++) if (locks[pfn] === 0) checkFrame(k, mdl, check!.flags, pfn, index + pfn - p0, pages);
        }
        // the frame's cache attribute wins; CacheType only applies to frames without one (reference 2.8)
        if (cacheType >= 0) d.recordCacheAttribute(p0, p1, cacheType);
        let t = 0;
        while (t < m) {
          const vpn = vpn0 + index + t;
          const idx0 = vpn % 512;
          const n = Math.min(512 - idx0, m - t);
          const e = space.pt(vpn, true)!.entries;
          for (let j = idx0, end = idx0 + n, w = (p0 + t) * 4096 + low; j < end; j++, w += 4096) e[j] = w;
          t += n;
        }
        continue;
      }
      for (let t = 0; t < m; t++) {
        const pfn = first + t;
        if (pfn < known) {
          if (checkLocks && locks[pfn] === 0) checkFrame(k, mdl, check!.flags, pfn, index + t, pages);
          if (cacheType >= 0 && cache[pfn] < 0) cache[pfn] = cacheType;
        } else if (check) checkFrame(k, mdl, check.flags, pfn, index + t, pages);
        space.setPte(vpn0 + index + t, pfn < 2 ** 36 ? pfn * 4096 + low : 0);
      }
    }
  } finally {
    runs.release();
  }
  k.mm.flushTlb();
}

function clearPtes(k: Kernel, base: number, pages: number, user: boolean): void {
  const space = user ? k.mm.current : k.mm.system;
  const vpn0 = vpnOf(base);
  let i = 0;
  while (i < pages) {
    const idx0 = (vpn0 + i) % 512;
    const n = Math.min(512 - idx0, pages - i);
    const pt = space.pt(vpn0 + i, false);
    if (pt) pt.entries.fill(0, idx0, idx0 + n);
    i += n;
  }
  k.mm.flushTlb();
}

/** Emulator policy for "Low/Normal priority requests fail earlier when PTEs are scarce" (reference 2.8). */
function ptesAllowed(k: Kernel, pages: number, priority: number): boolean {
  const p = priority & 0xff;
  const left = k.ptes.available - pages;
  if (left < 0) return false;
  if (p <= LowPagePriority) return left >= k.ptes.total / 16;
  if (p <= NormalPagePriority) return left >= k.ptes.total / 64;
  return true;
}

/** Every frame must be RAM (or the MDL says I/O space) and locked (reference 2.8, 6.10, 6.12). Slot `i` of `count`. */
function checkFrame(k: Kernel, mdl: number, flags: number, pfn: number, i: number, count: number): void {
  const d = k.mm.pfn;
  if (!(pfn >= 0 && pfn < d.totalFrames)) {
    if (!(flags & MDL_IO_SPACE)) k.verifierCheck(0x89, mdl, mdl + L.PfnArray + i * 8, pfn, `the MDL at ${hex64(mdl)} names frame 0x${pfn.toString(16)}, which is not RAM, without MDL_IO_SPACE`);
    return;
  }
  if (flags & MDL_SOURCE_IS_NONPAGED_POOL) return;
  if (pfn >= d.watermark || (d.lockCount[pfn] === 0 && d.referenceCount[pfn] <= (d.shareCount[pfn] > 0 ? 1 : 0) && !(d.flags[pfn] & PFN_MDL_ALLOCATED))) {
    // A partial MDL outliving its parent, or an unlocked MDL (reference 6.10, 6.12).
    k.verifierCheck(0x85, mdl, count, pfn, `mapping the MDL at ${hex64(mdl)}: frame 0x${pfn.toString(16)} is not locked`);
    k.bugCheck(0x1a, [0x1233, pfn, 0, 0], `mapping a physical page (frame 0x${pfn.toString(16)}) that is not locked`);
  }
}

function checkFramesMappable(k: Kernel, mdl: number, flags: number, pfns: Float64Array): void {
  for (let i = 0; i < pfns.length; i++) {
    if (pfns[i] === PFN_SENTINEL) break;
    checkFrame(k, mdl, flags, pfns[i], i, pfns.length);
  }
}

export function mapLockedPagesSpecifyCache(k: Kernel, mdl: number, accessMode: number, cacheType: number, requested: number, bugCheckOnFailure: boolean, priority: number): number {
  const irql = k.irql;
  if (accessMode === KernelMode && irql > DISPATCH_LEVEL) k.verifierCheck(0x76, irql, mdl, accessMode, 'MmMapLockedPagesSpecifyCache(KernelMode) above DISPATCH_LEVEL');
  if (accessMode === UserMode && irql > APC_LEVEL) k.verifierCheck(0x77, irql, mdl, accessMode, 'MmMapLockedPagesSpecifyCache(UserMode) above APC_LEVEL');
  const f = k.mdl.read(mdl);
  if (bugCheckOnFailure) k.verifierCheck(0x82, mdl, f.flags, 0, 'MmMapLockedPagesSpecifyCache with BugCheckOnFailure = TRUE (drivers must pass FALSE)');
  if (accessMode === KernelMode) {
    const bad = f.flags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL_HAS_BEEN_MAPPED);
    if (bad) k.verifierCheck(0xb2, mdl, f.flags, bad, `MmMapLockedPagesSpecifyCache on an MDL that already has ${mdlFlagNames(bad).join(' | ')}`);
  }
  if (!(f.flags & (MDL_PAGES_LOCKED | MDL_PARTIAL | MDL_SOURCE_IS_NONPAGED_POOL))) {
    k.verifierCheck(0xb3, mdl, f.flags, MDL_PAGES_LOCKED, 'MmMapLockedPagesSpecifyCache on an MDL whose pages are not locked');
  }
  const pages = spanPages(f.startVa + f.byteOffset, f.byteCount);
  const noWrite = (priority & MdlMappingNoWrite) !== 0;
  const noExecute = (priority & MdlMappingNoExecute) !== 0;
  if (accessMode === UserMode) {
    const pfns = readPfnArrayScratch(k, mdl, pages);
    checkFramesMappable(k, mdl, f.flags, pfns);
    return mapIntoUser(k, mdl, f.byteOffset, pfns, requested, noWrite);
  }
  if (!ptesAllowed(k, pages, priority)) {
    // Reference 2.8: MDL_MAPPING_CAN_FAIL or BugCheckOnFailure FALSE → NULL; otherwise 0x3F.
    if (!(f.flags & MDL_MAPPING_CAN_FAIL) && bugCheckOnFailure) {
      k.bugCheck(0x3f, [0, pages, k.ptes.available, k.ptes.total], `no system PTEs left to map ${pages} pages`);
    }
    k.event('map', `MmMapLockedPagesSpecifyCache(${hex64(mdl)}) failed: ${k.ptes.available} of ${k.ptes.total} system PTEs free — returns NULL`, mdl);
    return 0;
  }
  const first = k.ptes.allocate(Math.max(pages, 1));
  const base = k.ptes.vaOf(first);
  writeSystemPtes(k, base, mdl, pages, !noWrite, noExecute, cacheType, { flags: f.flags });
  const va = base + f.byteOffset;
  k.memory.write64(mdl + L.MappedSystemVa, va);
  k.mdl.setFlags(mdl, f.flags | MDL_MAPPED_TO_SYSTEM_VA | (f.flags & MDL_PARTIAL ? MDL_PARTIAL_HAS_BEEN_MAPPED : 0));
  k.mdl.st.mappings.set(base, { base, pages: Math.max(pages, 1), mdl, firstPfn: pages ? readPfnArray(k, mdl, 1)[0] : -1, startVa: f.startVa, kind: 'mdl', tag: 0, reservedPages: 0 });
  k.event('map', `MmMapLockedPagesSpecifyCache(${hex64(mdl)}, KernelMode) → ${hex64(va)} (${pages} system PTE${pages === 1 ? '' : 's'})`, mdl);
  return va;
}

/** Reference 2.8 UserMode: a new VAD in the current process aliasing the frames; errors are raised. */
function mapIntoUser(k: Kernel, mdl: number, byteOffset: number, pfns: Float64Array, requested: number, noWrite: boolean): number {
  const p = k.procs.current;
  if (!p.alive) throw new SehException(STATUS.PROCESS_IS_TERMINATING, `${p.name} is terminating`);
  const pages = pfns.length;
  let start: number;
  if (requested) {
    if (requested % PAGE_SIZE !== 0 || requested < 0 || requested + pages * PAGE_SIZE > MM_HIGHEST_USER_ADDRESS) {
      throw new SehException(STATUS.INVALID_ADDRESS, `MmMapLockedPagesSpecifyCache(UserMode): RequestedAddress ${hex64(requested)} is not a usable user address`);
    }
    const overlaps = p.vads.some((v) => requested < v.start + v.pages * PAGE_SIZE && v.start < requested + pages * PAGE_SIZE);
    if (overlaps) throw new SehException(STATUS.CONFLICTING_ADDRESSES, `MmMapLockedPagesSpecifyCache(UserMode): ${hex64(requested)} is already in use`);
    start = requested;
  } else {
    start = p.nextMapVa;
    p.nextMapVa += (pages + 16) * PAGE_SIZE;
  }
  const space = k.mm.current;
  const vpn0 = vpnOf(start);
  for (let i = 0; i < pages; i++) {
    const pfn = pfns[i];
    if (pfn === PFN_SENTINEL) break;
    // Always non-executable; MdlMappingNoWrite gives a read-only view. No PFN share count: a physical VAD.
    space.setPte(vpn0 + i, makeValidPte(pfn, !noWrite, true, true));
  }
  k.mm.flushTlb();
  p.vads.push({ start, pages, kind: 'mdl-mapping', protect: noWrite ? 2 : 4, mdl });
  k.event('map', `MmMapLockedPagesSpecifyCache(${hex64(mdl)}, UserMode) → ${hex64(start + byteOffset)} in ${p.name} (the MDL does not record it)`, mdl);
  return start + byteOffset;
}

export function unmapLockedPages(k: Kernel, baseAddress: number, mdl: number): void {
  const irql = k.irql;
  const f = k.mdl.read(mdl);
  const pages = Math.max(spanPages(f.startVa + f.byteOffset, f.byteCount), 1);
  const base = pageAlign(baseAddress);
  if (baseAddress > MM_HIGHEST_USER_ADDRESS || baseAddress < 0) {
    if (irql > DISPATCH_LEVEL) k.verifierCheck(0x79, irql, baseAddress, mdl, 'MmUnmapLockedPages of a system address above DISPATCH_LEVEL');
    if (f.flags & MDL_PARENT_MAPPED_SYSTEM_VA) k.verifierReport(`Driver Verifier: MmUnmapLockedPages on the MDL at ${hex64(mdl)} whose mapping belongs to its parent`, mdl);
    const rec = k.mdl.st.mappings.get(base);
    const mine = k.mdl.findMappingOf(mdl);
    if (k.verifier) {
      // Reference 2.9: with PTE tracking, misuse is SYSTEM_PTE_MISUSE.
      if (!(f.flags & MDL_MAPPED_TO_SYSTEM_VA) && !mine) k.bugCheck(0xda, [6, mdl, baseAddress, pages], `MmUnmapLockedPages(${hex64(baseAddress)}) on the MDL at ${hex64(mdl)}, which is not mapped`);
      if (mine && mine.base !== base) k.bugCheck(0xda, [3, 0, mine.base + f.byteOffset, baseAddress], `MmUnmapLockedPages with ${hex64(baseAddress)}, but the MDL is mapped at ${hex64(mine.base + f.byteOffset)}`);
      if (mine && mine.pages !== pages) k.bugCheck(0xda, [2, 0, mine.pages, pages], 'MmUnmapLockedPages: the MDL now spans a different number of pages than when it was mapped');
      if (mine && mine.startVa !== f.startVa) k.bugCheck(0xda, [5, 0, mine.startVa, f.startVa], 'MmUnmapLockedPages: the MDL start VA changed since it was mapped');
      if (!mine) k.bugCheck(0xda, [6, mdl, baseAddress, pages], `MmUnmapLockedPages(${hex64(baseAddress)}): no mapping of the MDL at ${hex64(mdl)} is there`);
    }
    // Plain Windows: the PTE range is computed from BaseAddress, right or wrong (reference 6.3).
    clearPtes(k, base, pages, false);
    if (rec) {
      k.mdl.st.mappings.delete(base);
      k.ptes.release(k.ptes.indexOf(base), rec.pages);
      if (rec.mdl !== mdl) k.event('unmap', `MmUnmapLockedPages tore down the mapping at ${hex64(base)} that belongs to the MDL at ${hex64(rec.mdl)} (reference 6.3)`, mdl);
    } else if (k.ptes.contains(base)) {
      k.event('unmap', `MmUnmapLockedPages cleared ${pages} system PTEs at ${hex64(base)} that were not a mapping of this MDL (reference 6.3)`, mdl);
    }
    k.mdl.setFlags(mdl, f.flags & ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_FREE_EXTRA_PTES));
    k.event('unmap', `MmUnmapLockedPages(${hex64(baseAddress)}, ${hex64(mdl)})`, mdl);
    return;
  }
  if (irql > APC_LEVEL) k.verifierCheck(0x7a, irql, baseAddress, mdl, 'MmUnmapLockedPages of a user address above APC_LEVEL');
  const p = k.procs.current;
  const i = p.vads.findIndex((v) => v.kind === 'mdl-mapping' && v.start === base);
  if (i < 0) {
    // ReactOS: no physical VAD there → silently return (reference 2.9). Verifier says why.
    const owner = k.procs.all().find((q) => q !== p && q.vads.some((v) => v.kind === 'mdl-mapping' && v.start === base && v.mdl === mdl));
    if (owner) k.verifierReport(`Driver Verifier: MmUnmapLockedPages(${hex64(baseAddress)}) in ${p.name}, but the mapping belongs to ${owner.name}: unmap in the process that made it (reference 2.9)`, mdl);
    return;
  }
  const v = p.vads[i];
  clearPtes(k, v.start, v.pages, true);
  p.vads.splice(i, 1);
  k.event('unmap', `MmUnmapLockedPages(${hex64(baseAddress)}) removed the user mapping from ${p.name}`, mdl);
}

// ---- reserved mappings ------------------------------------------------------------------------

export function allocateMappingAddress(k: Kernel, bytes: number, tag: number): number {
  const pages = Math.ceil(bytes / PAGE_SIZE);
  if (pages <= 0) return 0;
  const first = k.ptes.allocate(pages);
  if (first < 0) return 0;
  const base = k.ptes.vaOf(first);
  k.mdl.st.mappings.set(base, { base, pages, mdl: 0, firstPfn: -1, startVa: 0, kind: 'reserved', tag, reservedPages: pages });
  k.event('map', `MmAllocateMappingAddress reserved ${pages} system PTEs at ${hex64(base)}`);
  return base;
}

export function freeMappingAddress(k: Kernel, base: number, tag: number): void {
  const rec = k.mdl.st.mappings.get(base);
  if (!rec || rec.kind !== 'reserved') {
    k.verifierReport(`Driver Verifier: MmFreeMappingAddress(${hex64(base)}) is not a reserved mapping`);
    return;
  }
  if (rec.tag !== tag) k.verifierReport(`Driver Verifier: MmFreeMappingAddress with a pool tag other than the one it was reserved with`);
  if (rec.mdl) {
    k.verifierReport(`Driver Verifier: MmFreeMappingAddress(${hex64(base)}) while the MDL at ${hex64(rec.mdl)} is still mapped there`, rec.mdl);
    clearPtes(k, base, rec.reservedPages, false);
  }
  k.mdl.st.mappings.delete(base);
  k.ptes.release(k.ptes.indexOf(base), rec.reservedPages);
}

export function mapWithReservedMapping(k: Kernel, base: number, tag: number, mdl: number, cacheType: number): number {
  const rec = k.mdl.st.mappings.get(base);
  const f = k.mdl.read(mdl);
  const pages = spanPages(f.startVa + f.byteOffset, f.byteCount);
  if (!rec || rec.kind !== 'reserved' || rec.tag !== tag || rec.mdl) {
    k.verifierReport(`Driver Verifier: MmMapLockedPagesWithReservedMapping(${hex64(base)}) does not name a free reserved mapping with this tag`, mdl);
    return 0;
  }
  if (pages > rec.reservedPages) return 0; // the reservation is too small
  if (!(f.flags & (MDL_PAGES_LOCKED | MDL_PARTIAL))) k.verifierCheck(0xb3, mdl, f.flags, MDL_PAGES_LOCKED, 'MmMapLockedPagesWithReservedMapping on an MDL whose pages are not locked');
  writeSystemPtes(k, base, mdl, pages, true, false);
  void cacheType;
  rec.mdl = mdl;
  rec.firstPfn = pages ? readPfnArray(k, mdl, 1)[0] : -1;
  rec.startVa = f.startVa;
  k.memory.write64(mdl + L.MappedSystemVa, base + f.byteOffset);
  k.mdl.setFlags(mdl, f.flags | MDL_MAPPED_TO_SYSTEM_VA);
  k.event('map', `MmMapLockedPagesWithReservedMapping(${hex64(mdl)}) → ${hex64(base + f.byteOffset)}`, mdl);
  return base + f.byteOffset;
}

export function unmapReservedMapping(k: Kernel, base: number, tag: number, mdl: number): void {
  const rec = k.mdl.st.mappings.get(base);
  const f = k.mdl.read(mdl);
  if (!rec || rec.kind !== 'reserved' || rec.mdl !== mdl) {
    k.verifierReport(`Driver Verifier: MmUnmapReservedMapping(${hex64(base)}) but the MDL at ${hex64(mdl)} is not mapped there`, mdl);
    return;
  }
  void tag;
  clearPtes(k, base, rec.reservedPages, false);
  rec.mdl = 0;
  k.mdl.setFlags(mdl, f.flags & ~MDL_MAPPED_TO_SYSTEM_VA);
  k.event('unmap', `MmUnmapReservedMapping(${hex64(base)}, ${hex64(mdl)})`, mdl);
}

// ---- MmAllocatePagesForMdlEx / MmFreePagesFromMdl ---------------------------------------------

export function allocatePagesForMdlEx(k: Kernel, low: number, high: number, skip: number, totalBytes: number, cacheType: number, flags: number): number {
  if (k.irql > DISPATCH_LEVEL) k.verifierCheck(0x7e, k.irql, DISPATCH_LEVEL, 0, 'MmAllocatePagesForMdlEx above DISPATCH_LEVEL');
  if (flags & ~MM_ALLOCATE_VALID_FLAGS) return 0;
  if (totalBytes <= 0 || totalBytes > 0x100000000 - PAGE_SIZE) return 0;
  // SkipBytes only matters for physical ranges with holes; the emulated RAM has none.
  void skip;
  const want = Math.ceil(totalBytes / PAGE_SIZE);
  const lowPfn = Math.floor(Math.max(0, low) / PAGE_SIZE);
  const highPfn = Math.floor(high / PAGE_SIZE);
  const got: number[] = [];
  const d = k.mm.pfn;
  while (got.length < want) {
    const pfn = k.mm.allocateFrame(!(flags & MM_DONT_ZERO_ALLOCATION));
    if (pfn < 0) break;
    if (pfn < lowPfn || pfn > highPfn) {
      d.flags[pfn] |= PFN_DELETED;
      d.referenceCount[pfn] = 1;
      k.mm.dereferenceFrame(pfn);
      break;
    }
    d.referenceCount[pfn] = 1;
    d.shareCount[pfn] = 1;
    d.flags[pfn] |= PFN_DELETED | PFN_MDL_ALLOCATED;
    d.cacheAttribute[pfn] = cacheType;
    got.push(pfn);
  }
  const release = () => { for (const pfn of got) { d.shareCount[pfn] = 0; k.mm.dereferenceFrame(pfn); } };
  if (got.length === 0 || (flags & MM_ALLOCATE_FULLY_REQUIRED && got.length < want)) {
    release();
    return 0;
  }
  const bytes = got.length < want ? got.length * PAGE_SIZE : totalBytes;
  const mdl = k.pool.allocate('NonPaged', 0x30 + 8 * got.length, MDL_TAG, false);
  if (!mdl) { release(); return 0; }
  k.mdl.initialize(mdl, 0, bytes);
  k.memory.write64(mdl + L.Process, 0);
  writePfnArray(k, mdl, Float64Array.from(got));
  k.mdl.setFlags(mdl, MDL_PAGES_LOCKED);
  k.mdl.st.mdls.set(mdl, { address: mdl, origin: 'MmAllocatePagesForMdlEx', parent: null, irp: null, poolVa: mdl, fixedSize: false });
  k.event('allocate', `MmAllocatePagesForMdlEx → MDL ${hex64(mdl)} with ${got.length} page${got.length === 1 ? '' : 's'}${got.length < want ? ` (fewer than the ${want} requested)` : ''}`, mdl);
  return mdl;
}

export function freePagesFromMdl(k: Kernel, mdl: number): void {
  if (k.irql > DISPATCH_LEVEL) k.verifierCheck(0x7e, k.irql, DISPATCH_LEVEL, 0, 'MmFreePagesFromMdl above DISPATCH_LEVEL');
  const f = k.mdl.read(mdl);
  if (f.flags & MDL_MAPPED_TO_SYSTEM_VA) unmapLockedPages(k, f.mappedSystemVa, mdl); // Windows 7+
  const pages = spanPages(f.startVa + f.byteOffset, f.byteCount);
  const d = k.mm.pfn;
  const pfns = readPfnArray(k, mdl, pages);
  for (let i = 0; i < pages; i++) {
    const pfn = pfns[i];
    if (pfn === PFN_SENTINEL) break;
    if (!d.isRam(pfn) || !(d.flags[pfn] & PFN_MDL_ALLOCATED) || d.shareCount[pfn] !== 1) {
      // ReactOS 0x1A/0x1236: the MDL names a page that MmAllocatePagesForMdl did not give it.
      k.bugCheck(0x1a, [0x1236, mdl, mdl + L.PfnArray + i * 8, pfn], `MmFreePagesFromMdl on the MDL at ${hex64(mdl)}: frame 0x${pfn.toString(16)} was not allocated by MmAllocatePagesForMdlEx`);
    }
    if (d.lockCount[pfn] > 0) {
      k.bugCheck(0x4e, [0x9a, pfn, d.state[pfn], d.referenceCount[pfn]], `MmFreePagesFromMdl frees frame 0x${pfn.toString(16)} while it is still locked for I/O`);
    }
    d.shareCount[pfn] = 0;
    d.flags[pfn] &= ~PFN_MDL_ALLOCATED;
    k.mm.dereferenceFrame(pfn);
    k.mdl.setPfn(mdl, i, PFN_SENTINEL);
  }
  k.mdl.setFlags(mdl, k.mdl.read(mdl).flags & ~MDL_PAGES_LOCKED);
  k.event('free', `MmFreePagesFromMdl(${hex64(mdl)}): ${pages} page${pages === 1 ? '' : 's'} freed (the MDL itself is not)`, mdl);
}
