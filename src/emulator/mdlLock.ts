// MmProbeAndLockPages / MmProbeAndLockProcessPages / MmUnlockPages (reference 2.3–2.5, 3.2, 6.2):
// probing in the current process context, PFN ReferenceCount locks, NumberOfLockedPages, the
// resident-available budget (STATUS_WORKING_SET_QUOTA), and every misuse path.
import type { Kernel } from './kernel';
import { SehException } from './contract';
import { MDL as L } from './layouts';
import {
  PAGE_SIZE, DISPATCH_LEVEL, UserMode, IoReadAccess, MM_USER_PROBE_ADDRESS, STATUS, PFN_SENTINEL,
  MDL_PAGES_LOCKED, MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL, MDL_PARTIAL, MDL_IO_SPACE, MDL_WRITE_OPERATION,
  mdlFlagNames,
} from './constants';
import { spanPages } from './mdl';
import { unmapLockedPages } from './mdlMap';
import { vpnOf, PTE_VALID, PTE_WRITE, PTE_OWNER, PTE_ACCESSED, PTE_DIRTY, type PageTables } from './pageTables';
import { isWritableProtection } from './memoryManager';
import { PageLocation, PFN_MODIFIED, REFERENCE_COUNT_LIMIT, type PfnDatabase } from './pfnDatabase';
import { hex64 } from './u64';
import { SlotWriter, readPfnArray, slotPage, slotsInPage, endSlotAccess } from './pfnArray';
import { RunRecorder, LOCK_RUNS_MIN_PAGES, keepLockRuns, lockRunsOf, forgetLockRuns } from './lockRuns';

/** Frames that must stay unlocked: locking beyond this fails with STATUS_WORKING_SET_QUOTA. */
export function lockBudget(k: Kernel): number {
  const reserve = Math.max(256, Math.floor(k.totalFrames / 32));
  return k.totalFrames - reserve - k.mdl.st.lockedPages;
}

export function probeAndLockPages(k: Kernel, mdl: number, accessMode: number, operation: number, processOverride: number | null): void {
  const irql = k.irql;
  if (irql > DISPATCH_LEVEL) {
    k.verifierCheck(processOverride === null ? 0x70 : 0x71, irql, mdl, processOverride ?? accessMode, 'MmProbeAndLockPages above DISPATCH_LEVEL');
  }
  k.mdl.track(mdl);
  const f = k.mdl.read(mdl);
  // Reference 2.3 preconditions / 6.12: DV 0xC4/0xB0 (0xB1 for the process variant).
  const bad = f.flags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_IO_SPACE);
  if (bad) {
    k.verifierCheck(processOverride === null ? 0xb0 : 0xb1, mdl, f.flags, bad, `MmProbeAndLockPages on an MDL that already has ${mdlFlagNames(bad).join(' | ')}`);
  }
  const start = f.startVa + f.byteOffset;
  const pages = spanPages(start, f.byteCount);
  if (f.byteCount === 0) k.verifierReport(`Driver Verifier: MmProbeAndLockPages on a zero-length MDL at ${hex64(mdl)} (reference 6.9)`, mdl);
  // Step 1: a user-mode request must stay below MM_USER_PROBE_ADDRESS and must not wrap.
  if (accessMode === UserMode) {
    const end = start + f.byteCount;
    if (end > MM_USER_PROBE_ADDRESS || end <= start || start < 0) {
      k.mdl.setPfn(mdl, 0, PFN_SENTINEL);
      throw new SehException(STATUS.ACCESS_VIOLATION, `MmProbeAndLockPages(UserMode): ${hex64(start)} + 0x${f.byteCount.toString(16)} is not a valid user range`, start, operation !== IoReadAccess);
    }
  }
  // Pinning pressure: the resident-available budget.
  if (pages > lockBudget(k)) {
    throw new SehException(STATUS.WORKING_SET_QUOTA, `MmProbeAndLockPages: locking ${pages} more pages would exceed the resident-available memory (${lockBudget(k)} pages left to lock)`);
  }
  const userRange = start >= 0;
  const proc = userRange ? k.procs.current : null;
  const write = operation !== IoReadAccess;
  const mm = k.mm;
  const d = mm.pfn;
  const space = mm.spaceFor(start);
  const progress = { locked: 0 };
  // a big MDL keeps what the lock stores, for the map and the unlock (lockRuns.ts)
  const recorder = pages >= LOCK_RUNS_MIN_PAGES ? new RunRecorder() : null;
  try {
    // Step 6 stores each PFN in the MDL as it goes, like Windows: a failure leaves the slots filled so far.
    lockRange(k, space, f.startVa, pages, write, userRange, mdl + L.PfnArray, progress, recorder);
  } catch (e) {
    forgetLockRuns(k, mdl);
    // Step 7: undo the locks taken so far, then re-raise (Process = NULL, PAGES_LOCKED clear).
    const taken = readPfnArray(k, mdl, progress.locked);
    for (let i = 0; i < progress.locked; i++) {
      d.lockCount[taken[i]]--;
      d.referenceCount[taken[i]]--;
    }
    k.memory.write64(mdl + L.Process, 0);
    throw e;
  }
  k.mdl.st.lockedPages += pages;
  k.memory.write64(mdl + L.Process, proc ? proc.eprocess : 0);
  if (proc) {
    proc.lockedPages += pages;
    proc.locks.push({ mdl, pages, caller: k.instructionPointer() });
  }
  k.mdl.setFlags(mdl, (f.flags | MDL_PAGES_LOCKED) & ~MDL_WRITE_OPERATION | (write ? MDL_WRITE_OPERATION : 0));
  if (recorder !== null) keepLockRuns(k, mdl, pages, recorder);
  else forgetLockRuns(k, mdl);
  k.event('lock', `MmProbeAndLockPages(${hex64(mdl)}, ${accessMode === UserMode ? 'UserMode' : 'KernelMode'}, ${['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess'][operation] ?? operation}): ${pages} page${pages === 1 ? '' : 's'} locked${proc ? ` in ${proc.name}` : ''}`, mdl);
}

