// The user request path as the I/O manager builds it (reference 4.2), in the requesting process's
// context: LabDeviceIoControl with METHOD_BUFFERED / METHOD_IN_DIRECT / METHOD_OUT_DIRECT /
// METHOD_NEITHER, LabReadFile / LabWriteFile with DO_BUFFERED_IO, DO_DIRECT_IO or neither. A probe
// failure fails the request before any driver sees it; the final status comes back through the
// I/O status block that IoCompleteRequest fills.
import type { NativeResult } from '../contract';
import { GuestCallFault, SehException } from '../contract';
import { IRP, IO_STACK_LOCATION as SL, DEVICE_OBJECT as DEV } from '../layouts';
import { STATUS, UserMode, IoReadAccess, IoWriteAccess, ntStatusName } from '../constants';
import { tagValue } from '../pool';
import { hex64 } from '../u64';
import { asLong, ntStatus, then } from './cps';
import {
  type IoManager, IO_TYPE_DEVICE, IRP_BUFFERED_IO, IRP_DEALLOCATE_BUFFER, IRP_INPUT_OPERATION, IRP_SYNCHRONOUS_API,
  IRP_READ_OPERATION, IRP_WRITE_OPERATION, IRP_DEFER_IO_COMPLETION, IRP_MJ_DEVICE_CONTROL, IRP_MJ_READ, IRP_MJ_WRITE, DO_BUFFERED_IO, DO_DIRECT_IO,
} from './ioManager';
import { allocateIrp, awaitsDeferredCompletion, callDriver, ioCompletionApc, releaseIrp } from './irp';
import { attachedTop } from './devices';

const SYSTEM_BUFFER_TAG = tagValue('IoSb');
const IOSB_TAG = tagValue('Iosb');
const METHOD_NAMES = ['METHOD_BUFFERED', 'METHOD_IN_DIRECT', 'METHOD_OUT_DIRECT', 'METHOD_NEITHER'];

interface Prepared {
  irp: number;
  iosb: number;
  back: number;
}

/** Common start: requester's context, the top of the device stack, an IRP and an I/O status block. */
function begin(io: IoManager, process: number, device: number, what: string): Prepared | number {
  const k = io.k;
  const p = k.procs.require(process, what);
  if (!device || k.memory.read16(device + DEV.Type) !== IO_TYPE_DEVICE) {
    k.bugCheck(0x1e, [STATUS.ACCESS_VIOLATION, device, 0, 0], `${what}: ${hex64(device)} is not a DEVICE_OBJECT`);
  }
  const back = k.procs.current.eprocess;
  k.procs.switchTo(p);
  const top = attachedTop(io, device);
  const irp = allocateIrp(io, io.char(top + DEV.StackSize));
  const iosb = irp ? k.pool.allocate('NonPaged', 16, IOSB_TAG, false) : 0;
  if (!irp || !iosb) {
    if (irp) releaseIrp(io, irp);
    switchBack(io, back);
    return asLong(STATUS.INSUFFICIENT_RESOURCES);
  }
  const m = k.memory;
  m.write32(iosb, STATUS.PENDING);
  m.write64(iosb + 8, 0);
  m.write8(irp + IRP.RequestorMode, UserMode);
  m.write64(irp + IRP.UserIosb, iosb);
  m.write64(irp + IRP.Overlay, p.eprocess); // the issuing process (IoGetRequestorProcess)
  m.write32(irp + IRP.Flags, IRP_SYNCHRONOUS_API | IRP_DEFER_IO_COMPLETION);
  return { irp, iosb, back };
}

function switchBack(io: IoManager, back: number): void {
  const p = io.k.procs.byEprocess(back);
  if (p) io.k.procs.switchTo(p);
}

/** Fail before the driver sees the request: undo what was built, return the exception's status. */
function failEarly(io: IoManager, pr: Prepared, e: unknown): number {
  if (!(e instanceof SehException)) throw e;
  const k = io.k;
  const m = k.memory;
  const mdl = io.p64(pr.irp + IRP.MdlAddress);
  if (mdl) k.mdl.ioFreeMdl(mdl);
  const flags = m.read32(pr.irp + IRP.Flags);
  const sys = io.p64(pr.irp + IRP.AssociatedIrp);
  if (flags & IRP_DEALLOCATE_BUFFER && sys) k.pool.free(sys, null);
  m.write64(pr.irp + IRP.MdlAddress, 0);
  releaseIrp(io, pr.irp);
  k.pool.free(pr.iosb, null);
  switchBack(io, pr.back);
  // A buffer in a file view whose paging read needs the scenario's filter: start over once it is in.
  if (e instanceof GuestCallFault) throw e;
  io.irpEvent(`the I/O manager failed the request before any driver saw it: ${ntStatusName(e.status)} (${e.explanation})`);
  return asLong(e.status);
}

/** A nonpaged SystemBuffer; `copyFrom` is read in the requester's context (a bad user buffer raises). */
function systemBuffer(io: IoManager, pr: Prepared, length: number, copyFrom: number, copyLength: number, input: boolean): void {
  const k = io.k;
  const sys = k.pool.allocate('NonPaged', length, SYSTEM_BUFFER_TAG, false);
  if (!sys) throw new SehException(STATUS.INSUFFICIENT_RESOURCES, 'no nonpaged pool for the SystemBuffer');
  const m = k.memory;
  m.fill(sys, length, 0);
  m.write64(pr.irp + IRP.AssociatedIrp, sys);
  m.write32(pr.irp + IRP.Flags, m.read32(pr.irp + IRP.Flags) | IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (input ? IRP_INPUT_OPERATION : 0));
  if (copyLength > 0 && copyFrom) m.writeBytes(sys, m.readBytes(copyFrom, copyLength));
}

