// The memory manager's core: frames, address spaces, the page file, page faults (demand zero,
// soft faults from transition, hard faults from the page file into a new frame), working-set
// trimming (reference 3.3) and address translation with the IRQL rules of reference 6.7.
import { SehException } from './contract';
import { DISPATCH_LEVEL, PAGE_SIZE, STATUS, MM_HIGHEST_USER_ADDRESS } from './constants';
import { PfnDatabase, PageLocation, PFN_DELETED, PFN_MODIFIED, PFN_PAGE_TABLE, type PfnSave } from './pfnDatabase';
import { PhysicalMemory, type PhysicalMemorySave } from './physicalMemory';
import {
  PageTables, type SavedTable, vpnOf, vaOfVpn, isCanonical, pteFrame, pteProtection, makeValidPte, makeTransitionPte,
  makePageFilePte, makeDemandZeroPte, PTE_WRITE, PTE_TRANSITION, PTE_PAGEFILE, PTE_DIRTY, PTE_OWNER,
  MM_NOACCESS, MM_READONLY, MM_READWRITE,
} from './pageTables';
import { hex64 } from './u64';
import { WorkingSetManager, type TrimHost } from './workingSetManager';

/** What the memory manager needs from the kernel around it. */
export interface MmHost extends TrimHost {
  readonly irql: number;
  /** True while an emulated kernel routine (not guest driver code) is running: faults are then 0x0A, not 0xD1. */
  readonly inKernelRoutine: boolean;
  bugCheck(code: number, params: [number, number, number, number], explanation: string): never;
  /** A pseudo instruction pointer in the driver image for the current C line (bug-check parameters). */
  instructionPointer(): number;
  event(kind: 'page-out' | 'page-in' | 'repage', text: string): void;
  /** A chance to report a bad kernel access more precisely (freed special pool) before 0x50. */
  badKernelAccess?(va: number, write: boolean): void;
}

export const SYSTEM_SPACE = 0;

/** Contents of a frame repurposed for the file cache: recognisable in a memory view. */
const CACHE_PAGE = new TextEncoder().encode('[file cache data] '.repeat(228).slice(0, PAGE_SIZE));

export function isWritableProtection(p: number): boolean {
  return p === 4 || p === 5 || p === 6 || p === 7;
}

export interface MmSave {
  pfn: PfnSave;
  phys: PhysicalMemorySave;
  pageFile: (Uint8Array | null)[];
  pageFileFrom: number[];
  /** Slots given back by released pages, reused before the page file grows. */
  pageFileFree?: number[];
  spaces: [number, SavedTable, number][];
  currentSpace: number;
  /** The working-set manager's clock hand and recently used pages. */
  workingSets?: { hand: number; recent?: number[] };
}

export class MemoryManager {
  readonly pfn: PfnDatabase;
  readonly phys: PhysicalMemory;
  /** Page-file slots: saved contents (null = a zero page). */
  pageFile: (Uint8Array | null)[] = [];
  /** The frame each slot was written from, so a repage can say where the data used to live. */
  pageFileFrom: number[] = [];
  /**
   * Slots given back by released pages. Reused before the file grows, so a scenario that pages
   * the same memory out again and again, or frees what it paged out, keeps a bounded page file.
   */
  pageFileFree: number[] = [];
  readonly spaces = new Map<number, PageTables>();
  /** Trims unlocked pages when no frame is available (reference 3.3). */
  readonly workingSets: WorkingSetManager;
  system: PageTables;
  /** Whose user half is visible: the current process context. */
  current: PageTables;
  /** Faults on not-present file-view PTEs (bit 1 set), resolved by the I/O manager's file cache (io/fileCache.ts). */
  prototypeFault: ((space: PageTables, vpn: number, pte: number, va: number, write: boolean) => number) | null = null;
  // One-entry translation caches (a TLB); flushed on every PTE change and context switch.
  private tlbReadVpn = -1;
  private tlbReadSpace = -1;
  private tlbReadPa = 0;
  private tlbWriteVpn = -1;
  private tlbWriteSpace = -1;
  private tlbWritePa = 0;

