// DAP round-trip benchmark (issue 6): one step as VS Code performs it — next → stopped → stackTrace
// → scopes → variables of Locals — against MDL Lab's adapter with 10,000 MDLs live, beside the same
// round trip against a bare @vscode/debugadapter session that answers at once, in the same run.
// Goal: within 2x of the bare session. Run: node bench/dap.mjs [steps]
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildSync } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rounds = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'mdl-dap-bench-'));

buildSync({ entryPoints: [join(root, 'src/adapter/stdio.ts')], outfile: join(dir, 'adapter.js'), bundle: true, platform: 'node', format: 'cjs', minify: true, logLevel: 'warning' });

// The bare session: every request answered at once, with the same shapes of answers.
writeFileSync(join(dir, 'bare.js'), `
const { DebugSession, StoppedEvent, InitializedEvent } = require(${JSON.stringify(join(root, 'node_modules/@vscode/debugadapter'))});
class Bare extends DebugSession {
  initializeRequest(r) { r.body = { supportsConfigurationDoneRequest: true }; this.sendResponse(r); }
  launchRequest(r) { this.sendResponse(r); this.sendEvent(new InitializedEvent()); }
  configurationDoneRequest(r) { this.sendResponse(r); this.sendEvent(new StoppedEvent('entry', 1)); }
  threadsRequest(r) { r.body = { threads: [{ id: 1, name: 'main' }] }; this.sendResponse(r); }
  nextRequest(r) { this.sendResponse(r); this.sendEvent(new StoppedEvent('step', 1)); }
  stackTraceRequest(r) { r.body = { stackFrames: [{ id: 1, name: 'LabMain', line: 12, column: 5, source: { path: '/x.c' } }], totalFrames: 1 }; this.sendResponse(r); }
  scopesRequest(r) { r.body = { scopes: [{ name: 'Locals', variablesReference: 1, expensive: false }, { name: 'Globals', variablesReference: 2, expensive: false }] }; this.sendResponse(r); }
  variablesRequest(r) { r.body = { variables: [{ name: 'i', value: '5', type: 'ULONG', variablesReference: 0 }, { name: 'n', value: '10', type: 'ULONG', variablesReference: 0 }, { name: 'app', value: '0xffffe00000000010', type: 'PEPROCESS', variablesReference: 0 }] }; this.sendResponse(r); }
  disconnectRequest(r) { this.sendResponse(r); }
}
new Bare().start(process.stdin, process.stdout);
`);

const scenario = join(dir, 'many-mdls.c');
writeFileSync(scenario, `#include <ntifs.h>
#include <mdlab.h>
PMDL g_mdls[10000];
VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("bench.exe");
    LabEnterProcess(app);
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, 16 * PAGE_SIZE, PAGE_READWRITE);
    ULONG i;
    for (i = 0; i < 10000; i++) {
        g_mdls[i] = IoAllocateMdl(buffer + (i % 16) * PAGE_SIZE, PAGE_SIZE, FALSE, FALSE, NULL);
    }
    LabBreak();
    ULONG n = 0;
    for (i = 0; i < 100000000; i++) {
        n += i;
    }
}
`);

async function measure(adapter, program) {
  const dc = new DebugClient('node', adapter, 'mdl');
  await dc.start();
  await dc.initializeRequest();
  const first = dc.waitForEvent('stopped', 120000);
  const launched = dc.launch({ program });
  await dc.waitForEvent('initialized', 120000);
  await dc.configurationDoneRequest();
  await launched;
  await first;
  const times = [];
  const warmup = 20;
  for (let i = 0; i < rounds + warmup; i++) {
    const t0 = performance.now();
    const stopped = dc.waitForEvent('stopped', 120000);
    await dc.nextRequest({ threadId: 1 });
    await stopped;
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
    await dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference });
    if (i >= warmup) times.push(performance.now() - t0);
  }
  await dc.stop();
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)] };
}

/** Pause latency in an endless loop (issue 11: within 100 ms): pause request → stopped event. */
async function pauseLatency(adapter, program) {
  const dc = new DebugClient('node', adapter, 'mdl');
  await dc.start();
  await dc.initializeRequest();
  const launched = dc.launch({ program });
  await dc.waitForEvent('initialized', 120000);
  await dc.configurationDoneRequest();
  await launched;
  const times = [];
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const stopped = dc.waitForEvent('stopped', 120000);
    await dc.pauseRequest({ threadId: 1 });
    await stopped;
    times.push(performance.now() - t0);
    await dc.continueRequest({ threadId: 1 });
  }
  const terminated = dc.waitForEvent('terminated', 120000);
  const t0 = performance.now();
  await dc.send('terminate', {});
  await terminated;
  const terminateMs = performance.now() - t0;
  await dc.stop();
  times.sort((a, b) => a - b);
  return { median: times[10], max: times[19], terminateMs };
}

const endless = join(dir, 'endless.c');
writeFileSync(endless, '#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID)\n{\n    ULONG spins = 0;\n    for (;;) {\n        spins++;\n    }\n}\n');
const pause = await pauseLatency(join(dir, 'adapter.js'), endless);

const bare = await measure(join(dir, 'bare.js'), scenario);
const mdl = await measure(join(dir, 'adapter.js'), scenario);
const fmt = (x) => x.toFixed(2);
console.log(`round trips: ${rounds} (next → stopped → stackTrace → scopes → variables), 10,000 MDLs live`);
console.log(`bare session:  median ${fmt(bare.median)} ms, p90 ${fmt(bare.p90)} ms`);
console.log(`MDL Lab:       median ${fmt(mdl.median)} ms, p90 ${fmt(mdl.p90)} ms`);
console.log('(the snapshot event follows a stop after 40 ms without requests, so rapid stepping does not build it per step)');
console.log(`pause in an endless loop: median ${fmt(pause.median)} ms, max ${fmt(pause.max)} ms; terminate ${fmt(pause.terminateMs)} ms (goal < 100 ms: ${pause.max < 100 && pause.terminateMs < 100 ? 'met' : 'NOT met'})`);
console.log(`ratio (median): ${(mdl.median / bare.median).toFixed(2)}x  (goal <= 2x: ${mdl.median / bare.median <= 2 ? 'met' : 'NOT met'})`);
