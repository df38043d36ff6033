// Runs `mdl-lab run FILE.c` (dist/cli.js, the headless runner) as a child process.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const cliPath = resolve(__dirname, '../../dist/cli.js');

export function runCli(file: string, physicalMemory?: string): { status: number | null; stdout: string; stderr: string } {
  const args = [cliPath, 'run', file];
  if (physicalMemory) args.push('--memory', physicalMemory);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 280_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { status: null, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}\n${r.error.message}` };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