  constructor(readonly totalFrames: number, private readonly host: MmHost) {
    this.pfn = new PfnDatabase(totalFrames);
    this.phys = new PhysicalMemory(totalFrames);
    this.workingSets = new WorkingSetManager(this, host);
    this.system = this.createSpace(SYSTEM_SPACE);
    this.current = this.system;
  }

  createSpace(id: number): PageTables {
    const pt = new PageTables(id, () => this.allocateTableFrame(id));
    this.spaces.set(id, pt);
    return pt;
  }

  private allocateTableFrame(spaceId: number): number {
    const pfn = this.allocateFrame(true);
    if (pfn < 0) this.host.bugCheck(0x1a, [0x41201, 0, 0, 0], 'no physical memory left for a page table');
    this.pfn.flags[pfn] |= PFN_PAGE_TABLE;
    this.pfn.shareCount[pfn] = 1;
    this.pfn.referenceCount[pfn] = 1;
    this.pfn.ownerSpace[pfn] = spaceId;
    return pfn;
  }

  spaceFor(va: number): PageTables {
    return va < 0 ? this.system : this.current;
  }

  /** Called on every flush: KernelMemory's per-page translation cache drops its entries. */
  onFlush: (() => void) | null = null;

  /**
   * Bumped by every flush, i.e. after every change of a PTE's validity or frame, context switch
   * and restore: a reader that saw the same epoch may reuse what it derived from page tables
   * (the snapshot's per-slot checks). Host-side only, never saved.
   */
  pteEpoch = 0;

  flushTlb(): void {
    this.tlbReadVpn = -1;
    this.tlbWriteVpn = -1;
    this.pteEpoch++;
    if (this.onFlush !== null) this.onFlush();
  }

  /**
   * What translate() does for a page whose valid translation a caller has cached: the
   * working-set bookkeeping of a one-entry-TLB miss (so trimming decisions do not depend on caching).
   */
  cachedHit(spaceId: number, vpn: number, pfn: number, write: boolean): void {
    if (write) {
      if (vpn === this.tlbWriteVpn && spaceId === this.tlbWriteSpace) return;
      this.workingSets.touched(spaceId, vpn);
      this.tlbWriteVpn = vpn; this.tlbWriteSpace = spaceId; this.tlbWritePa = pfn * PAGE_SIZE;
    } else {
      if (vpn === this.tlbReadVpn && spaceId === this.tlbReadSpace) return;
      this.workingSets.touched(spaceId, vpn);
      this.tlbReadVpn = vpn; this.tlbReadSpace = spaceId; this.tlbReadPa = pfn * PAGE_SIZE;
    }
  }

  setPte(space: PageTables, vpn: number, pte: number): void {
    space.setPte(vpn, pte);
    this.flushTlb();
  }

  switchTo(space: PageTables): void {
    this.current = space;
    this.flushTlb();
  }

  // ---- frames -------------------------------------------------------------------------------

  /**
   * A frame for new use (Active, counts zero), or -1. Takes the zeroed/free lists first, then
   * repurposes standby and modified pages (writing modified ones to the page file first); when
   * those are empty too, the working-set manager trims unlocked pages and the search starts
   * again. -1 means everything left is locked, nonpaged or a page table.
   */
  allocateFrame(zeroed: boolean): number {
    for (;;) {
      let got = this.pfn.takeFreeFrame();
      if (got === null) {
        const pfn = this.repurpose();
        if (pfn >= 0) got = { pfn, dirty: true };
      }
      if (got !== null) {
        // A frame starts its new use without a page-file copy: a copy still named here would be
        // taken for this page's own the next time it is written out.
        this.pfn.pageFileSlot[got.pfn] = -1;
        if (zeroed && got.dirty) this.phys.zero(got.pfn);
        return got.pfn;
      }
      if (this.workingSets.trim() === 0) return -1;
    }
  }

