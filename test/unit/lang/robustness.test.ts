// Mutated scenarios never take the host down: every outcome is a diagnostic, a normal end, a bug
// check, or the step budget — never a JavaScript exception out of compile() or run().
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { driverC } from '../../../src/lang/index';
import { compileC, PRELUDE } from './helpers/runC';
import { FakeKernel } from './helpers/fakeKernel';

const SEEDS = [
  'VOID LabMain(VOID) { ULONG a[4] = {1,2,3,4}; for (int i = 0; i < 4; i++) a[i] += a[(i + 1) & 3]; DbgPrint("%u", a[0]); }',
  'typedef struct { int x; ULONG64 y; } S;\nS g = { .x = 1 };\nint f(S *p) { return p->x * 2; }\nVOID LabMain(VOID) { S s = g; __try { s.x = f(&s); ExRaiseStatus(s.x); } __except (EXCEPTION_EXECUTE_HANDLER) { DbgPrint("%d", GetExceptionCode()); } }',
  'int r(int n) { if (n <= 0) return 0; return n + r(n - 1); }\nVOID LabMain(VOID) { switch (r(5)) { case 15: DbgPrint("ok"); default: break; } goto end; end: ; }',
  'VOID LabMain(VOID) { PUCHAR p = (PUCHAR)ExAllocatePoolWithTag(NonPagedPool, 16, 1); while (*p < 10) (*p)++; __try { __leave; } __finally { DbgPrint("%d", *p); } }',
];

function attempt(src: string): void {
  const r = compileC(PRELUDE + src);
  if (!r.program) {
    assert.ok(r.diagnostics.some((d) => d.severity === 'error'));
    for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.col >= 1, `diagnostic without a position: ${d.message}`);
    return;
  }
  let m;
  try { m = driverC.createMachine(r.program, new FakeKernel()); } catch (e) {
    assert.match((e as Error).message, /unresolved external symbol|entry point|no function/);
    return;
  }
  for (let i = 0; i < 5; i++) {
    const o = m.run(20_000);
    if (o.kind !== 'budget' && o.kind !== 'break') break;
  }
}

describe('driver C robustness', () => {
  it('random edits of valid scenarios compile to diagnostics or run to a clean outcome', function () {
    this.timeout(180_000); // a shared machine may be slow; this is not a speed test
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.constantFrom('(', ')', '{', '}', ';', '*', '&', ',', '0', 'x', '[', ']', '-', '"', "'", '__try', 'int', '/', '=', '.')), { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          let s = seed;
          for (const [pos, del, ins] of edits) {
            const p = pos % (s.length + 1);
            s = s.slice(0, p) + ins + s.slice(p + del);
          }
          attempt(s);
        },
      ),
      { numRuns: 120, seed: 42 },
    );
  });

  it('deeply nested expressions are a diagnostic or run, not a host stack overflow', () => {
    attempt(`VOID LabMain(VOID) { int x = ${'('.repeat(3000)}1${')'.repeat(3000)}; DbgPrint("%d", x); }`);
    attempt(`VOID LabMain(VOID) { int x = 1${' + 1'.repeat(5000)}; DbgPrint("%d", x); }`);
  });
});
