// Misuse ends in the bug check Windows raises, with its parameters (reference sections 2 and 6).
import { strict as assert } from 'node:assert';
import { boot, bugcheckOf, raisedOf } from './helpers';
import { STATUS } from '../../../src/emulator/index';
import { bugCheckName } from '../../../src/emulator/constants';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function lockedUserMdl(options = {}) {
  const lab = boot(options);
  const buf = lab.user(0x2000);
  const m = lab.call('IoAllocateMdl', buf, 0x2000, 0, 0, 0);
  lab.call('MmProbeAndLockPages', m, 1, 0);
  return { ...lab, buf, m };
}

describe('Bug checks and Driver Verifier', () => {
  it('unlocking an MDL that was never locked is verifier bug check 0xC4, 0x7C (§2.5, §6.2)', () => {
    const { call, user } = boot();
    const m = call('IoAllocateMdl', user(0x1000), 0x1000, 0, 0, 0);
    const b = bugcheckOf(() => call('MmUnlockPages', m));
    assert.equal(b.code, 0xc4);
    assert.deepEqual(b.params, [0x7c, m, 0x8, 0]);
    assert.equal(b.bugCheckName, 'DRIVER_VERIFIER_DETECTED_VIOLATION');
  });

  it('unlocking twice without Verifier is 0x76 with P1 = 1, the MDL and the locked count (§2.5, §6.2)', () => {
    const { call, m, proc } = lockedUserMdl({ verifier: false });
    call('MmUnlockPages', m);
    const b = bugcheckOf(() => call('MmUnlockPages', m));
    assert.equal(b.code, 0x76);
    assert.deepEqual(b.params, [1, m, 0, 0]);
    void proc;
  });

  it('unlocking a kernel-range MDL twice without Verifier is 0x4E PFN_LIST_CORRUPT, P1 = 7 (§3.2, §6.2)', () => {
    const { k, call, mdl } = boot({ verifier: false });
    const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x74736554);
    const m = call('IoAllocateMdl', pool, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 0, 0);
    call('MmUnlockPages', m);
    const pfn = mdl(m).pfn(0);
    const b = bugcheckOf(() => call('MmUnlockPages', m));
    assert.equal(b.code, 0x4e);
    assert.deepEqual(b.params, [7, pfn, k.mm.pfn.shareCount[pfn], 0]);
  });

  it('locking an already locked MDL is verifier bug check 0xC4, 0xB0 (§6.12)', () => {
    const { call, m } = lockedUserMdl();
    const b = bugcheckOf(() => call('MmProbeAndLockPages', m, 1, 0));
    assert.deepEqual(b.params, [0xb0, m, 0xa, 0x2]);
  });

  it('freeing an MDL that is still mapped is verifier bug check 0xC4, 0xB8 (§2.2, §6.4)', () => {
    const { call, m } = lockedUserMdl();
    call('MmGetSystemAddressForMdlSafe', m, 16);
    const b = bugcheckOf(() => call('IoFreeMdl', m));
    assert.deepEqual(b.params, [0xb8, m, 0xb, 0]);
  });

  it('a process exiting with pages an MDL still locks is 0xCB naming the MDL with Verifier (§6.5)', () => {
    const { call, m, proc } = lockedUserMdl();
    call('IoFreeMdl', m);
    const b = bugcheckOf(() => call('LabTerminateProcess', proc));
    assert.equal(b.code, 0xcb);
    assert.equal(b.params[2], m);
    assert.equal(b.params[3], 2);
  });

  it('without Verifier, freeing a locked MDL is silent and the process exit is 0x76 with P1 = 0 (§6.1, §6.5)', () => {
    const { k, call, m, proc, lines } = lockedUserMdl({ verifier: false });
    call('IoFreeMdl', m);
    assert.equal(lines.filter((l) => l.kind === 'verifier').length, 0);
    const b = bugcheckOf(() => k.terminateAllProcesses());
    assert.deepEqual(b.params, [0, proc, 2, 0]);
    assert.equal(b.code, 0x76);
    assert.equal(k.snapshot().bugcheck!.name, 'PROCESS_HAS_LOCKED_PAGES');
  });

  it('MmProbeAndLockPages above DISPATCH_LEVEL is verifier bug check 0xC4, 0x70 (§2.3)', () => {
    const { k, call, user } = boot();
    const m = call('IoAllocateMdl', user(0x1000), 0x1000, 0, 0, 0);
    k.irql = 3;
    assert.deepEqual(bugcheckOf(() => call('MmProbeAndLockPages', m, 1, 0)).params, [0x70, 3, m, 1]);
  });

  it('probing pageable memory at DISPATCH_LEVEL inside MmProbeAndLockPages is 0x0A, a kernel-code fault (§6.7)', () => {
    const { k, call, user } = boot({ verifier: false });
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    const b = bugcheckOf(() => call('MmProbeAndLockPages', m, 1, 0));
    assert.equal(b.code, 0x0a);
    assert.equal(b.params[0], buf);
  });

  it('a user range above MM_USER_PROBE_ADDRESS raises STATUS_ACCESS_VIOLATION and leaves the MDL unlocked (§2.3)', () => {
    const { call, mdl } = boot();
    const m = call('IoAllocateMdl', 0x7fffffff0000 - 0x800, 0x1000, 0, 0, 0);
    assert.equal(raisedOf(() => call('MmProbeAndLockPages', m, 1, 0)).status, STATUS.ACCESS_VIOLATION);
    assert.equal(mdl(m).flags & 0x2, 0);
  });

  it('a failed probe undoes the locks it took and clears Process (§2.3 step 7)', () => {
    const { k, call, user, mdl, proc } = boot();
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf, 0x2000, 0, 0, 0); // second page is not committed
    k.memory.write8(buf, 1);
    const pfn = Math.floor(k.translate(buf) / 0x1000);
    assert.equal(raisedOf(() => call('MmProbeAndLockPages', m, 1, 0)).status, STATUS.ACCESS_VIOLATION);
    assert.equal(k.mm.pfn.referenceCount[pfn], 1);
    assert.equal(mdl(m).process, 0);
    assert.equal(k.procs.byEprocess(proc)!.lockedPages, 0);
  });

  it('locking more than the resident-available memory raises STATUS_WORKING_SET_QUOTA', () => {
    const { call, user } = boot({ physicalMemory: 16 * 2 ** 20 });
    const size = 16 * 2 ** 20;
    const m = call('IoAllocateMdl', user(size), size - 0x1000, 0, 0, 0);
    assert.equal(raisedOf(() => call('MmProbeAndLockPages', m, 1, 0)).status, STATUS.WORKING_SET_QUOTA);
  });

  it('MmBuildMdlForNonPagedPool on paged pool is verifier bug check 0xC4, 0x7F (§2.6, §6.8)', () => {
    const { call } = boot();
    const p = call('ExAllocatePoolWithTag', 1, 0x100, 0x67615020);
    const m = call('IoAllocateMdl', p, 0x100, 0, 0, 0);
    assert.deepEqual(bugcheckOf(() => call('MmBuildMdlForNonPagedPool', m)).params, [0x7f, 0, m, 0x8]);
  });

  it('MmBuildMdlForNonPagedPool on a kernel-stack buffer is verifier bug check 0xC4, 0x140 (§2.6)', () => {
    const { k, call } = boot();
    const local = k.kernelStackBase - 0x100;
    const m = call('IoAllocateMdl', local, 0x40, 0, 0, 0);
    assert.deepEqual(bugcheckOf(() => call('MmBuildMdlForNonPagedPool', m)).params, [0x140, 0, m, local - (local % 0x1000 + 0x1000) % 0x1000]);
  });

  it('MmMapLockedPagesSpecifyCache with BugCheckOnFailure = TRUE is verifier bug check 0xC4, 0x82 (§2.8)', () => {
    const { call, m } = lockedUserMdl();
    assert.deepEqual(bugcheckOf(() => call('MmMapLockedPagesSpecifyCache', m, 0, 1, 0, 1, 16)).params, [0x82, m, 0xa, 0]);
  });

  it('mapping an MDL twice to system space is verifier bug check 0xC4, 0xB2 (§6.12)', () => {
    const { call, m } = lockedUserMdl();
    call('MmMapLockedPagesSpecifyCache', m, 0, 1, 0, 0, 16);
    assert.deepEqual(bugcheckOf(() => call('MmMapLockedPagesSpecifyCache', m, 0, 1, 0, 0, 16)).params, [0xb2, m, 0xb, 0x1]);
  });

  it('mapping an MDL that is not locked is 0xC4, 0xB3 with Verifier and 0x1A, 0x1233 without (§6.12)', () => {
    const a = boot();
    const ma = a.call('IoAllocateMdl', a.user(0x1000), 0x1000, 0, 0, 0);
    assert.deepEqual(bugcheckOf(() => a.call('MmGetSystemAddressForMdlSafe', ma, 16)).params, [0xb3, ma, 0x8, 0x2]);
    const b = boot({ verifier: false });
    const buf = b.user(0x1000);
    b.k.memory.write8(buf, 1);
    const mb = b.call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    b.call('MmProbeAndLockPages', mb, 1, 0);
    b.call('MmUnlockPages', mb);
    const bc = bugcheckOf(() => b.call('MmGetSystemAddressForMdlSafe', mb, 16));
    assert.equal(bc.code, 0x1a);
    assert.deepEqual(bc.params, [0x1233, b.mdl(mb).pfn(0), 0, 0]);
  });

  it('unmapping with the wrong address is 0xDA SYSTEM_PTE_MISUSE, P1 = 3, with Verifier (§2.9, §6.3)', () => {
    const { call, m } = lockedUserMdl();
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    const b = bugcheckOf(() => call('MmUnmapLockedPages', sva + 0x1000, m));
    assert.equal(b.code, 0xda);
    assert.deepEqual(b.params, [3, 0, sva, sva + 0x1000]);
  });

  it('without Verifier a wrong unmap tears down another MDL\'s mapping, and touching it is 0x50 (§6.3)', () => {
    const lab = boot({ verifier: false });
    const { call, k } = lab;
    const m1 = call('IoAllocateMdl', lab.user(0x1000), 0x1000, 0, 0, 0);
    const m2 = call('IoAllocateMdl', lab.user(0x1000), 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m1, 1, 0);
    call('MmProbeAndLockPages', m2, 1, 0);
    const v1 = call('MmGetSystemAddressForMdlSafe', m1, 16);
    const v2 = call('MmGetSystemAddressForMdlSafe', m2, 16);
    call('MmUnmapLockedPages', v2, m1);
    assert.equal(k.memory.read8(v1), 0, 'm1 is still mapped');
    const b = bugcheckOf(() => k.memory.read8(v2));
    assert.equal(b.code, 0x50);
    assert.equal(b.params[0], v2);
  });

  it('running out of system PTEs returns NULL from MmGetSystemAddressForMdlSafe, and MmMapLockedPages bug-checks 0x3F (§2.8, §6.4)', () => {
    const { call, m, k } = lockedUserMdl({ verifier: false });
    call('LabSetSystemPteLimit', 1);
    assert.equal(call('MmGetSystemAddressForMdlSafe', m, 32), 0);
    const b = bugcheckOf(() => call('MmMapLockedPages', m, 0));
    assert.equal(b.code, 0x3f);
    assert.deepEqual(b.params, [0, 2, 1, 1]);
    void k;
  });

  it('a double ExFreePool is 0xC2 BAD_POOL_CALLER with P1 = 7 (§6.9)', () => {
    const { call } = boot({ verifier: false });
    const p = call('ExAllocatePoolWithTag', 0, 0x40, 0x74736554);
    call('ExFreePoolWithTag', p, 0x74736554);
    const b = bugcheckOf(() => call('ExFreePoolWithTag', p, 0x74736554));
    assert.equal(b.code, 0xc2);
    assert.equal(b.params[0], 7);
    assert.equal(b.params[3], p);
  });

  it('freeing pool with another tag is 0xC2 BAD_POOL_CALLER with P1 = 0xA', () => {
    const { call } = boot();
    const p = call('ExAllocatePoolWithTag', 0, 0x40, 0x74736554);
    assert.deepEqual(bugcheckOf(() => call('ExFreePoolWithTag', p, 0x21212121)).params, [0xa, p, 0x74736554, 0x21212121]);
  });

  it('touching special pool after freeing it is 0xD5 with Verifier', () => {
    const { k, call } = boot();
    const p = call('ExAllocatePoolWithTag', 0, 0x40, 0x74736554);
    call('ExFreePool', p);
    const b = bugcheckOf(() => k.memory.read8(p));
    assert.equal(b.code, 0xd5);
    assert.equal(b.params[0], p);
  });

  it('writing through an MdlMappingNoWrite mapping is 0xBE ATTEMPTED_WRITE_TO_READONLY_MEMORY (§6.14)', () => {
    const { k, call, m } = lockedUserMdl();
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16 | 0x80000000);
    assert.equal(k.memory.read8(sva), 0);
    const b = bugcheckOf(() => k.memory.write8(sva, 1));
    assert.equal(b.code, 0xbe);
    assert.equal(b.params[0], sva);
  });

  it('an invalid kernel address is 0x50 PAGE_FAULT_IN_NONPAGED_AREA at PASSIVE_LEVEL and 0xD1 at DISPATCH_LEVEL', () => {
    const { k, call } = boot();
    const bad = -0x100000000000;
    assert.equal(bugcheckOf(() => k.memory.write8(bad, 1)).params[1], 1);
    const lab = boot();
    lab.call('KeRaiseIrql', 2, lab.k.allocateImage(1));
    assert.equal(bugcheckOf(() => lab.k.memory.read8(bad)).code, 0xd1);
    void call;
  });

  it('raising the IRQL below the current one is 0xC4, 0x30 with Verifier and 0x09 without', () => {
    const a = boot();
    a.call('KeRaiseIrql', 2, a.k.allocateImage(1));
    assert.deepEqual(bugcheckOf(() => a.call('KeRaiseIrql', 1, a.k.allocateImage(1))).params, [0x30, 2, 1, 0]);
    const b = boot({ verifier: false });
    b.call('KeRaiseIrql', 2, b.k.allocateImage(1));
    assert.equal(bugcheckOf(() => b.call('KfRaiseIrql', 0)).code, 0x09);
  });

  it('KeRaiseIrql stores the previous IRQL through its PKIRQL argument and KeLowerIrql restores it', () => {
    const { k, call } = boot();
    const old = k.allocateImage(1);
    k.memory.write8(old, 0xff);
    call('KeRaiseIrql', 2, old);
    assert.equal(k.memory.read8(old), 0);
    assert.equal(call('KeGetCurrentIrql'), 2);
    call('KeLowerIrql', k.memory.read8(old));
    assert.equal(call('KeGetCurrentIrql'), 0);
  });

  it('a bug check is recorded in the snapshot with its name and parameters', () => {
    const { k, call, user } = boot();
    const m = call('IoAllocateMdl', user(0x1000), 0x1000, 0, 0, 0);
    bugcheckOf(() => call('MmUnlockPages', m));
    const bc = k.snapshot().bugcheck!;
    assert.equal(bc.codeHex, '0x000000C4');
    assert.equal(bc.params[0], '0x7c');
    assert.ok(k.snapshot().events.some((e) => e.kind === 'bugcheck'));
  });

  it('every bug check code the emulator and the interpreter raise has its Windows name, never UNKNOWN_BUGCHECK (§6.0)', () => {
    const root = join(__dirname, '../../../src');
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const codes = new Set<number>();
    for (const f of [...files(join(root, 'emulator')), ...files(join(root, 'lang'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:bugCheck|BugCheck)\(\s*(0x[0-9a-fA-F]+)/g)) codes.add(Number(m[1]));
    }
    assert.ok(codes.size >= 15, `found the raised codes (${codes.size})`);
    for (const code of [...codes, 0xc4]) assert.notEqual(bugCheckName(code), 'UNKNOWN_BUGCHECK', `0x${code.toString(16)}`);
    assert.equal(bugCheckName(0x35), 'NO_MORE_IRP_STACK_LOCATIONS');
  });
});