/**
 * Steps 2, 5 and 6 for every page: make it resident and take a lock on its frame. Runs a page
 * table at a time. A run of identical writable demand-zero PTEs takes consecutive never-used
 * frames in bulk (the PFN columns filled a run at a time, no per-page list work); a valid page is
 * locked in place; anything else (transition, paged out, not committed, file view, read-only for
 * a write) goes through the full fault path. On an exception `progress.locked` says how many
 * leading PFN slots hold locks to undo.
 */
function lockRange(k: Kernel, space: PageTables, startVa: number, pages: number, write: boolean, userRange: boolean, slotsVa: number, progress: { locked: number }, recorder: RunRecorder | null): void {
  const mm = k.mm;
  const d = mm.pfn;
  const fast = k.irql < DISPATCH_LEVEL;
  // Low PTE bits of a page made valid on the fast path (writable demand-zero page).
  const validLow = PTE_VALID + PTE_WRITE + (userRange ? PTE_OWNER : 0) + PTE_ACCESSED + (write ? PTE_DIRTY : 0);
  const spaceId = space.spaceId;
  let spare = -1;
  let spareEnd = -1;
  let newPages = 0;
  // Fresh frames [fillFrom, fillTo) made valid and locked whose PFN counts are not filled in yet.
  let fillFrom = -1;
  let fillTo = -1;
  const slots = SlotWriter.take(k, slotsVa, pages);
  try {
    for (let i = 0; i < pages;) {
      const va0 = startVa + i * PAGE_SIZE;
      const vpn0 = vpnOf(va0);
      const idx0 = vpn0 % 512;
      const n = Math.min(512 - idx0, pages - i);
      const pt = fast ? space.pt(vpn0, false) : undefined;
      const e = pt ? pt.entries : null;
      if (e) {
        // Demand-zero pages of this table take never-used frames, reserved for the table at once.
        spare = d.takeFreshRun(n);
        spareEnd = spare >= 0 ? spare + n : -1;
      }
      // Hoisted PFN columns; refreshed after a slow-path fault, which may grow the database.
      let ref = d.referenceCount;
      let locks = d.lockCount;
      for (let j = 0; j < n;) {
        let pte = e ? e[idx0 + j] : space.getPte(vpn0 + j);
        let pfn: number;
        if (spare < spareEnd && isWritableDemandZero(pte)) {
          // A run of demand-zero pages: consecutive fresh frames (all their counts are zero). One
          // pass finds the run and makes its PTEs valid; the PFN columns are then filled in bulk.
          const p0 = spare;
          const ownerVa = d.ownerVa;
          let va = va0 + j * PAGE_SIZE;
          let w = p0 * 4096 + validLow;
          let last = idx0 + Math.min(n, j + spareEnd - p0);
          let pf = p0;
          const sw = slots.page();
          if (sw !== null) {
            // the PFN slots are stored in the same pass, up to the end of their page
            last = Math.min(last, idx0 + j + slots.slotsLeft);
            for (let t = idx0 + j, at = slots.at; t < last && e![t] === pte; t++, pf++, at += 2) {
              e![t] = w;
              ownerVa[pf] = va;
              sw[at] = pf;
              sw[at + 1] = 0;
              w += 4096;
              va += PAGE_SIZE;
            }
            slots.skip(pf - p0);
          } else {
            for (let t = idx0 + j; t < last && e![t] === pte; t++, pf++) {
              e![t] = w;
              ownerVa[pf] = va;
              w += 4096;
              va += PAGE_SIZE;
            }
            slots.run(p0, pf - p0);
          }
          const m = pf - p0;
          const p1 = p0 + m;
          if (recorder !== null) recorder.run(p0, m);
          spare = p1;
          // Runs of successive tables take successive frames: their counts are filled together.
          if (p0 !== fillTo) {
            fillLockedFresh(d, fillFrom, fillTo, spaceId, write);
            fillFrom = p0;
          }
          fillTo = p1;
          newPages += m;
          j += m;
          progress.locked = i + j;
          continue;
        }
        // (x & 0xfff) is exact for PTE values: ToInt32 keeps the low 32 bits of the integer
        const low = pte & 0xfff;
        if ((low & PTE_VALID) !== 0 && (!write || !userRange || (low & PTE_WRITE) !== 0)) {
          pfn = ((pte - low) / 4096) | 0; // an int index: RAM PFNs stay below 2^31
        } else {
          // the fault reads and changes PFN entries (it may trim or grow the database)
          fillLockedFresh(d, fillFrom, fillTo, spaceId, write);
          fillFrom = fillTo = -1;
          mm.translate(va0 + j * PAGE_SIZE, write && userRange);
          pte = space.getPte(vpn0 + j);
          pfn = ((pte - (pte & 0xfff)) / 4096) | 0;
          ref = d.referenceCount;
          locks = d.lockCount;
          // the fault may have trimmed the page holding the PFN slots (an MDL in paged pool): look it up again
          slots.refresh();
        }
        if (ref[pfn] >= REFERENCE_COUNT_LIMIT) tooManyLocks(pfn);
        ref[pfn]++;
        locks[pfn]++;
        slots.one(pfn);
        if (recorder !== null) recorder.run(pfn, 1);
        j++;
        progress.locked = i + j;
      }
      if (spare >= 0 && spare < spareEnd) d.returnFreshRun(spare, spareEnd - spare);
      spare = spareEnd = -1;
      i += n;
    }
  } finally {
    fillLockedFresh(d, fillFrom, fillTo, spaceId, write);
    slots.release();
    space.workingSetPages += newPages;
    if (spare >= 0 && spare < spareEnd) d.returnFreshRun(spare, spareEnd - spare);
    mm.flushTlb();
  }
}