  /** Take the oldest standby (then modified) page away from its owner, whose PTE becomes paged out. */
  private repurpose(): number {
    for (const loc of [PageLocation.Standby, PageLocation.Modified]) {
      const pfn = this.pfn.headOf(loc);
      if (pfn < 0) continue;
      let slot = this.pfn.pageFileSlot[pfn];
      if (loc === PageLocation.Modified || (slot < 0 && !this.phys.isZero(pfn))) slot = this.writeToPageFile(pfn);
      const space = this.spaces.get(this.pfn.ownerSpace[pfn]);
      if (space) {
        const vpn = vpnOf(this.pfn.ownerVa[pfn]);
        const pte = space.getPte(vpn);
        if (!(pte % 2) && (pte % 4096) & PTE_TRANSITION && pteFrame(pte) === pfn) {
          const prot = pteProtection(pte);
          this.setPte(space, vpn, slot >= 0 ? makePageFilePte(slot, prot) : makeDemandZeroPte(prot));
        }
      }
      this.pfn.setLocation(pfn, PageLocation.Active);
      this.resetFrame(pfn);
      return pfn;
    }
    return -1;
  }

  private resetFrame(pfn: number): void {
    const d = this.pfn;
    d.shareCount[pfn] = 0; d.referenceCount[pfn] = 0; d.lockCount[pfn] = 0; d.flags[pfn] = 0;
    d.cacheAttribute[pfn] = -1; d.ownerSpace[pfn] = -1; d.ownerVa[pfn] = 0; d.pageFileSlot[pfn] = -1;
  }

  /** Writes a frame out: over its own earlier copy when it has one (it was modified since), else into a free slot. */
  writeToPageFile(pfn: number): number {
    let slot = this.pfn.pageFileSlot[pfn];
    if (slot < 0) slot = this.pageFileFree.length > 0 ? this.pageFileFree.pop()! : this.pageFile.length;
    this.pageFile[slot] = this.phys.capture(pfn);
    this.pageFileFrom[slot] = pfn;
    this.pfn.pageFileSlot[pfn] = slot;
    this.pfn.flags[pfn] &= ~PFN_MODIFIED;
    return slot;
  }

  /**
   * Drop one reference (a mapping or a lock). At zero the frame leaves use: to the free list if
   * its owner is gone, else to modified/standby (reference 3.2).
   */
  dereferenceFrame(pfn: number): void {
    const d = this.pfn;
    const r = --d.referenceCount[pfn];
    if (r > 0) return;
    if (d.shareCount[pfn] !== 0) return; // caller bug-checks 0x4E/7 before getting here
    if (d.flags[pfn] & PFN_DELETED || d.ownerSpace[pfn] < 0) {
      d.setLocation(pfn, PageLocation.Free);
      d.ownerSpace[pfn] = -1;
      this.phys.zero(pfn); // contents of a free page are meaningless; drop the host memory
    } else {
      d.setLocation(pfn, d.flags[pfn] & PFN_MODIFIED ? PageLocation.Modified : PageLocation.Standby);
    }
  }

  /** Map a fresh frame at vpn (committed memory made resident, or nonpaged pool). */
  mapNewFrame(space: PageTables, vpn: number, protection: number, pfn: number): void {
    const d = this.pfn;
    d.shareCount[pfn] = 1;
    d.referenceCount[pfn] = 1;
    d.ownerSpace[pfn] = space.spaceId;
    d.ownerVa[pfn] = vaOfVpn(vpn);
    this.setPte(space, vpn, makeValidPte(pfn, isWritableProtection(protection), space !== this.system));
    space.workingSetPages++;
  }

  // ---- faults -------------------------------------------------------------------------------

