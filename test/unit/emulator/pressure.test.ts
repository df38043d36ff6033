// Memory pressure: the working-set manager trims unlocked pages when no frame is available, and
// only locked or nonpaged memory truly runs out (reference 3.1, 3.3, 2.3).
import { strict as assert } from 'node:assert';
import { boot, raisedOf } from './helpers';
import { STATUS } from '../../../src/emulator/index';

const MiB = 1 << 20;

/** Write a recognisable word into every page of [buf, buf + size). */
function stamp(k: ReturnType<typeof boot>['k'], buf: number, size: number, salt: number): void {
  for (let off = 0; off < size; off += 0x1000) k.memory.write32(buf + off, (off ^ salt) >>> 0);
}

function badPages(k: ReturnType<typeof boot>['k'], buf: number, size: number, salt: number): number {
  let bad = 0;
  for (let off = 0; off < size; off += 0x1000) if (k.memory.read32(buf + off) !== (off ^ salt) >>> 0) bad++;
  return bad;
}

describe('Memory pressure and the working-set manager', () => {
  it('touching more memory than the machine has trims unlocked pages to the page file and repages them with their data (§3.3)', () => {
    const { k, user } = boot({ physicalMemory: 16 * MiB });
    const buf = user(32 * MiB);
    stamp(k, buf, 32 * MiB, 0x5a5a);
    const out = k.snapshot().events.filter((e) => e.kind === 'page-out');
    assert.ok(out.length > 0, 'trimming shows on the timeline');
    assert.match(out[out.length - 1].text, /working-set manager trimmed \d+ unlocked pages? \(\d+ from app\.exe\)/);
    assert.match(out[out.length - 1].text, /modified page writer wrote \d+/, 'dirty pages go through the page file');
    assert.equal(badPages(k, buf, 32 * MiB, 0x5a5a), 0, 'every page reads back what was written');
    assert.ok(k.snapshot().events.some((e) => e.kind === 'repage' && /read back from the page file/.test(e.text)), 'a later touch is a hard fault');
  });

  it('a locked page is never trimmed for memory pressure: its frame keeps the data the MDL names (§3.3, §2.3)', () => {
    const { k, call, user, mdl } = boot({ physicalMemory: 16 * MiB });
    const pinned = user(0x1000);
    k.memory.write32(pinned, 0xfeedf00d);
    const m = call('IoAllocateMdl', pinned, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    const frame = mdl(m).pfn(0);
    const big = user(24 * MiB);
    stamp(k, big, 24 * MiB, 0x77);
    const pa = k.readPhysical(frame, 0, 4);
    assert.deepEqual([...pa], [0x0d, 0xf0, 0xed, 0xfe], 'the locked frame still holds the page');
    assert.equal(k.mm.pfn.lockCount[frame], 1);
    assert.equal(Math.floor(k.translate(pinned) / 0x1000), frame, 'the VA is still (or again) backed by the same frame');
    call('MmUnlockPages', m);
    call('IoFreeMdl', m);
  });

  it('nonpaged pool takes frames from working sets under pressure, and fails only once the rest is locked or nonpaged (§3.1)', () => {
    const { k, call, user } = boot({ physicalMemory: 8 * MiB });
    const buf = user(4 * MiB);
    stamp(k, buf, 4 * MiB, 0x1234);
    let allocations = 0;
    while (call('ExAllocatePoolWithTag', 0, 0x800, 0x6c6f6f50)) allocations++;
    // Driver Verifier's special pool gives each block its own page: 2,048 frames minus the 1,024 the
    // buffer holds would leave well under 1,100 for pool without trimming.
    assert.ok(allocations > 1100, `nonpaged pool grew past what was free (${allocations} pages)`);
    assert.equal(call('MmIsAddressValid', buf), 0, 'the user pages were trimmed to make room');
    // Only nonpaged pages, page tables and the pages in use by the last accesses are left: a
    // fault on a page whose data is in the page file cannot be satisfied.
    const e = raisedOf(() => { for (let off = 0; off < 4 * MiB; off += 0x1000) k.memory.read32(buf + off); });
    assert.equal(e.status, STATUS.NO_MEMORY);
  });

  it('pinning still fails with STATUS_WORKING_SET_QUOTA beyond the resident-available budget, even though trimming could free the frames (§2.3)', () => {
    const { k, call, user } = boot({ physicalMemory: 16 * MiB });
    const buf = user(15 * MiB + 0x800 * 0x1000);
    const m = call('IoAllocateMdl', buf, 15 * MiB + 0x800 * 0x1000, 0, 0, 0);
    assert.equal(raisedOf(() => call('MmProbeAndLockPages', m, 1, 1)).status, STATUS.WORKING_SET_QUOTA);
    assert.equal(k.mdl.st.lockedPages, 0, 'nothing stays locked after the refusal');
    call('IoFreeMdl', m);
  });

  it('trimming under pressure is deterministic: two identical runs end with the same frames and page lists (§3.3)', () => {
    const run = () => {
      const { k, user } = boot({ physicalMemory: 8 * MiB });
      const a = user(6 * MiB);
      const b = user(6 * MiB);
      stamp(k, a, 6 * MiB, 1);
      stamp(k, b, 6 * MiB, 2);
      assert.equal(badPages(k, a, 6 * MiB, 1), 0);
      const s = k.snapshot();
      return JSON.stringify([s.pageLists, k.translate(a), k.translate(b + 5 * MiB)]);
    };
    assert.equal(run(), run());
  });

  it('a checkpoint restores the working-set manager with the rest of memory, so a replay trims the same pages', () => {
    const { k, user } = boot({ physicalMemory: 8 * MiB });
    const a = user(12 * MiB);
    stamp(k, a, 6 * MiB, 3);
    const cp = k.checkpoint();
    const atCheckpoint = k.mm.workingSets.save();
    stamp(k, a + 6 * MiB, 6 * MiB, 4);
    const layout = () => [Array.from({ length: 12 * 256 }, (_, i) => k.translate(a + i * 0x1000)), k.mm.workingSets.save()];
    const first = layout();
    k.restore(cp);
    assert.deepEqual(k.mm.workingSets.save(), atCheckpoint, 'the clock hand and the recently used pages are back');
    stamp(k, a + 6 * MiB, 6 * MiB, 4);
    assert.deepEqual(layout(), first, 'every page in the same frame (or paged out) as in the first run');
    assert.equal(badPages(k, a, 6 * MiB, 3), 0);
  });

  it('a stream of 1 MiB locks over a buffer larger than the machine goes through without explicit trimming, as on Windows (§3.3; lab 9)', () => {
    const { k, call, user } = boot({ physicalMemory: 64 * MiB });
    const earlier = user(60 * MiB);
    stamp(k, earlier, 60 * MiB, 9); // the process's working set already fills memory
    const size = 128 * MiB;
    const buf = user(size);
    for (let off = 0; off < size; off += MiB) {
      const m = call('IoAllocateMdl', buf + off, MiB, 0, 0, 0);
      call('MmProbeAndLockPages', m, 1, 1);
      const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
      assert.notEqual(sva, 0);
      for (let p = 0; p < MiB; p += 0x1000) k.memory.write8(sva + p, off / MiB);
      call('MmUnlockPages', m);
      call('IoFreeMdl', m);
    }
    assert.equal(k.memory.read8(buf + size - 0x1000), size / MiB - 1, 'the last page carries the last chunk\'s stamp');
    assert.equal(k.memory.read8(buf), 0, 'the first chunk came back from the page file');
    assert.equal(badPages(k, earlier, 60 * MiB, 9), 0);
  });

  it('an MDL kept in paged pool gets every PFN right when locking it forces trimming (§3.3, §2.3)', () => {
    const { k, call, user, mdl } = boot({ physicalMemory: 16 * MiB, verifier: false });
    const size = 13 * MiB;
    const pages = size / 0x1000;
    const storage = call('ExAllocatePoolWithTag', 1, 0x30 + 8 * pages, 0x6c644d50); // PagedPool
    const buf = user(size);
    call('MmInitializeMdl', storage, buf, size);
    k.memory.fill(storage + 0x30, 8 * pages, 0xee); // the MDL's pages are the oldest resident ones
    const filler = user(4 * MiB);
    stamp(k, filler, 4 * MiB, 5); // unlocked pages the lock will have to take
    call('MmProbeAndLockPages', storage, 1, 1);
    let wrong = 0;
    for (let i = 0; i < pages; i++) if (mdl(storage).pfn(i) !== Math.floor(k.translate(buf + i * 0x1000) / 0x1000)) wrong++;
    assert.equal(wrong, 0, 'each slot names the frame its page is locked in');
    call('MmUnlockPages', storage);
    assert.equal(badPages(k, filler, 4 * MiB, 5), 0);
  });
});
