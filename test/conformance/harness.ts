// Table-driven C conformance cases: each is a small program with the DbgPrint output it must
// produce (and/or LabExpect checks), or the bug check / compile error it must end in.
import assert from 'node:assert/strict';
import type { GuestKernel } from '../../src/emulator/contract';
import { driverC } from '../../src/lang/index';
import { compileC, PRELUDE } from '../unit/lang/helpers/runC';
import { createKernel } from '../../src/emulator/index';

export interface CCase {
  /** A sentence about C on x64 Windows. */
  name: string;
  /** Statements of LabMain, or a whole program when it defines LabMain itself. */
  c: string;
  /** Concatenated DbgPrint output. */
  out?: string;
  /** How the run ends (default: exited). */
  end?: 'exited' | 'bugcheck' | 'unhandled-exception';
  bugcheck?: number;
  status?: number;
  /** The program must not compile; the first error message matches. */
  error?: RegExp;
}

/** The real emulator, with DbgPrint lines and LabExpect results collected. */
export function makeKernel(): GuestKernel & { out: string[]; expects: { ok: boolean; what: string }[] } {
  const out: string[] = [];
  const expects: { ok: boolean; what: string }[] = [];
  const k = createKernel({
    physicalMemory: 64 * 1024 * 1024,
    output: (line, kind) => {
      if (kind === 'dbgprint') out.push(line);
      else if (kind === 'expect-pass' || kind === 'expect-fail') expects.push({ ok: kind === 'expect-pass', what: line });
    },
  });
  return Object.assign(k, { out, expects });
}

export function program(c: string): string {
  return PRELUDE + (/\bLabMain\b/.test(c) ? c : `VOID LabMain(VOID) {\n${c}\n}\n`);
}

export function runCase(tc: CCase): void {
  const kernel = makeKernel();
  const r = compileC(program(tc.c), 'test.c', {}, kernel);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (tc.error) {
    assert.ok(errors.length > 0, 'expected a compile error');
    assert.match(errors[0].message, tc.error);
    return;
  }
  assert.equal(errors.length, 0, errors.map((d) => `${d.line - 2}:${d.col}: ${d.message}`).join('\n'));
  const m = driverC.createMachine(r.program!, kernel);
  let o = m.run(2_000_000);
  while (o.kind === 'break') o = m.run(2_000_000);
  const failed = (kernel.expects ?? []).filter((e) => !e.ok).map((e) => `LabExpect failed: ${e.what}`);
  assert.deepEqual(failed, []);
  if (tc.out !== undefined) assert.equal((kernel.out ?? []).join(''), tc.out);
  assert.equal(o.kind, tc.end ?? 'exited', o.kind === 'bugcheck' || o.kind === 'unhandled-exception' ? o.bugcheck.message : '');
  if (tc.bugcheck !== undefined && (o.kind === 'bugcheck' || o.kind === 'unhandled-exception')) assert.equal(o.bugcheck.code, tc.bugcheck);
  if (tc.status !== undefined && o.kind === 'unhandled-exception') assert.equal(o.status, tc.status);
}

export function suite(title: string, cases: CCase[]): void {
  describe(title, () => {
    for (const tc of cases) it(tc.name, () => runCase(tc));
  });
}