  /**
   * Make the page at vpn resident; returns its frame. Raises/bug-checks as Windows does when the
   * PTE cannot be resolved. `pte` is the current (invalid) PTE.
   */
  resolveFault(space: PageTables, vpn: number, pte: number, va: number, write: boolean): number {
    const low = pte % 4096;
    const prot = pteProtection(pte);
    const user = va >= 0;
    if (this.prototypeFault && (low & 0xc03) === 0x2) return this.prototypeFault(space, vpn, pte, va, write);
    if (pte === 0 || prot === MM_NOACCESS || prot === 0) this.accessViolation(va, write, 'not committed');
    // Reference 6.7: a not-present page at DISPATCH_LEVEL or above cannot be paged in.
    if (this.host.irql >= DISPATCH_LEVEL) this.irqlFault(va, write);
    const d = this.pfn;
    let pfn: number;
    if (low & PTE_TRANSITION) {
      // Soft fault: the data is still in the frame (standby, modified, or held by a lock).
      pfn = pteFrame(pte);
      const loc = d.state[pfn];
      if (loc !== PageLocation.Active) d.setLocation(pfn, PageLocation.Active);
      d.shareCount[pfn] = 1;
      d.referenceCount[pfn] += 1;
      this.host.event('page-in', `soft fault: ${hex64(va)} back into the same frame 0x${pfn.toString(16)}`);
    } else if (low & PTE_PAGEFILE) {
      const slot = pteFrame(pte) - 1;
      pfn = this.allocateFrame(false);
      if (pfn < 0) this.outOfMemory(va);
      this.phys.load(pfn, this.pageFile[slot] ?? null);
      d.pageFileSlot[pfn] = slot;
      d.shareCount[pfn] = 1;
      d.referenceCount[pfn] = 1;
      const was = this.pageFileFrom[slot];
      this.host.event('repage', `hard fault: ${hex64(va)} read back from the page file into frame 0x${pfn.toString(16)}` + (was !== undefined && was !== pfn ? ` (it was in frame 0x${was.toString(16)})` : ''));
    } else {
      pfn = this.allocateFrame(true);
      if (pfn < 0) this.outOfMemory(va);
      d.shareCount[pfn] = 1;
      d.referenceCount[pfn] = 1;
    }
    d.ownerSpace[pfn] = space.spaceId;
    d.ownerVa[pfn] = vaOfVpn(vpn);
    this.setPte(space, vpn, makeValidPte(pfn, isWritableProtection(prot), user));
    space.workingSetPages++;
    return pfn;
  }

  private outOfMemory(va: number): never {
    throw new SehException(STATUS.NO_MEMORY, `no physical page available to resolve a fault at ${hex64(va)}`, va);
  }

  accessViolation(va: number, write: boolean, why: string): never {
    if (this.host.irql >= DISPATCH_LEVEL) this.irqlFault(va, write);
    if (va >= 0 && va <= MM_HIGHEST_USER_ADDRESS) {
      throw new SehException(STATUS.ACCESS_VIOLATION, `access violation ${write ? 'writing' : 'reading'} ${hex64(va)} (${why})`, va, write);
    }
    this.host.badKernelAccess?.(va, write);
    // Reference 6.0: an invalid kernel address is PAGE_FAULT_IN_NONPAGED_AREA.
    this.host.bugCheck(0x50, [va, write ? 1 : 0, this.host.instructionPointer(), 0], `${write ? 'write to' : 'read from'} invalid system address ${hex64(va)} (${why})`);
  }

  irqlFault(va: number, write: boolean): never {
    const ip = this.host.instructionPointer();
    if (this.host.inKernelRoutine) {
      this.host.bugCheck(0x0a, [va, this.host.irql, write ? 1 : 0, ip], `page fault on ${hex64(va)} at IRQL ${this.host.irql} inside a kernel routine: the page is not resident and cannot be paged in at DISPATCH_LEVEL`);
    }
    this.host.bugCheck(0xd1, [va, this.host.irql, write ? 1 : 0, ip], `driver touched ${hex64(va)} at IRQL ${this.host.irql}: the page is not resident and cannot be paged in at DISPATCH_LEVEL`);
  }

  // ---- translation --------------------------------------------------------------------------

