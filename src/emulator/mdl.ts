// MDL structures: the registry of live MDLs, IoAllocateMdl/IoFreeMdl with the fixed-size lookaside
// (stale fields on reuse, reference 1.1), MmInitializeMdl, MmCreateMdl, MmBuildMdlForNonPagedPool,
// IoBuildPartialMdl and MmPrepareMdlForReuse (reference 2.1, 2.2, 2.6, 2.10, 2.11).
// Locking lives in mdlLock.ts, mappings in mdlMap.ts.
import type { Kernel } from './kernel';
import { MDL as L, IRP } from './layouts';
import {
  PAGE_SIZE, MDL_ALLOCATED_FIXED_SIZE, MDL_PAGES_LOCKED, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL,
  MDL_PARTIAL, MDL_PARTIAL_HAS_BEEN_MAPPED, MDL_IO_PAGE_READ, MDL_IO_SPACE, MDL_ALLOCATED_MUST_SUCCEED, LAYOUT, mdlFlagNames,
} from './constants';
import { tagValue } from './pool';
import { vpnOf } from './pageTables';
import { hex64, toU64 } from './u64';
import { probeAndLockPages, unlockPages } from './mdlLock';
import { mapLockedPagesSpecifyCache, unmapLockedPages, type MappingRecord } from './mdlMap';
import { forgetLockRuns } from './lockRuns';

export const MDL_TAG = tagValue('Mdl ');
/** IoAllocateMdl serves MDLs spanning up to this many pages from its fixed-size lookaside. */
export const LOOKASIDE_PAGES = 23;
const LOOKASIDE_BLOCK = L.sizeof + LOOKASIDE_PAGES * 8;
const MAX_MDL_LENGTH = 0x100000000 - PAGE_SIZE; // Windows 7+: 4 GB - PAGE_SIZE

export interface MdlRecord {
  address: number;
  origin: string;
  parent: number | null;
  irp: number | null;
  /** Pool block holding it (0 for caller storage). */
  poolVa: number;
  fixedSize: boolean;
}

interface MdlState {
  mdls: Map<number, MdlRecord>;
  /** Free fixed-size MDL blocks (LIFO, like the I/O manager's lookaside list). */
  lookaside: number[];
  mappings: Map<number, MappingRecord>;
  junk: number;
  /** Frames locked by MDLs system-wide (the resident-available charge). */
  lockedPages: number;
}

export type MdlSave = MdlState;

export interface MdlFields {
  next: number;
  size: number;
  flags: number;
  process: number;
  mappedSystemVa: number;
  startVa: number;
  byteCount: number;
  byteOffset: number;
}

/** ADDRESS_AND_SIZE_TO_SPAN_PAGES (reference 1.2), in 64-bit arithmetic truncated to ULONG. */
export function spanPages(va: number, size: number): number {
  const off = (va & 0xfff);
  return Math.floor((off + size + 0xfff) / PAGE_SIZE) >>> 0;
}

export function mmSizeOfMdl(va: number, length: number): number {
  return L.sizeof + 8 * spanPages(va, length);
}

export function pageAlign(va: number): number {
  return va - ((va & 0xfff));
}

export function byteOffsetOf(va: number): number {
  return (va & 0xfff);
}

export class MdlManager {
  st: MdlState;

  constructor(private readonly k: Kernel) {
    this.st = { mdls: new Map(), lookaside: [], mappings: new Map(), junk: 0, lockedPages: 0 };
  }

  // ---- field access (through guest memory: a bad MDL pointer faults like on Windows) ----------

  read(mdl: number): MdlFields {
    const m = this.k.memory;
    return {
      next: Number(m.read64(mdl + L.Next)),
      size: (m.read16(mdl + L.Size) << 16) >> 16,
      flags: m.read16(mdl + L.MdlFlags),
      process: Number(m.read64(mdl + L.Process)),
      mappedSystemVa: Number(m.read64(mdl + L.MappedSystemVa)),
      startVa: Number(m.read64(mdl + L.StartVa)),
      byteCount: m.read32(mdl + L.ByteCount),
      byteOffset: m.read32(mdl + L.ByteOffset),
    };
  }

