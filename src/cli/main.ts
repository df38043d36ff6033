// `mdl-lab`, the headless runner (dist/cli.js): argument parsing, the Node file host, exit codes.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parsePhysicalMemory } from '../engine/options';
import type { EngineOptions } from '../engine/options';
import { defaultEngineDeps } from '../engine/defaultDeps';
import { parseArgs, UsageError, USAGE } from './args';
import { runCli } from './commands';
import { EXIT } from './io';
import { NodeFileHost } from './nodeFileHost';

/** Folders expand to the .c files below them that define LabMain, in name order. */
async function listScenarios(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const visit = async (p: string, top: boolean): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch {
      if (top) out.push(p); // reported as unreadable by the run itself
      return;
    }
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n !== 'node_modules' && !n.startsWith('.')).sort();
      for (const n of names) await visit(join(p, n), false);
    } else if (top || (p.endsWith('.c') && /\bLabMain\s*\(/.test(await readFile(p, 'utf8')))) out.push(p);
  };
  for (const p of paths) await visit(p, true);
  return out;
}

/** A lab's lab.json may name the physical memory it is written for (e.g. "64m" for pinning pressure). */
async function labOptions(file: string): Promise<Partial<EngineOptions>> {
  try {
    const lab = JSON.parse(await readFile(join(dirname(file), 'lab.json'), 'utf8')) as { physicalMemory?: string | number };
    return lab.physicalMemory !== undefined ? { physicalMemory: parsePhysicalMemory(lab.physicalMemory) } : {};
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mdl-lab: ${e.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  return runCli(args, {
    deps: defaultEngineDeps,
    host: new NodeFileHost(),
    io: { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
    listScenarios,
    writeFile: (p, t) => writeFile(p, t, 'utf8'),
    optionsFor: labOptions,
    now: () => performance.now(),
  });
}

main().then(
  (code) => {
    // Let stdout drain before exiting (large snapshots go through a pipe).
    process.stdout.write('', () => process.exit(code));
  },
  (e: Error) => {
    process.stderr.write(`mdl-lab: internal error: ${e.stack ?? e.message}\n`);
    process.exit(EXIT.internal);
  },
);
