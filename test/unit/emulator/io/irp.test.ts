// IRPs and IoCompleteRequest (reference 4.1, 4.3, 6.15): stack locations, completion routines,
// the MDL chain's unlock-then-free, double completion and what happens to IRPs a driver owns.
import { strict as assert } from 'node:assert';
import { ioBoot, complete, IRP, SL } from './ioHelpers';
import { bugcheckOf } from '../helpers';
import { MDL } from '../../../../src/emulator/layouts';
import { STATUS } from '../../../../src/emulator/constants';

const IRP_MJ_WRITE = 4;

describe('IRPs and IoCompleteRequest', () => {
  it('IoAllocateIrp puts StackSize stack locations after the IRP and points one past the last (§4.1)', () => {
    const lab = ioBoot();
    const irp = lab.run('IoAllocateIrp', 3, 0);
    const m = lab.k.memory;
    assert.equal(m.read16(irp + IRP.Type), 6);
    assert.equal(m.read16(irp + IRP.Size), IRP.sizeof + 3 * SL.sizeof);
    assert.equal(m.read8(irp + IRP.StackCount), 3);
    assert.equal(m.read8(irp + IRP.CurrentLocation), 4);
    assert.equal(lab.sp(irp), irp + IRP.sizeof + 3 * SL.sizeof);
    lab.run('IoFreeIrp', irp);
  });

  it('IoCallDriver moves to the next stack location, sets its DeviceObject and calls the MajorFunction (§4.1)', () => {
    const lab = ioBoot();
    const seen: number[][] = [];
    const { devices: [dev] } = lab.driver((d, irp) => {
      const sp = lab.sp(irp);
      seen.push([d, irp, sp, lab.k.memory.read8(irp + IRP.CurrentLocation), lab.p64(sp + SL.DeviceObject), lab.k.memory.read8(sp)]);
      return 0x1234;
    });
    const irp = lab.run('IoAllocateIrp', 1, 0);
    lab.k.memory.write8(lab.sp(irp) - SL.sizeof, IRP_MJ_WRITE);
    const r = lab.run('IoCallDriver', dev, irp);
    assert.equal(r, 0x1234);
    assert.deepEqual(seen, [[dev, irp, irp + IRP.sizeof, 1, dev, IRP_MJ_WRITE]]);
  });

  it('IoCallDriver without a stack location left is bug check 0x35 NO_MORE_IRP_STACK_LOCATIONS', () => {
    const lab = ioBoot();
    const { devices: [dev] } = lab.driver(() => 0);
    const irp = lab.run('IoAllocateIrp', 0, 0);
    const b = bugcheckOf(() => lab.run('IoCallDriver', dev, irp));
    assert.equal(b.code, 0x35);
    assert.equal(b.bugCheckName, 'NO_MORE_IRP_STACK_LOCATIONS');
    assert.equal(b.params[0], irp);
  });

  it('IoGetAttachedDevice and IoGetAttachedDeviceReference return the top of the device stack, which moves when a filter attaches (§5.1)', () => {
    const lab = ioBoot();
    const { devices: [base, filter, top] } = lab.driver(() => 0, 3);
    assert.equal(lab.run('IoGetAttachedDevice', base), base, 'nothing attached: the device itself');
    lab.run('IoAttachDeviceToDeviceStack', filter, base);
    assert.equal(lab.run('IoGetAttachedDevice', base), filter);
    lab.run('IoAttachDeviceToDeviceStack', top, base);
    assert.equal(lab.run('IoGetAttachedDevice', base), top, 'attached to the stack, it lands on its top');
    assert.equal(lab.run('IoGetAttachedDeviceReference', filter), top);
    assert.equal(lab.run('IoGetAttachedDevice', top), top);
  });

  it('completion routines run from the lowest location upward, the topmost with DeviceObject NULL (§4.3 step 2)', () => {
    const lab = ioBoot();
    const order: string[] = [];
    let lower = 0;
    let upper = 0;
    const { devices } = lab.driver((d, irp) => {
      if (d === upper) {
        // the upper driver passes the IRP down with its own completion routine
        const next = lab.sp(irp) - SL.sizeof;
        lab.k.memory.writeBytes(next, lab.k.memory.readBytes(lab.sp(irp), SL.CompletionRoutine));
        lab.k.memory.write64(next + SL.CompletionRoutine, upperDone);
        lab.k.memory.write64(next + SL.Context, 0x55);
        lab.k.memory.write8(next + SL.Control, 0xe0);
        return lab.run('IoCallDriver', lower, irp);
      }
      return complete(lab, irp, 0, 7);
    }, 2);
    [upper, lower] = devices;
    const upperDone = lab.fn((d, irp, ctx) => { order.push(`upper(${d === upper ? 'upper' : d}, ${ctx})`); void irp; return 0; });
    const ownerDone = lab.fn((d, irp, ctx) => {
      order.push(`owner(${d}, ${ctx})`);
      lab.run('IoFreeIrp', irp);
      return STATUS.MORE_PROCESSING_REQUIRED;
    });
    const irp = lab.run('IoAllocateIrp', 2, 0);
    const next = lab.sp(irp) - SL.sizeof;
    lab.k.memory.write8(next, IRP_MJ_WRITE);
    lab.k.memory.write64(next + SL.CompletionRoutine, ownerDone);
    lab.k.memory.write64(next + SL.Context, 0x99);
    lab.k.memory.write8(next + SL.Control, 0xe0);
    lab.run('IoCallDriver', upper, irp);
    assert.deepEqual(order, ['upper(upper, 85)', 'owner(0, 153)']);
  });

  it('an IRP the driver is still filling in is shown as not sent, not as completed (snapshot contract)', () => {
    const lab = ioBoot();
    const irp = lab.run('IoAllocateIrp', 2, 0);
    const view = () => lab.k.snapshot().irps.find((v) => v.address === '0x' + BigInt.asUintN(64, BigInt(irp)).toString(16))!;
    assert.equal(view().completed, false);
    lab.k.memory.write8(lab.sp(irp) - SL.sizeof, IRP_MJ_WRITE);
    assert.equal(view().completed, false);
    assert.equal(view().majorFunction, 'IRP_MJ_WRITE', 'the request it is being filled in for');
  });

  it('STATUS_MORE_PROCESSING_REQUIRED stops completion: the MDLs stay locked and the IRP stays allocated (§4.3 step 2)', () => {
    const lab = ioBoot();
    const { devices: [dev] } = lab.driver((_d, irp) => complete(lab, irp, 0));
    const irp = lab.run('IoAllocateIrp', 1, 0);
    const buf = lab.user(0x1000);
    const mdl = lab.run('IoAllocateMdl', buf, 0x1000, 0, 0, irp);
    lab.run('MmProbeAndLockPages', mdl, 1, 0);
    const next = lab.sp(irp) - SL.sizeof;
    lab.k.memory.write8(next, IRP_MJ_WRITE);
    lab.k.memory.write64(next + SL.CompletionRoutine, lab.fn(() => STATUS.MORE_PROCESSING_REQUIRED));
    lab.k.memory.write8(next + SL.Control, 0xe0);
    lab.run('IoCallDriver', dev, irp);
    assert.equal(lab.k.memory.read16(mdl + MDL.MdlFlags) & 2, 2, 'still MDL_PAGES_LOCKED');
    assert.equal(lab.p64(irp + IRP.MdlAddress), mdl);
    assert.ok(lab.k.snapshot().irps.some((v) => v.address === '0x' + BigInt.asUintN(64, BigInt(irp)).toString(16) && v.completed));
    lab.run('MmUnlockPages', mdl);
    lab.run('IoFreeMdl', mdl);
    lab.k.memory.write64(irp + IRP.MdlAddress, 0);
    lab.run('IoFreeIrp', irp);
  });

  it('completing an IRP a second time is bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS with the IRP (§4.3 step 1)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    let twice = 0;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      complete(lab, irp, 0);
      twice = irp;
      return complete(lab, irp, 0);
    });
    const b = bugcheckOf(() => lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x10));
    assert.equal(b.code, 0x44);
    assert.equal(b.bugCheckName, 'MULTIPLE_IRP_COMPLETE_REQUESTS');
    assert.equal(b.params[0], twice);
  });

  it('a second completion of an IRP its owner stopped and completed again is 0x44 too (CurrentLocation > StackCount + 1)', () => {
    const lab = ioBoot({ verifier: false });
    const { devices: [dev] } = lab.driver((_d, irp) => complete(lab, irp, 0));
    const irp = lab.run('IoAllocateIrp', 1, 0);
    lab.k.memory.write8(lab.sp(irp) - SL.sizeof, IRP_MJ_WRITE);
    lab.run('IoCallDriver', dev, irp);
    // a driver-allocated IRP the I/O manager finished is gone; completing it again is caught
    const b = bugcheckOf(() => lab.run('IoCompleteRequest', irp, 0));
    assert.equal(b.code, 0x44);
  });

  it('IoCompleteRequest unlocks every MDL of the chain, then frees them all, and the process keeps no locked pages (§4.3 steps 5-6)', () => {
    const lab = ioBoot();
    const out = lab.user(0x2000);
    const extra = lab.user(0x1000);
    let chain: number[] = [];
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const second = lab.run('IoAllocateMdl', extra, 0x100, 1, 0, irp);
      lab.run('MmProbeAndLockPages', second, 1, 1);
      chain = [lab.p64(irp + IRP.MdlAddress), second];
      const snap = lab.k.snapshot();
      const view = snap.irps.find((v) => v.mdlChain.length === 2);
      assert.ok(view, 'the snapshot lists the IRP with its chain');
      assert.equal(view!.majorFunction, 'IRP_MJ_DEVICE_CONTROL');
      assert.equal(view!.requestorMode, 'UserMode');
      const mv = snap.mdls.find((m) => m.address === view!.mdlChain[0])!;
      assert.equal(mv.irp, view!.address);
      assert.match(mv.origin, /I\/O manager \(METHOD_OUT_DIRECT\)/);
      return complete(lab, irp, 0, 0x100);
    });
    const st = lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002 /* METHOD_OUT_DIRECT */, 0, 0, out, 0x1800);
    assert.equal(st, 0);
    assert.equal(chain.length, 2);
    for (const m of chain) assert.equal(lab.k.mdl.record(m), undefined, 'freed');
    assert.equal(lab.k.procs.byEprocess(lab.proc)!.lockedPages, 0);
    assert.deepEqual(lab.k.snapshot().irps, []);
    lab.run('LabTerminateProcess', lab.proc);
  });

  it('completing an IRP whose chain holds an MDL built by MmBuildMdlForNonPagedPool is verifier 0xC4 / 0x7D (§4.3 step 5)', () => {
    const lab = ioBoot();
    const pool = lab.run('ExAllocatePoolWithTag', 0, 0x100, 0x74736554);
    const out = lab.user(0x1000);
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const np = lab.run('IoAllocateMdl', pool, 0x100, 1, 0, irp);
      lab.run('MmBuildMdlForNonPagedPool', np);
      return complete(lab, irp, 0);
    });
    const b = bugcheckOf(() => lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x10));
    assert.equal(b.code, 0xc4);
    assert.equal(b.params[0], 0x7d);
  });

  it('IoFreeIrp with the MDL chain still attached is reported, and the locked pages bug-check 0xCB at process exit (§4.1, §6.5)', () => {
    const lab = ioBoot();
    const buf = lab.user(0x1000);
    const irp = lab.run('IoAllocateIrp', 1, 0);
    const mdl = lab.run('IoAllocateMdl', buf, 0x1000, 0, 0, irp);
    lab.run('MmProbeAndLockPages', mdl, 1, 1);
    lab.run('IoFreeIrp', irp);
    assert.ok(lab.lines.some((l) => l.kind === 'verifier' && /IoFreeIrp .* still holds the MDL/.test(l.text)));
    const b = bugcheckOf(() => lab.run('LabTerminateProcess', lab.proc));
    assert.equal(b.code, 0xcb);
    assert.equal(b.params[2], mdl);
  });

  it('overwriting Irp->MdlAddress with IoAllocateMdl(..., FALSE, ..., Irp) leaks the locked MDL: 0x76 at process exit without Verifier (§6.15)', () => {
    const lab = ioBoot({ verifier: false });
    const out = lab.user(0x1000);
    const mine = lab.user(0x1000);
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const m = lab.run('IoAllocateMdl', mine, 0x1000, 0, 0, irp); // replaces the I/O manager's MDL
      lab.run('MmProbeAndLockPages', m, 1, 1);
      return complete(lab, irp, 0);
    });
    assert.equal(lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x1000), 0);
    assert.equal(lab.k.procs.byEprocess(lab.proc)!.lockedPages, 1, "the I/O manager's own MDL was never unlocked");
    const b = bugcheckOf(() => lab.run('LabTerminateProcess', lab.proc));
    assert.equal(b.code, 0x76);
    assert.deepEqual(b.params.slice(0, 3), [0, lab.proc, 1]);
  });

  it('a driver that keeps the IRP pointer and touches it after the request finished hits freed special pool under Verifier: 0xD5 (§6.15)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    let kept = 0;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      kept = irp;
      return complete(lab, irp, 0);
    });
    assert.equal(lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x10), 0);
    const b = bugcheckOf(() => lab.k.memory.read64(kept + IRP.MdlAddress));
    assert.equal(b.code, 0xd5);
  });

  it('right after IoCompleteRequest the MDLs are unlocked but not yet freed: the I/O manager frees them when the request returns (§4.3)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    let mdl = 0;
    let flagsAfter = -1;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      mdl = lab.p64(irp + IRP.MdlAddress);
      complete(lab, irp, 0);
      flagsAfter = lab.k.memory.read16(mdl + MDL.MdlFlags);
      assert.ok(lab.k.mdl.record(mdl), 'still allocated inside the dispatch routine');
      return 0;
    });
    lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x10);
    assert.equal(flagsAfter & 2, 0, 'MDL_PAGES_LOCKED cleared by the unlock');
    assert.equal(lab.k.mdl.record(mdl), undefined, 'freed once the request returned');
  });

  it('using the system mapping of an IRP\'s MDL after completion is 0x50: unlocking released the mapping (§6.15)', () => {
    const lab = ioBoot({ verifier: false });
    const out = lab.user(0x1000);
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const va = lab.run('MmGetSystemAddressForMdlSafe', lab.p64(irp + IRP.MdlAddress), 16);
      lab.k.memory.write8(va, 1);
      complete(lab, irp, 0);
      lab.k.memory.write8(va, 2);
      return 0;
    });
    const b = bugcheckOf(() => lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x10));
    assert.equal(b.code, 0x50);
  });

  it('a driver-allocated IRP finished by the I/O manager is reported: its owner must stop it with STATUS_MORE_PROCESSING_REQUIRED (§4.1)', () => {
    const lab = ioBoot();
    const { devices: [dev] } = lab.driver((_d, irp) => complete(lab, irp, 0));
    const irp = lab.run('IoAllocateIrp', 1, 0);
    lab.k.memory.write8(lab.sp(irp) - SL.sizeof, IRP_MJ_WRITE);
    lab.run('IoCallDriver', dev, irp);
    assert.ok(lab.lines.some((l) => l.kind === 'verifier' && /a driver allocated itself/.test(l.text)));
  });

  it('the snapshot shows an IRP in flight with its flags, status, buffers, requestor and stack locations', () => {
    const lab = ioBoot();
    const inBuf = lab.user(0x1000);
    let view: import('../../../../src/emulator/snapshotTypes').IrpView | undefined;
    const { devices: [dev] } = lab.driver((_d, irp) => {
      lab.k.memory.write64(irp + IRP.IoStatus + 8, 0x33);
      view = lab.k.snapshot().irps[0];
      return complete(lab, irp, 0, 4);
    });
    lab.run('LabDeviceIoControl', lab.proc, dev, 0x222000 /* METHOD_BUFFERED */, inBuf, 8, inBuf, 4);
    assert.ok(view);
    assert.deepEqual(view!.flagNames, ['IRP_SYNCHRONOUS_API', 'IRP_BUFFERED_IO', 'IRP_DEALLOCATE_BUFFER', 'IRP_INPUT_OPERATION', 'IRP_DEFER_IO_COMPLETION']);
    assert.equal(view!.requestor, 'app.exe');
    assert.equal(view!.information, 0x33);
    assert.equal(view!.status, 'STATUS_SUCCESS');
    assert.notEqual(view!.systemBuffer, '0x0');
    assert.equal(view!.stack!.length, 1);
    assert.equal(view!.stack![0].majorFunction, 'IRP_MJ_DEVICE_CONTROL');
    assert.ok(view!.stack![0].current);
    assert.equal(BigInt(view!.stack![0].deviceObject), BigInt.asUintN(64, BigInt(dev)));
  });

  it('completing an IRP whose chain still holds a partial MDL is verifier 0xC4 / 0xB4: partials must come off the chain first (§4.3 step 5, §6.10)', () => {
    const lab = ioBoot();
    const out = lab.user(0x2000);
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const parent = lab.p64(irp + IRP.MdlAddress);
      const partial = lab.run('IoAllocateMdl', out + 0x800, 0x100, 1, 0, irp);
      lab.run('IoBuildPartialMdl', parent, partial, out + 0x800, 0x100);
      return complete(lab, irp, 0);
    });
    const b = bugcheckOf(() => lab.run('LabDeviceIoControl', lab.proc, dev, 0x222002, 0, 0, out, 0x2000));
    assert.equal(b.code, 0xc4);
    assert.equal(b.params[0], 0xb4);
  });

  it('an MDL a driver puts on the IRP by hand is linked to it in the snapshot once the IRP moves on; the one it replaced is not (§4.1)', () => {
    const lab = ioBoot();
    const out = lab.user(0x1000);
    const pool = lab.run('ExAllocatePoolWithTag', 0, 0x100, 0x74736554);
    const hex = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
    let links: Record<string, string | null> = {};
    let upper = 0;
    let lower = 0;
    const { devices } = lab.driver((d, irp) => {
      if (d === upper) {
        const original = lab.p64(irp + IRP.MdlAddress);
        const mine = lab.run('IoAllocateMdl', pool, 0x100, 0, 0, 0);
        lab.run('MmBuildMdlForNonPagedPool', mine);
        lab.k.memory.write64(irp + IRP.MdlAddress, mine);
        const next = lab.sp(irp) - SL.sizeof;
        lab.k.memory.writeBytes(next, lab.k.memory.readBytes(lab.sp(irp), SL.CompletionRoutine));
        const st = lab.run('IoCallDriver', lower, irp);
        lab.k.memory.write64(irp + IRP.MdlAddress, original);
        lab.run('IoFreeMdl', mine);
        const r = complete(lab, irp, st);
        links.original = lab.k.snapshot().mdls.find((m) => m.address === hex(original))!.irp;
        return r;
      }
      const snap = lab.k.snapshot();
      links = Object.fromEntries(snap.mdls.map((m) => [m.origin, m.irp]));
      return 0;
    }, 2);
    [upper, lower] = devices;
    lab.run('IoAttachDeviceToDeviceStack', upper, lower);
    lab.run('LabDeviceIoControl', lab.proc, lower, 0x222002, 0, 0, out, 0x10);
    assert.ok(links['IoAllocateMdl'], 'the hand-attached MDL names the IRP');
    assert.equal(links['I/O manager (METHOD_OUT_DIRECT)'], null, 'the replaced MDL is off the chain');
    assert.ok(links.original, 'put back, it names the IRP again');
  });
});