/** Irp->MdlAddress for a user buffer, probed and locked for `operation` in the requester's context. */
function directMdl(io: IoManager, pr: Prepared, buffer: number, length: number, operation: number, origin: string): void {
  const k = io.k;
  const mdl = k.mdl.ioAllocateMdl(buffer, length, false, false, pr.irp);
  if (!mdl) throw new SehException(STATUS.INSUFFICIENT_RESOURCES, 'IoAllocateMdl failed for the user buffer');
  const rec = k.mdl.record(mdl);
  if (rec) rec.origin = origin;
  k.mdl.probeAndLock(mdl, UserMode, operation);
}

/** Send the IRP and turn the I/O status block into the caller's status. */
function send(io: IoManager, pr: Prepared, top: number, what: string): NativeResult {
  const k = io.k;
  return then(callDriver(io, top, pr.irp), (rv) => {
    const returned = ntStatus(rv);
    if (returned !== STATUS.PENDING && awaitsDeferredCompletion(io, pr.irp)) ioCompletionApc(io, pr.irp);
    const final = k.memory.read32(pr.iosb);
    let status = final;
    if (final === STATUS.PENDING) {
      // Not completed yet: the caller sees STATUS_PENDING (the block stays for the late completion).
      if (returned !== STATUS.PENDING) {
        k.verifierReport(`Driver Verifier: the dispatch routine returned ${ntStatusName(returned)} for the IRP at ${hex64(pr.irp)} without completing it or returning STATUS_PENDING: the request would never finish`);
      }
      status = STATUS.PENDING;
    } else {
      k.pool.free(pr.iosb, null);
    }
    io.irpEvent(`${what} returned ${ntStatusName(status)}`);
    switchBack(io, pr.back);
    return asLong(status);
  });
}

export function deviceIoControl(io: IoManager, process: number, device: number, ioctl: number, input: number, inLen: number, output: number, outLen: number): NativeResult {
  const pr = begin(io, process, device, 'LabDeviceIoControl');
  if (typeof pr === 'number') return pr;
  const k = io.k;
  const m = k.memory;
  const method = ioctl & 3;
  const top = attachedTop(io, device);
  try {
    const sp = io.p64(pr.irp + IRP.TailOverlayCurrentStackLocation) - SL.sizeof;
    m.write8(sp + SL.MajorFunction, IRP_MJ_DEVICE_CONTROL);
    m.write32(sp + SL.OutputBufferLength, outLen);
    m.write32(sp + SL.InputBufferLength, inLen);
    m.write32(sp + SL.IoControlCode, ioctl >>> 0);
    m.write64(pr.irp + IRP.UserBuffer, output);
    if (method === 0) {
      const len = Math.max(inLen, outLen);
      if (len > 0) systemBuffer(io, pr, len, input, inLen, outLen > 0);
    } else if (method === 1 || method === 2) {
      if (inLen > 0) systemBuffer(io, pr, inLen, input, inLen, false);
      // IN_DIRECT: the driver reads the buffer (read access); OUT_DIRECT: it writes it (write access).
      if (outLen > 0) directMdl(io, pr, output, outLen, method === 1 ? IoReadAccess : IoWriteAccess, `I/O manager (${METHOD_NAMES[method]})`);
    } else {
      m.write64(sp + SL.Type3InputBuffer, input);
    }
  } catch (e) {
    return failEarly(io, pr, e);
  }
  io.irpEvent(`LabDeviceIoControl: IOCTL 0x${(ioctl >>> 0).toString(16)} (${METHOD_NAMES[method]}) from ${k.procs.current.name} → ${hex64(top)}`, io.p64(pr.irp + IRP.MdlAddress) || null);
  return send(io, pr, top, 'LabDeviceIoControl');
}

export function readWrite(io: IoManager, write: boolean, process: number, device: number, buffer: number, length: number, offset: number): NativeResult {
  const what = write ? 'LabWriteFile' : 'LabReadFile';
  const pr = begin(io, process, device, what);
  if (typeof pr === 'number') return pr;
  const k = io.k;
  const m = k.memory;
  const top = attachedTop(io, device);
  const flags = m.read32(top + DEV.Flags);
  let how = 'neither buffered nor direct I/O';
  try {
    const sp = io.p64(pr.irp + IRP.TailOverlayCurrentStackLocation) - SL.sizeof;
    m.write8(sp + SL.MajorFunction, write ? IRP_MJ_WRITE : IRP_MJ_READ);
    m.write32(sp + SL.ReadLength, length);
    m.write64(sp + SL.ReadByteOffset, offset);
    m.write64(pr.irp + IRP.UserBuffer, buffer);
    m.write32(pr.irp + IRP.Flags, m.read32(pr.irp + IRP.Flags) | (write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION));
    if (flags & DO_BUFFERED_IO) {
      how = 'buffered I/O';
      if (length > 0) systemBuffer(io, pr, length, write ? buffer : 0, write ? length : 0, !write);
    } else if (flags & DO_DIRECT_IO) {
      how = 'direct I/O';
      // A read makes the device write into the buffer: IoWriteAccess; a write only reads it.
      if (length > 0) directMdl(io, pr, buffer, length, write ? IoReadAccess : IoWriteAccess, `I/O manager (${write ? 'IRP_MJ_WRITE' : 'IRP_MJ_READ'}, DO_DIRECT_IO)`);
    }
  } catch (e) {
    return failEarly(io, pr, e);
  }
  io.irpEvent(`${what}: 0x${length.toString(16)} bytes at offset 0x${offset.toString(16)} (${how}) from ${k.procs.current.name} → ${hex64(top)}`, io.p64(pr.irp + IRP.MdlAddress) || null);
  return send(io, pr, top, what);
}
