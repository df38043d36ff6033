// Runs a lab's file in-process through the same path as `mdl-lab run` (src/cli/scenarioRun): the
// CLI's output and exit code, without a process per run; and the MM snapshot at chosen stops.
import { NodeFileHost } from '../../src/cli/nodeFileHost';
import { runScenario } from '../../src/cli/scenarioRun';
import { defaultEngineDeps } from '../../src/engine/defaultDeps';
import { normalizePath } from '../../src/engine/host';
import { parsePhysicalMemory } from '../../src/engine/options';

export interface CliLikeResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function options(physicalMemory?: string): { physicalMemory?: number } {
  return physicalMemory ? { physicalMemory: parsePhysicalMemory(physicalMemory) } : {};
}

/** `mdl-lab run FILE [--memory M]`, in-process. */
export async function runLabFile(file: string, physicalMemory?: string): Promise<CliLikeResult> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) };
  const o = await runScenario(defaultEngineDeps, new NodeFileHost(), file, options(physicalMemory), io);
  return { status: o.exitCode, stdout, stderr };
}

export interface StopPoint {
  line: number;
  hit: number;
}

/**
 * Runs FILE once with a breakpoint on every line of `points`, and returns the MM snapshot taken
 * at the hit-th stop on each line (keyed "line:hit"), plus how the run ended.
 */
export async function snapshotsAt(file: string, points: StopPoint[], physicalMemory?: string): Promise<{ snapshots: Map<string, unknown>; run: CliLikeResult }> {
  const snapshots = new Map<string, unknown>();
  const wanted = new Set(points.map((p) => `${p.line}:${p.hit}`));
  const hits = new Map<number, number>();
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) };
  const lines = [...new Set(points.map((p) => p.line))].sort((a, b) => a - b);
  const o = await runScenario(defaultEngineDeps, new NodeFileHost(), file, options(physicalMemory), io, {
    onStop: (engine, stop) => {
      if (stop.kind !== 'breakpoint') return;
      const here = engine.machine.location();
      if (!here) return;
      const n = (hits.get(here.line) ?? 0) + 1;
      hits.set(here.line, n);
      if (wanted.has(`${here.line}:${n}`)) snapshots.set(`${here.line}:${n}`, engine.snapshot());
    },
  }, (engine) => {
    const status = engine.breakpoints.setLineBreakpoints(normalizePath(file), lines.map((line) => ({ line })), engine.loadedProgram);
    status.forEach((s, i) => {
      if (!s.verified || s.line !== lines[i]) stderr += `breakpoint on line ${lines[i]} ${s.verified ? `moved to line ${s.line}` : `not verified: ${s.message}`}\n`;
    });
  });
  return { snapshots, run: { status: o.exitCode, stdout, stderr } };
}
