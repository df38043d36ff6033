// Editor benchmark: a full re-check (preprocess, parse, type-check, lower) of a 2,000-line
// scenario, as the diagnostics provider does after a pause in typing, beside a reference measured
// in the same run: one pass of a plain regular-expression tokenizer over the same text.
// Run: node bench/langservice.mjs   (goal: a re-check under 50 ms)
import * as esbuild from 'esbuild';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = (await esbuild.build({
  entryPoints: ['src/lang/services/index.ts'], bundle: true, format: 'esm', platform: 'node', target: 'es2022', write: false,
})).outputFiles[0].text;
const dir = mkdtempSync(join(tmpdir(), 'mdl-bench-'));
const file = join(dir, 'services.mjs');
writeFileSync(file, out);
const { LanguageService } = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

// 2,000 lines: the sample's driver routine repeated under new names, then one LabMain calling them all.
const sample = readFileSync('samples/01-probe-and-lock/scenario.c', 'utf8');
const body = sample.slice(sample.indexOf('NTSTATUS ProcessBuffer'), sample.indexOf('VOID LabMain'));
const parts = ['#include <ntifs.h>', '#include <mdlab.h>'];
let n = 0;
while (parts.join('\n').split('\n').length < 1960) parts.push(body.replace('ProcessBuffer', `ProcessBuffer${n++}`));
parts.push('VOID LabMain(VOID)\n{');
for (let i = 0; i < n; i++) parts.push(`    ProcessBuffer${i}(NULL, 0);`);
parts.push('}');
const text = parts.join('\n');
const lines = text.split('\n').length;
const host = { readFile: () => text, resolveInclude: () => undefined };

const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function median(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) { const s = now(); f(); t.push(now() - s); }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const service = new LanguageService();
service.check('big.c', host); // warm: built-in headers, routine table
const errors = service.check('big.c', host).filter((d) => d.severity === 'error');
if (errors.length) { console.error('the generated scenario does not compile:', errors.slice(0, 3)); process.exit(1); }
const recheck = median(() => service.check('big.c', host), 15);
const TOKEN = /[A-Za-z_]\w*|0x[0-9a-fA-F]+|\d+|"(?:\\.|[^"\\])*"|\/\/.*|\S/g;
const tokenize = median(() => { let c = 0; for (const _ of text.matchAll(TOKEN)) c++; return c; }, 15);

console.log(`scenario: ${lines} lines, ${n} functions`);
console.log(`full re-check:            ${recheck.toFixed(1)} ms (goal < 50 ms)`);
console.log(`regex tokenizer baseline: ${tokenize.toFixed(1)} ms`);
console.log(`ratio re-check / baseline: ${(recheck / tokenize).toFixed(1)}x`);
