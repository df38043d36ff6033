// Time-travel benchmark (issue 6): a 1,000,000-statement run of driver C, then step back from
// random places in it. Goal: a step back anywhere in under 100 ms. Also reports what recording
// checkpoints costs, as the ratio of the recorded run to the same run with time travel off.
// Run: node bench/timetravel.mjs [statements]
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The engine bundled as the adapter bundles it (production settings: what users run).
const bundled = await build({
  stdin: { contents: "export { DebugEngine } from './src/engine/engine'; export { MemoryFileHost } from './src/engine/host'; export { defaultEngineDeps } from './src/engine/defaultDeps';", resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', write: false, minify: true, target: 'es2022',
});
const out = join(mkdtempSync(join(tmpdir(), 'mdl-bench-')), 'engine.mjs');
writeFileSync(out, bundled.outputFiles[0].text);
const { DebugEngine, MemoryFileHost, defaultEngineDeps } = await import(pathToFileURL(out).href);

const target = Number(process.argv[2] ?? 1_000_000);
const FILE = '/bench/loop.c';
const source = (iterations) => `#include <ntifs.h>
#include <mdlab.h>
ULONG64 g_sum = 0;
VOID LabMain(VOID)
{
    ULONG64 i;
    for (i = 0; i < ${iterations}; i++) {
        g_sum += i;
    }
    LabBreak();
}
`;

async function load(iterations, options) {
  const e = new DebugEngine(defaultEngineDeps, new MemoryFileHost({ [FILE]: source(iterations) }));
  const r = await e.load(FILE, options);
  if (!r.ok) throw new Error(r.message);
  return e;
}

// Calibrate: statements per loop iteration.
const probe = await load(1000, { checkpointInterval: 0 });
await probe.start();
const perIteration = probe.machine.steps / 1000;
const iterations = Math.ceil(target / perIteration);

// Warm the JIT on a shorter run of both kinds, so that neither measured run pays for it.
await (await load(Math.ceil(iterations / 10), { checkpointInterval: 0 })).start();
await (await load(Math.ceil(iterations / 10), {})).start();

const plain = await load(iterations, { checkpointInterval: 0 });
let t0 = performance.now();
await plain.start();
const plainMs = performance.now() - t0;

const recorded = await load(iterations, {});
t0 = performance.now();
const stop = await recorded.start();
const recordedMs = performance.now() - t0;
const total = recorded.machine.steps;
if (stop.kind !== 'LabBreak') throw new Error(`expected to stop at LabBreak, got ${JSON.stringify(stop)}`);

// Deterministic pseudo-random positions (no Math.random, so runs compare).
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const times = [];
const gotoTimes = [];
const replays = [];
for (let i = 0; i < 30; i++) {
  const at = 1 + Math.floor(rand() * (total - 2));
  let t = performance.now();
  await recorded.gotoStep(at);
  gotoTimes.push(performance.now() - t);
  t = performance.now();
  const replayedBefore = recorded.replayedStatements;
  await recorded.stepBack();
  times.push(performance.now() - t);
  replays.push(recorded.replayedStatements - replayedBefore);
  if (recorded.machine.steps >= at) throw new Error('step back did not go back');
}
times.sort((a, b) => a - b);
gotoTimes.sort((a, b) => a - b);
const median = (xs) => xs[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);
console.log(`statements in the run:            ${total} (${perIteration} per loop iteration)`);
console.log(`run, time travel off (reference): ${fmt(plainMs)} ms (${fmt(total / plainMs / 1000)} M statements/s)`);
console.log(`run, recording checkpoints:       ${fmt(recordedMs)} ms  ratio ${(recordedMs / plainMs).toFixed(2)}x, ${recorded.checkpointCount} checkpoints`);
if (process.env.BENCH_VERBOSE) console.log(gotoTimes.map(fmt).join(' '), '\n', times.map(fmt).join(' '));
const mem = process.memoryUsage();
console.log(`host memory after recording:      heap ${fmt(mem.heapUsed / 2 ** 20)} MiB, array buffers ${fmt(mem.arrayBuffers / 2 ** 20)} MiB`);
console.log(`goto a random step:               median ${fmt(median(gotoTimes))} ms, max ${fmt(gotoTimes.at(-1))} ms`);
replays.sort((a, b) => a - b);
const msPerStatement = plainMs / total;
console.log(`statements replayed per step back: median ${median(replays)}, max ${replays.at(-1)} (at this host's speed ${fmt(replays.at(-1) * msPerStatement)} ms)`);
console.log(`step back at a random step:       median ${fmt(median(times))} ms, max ${fmt(times.at(-1))} ms  (goal < 100 ms: ${times.at(-1) < 100 ? 'met' : 'NOT met'})`);

// Reverse continue from the end. Line and data breakpoints are searched latest interval first; a
// hit count (like a function breakpoint) needs every earlier hit, so the past is replayed from the
// start with the forward stop check: that costs about one run, reported as a ratio to the reference.
async function reverseTo(reason, setup) {
  await recorded.gotoStep(total);
  setup();
  const t = performance.now();
  const r = await recorded.reverseContinue();
  const ms = performance.now() - t;
  if (r.reason !== reason) throw new Error(`reverse continue to a ${reason}: ${JSON.stringify(r)}`);
  recorded.breakpoints.setLineBreakpoints(FILE, [], recorded.loadedProgram);
  recorded.breakpoints.setDataBreakpoints([], recorded.kernel);
  return ms;
}
const lineMs = await reverseTo('breakpoint', () => recorded.breakpoints.setLineBreakpoints(FILE, [{ line: 8 }], recorded.loadedProgram));
const sumAddress = Number(recorded.machine.evaluate('&g_sum').raw);
const dataMs = await reverseTo('data breakpoint', () => recorded.breakpoints.setDataBreakpoints([{ address: sumAddress, size: 8, label: 'g_sum' }], recorded.kernel));
const hitMs = await reverseTo('breakpoint', () => recorded.breakpoints.setLineBreakpoints(FILE, [{ line: 8, hitCondition: '10' }], recorded.loadedProgram));
if (Number(recorded.machine.evaluate('i').raw) !== 9) throw new Error('the hit count did not land on the tenth pass');
console.log(`reverse continue, line breakpoint: ${fmt(lineMs)} ms`);
console.log(`reverse continue, data breakpoint: ${fmt(dataMs)} ms`);
console.log(`reverse continue, hit count:       ${fmt(hitMs)} ms  ratio ${(hitMs / plainMs).toFixed(2)}x the reference run (replays from the start)`);
