// The remaining routines: process-context locking, reserved mappings, probing, pool, IRQL rules.
import { strict as assert } from 'node:assert';
import { boot, bugcheckOf, raisedOf } from './helpers';
import { STATUS } from '../../../src/emulator/index';

describe('Other kernel routines', () => {
  it('MmProbeAndLockProcessPages locks another process\'s buffer and records that process (§2.4)', () => {
    const { k, call, str, user, proc, mdl } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 0x77);
    const other = call('LabCreateProcess', str('other.exe'));
    call('LabEnterProcess', other);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockProcessPages', m, proc, 1, 0);
    assert.equal(mdl(m).process, proc);
    assert.equal(call('PsGetCurrentProcess'), other, 'detached again');
    assert.equal(k.memory.read32(call('MmGetSystemAddressForMdlSafe', m, 16)), 0x77);
    assert.equal(k.procs.byEprocess(proc)!.lockedPages, 1);
  });

  it('MmProbeAndLockProcessPages detaches even when the probe raises (§2.4)', () => {
    const { call, str, proc } = boot();
    const other = call('LabCreateProcess', str('other.exe'));
    call('LabEnterProcess', other);
    const m = call('IoAllocateMdl', 0x10000, 0x1000, 0, 0, 0);
    assert.equal(raisedOf(() => call('MmProbeAndLockProcessPages', m, proc, 1, 0)).status, STATUS.ACCESS_VIOLATION);
    assert.equal(call('PsGetCurrentProcess'), other);
  });

  it('a reserved mapping maps a locked MDL, unmaps it and is released with its tag', () => {
    const { k, call, user, mdl } = boot();
    const buf = user(0x2000);
    k.memory.write32(buf + 0x1004, 0xabcd);
    const m = call('IoAllocateMdl', buf + 4, 0x1ffc, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const res = call('MmAllocateMappingAddress', 0x4000, 0x766e6552);
    assert.equal(k.ptes.used, 4);
    const va = call('MmMapLockedPagesWithReservedMapping', res, 0x766e6552, m, 1);
    assert.equal(va, res + 4);
    assert.equal(mdl(m).flags & 1, 1);
    assert.equal(k.memory.read32(va + 0x1000), 0xabcd);
    call('MmUnmapReservedMapping', res, 0x766e6552, m);
    assert.equal(mdl(m).flags & 1, 0);
    assert.equal(call('MmIsAddressValid', va), 0);
    call('MmFreeMappingAddress', res, 0x766e6552);
    assert.equal(k.ptes.used, 0);
  });

  it('ProbeForRead raises for kernel addresses and misalignment, ProbeForWrite for read-only pages', () => {
    const { call, user } = boot();
    const rw = user(0x1000);
    const ro = user(0x1000, 2);
    call('ProbeForRead', rw, 0x100, 4);
    call('ProbeForWrite', rw, 0x100, 4);
    assert.equal(raisedOf(() => call('ProbeForRead', -0x200000000000, 8, 1)).status, STATUS.ACCESS_VIOLATION);
    assert.equal(raisedOf(() => call('ProbeForRead', rw + 2, 8, 4)).status, STATUS.DATATYPE_MISALIGNMENT);
    assert.equal(raisedOf(() => call('ProbeForWrite', ro, 8, 1)).status, STATUS.ACCESS_VIOLATION);
    call('ProbeForRead', 0, 0, 4);
  });

  it('MmGetPhysicalAddress gives the frame behind a resident address, 0 for a non-resident one', () => {
    const { k, call, user } = boot();
    const buf = user(0x1000);
    assert.equal(call('MmGetPhysicalAddress', buf), 0);
    k.memory.write8(buf + 0x123, 1);
    assert.equal(call('MmGetPhysicalAddress', buf + 0x123), k.translate(buf + 0x123));
    assert.equal(call('MmGetPhysicalAddress', buf + 0x123) % 0x1000, 0x123);
  });

  it('ExRaiseStatus raises a structured exception with the status', () => {
    const { call } = boot();
    assert.equal(raisedOf(() => call('ExRaiseStatus', 0xc000009a)).status, 0xc000009a);
  });

  it('ExAllocatePool2 zeroes its memory, takes paged or nonpaged pool by flag and counts it by tag', () => {
    const { k, call } = boot({ verifier: false });
    const a = call('ExAllocatePoolWithTag', 0, 0x40, 0x41414141);
    k.memory.fill(a, 0x40, 0xee);
    call('ExFreePoolWithTag', a, 0x41414141);
    const b = call('ExAllocatePool2', 0x40, 0x40, 0x41414141);
    assert.equal(b, a, 'the freed block is reused');
    assert.equal(k.memory.read32(b), 0, 'and zeroed by ExAllocatePool2');
    const p = call('ExAllocatePool2', 0x100, 0x2000, 0x42424242);
    assert.ok(k.pool.isPaged(p));
    assert.equal(call('ExAllocatePool2', 0, 0x10, 0x43434343), 0, 'no pool type flag: NULL');
    const tags = k.snapshot().pool;
    assert.ok(tags.some((t) => t.tag === 'AAAA' && t.poolType === 'NonPaged' && t.allocations === 1 && t.bytes === 0x40));
    assert.ok(tags.some((t) => t.tag === 'BBBB' && t.poolType === 'Paged'));
  });

  it('without special pool a freed block keeps its old contents for the next allocation (stale data)', () => {
    const { k, call } = boot({ verifier: false });
    const a = call('ExAllocatePoolWithTag', 0, 0x30, 0x41414141);
    k.memory.write32(a, 0x5ec7e7);
    call('ExFreePool', a);
    const b = call('ExAllocatePoolWithTag', 0, 0x30, 0x42424242);
    assert.equal(b, a);
    assert.equal(k.memory.read32(b), 0x5ec7e7);
  });

  it('allocating paged pool at DISPATCH_LEVEL is verifier bug check 0xC4, 0x01', () => {
    const { k, call } = boot();
    call('KeRaiseIrql', 2, k.allocateImage(1));
    assert.deepEqual(bugcheckOf(() => call('ExAllocatePoolWithTag', 1, 0x10, 0x41414141)).params, [0x01, 2, 1, 0x10]);
  });

  it('a zero-byte pool allocation is verifier bug check 0xC4, 0x00', () => {
    const { call } = boot();
    assert.deepEqual(bugcheckOf(() => call('ExAllocatePoolWithTag', 0, 0, 0x41414141)).params, [0x00, 0, 0, 0]);
  });

  it('a process exiting with a user mapping of an MDL still in place is reported by Verifier (§6.11)', () => {
    const { call, lines, proc } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x41414141);
    const m = call('IoAllocateMdl', pool, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    call('MmMapLockedPagesSpecifyCache', m, 1, 1, 0, 0, 16);
    call('LabTerminateProcess', proc);
    assert.ok(lines.some((l) => l.kind === 'verifier' && l.text.includes('never unmapped')));
    assert.equal(call('PsGetCurrentProcess'), call('LabGetSystemProcess'), 'the thread is back in the System process');
  });

  it('a process that exited frees its pages: they go back to the free list', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x3000);
    k.memory.fill(buf, 0x3000, 1);
    const free = k.snapshot().pageLists.Free;
    call('LabTerminateProcess', proc);
    assert.equal(k.snapshot().pageLists.Free, free + 3);
    assert.equal(k.snapshot().processes.find((p) => p.name === 'app.exe')!.alive, false);
  });

  it('LabEnterProcess into a process that has exited is bug check 0x05 INVALID_PROCESS_ATTACH_ATTEMPT', () => {
    const { call, proc } = boot();
    call('LabTerminateProcess', proc);
    assert.equal(bugcheckOf(() => call('LabEnterProcess', proc)).code, 0x05);
  });

  it('KeUnstackDetachProcess with the wrong APC state is bug check 0x06', () => {
    const { call, str } = boot();
    const other = call('LabCreateProcess', str('other.exe'));
    const apc = call('ExAllocatePoolWithTag', 0, 0x30, 0x41414141);
    call('KeStackAttachProcess', other, apc);
    assert.equal(bugcheckOf(() => call('KeUnstackDetachProcess', apc + 0x100)).code, 0x06);
  });

  it('RtlCompareMemory counts matching bytes and memcmp orders them', () => {
    const { k, call, str } = boot();
    const a = str('abcdef');
    const b = str('abcxef');
    assert.equal(call('RtlCompareMemory', a, b, 6), 3);
    assert.equal(call('RtlCompareMemory', a, a, 6), 6);
    assert.equal(call('memcmp', a, b, 6), -1);
    call('RtlCopyMemory', b, a, 6);
    assert.equal(call('memcmp', a, b, 6), 0);
    call('RtlFillMemory', b, 2, 0x7a);
    assert.equal(k.memory.read8(b + 1), 0x7a);
    call('memmove', a + 1, a, 4);
    assert.equal(String.fromCharCode(...k.memory.readBytes(a, 6)), 'aabcdf');
  });
});