  /** Physical address (pfn * 4096 + offset) of va for an access, resolving faults. */
  translate(va: number, write: boolean): number {
    const vpn = vpnOf(va);
    const space = va < 0 ? this.system : this.current;
    if (write) {
      if (vpn === this.tlbWriteVpn && space.spaceId === this.tlbWriteSpace) return this.tlbWritePa + (va & 0xfff);
    } else if (vpn === this.tlbReadVpn && space.spaceId === this.tlbReadSpace) return this.tlbReadPa + (va & 0xfff);
    if (!isCanonical(va)) this.host.bugCheck(0x50, [va, write ? 1 : 0, this.host.instructionPointer(), 4], `non-canonical address ${va}`);
    if (va >= 0 && va > MM_HIGHEST_USER_ADDRESS) this.accessViolation(va, write, 'above the highest user address');
    let pte = space.getPte(vpn);
    let pfn: number;
    this.workingSets.touched(space.spaceId, vpn);
    if (pte % 2 === 1) pfn = pteFrame(pte);
    else {
      pfn = this.resolveFault(space, vpn, pte, va, write);
      pte = space.getPte(vpn);
    }
    const low = pte % 4096;
    if (write) {
      if (!(low & PTE_WRITE)) {
        if (va >= 0) this.accessViolation(va, true, 'read-only page');
        // Reference 6.0: writing a read-only system mapping (e.g. MdlMappingNoWrite).
        this.host.bugCheck(0xbe, [va, pte, 0, 0], `write to read-only system address ${hex64(va)}`);
      }
      if (!(low & PTE_DIRTY)) {
        space.setPte(vpn, pte + PTE_DIRTY);
        this.pfn.flags[pfn] |= PFN_MODIFIED;
      }
      this.tlbWriteVpn = vpn; this.tlbWriteSpace = space.spaceId; this.tlbWritePa = pfn * PAGE_SIZE;
    } else {
      this.tlbReadVpn = vpn; this.tlbReadSpace = space.spaceId; this.tlbReadPa = pfn * PAGE_SIZE;
    }
    return pfn * PAGE_SIZE + (va & 0xfff);
  }

  /** Translation without faults or side effects (debugger): -1 when the page is not resident. */
  peekTranslate(va: number, space?: PageTables): number {
    if (!isCanonical(va)) return -1;
    const s = va < 0 ? this.system : space ?? this.current;
    const pte = s.getPte(vpnOf(va));
    if (pte % 2 !== 1) return -1;
    return pteFrame(pte) * PAGE_SIZE + (va & 0xfff);
  }

  /** MmIsAddressValid: resident right now (a fault would not be needed). */
  isAddressValid(va: number): boolean {
    return this.peekTranslate(va) >= 0;
  }

  // ---- trimming -----------------------------------------------------------------------------

  /**
   * Remove one resident page from its working set (reference 3.3). A locked frame stays put
   * (transition PTE, ReferenceCount held by the lock). An unlocked one goes to standby/modified;
   * with `repurpose` it is written to the page file and the frame is taken for other use at once,
   * so the next touch is a hard fault into a new frame.
   */
  trimPage(space: PageTables, vpn: number, repurpose: boolean): 'locked' | 'trimmed' | 'none' {
    const pte = space.getPte(vpn);
    if (pte % 2 !== 1) return 'none';
    const d = this.pfn;
    const pfn = pteFrame(pte);
    const low = pte % 4096;
    const prot = low & PTE_WRITE ? MM_READWRITE : MM_READONLY;
    if (low & PTE_DIRTY) d.flags[pfn] |= PFN_MODIFIED;
    space.workingSetPages--;
    d.shareCount[pfn] = 0;
    if (d.lockCount[pfn] > 0 || d.referenceCount[pfn] > 1) {
      this.setPte(space, vpn, makeTransitionPte(pfn, prot));
      d.referenceCount[pfn]--;
      d.setLocation(pfn, PageLocation.Transition);
      return 'locked';
    }
    if (repurpose) {
      // Memory pressure from elsewhere: the data goes to the page file and the frame is taken
      // over at once by the system file cache (a standby page with someone else's data), so the
      // next touch is a hard fault into a different frame and a stale PFN names a cache page.
      const slot = d.flags[pfn] & PFN_MODIFIED || d.pageFileSlot[pfn] < 0 ? this.writeToPageFile(pfn) : d.pageFileSlot[pfn];
      this.setPte(space, vpn, makePageFilePte(slot, prot));
      d.referenceCount[pfn] = 0;
      d.ownerSpace[pfn] = -1;
      d.flags[pfn] = 0;
      d.pageFileSlot[pfn] = -1;
      this.phys.writable(pfn).set(CACHE_PAGE);
      d.setLocation(pfn, PageLocation.Standby);
    } else {
      this.setPte(space, vpn, makeTransitionPte(pfn, prot));
      this.dereferenceFrame(pfn);
    }
    return 'trimmed';
  }

