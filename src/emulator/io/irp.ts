// IRPs: IoAllocateIrp with its stack locations after the IRP, IoFreeIrp, IoCallDriver (next stack
// location, DeviceObject, the driver's MajorFunction through a guest call) and IoCompleteRequest in
// the order of reference 4.3: 0x44 on a second completion, completion routines upward (stopped by
// STATUS_MORE_PROCESSING_REQUIRED), paging I/O leaves its MDLs alone, otherwise MmUnlockPages on
// every MDL of the chain, then — what Windows defers to an APC in the requester's thread — the
// buffered copy-back, IoFreeMdl on every MDL, the I/O status block and the IRP's release.
import type { NativeResult } from '../contract';
import { GuestCallFault, SehException } from '../contract';
import { IRP, IO_STACK_LOCATION as SL, DEVICE_OBJECT as DEV, DRIVER_OBJECT as DRV, MDL as M } from '../layouts';
import { STATUS, ntStatusName } from '../constants';
import { hex64 } from '../u64';
import { callGuest, ntStatus, ntSuccess, then } from './cps';
import {
  type IoManager, IRP_TAG, IO_TYPE_IRP, IRP_ASSOCIATED_IRP, IRP_PAGING_IO, IRP_CLOSE_OPERATION, IRP_BUFFERED_IO, IRP_DEALLOCATE_BUFFER,
  IRP_INPUT_OPERATION, IRP_DEFER_IO_COMPLETION, SL_PENDING_RETURNED, SL_INVOKE_ON_SUCCESS, SL_INVOKE_ON_ERROR, SL_INVOKE_ON_CANCEL, majorName,
} from './ioManager';

export function allocateIrp(io: IoManager, stackSize: number): number {
  const k = io.k;
  const n = (stackSize << 24) >> 24; // CCHAR
  if (n < 0) return 0;
  const size = IRP.sizeof + n * SL.sizeof;
  const irp = k.pool.allocate('NonPaged', size, IRP_TAG);
  if (!irp) return 0;
  const m = k.memory;
  m.fill(irp, size, 0);
  m.write16(irp + IRP.Type, IO_TYPE_IRP);
  m.write16(irp + IRP.Size, size);
  m.write64(irp + IRP.ThreadListEntry, irp + IRP.ThreadListEntry);
  m.write64(irp + IRP.ThreadListEntry + 8, irp + IRP.ThreadListEntry);
  m.write8(irp + IRP.StackCount, n);
  m.write8(irp + IRP.CurrentLocation, n + 1);
  // One past the last location: IoGetNextIrpStackLocation is the last (lowest driver's) one.
  m.write64(irp + IRP.TailOverlayCurrentStackLocation, irp + IRP.sizeof + n * SL.sizeof);
  io.irpEvent(`IoAllocateIrp(${n}) → IRP ${hex64(irp)} with ${n} stack location${n === 1 ? '' : 's'}`);
  return irp;
}

/**
 * IoMakeAssociatedIrp: an IRP of its own, flagged IRP_ASSOCIATED_IRP, whose AssociatedIrp names the
 * master. The master's AssociatedIrp.IrpCount is the caller's to set (it says how many to wait for).
 * Only the master belongs to the requesting thread.
 */
export function makeAssociatedIrp(io: IoManager, master: number, stackSize: number): number {
  const k = io.k;
  const irp = allocateIrp(io, stackSize);
  if (!irp) return 0;
  const m = k.memory;
  m.write32(irp + IRP.Flags, m.read32(irp + IRP.Flags) | IRP_ASSOCIATED_IRP);
  m.write64(irp + IRP.TailOverlayThread, io.p64(master + IRP.TailOverlayThread));
  m.write64(irp + IRP.AssociatedIrp, master);
  io.irpEvent(`IoMakeAssociatedIrp(${hex64(master)}) → IRP ${hex64(irp)}: completing it counts down the master's AssociatedIrp.IrpCount`);
  return irp;
}

/** Release the IRP's memory (Type cleared first, so a late completion is recognisable). */
export function releaseIrp(io: IoManager, irp: number): void {
  io.k.memory.write16(irp + IRP.Type, 0);
  io.k.pool.free(irp, null);
}