/**
 * The PFN entries of fresh frames [from, to) just mapped by one PTE each and locked: one mapping,
 * a reference for the working set and one for the lock, owned by the space, dirty for a write.
 */
function fillLockedFresh(d: PfnDatabase, from: number, to: number, spaceId: number, write: boolean): void {
  if (from >= to) return;
  d.shareCount.fill(1, from, to);
  d.referenceCount.fill(2, from, to);
  d.lockCount.fill(1, from, to);
  d.ownerSpace.fill(spaceId, from, to);
  if (write) d.flags.fill(PFN_MODIFIED, from, to);
}

/** Windows refuses to lock a frame that is already referenced MmReferenceCountCheck times (its count is 16 bits). */
function tooManyLocks(pfn: number): never {
  throw new SehException(STATUS.WORKING_SET_QUOTA, `MmProbeAndLockPages: frame 0x${pfn.toString(16)} is already referenced ${REFERENCE_COUNT_LIMIT} times, the most Windows lets MmProbeAndLockPages take (MmReferenceCountCheck)`);
}

/** A writable demand-zero PTE (MM protection only: not a file view, transition or paged out). */
function isWritableDemandZero(pte: number): boolean {
  return pte > 0 && pte < 4096 && (pte & 0xc1f) === 0 && isWritableProtection(pte >>> 5);
}

