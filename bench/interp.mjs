// Interpreter speed: the same hot loop (integer arithmetic, array indexing through a pointer, a
// function call per iteration) in driver C on the emulator, in plain JavaScript, and in JSCPP (an
// existing C interpreter in JavaScript), measured in one run; prints time per iteration and ratios.
// Run: node bench/interp.mjs [iterations] [repetitions]   (goal: >= 300x faster than JSCPP, <= 10x slower than JS)
// Times are CPU time of this process (process.cpuUsage), so other load on a shared machine counts
// less; driver C and plain JS run alternately `repetitions` times and the medians are compared.
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const N = Number(process.argv[2] ?? 3_000_000);
const REPS = Math.max(1, Number(process.argv[3] ?? 3));
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const N_JSCPP = Math.max(2000, Math.floor(N / 300));

const kernelModule = existsSync('src/emulator/index.ts') ? './src/emulator/index.ts' : existsSync('src/emulator/kernel.ts') ? './src/emulator/kernel.ts' : null;
const entry = `export { driverC } from './src/lang/index.ts';
${kernelModule ? `export { createKernel } from '${kernelModule}';` : `export const createKernel = null;`}
export { FakeKernel } from './test/unit/lang/helpers/fakeKernel.ts';
export { makePauseOnlyCheck } from './src/engine/stopChecks.ts';`;
const out = join(mkdtempSync(join(tmpdir(), 'mdl-bench-')), 'bundle.mjs');
await esbuild.build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
const { driverC, createKernel, FakeKernel, makePauseOnlyCheck } = await import(pathToFileURL(out).href);
// The stop check the debugger gives the machine for a run with no breakpoints and no step (F5 with
// none set, or the CLI): pause requests and Driver Verifier reports only.
const runCheck = makePauseOnlyCheck({ isPauseRequested: () => false, takeReport: () => null, setPending: () => {} });

const body = (n, u32, noargs) => `
${u32} table[256];
${u32} mix(${u32} a, ${u32} b) { return (a ^ b) % 65521 * 31 + 7; }
${u32} run(${noargs}) {
  ${u32} *p = table;
  ${u32} acc = 0;
  ${u32} i;
  for (i = 0; i < 256; i++) p[i] = i;
  for (i = 0; i < ${n}; i++) {
    p[i & 255] += i;
    acc = mix(acc, p[(i * 7) & 255]);
  }
  return acc;
}`;

// ---- driver C ----
const cSource = `#include <ntddk.h>\n${body(N, 'ULONG', 'VOID')}\nULONG result;\nVOID LabMain(VOID) { result = run(); DbgPrint("%u\\n", result); }\n`;
const files = { 'bench.c': cSource };
const compiled = driverC.compile('bench.c', { readFile: (p) => files[p], resolveInclude: () => undefined });
if (!compiled.program) { console.error(compiled.diagnostics); process.exit(1); }
function runC() {
  let printed = '';
  const kernel = createKernel ? createKernel({ output: (l) => { printed += l; } }) : new FakeKernel();
  const machine = driverC.createMachine(compiled.program, kernel);
  const t0 = cpuMs();
  let o;
  do o = machine.run(1 << 20, runCheck); while (o.kind === 'budget');
  const ms = cpuMs() - t0;
  if (!createKernel) printed = kernel.out.join('');
  return { ms, printed, steps: machine.steps };
}

// ---- plain JavaScript ----
function jsRun(n) {
  const table = new Uint32Array(256);
  const mix = (a, b) => ((((a ^ b) >>> 0) % 65521) * 31 + 7) >>> 0;
  let acc = 0;
  for (let i = 0; i < 256; i++) table[i] = i;
  for (let i = 0; i < n; i = (i + 1) >>> 0) {
    table[i & 255] = (table[i & 255] + i) >>> 0;
    acc = mix(acc, table[Math.imul(i, 7) & 255]);
  }
  return acc;
}
jsRun(1000);

const cTimes = [], jsTimes = [];
let c, jsResult;
for (let r = 0; r < REPS; r++) {
  c = runC();
  cTimes.push(c.ms);
  const t0 = cpuMs();
  jsResult = jsRun(N);
  jsTimes.push(cpuMs() - t0);
}
const cMs = median(cTimes), jsMs = median(jsTimes);
const printed = c.printed;

// ---- JSCPP ----
const require = createRequire(import.meta.url);
const JSCPP = require('JSCPP');
let jscppOut = '';
const cppSource = `#include <iostream>\nusing namespace std;\n${body(N_JSCPP, 'unsigned int', '')}\nint main() { cout << run(); return 0; }\n`;
let t0 = cpuMs();
if (!process.env.SKIP_JSCPP) JSCPP.run(cppSource, '', { stdio: { write: (s) => { jscppOut += s; } } });
const jscppMs = cpuMs() - t0;

const cPer = (cMs * 1e6) / N, jsPer = (jsMs * 1e6) / N, jscppPer = (jscppMs * 1e6) / N_JSCPP;
console.log(`kernel: ${createKernel ? kernelModule : 'test double (no emulator yet)'}; steps: ${c.steps}; CPU time, median of ${REPS}`);
console.log(`driver C  ${N.toLocaleString()} iterations: ${cMs.toFixed(0)} ms  (${cPer.toFixed(1)} ns/iteration; runs ${cTimes.map((x) => ((x * 1e6) / N).toFixed(0)).join(', ')})  result ${printed.trim()} (JS says ${jsResult})`);
console.log(`plain JS  ${N.toLocaleString()} iterations: ${jsMs.toFixed(1)} ms  (${jsPer.toFixed(1)} ns/iteration; runs ${jsTimes.map((x) => ((x * 1e6) / N).toFixed(1)).join(', ')})`);
console.log(`JSCPP     ${N_JSCPP.toLocaleString()} iterations: ${jscppMs.toFixed(0)} ms  (${jscppPer.toFixed(0)} ns/iteration)  result ${jscppOut.trim()}`);
console.log(`driver C is ${(jscppPer / cPer).toFixed(0)}x faster than JSCPP (goal >= 300x) and ${(cPer / jsPer).toFixed(1)}x slower than plain JS (goal <= 10x)`);