describe('Bad input', () => {
  it('absurd sizes fail like Windows does instead of hanging: NULL from pool and LabUserAlloc, NULL from IoAllocateMdl above 4 GB', () => {
    const { call, proc } = boot();
    assert.equal(call('ExAllocatePoolWithTag', 1, 2 ** 45, 0x41414141), 0);
    assert.equal(call('ExAllocatePool2', 0x40, 2 ** 45, 0x41414141), 0);
    assert.equal(call('LabUserAlloc', proc, 2 ** 45, 4), 0);
    assert.equal(call('IoAllocateMdl', 0x10000, 0xfffff001, 0, 0, 0), 0);
    assert.equal(call('MmAllocateMappingAddress', 2 ** 45, 0x41414141), 0);
  });

  it('an unknown process pointer is a clear bug check, not a host crash', () => {
    const { call } = boot();
    const b = bugcheckOf(() => call('LabEnterProcess', 0x1234));
    assert.equal(b.code, 0x05);
    assert.match(b.explanation, /not a process/);
  });

  it('a NULL MDL pointer raises an access violation in the routine that dereferences it', () => {
    const { call } = boot();
    assert.equal(raisedOf(() => call('MmProbeAndLockPages', 0, 1, 0)).status, STATUS.ACCESS_VIOLATION);
  });
});

