// Paging: demand zero, trimming, repaging into another frame, and what locking pins (reference 3.3, 6.7).
import { strict as assert } from 'node:assert';
import { boot, bugcheckOf, raisedOf } from './helpers';
import { STATUS } from '../../../src/emulator/index';

describe('Paging and working sets', () => {
  it('committed user memory takes no frame until it is touched, then a zero-filled one (demand zero)', () => {
    const { k, user } = boot();
    const buf = user(0x4000);
    assert.equal(k.translate(buf), -1);
    assert.equal(k.memory.read32(buf + 0x2000), 0);
    assert.ok(k.translate(buf + 0x2000) >= 0);
    assert.equal(k.translate(buf), -1, 'only the touched page became resident');
  });

  it('trimming pages an unlocked page out and a touch reads it back into a different frame, while a locked page keeps its frame (§3.3)', () => {
    const { k, call, user, proc, mdl } = boot();
    const buf = user(0x2000);
    k.memory.write32(buf, 0x1111);
    k.memory.write32(buf + 0x1000, 0x2222);
    const m = call('IoAllocateMdl', buf + 0x1000, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const unlockedBefore = Math.floor(k.translate(buf) / 0x1000);
    const lockedFrame = mdl(m).pfn(0);
    call('LabTrimWorkingSet', proc);
    assert.equal(call('MmIsAddressValid', buf), 0);
    assert.equal(call('MmIsAddressValid', buf + 0x1000), 0, 'the locked page\'s VA is trimmed too');
    assert.equal(k.mm.pfn.stateOf(lockedFrame), 7, 'Transition: out of the working set, held by the lock');
    assert.equal(k.memory.read32(buf), 0x1111);
    assert.equal(k.memory.read32(buf + 0x1000), 0x2222);
    const unlockedAfter = Math.floor(k.translate(buf) / 0x1000);
    assert.notEqual(unlockedAfter, unlockedBefore, 'repaged into another frame');
    assert.equal(Math.floor(k.translate(buf + 0x1000) / 0x1000), lockedFrame, 'the locked page soft-faults back to the same frame');
    const view = k.snapshot().mdls[0];
    assert.deepEqual(view.slotMatchesPageTables, [true]);
    assert.ok(k.snapshot().events.some((e) => e.kind === 'repage' && e.text.includes(`was in frame 0x${unlockedBefore.toString(16)}`)));
  });

  it('an MDL built without a lock goes stale when its page is trimmed and repaged (§3.3, §6.8)', () => {
    const { k, call, user, proc } = boot({ verifier: false });
    const buf = user(0x1000);
    k.memory.write8(buf, 1);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    call('LabTrimWorkingSet', proc);
    k.memory.read8(buf);
    const view = k.snapshot().mdls.find((v) => v.origin === 'IoAllocateMdl')!;
    assert.deepEqual(view.slotMatchesPageTables, [false]);
  });

  it('touching a trimmed page at DISPATCH_LEVEL is bug check 0xD1 even though the frame is locked (§6.7)', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    call('LabTrimWorkingSet', proc);
    const old = k.allocateImage(1);
    call('KeRaiseIrql', 2, old);
    const b = bugcheckOf(() => k.memory.read8(buf + 8));
    assert.equal(b.code, 0xd1);
    assert.equal(b.params[0], buf + 8);
    assert.equal(b.params[1], 2);
    assert.equal(b.params[2], 0);
  });

  it('the system mapping of a locked MDL stays usable at DISPATCH_LEVEL after trimming (§3.3)', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 77);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    call('LabTrimWorkingSet', proc);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    assert.equal(k.memory.read32(sva), 77);
  });

  it('Driver Verifier trims pageable memory on a raise to DISPATCH_LEVEL, so a resident user page faults there too (§6.7)', () => {
    const { k, call, user } = boot();
    const buf = user(0x1000);
    k.memory.write8(buf, 5);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    assert.equal(bugcheckOf(() => k.memory.read8(buf)).code, 0xd1);
  });

  it('a trimmed, then unlocked page goes to the modified list and soft-faults back into its frame (§3.2)', () => {
    const { k, call, user, proc, mdl } = boot();
    const buf = user(0x1000);
    k.memory.write8(buf, 9);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const pfn = mdl(m).pfn(0);
    call('LabTrimWorkingSet', proc);
    call('MmUnlockPages', m);
    assert.equal(k.mm.pfn.stateOf(pfn), 3, 'Modified (dirty, not yet written)');
    assert.equal(k.snapshot().pageLists.Modified, 1);
    assert.equal(k.memory.read8(buf), 9);
    assert.equal(Math.floor(k.translate(buf) / 0x1000), pfn);
  });

  it('an uncommitted user address raises STATUS_ACCESS_VIOLATION at PASSIVE_LEVEL', () => {
    const { k } = boot();
    const e = raisedOf(() => k.memory.read8(0x10000));
    assert.equal(e.status, STATUS.ACCESS_VIOLATION);
    assert.equal(e.faultAddress, 0x10000);
  });

  it('writing a PAGE_READONLY user page raises STATUS_ACCESS_VIOLATION', () => {
    const { k, user } = boot();
    const ro = user(0x1000, 2);
    assert.equal(k.memory.read8(ro), 0);
    assert.equal(raisedOf(() => k.memory.write8(ro, 1)).status, STATUS.ACCESS_VIOLATION);
  });

  it('a user address means the current process: another process sees its own memory at the same VA (§6.6)', () => {
    const { k, call, user, str, proc } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 0xaaaa);
    const other = call('LabCreateProcess', str('other.exe'));
    const obuf = call('LabUserAlloc', other, 0x1000, 4);
    assert.equal(obuf, buf, 'the same user VA in both processes');
    call('LabEnterProcess', other);
    k.memory.write32(buf, 0xbbbb);
    call('LabEnterProcess', proc);
    assert.equal(k.memory.read32(buf), 0xaaaa);
  });

  it('KeStackAttachProcess makes another process\'s user addresses visible until KeUnstackDetachProcess', () => {
    const { k, call, user, str, proc } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 0x1234);
    const other = call('LabCreateProcess', str('other.exe'));
    call('LabEnterProcess', other);
    const apc = call('ExAllocatePoolWithTag', 0, 0x30, 0x20637061);
    call('KeStackAttachProcess', proc, apc);
    assert.equal(k.memory.read32(buf), 0x1234);
    assert.equal(call('PsGetCurrentProcess'), proc);
    call('KeUnstackDetachProcess', apc);
    assert.equal(call('PsGetCurrentProcess'), other);
  });

  it('paged pool is pageable: trimmed by LabTrimWorkingSet(NULL) and faulting at DISPATCH_LEVEL (§6.7)', () => {
    const { k, call } = boot({ verifier: false });
    const p = call('ExAllocatePoolWithTag', 1, 0x2000, 0x67615020);
    k.memory.write32(p, 3);
    call('LabTrimWorkingSet', 0);
    assert.equal(call('MmIsAddressValid', p), 0);
    assert.equal(k.memory.read32(p), 3);
    call('LabTrimWorkingSet', 0);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    assert.equal(bugcheckOf(() => k.memory.read32(p)).code, 0xd1);
  });

  it('a 64 GiB machine is described sparsely: host memory grows with frames touched', () => {
    const { k, user } = boot({ physicalMemory: 64 * 2 ** 30 });
    const buf = user(0x10000);
    k.memory.write8(buf + 0x5000, 1);
    assert.equal(k.snapshot().physicalPages, 16 * 2 ** 20);
    assert.ok(k.mm.pfn.watermark < 100);
    assert.ok(k.mm.phys.touchedFrames() < 40);
  });
});

describe('Working sets and user mappings', () => {
  it('trimming leaves a user mapping of an MDL alone: it is not part of the working set (§2.8)', () => {
    const { k, call, proc } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x41414141);
    k.memory.write32(pool, 0x1234);
    const m = call('IoAllocateMdl', pool, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    const uva = call('MmMapLockedPagesSpecifyCache', m, 1, 1, 0, 0, 16);
    const pfn = Math.floor(k.translate(pool) / 0x1000);
    const before = [k.mm.pfn.shareCount[pfn], k.mm.pfn.referenceCount[pfn]];
    call('LabTrimWorkingSet', proc);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    assert.equal(k.memory.read32(uva), 0x1234, 'still valid at DISPATCH_LEVEL');
    assert.deepEqual([k.mm.pfn.shareCount[pfn], k.mm.pfn.referenceCount[pfn]], before);
  });
});