  /** Trim every resident page in [fromVpn, toVpn) of a space; returns counts. */
  trimRange(space: PageTables, repurpose: boolean, fromVpn = 0, toVpn = 2 ** 36): { trimmed: number; locked: number } {
    const vpns: number[] = [];
    space.forEachPte((vpn, pte) => { if (pte % 2 === 1 && (pte % 4096) & PTE_OWNER) vpns.push(vpn); }, fromVpn, toVpn);
    if (space === this.system) {
      vpns.length = 0;
      space.forEachPte((vpn, pte) => { if (pte % 2 === 1) vpns.push(vpn); }, fromVpn, toVpn);
    }
    let trimmed = 0;
    let locked = 0;
    for (const vpn of vpns) {
      const r = this.trimPage(space, vpn, repurpose);
      if (r === 'trimmed') trimmed++;
      else if (r === 'locked') locked++;
    }
    return { trimmed, locked };
  }

  /**
   * Release a page mapped at vpn (decommit/free, process exit): the frame loses its mapping and
   * its owner; it goes free when no lock holds it any more.
   */
  releasePage(space: PageTables, vpn: number): void {
    const pte = space.getPte(vpn);
    const d = this.pfn;
    const low = pte % 4096;
    if (pte % 2 === 1) {
      const pfn = pteFrame(pte);
      this.releaseFrameCopy(pfn);
      space.workingSetPages--;
      d.shareCount[pfn] = 0;
      d.flags[pfn] |= PFN_DELETED;
      this.dereferenceFrame(pfn);
    } else if (low & PTE_TRANSITION) {
      const pfn = pteFrame(pte);
      this.releaseFrameCopy(pfn);
      d.flags[pfn] |= PFN_DELETED;
      if (d.referenceCount[pfn] === 0) {
        d.setLocation(pfn, PageLocation.Free);
        d.ownerSpace[pfn] = -1;
        this.phys.zero(pfn);
      }
    } else if (low & PTE_PAGEFILE) {
      this.releaseSlot(pteFrame(pte) - 1);
    }
    this.setPte(space, vpn, 0);
  }

  /** A released page's clean copy in the page file is no longer anyone's. */
  private releaseFrameCopy(pfn: number): void {
    const slot = this.pfn.pageFileSlot[pfn];
    if (slot < 0) return;
    this.pfn.pageFileSlot[pfn] = -1;
    this.releaseSlot(slot);
  }

  private releaseSlot(slot: number): void {
    this.pageFile[slot] = null;
    this.pageFileFree.push(slot);
  }

  /** Demand-zero commit of [vpn, vpn+count) with an MM protection (no frames yet). */
  commit(space: PageTables, vpn: number, count: number, protection: number): void {
    this.pfn.reserve(count);
    for (let i = 0; i < count; i++) space.setPte(vpn + i, makeDemandZeroPte(protection));
    this.flushTlb();
  }

  save(): MmSave {
    return {
      pfn: this.pfn.save(),
      phys: this.phys.save(),
      pageFile: this.pageFile.slice(),
      pageFileFrom: this.pageFileFrom.slice(),
      pageFileFree: this.pageFileFree.slice(),
      spaces: [...this.spaces].map(([id, s]) => [id, s.save(), s.workingSetPages]),
      currentSpace: this.current.spaceId,
      workingSets: this.workingSets.save(),
    };
  }

  restore(s: MmSave): void {
    this.pfn.restore(s.pfn);
    this.phys.restore(s.phys);
    this.pageFile = s.pageFile.slice();
    this.pageFileFrom = s.pageFileFrom.slice();
    this.pageFileFree = s.pageFileFree?.slice() ?? [];
    const keep = new Set(s.spaces.map(([id]) => id));
    for (const id of [...this.spaces.keys()]) if (!keep.has(id)) this.spaces.delete(id);
    for (const [id, tables, ws] of s.spaces) {
      let sp = this.spaces.get(id);
      if (!sp) sp = this.createSpaceFromSave(id, tables);
      sp.restore(tables);
      sp.workingSetPages = ws;
    }
    this.system = this.spaces.get(SYSTEM_SPACE)!;
    this.current = this.spaces.get(s.currentSpace) ?? this.system;
    this.workingSets.restore(s.workingSets);
    this.flushTlb();
  }

  private createSpaceFromSave(id: number, tables: SavedTable): PageTables {
    const pt = new PageTables(id, () => this.allocateTableFrame(id), tables.pfn);
    this.spaces.set(id, pt);
    return pt;
  }
}
