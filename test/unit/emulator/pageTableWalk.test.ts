// The page-table walk behind the address space view: PTE states of a process's pages over a VA
// range before and after trimming, with the frames MDLs lock (reference 3.1, 3.3).
import { strict as assert } from 'node:assert';
import { boot, type Lab } from './helpers';
import { walkPageTables, walkSourceOf, type MdlRange, type PageTableRow } from '../../../src/emulator/pageTableWalk';
import { vpnOf } from '../../../src/emulator/pageTables';

const signed = (hex: string) => Number(BigInt.asIntN(64, BigInt(hex)));
const hex = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

function mdlRanges(lab: Lab): MdlRange[] {
  return lab.k.snapshot().mdls.map((m) => ({ address: m.address, startVa: signed(m.startVa), byteOffset: m.byteOffset, byteCount: m.byteCount, process: signed(m.process) }));
}

function walk(lab: Lab, start: number, length: number, maxRows?: number) {
  return walkPageTables(walkSourceOf(lab.k, lab.proc, mdlRanges(lab)), { start, length, maxRows });
}

function rowAt(rows: PageTableRow[], va: number): PageTableRow {
  const vpn = vpnOf(va);
  const r = rows.find((x) => vpnOf(signed(x.va)) <= vpn && vpn < vpnOf(signed(x.va)) + x.pages);
  assert.ok(r, `a row covers ${hex(va)}`);
  return r;
}

describe('Page-table walk over a VA range (the address space view)', () => {
  it('tells valid, dirty, demand-zero and uncommitted pages apart, and names the MDL that locks a page (§3.1)', () => {
    const lab = boot();
    const { k, call, user } = lab;
    const buf = user(0x5000);
    k.memory.read8(buf); // read: valid, accessed, clean
    k.memory.write8(buf + 0x1000, 7); // written: dirty
    const m = call('IoAllocateMdl', buf + 0x2000, 0x2000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 1);
    const w = walk(lab, buf - 0x2000, 0x9000);
    assert.equal(rowAt(w.rows, buf - 0x2000).state, 'no-pte', 'below the allocation nothing is committed');
    const p0 = rowAt(w.rows, buf);
    assert.equal(p0.state, 'valid');
    assert.equal(p0.user, true);
    assert.equal(p0.dirty, false);
    assert.equal(p0.pfn, Math.floor(k.translate(buf) / 0x1000));
    assert.equal(rowAt(w.rows, buf + 0x1000).dirty, true);
    const locked = rowAt(w.rows, buf + 0x2000);
    assert.equal(locked.state, 'valid');
    assert.equal(locked.lockCount, 1);
    assert.equal(locked.locked, true);
    assert.deepEqual(locked.mdls, [hex(m)]);
    assert.deepEqual(rowAt(w.rows, buf + 0x3000).mdls, [hex(m)]);
    const dz = rowAt(w.rows, buf + 0x4000);
    assert.equal(dz.state, 'demand-zero');
    assert.match(dz.protection, /ReadWrite/);
    assert.equal(dz.pfn, null);
    assert.equal(w.lockedPages, 2);
    assert.equal(w.describedPages, 2);
    assert.equal(w.pagesWalked, 9);
    assert.equal(w.truncated, false);
    assert.equal(w.process, 'app.exe');
  });

  it('after trimming, the locked page is a transition PTE still naming its locked frame and the unlocked one is paged out (§3.3)', () => {
    const lab = boot();
    const { k, call, user, proc } = lab;
    const buf = user(0x2000);
    k.memory.write32(buf, 0x1111);
    k.memory.write32(buf + 0x1000, 0x2222);
    const m = call('IoAllocateMdl', buf + 0x1000, 0x1000, 0, 0, 0);
    call('MmProbeAndLockPages', m, 1, 0);
    const lockedFrame = lab.mdl(m).pfn(0);
    call('LabTrimWorkingSet', proc);
    const w = walk(lab, buf, 0x2000);
    const out = rowAt(w.rows, buf);
    assert.equal(out.state, 'paged-out');
    assert.ok(out.pageFileSlot !== null && out.pageFileSlot >= 0, 'names its page-file slot');
    assert.equal(out.locked, false);
    const tr = rowAt(w.rows, buf + 0x1000);
    assert.equal(tr.state, 'transition');
    assert.equal(tr.pfn, lockedFrame, 'the transition PTE still names the locked frame');
    assert.equal(tr.frameState, 'Transition');
    assert.equal(tr.locked, true);
    assert.deepEqual(w.counts['paged-out'], 1);
    assert.deepEqual(w.counts.transition, 1);
  });

  it('walks the whole user half in a few rows: missing tables are skipped as one run of uncommitted pages', () => {
    const lab = boot();
    const buf = lab.user(0x1000);
    lab.k.memory.read8(buf);
    const w = walk(lab, 0, 2 ** 47);
    assert.equal(w.pagesWalked, 2 ** 35);
    assert.equal(w.truncated, false);
    assert.ok(w.rows.length < 10, `${w.rows.length} rows`);
    assert.equal(w.rows.reduce((n, r) => n + r.pages, 0), 2 ** 35, 'rows cover every page once');
    assert.equal(w.counts.valid, 1);
    assert.equal(w.tables.length, 1, 'one page table holds the page');
  });

  it('stops at maxRows and says where to continue', () => {
    const lab = boot();
    const buf = lab.user(0x4000);
    for (let i = 0; i < 4; i++) lab.k.memory.read8(buf + i * 0x1000);
    const w = walk(lab, buf, 0x4000, 2);
    assert.equal(w.rows.length, 2);
    assert.equal(w.truncated, true);
    assert.equal(w.nextVa, hex(buf + 0x2000));
    const rest = walk(lab, signed(w.nextVa!), 0x2000);
    assert.deepEqual(rest.rows.map((r) => r.va), [hex(buf + 0x2000), hex(buf + 0x3000)]);
  });

  it('walks system space for kernel addresses: nonpaged pool is a valid kernel PTE', () => {
    const lab = boot();
    const pool = lab.call('ExAllocatePool2', 0x40, 0x1000, 0x74736554);
    const w = walk(lab, pool, 0x1000);
    assert.equal(w.process, null);
    assert.equal(w.rows[0].state, 'valid');
    assert.equal(w.rows[0].user, false);
  });

  it('refuses ranges that leave their half of the address space, non-canonical starts and empty lengths', () => {
    const lab = boot();
    assert.throws(() => walk(lab, 2 ** 47 - 0x1000, 0x2000), /leaves user space/);
    assert.throws(() => walk(lab, 2 ** 48, 0x1000), /not canonical/);
    assert.throws(() => walk(lab, 0x10000, 0), /positive/);
    assert.throws(() => walk(lab, 0x10000, 0x1000, 0), /maxRows/);
  });
});
