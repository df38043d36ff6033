// Loops the generated code runs as JavaScript loops (loopForm.ts) against the closure form: every
// loop shape C has, with break, continue, early returns, calls of every kind, and the shapes that
// cannot be structured (a switch or __try inside, a goto into the body) beside them. Same output,
// statement clock, stops and call stacks, for any slice size and with a stop at every few statements.
import assert from 'node:assert/strict';
import type { CMachine } from '../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../src/lang/contract';
import { findLoops } from '../../../src/lang/loopForm';
import { runs } from '../../../src/lang/fastRun';
import { generatedMachine as machine, runToEnd, sameAsClosureForm } from './helpers/generatedMachine';
import { PRELUDE } from './helpers/runC';

const SHAPES = `
ULONG cells[32];
ULONG leaf(ULONG a) { return a * 2654435761u >> 7; }
ULONG viaLoop(ULONG n) { ULONG s = 0; while (n) { s += n & 3; n >>= 2; } return s; }
ULONG spin(ULONG n) { do { n = n * 3 + 1; } while (n & 1); return n; }
ULONG firstOver(ULONG limit) { ULONG i; for (i = 0; i < 32; i++) { if (cells[i] > limit) return i; } return 99; }
VOID LabMain(VOID) {
  ULONG i, j, acc = 1, k = 0;
  for (i = 0; i < 40; i++) {
    if (i % 3 == 0) continue;
    for (j = i; j < i + 5; j++) {
      if (j == 37) break;
      cells[j & 31] += leaf(j) ^ acc;
      acc = acc * 31 + viaLoop(cells[j & 31]);
    }
    do { k += 3; acc ^= k; } while (k % 7 != 0);
    while (1) { if (++k % 5 == 0) break; }
  }
  i = 0;
again:
  acc += i;
  if (++i < 10) goto again;
  for (i = 0; i < 20; i++) {
    switch (i & 3) { case 0: acc += 1; break; case 1: acc ^= 5; default: acc += 2; }
  }
  for (i = 0; i < 12; i++) {
    __try { if (i == 7) ExRaiseStatus(STATUS_ACCESS_VIOLATION); acc += i; } __except (EXCEPTION_EXECUTE_HANDLER) { acc += 1000; }
  }
  for (i = 0; i < 6; i++) {
    PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, 0x20 + i, 'pooL');
    acc += p != NULL;
    ExFreePoolWithTag(p, 'pooL');
  }
  i = 0;
  while (i < 8) {
    i++;
    if (i & 1) goto skip;
    acc += i * 100;
skip:
    acc += 1;
  }
  DbgPrint("%u %u %u %u %u\\n", acc, k, firstOver(0x10000000), cells[5], spin(acc | 1));
}`;

const finish = (m: CMachine, slice: number, check?: StopCheck): RunOutcome => runToEnd(m, slice, check);