export function unlockPages(k: Kernel, mdl: number): void {
  const irql = k.irql;
  if (irql > DISPATCH_LEVEL) k.verifierCheck(0x78, irql, mdl, 0, 'MmUnlockPages above DISPATCH_LEVEL');
  const f = k.mdl.read(mdl);
  // Reference 2.5 preconditions, each a DV 0xC4 subcode.
  if (f.flags & MDL_PARTIAL) k.verifierCheck(0xb4, mdl, f.flags, MDL_PARTIAL, 'MmUnlockPages on a partial MDL (partial MDLs are never locked themselves)');
  if (f.flags & MDL_SOURCE_IS_NONPAGED_POOL) k.verifierCheck(0x7d, mdl, f.flags, 0, 'MmUnlockPages on an MDL built by MmBuildMdlForNonPagedPool');
  if (!(f.flags & MDL_PAGES_LOCKED)) k.verifierCheck(0x7c, mdl, f.flags, 0, 'MmUnlockPages on an MDL whose pages are not locked (never locked, or unlocked twice)');
  if (f.flags & MDL_MAPPED_TO_SYSTEM_VA) unmapLockedPages(k, f.mappedSystemVa, mdl);
  const pages = spanPages(f.startVa + f.byteOffset, f.byteCount);
  if (f.process) {
    const p = k.procs.byEprocess(f.process);
    if (p) {
      if (p.lockedPages - pages < 0) {
        // Plain Windows: PROCESS_HAS_LOCKED_PAGES P1 = 1 (reference 2.5, 6.2).
        k.bugCheck(0x76, [1, mdl, p.lockedPages, 0], `MmUnlockPages on the MDL at ${hex64(mdl)}: ${p.name} has only ${p.lockedPages} locked pages left`);
      }
      p.lockedPages -= pages;
      const i = p.locks.findIndex((l) => l.mdl === mdl);
      if (i >= 0) p.locks.splice(i, 1);
    }
  }
  // The lock's kept runs when they still stand for the array (lockRuns.ts), else the array itself.
  let released: number;
  const recorded = lockRunsOf(k, mdl, pages);
  forgetLockRuns(k, mdl);
  try {
    released = recorded !== null ? unlockRuns(k, mdl, recorded, k.mm.pfn.watermark) : unlockSlots(k, mdl, mdl + L.PfnArray, pages, k.mm.pfn.watermark);
  } finally {
    endSlotAccess(k);
  }
  if (f.flags & MDL_PAGES_LOCKED) k.mdl.st.lockedPages = Math.max(0, k.mdl.st.lockedPages - released);
  k.mdl.setFlags(mdl, k.mdl.read(mdl).flags & ~(MDL_PAGES_LOCKED | MDL_IO_SPACE));
  k.event('unlock', `MmUnlockPages(${hex64(mdl)}): ${pages} page${pages === 1 ? '' : 's'} unlocked`, mdl);
}

