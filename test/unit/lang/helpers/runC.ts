// Compiles and runs a C snippet in tests: built-in headers through the real preprocessor, an
// in-memory host, the fake kernel (or any GuestKernel), with a step budget.
import type { GuestKernel } from '../../../../src/emulator/contract';
import type { CompileResult, RunOutcome } from '../../../../src/lang/contract';
import { driverC, type CMachine } from '../../../../src/lang/index';
import { FakeKernel } from './fakeKernel';

export const PRELUDE = '#include <ntddk.h>\n#include <mdlab.h>\n';

export function compileC(source: string, file = 'test.c', extra: Record<string, string> = {}, kernel?: GuestKernel): CompileResult {
  const files: Record<string, string> = { [file]: source, ...extra };
  return driverC.compile(file, {
    readFile: (p) => files[p],
    resolveInclude: (_from, name) => (name in files ? name : undefined),
  }, { routines: kernel ? (n) => kernel.routine(n) !== undefined : () => true }); // without a kernel, createMachine checks
}

export interface Ran { out: string[]; outcome: RunOutcome; machine: CMachine; kernel: GuestKernel & Partial<FakeKernel> }

export function runC(source: string, opts: { kernel?: GuestKernel; maxSteps?: number; prelude?: boolean } = {}): Ran {
  const r = compileC((opts.prelude === false ? '' : PRELUDE) + source);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.program) throw new Error('compile failed:\n' + errs.map((d) => `${d.line - 2}:${d.col}: ${d.message}`).join('\n'));
  const kernel = (opts.kernel ?? new FakeKernel()) as GuestKernel & Partial<FakeKernel>;
  const machine = driverC.createMachine(r.program, kernel) as CMachine;
  let outcome = machine.run(opts.maxSteps ?? 1_000_000);
  while (outcome.kind === 'break') outcome = machine.run(opts.maxSteps ?? 1_000_000);
  return { out: kernel.out ?? [], outcome, machine, kernel };
}