export function freeIrp(io: IoManager, irp: number): void {
  const k = io.k;
  const a = k.pool.find(irp);
  if (a && !a.freed && a.tag === IRP_TAG) {
    const mdl = io.p64(irp + IRP.MdlAddress);
    if (mdl) {
      // Reference 4.1 / 6.1: whoever frees an IRP it owns must take its MDL chain down first.
      k.verifierReport(`Driver Verifier: IoFreeIrp of ${hex64(irp)} while Irp->MdlAddress still holds the MDL at ${hex64(mdl)}: the chain (and any pages it locked) can never be released now (reference 4.1)`, mdl);
      k.event('irp', `IoFreeIrp(${hex64(irp)}) with the MDL chain at ${hex64(mdl)} still attached: leaked`, mdl);
    }
  }
  releaseIrp(io, irp);
  io.irpEvent(`IoFreeIrp(${hex64(irp)})`);
}

/**
 * Keep the MDL registry's IRP links in step with the chain as it is in memory: drivers splice
 * Irp->MdlAddress and Next by hand (reference 4.1), so the snapshot's MdlView.irp follows them.
 */
export function linkChain(io: IoManager, irp: number): void {
  const k = io.k;
  const onChain = new Set<number>();
  for (let mdl = io.p64(irp + IRP.MdlAddress), i = 0; mdl && i < 256; mdl = io.p64(mdl + M.Next), i++) {
    onChain.add(mdl);
    const rec = k.mdl.record(mdl);
    if (rec) rec.irp = irp;
  }
  for (const rec of k.mdl.all()) if (rec.irp === irp && !onChain.has(rec.address)) rec.irp = null;
}

export function callDriver(io: IoManager, device: number, irp: number): NativeResult {
  const k = io.k;
  const m = k.memory;
  const loc = io.char(irp + IRP.CurrentLocation) - 1;
  m.write8(irp + IRP.CurrentLocation, loc);
  if (loc <= 0) {
    k.bugCheck(0x35, [irp, 0, 0, 0], `IoCallDriver(${hex64(device)}, ${hex64(irp)}): the IRP has no stack location left for this driver (allocate it with DeviceObject->StackSize locations)`);
  }
  const sp = io.p64(irp + IRP.TailOverlayCurrentStackLocation) - SL.sizeof;
  m.write64(irp + IRP.TailOverlayCurrentStackLocation, sp);
  m.write64(sp + SL.DeviceObject, device);
  const mj = m.read8(sp + SL.MajorFunction);
  const driver = io.p64(device + DEV.DriverObject);
  const routine = driver ? io.p64(driver + DRV.MajorFunction + 8 * Math.min(mj, 0x1b)) : 0;
  const mdl = io.p64(irp + IRP.MdlAddress);
  linkChain(io, irp);
  const builtin = io.builtinAt(routine);
  io.irpEvent(`IoCallDriver(${hex64(device)}, ${hex64(irp)}): ${majorName(mj)} at stack location ${loc} → ${builtin ? builtin.name : `dispatch routine ${hex64(routine)}`}`, mdl || null);
  if (builtin) return builtin.fn(device, irp);
  if (!routine) k.bugCheck(0x1e, [STATUS.ACCESS_VIOLATION, 0, 0, 0], `IoCallDriver: the driver of ${hex64(device)} has no ${majorName(mj)} routine (MajorFunction entry is NULL)`);
  return callGuest(routine, [device, irp]);
}

/** IoCompleteRequest (reference 4.3). */
export function completeRequest(io: IoManager, irp: number): NativeResult {
  const k = io.k;
  const a = k.pool.find(irp);
  if (a && a.freed && a.tag === IRP_TAG) {
    k.bugCheck(0x44, [irp, 0x1, 0, 0], `IoCompleteRequest on the IRP at ${hex64(irp)}, which was already completed (the I/O manager has freed it)`);
  }
  const type = k.memory.read16(irp + IRP.Type);
  const count = io.char(irp + IRP.StackCount);
  const cur = io.char(irp + IRP.CurrentLocation);
  if (cur > count + 1 || type !== IO_TYPE_IRP) {
    k.bugCheck(0x44, [irp, 0x2, 0, 0], `IoCompleteRequest on the IRP at ${hex64(irp)}, which was already completed (CurrentLocation ${cur} > StackCount ${count} + 1)`);
  }
  linkChain(io, irp);
  const status = k.memory.read32(irp + IRP.IoStatus);
  io.irpEvent(`IoCompleteRequest(${hex64(irp)}): ${ntStatusName(status)}, Information 0x${io.p64(irp + IRP.IoStatus + 8).toString(16)}`, io.p64(irp + IRP.MdlAddress) || null);
  return completeStep(io, irp, count);
}

