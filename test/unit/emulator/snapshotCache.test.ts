// The snapshot at successive stops: views kept from the previous stop must never show stale state,
// and an IRP's chain names its MDLs at every stop (snapshot contract; reference 3.3, 4.1).
import { strict as assert } from 'node:assert';
import { boot } from './helpers';
import { ioBoot } from './io/ioHelpers';
import { clearSnapshotCache } from '../../../src/emulator/index';
import { IRP, MDL } from '../../../src/emulator/layouts';

const hex = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

describe('Snapshot across stops', () => {
  it('a snapshot after MDLs were changed, locked, trimmed and freed equals one built from scratch (§3.3)', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x4000);
    const pool = call('ExAllocatePoolWithTag', 0, 0x200, 0x74736554);
    const a = call('IoAllocateMdl', buf, 0x4000, 0, 0, 0);
    const b = call('IoAllocateMdl', pool, 0x200, 0, 0, 0);
    const c = call('IoAllocateMdl', buf + 0x1000, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', b);
    const first = k.snapshot();
    call('MmProbeAndLockPages', a, 1, 1);
    const sva = call('MmGetSystemAddressForMdlSafe', a, 16);
    k.memory.write64(b + MDL.Next, c);
    call('IoFreeMdl', c);
    const second = k.snapshot();
    assert.notDeepEqual(second.mdls, first.mdls);
    clearSnapshotCache(k);
    assert.deepEqual(k.snapshot(), second, 'after locking, mapping, relinking and freeing');
    assert.ok(second.frames.some((f) => f.mappedBy.some((m) => m.va === hex(sva))), 'the system mapping shows on its frame');
    call('LabTrimWorkingSet', proc);
    k.memory.read32(buf); // locked: a soft fault back into the same frame
    const third = k.snapshot();
    clearSnapshotCache(k);
    assert.deepEqual(k.snapshot(), third, 'after trimming (slot checks see the transition PTEs)');
    call('MmUnlockPages', a);
    call('LabTrimWorkingSet', proc);
    k.memory.write32(buf + 0x2000, 7); // repaged into another frame: slot 2 of the old PFN array is stale
    const fourth = k.snapshot();
    clearSnapshotCache(k);
    assert.deepEqual(k.snapshot(), fourth, 'after unlock, trim and repage');
  });

  it('an MDL that did not change between stops is the same view object, one that changed is new (snapshot contract: views are read-only)', () => {
    const { k, call } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x200, 0x74736554);
    const x = call('IoAllocateMdl', pool, 0x100, 0, 0, 0);
    const y = call('IoAllocateMdl', pool + 0x100, 0x100, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', x);
    call('MmBuildMdlForNonPagedPool', y);
    const before = k.snapshot().mdls;
    k.memory.write64(y + MDL.Next, x);
    const after = k.snapshot().mdls;
    const find = (views: typeof before, m: number) => views.find((v) => v.address === hex(m))!;
    assert.equal(find(after, x), find(before, x));
    assert.notEqual(find(after, y), find(before, y));
    assert.equal(find(after, y).next, hex(x));
    assert.equal(find(after, y).pfns, find(before, y).pfns, 'unchanged parts are shared');
  });

  it('after time travel (a checkpoint restored) unchanged MDLs keep their views and changed ones show their restored state', () => {
    const { k, call } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x200, 0x74736554);
    const x = call('IoAllocateMdl', pool, 0x100, 0, 0, 0);
    const y = call('IoAllocateMdl', pool + 0x100, 0x100, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', x);
    const cp = k.checkpoint();
    const atCheckpoint = k.snapshot().mdls;
    call('MmBuildMdlForNonPagedPool', y);
    const built = k.snapshot().mdls.find((v) => v.address === hex(y))!;
    k.restore(cp);
    const back = k.snapshot().mdls;
    assert.deepEqual(back, atCheckpoint);
    const find = (views: typeof back, m: number) => views.find((v) => v.address === hex(m))!;
    assert.equal(find(back, x), find(atCheckpoint, x), 'x did not change: same view');
    assert.ok(built.flagNames.includes('MDL_SOURCE_IS_NONPAGED_POOL'));
    assert.equal(find(back, y).flags, find(atCheckpoint, y).flags, 'y is as it was before MmBuildMdlForNonPagedPool');
    assert.ok(!find(back, y).flagNames.includes('MDL_SOURCE_IS_NONPAGED_POOL'));
  });

  it('an MDL a driver sets as Irp->MdlAddress by hand names that IRP in the snapshot at once, before the IRP moves on (§4.1)', () => {
    const lab = ioBoot();
    const pool = lab.run('ExAllocatePoolWithTag', 0, 0x100, 0x74736554);
    const irp = lab.run('IoAllocateIrp', 2, 0);
    const mine = lab.run('IoAllocateMdl', pool, 0x100, 0, 0, 0);
    lab.run('MmBuildMdlForNonPagedPool', mine);
    assert.equal(lab.k.snapshot().mdls.find((m) => m.address === hex(mine))!.irp, null);
    lab.k.memory.write64(irp + IRP.MdlAddress, mine);
    const view = lab.k.snapshot().mdls.find((m) => m.address === hex(mine))!;
    assert.equal(view.irp, hex(irp), 'the chain holds it, so it names the IRP');
    lab.k.memory.write64(irp + IRP.MdlAddress, 0);
    assert.equal(lab.k.snapshot().mdls.find((m) => m.address === hex(mine))!.irp, null, 'taken off the chain, it names none');
    lab.run('IoFreeMdl', mine);
    lab.run('IoFreeIrp', irp);
  });
  it('reads MDL headers wherever they lie: 16-byte aligned, odd, and across a page boundary (snapshot contract)', () => {
    const { k, call } = boot();
    const buf = call('ExAllocatePoolWithTag', 0, 0x3000, 0x66754254);
    const frame = (va: number) => Math.floor(Number(call('MmGetPhysicalAddress', va)) / 4096);
    const place = call('ExAllocatePoolWithTag', 0, 0x3000, 0x6c644d54);
    const at = [0x10, 0x13, 0x1000 - 0x1e]; // aligned; odd; the header straddles two pages
    for (const [i, off] of at.entries()) {
      const mdl = place + off + 0x400 * i;
      call('MmInitializeMdl', mdl, buf + 0x800, 0x1800);
      call('MmBuildMdlForNonPagedPool', mdl);
      const view = k.snapshot().mdls.find((m) => m.address === hex(mdl));
      assert.ok(view, `the MDL at +0x${off.toString(16)} is shown`);
      assert.equal(view.byteCount, 0x1800);
      assert.equal(view.byteOffset, 0x800);
      assert.ok(view.flagNames.includes('MDL_SOURCE_IS_NONPAGED_POOL'));
      assert.deepEqual(view.pfns, [frame(buf), frame(buf + 0x1000)]);
      clearSnapshotCache(k);
      assert.deepEqual(k.snapshot().mdls.find((m) => m.address === hex(mdl)), view, 'built from scratch, the same view');
    }
  });
});
