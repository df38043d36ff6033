// IoBuildPartialMdl (reference 2.10, 5.2, 6.10) and the DMA device working on physical frames.
import { strict as assert } from 'node:assert';
import { boot, bugcheckOf } from './helpers';

function source(options = {}) {
  const lab = boot(options);
  const buf = lab.user(0x4000);
  for (let i = 0; i < 4; i++) lab.k.memory.write32(buf + i * 0x1000, 0xa0 + i);
  const src = lab.call('IoAllocateMdl', buf, 0x4000, 0, 0, 0);
  lab.call('MmProbeAndLockPages', src, 1, 1);
  const target = lab.call('IoAllocateMdl', 0, 0x2000, 0, 0, 0);
  return { ...lab, buf, src, target };
}

describe('Partial MDLs and device DMA', () => {
  it('IoBuildPartialMdl with MmGetMdlVirtualAddress(Source) + delta copies the right PFNs and flags (§2.10)', () => {
    const { call, mdl, src, target, proc } = source();
    const va = call('MmGetMdlVirtualAddress', src) + 0x1800;
    call('IoBuildPartialMdl', src, target, va, 0x1000);
    const t = mdl(target);
    assert.equal(t.flags, 0x8 | 0x10, 'FIXED_SIZE kept, PARTIAL set, PAGES_LOCKED not copied');
    assert.equal(t.byteOffset, 0x800);
    assert.equal(t.byteCount, 0x1000);
    assert.equal(t.process, proc);
    assert.equal(t.pfn(0), mdl(src).pfn(1));
    assert.equal(t.pfn(1), mdl(src).pfn(2));
    const view = call('MmGetSystemAddressForMdlSafe', target, 16);
    assert.equal(mdl(target).flags & 0x20, 0x20, 'MDL_PARTIAL_HAS_BEEN_MAPPED');
    assert.equal(call('MmGetMdlByteCount', target), 0x1000);
    assert.equal(call('memcmp', view - 0x800, view - 0x800, 4), 0);
  });

  it('a partial MDL of a mapped source inherits MAPPED_TO_SYSTEM_VA and a slice of its mapping (§2.10)', () => {
    const { k, call, mdl, src, target } = source();
    const sva = call('MmGetSystemAddressForMdlSafe', src, 16);
    call('IoBuildPartialMdl', src, target, call('MmGetMdlVirtualAddress', src) + 0x2000, 0x1000);
    assert.equal(mdl(target).flags & 0x1, 0x1);
    const pva = call('MmGetSystemAddressForMdlSafe', target, 16);
    assert.equal(pva, sva + 0x2000);
    assert.equal(k.memory.read32(pva), 0xa2);
  });

  it('passing the system address to IoBuildPartialMdl computes a wrong offset and ends in a bug check (§5.2 pitfall)', () => {
    const { call, src, target, lines } = source();
    const sva = call('MmGetSystemAddressForMdlSafe', src, 16);
    const b = bugcheckOf(() => call('IoBuildPartialMdl', src, target, sva + 0x1000, 0x1000));
    assert.equal(b.code, 0x50, 'PFNs are read from far outside the source MDL');
    assert.ok(lines.some((l) => l.kind === 'verifier' && l.text.includes('MmGetMdlVirtualAddress')));
  });

  it('a partial MDL outliving its unlocked parent cannot be mapped: verifier bug check 0xC4, 0x85 (§6.10)', () => {
    const { call, mdl, src, target } = source();
    call('IoBuildPartialMdl', src, target, call('MmGetMdlVirtualAddress', src), 0x1000);
    call('MmUnlockPages', src);
    const b = bugcheckOf(() => call('MmGetSystemAddressForMdlSafe', target, 16));
    assert.deepEqual(b.params, [0x85, target, 1, mdl(target).pfn(0)]);
  });

  it('MmUnlockPages on a partial MDL is verifier bug check 0xC4, 0xB4 (§2.5)', () => {
    const { call, src, target } = source();
    call('IoBuildPartialMdl', src, target, call('MmGetMdlVirtualAddress', src), 0x1000);
    assert.deepEqual(bugcheckOf(() => call('MmUnlockPages', target)).params, [0xb4, target, 0x18, 0x10]);
  });

  it('IoFreeMdl and MmPrepareMdlForReuse release a partial MDL\'s own mapping (§2.2, §2.11)', () => {
    const { k, call, src, target } = source();
    call('IoBuildPartialMdl', src, target, call('MmGetMdlVirtualAddress', src), 0x1000);
    call('MmGetSystemAddressForMdlSafe', target, 16);
    assert.equal(k.ptes.used, 1);
    call('MmPrepareMdlForReuse', target);
    assert.equal(k.ptes.used, 0);
    call('MmGetSystemAddressForMdlSafe', target, 16);
    call('IoFreeMdl', target);
    assert.equal(k.ptes.used, 0);
  });

  it('LabDeviceWrite lands in the locked frames and shows through the user VA', () => {
    const { k, call, buf, src, str } = source();
    const data = str('DMA!');
    call('LabDeviceWrite', src, 0x1000, data, 4);
    assert.equal(k.memory.read32(buf + 0x1000), 0x21414d44);
  });

  it('a device writing through a stale MDL corrupts whatever frame holds that PFN now, silently without Verifier', () => {
    const { k, call, user, proc, str, lines } = boot({ verifier: false });
    const a = user(0x1000);
    k.memory.write32(a, 0x11111111);
    const m = call('IoAllocateMdl', a, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    const frame = Number(k.memory.read64(m + 0x30));
    call('MmUnlockPages', m); // the driver keeps using the MDL after unlocking it
    call('LabTrimWorkingSet', proc); // memory pressure: the frame is repurposed for the file cache
    call('LabDeviceWrite', m, 0, str('XXXX'), 4);
    assert.equal(k.memory.read32(a), 0x11111111, 'the buffer did not get the data: it was repaged elsewhere');
    assert.notEqual(Math.floor(k.translate(a) / 0x1000), frame);
    assert.equal(String.fromCharCode(...k.readPhysical(frame, 0, 4)), 'XXXX', 'the cache page was overwritten');
    assert.equal(k.snapshot().pageLists.Standby >= 1, true);
    assert.ok(k.snapshot().events.some((e) => e.kind === 'dma' && e.text.includes('the file cache')));
    assert.equal(lines.filter((l) => l.kind === 'verifier').length, 0);
  });

  it('LabDeviceRead copies from the frames into a buffer', () => {
    const { k, call, src } = source();
    const out = call('ExAllocatePoolWithTag', 0, 16, 0x74736554);
    call('LabDeviceRead', src, 0x3000, out, 4);
    assert.equal(k.memory.read32(out), 0xa3);
  });
});
