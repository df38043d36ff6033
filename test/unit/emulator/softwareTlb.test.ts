// The guest memory's software TLB: a cached page must behave exactly as a fresh translation —
// every event that changes a translation (trim, context switch, unmap, pool free, checkpoint
// restore) must be seen by the very next access.
import { strict as assert } from 'node:assert';
import { boot, bugcheckOf } from './helpers';

describe('Software TLB of guest memory accesses', () => {
  it('repeated accesses to a page are served from the cache, not translated again', () => {
    const { k, user } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 7);
    const misses = k.memory.misses;
    for (let i = 0; i < 100; i++) k.memory.write32(buf + 4 * (i % 64), k.memory.read32(buf) + i);
    assert.equal(k.memory.misses, misses, 'no access after the first went to the page tables');
    assert.equal(k.memory.read32(buf + 4), 7 + 64 + 65, 'buf[1] = (buf[0] = 7 + 64) + 65 at i = 65');
  });

  it('a page trimmed from the working set is repaged on the next touch, into another frame (§3.3)', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 0x1234);
    const before = Math.floor(k.translate(buf) / 0x1000);
    assert.equal(k.memory.read32(buf), 0x1234);
    call('LabTrimWorkingSet', proc);
    const misses = k.memory.misses;
    assert.equal(k.memory.read32(buf), 0x1234, 'the data came back from the page file');
    assert.equal(k.memory.misses, misses + 1, 'the access after the trim was translated again');
    assert.notEqual(Math.floor(k.translate(buf) / 0x1000), before, 'repaged into another frame');
    assert.ok(k.snapshot().events.some((e) => e.kind === 'repage'));
  });

  it('a cached user page that was trimmed is bug check 0xD1 when touched at DISPATCH_LEVEL (§6.7)', () => {
    const { k, call, user, proc } = boot({ verifier: false });
    const buf = user(0x1000);
    k.memory.write32(buf, 1);
    assert.equal(k.memory.read32(buf), 1, 'resident: readable at any IRQL');
    call('LabTrimWorkingSet', proc);
    call('KeRaiseIrql', 2, k.allocateImage(1));
    const b = bugcheckOf(() => k.memory.read32(buf));
    assert.equal(b.code, 0xd1);
    assert.equal(b.params[0], buf);
  });

  it('attaching to another process shows that process\'s page at the same user address, and detaching shows ours again', () => {
    const lab = boot();
    const { k, call, user, str } = lab;
    const mine = user(0x1000);
    k.memory.write32(mine, 0xaaaa);
    const other = call('LabCreateProcess', str('other.exe'));
    const theirs = call('LabUserAlloc', other, 0x1000, 4);
    assert.equal(theirs, mine, 'both processes place their first allocation at the same address');
    assert.equal(k.memory.read32(mine), 0xaaaa);
    const apc = k.allocateImage(0x30);
    call('KeStackAttachProcess', other, apc);
    assert.equal(k.memory.read32(theirs), 0, 'a fresh demand-zero page of the other process, not our cached one');
    k.memory.write32(theirs, 0xbbbb);
    call('KeUnstackDetachProcess', apc);
    assert.equal(k.memory.read32(mine), 0xaaaa);
    call('KeStackAttachProcess', other, apc);
    assert.equal(k.memory.read32(theirs), 0xbbbb);
    call('KeUnstackDetachProcess', apc);
  });

  it('a system mapping read through the cache is bug check 0x50 once it has been unmapped (§6.3)', () => {
    const { k, call, user } = boot({ verifier: false });
    const buf = user(0x1000);
    k.memory.write32(buf, 0x55);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
    assert.equal(k.memory.read32(sva), 0x55);
    k.memory.write32(sva, 0x66);
    assert.equal(k.memory.read32(buf), 0x66, 'both mappings name the same frame');
    call('MmUnmapLockedPages', sva, m);
    const b = bugcheckOf(() => k.memory.read32(sva));
    assert.equal(b.code, 0x50);
    assert.equal(b.params[0], sva);
  });

  it('a freed special-pool block that was cached is caught on the next access under the verifier', () => {
    const { k, call } = boot();
    const p = call('ExAllocatePoolWithTag', 0, 0x40, 0x41414141);
    k.memory.write32(p, 1);
    assert.equal(k.memory.read32(p), 1);
    call('ExFreePool', p);
    assert.equal(bugcheckOf(() => k.memory.read32(p)).code, 0xd5);
  });

  it('a freed big pool block that was cached is bug check 0x50 on the next access, without the verifier (§6.0)', () => {
    const { k, call } = boot({ verifier: false });
    const p = call('ExAllocatePoolWithTag', 0, 0x3000, 0x41414141);
    k.memory.write32(p + 0x1000, 9);
    assert.equal(k.memory.read32(p + 0x1000), 9);
    call('ExFreePool', p);
    const b = bugcheckOf(() => k.memory.read32(p + 0x1000));
    assert.equal(b.code, 0x50);
    assert.equal(b.params[0], p + 0x1000);
  });

  it('a checkpoint keeps the bytes it saw while cached writes go on, and restoring it brings them back', () => {
    const { k, user } = boot();
    const buf = user(0x1000);
    k.memory.write32(buf, 1);
    const cp = k.checkpoint();
    k.memory.write32(buf, 2);
    assert.equal(k.memory.read32(buf), 2);
    k.restore(cp);
    assert.equal(k.memory.read32(buf), 1, 'the write after the checkpoint did not reach the checkpoint\'s copy');
    k.memory.write32(buf, 3);
    k.restore(cp);
    assert.equal(k.memory.read32(buf), 1, 'restoring twice gives the same bytes');
  });

  it('a page first read as zero and then written reads back the written value', () => {
    const { k, user } = boot();
    const buf = user(0x2000);
    assert.equal(k.memory.read32(buf + 0x1000), 0);
    k.memory.write32(buf + 0x1000, 0xfeed);
    assert.equal(k.memory.read32(buf + 0x1000), 0xfeed);
    assert.equal(k.memory.read8(buf + 0x1001), 0xfe);
  });

  it('64-bit values round-trip through the cached path, kernel addresses and all-ones included', () => {
    const { k, user } = boot();
    const buf = user(0x2000);
    for (const v of [0, 1, 0xffffffff, 2 ** 32, 2 ** 53 - 1, -1, -2, -(2 ** 44) + 0x130, -(2 ** 53) + 1, 2n ** 63n - 1n, -(2n ** 63n)]) {
      k.memory.write64(buf + 8, v);
      assert.equal(k.memory.read64(buf + 8), v);
    }
    k.memory.write64(buf + 0xffc, 0x123456789ab); // across the page end
    assert.equal(k.memory.read64(buf + 0xffc), 0x123456789ab);
    assert.equal(k.memory.read32(buf + 0x1000), 0x123);
  });

  describe('the hot page code generators read inline', () => {
    /** The hot page of each side is none, or the very frame its base translates to now (same memory, not a copy). */
    const coherent = (lab: ReturnType<typeof boot>, what: string): void => {
      const { k } = lab;
      for (const [base, words] of [[k.memory.hotReadBase, k.memory.hotReadWords], [k.memory.hotWriteBase, k.memory.hotWriteWords]] as const) {
        if (Number.isNaN(base)) continue;
        const pa = k.translate(base);
        assert.ok(pa >= 0, `${what}: the hot page 0x${base.toString(16)} is not resident`);
        const frame = k.mm.phys.view(Math.floor(pa / 0x1000));
        assert.equal(words.buffer, frame.buffer, `${what}: the hot words are another frame's`);
        assert.equal(words.byteOffset, frame.byteOffset, `${what}: the hot words are another frame's`);
      }
    };

    it('is the page last read or written, with its frame as words', () => {
      const lab = boot();
      const { k, user } = lab;
      const buf = user(0x2000);
      assert.ok(Number.isNaN(k.memory.hotWriteBase));
      k.memory.write32(buf + 0x1010, 0xabcd);
      assert.equal(k.memory.hotWriteBase, buf + 0x1000);
      assert.equal(k.memory.hotWriteWords[0x1010 / 4 - 0x400], 0xabcd);
      assert.equal(k.memory.read32(buf + 0x1010), 0xabcd);
      assert.equal(k.memory.hotReadBase, buf + 0x1000);
      coherent(lab, 'after a write and a read');
    });

    it('is dropped or follows the frame on trim, context switch, unmap, checkpoint restore and copy-on-write of the zero page', () => {
      const lab = boot({ verifier: false });
      const { k, call, user, proc } = lab;
      const buf = user(0x2000);
      k.memory.write32(buf, 1);
      k.memory.read32(buf);
      call('LabTrimWorkingSet', proc);
      coherent(lab, 'after a trim');
      assert.ok(Number.isNaN(k.memory.hotReadBase) && Number.isNaN(k.memory.hotWriteBase), 'a trim drops both');
      k.memory.write32(buf, 2);
      coherent(lab, 'after repaging');
      const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
      call('MmProbeAndLockPages', m, 1, 1);
      const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
      k.memory.write32(sva + 4, 3);
      assert.equal(k.memory.hotWriteBase, sva);
      call('MmUnmapLockedPages', sva, m);
      coherent(lab, 'after an unmap');
      assert.notEqual(k.memory.hotWriteBase, sva);
      call('MmUnlockPages', m);
      call('IoFreeMdl', m);
      const other = call('LabCreateProcess', lab.str('other.exe'));
      k.memory.read32(buf);
      call('LabEnterProcess', other);
      coherent(lab, 'after a context switch');
      assert.notEqual(k.memory.hotReadBase, buf);
      call('LabEnterProcess', proc);
      const cp = k.checkpoint();
      k.memory.write32(buf, 4);
      k.restore(cp);
      coherent(lab, 'after a checkpoint restore');
      assert.equal(k.memory.read32(buf), 2);
      assert.equal(k.memory.read32(buf + 0x1000), 0, 'a never-written page reads from the zero page');
      assert.notEqual(k.memory.hotReadBase, buf + 0x1000, 'the shared zero page is never hot');
      k.memory.write32(buf + 0x1000, 5);
      coherent(lab, 'after the first write to a zero page');
      assert.equal(k.memory.read32(buf + 0x1000), 5);
    });
  });

  describe('the write journal (an instruction run again after a guest-call page fault)', () => {
    it('puts back every byte written since it began, newest first, through every kind of write', () => {
      const { k, user } = boot();
      const buf = user(0x3000);
      k.memory.write32(buf, 0x11111111);
      k.memory.write64(buf + 0x1ffc, 0x2222222233333333n);
      k.memory.beginJournal();
      k.memory.write8(buf, 0xaa);
      k.memory.write32(buf, 0x44444444);
      k.memory.write16(buf + 0xfff, 0x5555); // across a page end
      k.memory.write64(buf + 0x1ffc, -1);
      k.memory.writeBytes(buf + 0x10, new Uint8Array([1, 2, 3]));
      k.memory.writeQwords(buf + 0x2000, new Float64Array([7, 8]));
      k.memory.undoJournal();
      assert.equal(k.memory.read32(buf), 0x11111111);
      assert.equal(k.memory.read16(buf + 0xfff), 0);
      assert.equal(BigInt(k.memory.read64(buf + 0x1ffc)), 0x2222222233333333n);
      assert.deepEqual([...k.memory.readBytes(buf + 0x10, 3)], [0, 0, 0]);
      assert.equal(k.memory.read64(buf + 0x2008), 0);
      k.memory.endJournal();
    });

    it('serves no write from the hot page while it is kept, and leaves out what the kernel wrote after a mark', () => {
      const { k, user } = boot();
      const buf = user(0x1000);
      k.memory.write32(buf, 1);
      assert.equal(k.memory.hotWriteBase, buf);
      k.memory.beginJournal();
      assert.ok(Number.isNaN(k.memory.hotWriteBase), 'generated code would write past the journal');
      k.memory.write32(buf, 2);
      const mark = k.memory.journalMark();
      k.memory.write32(buf + 4, 3); // the kernel's own write while resolving a fault
      k.memory.forgetJournalFrom(mark);
      k.memory.undoJournal();
      assert.equal(k.memory.read32(buf), 1, 'the instruction\'s write is undone');
      assert.equal(k.memory.read32(buf + 4), 3, 'the kernel\'s stays');
      k.memory.endJournal();
      k.memory.write32(buf, 5);
      assert.equal(k.memory.hotWriteBase, buf, 'the hot page is back once the journal ends');
    });
  });
});

