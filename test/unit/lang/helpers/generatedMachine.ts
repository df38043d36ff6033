// A machine for a C program in the generated-JavaScript form or the closure form, for tests that
// compare the two; DbgPrint output is collected.
import assert from 'node:assert/strict';
import { driverC, type CMachine } from '../../../../src/lang/index';
import { useGeneratedCode } from '../../../../src/lang/jsgen';
import { createKernel, type Kernel } from '../../../../src/emulator/index';
import { compileC, PRELUDE } from './runC';

export function generatedMachine(src: string, generated: boolean): { m: CMachine; out: string[]; k: Kernel } {
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
