// C calls made by the generated code (arguments computed inline, callees run nested in their
// callers' JavaScript frames) against the closure form: same values, statement clock, stops,
// call stacks, hooks and the stack-overflow bug check.
import assert from 'node:assert/strict';
import type { CMachine } from '../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../src/lang/contract';
import { generatedMachine, runToEnd, sameAsClosureForm } from './helpers/generatedMachine';

const machine = generatedMachine;
const finish = (m: CMachine, slice = 1_000_000, stop?: (m: CMachine) => boolean): RunOutcome => runToEnd(m, slice, stop as StopCheck | undefined);

const CALLS = `
ULONG table[32];
ULONG leaf(ULONG a, ULONG b) { return (a ^ b) % 65521 * 31 + 7; }
ULONG deep(ULONG n, ULONG acc) { if (n == 0) return acc; return deep(n - 1, leaf(acc, table[n & 31])) + 1; }
LONG odd(LONG n);
LONG even(LONG n) { return n == 0 ? 1 : odd(n - 1); }
LONG odd(LONG n) { return n == 0 ? 0 : even(n - 1); }
VOID LabMain(VOID) {
  ULONG *p = table; ULONG acc = 0; ULONG i;
  for (i = 0; i < 32; i++) p[i] = i * 2654435761u;
  for (i = 0; i < 300; i++) {
    p[i & 31] += i;
    acc = leaf(acc, p[(i * 7) & 31]);
    acc += leaf(i++, acc);
  }
  DbgPrint("%u %u %d %d\\n", acc, deep(150, 3), even(121), odd(121));
}`;

describe('C calls in the generated code', () => {
  it('recursion deeper than the nesting the generated code allows gives the closure form\'s values and statement clock', () => {
    assert.equal(sameAsClosureForm(CALLS, [1_000_000]).outcome.kind, 'exited');
  });

  it('the stop check is asked at every statement of every callee, with the same call stack as the closure form, and resuming goes on from there', () => {
    const seen = (generated: boolean): string[] => {
      const { m, out } = machine(CALLS, generated);
      const trace: string[] = [];
      let n = 0;
      // stop at every 7th statement asked about: the stop lands inside nested callees too
      const o = finish(m, 1_000_000, (mm) => {
        trace.push(`${mm.location()?.line}:${mm.depth()}`);
        return ++n % 7 === 0;
      });
      trace.push(o.kind, ...out, String(m.steps));
      return trace;
    };
    const a = seen(true), b = seen(false);
    assert.ok(a.length > 1000);
    assert.deepEqual(a, b);
  });

  it('a call hook that stops before a call does not compute its arguments twice: f(i++) resumed still increments once', () => {
    const run = (generated: boolean, hook: boolean): { o: RunOutcome; out: string[]; stops: number } => {
      const { m, out } = machine(CALLS, generated);
      let stops = 0;
      if (hook) m.onCall = (name) => { if (name === 'leaf') { stops++; return true; } return false; };
      const o = finish(m);
      return { o, out, stops };
    };
    const plain = run(true, false), hooked = run(true, true), closures = run(false, true);
    assert.ok(hooked.stops > 400);
    assert.equal(hooked.stops, closures.stops);
    assert.deepEqual(hooked.out, plain.out);
    assert.deepEqual(hooked.o, plain.o);
  });

  it('results returned by nested callees land where the closure form puts them: memory, globals, struct copies, and returns through __finally', () => {
    const src = `
typedef struct _PAIR { ULONG a; ULONG b; } PAIR;
ULONG g; ULONG cells[8]; LONG order[16]; LONG n;
PAIR pair(ULONG x) { PAIR p; p.a = x * 3; p.b = x ^ 0xffffffffu; return p; }
ULONG sq(ULONG x) { return x * x; }
LONG guarded(LONG x) { __try { if (x & 1) return x * 10; order[n++ & 15] = x; } __finally { order[n++ & 15] = -x; } return x + 1; }
VOID LabMain(VOID) {
  ULONG i; PAIR q; LONG sum = 0;
  for (i = 0; i < 40; i++) { cells[i & 7] = sq(i) + cells[(i + 1) & 7]; g += sq(cells[i & 7] & 0xff); q = pair(i); g ^= q.a + q.b; sum += guarded((LONG)i); }
  DbgPrint("%u %u %u %d %d %d %d\\n", g, cells[3], q.b, sum, n, order[2], order[7]);
}`;
    assert.equal(sameAsClosureForm(src, [97]).outcome.kind, 'exited');
  });

  it('unbounded recursion is bug check 0x7F (kernel stack overflow) in both forms, not a host stack overflow', () => {
    const src = `ULONG down(ULONG n) { return down(n + 1) + 1; }\nVOID LabMain(VOID) { DbgPrint("%u\\n", down(0)); }`;
    const a = machine(src, true), b = machine(src, false);
    const oa = finish(a.m), ob = finish(b.m);
    assert.equal(oa.kind, 'bugcheck');
    assert.equal(oa.kind === 'bugcheck' && oa.bugcheck.code, 0x7f);
    assert.equal(a.m.steps, b.m.steps);
    assert.equal(a.m.depth(), b.m.depth());
  });
});