  setFlags(mdl: number, flags: number): void {
    this.k.memory.write16(mdl + L.MdlFlags, flags & 0xffff);
  }

  pfnAt(mdl: number, i: number): number {
    return Number(this.k.memory.read64(mdl + L.PfnArray + i * 8));
  }

  setPfn(mdl: number, i: number, pfn: number): void {
    this.k.memory.write64(mdl + L.PfnArray + i * 8, pfn);
  }

  record(mdl: number): MdlRecord | undefined {
    return this.st.mdls.get(mdl);
  }

  /** Known MDL, or one the driver built itself (MmInitializeMdl in caller storage): track it from now on. */
  track(mdl: number, origin = 'MmInitializeMdl (driver storage)'): MdlRecord {
    let r = this.st.mdls.get(mdl);
    if (!r) {
      r = { address: mdl, origin, parent: null, irp: null, poolVa: 0, fixedSize: false };
      this.st.mdls.set(mdl, r);
    }
    return r;
  }

  all(): MdlRecord[] {
    return [...this.st.mdls.values()];
  }

  // ---- MmInitializeMdl / IoAllocateMdl / IoFreeMdl --------------------------------------------

  /** MmInitializeMdl (reference 1.3): exactly these fields; Process, MappedSystemVa and the PFNs stay. */
  initialize(mdl: number, baseVa: number, length: number): void {
    const m = this.k.memory;
    m.write64(mdl + L.Next, 0);
    m.write16(mdl + L.Size, (L.sizeof + 8 * spanPages(baseVa, length)) & 0xffff);
    m.write16(mdl + L.MdlFlags, 0);
    m.write64(mdl + L.StartVa, pageAlign(baseVa));
    m.write32(mdl + L.ByteOffset, byteOffsetOf(baseVa));
    m.write32(mdl + L.ByteCount, length >>> 0);
  }

  /** Deterministic, recognisable junk for never-initialised fields of a fresh MDL block (reference 1.1). */
  private fillJunk(block: number, slots: number): void {
    const m = this.k.memory;
    const n = ++this.st.junk;
    m.write16(block + L.AllocationProcessorNumber, 0);
    m.write16(block + L.Reserved, 0xffff);
    m.write64(block + L.Process, toU64(0xffffa08f1bad0000n + BigInt(n * 0x80)));
    m.write64(block + L.MappedSystemVa, toU64(0xffffb08f0bad0000n + BigInt(n * 0x1000)));
    const junk = new Float64Array(slots);
    for (let i = 0; i < slots; i++) junk[i] = 0xbad0000000 + n * 0x100 + i;
    m.writeQwords(block + L.PfnArray, junk);
  }

  ioAllocateMdl(va: number, length: number, secondaryBuffer: boolean, chargeQuota: boolean, irp: number): number {
    length = length >>> 0;
    if (length > MAX_MDL_LENGTH) return 0; // reference 2.1: too large → NULL
    if (length === 0) this.k.verifierReport(`Driver Verifier: IoAllocateMdl with Length 0 for ${hex64(va)} describes nothing (reference 6.9)`);
    if (va < 0 && va + length > 0) this.k.verifierReport(`Driver Verifier: IoAllocateMdl range ${hex64(va)} + 0x${length.toString(16)} wraps past the top of the address space (reference 6.9)`);
    if (chargeQuota) this.k.verifierReport('Driver Verifier: IoAllocateMdl ChargeQuota is reserved and must be FALSE');
    const pages = spanPages(va, length);
    let block: number;
    let fixed = false;
    if (pages <= LOOKASIDE_PAGES) {
      fixed = true;
      const reused = this.st.lookaside.pop();
      if (reused !== undefined) block = reused; // stale Process/MappedSystemVa/PFNs stay, as on Windows
      else {
        block = this.k.pool.allocate('NonPaged', LOOKASIDE_BLOCK, MDL_TAG, false);
        if (!block) return 0;
        this.fillJunk(block, LOOKASIDE_PAGES);
      }
    } else {
      // Large MDLs come from pool: the PFN array holds whatever the pool memory held.
      block = this.k.pool.allocate('NonPaged', mmSizeOfMdl(va, length), MDL_TAG, false);
      if (!block) return 0;
      this.fillJunk(block, 0);
    }
    this.initialize(block, va, length);
    if (fixed) this.setFlags(block, MDL_ALLOCATED_FIXED_SIZE);
    const rec: MdlRecord = { address: block, origin: 'IoAllocateMdl', parent: null, irp: null, poolVa: block, fixedSize: fixed };
    this.st.mdls.set(block, rec);
    if (irp) this.attachToIrp(block, secondaryBuffer, irp);
    this.k.event('allocate', `IoAllocateMdl(${hex64(va)}, 0x${length.toString(16)}) → MDL ${hex64(block)} (${pages} page${pages === 1 ? '' : 's'}${fixed ? ', from the lookaside' : ''})`, block);
    return block;
  }