/**
 * Drop the lock of every frame the first `pages` slots name (up to the sentinel); returns how many
 * slots named RAM. The array is walked in place, a page of slots at a time, in one pass: the common
 * frame (one of several references, a lock to drop) costs two reads and two writes.
 */
function unlockSlots(k: Kernel, mdl: number, slotsVa: number, pages: number, known: number): number {
  const d = k.mm.pfn;
  const ref = d.referenceCount;
  const locks = d.lockCount;
  let released = 0;
  let at = 0;
  slots: while (at < pages) {
    const va = slotsVa + at * 8;
    const w = slotPage(k, va, false);
    if (w === null) {
      // slots that are not 8-aligned: one at a time
      const v = Number(k.memory.read64(slotsVa + at * 8));
      if (v === PFN_SENTINEL) break;
      if (v >= 0 && v < known) {
        released++;
        unlockFrame(k, mdl, v);
      }
      at++;
      continue;
    }
    const n = slotsInPage(va, pages - at);
    for (let q = (va & 0xfff) >> 2, end = q + 2 * n; q < end; q += 2) {
      const hi = w[q + 1];
      const pfn = w[q] | 0; // an int index (RAM PFNs stay below 2^31): a double one is several times slower
      if (hi === 0 && pfn >= 0 && pfn < known) {
        released++;
        const r = ref[pfn];
        if (r > 1 && locks[pfn] > 0) {
          ref[pfn] = r - 1;
          locks[pfn]--;
        } else unlockFrame(k, mdl, pfn);
        continue;
      }
      if (hi === 0xffffffff && pfn === PFN_SENTINEL) break slots;
      // I/O space or garbage: no PFN entry
    }
    at += n;
  }
  return released;
}

/**
 * unlockSlots for a PFN array the lock's runs still describe (lockRuns.ts): the same drop of each
 * frame's lock, a run at a time. A run whose frames all hold another reference and a lock (native
 * scans of the two columns) is a plain decrement of both; any other run goes frame by frame
 * through unlockFrame.
 */
function unlockRuns(k: Kernel, mdl: number, runs: Int32Array, known: number): number {
  const d = k.mm.pfn;
  const ref = d.referenceCount;
  const locks = d.lockCount;
  let released = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const p0 = runs[i];
    const p1 = Math.min(p0 + runs[i + 1], known); // frames without a PFN entry (I/O space) have no lock
    if (p0 >= p1) continue;
    released += p1 - p0;
    const r = ref.subarray(p0, p1);
    if (locks.subarray(p0, p1).indexOf(0) < 0 && r.indexOf(1) < 0 && r.indexOf(0) < 0) {
      for (let pfn = p0; pfn < p1; pfn++) {
        ref[pfn]--;
        locks[pfn]--;
      }
      continue;
    }
    for (let pfn = p0; pfn < p1; pfn++) unlockFrame(k, mdl, pfn);
  }
  return released;
}

/** Drop the lock of one frame outside the common case: the last reference, a missing lock, or a lock nobody holds. */
function unlockFrame(k: Kernel, mdl: number, pfn: number): void {
  const d = k.mm.pfn;
  const r = d.referenceCount[pfn];
  if (r > 1 && d.lockCount[pfn] > 0) {
    d.referenceCount[pfn] = r - 1;
    d.lockCount[pfn]--;
    return;
  }
  if (r <= 0 || (r === 1 && d.shareCount[pfn] > 0)) {
    // Reference 3.2: unlocked more times than locked.
    k.bugCheck(0x4e, [7, pfn, d.shareCount[pfn], 0], `MmUnlockPages dropped a lock on frame 0x${pfn.toString(16)} that nobody holds (page unlocked more times than locked)`);
  }
  if (d.lockCount[pfn] > 0) d.lockCount[pfn]--;
  else k.event('unlock', `frame 0x${pfn.toString(16)} had no lock left: another user's pin was silently stolen (reference 2.5)`, mdl);
  if (r === 1 && d.state[pfn] === PageLocation.Transition) {
    k.mm.dereferenceFrame(pfn); // a trimmed, locked page now goes to standby/modified
  } else {
    d.referenceCount[pfn] = r - 1;
  }
}
