// A machine for a C program in the generated-JavaScript form or the closure form, for tests that
// compare the two; DbgPrint output is collected. Also the comparison most of those tests make.
import assert from 'node:assert/strict';
import { driverC, type CMachine } from '../../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../../src/lang/contract';
import { useGeneratedCode } from '../../../../src/lang/jsgen';
import { createKernel, type Kernel } from '../../../../src/emulator/index';
import { compileC, PRELUDE } from './runC';

export interface GeneratedRun { m: CMachine; out: string[]; k: Kernel }

export function generatedMachine(src: string, generated: boolean): GeneratedRun {
  const out: string[] = [];
  const k = createKernel({ output: (l) => out.push(l) });
  const r = compileC(PRELUDE + src, 'test.c', {}, k);
  assert.ok(r.program, r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  useGeneratedCode(generated);
  try {
    return { m: driverC.createMachine(r.program!, k) as CMachine, out, k };
  } finally {
    useGeneratedCode(true);
  }
}

/** Runs the machine through budget ends, LabBreak and stops until the program ends. */
export function runToEnd(m: CMachine, slice = 1_000_000, check?: StopCheck): RunOutcome {
  let o: RunOutcome;
  do o = m.run(slice, check); while (o.kind === 'budget' || o.kind === 'break' || o.kind === 'stopped');
  return o;
}

/**
 * Runs `src` in the closure form in one long slice, then in the generated form once per slice size
 * (with `check`, the generated code's stop check), and asserts the same outcome, DbgPrint output
 * and statement clock each time. Returns the closure form's run and the generated ones.
 */
export function sameAsClosureForm(src: string, slices: number[], check?: StopCheck): { ref: GeneratedRun; outcome: RunOutcome; runs: GeneratedRun[] } {
  const ref = generatedMachine(src, false);
  const outcome = runToEnd(ref.m);
  const runs = slices.map((slice) => {
    const a = generatedMachine(src, true);
    assert.deepEqual(runToEnd(a.m, slice, check), outcome, `slice ${slice}: the outcome`);
    assert.deepEqual(a.out, ref.out, `slice ${slice}: the output`);
    assert.equal(a.m.steps, ref.m.steps, `slice ${slice}: the statement clock`);
    return a;
  });
  return { ref, outcome, runs };
}
