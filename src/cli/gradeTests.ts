// `mdl-lab test PATH…`: runs scenarios and grades them — every LabExpect must pass and no bug check
// may happen — with a summary and an optional JUnit XML report for an instructor's CI.
import type { EngineDeps } from '../engine/engine';
import type { FileHost } from '../engine/host';
import type { EngineOptions } from '../engine/options';
import { bugCheckLine } from '../engine/describe';
import type { CliIo } from './io';
import { EXIT } from './io';
import { runScenario } from './scenarioRun';

export interface GradedCase {
  name: string;
  line: number;
  failure: string | null;
}

export interface GradedScenario {
  file: string;
  passed: boolean;
  cases: GradedCase[];
  ms: number;
}

/** Runs each file, printing a report per scenario; returns the grades (captured output is not echoed). */
export async function gradeScenarios(deps: EngineDeps, host: FileHost, files: string[], options: Partial<EngineOptions>, io: CliIo, now: () => number, optionsFor?: (file: string) => Promise<Partial<EngineOptions>>): Promise<GradedScenario[]> {
  const graded: GradedScenario[] = [];
  for (const file of files) {
    const t0 = now();
    let captured = '';
    const quiet: CliIo = { out: (t) => (captured += t), err: (t) => (captured += t) };
    // A lab's own settings (lab.json) apply unless the command line says otherwise.
    const own = optionsFor ? await optionsFor(file) : {};
    const o = await runScenario(deps, host, file, { ...own, ...options }, quiet, { showPasses: true });
    const cases: GradedCase[] = o.passes.map((p) => ({ name: p.what, line: p.line, failure: null }));
    for (const f of o.result?.expectFailures ?? []) cases.push({ name: f.what, line: f.line, failure: `EXPECT FAILED ${f.file}:${f.line}: ${f.what}` });
    const r = o.result;
    let endFailure: string | null = null;
    if (o.compileError) endFailure = o.compileError;
    else if (r?.bugcheck) endFailure = `${bugCheckLine(r.bugcheck)}\n${r.bugcheck.explanation}`;
    else if (r && (r.kind === 'step-limit' || r.kind === 'timeout' || r.kind === 'internal-error')) endFailure = r.message ?? r.kind;
    else if (!r) endFailure = captured.trim() || 'the run did not complete';
    cases.push({ name: 'runs to the end without a bug check', line: 0, failure: endFailure });
    const passed = cases.every((c) => c.failure === null);
    graded.push({ file, passed, cases, ms: now() - t0 });
    io.out(`${passed ? 'PASS' : 'FAIL'} ${file}\n`);
    for (const c of cases) {
      if (c.failure === null) io.out(`  ok    ${c.name}${c.line ? ` (line ${c.line})` : ''}\n`);
      else io.out(`  FAIL  ${c.name}${c.line ? ` (line ${c.line})` : ''}\n${c.failure.split('\n').map((l) => `        ${l}`).join('\n')}\n`);
    }
  }
  const failed = graded.filter((g) => !g.passed).length;
  io.out(`\n${graded.length} scenario${graded.length === 1 ? '' : 's'}: ${graded.length - failed} passed, ${failed} failed\n`);
  return graded;
}

export function gradeExitCode(graded: GradedScenario[]): number {
  return graded.every((g) => g.passed) ? EXIT.ok : EXIT.expectFailed;
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function junitReport(graded: GradedScenario[]): string {
  const total = graded.reduce((n, g) => n + g.cases.length, 0);
  const failures = graded.reduce((n, g) => n + g.cases.filter((c) => c.failure).length, 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="mdl-lab" tests="${total}" failures="${failures}">`];
  for (const g of graded) {
    const f = g.cases.filter((c) => c.failure).length;
    lines.push(`  <testsuite name="${xml(g.file)}" tests="${g.cases.length}" failures="${f}" time="${(g.ms / 1000).toFixed(3)}">`);
    for (const c of g.cases) {
      const name = xml(c.line ? `${c.name} (line ${c.line})` : c.name);
      if (c.failure === null) lines.push(`    <testcase classname="${xml(g.file)}" name="${name}"/>`);
      else lines.push(`    <testcase classname="${xml(g.file)}" name="${name}">`, `      <failure message="${xml(c.failure.split('\n')[0])}">${xml(c.failure)}</failure>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