describe('Driver-built MDLs', () => {
  it('an MDL the driver initialised in its own unaligned storage locks, maps and unlocks like any other (§1.3)', () => {
    const { k, call, user, mdl } = boot();
    const buf = user(0x2000);
    k.memory.write32(buf + 0x1000, 0x600d);
    const storage = call('ExAllocatePoolWithTag', 0, 0x100, 0x41414141);
    const m = storage + 4;
    call('MmInitializeMdl', m, buf, 0x2000);
    assert.equal(mdl(m).size, 64);
    call('MmProbeAndLockPages', m, 1, 0);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    assert.equal(k.memory.read32(sva + 0x1000), 0x600d);
    call('MmUnlockPages', m);
    assert.equal(mdl(m).flags, 0);
    assert.ok(k.snapshot().mdls.some((v) => v.origin.startsWith('MmInitializeMdl')));
  });
});

describe('Long runs', () => {
  it('special pool reuses long-freed pages, so a loop of allocations and frees stays bounded', () => {
    const { k, call } = boot();
    for (let i = 0; i < 3000; i++) call('ExFreePool', call('ExAllocatePoolWithTag', 0, 0x40, 0x41414141));
    assert.ok(k.pool.st.allocations.size < 1200, `${k.pool.st.allocations.size} records`);
    const p = call('ExAllocatePoolWithTag', 0, 0x40, 0x41414141);
    k.memory.write32(p, 1);
    call('ExFreePool', p);
    assert.equal(bugcheckOf(() => k.memory.read32(p)).code, 0xd5, 'a recently freed page is still caught');
  });
});

describe('Bad addresses from the guest', () => {
  it('a non-numeric or non-canonical address is bug check 0x50, never a host exception', () => {
    const { k } = boot();
    assert.equal(bugcheckOf(() => k.memory.read8(NaN)).code, 0x50);
    assert.equal(bugcheckOf(() => k.memory.write32(2 ** 50, 1)).code, 0x50);
    assert.equal(bugcheckOf(() => k.memory.read64(-(2 ** 50))).code, 0x50);
  });
});

describe('User mappings and process context', () => {
  it('unmapping a user mapping from another process does nothing there and Verifier says whose it is (§2.9)', () => {
    const { k, call, str, lines } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x41414141);
    const m = call('IoAllocateMdl', pool, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    const uva = call('MmMapLockedPagesSpecifyCache', m, 1, 1, 0, 0, 16);
    const owner = call('PsGetCurrentProcess');
    call('LabEnterProcess', call('LabCreateProcess', str('other.exe')));
    call('MmUnmapLockedPages', uva, m);
    assert.ok(lines.some((l) => l.kind === 'verifier' && l.text.includes('belongs to app.exe')));
    call('LabEnterProcess', owner);
    assert.equal(call('MmIsAddressValid', uva), 1, 'the mapping is still there');
    void k;
  });
});
