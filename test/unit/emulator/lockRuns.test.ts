// The runs MmProbeAndLockPages keeps for a big MDL (src/emulator/lockRuns.ts) let the map and the
// unlock skip reading the PFN array. They must never stand for an array that changed: a driver
// rewriting a slot — from C through the interpreter's cached write path, or on the header's page —
// a checkpoint restore, or a paged-pool MDL moved by a trim, and the array is read from memory.
// Reference 2.3 (the lock stores each PFN), 2.5 and 2.8 (unlock and map read the array).
import { strict as assert } from 'node:assert';
import { boot } from './helpers';
import { MDL } from '../../../src/emulator/layouts';
import { lockRunsOf, LOCK_RUNS_MIN_PAGES } from '../../../src/emulator/lockRuns';
import { generatedMachine, runToEnd } from '../lang/helpers/generatedMachine';

const PAGE = 4096;

function lockedMdl(pages: number) {
  const lab = boot();
  const buf = lab.user(pages * PAGE);
  const mdl = lab.call('IoAllocateMdl', buf, pages * PAGE, 0, 0, 0);
  lab.call('MmProbeAndLockPages', mdl, 1, 1);
  return { ...lab, buf, mdl, slot: (i: number) => mdl + MDL.PfnArray + 8 * i };
}

describe('Runs kept by the lock for the map and the unlock', () => {
  it('a big MDL keeps its runs after the lock; a small one does not; unlock forgets them', () => {
    const small = lockedMdl(LOCK_RUNS_MIN_PAGES - 1);
    assert.equal(lockRunsOf(small.k, small.mdl, LOCK_RUNS_MIN_PAGES - 1), null);
    const big = lockedMdl(1024);
    const runs = lockRunsOf(big.k, big.mdl, 1024);
    assert.ok(runs, 'kept');
    let n = 0;
    for (let i = 0; i < runs.length; i += 2) {
      for (let t = 0; t < runs[i + 1]; t++, n++) assert.equal(big.mdl && Number(big.k.memory.read64(big.slot(n))), runs[i] + t, `slot ${n}`);
    }
    assert.equal(n, 1024, 'the runs cover every slot, in order');
    assert.equal(lockRunsOf(big.k, big.mdl, 1000), null, 'only for the same number of pages');
    big.call('MmUnlockPages', big.mdl);
    assert.equal(lockRunsOf(big.k, big.mdl, 1024), null);
  });

  it('a write to a slot, on a page of slots or on the header\'s page, makes the map and the unlock read the array (§2.8)', () => {
    for (const slot of [3, 700]) {
      const lab = lockedMdl(1024);
      const frame0 = Number(lab.k.memory.read64(lab.slot(0)));
      lab.k.memory.write64(lab.slot(slot), frame0); // the driver points this slot at page 0's frame
      assert.equal(lockRunsOf(lab.k, lab.mdl, 1024), null, `slot ${slot}: the runs no longer stand`);
      const sva = lab.call('MmGetSystemAddressForMdlSafe', lab.mdl, 16);
      lab.k.memory.write8(sva + slot * PAGE, 0x5a);
      assert.equal(lab.k.memory.read8(lab.buf), 0x5a, `slot ${slot}: the mapping follows the rewritten slot`);
      assert.equal(lab.k.memory.read8(lab.buf + slot * PAGE), 0);
    }
  });

  it('a checkpoint restore forgets them: the restored array is read (§2.8)', () => {
    const lab = lockedMdl(1024);
    const original = Number(lab.k.memory.read64(lab.slot(900)));
    lab.k.memory.write64(lab.slot(900), Number(lab.k.memory.read64(lab.slot(0))));
    const cp = lab.k.checkpoint();
    lab.k.memory.write64(lab.slot(900), original);
    lab.k.restore(cp);
    assert.equal(lockRunsOf(lab.k, lab.mdl, 1024), null);
    const sva = lab.call('MmGetSystemAddressForMdlSafe', lab.mdl, 16);
    lab.k.memory.write8(sva + 900 * PAGE, 0x77);
    assert.equal(lab.k.memory.read8(lab.buf), 0x77, 'page 900 maps what the restored slot names');
  });

  for (const generated of [true, false]) {
    const form = generated ? 'generated code' : 'the closure form';
    it(`a slot rewritten from C (${form}) is what the map maps and what the unlock unlocks (§2.5, §3.2)`, () => {
      const src = `
VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("app.exe");
    LabEnterProcess(app);
    ULONG pages = 1024;
    PUCHAR buf = (PUCHAR)LabUserAlloc(app, pages * PAGE_SIZE, PAGE_READWRITE);
    PMDL mdl = IoAllocateMdl(buf, pages * PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    PFN_NUMBER moved = pfns[700];
    pfns[700] = pfns[0];
    PUCHAR sys = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    sys[700 * PAGE_SIZE] = 0x5A;
    DbgPrint("buf0=%x buf700=%x\\n", buf[0], buf[700 * PAGE_SIZE]);
    pfns[700] = moved;
    pfns[800] = pfns[1];
    MmUnlockPages(mdl);
}
`;
      const run = generatedMachine(src, generated);
      const o = runToEnd(run.m);
      assert.deepEqual(run.out.filter((l) => l.startsWith('buf')), ['buf0=5a buf700=0'], 'the map follows the rewritten slot');
      // slot 800 now names page 1's frame as well: the unlock drops that lock twice (0x4E / 7)
      assert.equal(o.kind, 'bugcheck');
      assert.equal(o.kind === 'bugcheck' && o.bugcheck.code, 0x4e);
      assert.equal(o.kind === 'bugcheck' && Number(o.bugcheck.params[0]), 7);
    });
  }

  it('map and unlock through the runs leave every count as reading the array would (§2.5, §3.2)', () => {
    const lab = lockedMdl(3000);
    const frames = Array.from({ length: 3000 }, (_, i) => Number(lab.k.memory.read64(lab.slot(i))));
    const d = lab.k.mm.pfn;
    const before = frames.map((f) => [d.referenceCount[f], d.lockCount[f]]);
    assert.ok(before.every(([r, l]) => r === 2 && l === 1));
    const sva = lab.call('MmGetSystemAddressForMdlSafe', lab.mdl, 16);
    for (const i of [0, 511, 512, 2999]) {
      lab.k.memory.write8(sva + i * PAGE + 5, i & 0xff);
      assert.equal(lab.k.memory.read8(lab.buf + i * PAGE + 5), i & 0xff, `page ${i} through the mapping`);
    }
    lab.call('MmUnlockPages', lab.mdl);
    assert.ok(frames.every((f) => d.referenceCount[f] === 1 && d.lockCount[f] === 0), 'one reference (the working set) and no lock left');
    assert.equal(lab.k.procs.current.lockedPages, 0);
  });
});
