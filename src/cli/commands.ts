// The `mdl-lab` commands over an injected engine, file host and output, so tests run them in-process.
import type { EngineDeps } from '../engine/engine';
import type { FileHost } from '../engine/host';
import { normalizePath } from '../engine/host';
import { isStop } from '../engine/events';
import type { CliArgs } from './args';
import { describeStopForDemo } from './demo';
import { gradeExitCode, gradeScenarios, junitReport } from './gradeTests';
import type { CliIo } from './io';
import { EXIT } from './io';
import { LineWriter, reportEnd, runScenario } from './scenarioRun';
import { DebugEngine } from '../engine/engine';

export interface CliEnv {
  deps: EngineDeps;
  host: FileHost;
  io: CliIo;
  /** Expands folders into scenario files (Node only). */
  listScenarios(paths: string[]): Promise<string[]>;
  writeFile(path: string, text: string): Promise<void>;
  /** Settings a scenario's folder asks for (a lab's lab.json), if any. */
  optionsFor?(file: string): Promise<Partial<import('../engine/options').EngineOptions>>;
  now(): number;
}

export async function runCli(args: CliArgs, env: CliEnv): Promise<number> {
  const { deps, host, io } = env;
  switch (args.command) {
    case 'run':
      return (await runScenario(deps, host, args.paths[0], args.options, io)).exitCode;
    case 'demo': {
      const o = await runScenario(deps, host, args.paths[0], args.options, io, {
        showPasses: true,
        onStop: (engine, stop) => io.out(describeStopForDemo(engine, stop).join('\n') + '\n\n'),
      });
      if (o.result) io.out(`\nResult: ${o.result.kind === 'ended' ? 'the scenario ended' : `the run ended (${o.result.kind})`} after ${o.result.steps} statements; ${o.passes.length} LabExpect passed, ${o.result.expectFailures.length} failed; exit code ${o.exitCode}\n`);
      return o.exitCode;
    }
    case 'snapshot':
      return snapshotCommand(args, env);
    case 'test': {
      const files = await env.listScenarios(args.paths);
      if (files.length === 0) {
        io.err(`mdl-lab: no scenarios (.c files with LabMain) under ${args.paths.join(', ')}\n`);
        return EXIT.usage;
      }
      const graded = await gradeScenarios(deps, host, files, args.options, io, env.now, env.optionsFor);
      if (args.junit) await env.writeFile(args.junit, junitReport(graded));
      return gradeExitCode(graded);
    }
    default:
      return EXIT.usage;
  }
}

async function snapshotCommand(args: CliArgs, env: CliEnv): Promise<number> {
  const { io } = env;
  const file = args.paths[0];
  const line = args.line!;
  const engine = new DebugEngine(env.deps, env.host);
  const loaded = await engine.load(file, { checkpointInterval: 0, ...args.options });
  if (!loaded.ok) {
    io.err(loaded.message + '\n');
    return EXIT.compileError;
  }
  const [bp] = engine.breakpoints.setLineBreakpoints(normalizePath(file), [{ line, hitCondition: String(args.hit) }], engine.loadedProgram);
  if (!bp.verified) {
    io.err(`mdl-lab: ${file}:${line}: ${bp.message}\n`);
    return EXIT.usage;
  }
  if (bp.line !== line) io.err(`mdl-lab: line ${line} has no statement; using line ${bp.line}\n`);
  engine.filters = { bugcheck: false, sehUnhandled: false, verifier: false };
  const err = new LineWriter((t) => io.err(t));
  engine.on('output', (o) => (o.kind === 'dbgprint' || o.kind === 'expect-fail' ? err.line(o.text.replace(/\n$/, '')) : undefined));
  let r = await engine.start();
  while (isStop(r)) {
    // A LabBreak() stops before the next statement: when that is line N, line N is reached there.
    const here = engine.machine.location();
    const reached = r.kind === 'breakpoint' || (r.kind === 'LabBreak' && here !== null && here.line === bp.line && engine.breakpoints.checkLine(engine.machine, here.file, here.line).stop);
    if (reached) {
      io.out(JSON.stringify(engine.snapshot(), null, 2) + '\n');
      await engine.terminate();
      return EXIT.ok;
    }
    r = await engine.continue();
  }
  reportEnd(r, err, io);
  io.err(`mdl-lab: the run ended before line ${bp.line} was reached ${args.hit === 1 ? '' : `${args.hit} times`}\n`.replace(' \n', '\n'));
  return r.exitCode !== EXIT.ok ? r.exitCode : EXIT.expectFailed;
}
