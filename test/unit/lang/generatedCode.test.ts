// The generated JavaScript form of driver C (jsgen.ts) against the closure form it replaces: same
// values, same statement clock, same stops, same faults, and the debugger sees the same locals.
import assert from 'node:assert/strict';
import type { CMachine } from '../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../src/lang/contract';
import { generatedMachine, runToEnd, sameAsClosureForm } from './helpers/generatedMachine';

const machine = generatedMachine;
const line = (m: CMachine) => (m.location()?.line ?? 0) - 2; // PRELUDE adds two lines


const ARITH = `
ULONG table[64];
LONG64 mix64(LONG64 a, ULONG64 b) { return (a * 31) ^ (LONG64)(b >> 3) ^ (a >> 2); }
LONG smix(LONG a, LONG b) { return a / (b | 1) + a % 7 - (b << 3) + (a >> 1); }
VOID LabMain(VOID) {
  ULONG *p = table; ULONG u = 0xfffffff0; LONG s = -5; ULONG64 big = 0xfffffffffffffff0ULL; LONG64 acc = 1;
  UCHAR c = 250; USHORT w = 65530; CHAR sc = -3; ULONG i; PUCHAR bytes = (PUCHAR)table;
  for (i = 0; i < 200; i++) {
    p[i & 63] += i * 2654435761u;
    u += 0x11; s = smix(s, (LONG)i) ; c += 3; w += 7; sc -= 5;
    big = big + i - (big >> 7); acc = mix64(acc, big) + (i < 100 ? -i : i);
    bytes[(i * 5) & 255] ^= (UCHAR)i;
    if (u < 0x10 || s > 1000 || (LONG)u < 0) u ^= (ULONG)s;
    acc += (LONG64)(table + (i & 7)) - (LONG64)table;
  }
  DbgPrint("%x %d %u %u %d %I64x %I64d %x %x\\n", u, s, c, w, sc, big, acc, table[5], bytes[77]);
}`;

describe('generated code for driver C', () => {
  it('computes what the closure form computes: 32/64-bit signed and unsigned arithmetic, narrow types, pointers and memory', () => {
    assert.equal(sameAsClosureForm(ARITH, [1_000_000]).outcome.kind, 'exited');
  });

  it('runs in slices of any size to the same statement clock and output as one long slice', () => {
    const whole = machine(ARITH, true);
    runToEnd(whole.m);
    for (const slice of [1, 2, 3, 7, 64]) {
      const x = machine(ARITH, true);
      let n = 0;
      let o: RunOutcome;
      do { o = x.m.run(slice); n++; } while (o.kind === 'budget');
      assert.equal(o.kind, 'exited');
      assert.equal(x.m.steps, whole.m.steps, `slices of ${slice}`);
      assert.deepEqual(x.out, whole.out);
      assert.ok(n >= Math.floor(whole.m.steps / slice));
    }
  });

  it('asks the stop check once per statement, at the same lines as the closure form, and stops exactly where it says', () => {
    const src = 'ULONG f(ULONG a) {\nreturn a * 3;\n}\nVOID LabMain(VOID) {\nULONG i, acc = 0;\nfor (i = 0; i < 5; i++) {\nacc += f(i);\n}\nDbgPrint("%u", acc);\n}';
    const seen = (generated: boolean): number[] => {
      const { m } = machine(src, generated);
      const lines: number[] = [];
      runToEnd(m, 1_000_000, ((mm: CMachine) => { lines.push(line(mm)); return false; }) as StopCheck);
      assert.equal(lines.length, m.steps, 'one question per statement');
      return lines;
    };
    assert.deepEqual(seen(true), seen(false));
    const { m } = machine(src, true);
    let stops = 0;
    let o: RunOutcome;
    do {
      o = m.run(1000, (mm) => line(mm as CMachine) === 2);
      if (o.kind === 'stopped') { stops++; assert.equal(line(m), 2); }
    } while (o.kind === 'stopped');
    assert.equal(o.kind, 'exited');
    assert.equal(stops, 5, 'a stop at the callee\'s return statement for each of the five calls');
  });

  it('a NULL write inside a generated loop is caught by __try at the faulting line, with the statement clock of the closure form', () => {
    const src = 'VOID LabMain(VOID) {\nULONG i; PULONG p = NULL; NTSTATUS st = 0;\n__try {\nfor (i = 0; i < 10; i++) {\nif (i == 4) p[i] = i;\n}\n} __except (EXCEPTION_EXECUTE_HANDLER) {\nst = GetExceptionCode();\n}\nDbgPrint("%x %u", st, i);\n}';
    const a = machine(src, true), b = machine(src, false);
    const lines: number[] = [];
    a.m.onException = () => { lines.push(line(a.m)); };
    assert.equal(runToEnd(a.m).kind, 'exited');
    runToEnd(b.m);
    assert.deepEqual(lines, [5]);
    assert.deepEqual(a.out, ['c0000005 4']);
    assert.deepEqual(a.out, b.out);
    assert.equal(a.m.steps, b.m.steps);
  });

  it('locals kept in slots show their current values in the debugger mid-loop, and an assignment from the debugger is seen by the loop', () => {
    const src = 'VOID LabMain(VOID) {\nULONG i, acc = 0;\nfor (i = 0; i < 10; i++) {\nacc += i;\n}\nDbgPrint("%u", acc);\n}';
    const { m, out } = machine(src, true);
    const o = m.run(1000, (mm) => line(mm as CMachine) === 4 && (mm as CMachine).locals(0).find((v) => v.name === 'i')!.value === '3');
    assert.equal(o.kind, 'stopped');
    const vals = Object.fromEntries(m.locals(0).map((v) => [v.name, v.value]));
    assert.deepEqual(vals, { i: '3', acc: '3' });
    assert.equal(m.evaluate('acc + i * 2').value, '9');
    m.assign('acc', '100', { allowSideEffects: true });
    runToEnd(m);
    assert.deepEqual(out, ['142']);
  });

  it('a checkpoint taken mid-loop and restored replays to the same result', () => {
    const { m, out, k } = machine(ARITH, true);
    m.run(333);
    const saved = m.saveState();
    const cp = k.checkpoint();
    runToEnd(m);
    const first = out.slice();
    const steps = m.steps;
    k.restore(cp);
    m.restoreState(saved);
    out.length = 0;
    runToEnd(m);
    assert.deepEqual(out, first);
    assert.equal(m.steps, steps);
  });
  it('names and string contents of the scenario never become JavaScript: identifiers that are JS globals or the generated code\'s own names, and a string that looks like code, run as plain C', () => {
    const src = `
int process = 1, require = 2, globalThis = 3, constructor = 4, __proto__ = 5, x0 = 6;
int eval(int s, int f) { int pc = s * f; int limit = pc + 1; int stop = limit; return stop; }
VOID LabMain(VOID) {
  int t0 = 7, m = 8, Function = 9;
  const char *code = "\\"); globalThis.escaped = 1; (\\"";
  int i;
  for (i = 0; i < 3; i++) t0 += eval(x0, m) + process + require + globalThis + constructor + __proto__ + Function;
  DbgPrint("%d %s\\n", t0, code);
}`;
    const a = machine(src, true);
    const o = runToEnd(a.m);
    assert.equal(o.kind, 'exited');
    // eval(6, 8) = 49; each pass adds 49 + 1+2+3+4+5+9 = 73; 7 + 3 * 73 = 226
    assert.deepEqual(a.out.join('').trim(), '226 "); globalThis.escaped = 1; ("');
    assert.equal((globalThis as Record<string, unknown>).escaped, undefined, 'the string was never run as JavaScript');
  });
});