  /** Reference 2.1 / 4.1: FALSE → Irp->MdlAddress = Mdl (old chain dropped); TRUE → appended at the tail. */
  attachToIrp(mdl: number, secondaryBuffer: boolean, irp: number): void {
    const m = this.k.memory;
    if (!secondaryBuffer) {
      const old = Number(m.read64(irp + IRP.MdlAddress));
      if (old && old !== mdl) this.k.event('irp', `IoAllocateMdl overwrote Irp->MdlAddress of ${hex64(irp)}: the MDL at ${hex64(old)} is no longer on the IRP (reference 6.15)`, old);
      m.write64(irp + IRP.MdlAddress, mdl);
    } else {
      // Walks from Irp->MdlAddress without a NULL check, like the ReactOS code.
      let cur = Number(m.read64(irp + IRP.MdlAddress));
      let next = Number(m.read64(cur + L.Next));
      while (next) {
        cur = next;
        next = Number(m.read64(cur + L.Next));
      }
      m.write64(cur + L.Next, mdl);
    }
    const rec = this.st.mdls.get(mdl);
    if (rec) rec.irp = irp;
  }

  ioFreeMdl(mdl: number): void {
    const rec = this.st.mdls.get(mdl);
    if (!rec && this.st.lookaside.includes(mdl)) {
      // Reference 2.2: double free. Verifier catches it; plain Windows puts the block on the lookaside twice.
      if (this.k.verifier) this.k.bugCheck(0xc2, [0x07, 0, this.k.memory.read32(mdl - 16), mdl], `IoFreeMdl of the MDL at ${hex64(mdl)}, which was already freed`);
      this.st.lookaside.push(mdl);
      return;
    }
    const f = this.read(mdl);
    // MmPrepareMdlForReuse first (reference 2.2): a partial MDL's own mapping is released.
    if (f.flags & MDL_PARTIAL_HAS_BEEN_MAPPED) unmapLockedPages(this.k, f.mappedSystemVa, mdl);
    else if (f.flags & MDL_MAPPED_TO_SYSTEM_VA && !(f.flags & MDL_PARTIAL)) {
      // DV 0xC4/0xB8: freeing an MDL whose pages are still mapped; plain: the system PTEs leak (6.4).
      this.k.verifierCheck(0xb8, mdl, f.flags, 0, `IoFreeMdl of the MDL at ${hex64(mdl)} while it is still mapped at ${hex64(f.mappedSystemVa)}`);
      const map = this.findMappingOf(mdl);
      if (map) map.leaked = true;
    }
    if (f.flags & MDL_PAGES_LOCKED && !(f.flags & MDL_PARTIAL)) {
      // Reference 6.1: no immediate report on Windows; the locked pages leak (0x76/0xCB at process exit for user ranges).
      if (this.k.verifier) this.k.verifierReport(`Driver Verifier: IoFreeMdl of the MDL at ${hex64(mdl)} whose ${spanPages(f.startVa + f.byteOffset, f.byteCount)} pages are still locked: they can never be unlocked now`, mdl);
    }
    const fixed = f.flags & MDL_ALLOCATED_FIXED_SIZE;
    forgetLockRuns(this.k, mdl);
    this.st.mdls.delete(mdl);
    for (const m of this.st.mappings.values()) if (m.mdl === mdl) m.mdlFreed = true;
    if (fixed) this.st.lookaside.push(mdl);
    else this.k.pool.free(mdl, null); // not from pool (stack, caller storage): bad pool caller
    this.k.event('free', `IoFreeMdl(${hex64(mdl)})`, mdl);
  }

