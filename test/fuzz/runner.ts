// Runs one scenario text through everything a user's scenario meets — preprocessor, parser,
// interpreter, emulator, process teardown — and says how it ended. Anything but a clean outcome
// (a host exception escaping the stack) is a defect the fuzzer reports.
import { language, LinkError } from '../../src/lang/index';
import { createKernel, BugCheck } from '../../src/emulator/index';
import type { SourceHost } from '../../src/lang/contract';

export type Outcome =
  | { kind: 'compile-error'; positionsOk: boolean }
  | { kind: 'exited' }
  | { kind: 'bugcheck'; code: number }
  | { kind: 'unhandled-exception'; status: number }
  | { kind: 'step-limit' }
  | { kind: 'host-failure'; stage: string; message: string };

export interface RunLimits {
  maxSteps: number;
  physicalMemory: number;
}

export function runScenarioText(text: string, limits: RunLimits): Outcome {
  const file = 'fuzz.c';
  const host: SourceHost = { readFile: (p) => (p === file ? text : undefined), resolveInclude: () => undefined };
  let stage = 'compile';
  try {
    const r = language.compile(file, host);
    if (!r.program) {
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      const positionsOk = errors.length > 0 && errors.every((d) => d.file.length > 0 && d.line >= 1 && d.col >= 1);
      return { kind: 'compile-error', positionsOk };
    }
    stage = 'kernel';
    const kernel = createKernel({ physicalMemory: limits.physicalMemory, output: () => undefined });
    stage = 'link';
    let machine;
    try {
      machine = language.createMachine(r.program, kernel, 'LabMain');
    } catch (e) {
      if (e instanceof LinkError) return { kind: 'compile-error', positionsOk: true };
      // A scenario without its entry point is reported by name (the CLI exits 2 with this message).
      if (e instanceof Error && /has no function 'LabMain'/.test(e.message)) return { kind: 'compile-error', positionsOk: true };
      throw e;
    }
    stage = 'run';
    let left = limits.maxSteps;
    while (left > 0) {
      const before = machine.steps;
      const out = machine.run(Math.min(left, 5000));
      left -= Math.max(1, machine.steps - before);
      switch (out.kind) {
        case 'exited':
          stage = 'teardown';
          try {
            kernel.terminateAllProcesses();
          } catch (e) {
            if (e instanceof BugCheck) return { kind: 'bugcheck', code: e.code };
            throw e;
          }
          return { kind: 'exited' };
        case 'bugcheck':
          return { kind: 'bugcheck', code: out.bugcheck.code };
        case 'unhandled-exception':
          return { kind: 'unhandled-exception', status: out.status };
        case 'break':
        case 'budget':
        case 'stopped':
          continue;
      }
    }
    return { kind: 'step-limit' };
  } catch (e) {
    // A bug check outside the run (loading a driver image larger than physical memory) is still a clean end.
    if (e instanceof BugCheck) return { kind: 'bugcheck', code: e.code };
    const err = e as Error;
    return { kind: 'host-failure', stage, message: `${err?.name}: ${err?.message}\n${(err?.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
  }
}
