// One headless run of a scenario through the debug engine, with the CLI's output conventions:
// DbgPrint to stdout, `EXPECT FAILED FILE:LINE: What`, the bug check line and the C call stack.
import { DebugEngine } from '../engine/engine';
import type { EngineDeps } from '../engine/engine';
import { isStop } from '../engine/events';
import type { OutputEvent, RunResult, StopEvent } from '../engine/events';
import type { FileHost } from '../engine/host';
import type { EngineOptions } from '../engine/options';
import { bugCheckLine, formatFrames } from '../engine/describe';
import type { CliIo } from './io';
import { EXIT } from './io';

export interface RunHooks {
  /** Called at each stop; return to continue the run (the CLI never waits for a person). */
  onStop?(engine: DebugEngine, stop: StopEvent): void;
  /** Show passing LabExpects too (demo, test). */
  showPasses?: boolean;
  onOutput?(o: OutputEvent): void;
}

export interface ScenarioOutcome {
  exitCode: number;
  result: RunResult | null;
  compileError: string | null;
  passes: { file: string; line: number; what: string }[];
}

/** Keeps DbgPrint's partial lines together, and everything else on lines of its own. */
export class LineWriter {
  private atLineStart = true;
  constructor(private readonly write: (t: string) => void) {}
  raw(text: string): void {
    if (!text) return;
    this.write(text);
    this.atLineStart = text.endsWith('\n');
  }
  line(text: string): void {
    if (!this.atLineStart) this.write('\n');
    this.write(text + '\n');
    this.atLineStart = true;
  }
}

export async function runScenario(deps: EngineDeps, host: FileHost, file: string, options: Partial<EngineOptions>, io: CliIo, hooks: RunHooks = {}, prepare?: (e: DebugEngine) => void): Promise<ScenarioOutcome> {
  const engine = new DebugEngine(deps, host);
  const out = new LineWriter((t) => io.out(t));
  const passes: ScenarioOutcome['passes'] = [];
  const loaded = await engine.load(file, { checkpointInterval: 0, ...options });
  if (!loaded.ok) {
    io.err(loaded.message + '\n');
    return { exitCode: EXIT.compileError, result: null, compileError: loaded.message, passes };
  }
  engine.filters = { bugcheck: hooks.onStop !== undefined, sehUnhandled: false, verifier: false };
  engine.on('output', (o) => {
    hooks.onOutput?.(o);
    switch (o.kind) {
      case 'dbgprint':
        // The kernel hands over one DbgPrint call per line, its trailing newline removed.
        out.line(o.text.replace(/\n$/, ''));
        break;
      case 'expect-fail': {
        const where = o.location ? `${o.location.file}:${o.location.line}` : file;
        out.line(`EXPECT FAILED ${where}: ${stripExpect(o.text)}`);
        break;
      }
      case 'expect-pass':
        passes.push({ file: o.location?.file ?? file, line: o.location?.line ?? 0, what: stripExpect(o.text) });
        if (hooks.showPasses) out.line(`EXPECT PASSED ${o.location ? `${o.location.file}:${o.location.line}` : file}: ${stripExpect(o.text)}`);
        break;
      default:
        out.line(o.text.replace(/\n$/, ''));
    }
  });
  if (prepare) prepare(engine);
  let r: StopEvent | RunResult;
  try {
    r = await engine.start();
    while (isStop(r)) {
      hooks.onStop?.(engine, r);
      r = await engine.continue();
    }
  } catch (e) {
    io.err(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return { exitCode: EXIT.internal, result: null, compileError: null, passes };
  }
  reportEnd(r, out, io);
  return { exitCode: r.exitCode, result: r, compileError: null, passes };
}

export function reportEnd(r: RunResult, out: LineWriter, io: CliIo): void {
  if (r.bugcheck) {
    out.line(bugCheckLine(r.bugcheck));
    out.line(r.bugcheck.explanation);
    if (r.frames?.length) {
      out.line('C call stack:');
      for (const l of formatFrames(r.frames)) out.line(l);
    }
  }
  if (r.kind === 'step-limit' || r.kind === 'timeout') io.err(`mdl-lab: ${r.message}\n`);
  if (r.kind === 'internal-error') io.err(`mdl-lab: ${r.message}\n`);
}

/** The What of a LabExpect line, without the kernel's `EXPECT FAILED file:line:` prefix. */
export function stripExpect(text: string): string {
  return text
    .replace(/\n$/, '')
    .replace(/^\s*EXPECT (FAILED|PASSED)\s+/, '')
    .replace(/^([A-Za-z]:)?[^:\n]*:\d+:\s*/, '');
}
