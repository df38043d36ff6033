// The snapshot's pool view (allocations and bytes per tag and pool type) and the IRP list are kept
// as allocations come and go; they must equal a count over every allocation record at any point,
// including after a checkpoint restore and after special-pool pages are recycled.
import { strict as assert } from 'node:assert';
import { boot } from './helpers';
import { tagString } from '../../../src/emulator/pool';

type Lab = ReturnType<typeof boot>;

/** The pool view counted the slow way, from the allocation records. */
function countedFromRecords(lab: Lab): { tag: string; poolType: string; allocations: number; bytes: number }[] {
  const totals = new Map<string, { tag: string; poolType: string; allocations: number; bytes: number }>();
  for (const a of lab.k.pool.st.allocations.values()) {
    if (a.freed) continue;
    const key = `${a.tag >>> 0}:${a.kind}`;
    const t = totals.get(key) ?? { tag: tagString(a.tag), poolType: a.kind, allocations: 0, bytes: 0 };
    t.allocations++;
    t.bytes += a.size;
    totals.set(key, t);
  }
  return [...totals.values()].sort((x, y) => (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : x.poolType < y.poolType ? -1 : 1));
}

const TAG_A = 0x41414141; // 'AAAA'
const TAG_B = 0x42424242; // 'BBBB'

describe('Pool view by tag (snapshot pool totals, §4.1 pool allocations)', () => {
  it('follows allocations and frees of both pool types, a size at a time', () => {
    const lab = boot();
    const { call, k } = lab;
    const blocks: number[] = [];
    for (let i = 0; i < 40; i++) blocks.push(call('ExAllocatePoolWithTag', i % 3 === 0 ? 1 : 0, 24 + 40 * i, i % 2 ? TAG_A : TAG_B));
    assert.deepEqual(k.pool.tagTotals(), countedFromRecords(lab));
    for (let i = 0; i < 40; i += 3) call('ExFreePoolWithTag', blocks[i], i % 2 ? TAG_A : TAG_B);
    const after = k.pool.tagTotals();
    assert.deepEqual(after, countedFromRecords(lab));
    const a = after.find((t) => t.tag === 'AAAA' && t.poolType === 'NonPaged')!;
    assert.ok(a.allocations > 0 && a.bytes > 0);
    for (let i = 0; i < 40; i++) if (i % 3 !== 0) call('ExFreePoolWithTag', blocks[i], i % 2 ? TAG_A : TAG_B);
    assert.equal(k.pool.tagTotals().some((t) => t.tag === 'AAAA' || t.tag === 'BBBB'), false, 'tags with nothing live are not shown');
  });

  it('hands out the same view while nothing changed and a new one after a change (snapshots are read-only)', () => {
    const lab = boot();
    const { call, k } = lab;
    call('ExAllocatePoolWithTag', 0, 64, TAG_A);
    const first = k.pool.tagTotals();
    assert.equal(k.pool.tagTotals(), first);
    const kept = JSON.stringify(first);
    call('ExAllocatePoolWithTag', 0, 64, TAG_A);
    const second = k.pool.tagTotals();
    assert.notEqual(second, first);
    assert.equal(JSON.stringify(first), kept, 'the earlier view is not changed in place');
    assert.equal(second.find((t) => t.tag === 'AAAA')!.allocations, first.find((t) => t.tag === 'AAAA')!.allocations + 1);
  });

  it('is rebuilt by a checkpoint restore', () => {
    const lab = boot();
    const { call, k } = lab;
    const x = call('ExAllocatePoolWithTag', 0, 100, TAG_A);
    const saved = k.checkpoint();
    call('ExFreePoolWithTag', x, TAG_A);
    call('ExAllocatePoolWithTag', 1, 300, TAG_B);
    assert.deepEqual(k.pool.tagTotals(), countedFromRecords(lab));
    k.restore(saved);
    assert.deepEqual(k.pool.tagTotals(), countedFromRecords(lab));
    assert.equal(k.pool.tagTotals().find((t) => t.tag === 'AAAA')!.allocations, 1);
    assert.equal(k.pool.tagTotals().some((t) => t.tag === 'BBBB'), false);
    call('ExFreePoolWithTag', x, TAG_A); // the restored allocation is live and frees cleanly
    assert.equal(k.pool.tagTotals().some((t) => t.tag === 'AAAA'), false);
  });

  it('stays right when verifier special pool recycles its quarantined pages', () => {
    const lab = boot();
    const { call, k } = lab;
    // past the quarantine (1,024 freed pages), each allocation takes back the oldest freed page
    for (let i = 0; i < 1100; i++) call('ExFreePoolWithTag', call('ExAllocatePoolWithTag', 0, 32, TAG_A), TAG_A);
    const live = [call('ExAllocatePoolWithTag', 0, 32, TAG_A), call('ExAllocatePoolWithTag', 0, 48, TAG_B)];
    assert.deepEqual(k.pool.tagTotals(), countedFromRecords(lab));
    assert.equal(k.pool.tagTotals().find((t) => t.tag === 'AAAA')!.allocations, 1);
    assert.deepEqual([...k.pool.liveWithTag(TAG_B, 'NonPaged')].map((a) => a.va), [live[1]]);
  });
});