describe('loops in the generated code', () => {
  it('are found where C has them, and not where a switch, a __try or a jump into the body is', () => {
    const { m } = machine(SHAPES, true);
    const main = m.linked.byName.get('LabMain')!;
    const loops = findLoops(main.code, runs);
    const lines = new Set([...loops.values()].map((L) => main.code[L.h].loc.line));
    const lineOf = (text: string): number => (PRELUDE + SHAPES).split('\n').findIndex((l) => l.includes(text)) + 1;
    for (const structured of ['for (i = 0; i < 40', 'for (j = i', 'do { k += 3', 'while (1)', 'acc += i;', 'for (i = 0; i < 6', 'while (i < 8)']) {
      assert.ok(lines.has(lineOf(structured)), `'${structured}' is a loop the generated code runs as one`);
    }
    for (const notStructured of ['for (i = 0; i < 20', 'for (i = 0; i < 12']) {
      assert.ok(!lines.has(lineOf(notStructured)), `'${notStructured}' has a switch or __try inside: the switch form runs it`);
    }
  });

  it('give the closure form\'s output and statement clock for every slice size', () => {
    assert.equal(sameAsClosureForm(SHAPES, [1, 2, 5, 13, 1000, 1_000_000]).outcome.kind, 'exited');
  });

  it('stop where the closure form stops, with the same call stacks, when a check says yes every few statements', () => {
    const trace = (generated: boolean, every: number): string[] => {
      const { m, out } = machine(SHAPES, generated);
      const seen: string[] = [];
      let n = 0;
      const o = finish(m, 1_000_000, (mm) => {
        if (++n % every !== 0) return false;
        seen.push(`${mm.steps} ${mm.frames().map((f) => `${f.function}:${f.location?.line}`).join('<')}`);
        return true;
      });
      seen.push(o.kind, ...out);
      return seen;
    };
    for (const every of [3, 11]) {
      const a = trace(true, every), b = trace(false, every);
      assert.ok(a.length > 100);
      assert.deepEqual(a, b, `every ${every}`);
    }
  });

  it('count a run of statements at once, yet leave the closure form\'s clock when a fault, a bug check or a jump leaves in the middle of one', () => {
    // walk's loop body is one long run up to its call: statements after the faulting one, and after the break
    const src = `
ULONG sink[8];
ULONG calls;
VOID note(ULONG i) { calls += i; }
ULONG walk(PULONG p, ULONG n, ULONG stride) {
  ULONG i, s = 0;
  for (i = 0; i < n; i++) {
    s += i;
    if (s > 400) break;
    s += p[i * stride];
    s = s * 3 + 1;
    sink[i & 7] = s;
    note(i);
  }
  return s;
}
VOID LabMain(VOID) {
  PEPROCESS proc = LabCreateProcess("app.exe");
  PULONG user;
  ULONG r = 0;
  LabEnterProcess(proc);
  user = (PULONG)LabUserAlloc(proc, 0x1000, PAGE_READWRITE);
  __try { r = walk(user, 100, 1024); } __except (EXCEPTION_EXECUTE_HANDLER) { r = 77; }
  DbgPrint("%u %u\\n", r, sink[0]);
  r = walk(sink, 100, 0);
  DbgPrint("%u %u\\n", r, sink[7]);
  r = walk((PULONG)((PUCHAR)sink + 0x100000), 3, 0);
}`;
    const { ref, outcome, runs } = sameAsClosureForm(src, [1, 3, 4, 7, 1_000_000]);
    assert.equal(outcome.kind, 'bugcheck', 'the last walk reads an address past the image: a bug check');
    assert.equal(ref.out[0].trim(), '77 1', 'walking off the user page raised an access violation inside the loop');
    assert.match(ref.out[1].trim(), /^\d+ \d+$/);
    const stack = (m: CMachine): string[] => m.frames().map((f) => `${f.function}:${f.location?.line}`);
    for (const a of runs) assert.deepEqual(stack(a.m), stack(ref.m), 'the bug check\'s call stack');
  });

  it('stamp memory-manager events raised in the middle of a run with the statement the closure form was at', () => {
    // each iteration repages a trimmed page in the middle of the loop body's run
    const src = `
ULONG note(ULONG v) { return v + 1; }
VOID LabMain(VOID) {
  PEPROCESS proc = LabCreateProcess("app.exe");
  PUCHAR p;
  ULONG i, x = 0;
  LabEnterProcess(proc);
  p = (PUCHAR)LabUserAlloc(proc, 8 * PAGE_SIZE, PAGE_READWRITE);
  for (i = 0; i < 8; i++) p[i * PAGE_SIZE] = (UCHAR)i;
  LabTrimWorkingSet(proc);
  for (i = 0; i < 8; i++) {
    x += i;
    x ^= p[i * PAGE_SIZE];
    x *= 3;
    x = note(x);
  }
  DbgPrint("%u\\n", x);
}`;
    const { ref, runs } = sameAsClosureForm(src, [1, 3, 1_000_000]);
    const repages = (k: typeof ref.k): string[] => k.snapshot().events.filter((e) => e.kind === 'repage').map((e) => `${e.step}@${e.location?.line}`);
    assert.equal(repages(ref.k).length, 8, 'one repage per iteration');
    for (const a of runs) assert.deepEqual(repages(a.k), repages(ref.k));
  });
});