/** One stack location upward: the completion routine the driver above set in it, if it applies. */
function completeStep(io: IoManager, irp: number, count: number): NativeResult {
  const k = io.k;
  const m = k.memory;
  const sp = io.p64(irp + IRP.TailOverlayCurrentStackLocation);
  const loc = io.char(irp + IRP.CurrentLocation) + 1;
  m.write8(irp + IRP.CurrentLocation, loc);
  m.write64(irp + IRP.TailOverlayCurrentStackLocation, sp + SL.sizeof);
  if (loc > count + 1) return finishCompletion(io, irp);
  const control = m.read8(sp + SL.Control);
  const routine = io.p64(sp + SL.CompletionRoutine);
  const context = io.p64(sp + SL.Context);
  const pending = control & SL_PENDING_RETURNED ? 1 : 0;
  m.write8(irp + IRP.PendingReturned, pending);
  const status = m.read32(irp + IRP.IoStatus);
  const cancel = m.read8(irp + IRP.Cancel) !== 0;
  const wanted = ntSuccess(status) ? control & SL_INVOKE_ON_SUCCESS : control & SL_INVOKE_ON_ERROR;
  if (routine && (wanted || (cancel && control & SL_INVOKE_ON_CANCEL))) {
    // The device of the location above, or NULL for the IRP's topmost location.
    const device = loc === count + 1 ? 0 : io.p64(sp + SL.sizeof + SL.DeviceObject);
    io.irpEvent(`completion routine ${hex64(routine)} of stack location ${loc - 1} (IRP ${hex64(irp)})`);
    return then(callGuest(routine, [device, irp, context]), (rv) => {
      if (ntStatus(rv) === STATUS.MORE_PROCESSING_REQUIRED) {
        io.irpEvent(`completion of ${hex64(irp)} stopped: STATUS_MORE_PROCESSING_REQUIRED (the IRP and its MDLs belong to that driver again)`);
        return undefined;
      }
      linkChain(io, irp);
      return completeStep(io, irp, count);
    });
  }
  if (loc <= count && pending) m.write8(sp + SL.sizeof + SL.Control, m.read8(sp + SL.sizeof + SL.Control) | SL_PENDING_RETURNED);
  return completeStep(io, irp, count);
}

/** After the completion routines: reference 4.3 steps 4 to 6. */
function finishCompletion(io: IoManager, irp: number): NativeResult {
  const k = io.k;
  const m = k.memory;
  const flags = m.read32(irp + IRP.Flags);
  if (flags & IRP_ASSOCIATED_IRP) return finishAssociated(io, irp);
  const iosb = io.p64(irp + IRP.UserIosb);
  if (flags & (IRP_PAGING_IO | IRP_CLOSE_OPERATION)) {
    // Step 4: the memory manager owns paging MDLs; only the status travels back.
    if (iosb) m.writeBytes(iosb, m.readBytes(irp + IRP.IoStatus, 16));
    io.irpEvent(`paging I/O ${hex64(irp)} completed: its MDLs are left to the memory manager (reference 4.3)`);
    releaseIrp(io, irp);
    return undefined;
  }
  // Step 5: unlock every MDL in the chain, without looking at MDL_PAGES_LOCKED.
  for (let mdl = io.p64(irp + IRP.MdlAddress); mdl; mdl = io.p64(mdl + M.Next)) k.mdl.unlock(mdl);
  // A synchronous request whose dispatch routine did not return STATUS_PENDING: the I/O manager
  // finishes it in the caller's thread once IoCallDriver returns (IRP_DEFER_IO_COMPLETION).
  if (flags & IRP_DEFER_IO_COMPLETION && !m.read8(irp + IRP.PendingReturned)) {
    io.irpEvent(`IRP ${hex64(irp)} completed: MDLs unlocked; the I/O manager frees them when the request returns to it`);
    return undefined;
  }
  ioCompletionApc(io, irp);
  return undefined;
}

/**
 * Reference 4.3 step 3: an associated IRP counts down its master's IrpCount, its MDLs are freed
 * without being unlocked (they are the splitting driver's partial MDLs of the master's locked
 * buffer, which the master's own completion unlocks), the IRP is freed, and the master completes
 * when the count reaches zero.
 */
