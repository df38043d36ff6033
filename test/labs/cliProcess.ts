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

/** `mdl-lab snapshot FILE --line N [--hit K]`: the MM snapshot JSON at that stop, or the reason there is none. */
export function runSnapshot(file: string, line: number, hit: number, physicalMemory?: string): { snapshot: unknown } | { error: string } {
  const args = [cliPath, 'snapshot', file, '--line', String(line)];
  if (hit > 1) args.push('--hit', String(hit));
  if (physicalMemory) args.push('--memory', physicalMemory);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 280_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) return { error: `mdl-lab snapshot exited ${r.status}: ${(r.stderr || r.stdout || r.error?.message || '').slice(0, 2000)}` };
  try {
    return { snapshot: JSON.parse(r.stdout) };
  } catch (e) {
    return { error: `the snapshot is not JSON: ${(e as Error).message}` };
  }
}
