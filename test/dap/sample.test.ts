// The standalone adapter (dist/adapter.js) debugging real driver C: the probe-and-lock sample and
// small fixtures, through DebugClient as VS Code drives it.
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { adapterPath, ensureBuilt } from './build';
import { launchTo } from './launch';

const root = resolve(__dirname, '../..');
const SAMPLE = resolve(root, 'samples/01-probe-and-lock/scenario.c');
const fixture = (name: string) => resolve(root, 'test/fixtures/scenarios', name);
const AFTER_LOCK = 25; // LabBreak(); after the __try that holds MmProbeAndLockPages
const CALL_PROCESS_BUFFER = 60;

type Stopped = DebugProtocol.StoppedEvent;

async function motion(dc: DebugClient, command: string): Promise<Stopped> {
  const stopped = dc.waitForEvent('stopped', 20000) as Promise<Stopped>;
  await dc.send(command, { threadId: 1 });
  return stopped;
}

async function top(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function locals(dc: DebugClient, frameId?: number): Promise<DebugProtocol.Variable[]> {
  const id = frameId ?? (await top(dc)).id;
  const scopes = await dc.scopesRequest({ frameId: id });
  const l = scopes.body.scopes.find((s) => s.name === 'Locals')!;
  return (await dc.variablesRequest({ variablesReference: l.variablesReference })).body.variables;
}

async function children(dc: DebugClient, v: DebugProtocol.Variable, extra: Partial<DebugProtocol.VariablesArguments> = {}): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: v.variablesReference, ...extra })).body.variables;
}

