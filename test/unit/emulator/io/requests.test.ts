// The user request path the I/O manager builds (reference 4.2): buffered, direct and neither I/O
// for IOCTLs and for reads and writes, in the requesting process's context.
import { strict as assert } from 'node:assert';
import { ioBoot, complete, IRP, SL } from './ioHelpers';
import { MDL } from '../../../../src/emulator/layouts';
import { STATUS } from '../../../../src/emulator/constants';

const ctl = (fn: number, method: number) => (0x22 << 16) | (fn << 2) | method;
const DO_BUFFERED_IO = 0x4;
const DO_DIRECT_IO = 0x10;

describe('The user request path', () => {
  it('METHOD_BUFFERED: one SystemBuffer of max(in, out) bytes with the input copied in, Information bytes copied back (§4.2)', () => {
    const lab = ioBoot();
    const inBuf = lab.user(0x1000);
    const outBuf = lab.user(0x1000);
    lab.k.memory.writeBytes(inBuf, new Uint8Array([1, 2, 3, 4]));
    let seen = null as { sys: number; size: number; first: number[]; mdl: number; mode: number; inLen: number; outLen: number } | null;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const sys = lab.p64(irp + IRP.AssociatedIrp);
      const a = lab.k.pool.find(sys)!;
      const sp = lab.sp(irp);
      seen = {
        sys, size: a.size, first: [...lab.k.memory.readBytes(sys, 4)], mdl: lab.p64(irp + IRP.MdlAddress),
        mode: lab.k.memory.read8(irp + IRP.RequestorMode), inLen: lab.k.memory.read32(sp + SL.InputBufferLength),
        outLen: lab.k.memory.read32(sp + SL.OutputBufferLength),
      };
      lab.k.memory.writeBytes(sys, new Uint8Array([9, 8, 7, 6, 5, 4]));
      return complete(lab, irp, 0, 3);
    });
    const st = lab.run('LabDeviceIoControl', lab.proc, dev, ctl(0x800, 0), inBuf, 4, outBuf, 0x20);
    assert.equal(st, 0);
    assert.ok(seen);
    assert.equal(seen!.size, 0x20);
    assert.ok(seen!.sys < 0, 'the SystemBuffer is in system space');
    assert.deepEqual(seen!.first, [1, 2, 3, 4]);
    assert.equal(seen!.mdl, 0, 'no MDL for buffered I/O');
    assert.equal(seen!.mode, 1, 'RequestorMode = UserMode');
    assert.deepEqual([seen!.inLen, seen!.outLen], [4, 0x20]);
    assert.deepEqual([...lab.k.memory.readBytes(outBuf, 4)], [9, 8, 7, 0], 'exactly Information bytes come back');
    assert.equal(lab.k.pool.find(seen!.sys)!.freed, true, 'the SystemBuffer is freed');
  });

  it('METHOD_OUT_DIRECT: the output buffer is Irp->MdlAddress, probed and locked for write access in the requester\'s context (§4.2)', () => {
    const lab = ioBoot();
    const other = lab.run('LabCreateProcess', lab.str('other.exe'));
    const out = lab.run('LabUserAlloc', other, 0x3000, 4);
    let flags = 0;
    let process = 0;
    let ctx = 0;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const mdl = lab.p64(irp + IRP.MdlAddress);
      flags = lab.k.memory.read16(mdl + MDL.MdlFlags);
      process = lab.p64(mdl + MDL.Process);
      ctx = lab.k.procs.current.eprocess;
      const va = lab.run('MmGetSystemAddressForMdlSafe', mdl, 16);
      lab.k.memory.write8(va + 0x2000, 0x77);
      return complete(lab, irp, 0, 0x2001);
    });
    assert.equal(lab.run('LabDeviceIoControl', other, dev, ctl(0x801, 2), 0, 0, out, 0x2100), 0);
    assert.equal(flags & 0x82, 0x82, 'MDL_PAGES_LOCKED | MDL_WRITE_OPERATION');
    assert.equal(process, other);
    assert.equal(ctx, other, 'the dispatch routine runs in the requester\'s context');
    assert.equal(lab.k.procs.current.eprocess, lab.proc, 'the caller\'s context is back afterwards');
    lab.run('LabEnterProcess', other);
    assert.equal(lab.k.memory.read8(out + 0x2000), 0x77);
  });

  it('METHOD_IN_DIRECT locks the output buffer for read access only (§4.2)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000, 2 /* PAGE_READONLY */);
    let flags = -1;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      flags = lab.k.memory.read16(lab.p64(irp + IRP.MdlAddress) + MDL.MdlFlags);
      return complete(lab, irp, 0);
    });
    assert.equal(lab.run('LabDeviceIoControl', lab.proc, dev, ctl(0x802, 1), 0, 0, out, 0x100), 0);
    assert.equal(flags & 0x82, 0x02, 'locked, without MDL_WRITE_OPERATION');
  });

  it('a probe failure fails the request before the driver sees it: METHOD_OUT_DIRECT on a read-only buffer is STATUS_ACCESS_VIOLATION (§4.2)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000, 2 /* PAGE_READONLY */);
    let called = 0;
    const { devices: [dev] } = lab.driver((_d, irp) => { called++; return complete(lab, irp, 0); });
    const st = lab.run('LabDeviceIoControl', lab.proc, dev, ctl(0x803, 2), 0, 0, out, 0x100);
    assert.equal(st >>> 0, STATUS.ACCESS_VIOLATION);
    assert.equal(called, 0);
    assert.equal(lab.k.procs.byEprocess(lab.proc)!.lockedPages, 0);
    assert.deepEqual(lab.k.snapshot().irps, [], 'nothing left behind');
  });

  it('METHOD_NEITHER hands the driver the raw user addresses in Type3InputBuffer and UserBuffer (§4.2)', () => {
    const lab = ioBoot();
    const inBuf = lab.user(0x1000);
    const out = lab.user(0x1000);
    let got: number[] = [];
    const { devices: [dev] } = lab.driver((_d, irp) => {
      got = [lab.p64(lab.sp(irp) + SL.Type3InputBuffer), lab.p64(irp + IRP.UserBuffer), lab.p64(irp + IRP.AssociatedIrp), lab.p64(irp + IRP.MdlAddress), lab.run('IoGetRequestorProcess', irp)];
      return complete(lab, irp, 0);
    });
    lab.run('LabDeviceIoControl', lab.proc, dev, ctl(0x804, 3), inBuf, 8, out, 8);
    assert.deepEqual(got, [inBuf, out, 0, 0, lab.proc]);
  });

  it('LabReadFile on a DO_DIRECT_IO device locks the buffer with IoWriteAccess; LabWriteFile on DO_BUFFERED_IO copies the data in first (§4.2)', () => {
    const lab = ioBoot();
    const buf = lab.user(0x2000);
    lab.k.memory.write8(buf, 0x42);
    const log: string[] = [];
    const direct = lab.driver((_d, irp) => {
      const mdl = lab.p64(irp + IRP.MdlAddress);
      const sp = lab.sp(irp);
      log.push(`read ${lab.k.memory.read8(sp)} len 0x${lab.k.memory.read32(sp + SL.ReadLength).toString(16)} off 0x${lab.p64(sp + SL.ReadByteOffset).toString(16)} flags 0x${lab.k.memory.read16(mdl + MDL.MdlFlags).toString(16)}`);
      return complete(lab, irp, 0, 0x1800);
    }, 1, DO_DIRECT_IO);
    const buffered = lab.driver((_d, irp) => {
      const sys = lab.p64(irp + IRP.AssociatedIrp);
      log.push(`write ${lab.k.memory.read8(lab.sp(irp))} data 0x${lab.k.memory.read8(sys).toString(16)} mdl ${lab.p64(irp + IRP.MdlAddress)}`);
      return complete(lab, irp, 0, 0x10);
    }, 1, DO_BUFFERED_IO);
    assert.equal(lab.run('LabReadFile', lab.proc, direct.devices[0], buf, 0x1800, 0x4000), 0);
    assert.equal(lab.run('LabWriteFile', lab.proc, buffered.devices[0], buf, 0x10, 0), 0);
    assert.deepEqual(log, ['read 3 len 0x1800 off 0x4000 flags 0x8a', 'write 4 data 0x42 mdl 0']);
  });

  it('requests go to the top of the device stack: a filter attached with IoAttachDeviceToDeviceStack sees them first', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    const order: string[] = [];
    let lowerDev = 0;
    const lower = lab.driver((_d, irp) => { order.push('lower'); return complete(lab, irp, 0); });
    lowerDev = lower.devices[0];
    let below = 0;
    const filter = lab.driver((_d, irp) => {
      order.push('filter');
      // IoSkipCurrentIrpStackLocation (a header inline): hand our location to the driver below
      lab.k.memory.write8(irp + IRP.CurrentLocation, lab.k.memory.read8(irp + IRP.CurrentLocation) + 1);
      lab.k.memory.write64(irp + IRP.TailOverlayCurrentStackLocation, lab.sp(irp) + SL.sizeof);
      return lab.run('IoCallDriver', below, irp);
    });
    below = lab.run('IoAttachDeviceToDeviceStack', filter.devices[0], lowerDev);
    assert.equal(below, lowerDev);
    assert.equal(lab.k.memory.read8(filter.devices[0] + 0x4c), 2, 'StackSize of the filter = lower + 1');
    assert.equal(lab.run('LabDeviceIoControl', lab.proc, lowerDev, ctl(0x805, 0), 0, 0, out, 0), 0);
    assert.deepEqual(order, ['filter', 'lower']);
    lab.run('IoDetachDevice', lowerDev);
    lab.run('LabDeviceIoControl', lab.proc, lowerDev, ctl(0x805, 0), 0, 0, out, 0);
    assert.deepEqual(order, ['filter', 'lower', 'lower']);
  });

  it('a MajorFunction the driver did not set completes with STATUS_INVALID_DEVICE_REQUEST', () => {
    const lab = ioBoot();
    const slot = lab.k.allocateImage(8, 8);
    const entry = lab.fn((drv) => lab.run('IoCreateDevice', drv, 0, 0, 0x22, 0, 0, slot));
    assert.equal(lab.run('LabLoadDriver', entry), 0);
    const st = lab.run('LabDeviceIoControl', lab.proc, lab.p64(slot), ctl(0x806, 0), 0, 0, 0, 0);
    assert.equal(st >>> 0, STATUS.INVALID_DEVICE_REQUEST);
  });

  it('a request the driver marks pending returns STATUS_PENDING; completing it later unlocks, copies back and frees in the requester\'s context (§4.3)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    let held = 0;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      held = irp;
      const sp = lab.sp(irp);
      lab.k.memory.write8(sp + SL.Control, lab.k.memory.read8(sp + SL.Control) | 1); // IoMarkIrpPending
      return STATUS.PENDING;
    });
    assert.equal(lab.run('LabDeviceIoControl', lab.proc, dev, ctl(0x807, 2), 0, 0, out, 0x10) >>> 0, STATUS.PENDING);
    const mdl = lab.p64(held + IRP.MdlAddress);
    assert.equal(lab.k.procs.byEprocess(lab.proc)!.lockedPages, 1, 'the buffer stays locked while the IRP is pending');
    lab.run('LabEnterProcess', lab.run('LabGetSystemProcess'));
    const va = lab.run('MmGetSystemAddressForMdlSafe', mdl, 16);
    lab.k.memory.write8(va, 0x5a);
    complete(lab, held, 0, 1);
    assert.equal(lab.k.mdl.record(mdl), undefined);
    assert.equal(lab.k.procs.byEprocess(lab.proc)!.lockedPages, 0);
    lab.run('LabEnterProcess', lab.proc);
    assert.equal(lab.k.memory.read8(out), 0x5a);
  });

  it('LabLoadDriver passes DriverEntry a DRIVER_OBJECT and a registry path, and returns what DriverEntry returns', () => {
    const lab = ioBoot();
    let seen: number[] = [];
    const entry = lab.fn((drv, reg) => {
      seen = [lab.k.memory.read16(drv), lab.k.memory.read16(drv + 2), lab.k.memory.read16(reg), lab.p64(drv + 0x58)];
      return STATUS.INSUFFICIENT_RESOURCES;
    });
    assert.equal(lab.run('LabLoadDriver', entry) >>> 0, STATUS.INSUFFICIENT_RESOURCES);
    assert.equal(seen[0], 4, 'Type = IO_TYPE_DRIVER');
    assert.equal(seen[1], 0x150, 'Size = sizeof(DRIVER_OBJECT)');
    assert.ok(seen[2] > 0, 'RegistryPath is a UNICODE_STRING with a length');
    assert.equal(seen[3], entry, 'DriverInit = DriverEntry');
  });
});
