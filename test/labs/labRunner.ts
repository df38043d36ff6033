// Reads a lab's lab.json and judges a run of the CLI against what it promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a run of scenario.c or exercise.c must end with. Hex strings are compared as numbers. */
export interface Outcome {
  exit: 0 | 1 | 2 | 3;
  /** exit 3: the bug check code, e.g. "0xC4", and any parameters the lab pins down. */
  bugcheck?: string;
  p1?: string;
  p2?: string;
  p3?: string;
  p4?: string;
  /** exit 1: the What of the LabExpect that fails. */
  expectFailed?: string;
}

export interface LabBreakpoint {
  line: number;
  /** Text that line holds, so that an edit of scenario.c cannot silently move the breakpoint. */
  text: string;
  note: string;
}

export interface LabInfo {
  id: string;
  order: number;
  title: string;
  summary: string;
  seeds: string[];
  reference: string[];
  /** Physical memory the lab runs with (CLI --memory, launch physicalMemory), e.g. "64m". */
  physicalMemory?: string;
  requires?: string[];
  breakpoints: LabBreakpoint[];
  scenario: Outcome;
  exercise: Outcome;
}

export function loadLab(root: string, id: string): LabInfo {
  const lab = JSON.parse(readFileSync(join(root, id, 'lab.json'), 'utf8')) as LabInfo;
  const problems: string[] = [];
  if (lab.id !== id) problems.push(`id "${lab.id}" is not the folder name`);
  if (!Number.isInteger(lab.order)) problems.push('order is not an integer');
  if (!lab.title || !lab.summary) problems.push('title and summary are required');
  if (!Array.isArray(lab.breakpoints)) problems.push('breakpoints must be a list');
  for (const which of ['scenario', 'exercise'] as const) {
    const o = lab[which];
    if (!o || ![0, 1, 2, 3].includes(o.exit)) problems.push(`${which}.exit must be 0, 1, 2 or 3`);
    else if (o.exit === 3 && !o.bugcheck) problems.push(`${which}: exit 3 needs the bug check code`);
    else if (o.exit === 1 && !o.expectFailed) problems.push(`${which}: exit 1 needs the LabExpect that fails`);
  }
  if (lab.scenario?.exit !== 0) problems.push('a scenario must run clean (exit 0)');
  if (lab.exercise?.exit === 0) problems.push('an exercise must fail before it is fixed');
  if (problems.length) throw new Error(`labs/${id}/lab.json: ${problems.join('; ')}`);
  return lab;
}

export interface RunResult {
  exit: number | null;
  output: string;
  bugcheck: { code: bigint; params: bigint[]; name: string } | null;
  expectFailures: string[];
}

function num(text: string): bigint {
  const t = text.trim().replace(/`/g, '');
  return BigInt(/^0x/i.test(t) ? t : `0x${t}`);
}

export function parseRun(r: { status: number | null; stdout: string; stderr: string }): RunResult {
  const output = `${r.stdout}${r.stderr ? `\n[stderr]\n${r.stderr}` : ''}`;
  const m = /\*\*\* BUGCHECK (0x[0-9a-fA-F`]+)\s*\(([^)]*)\)\s*([A-Z0-9_]*)/.exec(output);
  let bugcheck: RunResult['bugcheck'] = null;
  if (m) {
    const params = m[2].split(',').map((p) => p.trim()).filter(Boolean);
    bugcheck = { code: num(m[1]), params: params.map(num), name: m[3] };
  }
  const expectFailures = [...output.matchAll(/^EXPECT FAILED [^\n]*?:\d+: (.*)$/gm)].map((x) => x[1].trim());
  return { exit: r.status, output, bugcheck, expectFailures };
}

/** null when the run ended as expected, otherwise a sentence saying how it differs. */
export function outcomeMatches(expected: Outcome, run: RunResult): string | null {
  if (run.exit !== expected.exit) {
    const got = run.bugcheck ? `bug check 0x${run.bugcheck.code.toString(16).toUpperCase()}` : run.expectFailures.length ? `LabExpect "${run.expectFailures[0]}" failed` : 'no bug check or failed LabExpect';
    return `expected exit ${expected.exit}, got exit ${run.exit} (${got})`;
  }
  if (expected.exit === 0 && run.expectFailures.length) return `LabExpect failed: ${run.expectFailures.join('; ')}`;
  if (expected.exit === 1) {
    if (run.bugcheck) return `expected only a failed LabExpect, but the run bug-checked 0x${run.bugcheck.code.toString(16)}`;
    if (!run.expectFailures.includes(expected.expectFailed!)) {
      return `expected LabExpect "${expected.expectFailed}" to fail; failed: ${run.expectFailures.map((f) => `"${f}"`).join(', ') || 'none'}`;
    }
  }
  if (expected.exit === 3) {
    if (!run.bugcheck) return 'expected a bug check line "*** BUGCHECK 0x… (p1, p2, p3, p4) NAME" in the output';
    if (run.bugcheck.code !== num(expected.bugcheck!)) {
      return `expected bug check ${expected.bugcheck}, got 0x${run.bugcheck.code.toString(16).toUpperCase()} ${run.bugcheck.name}`;
    }
    const ps = [expected.p1, expected.p2, expected.p3, expected.p4];
    for (let i = 0; i < 4; i++) {
      const p = ps[i];
      if (p !== undefined && run.bugcheck.params[i] !== num(p)) {
        return `expected P${i + 1} = ${p}, got 0x${(run.bugcheck.params[i] ?? -1n).toString(16)}`;
      }
    }
  }
  return null;
}

/** Fragments the README must contain to say how the exercise fails. */
export function expectationText(o: Outcome): string[] {
  if (o.exit === 1) return [o.expectFailed!];
  if (o.exit === 3) {
    const parts = [`bug check ${o.bugcheck}`];
    if (o.p1) parts.push(o.p1);
    if (o.p2) parts.push(o.p2);
    return parts;
  }
  return [`exit ${o.exit}`];
}
