// Preprocessor benchmark: the sample scenario and the editor's 2,000-line scenario preprocessed and
// compiled with the built-in include cache cold (cleared before every run) and warm, beside a
// reference measured in the same run: one pass of a plain regular-expression tokenizer over the sample.
// Run: node bench/preprocess.mjs   (goal: preprocessing the sample warm at least 3x faster than cold)
import * as esbuild from 'esbuild';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = (await esbuild.build({
  stdin: {
    contents: `export { preprocess, clearBuiltinIncludeCache } from './src/lang/preprocessor/index';
export { compile } from './src/lang/program';`,
    resolveDir: process.cwd(), loader: 'ts',
  },
  bundle: true, format: 'esm', platform: 'node', target: 'es2022', write: false,
})).outputFiles[0].text;
const dir = mkdtempSync(join(tmpdir(), 'mdl-bench-'));
const file = join(dir, 'pp.mjs');
writeFileSync(file, out);
const { preprocess, clearBuiltinIncludeCache, compile } = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

const sample = readFileSync('samples/01-probe-and-lock/scenario.c', 'utf8');
// The editor benchmark's scenario: the sample's driver routine repeated to 2,000 lines.
const routine = sample.slice(sample.indexOf('NTSTATUS ProcessBuffer'), sample.indexOf('VOID LabMain'));
const parts = ['#include <ntifs.h>', '#include <mdlab.h>'];
for (let n = 0; parts.join('\n').split('\n').length < 1960; n++) parts.push(routine.replace('ProcessBuffer', `ProcessBuffer${n}`));
const big = parts.join('\n');
const hostOf = (text) => ({ readFile: () => text, resolveInclude: () => undefined });

const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function median(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) { const s = now(); f(); t.push(now() - s); }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
// Cold and warm runs alternate so a change in machine load hits both alike.
function coldWarm(f, runs) {
  for (let i = 0; i < 5; i++) { clearBuiltinIncludeCache(); f(); f(); } // JIT warm-up
  const cold = [], warm = [];
  for (let i = 0; i < runs; i++) {
    clearBuiltinIncludeCache();
    let s = now(); f(); cold.push(now() - s);
    s = now(); f(); warm.push(now() - s);
  }
  const med = (t) => t.sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { cold: med(cold), warm: med(warm) };
}

const TOKEN = /[A-Za-z_]\w*|0x[0-9a-fA-F]+|\d+|"(?:\\.|[^"\\])*"|\/\/.*|\S/g;
const baseline = median(() => { let c = 0; for (const _ of sample.matchAll(TOKEN)) c++; return c; }, 41);

const rows = [
  ['preprocess sample', coldWarm(() => preprocess('scenario.c', hostOf(sample)), 41)],
  ['compile sample', coldWarm(() => compile('scenario.c', hostOf(sample)), 21)],
  ['preprocess 2,000-line scenario', coldWarm(() => preprocess('big.c', hostOf(big)), 21)],
];
// Equivalence spot check: the cached run must hand out what the uncached one does.
clearBuiltinIncludeCache();
const a = JSON.stringify(preprocess('scenario.c', hostOf(sample), { builtinCache: false }), (k, v) => (v instanceof Map ? [...v] : v));
preprocess('scenario.c', hostOf(sample));
const b = JSON.stringify(preprocess('scenario.c', hostOf(sample)), (k, v) => (v instanceof Map ? [...v] : v));
if (a !== b) { console.error('cached and uncached preprocessing differ'); process.exit(1); }

console.log(`sample: ${sample.split('\n').length} lines; editor scenario: ${big.split('\n').length} lines`);
console.log(`regex tokenizer baseline (sample): ${baseline.toFixed(2)} ms`);
for (const [name, { cold, warm }] of rows) {
  console.log(`${name.padEnd(32)} cold ${cold.toFixed(2).padStart(7)} ms  warm ${warm.toFixed(2).padStart(7)} ms  ` +
    `cold/warm ${(cold / warm).toFixed(1)}x  warm/baseline ${(warm / baseline).toFixed(1)}x`);
}
