// MDL fields, flags and PFN counts through the probe-lock-map-unlock-free life cycle (reference 1, 2).
import { strict as assert } from 'node:assert';
import { boot } from './helpers';
import { spanPages, mmSizeOfMdl } from '../../../src/emulator/index';
import { IRP } from '../../../src/emulator/layouts';

describe('MDL life cycle', () => {
  it('MmSizeOfMdl and the page span follow ADDRESS_AND_SIZE_TO_SPAN_PAGES (§1.2)', () => {
    assert.equal(spanPages(0x1000, 0x1000), 1);
    assert.equal(spanPages(0x1fff, 2), 2);
    assert.equal(spanPages(0x1800, 0x1000), 2);
    assert.equal(spanPages(0x1000, 0), 0);
    assert.equal(spanPages(0x1234, 0), 1, 'the macro counts the page an empty unaligned buffer starts in');
    assert.equal(mmSizeOfMdl(0x1800, 0x1000), 48 + 16);
    const { call } = boot();
    assert.equal(call('MmSizeOfMdl', 0x1fff, 2), 64);
  });

  it('a fresh one-page IoAllocateMdl has Size 56, MdlFlags 0x8 and stale non-NULL Process and MappedSystemVa (§1.1)', () => {
    const { call, user, mdl } = boot();
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf + 0x20, 0x100, 0, 0, 0);
    const f = mdl(m);
    assert.equal(f.size, 56);
    assert.equal(f.flags, 0x8);
    assert.notEqual(f.process, 0);
    assert.notEqual(f.mappedSystemVa, 0);
    assert.equal(f.startVa, buf);
    assert.equal(f.byteOffset, 0x20);
    assert.equal(f.byteCount, 0x100);
    assert.equal(f.next, 0);
  });

  it('IoAllocateMdl serves spans above 23 pages from pool, without MDL_ALLOCATED_FIXED_SIZE (§2.1)', () => {
    const { call, user, mdl } = boot();
    const buf = user(24 * 0x1000);
    const m = call('IoAllocateMdl', buf, 24 * 0x1000, 0, 0, 0);
    assert.equal(mdl(m).flags, 0);
    assert.equal(mdl(m).size, 48 + 24 * 8);
  });

  it('MmProbeAndLockPages on a kernel buffer gives flags 0xA, Process NULL and the frame in the PFN slot (§1.1, §2.3)', () => {
    const { k, call, mdl } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x100, 0x74736554);
    const m = call('IoAllocateMdl', pool, 0x100, 0, 0, 0);
    call('MmProbeAndLockPages', m, 0, 0);
    const f = mdl(m);
    assert.equal(f.flags, 0xa);
    assert.equal(f.process, 0);
    assert.equal(f.pfn(0), Math.floor(k.translate(pool) / 0x1000));
  });

  it('locking a user buffer records the current EPROCESS, bumps ReferenceCount and NumberOfLockedPages (§2.3, §3.2)', () => {
    const { k, call, user, mdl, proc } = boot();
    const buf = user(0x2000);
    const m = call('IoAllocateMdl', buf + 0x800, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    const f = mdl(m);
    assert.equal(f.process, proc);
    assert.equal(f.flags, 0x8 | 0x2 | 0x80); // FIXED_SIZE | PAGES_LOCKED | WRITE_OPERATION
    for (const i of [0, 1]) {
      const pfn = f.pfn(i);
      assert.equal(k.mm.pfn.referenceCount[pfn], 2, 'one for the working set, one for the lock');
      assert.equal(k.mm.pfn.shareCount[pfn], 1);
      assert.equal(k.mm.pfn.lockCount[pfn], 1);
    }
    assert.equal(k.procs.byEprocess(proc)!.lockedPages, 2);
  });

  it('MmGetSystemAddressForMdlSafe maps the same frames: flags 0xB and MappedSystemVa = mapping + ByteOffset (§1.1, §2.8)', () => {
    const { k, call, user, mdl } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf + 0x44, 0x12345678);
    const m = call('IoAllocateMdl', buf + 0x40, 0x10, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    const f = mdl(m);
    assert.equal(f.flags, 0xb);
    assert.equal(f.mappedSystemVa, sva);
    assert.equal(((sva % 0x1000) + 0x1000) % 0x1000, 0x40);
    assert.ok(sva < 0, 'a system address');
    assert.equal(k.memory.read32(sva + 4), 0x12345678);
    assert.equal(call('MmGetSystemAddressForMdlSafe', m, 16), sva, 'repeated calls return the first mapping');
    assert.equal(k.ptes.used, 1);
  });

  it('MmUnlockPages releases the mapping and the locks, leaving the PFN array stale in memory (§2.5)', () => {
    const { k, call, user, mdl, proc } = boot();
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const pfn = mdl(m).pfn(0);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    call('MmUnlockPages', m);
    const f = mdl(m);
    assert.equal(f.flags, 0x8);
    assert.equal(f.mappedSystemVa, sva, 'MappedSystemVa is left stale');
    assert.equal(f.pfn(0), pfn);
    assert.equal(k.mm.pfn.referenceCount[pfn], 1);
    assert.equal(k.mm.pfn.lockCount[pfn], 0);
    assert.equal(k.ptes.used, 0);
    assert.equal(k.procs.byEprocess(proc)!.lockedPages, 0);
    assert.equal(k.mm.isAddressValid(sva), false);
  });

  it('IoFreeMdl returns a fixed-size MDL to the lookaside, and the next IoAllocateMdl gets it back with its old fields (§1.1, §2.2)', () => {
    const { call, user, mdl, proc } = boot();
    const buf = user(0x1000);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    call('MmUnlockPages', m);
    call('IoFreeMdl', m);
    const again = call('IoAllocateMdl', buf, 0x200, 0, 0, 0);
    assert.equal(again, m);
    assert.equal(mdl(again).process, proc, 'Process is stale from the previous use');
    assert.equal(mdl(again).flags, 0x8);
  });

  it('IoAllocateMdl with an IRP sets Irp->MdlAddress, and SecondaryBuffer appends to the chain (§2.1, §4.1)', () => {
    const { k, call, user, mdl } = boot();
    const irp = call('ExAllocatePoolWithTag', 0, IRP.sizeof, 0x20707249);
    k.memory.fill(irp, IRP.sizeof, 0);
    const buf = user(0x3000);
    const a = call('IoAllocateMdl', buf, 0x1000, 0, 0, irp);
    const b = call('IoAllocateMdl', buf + 0x1000, 0x1000, 1, 0, irp);
    const c = call('IoAllocateMdl', buf + 0x2000, 0x1000, 1, 0, irp);
    assert.equal(Number(k.memory.read64(irp + IRP.MdlAddress)), a);
    assert.equal(mdl(a).next, b);
    assert.equal(mdl(b).next, c);
    assert.equal(mdl(c).next, 0);
    assert.equal(k.snapshot().mdls.find((v) => v.address === '0x' + BigInt.asUintN(64, BigInt(b)).toString(16))!.irp, '0x' + BigInt.asUintN(64, BigInt(irp)).toString(16));
  });

  it('MmBuildMdlForNonPagedPool sets SOURCE_IS_NONPAGED_POOL and MappedSystemVa without taking references (§2.6)', () => {
    const { k, call, mdl } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x2000, 0x74736554);
    const m = call('IoAllocateMdl', pool, 0x2000, 0, 0, 0);
    const before = k.mm.pfn.referenceCount[Math.floor(k.translate(pool) / 0x1000)];
    call('MmBuildMdlForNonPagedPool', m);
    const f = mdl(m);
    assert.equal(f.flags, 0x8 | 0x4);
    assert.equal(f.mappedSystemVa, pool);
    assert.equal(f.process, 0);
    assert.equal(k.mm.pfn.referenceCount[f.pfn(0)], before);
    assert.equal(call('MmGetSystemAddressForMdlSafe', m, 16), pool, 'already mapped: the macro returns MappedSystemVa');
  });

  it('MmAllocatePagesForMdlEx describes unmapped pages from StartVa 0 with PAGES_LOCKED, freed by MmFreePagesFromMdl (§2.12, §2.13)', () => {
    const { k, call, mdl } = boot();
    const m = call('MmAllocatePagesForMdlEx', 0, 2 ** 40, 0, 0x3000, 1, 0);
    const f = mdl(m);
    assert.equal(f.startVa, 0);
    assert.equal(f.byteCount, 0x3000);
    assert.equal(f.flags, 0x2);
    const pfn = f.pfn(1);
    assert.equal(k.mm.pfn.referenceCount[pfn], 1);
    assert.equal(k.mm.pfn.shareCount[pfn], 1);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    k.memory.write8(sva + 0x1000, 7);
    call('MmFreePagesFromMdl', m);
    assert.equal(mdl(m).flags & 0x3, 0, 'unmapped and unlocked');
    assert.equal(mdl(m).pfn(1), -1, 'slots hold the all-ones sentinel');
    assert.equal(k.snapshot().frames.find((x) => x.pfn === pfn)?.state ?? 'Free', 'Free');
    assert.equal(k.mm.pfn.referenceCount[pfn], 0);
    call('ExFreePool', m);
  });

  it('MmCreateMdl allocates and initialises an MDL from pool (§1.3)', () => {
    const { call, mdl } = boot();
    const m = call('MmCreateMdl', 0, 0x10010, 0x20);
    assert.equal(mdl(m).byteOffset, 0x10);
    assert.equal(mdl(m).size, 56);
    assert.equal(mdl(m).flags, 0);
  });

  it('MmMapLockedPagesSpecifyCache(UserMode) maps the frames into the current process without marking the MDL (§2.8)', () => {
    const { k, call, mdl } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x74736554);
    k.memory.write32(pool, 0xcafe);
    const m = call('IoAllocateMdl', pool, 0x1000, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    const uva = call('MmMapLockedPagesSpecifyCache', m, 1, 1, 0, 0, 16);
    assert.ok(uva > 0);
    assert.equal(k.memory.read32(uva), 0xcafe);
    assert.equal(mdl(m).flags, 0xc);
    call('MmUnmapLockedPages', uva, m);
    assert.equal(k.mm.isAddressValid(uva), false);
  });
});