function finishAssociated(io: IoManager, irp: number): NativeResult {
  const k = io.k;
  const m = k.memory;
  const master = io.p64(irp + IRP.AssociatedIrp);
  const left = (m.read32(master + IRP.AssociatedIrp) | 0) - 1; // AssociatedIrp.IrpCount, a LONG
  m.write32(master + IRP.AssociatedIrp, left >>> 0);
  for (let mdl = io.p64(irp + IRP.MdlAddress); mdl;) {
    const next = io.p64(mdl + M.Next);
    k.mdl.ioFreeMdl(mdl);
    mdl = next;
  }
  m.write64(irp + IRP.MdlAddress, 0);
  releaseIrp(io, irp);
  io.irpEvent(`associated IRP ${hex64(irp)} completed: its MDLs freed (not unlocked), master ${hex64(master)} has ${left} left`);
  if (left === 0) {
    io.irpEvent(`the last associated IRP of ${hex64(master)} is done: the I/O manager completes the master`);
    return completeRequest(io, master);
  }
  if (left < 0) {
    // Windows counts on below zero and the master is never completed: the request hangs.
    k.verifierReport(`Driver Verifier: the associated IRP at ${hex64(irp)} completed while its master ${hex64(master)} had AssociatedIrp.IrpCount ${left + 1}: set the master's IrpCount to the number of associated IRPs before sending them (the master now never completes)`);
  }
  return undefined;
}

/** Reference 4.3 step 6 (an APC in the requesting thread on Windows), in the requester's process context. */
export function ioCompletionApc(io: IoManager, irp: number): void {
  const k = io.k;
  const m = k.memory;
  const flags = m.read32(irp + IRP.Flags);
  const iosb = io.p64(irp + IRP.UserIosb);
  const requester = io.p64(irp + IRP.Overlay);
  const proc = requester ? k.procs.byEprocess(requester) : undefined;
  if (!requester) {
    k.verifierReport(`Driver Verifier: the I/O manager finished the IRP at ${hex64(irp)}, which a driver allocated itself: such an IRP must be stopped with STATUS_MORE_PROCESSING_REQUIRED and freed by its owner (reference 4.1); Windows would queue the completion APC to a thread the IRP does not have`);
  }
  const back = k.procs.current.eprocess;
  if (proc && proc.alive) k.procs.switchTo(proc);
  try {
    let status = m.read32(irp + IRP.IoStatus);
    const information = io.p64(irp + IRP.IoStatus + 8);
    if (flags & IRP_BUFFERED_IO) {
      const sys = io.p64(irp + IRP.AssociatedIrp);
      const user = io.p64(irp + IRP.UserBuffer);
      if (flags & IRP_INPUT_OPERATION && ntSuccess(status) && information > 0 && sys && user) {
        try {
          m.writeBytes(user, m.readBytes(sys, information));
        } catch (e) {
          if (!(e instanceof SehException) || e instanceof GuestCallFault) throw e;
          status = e.status;
        }
      }
      if (flags & IRP_DEALLOCATE_BUFFER && sys) k.pool.free(sys, null);
    }
    let mdl = io.p64(irp + IRP.MdlAddress);
    while (mdl) {
      const next = io.p64(mdl + M.Next);
      k.mdl.ioFreeMdl(mdl);
      mdl = next;
    }
    m.write64(irp + IRP.MdlAddress, 0);
    if (iosb) {
      m.write32(iosb, status);
      m.write64(iosb + 8, information);
    }
    io.irpEvent(`I/O manager finished ${hex64(irp)}: MDL chain unlocked and freed, ${ntStatusName(status)} to the requester`);
    releaseIrp(io, irp);
  } finally {
    const b = k.procs.byEprocess(back);
    if (b) k.procs.switchTo(b);
  }
}

/** Completed (all locations done) and not yet freed: the caller finishes a deferred completion. */
export function awaitsDeferredCompletion(io: IoManager, irp: number): boolean {
  const a = io.k.pool.find(irp);
  if (!a || a.freed) return false;
  const m = io.k.memory;
  return m.read16(irp + IRP.Type) === IO_TYPE_IRP && io.char(irp + IRP.CurrentLocation) > io.char(irp + IRP.StackCount) + 1
    && (m.read32(irp + IRP.Flags) & IRP_DEFER_IO_COMPLETION) !== 0;
}
