// Guest loads and stores the generated code serves inline from the memory's hot page (aligned 32-
// and 64-bit accesses on the last page read or written) against the closure form, which always goes through the
// memory manager: same values for every alignment, page-crossing accesses, 64-bit patterns beyond
// the safe integers, kernel pointers, and the same virtual address in two processes.
import assert from 'node:assert/strict';
import type { RunOutcome } from '../../../src/lang/contract';
import { generatedMachine as machine } from './helpers/generatedMachine';
import { generatedCodeCache, limitGeneratedCodeCache } from '../../../src/lang/jsgen';

const SRC = `
UCHAR buf[0x3000];
VOID LabMain(VOID) {
  PUCHAR page = (PUCHAR)(((ULONG_PTR)buf + 0xfff) & ~(ULONG_PTR)0xfff);
  ULONG i; ULONG sum = 0; ULONG64 q = 0; PVOID self = &q;
  PEPROCESS a, b; PULONG ua, ub;
  for (i = 0; i < 16; i++) *(PULONG)(page + 0xff8 + i) = 0x01020304u * (i + 1);
  for (i = 0; i < 16; i++) sum += *(PULONG)(page + 0xff8 + i) ^ i;
  for (i = 0; i < 12; i++) { *(PULONG64)(page + 0xff0 + i * 2) = 0xfedcba9876543210ull + i; q += *(PULONG64)(page + 0xff0 + i * 2); }
  *(PVOID*)(page + 8) = self;
  *(PLONG)(page + 16) = -5;
  *(PLONG64)(page + 24) = -6;
  DbgPrint("%x %I64x %d %d %I64d\\n", sum, q, *(PVOID*)(page + 8) == self, *(PLONG)(page + 16), *(PLONG64)(page + 24));
  a = LabCreateProcess("a.exe"); b = LabCreateProcess("b.exe");
  LabEnterProcess(a); ua = (PULONG)LabUserAlloc(a, 0x1000, PAGE_READWRITE); ua[1] = 0xaaaa;
  LabEnterProcess(b); ub = (PULONG)LabUserAlloc(b, 0x1000, PAGE_READWRITE); ub[1] = 0xbbbb;
  LabEnterProcess(a); sum = ua[1];
  LabEnterProcess(b); DbgPrint("%d %x %x\\n", ua == ub, sum, ub[1]);
}`;

describe('guest accesses inlined from the hot page', () => {
  it('read and write what the memory manager reads and writes, for every alignment, across pages, and per process', () => {
    const a = machine(SRC, true), b = machine(SRC, false);
    let oa: RunOutcome, ob: RunOutcome;
    do oa = a.m.run(1_000_000); while (oa.kind === 'budget');
    do ob = b.m.run(1_000_000); while (ob.kind === 'budget');
    assert.equal(oa.kind, 'exited');
    assert.deepEqual(oa, ob);
    assert.deepEqual(a.out, b.out);
    const [first, second] = a.out.map((l) => l.trim());
    assert.match(first, / 1 -5 -6$/);
    // same user address in both processes, each with its own value
    assert.equal(second, '1 aaaa bbbb');
    assert.equal(typeof a.k.memory.hotReadBase, 'number', 'this host has the inline hot page');
  });

  it('two machines of one program on two kernels, run in turns, each use their own kernel\'s memory (their generated code shares one factory)', () => {
    const src = `ULONG counter[4];
VOID LabMain(VOID) { ULONG i; for (i = 0; i < 5000; i++) { counter[i & 3] += i; } DbgPrint("%u %u\\n", counter[0], counter[3]); }`;
    const a = machine(src, true), b = machine(src, true), alone = machine(src, true);
    let oa: RunOutcome, ob: RunOutcome, o: RunOutcome;
    do { oa = a.m.run(700); ob = b.m.run(300); } while (oa.kind === 'budget' || ob.kind === 'budget');
    do o = alone.m.run(1_000_000); while (o.kind === 'budget');
    assert.equal(alone.out[0].trim(), '3122500 3126250');
    assert.deepEqual(a.out, alone.out);
    assert.deepEqual(b.out, alone.out);
  });
});


describe('the cache of generated code', () => {
  const src = (n: number) => `ULONG cells[8];\nULONG f${n}(ULONG a) { ULONG i, s = a; for (i = 0; i < 3; i++) s += cells[i & 7] * ${n}; return s; }\nVOID LabMain(VOID) { DbgPrint("%u\\n", f${n}(${n})); }`;

  it('gives a program linked again the factories of its first link, and keeps its text within the bound, dropping the least recently used', () => {
    const first = machine(src(1), true);
    const once = generatedCodeCache();
    const again = machine(src(1), true);
    assert.equal(generatedCodeCache().entries, once.entries, 'nothing new for the same program');
    for (const x of [first, again]) { let o: RunOutcome; do o = x.m.run(1000); while (o.kind === 'budget'); assert.equal(x.out[0].trim(), '1'); }
    const previous = limitGeneratedCodeCache(once.text + 1);
    try {
      const distinct = [2, 3, 4, 5].map((n) => machine(src(n), true));
      const now = generatedCodeCache();
      assert.ok(now.text <= once.text + 1 || now.entries === 1, `${now.text} characters kept`);
      // every program still runs: a factory dropped from the cache only costs a new compile
      distinct.forEach((x, i) => { let o: RunOutcome; do o = x.m.run(1000); while (o.kind === 'budget'); assert.equal(x.out[0].trim(), String(i + 2)); });
    } finally {
      limitGeneratedCodeCache(previous);
    }
  });
});
