// The run-at-a-time paths of MmProbeAndLockPages, MmMapLockedPagesSpecifyCache and MmUnlockPages on
// buffers whose pages are in mixed states, and the snapshot's reuse of slot checks between stops
// (reference 2.3, 2.5, 2.8, 3.2, 3.3).
import { strict as assert } from 'node:assert';
import { boot, raisedOf } from './helpers';
import { clearSnapshotCache } from '../../../src/emulator/index';
import { PageLocation, PFN_MODIFIED } from '../../../src/emulator/pfnDatabase';
import { STATUS } from '../../../src/emulator/constants';
import { vpnOf, PTE_DIRTY } from '../../../src/emulator/pageTables';

const PAGE = 0x1000;
const hex = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

describe('Big MDL paths over pages in mixed states', () => {
  it('probing a buffer that is partly resident, partly paged out and partly never touched locks every page once, and unlocking gives every count back (§2.3, §2.5, §3.2)', () => {
    const { k, call, user, proc, mdl } = boot();
    const pages = 1200; // crosses page tables and pages of PFN slots
    const buf = user(pages * PAGE);
    for (let i = 0; i < 40; i++) k.memory.write32(buf + i * PAGE, i + 1); // resident
    call('LabTrimWorkingSet', proc); // those 40 leave the working set
    for (let i = 0; i < 10; i++) k.memory.read32(buf + i * PAGE); // 10 come back
    for (let i = 600; i < 610; i++) k.memory.write32(buf + i * PAGE, i); // resident in the middle
    const m = call('IoAllocateMdl', buf, pages * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    const d = k.mm.pfn;
    const frames = new Set<number>();
    for (let i = 0; i < pages; i++) {
      const pfn = mdl(m).pfn(i);
      frames.add(pfn);
      assert.equal(k.mm.peekTranslate(buf + i * PAGE) >> 12, pfn, `page ${i} is resident in the frame its slot names`);
      assert.equal(d.lockCount[pfn], 1, `page ${i} is locked once`);
      assert.equal(d.referenceCount[pfn], 2, `page ${i}: one reference for the working set, one for the lock`);
      assert.equal(d.shareCount[pfn], 1);
    }
    assert.equal(frames.size, pages, 'every page has its own frame');
    for (let i = 0; i < 40; i++) assert.equal(k.memory.read32(buf + i * PAGE), i + 1, `page ${i} was read back from the page file`);
    call('MmUnlockPages', m);
    for (const pfn of frames) {
      assert.equal(d.lockCount[pfn], 0);
      assert.equal(d.referenceCount[pfn], 1, 'only the working set holds the frame again');
    }
    call('IoFreeMdl', m);
  });

  it('every never-touched page a probe makes resident has one mapping, a working-set reference and a lock, is owned by its process at its VA, and is modified only for a write, also where resident and paged-out pages break the runs (§2.3, §3.2)', () => {
    const { k, call, user, proc, mdl } = boot();
    const pages = 1300; // three page tables, three pages of PFN slots
    const buf = user(pages * PAGE);
    for (const i of [0, 511, 700, 1024]) k.memory.write32(buf + i * PAGE, i + 1);
    call('LabTrimWorkingSet', proc); // those four are paged out
    for (const i of [5, 512, 900]) k.memory.write32(buf + i * PAGE, i + 1); // resident
    const untouched = (i: number) => ![0, 511, 700, 1024, 5, 512, 900].includes(i);
    const d = k.mm.pfn;
    const space = k.procs.current.spaceId;
    const m = call('IoAllocateMdl', buf, pages * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1); // IoWriteAccess
    for (let i = 0; i < pages; i++) {
      const pfn = mdl(m).pfn(i);
      assert.equal(d.shareCount[pfn], 1, `page ${i}: one mapping`);
      assert.equal(d.referenceCount[pfn], 2, `page ${i}: the working set's reference and the lock's`);
      assert.equal(d.lockCount[pfn], 1, `page ${i}: one lock`);
      assert.equal(d.ownerSpace[pfn], space, `page ${i}: owned by the process's address space`);
      assert.equal(d.ownerVa[pfn], buf + i * PAGE, `page ${i}: at its own VA`);
      if (untouched(i)) assert.ok(d.flags[pfn] & PFN_MODIFIED, `page ${i}: locked for a write, so modified`);
    }
    const ro = user(600 * PAGE);
    const r = call('IoAllocateMdl', ro, 600 * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', r, 1, 0); // IoReadAccess
    for (let i = 0; i < 600; i++) {
      const pfn = mdl(r).pfn(i);
      assert.equal(d.lockCount[pfn], 1);
      assert.equal(d.referenceCount[pfn], 2);
      assert.equal(d.flags[pfn] & PFN_MODIFIED, 0, `page ${i}: locked for reading, still clean`);
    }
    call('MmUnlockPages', r);
    call('MmUnlockPages', m);
  });

  it('a probe that reaches an uncommitted page raises STATUS_ACCESS_VIOLATION and gives back the locks of the hundreds of pages it had made resident and locked, which stay in the working set (§2.3 step 7)', () => {
    const { k, call, user, mdl } = boot();
    const pages = 900;
    const buf = user(pages * PAGE); // followed by an uncommitted gap
    const start = buf + 100 * PAGE;
    const m = call('IoAllocateMdl', start, (pages - 100 + 4) * PAGE, 0, 0, 0);
    const e = raisedOf(() => call('MmProbeAndLockPages', m, 1, 1));
    assert.equal(e.status, STATUS.ACCESS_VIOLATION);
    const d = k.mm.pfn;
    for (let i = 0; i < pages - 100; i++) {
      const pfn = mdl(m).pfn(i);
      assert.equal(k.mm.peekTranslate(start + i * PAGE) >> 12, pfn, `page ${i} stays resident in the frame its slot names`);
      assert.equal(d.lockCount[pfn], 0, `page ${i}: its lock was given back`);
      assert.equal(d.referenceCount[pfn], 1, `page ${i}: only the working set's reference is left`);
      assert.equal(d.shareCount[pfn], 1);
    }
    assert.equal(mdl(m).process, 0, 'Process is NULL after the failed probe');
    call('IoFreeMdl', m);
  });

  it('an MDL in paged pool whose PFN array was paged out and read back clean is made dirty by the probe, so a trim saves its slots and the unlock reads them back (§2.3, §3.3)', () => {
    const { k, call, user, mdl } = boot();
    const pages = 1500; // the PFN array spans three pool pages
    const buf = user(pages * PAGE);
    const m = call('ExAllocatePoolWithTag', 1, 0x30 + 8 * pages, 0x6c644d50); // PagedPool
    call('MmInitializeMdl', m, buf, pages * PAGE);
    const poolPages = [0, 1, 2].map((i) => vpnOf(m) + i);
    call('LabTrimWorkingSet', 0); // paged pool leaves the system working set
    for (const vpn of poolPages) {
      assert.equal(k.mm.system.getPte(vpn) % 2, 0, 'the pool page was trimmed');
      k.memory.read32(m + (vpn - vpnOf(m)) * PAGE); // read back: resident and clean
      assert.equal((k.mm.system.getPte(vpn) % 4096) & PTE_DIRTY, 0, 'read back clean');
    }
    call('MmProbeAndLockPages', m, 0, 1);
    const pfns = Array.from({ length: pages }, (_, i) => k.mm.peekTranslate(buf + i * PAGE) >> 12);
    for (const vpn of poolPages) assert.ok((k.mm.system.getPte(vpn) % 4096) & PTE_DIRTY, 'storing the PFNs dirtied the pool page');
    call('LabTrimWorkingSet', 0); // written to the page file this time
    for (const vpn of poolPages) assert.equal(k.mm.system.getPte(vpn) % 2, 0);
    for (let i = 0; i < pages; i++) assert.equal(mdl(m).pfn(i), pfns[i], `slot ${i} came back from the page file`);
    call('LabTrimWorkingSet', 0);
    call('MmUnlockPages', m); // reads the slots through page faults
    for (const pfn of pfns) {
      assert.equal(k.mm.pfn.lockCount[pfn], 0);
      assert.equal(k.mm.pfn.referenceCount[pfn], 1, 'the working set holds the page again');
    }
  });

  it('mapping an MDL whose frames are not consecutive maps every page to the frame its slot names, and unmapping clears them (§2.8, §2.9)', () => {
    const { k, call, user, proc, mdl } = boot();
    const pages = 700;
    const buf = user(pages * PAGE);
    for (let i = 0; i < pages; i += 3) k.memory.write32(buf + i * PAGE, i); // every third page first
    call('LabTrimWorkingSet', proc);
    const m = call('IoAllocateMdl', buf, pages * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    let breaks = 0;
    for (let i = 1; i < pages; i++) if (mdl(m).pfn(i) !== mdl(m).pfn(i - 1) + 1) breaks++;
    assert.ok(breaks > 100, 'the PFN array is many short runs');
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    for (let i = 0; i < pages; i++) {
      assert.equal(k.mm.peekTranslate(sva + i * PAGE) >> 12, mdl(m).pfn(i), `system page ${i}`);
    }
    for (let i = 0; i < pages; i += 3) assert.equal(k.memory.read32(sva + i * PAGE), i, 'the data shows through the system mapping');
    call('MmUnlockPages', m); // unmaps first (reference 2.5)
    for (let i = 0; i < pages; i++) assert.equal(k.mm.peekTranslate(sva + i * PAGE), -1, `system page ${i} is unmapped`);
    call('IoFreeMdl', m);
  });

  it('an MDL in driver storage that is not 8-aligned is locked, mapped, unlocked and shown slot by slot, also where a slot straddles two pages (§1.3, §2.3)', () => {
    const { k, call, user, mdl } = boot();
    const pages = 600;
    const buf = user(pages * PAGE);
    for (let i = 0; i < pages; i += 7) k.memory.write32(buf + i * PAGE, i);
    const storage = call('ExAllocatePoolWithTag', 0, 0x30 + 8 * pages + 16, 0x41414141);
    const m = storage + 4;
    call('MmInitializeMdl', m, buf, pages * PAGE);
    call('MmProbeAndLockPages', m, 1, 1);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    for (let i = 0; i < pages; i++) {
      assert.equal(k.mm.peekTranslate(buf + i * PAGE) >> 12, mdl(m).pfn(i), `user page ${i}`);
      assert.equal(k.mm.peekTranslate(sva + i * PAGE) >> 12, mdl(m).pfn(i), `system page ${i}`);
      assert.equal(k.mm.pfn.lockCount[mdl(m).pfn(i)], 1);
    }
    const view = k.snapshot().mdls.find((v) => v.address === hex(m))!;
    assert.equal(view.pfns.length, pages);
    assert.ok(view.pfns.every((pfn, i) => pfn === mdl(m).pfn(i)), 'every slot, the straddling ones too');
    call('MmUnlockPages', m);
    for (let i = 0; i < pages; i++) assert.equal(k.mm.pfn.lockCount[mdl(m).pfn(i)], 0);
  });

  it('an MDL whose fields did not change shows its slots as stale at the next stop once its pool pages are freed (§3.3, §6.10)', () => {
    const { k, call } = boot();
    const pool = call('ExAllocatePoolWithTag', 0, 3 * PAGE, 0x74736554);
    const m = call('IoAllocateMdl', pool, 3 * PAGE, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    const before = k.snapshot().mdls.find((v) => v.address === hex(m))!;
    assert.deepEqual(before.slotMatchesPageTables, [true, true, true]);
    assert.equal(k.snapshot().mdls.find((v) => v.address === hex(m)), before, 'nothing changed: the same view');
    call('ExFreePoolWithTag', pool, 0x74736554);
    const after = k.snapshot();
    const view = after.mdls.find((v) => v.address === hex(m))!;
    assert.deepEqual(view.pfns, before.pfns, 'the MDL itself still names the old frames');
    assert.deepEqual(view.slotMatchesPageTables, [false, false, false], 'no PTE maps them any more');
    clearSnapshotCache(k);
    assert.deepEqual(k.snapshot(), after, 'the same as a snapshot built from scratch');
  });

  it('unlocking a big MDL whose pages were trimmed while locked sends each frame to the modified or standby list as its last lock goes, and a frame a second MDL still locks stays in transition (§2.5, §3.2, §3.3)', () => {
    const { k, call, user, proc, mdl } = boot();
    const pages = 700; // crosses a page of PFN slots
    const buf = user(pages * PAGE);
    for (let i = 0; i < 300; i++) k.memory.write32(buf + i * PAGE, i + 1); // written before the lock
    const whole = call('IoAllocateMdl', buf, pages * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', whole, 1, 0); // IoReadAccess: pages 300 and up stay clean
    const part = call('IoAllocateMdl', buf + 250 * PAGE, 100 * PAGE, 0, 0, 0);
    call('MmProbeAndLockPages', part, 1, 0);
    call('LabTrimWorkingSet', proc);
    const d = k.mm.pfn;
    const frames = Array.from({ length: pages }, (_, i) => mdl(whole).pfn(i));
    const both = (i: number) => i >= 250 && i < 350;
    call('MmUnlockPages', whole);
    frames.forEach((pfn, i) => {
      assert.equal(d.lockCount[pfn], both(i) ? 1 : 0, `page ${i}: locks left`);
      assert.equal(d.referenceCount[pfn], both(i) ? 1 : 0, `page ${i}: references left`);
      assert.equal(d.stateOf(pfn), both(i) ? PageLocation.Transition : i < 300 ? PageLocation.Modified : PageLocation.Standby, `page ${i}: list`);
    });
    call('MmUnlockPages', part);
    for (let i = 250; i < 350; i++) {
      assert.equal(d.lockCount[frames[i]], 0);
      assert.equal(d.stateOf(frames[i]), i < 300 ? PageLocation.Modified : PageLocation.Standby, `page ${i}: list once its last lock went`);
    }
    for (let i = 0; i < pages; i += 97) assert.equal(k.memory.read32(buf + i * PAGE), i < 300 ? i + 1 : 0, `page ${i} reads back its data`);
    call('IoFreeMdl', part);
    call('IoFreeMdl', whole);
  });
});
