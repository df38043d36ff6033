// Compiles preprocessed driver C with the host's gcc, to check the built-in headers against a real
// C compiler. Windows' `long` is 32-bit (LLP64); gcc's is 64-bit, so a lone `long` becomes `int`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Token } from '../../../../src/lang/tokens';

export function haveGcc(): boolean {
  return spawnSync('gcc', ['--version']).status === 0;
}

export function toGccSource(tokens: readonly Token[]): string {
  let s = '';
  let last = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'eof') break;
    const where = `${t.file}:${t.line}`;
    if (where !== last && s) s += '\n';
    last = where;
    let text = t.text;
    if (text === 'long' && tokens[i - 1]?.text !== 'long' && tokens[i + 1]?.text !== 'long') text = 'int';
    s += text + ' ';
  }
  return s + '\n';
}

/** Compiles (and, with `run`, links and runs) the source; returns gcc's or the program's output. */
export function gcc(source: string, run: boolean): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mdlab-gcc-'));
  try {
    const file = join(dir, 'unit.c');
    writeFileSync(file, source);
    const exe = join(dir, 'unit');
    const args = run ? ['-std=gnu17', '-w', '-o', exe, file] : ['-fsyntax-only', '-std=gnu17', '-w', file];
    const cc = spawnSync('gcc', args, { encoding: 'utf8' });
    if (cc.status !== 0 || !run) return { ok: cc.status === 0, output: cc.stderr };
    const p = spawnSync(exe, [], { encoding: 'utf8' });
    return { ok: p.status === 0, output: p.stdout + p.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
