// Reads a lab's lab.json and judges a run of the CLI against what it promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabManifest, type LabBreakpoint, type LabManifest, type LabOutcome } from '../../src/extension/labs/labModel';

/** What a run of scenario.c or exercise.c must end with (lab.json, as the "Open Lab…" command reads it). */
export type Outcome = LabOutcome;
export type { LabBreakpoint };

export interface LabInfo extends LabManifest {
  /** Stops at which the README's "what to watch" is checked against the MM snapshot. */
  watch?: WatchPoint[];
}

export function loadLab(root: string, id: string): LabInfo {
  // The extension's own parser checks the shape; the tests add what a shipped lab must promise.
  const lab = parseLabManifest(readFileSync(join(root, id, 'lab.json'), 'utf8'), id) as LabInfo;
  const problems: string[] = [];
  if (!lab.summary) problems.push('summary is required');
  for (const which of ['scenario', 'exercise'] as const) {
    const o = lab[which];
    if (o.exit === 3 && !o.bugcheck) problems.push(`${which}: exit 3 needs the bug check code`);
    else if (o.exit === 1 && !o.expectFailed) problems.push(`${which}: exit 1 needs the LabExpect that fails`);
  }
  if (lab.scenario.exit !== 0) problems.push('a scenario must run clean (exit 0)');
  if (lab.exercise.exit === 0) problems.push('an exercise must fail before it is fixed');
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

/** What the README says the panel shows at a line, checked against the MM snapshot there. */
export interface WatchPoint {
  line: number;
  text: string;
  hit?: number;
  why: string;
  process?: string;
  irql?: number;
  mdlCount?: number;
  /** System PTEs in use (mappings into system space). */
  systemPtesUsed?: number;
  /** The length of every live IRP's MDL chain, in any order. */
  irpChainLengths?: number[];
  mdl?: {
    flags?: string[];
    byteCount?: number;
    byteOffset?: number;
    pageCount?: number;
    size?: number;
    processName?: string | null;
    hasParent?: boolean;
    /** Lock count of every frame the MDL names. */
    locks?: number;
    /** Whether the user PTEs mapping the MDL's frames are valid (false after a trim). */
    userMappingValid?: boolean;
    slotsMatchPageTables?: boolean;
    /** How the MDL came to be, e.g. "I/O manager", "paging read" (prefix). */
    origin?: string;
    /** Whether the MDL is on an IRP's chain. */
    onIrp?: boolean;
    /** Exactly the PFN slots that name the system-wide dummy page. */
    dummySlots?: number[];
  };
}

interface SnapMdl { origin: string; irp: string | null; flagNames: string[]; byteCount: number; byteOffset: number; pageCount: number; size: number; processName: string | null; parent: string | null; pfns: number[]; slotMatchesPageTables: (boolean | null)[] }
interface SnapFrame { pfn: number; lockCount: number; mappedBy: { kind: string; valid: boolean }[] }
interface Snap { process: string; irql: number; mdls: SnapMdl[]; frames: SnapFrame[]; systemPtes?: { used: number }; dummyPfn?: number; irps?: { mdlChain: string[] }[] }

function mdlMismatch(want: NonNullable<WatchPoint['mdl']>, m: SnapMdl, frames: SnapFrame[], dummyPfn: number | undefined): string | null {
  if (want.origin !== undefined && !m.origin.startsWith(want.origin)) return `origin ${m.origin}`;
  if (want.onIrp !== undefined && (m.irp !== null) !== want.onIrp) return want.onIrp ? 'on no IRP' : `on IRP ${m.irp}`;
  if (want.dummySlots !== undefined) {
    const dummies = m.pfns.flatMap((p, i) => (p === dummyPfn ? [i] : []));
    if (dummies.join(',') !== want.dummySlots.join(',')) return `dummy-page slots [${dummies.join(', ')}] (PFNs ${m.pfns.join(', ')}, dummy ${dummyPfn})`;
  }
  if (want.flags && [...want.flags].sort().join('|') !== [...m.flagNames].sort().join('|')) return `flags ${m.flagNames.join(' | ') || '0'}`;
  for (const k of ['byteCount', 'byteOffset', 'pageCount', 'size', 'processName'] as const) {
    if (want[k] !== undefined && want[k] !== m[k]) return `${k} ${String(m[k])}`;
  }
  if (want.hasParent !== undefined && (m.parent !== null) !== want.hasParent) return want.hasParent ? 'no parent' : `parent ${m.parent}`;
  const own = m.pfns.map((pfn) => frames.find((f) => f.pfn === pfn));
  if (want.locks !== undefined) {
    const bad = own.find((f) => !f || f.lockCount !== want.locks);
    if (bad !== undefined || own.length === 0) return `frame lock counts ${own.map((f) => f?.lockCount ?? '?').join(', ')}`;
  }
  if (want.userMappingValid !== undefined) {
    const user = own.flatMap((f) => f?.mappedBy.filter((x) => x.kind === 'user') ?? []);
    if (!user.length || user.some((x) => x.valid !== want.userMappingValid)) return `user mappings valid: ${user.map((x) => x.valid).join(', ') || 'none'}`;
  }
  if (want.slotsMatchPageTables !== undefined && m.slotMatchesPageTables.some((x) => x !== want.slotsMatchPageTables)) {
    return `slots match page tables: ${m.slotMatchesPageTables.join(', ')}`;
  }
  return null;
}

/** null when the snapshot shows what the watch point says, otherwise what it shows instead. */
export function watchMatches(w: WatchPoint, snapshot: unknown): string | null {
  const s = snapshot as Snap;
  if (w.process !== undefined && s.process !== w.process) return `the current process is ${s.process}, not ${w.process}`;
  if (w.irql !== undefined && s.irql !== w.irql) return `IRQL is ${s.irql}, not ${w.irql}`;
  if (w.mdlCount !== undefined && s.mdls.length !== w.mdlCount) return `${s.mdls.length} MDLs are live, not ${w.mdlCount}`;
  if (w.systemPtesUsed !== undefined && s.systemPtes?.used !== w.systemPtesUsed) return `${s.systemPtes?.used} system PTEs are in use, not ${w.systemPtesUsed}`;
  if (w.irpChainLengths !== undefined) {
    const got = (s.irps ?? []).map((i) => i.mdlChain.length).sort();
    if (got.join(',') !== [...w.irpChainLengths].sort().join(',')) return `IRP chain lengths [${got.join(', ')}], not [${w.irpChainLengths.join(', ')}]`;
  }
  if (w.mdl) {
    const reasons = s.mdls.map((m) => mdlMismatch(w.mdl!, m, s.frames, s.dummyPfn));
    if (!reasons.includes(null)) return `no live MDL matches ${JSON.stringify(w.mdl)}; live MDLs: ${reasons.join('; ') || 'none'}`;
  }
  return null;
}
