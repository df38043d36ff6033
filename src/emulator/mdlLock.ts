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
import { vpnOf, pteFrame } from './pageTables';
import { PageLocation } from './pfnDatabase';
import { hex64 } from './u64';

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
  const rec = k.mdl.track(mdl);
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
  const pfns = new Float64Array(pages);
  let locked = 0;
  try {
    for (let i = 0; i < pages; i++) {
      const va = f.startVa + i * PAGE_SIZE;
      const vpn = vpnOf(va);
      let pte = space.getPte(vpn);
      // Step 2/5: probe (touch) the page, faulting it in; user pages are probed for write too.
      if (pte % 2 !== 1 || (write && userRange && !((pte % 4096) & 2))) {
        mm.translate(va, write && userRange);
        pte = space.getPte(vpn);
      }
      const pfn = pteFrame(pte);
      // Step 6: the lock is a ReferenceCount on the frame.
      d.referenceCount[pfn]++;
      d.lockCount[pfn]++;
      pfns[i] = pfn;
      locked++;
    }
  } catch (e) {
    // Step 7: undo the locks taken so far, then re-raise (Process = NULL, PAGES_LOCKED clear).
    for (let i = 0; i < locked; i++) {
      d.lockCount[pfns[i]]--;
      d.referenceCount[pfns[i]]--;
    }
    k.memory.write64(mdl + L.Process, 0);
    throw e;
  }
  writePfnArray(k, mdl, pfns);
  k.mdl.st.lockedPages += pages;
  k.memory.write64(mdl + L.Process, proc ? proc.eprocess : 0);
  if (proc) {
    proc.lockedPages += pages;
    proc.locks.push({ mdl, pages, caller: k.instructionPointer() });
  }
  k.mdl.setFlags(mdl, (f.flags | MDL_PAGES_LOCKED) & ~MDL_WRITE_OPERATION | (write ? MDL_WRITE_OPERATION : 0));
  void rec;
  k.event('lock', `MmProbeAndLockPages(${hex64(mdl)}, ${accessMode === UserMode ? 'UserMode' : 'KernelMode'}, ${['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess'][operation] ?? operation}): ${pages} page${pages === 1 ? '' : 's'} locked${proc ? ` in ${proc.name}` : ''}`, mdl);
}

/** Store the PFN array in one write (the fast path for large MDLs). */
export function writePfnArray(k: Kernel, mdl: number, pfns: Float64Array): void {
  const bytes = new Uint8Array(pfns.length * 8);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < pfns.length; i++) {
    const v = pfns[i];
    if (v >= 0 && v < 2 ** 32) {
      dv.setUint32(i * 8, v, true);
    } else dv.setBigInt64(i * 8, BigInt(v), true);
  }
  k.memory.writeBytes(mdl + L.PfnArray, bytes);
}

export function readPfnArray(k: Kernel, mdl: number, count: number): Float64Array {
  const bytes = k.memory.readBytes(mdl + L.PfnArray, count * 8);
  const dv = new DataView(bytes.buffer);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const hi = dv.getUint32(i * 8 + 4, true);
    out[i] = hi === 0 ? dv.getUint32(i * 8, true) : Number(dv.getBigInt64(i * 8, true));
  }
  return out;
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
  const d = k.mm.pfn;
  const pfns = readPfnArray(k, mdl, pages);
  for (let i = 0; i < pages; i++) {
    const pfn = pfns[i];
    if (pfn === PFN_SENTINEL) break;
    if (!d.isRam(pfn) || pfn >= d.watermark) continue; // I/O space or garbage: no PFN entry
    if (d.referenceCount[pfn] - 1 <= 0 && d.shareCount[pfn] > 0 || d.referenceCount[pfn] <= 0) {
      // Reference 3.2: unlocked more times than locked.
      k.bugCheck(0x4e, [7, pfn, d.shareCount[pfn], 0], `MmUnlockPages dropped a lock on frame 0x${pfn.toString(16)} that nobody holds (page unlocked more times than locked)`);
    }
    if (d.lockCount[pfn] > 0) d.lockCount[pfn]--;
    else k.event('unlock', `frame 0x${pfn.toString(16)} had no lock left: another user's pin was silently stolen (reference 2.5)`, mdl);
    if (f.flags & MDL_PAGES_LOCKED) k.mdl.st.lockedPages = Math.max(0, k.mdl.st.lockedPages - 1);
    if (d.referenceCount[pfn] === 1 && d.state[pfn] === PageLocation.Transition) {
      k.mm.dereferenceFrame(pfn); // a trimmed, locked page now goes to standby/modified
    } else {
      d.referenceCount[pfn]--;
    }
  }
  k.mdl.setFlags(mdl, k.mdl.read(mdl).flags & ~(MDL_PAGES_LOCKED | MDL_IO_SPACE));
  k.event('unlock', `MmUnlockPages(${hex64(mdl)}): ${pages} page${pages === 1 ? '' : 's'} unlocked`, mdl);
}
