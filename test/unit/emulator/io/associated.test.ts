// Associated IRPs (IoMakeAssociatedIrp): a highest-level driver splits a direct-I/O read into
// associated IRPs, each carrying a partial MDL of the master's locked buffer. Completing one frees
// its MDLs without unlocking them and counts the master down; the last one completes the master,
// whose own MDL is then unlocked and freed (reference 4.3 step 3, 2.10).
import { strict as assert } from 'node:assert';
import { ioBoot, complete, IRP, SL, type IoLab } from './ioHelpers';
import { bugcheckOf } from '../helpers';
import { MDL } from '../../../../src/emulator/layouts';
import { STATUS } from '../../../../src/emulator/constants';

const DO_DIRECT_IO = 0x10;
const IRP_MJ_READ = 3;
const SL_PENDING_RETURNED = 0x01;
const PAGE = 0x1000;

interface Split {
  lab: IoLab;
  top: number;
  lower: number;
  /** Associated IRPs the lower device holds, not completed yet. */
  held: number[];
  master: { irp: number; mdl: number };
  partials: number[];
  calls: number;
}

/**
 * A driver with two devices: the top one splits each read in two associated IRPs (a partial MDL
 * of the master's MDL each) and sends them to the lower one, which fills its half through the
 * partial MDL's system mapping and completes it at once, or holds it when `hold` is set.
 */
function splitter(opts: { hold?: boolean; irpCount?: (lab: IoLab, irp: number) => void; fullMdl?: boolean } = {}): Split {
  const lab = ioBoot();
  const s: Split = { lab, top: 0, lower: 0, held: [], master: { irp: 0, mdl: 0 }, partials: [], calls: 0 };
  const { k } = lab;
  const { devices } = lab.driver((dev, irp) => {
    if (dev === s.lower) {
      const mdl = lab.p64(irp + IRP.MdlAddress);
      const va = lab.run('MmGetSystemAddressForMdlSafe', mdl, 16);
      const half = k.memory.read32(mdl + MDL.ByteCount);
      k.memory.fill(va, half, s.calls++ === 0 ? 0xa1 : 0xb2); // (a freed partial MDL's block may be the next one's)
      if (opts.hold) {
        s.held.push(irp);
        k.memory.write8(lab.sp(irp) + SL.Control, k.memory.read8(lab.sp(irp) + SL.Control) | SL_PENDING_RETURNED);
        return STATUS.PENDING;
      }
      return complete(lab, irp, 0, half);
    }
    // the top device: split the master in two
    const masterMdl = lab.p64(irp + IRP.MdlAddress);
    s.master = { irp, mdl: masterMdl };
    const length = k.memory.read32(masterMdl + MDL.ByteCount);
    const va = lab.p64(masterMdl + MDL.StartVa) + k.memory.read32(masterMdl + MDL.ByteOffset);
    if (opts.irpCount) opts.irpCount(lab, irp);
    else k.memory.write32(irp + IRP.AssociatedIrp, 2); // Irp->AssociatedIrp.IrpCount = 2
    k.memory.write8(lab.sp(irp) + SL.Control, k.memory.read8(lab.sp(irp) + SL.Control) | SL_PENDING_RETURNED); // IoMarkIrpPending
    for (let i = 0; i < 2; i++) {
      const assoc = lab.run('IoMakeAssociatedIrp', irp, 1);
      const next = lab.sp(assoc) - SL.sizeof; // IoGetNextIrpStackLocation
      k.memory.write8(next + SL.MajorFunction, IRP_MJ_READ);
      const part = va + (i * length) / 2;
      const mdl = lab.run('IoAllocateMdl', part, length / 2, 0, 0, assoc);
      if (opts.fullMdl) lab.run('MmProbeAndLockPages', mdl, 0, 1);
      else lab.run('IoBuildPartialMdl', masterMdl, mdl, part, length / 2);
      s.partials.push(mdl);
      lab.run('IoCallDriver', s.lower, assoc);
    }
    return STATUS.PENDING;
  }, 2, DO_DIRECT_IO);
  [s.top, s.lower] = devices;
  return s;
}

const verifierLines = (lab: IoLab) => lab.lines.filter((l) => l.kind === 'verifier').map((l) => l.text);

