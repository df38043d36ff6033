// The MM snapshot contract, checkpoint/restore for time travel, and determinism.
import { strict as assert } from 'node:assert';
import { boot } from './helpers';
import { MDL_FLAGS, mdlFlagNames, hex64 } from '../../../src/emulator/index';
import { fastHex } from '../../../src/emulator/snapshot';

function scenario(lab: ReturnType<typeof boot>) {
  const { k, call, user } = lab;
  const buf = user(0x3000);
  k.memory.write32(buf + 0x1000, 0x5151);
  const m = call('IoAllocateMdl', buf + 0x10, 0x2000, 0, 0, 0);
  call('MmProbeAndLockPages', m, 1, 0);
  const sva = call('MmGetSystemAddressForMdlSafe', m, 16);
  return { buf, m, sva };
}

describe('Snapshot, checkpoints and determinism', () => {
  it('the MDL flag table lists every bit in value order with an explanation', () => {
    assert.equal(MDL_FLAGS.length, 16);
    MDL_FLAGS.forEach((f, i) => {
      assert.equal(f.value, 1 << i);
      assert.ok(f.explanation.length > 10);
    });
    assert.deepEqual(mdlFlagNames(0xb), ['MDL_MAPPED_TO_SYSTEM_VA', 'MDL_PAGES_LOCKED', 'MDL_ALLOCATED_FIXED_SIZE']);
  });

  it('the snapshot shows the locked MDL, its frames with counts and mappers, and the process', () => {
    const lab = boot();
    const { m, sva } = scenario(lab);
    const s = lab.k.snapshot();
    assert.equal(s.process, 'app.exe');
    assert.equal(s.irqlName, 'PASSIVE_LEVEL');
    const v = s.mdls.find((x) => x.address === '0x' + BigInt.asUintN(64, BigInt(m)).toString(16))!;
    assert.deepEqual(v.flagNames, ['MDL_MAPPED_TO_SYSTEM_VA', 'MDL_PAGES_LOCKED', 'MDL_ALLOCATED_FIXED_SIZE']);
    assert.equal(v.processName, 'app.exe');
    assert.equal(v.pageCount, 3);
    assert.equal(v.mappedSystemVa, '0x' + BigInt.asUintN(64, BigInt(sva)).toString(16));
    assert.deepEqual(v.slotMatchesPageTables, [true, true, true]);
    const f = s.frames.find((x) => x.pfn === v.pfns[1])!;
    assert.equal(f.state, 'Active');
    assert.equal(f.referenceCount, 2);
    assert.equal(f.lockCount, 1);
    assert.deepEqual(f.mappedBy.map((x) => x.kind).sort(), ['system', 'user']);
    assert.ok(s.frames.some((x) => x.dummy && x.pfn === s.dummyPfn));
    assert.equal(s.systemPtes.used, 3);
    assert.equal(s.processes.find((p) => p.name === 'app.exe')!.lockedPages, 3);
    assert.ok(s.pool.some((p) => p.tag === 'Mdl ' && p.poolType === 'NonPaged'));
    assert.ok(s.events.some((e) => e.kind === 'lock'));
    assert.equal(JSON.parse(JSON.stringify(s)).mdls.length, s.mdls.length, 'plain JSON');
  });

  it('events carry the C location the interpreter reports', () => {
    const lab = boot();
    lab.k.setLocationProvider(() => ({ file: 'scenario.c', line: 42, function: 'LabMain' }));
    scenario(lab);
    const ev = lab.k.snapshot().events.find((e) => e.kind === 'lock')!;
    assert.deepEqual(ev.location, { file: 'scenario.c', line: 42, function: 'LabMain' });
  });

  it('restoring a checkpoint brings back memory, PFN counts, flags and the snapshot exactly', () => {
    const lab = boot();
    const { k, call } = lab;
    const { buf, m } = scenario(lab);
    const before = JSON.stringify(k.snapshot());
    const cp = k.checkpoint();
    k.memory.write32(buf + 0x1000, 0x9999);
    call('MmUnlockPages', m);
    call('IoFreeMdl', m);
    call('LabTrimWorkingSet', lab.proc);
    assert.notEqual(JSON.stringify(k.snapshot()), before);
    k.restore(cp);
    assert.equal(JSON.stringify(k.snapshot()), before);
    assert.equal(k.memory.read32(buf + 0x1000), 0x5151);
    call('MmUnlockPages', m);
    k.restore(cp);
    assert.equal(k.memory.read32(buf + 0x1000), 0x5151, 'a checkpoint can be restored twice');
    assert.equal(lab.mdl(m).flags, 0xb);
  });

  it('writes after a checkpoint do not leak into it (copy-on-write frames)', () => {
    const lab = boot();
    const { k } = lab;
    const buf = lab.user(0x1000);
    k.memory.write8(buf, 1);
    const cp = k.checkpoint();
    k.memory.write8(buf, 2);
    const cp2 = k.checkpoint();
    k.memory.write8(buf, 3);
    k.restore(cp);
    assert.equal(k.memory.read8(buf), 1);
    k.restore(cp2);
    assert.equal(k.memory.read8(buf), 2);
  });

  it('two runs of the same calls produce identical snapshots (determinism)', () => {
    const run = () => {
      const lab = boot();
      scenario(lab);
      lab.call('LabTrimWorkingSet', lab.proc);
      return JSON.stringify(lab.k.snapshot());
    };
    assert.equal(run(), run());
  });

  it('peek reads without faulting and returns null where nothing is resident', () => {
    const lab = boot();
    const buf = lab.user(0x2000);
    assert.equal(lab.k.peek(buf, 4), null);
    lab.k.memory.write32(buf, 0x04030201);
    assert.deepEqual([...lab.k.peek(buf, 4)!], [1, 2, 3, 4]);
    assert.equal(lab.k.peek(buf + 0xffe, 4), null, 'the second page is still demand zero');
  });

  it('LabExpect reports passes and failures with the C line and counts failures', () => {
    const lab = boot();
    lab.k.setLocationProvider(() => ({ file: 's.c', line: 7, function: 'LabMain' }));
    lab.call('LabExpect', 1, lab.str('good'));
    lab.call('LabExpect', 0, lab.str('bad'));
    assert.equal(lab.k.expectFailures, 1);
    assert.deepEqual(lab.lines.filter((l) => l.kind.startsWith('expect')).map((l) => l.text), ['EXPECT PASSED s.c:7: good', 'EXPECT FAILED s.c:7: bad']);
  });

  it('every routine documents its prototype, IRQL rule and summary', () => {
    const { k } = boot();
    for (const name of k.routineNames()) {
      const r = k.routine(name)!;
      assert.ok(r.prototype.includes(name + '('), `${name} prototype`);
      assert.ok(r.irql && r.summary && r.details, name);
      if (r.docUrl) assert.match(r.docUrl, /^https:\/\/learn\.microsoft\.com\//, name);
    }
    const wdk = ['IoAllocateMdl', 'IoFreeMdl', 'MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmUnlockPages', 'MmBuildMdlForNonPagedPool',
      'MmMapLockedPagesSpecifyCache', 'MmGetSystemAddressForMdlSafe', 'MmUnmapLockedPages', 'IoBuildPartialMdl', 'MmAllocatePagesForMdlEx',
      'MmFreePagesFromMdl', 'ExAllocatePoolWithTag', 'ExAllocatePool2', 'ExFreePoolWithTag', 'KeRaiseIrql', 'KeLowerIrql', 'KeStackAttachProcess',
      'ProbeForRead', 'ProbeForWrite', 'MmIsAddressValid', 'MmGetPhysicalAddress', 'ExRaiseStatus', 'DbgPrint', 'RtlCopyMemory', 'memcpy'];
    for (const name of wdk) assert.ok(k.routine(name)?.docUrl, `${name} links to its documentation`);
  });

  it('a bad physicalMemory option is a clear error', () => {
    assert.throws(() => boot({ physicalMemory: 128 * 2 ** 30 }), /between 4 MiB and 64 GiB/);
  });
});

describe('Snapshot hex formatting', () => {
  it('fastHex matches the contract\'s hex64 for user, kernel and edge values', () => {
    for (const v of [0, 1, 0x3fffffff, 0x40000000, 0xffffffff, 0x100000000, 0x1e000000010, 2 ** 53 - 1, -1, -0x200000000000, -0x500000000000 + 0x1010, -(2 ** 53)]) {
      assert.equal(fastHex(v), hex64(v), String(v));
    }
  });
});

describe('Debugger queries', () => {
  it('pteInfo describes valid, demand-zero and paged-out PTEs and processList marks the current process', () => {
    const { k, call, user, proc } = boot();
    const buf = user(0x2000);
    assert.match(k.pteInfo(buf).description, /demand zero/);
    k.memory.write8(buf, 1);
    assert.match(k.pteInfo(buf).description, /^valid pfn/);
    call('LabTrimWorkingSet', proc);
    assert.match(k.pteInfo(buf, proc).description, /paged out/);
    assert.equal(k.pteInfo(0x5000).description, 'not committed');
    const list = k.processList();
    assert.equal(list[0].name, 'System');
    assert.ok(list.find((p) => p.eprocess === proc)!.current);
  });
});
