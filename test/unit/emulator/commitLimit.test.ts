// The system commit limit and the page file: private memory is charged against RAM plus the page
// file, an allocation beyond it gets NULL, and page-file slots are reused, so a scenario that
// allocates, dirties and trims without end keeps the page file (and the host's memory) bounded
// (reference 3.3: paged-out data lives in the page file; its size is finite on Windows too).
import { strict as assert } from 'node:assert';
import { boot } from './helpers';

const MiB = 1 << 20;

describe('Commit limit and page-file slots', () => {
  it('LabUserAlloc gets NULL once the live processes\' private memory would pass RAM plus the page file, and succeeds again after the owner exits', () => {
    const { k, call, str, proc, user } = boot({ physicalMemory: 16 * MiB });
    const limit = k.procs.commitLimitPages();
    assert.equal(limit, 4 * (16 * MiB) / 0x1000, 'RAM plus a page file of three times RAM');
    const chunk = 8 * MiB;
    let granted = 0;
    while (user(chunk) !== 0) granted++;
    assert.equal(granted, (limit * 0x1000) / chunk, 'every chunk that fits is granted, none more');
    assert.equal(k.procs.committedPages(), limit);
    assert.equal(user(0x1000), 0, 'not even one more page');

    call('LabTerminateProcess', proc);
    assert.equal(k.procs.committedPages(), 0, 'process exit returns its commit');
    const other = call('LabCreateProcess', str('next.exe'));
    assert.notEqual(call('LabUserAlloc', other, chunk, 4), 0, 'another process can commit again');
  });

  it('dirtying and trimming the same pages again and again rewrites their own slots: the page file does not grow', () => {
    const { k, call, proc, user } = boot({ physicalMemory: 16 * MiB });
    const buf = user(64 * 0x1000);
    const sizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let p = 0; p < 64; p++) k.memory.write32(buf + p * 0x1000, round * 1000 + p);
      call('LabTrimWorkingSet', proc);
      sizes.push(k.mm.pageFile.length);
    }
    assert.ok(sizes[0] >= 64, `the first trim wrote the 64 dirty pages out (${sizes[0]} slots)`);
    assert.deepEqual(new Set(sizes.slice(1)), new Set([sizes[0]]), `later trims reuse the slots: ${sizes.join(' ')}`);
    for (let p = 0; p < 64; p++) assert.equal(k.memory.read32(buf + p * 0x1000), 19 * 1000 + p, `page ${p} reads back its last data`);
  });

  it('slots of paged-out pages a process leaves behind at exit go to the next writer, with the new writer\'s data', () => {
    const { k, call, str, proc, user } = boot({ physicalMemory: 16 * MiB });
    const buf = user(32 * 0x1000);
    for (let p = 0; p < 32; p++) k.memory.write32(buf + p * 0x1000, 0xa000 + p);
    call('LabTrimWorkingSet', proc);
    const used = k.mm.pageFile.length;
    call('LabTerminateProcess', proc);
    assert.ok(k.mm.pageFileFree.length >= 32, 'the exited process\'s slots are free');

    const next = call('LabCreateProcess', str('next.exe'));
    call('LabEnterProcess', next);
    const again = call('LabUserAlloc', next, 32 * 0x1000, 4);
    for (let p = 0; p < 32; p++) k.memory.write32(again + p * 0x1000, 0xb000 + p);
    call('LabTrimWorkingSet', next);
    assert.equal(k.mm.pageFile.length, used, 'the page file did not grow');
    for (let p = 0; p < 32; p++) assert.equal(k.memory.read32(again + p * 0x1000), 0xb000 + p, `page ${p} has the new process's data`);
  });

  it('a checkpoint restores the free slots with the page file, so replay pages out to the same slots', () => {
    const { k, call, proc, user } = boot({ physicalMemory: 16 * MiB });
    const a = user(8 * 0x1000);
    for (let p = 0; p < 8; p++) k.memory.write32(a + p * 0x1000, p + 1);
    call('LabTrimWorkingSet', proc);
    const cp = k.checkpoint();
    const b = user(8 * 0x1000);
    for (let p = 0; p < 8; p++) k.memory.write32(b + p * 0x1000, p + 100);
    call('LabTrimWorkingSet', proc);
    const after = k.mm.pageFile.length;
    k.restore(cp);
    assert.ok(k.mm.pageFile.length < after, 'the page file is back as it was');
    for (let p = 0; p < 8; p++) assert.equal(k.memory.read32(a + p * 0x1000), p + 1, 'the paged-out data reads back after the restore');
  });
});