describe('Associated IRPs (IoMakeAssociatedIrp)', () => {
  it('the last associated IRP completes the master: partial MDLs freed without unlock, then the master\'s MDL unlocked and freed (§4.3 step 3)', () => {
    const s = splitter();
    const { lab } = s;
    const buf = lab.user(4 * PAGE);
    const st = lab.run('LabReadFile', lab.proc, s.top, buf, 4 * PAGE, 0);
    assert.equal(st, 0, 'the read finished with the master');
    assert.deepEqual([lab.touch8(buf), lab.touch8(buf + 2 * PAGE - 1), lab.touch8(buf + 2 * PAGE), lab.touch8(buf + 4 * PAGE - 1)], [0xa1, 0xa1, 0xb2, 0xb2], 
      'each lower request filled its half through its partial MDL');
    for (const m of [...s.partials, s.master.mdl]) assert.equal(lab.k.mdl.record(m), undefined, 'every MDL is freed');
    assert.equal(lab.k.procs.current.lockedPages, 0, 'the master\'s buffer is unlocked');
    assert.equal(lab.k.snapshot().irps.length, 0, 'master and associated IRPs are freed');
    assert.deepEqual(verifierLines(lab), []);
    const texts = lab.k.snapshot().events.map((e) => e.text);
    assert.equal(texts.filter((t) => t.includes('its MDLs freed (not unlocked)')).length, 2);
    assert.ok(texts.some((t) => t.includes('the I/O manager completes the master')));
  });

  it('while associated IRPs are out, the snapshot shows the master\'s IrpCount, each associated IRP\'s master, and the partial MDLs under the master\'s MDL', () => {
    const s = splitter({ hold: true });
    const { lab, held } = s;
    const buf = lab.user(2 * PAGE);
    assert.equal(lab.run('LabReadFile', lab.proc, s.top, buf, 2 * PAGE, 0), STATUS.PENDING);
    const hex = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
    let snap = lab.k.snapshot();
    const master = snap.irps.find((i) => i.address === hex(s.master.irp))!;
    assert.equal(master.associatedIrpCount, 2);
    assert.equal(master.systemBuffer, undefined, 'the union is an IrpCount here, not a SystemBuffer');
    const assoc = snap.irps.filter((i) => i.master === hex(s.master.irp));
    assert.deepEqual(assoc.map((i) => i.address).sort(), held.map(hex).sort());
    assert.ok(assoc.every((i) => i.flagNames!.includes('IRP_ASSOCIATED_IRP')));
    for (const p of s.partials) assert.equal(snap.mdls.find((m) => m.address === hex(p))!.parent, hex(s.master.mdl));

    complete(lab, held[0], 0, PAGE);
    snap = lab.k.snapshot();
    assert.equal(snap.irps.find((i) => i.address === hex(s.master.irp))!.associatedIrpCount, 1);
    assert.equal(lab.k.mdl.record(s.partials[0]), undefined, 'the first partial MDL is freed');
    assert.ok(lab.k.mdl.record(s.master.mdl)!.address, 'the master\'s MDL stays');
    assert.equal(lab.k.procs.current.lockedPages, 2, 'and its pages stay locked');

    complete(lab, held[1], 0, PAGE);
    assert.equal(lab.k.procs.current.lockedPages, 0);
    assert.equal(lab.k.mdl.record(s.master.mdl), undefined);
    assert.equal(lab.k.snapshot().irps.length, 0);
    assert.deepEqual(verifierLines(lab), []);
  });

  it('a master whose IrpCount was never set is never completed, and Driver Verifier says why', () => {
    const s = splitter({ irpCount: () => undefined });
    const { lab } = s;
    const buf = lab.user(2 * PAGE);
    assert.equal(lab.run('LabReadFile', lab.proc, s.top, buf, 2 * PAGE, 0), STATUS.PENDING);
    assert.ok(verifierLines(lab).some((t) => t.includes('IrpCount 0')), verifierLines(lab).join('\n'));
    assert.ok(lab.k.mdl.record(s.master.mdl), 'the master keeps its MDL');
    assert.equal(lab.k.procs.current.lockedPages, 2, 'and its buffer stays locked: the request hangs');
  });

  it('an associated IRP\'s MDLs are freed but never unlocked or unmapped: a locked, mapped MDL there is Driver Verifier 0xC4/0xB8 (§4.3 step 3, §6.4)', () => {
    const s = splitter({ fullMdl: true });
    const { lab } = s;
    const buf = lab.user(2 * PAGE);
    const bc = bugcheckOf(() => lab.run('LabReadFile', lab.proc, s.top, buf, 2 * PAGE, 0));
    assert.equal(bc.code, 0xc4);
    assert.equal(Number(bc.params[0]), 0xb8, 'IoFreeMdl of an MDL still mapped');
    assert.equal(Number(bc.params[1]), s.partials[0]);
  });

  it('with Driver Verifier off, the locked MDL of an associated IRP is freed with its pages still locked: they leak (§6.1)', () => {
    const s = splitter({ fullMdl: true });
    const { lab } = s;
    lab.run('LabSetVerifier', 0);
    const buf = lab.user(2 * PAGE);
    assert.equal(lab.run('LabReadFile', lab.proc, s.top, buf, 2 * PAGE, 0), 0);
    assert.equal(lab.k.mdl.record(s.master.mdl), undefined, 'the master completed: its own MDL unlocked and freed');
    assert.equal(lab.k.procs.current.lockedPages, 2, 'the two locks the driver took on its own MDLs are never released');
  });
});