describe('debugging driver C through the standalone adapter', function () {
  this.timeout(60000);
  let dc: DebugClient;
  before(() => ensureBuilt());
  beforeEach(async () => {
    dc = new DebugClient('node', adapterPath, 'mdl');
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
  });

  it('stops at a breakpoint after MmProbeAndLockPages with the MDL locked: PMDL typed, MdlFlags decoded, four PFNs', async () => {
    const s = await launchTo(dc, SAMPLE, [AFTER_LOCK]);
    assert.equal(s.body.reason, 'breakpoint');
    const f = await top(dc);
    assert.equal(f.line, AFTER_LOCK);
    assert.equal(f.name, 'ProcessBuffer');
    assert.equal(f.source?.path, SAMPLE);
    const vars = await locals(dc);
    const mdl = vars.find((v) => v.name === 'mdl')!;
    assert.match(mdl.type ?? '', /^(PMDL|struct _MDL \*)$/);
    assert.match(mdl.value, /0x000a MDL_PAGES_LOCKED \| MDL_ALLOCATED_FIXED_SIZE/);
    assert.ok(mdl.memoryReference, 'a pointer carries a memoryReference');
    const fields = await children(dc, mdl);
    assert.equal(fields.find((v) => v.name === 'MdlFlags')?.value, '0x000a MDL_PAGES_LOCKED | MDL_ALLOCATED_FIXED_SIZE');
    assert.equal(fields.find((v) => v.name === 'ByteCount')?.value, '0x3000');
    assert.equal(fields.find((v) => v.name === 'ByteOffset')?.value, '0x200');
    const pfnArray = fields.find((v) => v.name === 'PfnArray')!;
    assert.equal(pfnArray.indexedVariables, 4);
    const pfns = await children(dc, pfnArray, { filter: 'indexed', start: 1, count: 2 });
    assert.deepEqual(pfns.map((p) => p.name), ['[1]', '[2]']);
    assert.ok(pfns.every((p) => /^0x[0-9a-f]+$/.test(p.value)));
    const length = vars.find((v) => v.name === 'Length')!;
    assert.match(length.type ?? '', /SIZE_T/);
  });

  it('steps in, out and over C functions, and steps back', async () => {
    await launchTo(dc, SAMPLE, [CALL_PROCESS_BUFFER]);
    assert.equal((await top(dc)).line, CALL_PROCESS_BUFFER);
    await motion(dc, 'stepIn');
    let f = await top(dc);
    assert.equal(f.name, 'ProcessBuffer');
    await motion(dc, 'next');
    assert.ok((await top(dc)).line > f.line, 'next moved forward in ProcessBuffer');
    // ProcessBuffer holds two LabBreak() calls: hard-coded breakpoints stop a step out, as in WinDbg.
    let out = await motion(dc, 'stepOut');
    while (out.body.description === 'Paused on LabBreak()') out = await motion(dc, 'stepOut');
    assert.equal(out.body.reason, 'step');
    f = await top(dc);
    assert.equal(f.name, 'LabMain');
    assert.ok(f.line >= CALL_PROCESS_BUFFER);
    await motion(dc, 'next');
    const after = (await top(dc)).line;
    const back = await motion(dc, 'stepBack');
    assert.equal(back.body.reason, 'step');
    assert.ok((await top(dc)).line < after, 'step back returned to an earlier line');
    const status = (await locals(dc)).find((v) => v.name === 'status');
    assert.ok(status, 'locals are readable after stepping back');
  });

  it('evaluates C in watch and hover, decodes mdl->MdlFlags, and runs !mdl in the Debug Console', async () => {
    await launchTo(dc, SAMPLE, [AFTER_LOCK]);
    const frameId = (await top(dc)).id;
    const bc = await dc.evaluateRequest({ expression: 'mdl->ByteCount', context: 'watch', frameId });
    assert.match(bc.body.result, /^(12288|0x0*3000)$/);
    const flags = await dc.evaluateRequest({ expression: 'mdl->MdlFlags', context: 'hover', frameId });
    assert.equal(flags.body.result, '0x000a MDL_PAGES_LOCKED | MDL_ALLOCATED_FIXED_SIZE');
    const hex = await dc.evaluateRequest({ expression: 'Length', context: 'watch', frameId, format: { hex: true } });
    assert.match(hex.body.result, /0x0*3000/);
    const mdlAddr = (await dc.evaluateRequest({ expression: 'mdl', context: 'watch', frameId })).body.memoryReference!;
    const bang = await dc.evaluateRequest({ expression: `!mdl ${mdlAddr}`, context: 'repl', frameId });
    assert.match(bang.body.result, /^Mdl ffffe/);
    assert.match(bang.body.result, /MdlFlags\s+000a MDL_PAGES_LOCKED MDL_ALLOCATED_FIXED_SIZE/);
    assert.match(bang.body.result, /Physical page array \(4 pages\)/);
    const dt = await dc.evaluateRequest({ expression: 'dt _MDL mdl', context: 'repl', frameId });
    assert.match(dt.body.result, /\+0x028 ByteCount\s+: 0x3000/);
    const db = await dc.evaluateRequest({ expression: 'db UserBuffer L10', context: 'repl', frameId });
    assert.match(db.body.result, /^[0-9a-f]{8}`[0-9a-f]{8}  ab ab ab ab ab ab ab ab-ab ab ab ab ab ab ab ab  \.{16}$/);
    const k = await dc.evaluateRequest({ expression: 'k', context: 'repl', frameId });
    assert.match(k.body.result, /00 scenario!ProcessBuffer/);
    assert.match(k.body.result, /01 scenario!LabMain/);
    const compl = await dc.completionsRequest({ text: 'MmProbe', column: 8, frameId });
    assert.ok(compl.body.targets.some((t) => t.label === 'MmProbeAndLockPages'));
  });

  it('reads emulated memory behind a pointer (the hex view) and the Memory Manager scope lists the live MDL', async () => {
    await launchTo(dc, SAMPLE, [AFTER_LOCK]);
    const vars = await locals(dc);
    const buffer = vars.find((v) => v.name === 'UserBuffer')!;
    const mem = await dc.send('readMemory', { memoryReference: buffer.memoryReference, count: 16 });
    assert.equal(Buffer.from(mem.body.data, 'base64').toString('hex'), 'ab'.repeat(16));
    const scopes = await dc.scopesRequest({ frameId: (await top(dc)).id });
    const mm = scopes.body.scopes.find((s) => s.name === 'Memory Manager')!;
    const mmVars = (await dc.variablesRequest({ variablesReference: mm.variablesReference })).body.variables;
    const mdls = mmVars.find((v) => v.name === 'MDLs')!;
    assert.equal(mdls.value, '1 live');
    const map = (await dc.customRequest('mdlPhysicalMap')).body as { runs: [number, number][]; states: string[] };
    const snap = (await dc.customRequest('mdlSnapshot')).body.snapshot;
    assert.equal(map.runs.reduce((n, r) => n + r[1], 0), snap.physicalPages, 'the runs cover every frame');
    const active = map.runs.filter((r) => map.states[r[0]] === 'Active').reduce((n, r) => n + r[1], 0);
    assert.equal(active, snap.pageLists.Active);
    const ctx = scopes.body.scopes.find((s) => s.name === 'Context')!;
    const ctxVars = (await dc.variablesRequest({ variablesReference: ctx.variablesReference })).body.variables;
    assert.equal(ctxVars.find((v) => v.name === 'IRQL')?.value, 'PASSIVE_LEVEL (0)');
    assert.match(ctxVars.find((v) => v.name === 'Process')?.value ?? '', /^notepad\.exe/);
  });

  it('writeMemory changes the buffer the scenario sees, and physical reads show the same frame', async () => {
    await launchTo(dc, SAMPLE, [AFTER_LOCK]);
    const frameId = (await top(dc)).id;
    const buffer = (await locals(dc)).find((v) => v.name === 'UserBuffer')!;
    const w = await dc.send('writeMemory', { memoryReference: buffer.memoryReference, data: Buffer.from([1, 2, 3, 4]).toString('base64') });
    assert.equal(w.body.bytesWritten, 4);
    assert.match((await dc.evaluateRequest({ expression: '((PUCHAR)UserBuffer)[2]', context: 'watch', frameId })).body.result, /^(3|0x0*3)$/);
    const snap = (await dc.customRequest('mdlSnapshot')).body.snapshot;
    const m = snap.mdls[0];
    const phys = `phys:0x${(m.pfns[0] * 0x1000 + m.byteOffset).toString(16)}`;
    const p = await dc.send('readMemory', { memoryReference: phys, count: 8 });
    assert.equal(Buffer.from(p.body.data, 'base64').toString('hex'), '01020304abababab');
    await assert.rejects(dc.send('writeMemory', { memoryReference: '0x10', data: 'AAAA' }), /no valid mapping/);
    const bad = await dc.send('readMemory', { memoryReference: '0x10', count: 16 });
    assert.equal(bad.body.unreadableBytes, 16);
  });

  it('unlocking an MDL twice stops with bug check 0xC4 in the exception widget, nt!MmUnlockPages on the stack', async () => {
    const program = fixture('unlock-twice.c');
    const s = await launchTo(dc, program, []);
    assert.equal(s.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'DRIVER_VERIFIER_DETECTED_VIOLATION');
    assert.match(info.body.description ?? '', /\*\*\* BUGCHECK 0x000000C4 \(0x7C,/);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0].name, 'nt!MmUnlockPages');
    assert.equal(frames[0].presentationHint, 'subtle');
    assert.equal(frames[1].name, 'Release');
    assert.equal(frames[2].line, 18, 'the second Release call');
    const exited = dc.waitForEvent('exited', 20000);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 3);
  });


  it('pause stops an endless loop in C within a moment, and the loop counter has moved', async () => {
    await dc.initializeRequest();
    const launched = dc.launch({ program: fixture('endless.c') });
    await dc.waitForEvent('initialized', 20000);
    await dc.configurationDoneRequest();
    await launched;
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const s = await motion(dc, 'pause');
    assert.equal(s.body.reason, 'pause');
    assert.ok(Date.now() - t0 < 2000);
    const spins = (await locals(dc)).find((v) => v.name === 'spins')!;
    assert.ok(Number(spins.value) > 100, `spins = ${spins.value}`);
    const terminated = dc.waitForEvent('terminated', 20000);
    await dc.send('terminate', {});
    await terminated;
  });

  it('continues to the end: DbgPrint in the Debug Console with its line, exit code 0', async () => {
    const out: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e) => out.push(e as DebugProtocol.OutputEvent));
    await dc.initializeRequest();
    const exited = dc.waitForEvent('exited', 20000);
    const launched = dc.launch({ program: fixture('lock-and-print.c') });
    await dc.waitForEvent('initialized', 20000);
    await dc.configurationDoneRequest();
    await launched;
    assert.equal((await exited).body.exitCode, 0);
    const print = out.find((o) => o.body.output === 'doubled 42\n');
    assert.equal(print?.body.category, 'stdout');
    assert.equal(print?.body.line, 22);
  });

  it('a compile error fails the launch with file:line:col: error', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ program: fixture('syntax-error.c') }), /syntax-error\.c:\d+:\d+: error: /);
  });

  it('a data breakpoint on mdl->MdlFlags stops when MmGetSystemAddressForMdlSafe sets MDL_MAPPED_TO_SYSTEM_VA', async () => {
    await launchTo(dc, SAMPLE, [AFTER_LOCK]);
    const mdl = (await locals(dc)).find((v) => v.name === 'mdl')!;
    const info = await dc.send('dataBreakpointInfo', { variablesReference: mdl.variablesReference, name: 'MdlFlags' });
    assert.ok(info.body.dataId);
    assert.deepEqual(info.body.accessTypes, ['write']);
    const set = await dc.send('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    let s = await motion(dc, 'continue');
    if (s.body.description === 'Paused on LabBreak()') s = await motion(dc, 'continue');
    assert.equal(s.body.reason, 'data breakpoint');
    const flags = await dc.evaluateRequest({ expression: 'mdl->MdlFlags', context: 'watch', frameId: (await top(dc)).id });
    assert.match(flags.body.result, /MDL_MAPPED_TO_SYSTEM_VA/);
  });
});
