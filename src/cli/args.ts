// Command-line parsing for `mdl-lab`: a command, positional paths and --options, with clear errors.
import { parsePhysicalMemory, parseSwitch } from '../engine/options';
import type { EngineOptions } from '../engine/options';

export const USAGE = `usage:
  mdl-lab run FILE.c [options]              run to the end; DbgPrint to stdout
  mdl-lab snapshot FILE.c --line N [--hit K] print the MM snapshot (JSON) when line N is reached the K-th time
  mdl-lab demo FILE.c [options]             run, and at each LabBreak() print the MDLs as WinDbg would
  mdl-lab test PATH... [--junit FILE]       run scenarios (files or folders) and grade each LabExpect and bug check
options:
  --memory SIZE        emulated physical memory, e.g. 256m, 1g, 4g (default 1g)
  --verifier on|off    Driver Verifier (default on)
  --max-steps N        end the run after N statements (exit 4)
  --timeout SECONDS    end the run after SECONDS of running (exit 4)
  --entry NAME         entry function (default LabMain)
exit codes: 0 ok, 1 a LabExpect failed, 2 compile error, 3 bug check, 4 step or time limit, 64 usage`;

export interface CliArgs {
  command: 'run' | 'snapshot' | 'demo' | 'test' | 'help';
  paths: string[];
  options: Partial<EngineOptions>;
  line?: number;
  hit: number;
  junit?: string;
}

export class UsageError extends Error {}

const VALUED = new Set(['--memory', '--verifier', '--max-steps', '--timeout', '--line', '--hit', '--junit', '--entry']);

function positiveInt(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} must be a positive whole number (got ${v})`);
  return Number(v);
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { command: 'help', paths: [], options: {}, hit: 1 };
  if (!['run', 'snapshot', 'demo', 'test'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  const args: CliArgs = { command: command as CliArgs['command'], paths: [], options: {}, hit: 1 };
  for (let i = 0; i < rest.length; i++) {
    let a = rest[i];
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (!a.startsWith('--')) {
      args.paths.push(a);
      continue;
    }
    if (!VALUED.has(a)) throw new UsageError(`unknown option ${a}`);
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined) throw new UsageError(`${a} needs a value`);
    }
    try {
      switch (a) {
        case '--memory':
          args.options.physicalMemory = parsePhysicalMemory(value);
          break;
        case '--verifier':
          args.options.verifier = parseSwitch('--verifier', value);
          break;
        case '--max-steps':
          args.options.maxSteps = positiveInt(a, value);
          break;
        case '--timeout': {
          const s = Number(value);
          if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`--timeout must be a number of seconds (got ${value})`);
          args.options.timeoutMs = s * 1000;
          break;
        }
        case '--line':
          args.line = positiveInt(a, value);
          break;
        case '--hit':
          args.hit = positiveInt(a, value);
          break;
        case '--junit':
          args.junit = value;
          break;
        case '--entry':
          args.options.entry = value;
          break;
      }
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError((e as Error).message);
    }
  }
  if (args.paths.length === 0) throw new UsageError(`${command} needs a scenario file`);
  if (command !== 'test' && args.paths.length > 1) throw new UsageError(`${command} takes one scenario file`);
  if (command === 'snapshot' && args.line === undefined) throw new UsageError('snapshot needs --line N');
  return args;
}