  /** MmCreateMdl (deprecated): pool of MmSizeOfMdl bytes when Mdl is NULL, then MmInitializeMdl. */
  mmCreateMdl(mdl: number, base: number, length: number): number {
    let block = mdl;
    if (!block) {
      block = this.k.pool.allocate('NonPaged', mmSizeOfMdl(base, length), MDL_TAG, false);
      if (!block) return 0;
      this.fillJunk(block, spanPages(base, length));
    }
    this.initialize(block, base, length);
    this.st.mdls.set(block, { address: block, origin: 'MmCreateMdl', parent: null, irp: null, poolVa: mdl ? 0 : block, fixedSize: false });
    this.k.event('allocate', `MmCreateMdl → MDL ${hex64(block)}`, block);
    return block;
  }

  // ---- MmBuildMdlForNonPagedPool ---------------------------------------------------------------

  buildMdlForNonPagedPool(mdl: number): void {
    this.track(mdl);
    const f = this.read(mdl);
    const pages = spanPages(f.startVa + f.byteOffset, f.byteCount);
    const bad = f.flags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL);
    if (bad) this.k.verifierReport(`Driver Verifier: MmBuildMdlForNonPagedPool on the MDL at ${hex64(mdl)} that already has ${mdlFlagNames(bad).join(' | ')}`, mdl);
    if (f.byteCount === 0) this.k.verifierReport(`Driver Verifier: MmBuildMdlForNonPagedPool on a zero-length MDL at ${hex64(mdl)}`, mdl);
    let lastRam = true;
    for (let i = 0; i < pages; i++) {
      const va = f.startVa + i * PAGE_SIZE;
      // Reference 2.6 / 6.8: pageable or tradable (stack) memory is a verifier violation.
      if (va >= 0 || this.k.pool.isPaged(va)) {
        this.k.verifierCheck(0x7f, this.k.irql, mdl, f.flags, `MmBuildMdlForNonPagedPool on pageable memory at ${hex64(va)}`);
      } else if (va >= this.k.kernelStackLimit - PAGE_SIZE && va < this.k.kernelStackBase) {
        this.k.verifierCheck(0x140, this.k.irql, mdl, va, `MmBuildMdlForNonPagedPool on a kernel-stack buffer at ${hex64(va)} (stack pages can be traded)`);
      }
      // The PFN comes straight from whatever the PTE holds: garbage for a page that is not resident.
      const space = this.k.mm.spaceFor(va);
      const pte = space.getPte(vpnOf(va));
      const pfn = Math.floor(pte / PAGE_SIZE);
      this.setPfn(mdl, i, pfn);
      lastRam = pte !== 0 && this.k.mm.pfn.isRam(pfn);
    }
    this.k.memory.write64(mdl + L.Process, 0);
    this.k.memory.write64(mdl + L.MappedSystemVa, f.startVa + f.byteOffset);
    this.setFlags(mdl, f.flags | MDL_SOURCE_IS_NONPAGED_POOL | (lastRam ? 0 : MDL_IO_SPACE));
    this.k.event('lock', `MmBuildMdlForNonPagedPool(${hex64(mdl)}): ${pages} PFN${pages === 1 ? '' : 's'} read from the page tables, no references taken`, mdl);
  }

  // ---- IoBuildPartialMdl / MmPrepareMdlForReuse -------------------------------------------------

  ioBuildPartialMdl(source: number, target: number, va: number, length: number): void {
    const s = this.read(source);
    const t = this.read(target);
    // Reference 5.2: the offset is taken from MmGetMdlVirtualAddress(Source), whatever VA was passed.
    const sourceVa = s.startVa + s.byteOffset;
    const offset = va - sourceVa;
    if (length === 0) length = (s.byteCount - offset) >>> 0;
    length = length >>> 0;
    if (offset < 0 || offset + length > s.byteCount) {
      if (this.k.verifier) this.k.verifierReport(`Driver Verifier: IoBuildPartialMdl VirtualAddress ${hex64(va)} is outside the source MDL (${hex64(sourceVa)}, 0x${s.byteCount.toString(16)} bytes): pass MmGetMdlVirtualAddress(Source) + delta, never the address from MmGetSystemAddressForMdlSafe (reference 5.2)`, target);
    }
    const tStart = pageAlign(va);
    const m = this.k.memory;
    m.write64(target + L.StartVa, tStart);
    m.write32(target + L.ByteOffset, byteOffsetOf(va));
    m.write32(target + L.ByteCount, length);
    m.write64(target + L.Process, s.process);
    const flags = (t.flags & (MDL_ALLOCATED_FIXED_SIZE | MDL_ALLOCATED_MUST_SUCCEED))
      | (s.flags & (MDL_IO_PAGE_READ | MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA | MDL_IO_SPACE)) | MDL_PARTIAL;
    m.write16(target + L.MdlFlags, flags);
    m.write64(target + L.MappedSystemVa, toU64(BigInt(s.mappedSystemVa) + BigInt(offset)));
    // No range checks (reference 2.10): PFNs are copied from wherever the index points.
    const first = Math.floor((tStart - s.startVa) / PAGE_SIZE);
    const n = spanPages(va, length);
    for (let i = 0; i < n; i++) m.write64(target + L.PfnArray + i * 8, m.read64(source + L.PfnArray + (first + i) * 8));
    const rec = this.track(target, 'IoBuildPartialMdl target');
    rec.parent = source;
    this.k.event('allocate', `IoBuildPartialMdl: ${hex64(target)} describes 0x${length.toString(16)} bytes at offset 0x${offset.toString(16)} of ${hex64(source)}`, target);
  }

  /** MmPrepareMdlForReuse (reference 2.11): releases only a partial MDL's own mapping. */
  prepareMdlForReuse(mdl: number): void {
    const f = this.read(mdl);
    if (f.flags & MDL_PARTIAL_HAS_BEEN_MAPPED) unmapLockedPages(this.k, f.mappedSystemVa, mdl);
    else if (!(f.flags & MDL_PARTIAL) && f.flags & MDL_MAPPED_TO_SYSTEM_VA) {
      this.k.verifierReport(`Driver Verifier: MmPrepareMdlForReuse on the mapped non-partial MDL at ${hex64(mdl)}: its mapping is left in place (reference 2.11)`, mdl);
    }
  }

  // ---- mappings registry (used by mdlMap.ts and the snapshot) ----------------------------------

  findMappingOf(mdl: number): MappingRecord | undefined {
    for (const m of this.st.mappings.values()) if (m.mdl === mdl && m.kind === 'mdl') return m;
    return undefined;
  }

  probeAndLock(mdl: number, accessMode: number, operation: number, process: number | null = null): void {
    probeAndLockPages(this.k, mdl, accessMode, operation, process);
  }

  unlock(mdl: number): void {
    unlockPages(this.k, mdl);
  }

  map(mdl: number, accessMode: number, cacheType: number, requested: number, bugCheckOnFailure: boolean, priority: number): number {
    return mapLockedPagesSpecifyCache(this.k, mdl, accessMode, cacheType, requested, bugCheckOnFailure, priority);
  }

  unmap(base: number, mdl: number): void {
    unmapLockedPages(this.k, base, mdl);
  }

  isSystemPteVa(va: number): boolean {
    return va >= LAYOUT.systemPteBase && this.k.ptes.contains(va);
  }

  save(): MdlSave {
    return structuredClone(this.st);
  }

  restore(s: MdlSave): void {
    this.st = structuredClone(s);
  }
}
