// The PFN ReferenceCount is 16 bits wide, as in Windows, and MmProbeAndLockPages stops at
// MmReferenceCountCheck (MAXUSHORT / 2) with STATUS_WORKING_SET_QUOTA (reference 2.3, 3.2).
import { strict as assert } from 'node:assert';
import { boot, raisedOf } from './helpers';
import { STATUS } from '../../../src/emulator/index';

describe('PFN reference counts', () => {
  it('a frame takes locks up to a ReferenceCount of 32,767; one more MmProbeAndLockPages raises STATUS_WORKING_SET_QUOTA and leaves the counts as they were (§2.3, §3.2)', () => {
    // Driver Verifier off: plain Windows lets the same MDL be locked again and again.
    const { k, call, user, mdl } = boot({ verifier: false });
    const buf = user(0x1000);
    k.memory.write8(buf, 1);
    const pfn = Math.floor(k.translate(buf) / 0x1000);
    const d = k.mm.pfn;
    assert.equal(d.referenceCount[pfn], 1, 'the working set holds one reference');
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    for (let i = 0; i < 0x7ffe; i++) call('MmProbeAndLockPages', m, 1, 0);
    assert.equal(d.referenceCount[pfn], 0x7fff);
    assert.equal(d.lockCount[pfn], 0x7ffe);
    assert.equal(k.pfnEntry(pfn).referenceCount, 0x7fff);
    const e = raisedOf(() => call('MmProbeAndLockPages', m, 1, 0));
    assert.equal(e.status, STATUS.WORKING_SET_QUOTA);
    assert.equal(d.referenceCount[pfn], 0x7fff, 'the refused lock took no reference');
    assert.equal(d.lockCount[pfn], 0x7ffe);
    assert.equal(mdl(m).process, 0, 'a failed probe leaves Process NULL (step 7)');
  });

  it('each MmUnlockPages of a frame locked thousands of times gives back exactly one reference (§2.5, §3.2)', () => {
    const { k, call, user } = boot({ verifier: false });
    const buf = user(0x1000);
    k.memory.write8(buf, 1);
    const pfn = Math.floor(k.translate(buf) / 0x1000);
    const m = call('IoAllocateMdl', buf, 0x1000, 0, 0, 0);
    for (let i = 0; i < 40000; i++) {
      try {
        call('MmProbeAndLockPages', m, 1, 0);
      } catch {
        break;
      }
    }
    const d = k.mm.pfn;
    assert.equal(d.referenceCount[pfn], 0x7fff);
    for (let i = 0; i < 100; i++) call('MmUnlockPages', m);
    assert.equal(d.referenceCount[pfn], 0x7fff - 100);
    assert.equal(d.lockCount[pfn], 0x7ffe - 100);
  });
});
