// The adapter's protocol behaviour, driven by DebugClient over stdio against the adapter running a
// toy interpreter: stops, steps, time travel, pause, malformed and out-of-order requests.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const TOY = '/lab/toy.c';

async function launchTo(dc: DebugClient, breakpoints: DebugProtocol.SourceBreakpoint[], extra: Record<string, unknown> = {}): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest({ adapterID: 'mdl', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  const stopped = dc.waitForEvent('stopped', 10000) as Promise<DebugProtocol.StoppedEvent>;
  const launched = dc.launch({ program: TOY, ...extra });
  await dc.waitForEvent('initialized');
  await dc.setBreakpointsRequest({ source: { path: TOY }, breakpoints });
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}

async function motion(dc: DebugClient, command: string, args: object = { threadId: 1 }): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped', 10000) as Promise<DebugProtocol.StoppedEvent>;
  await dc.send(command, args);
  return stopped;
}

async function topLine(dc: DebugClient): Promise<number> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line;
}

async function local(dc: DebugClient, name: string): Promise<string | undefined> {
  const scopes = await dc.scopesRequest({ frameId: 1 });
  const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
  return vars.body.variables.find((v) => v.name === name)?.value;
}

describe('debug adapter protocol (toy interpreter)', function () {
  this.timeout(30000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = new DebugClient('node', join(__dirname, 'toyAdapter.cjs'), 'mdl');
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
  });

  it('advertises step back, data breakpoints and the bug check exception filter on by default', async () => {
    const r = await dc.initializeRequest();
    assert.equal(r.body?.supportsStepBack, true);
    assert.equal(r.body?.supportsDataBreakpoints, true);
    const bugcheck = r.body?.exceptionBreakpointFilters?.find((f) => f.filter === 'bugcheck');
    assert.equal(bugcheck?.default, true);
  });

  it('stops at a breakpoint, then next, step back and reverse continue move through time', async () => {
    const s = await launchTo(dc, [{ line: 13, condition: 'i == 2' }]);
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(await local(dc, 'i'), '2');
    await motion(dc, 'next');
    assert.equal(await topLine(dc), 14);
    assert.equal(await local(dc, 'i'), '3');
    const back = await motion(dc, 'stepBack');
    assert.equal(back.body.reason, 'step');
    assert.equal(await topLine(dc), 13);
    assert.equal(await local(dc, 'i'), '2');
    await dc.setBreakpointsRequest({ source: { path: TOY }, breakpoints: [{ line: 12, condition: 'i == 1' }] });
    const rc = await motion(dc, 'reverseContinue');
    assert.equal(rc.body.reason, 'breakpoint');
    assert.equal(await topLine(dc), 12);
    assert.equal(await local(dc, 'i'), '1');
  });

  it('sends the MM snapshot event after every stop, and answers the snapshot request', async () => {
    const snap = dc.waitForEvent('mdlSnapshot', 10000);
    await launchTo(dc, [{ line: 13 }]);
    const ev = await snap;
    assert.equal(ev.body.version, 1);
    assert.equal(ev.body.location.line, 13);
    const r = await dc.customRequest('mdlSnapshot');
    assert.equal(r.body.snapshot.step, ev.body.step);
  });

  it('goto step moves the stop to the given statement counter', async () => {
    await launchTo(dc, [{ line: 16 }]);
    const stopped = dc.waitForEvent('stopped', 10000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.customRequest('mdlGotoStep', { step: 3 });
    const s = await stopped;
    assert.equal(s.body.reason, 'goto');
    const snap = await dc.customRequest('mdlSnapshot');
    assert.equal(snap.body.snapshot.step, 3);
  });

  it('a bug check stops with reason exception and the exception widget names it', async () => {
    const s = await launchTo(dc, []);
    assert.equal(s.body.reason, 'breakpoint', 'first the LabBreak');
    const ex = await motion(dc, 'continue');
    assert.equal(ex.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'TEST_BUGCHECK');
    assert.match(info.body.description ?? '', /\*\*\* BUGCHECK 0x000000C4 \(0x1, 0x2, 0x3, 0x4\) TEST_BUGCHECK/);
    const ended = dc.waitForEvent('terminated', 10000);
    const exited = dc.waitForEvent('exited', 10000);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 3);
    await ended;
  });

  it('after a bug check and terminate, the exception widget still gets the bug check, and the call stack and variables views get empty answers, not errors', async () => {
    await launchTo(dc, []);
    const ex = await motion(dc, 'continue');
    assert.equal(ex.body.reason, 'exception');
    const frameRef = (await dc.scopesRequest({ frameId: 1 })).body.scopes[0].variablesReference;
    const ended = dc.waitForEvent('terminated', 10000);
    await dc.terminateRequest();
    await ended;
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'TEST_BUGCHECK');
    assert.equal(info.body.breakMode, 'always');
    assert.match(info.body.description ?? '', /BUGCHECK 0x000000C4 \(0x1, 0x2, 0x3, 0x4\)/);
    assert.deepEqual((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames, []);
    assert.deepEqual((await dc.scopesRequest({ frameId: 1 })).body.scopes, []);
    assert.deepEqual((await dc.variablesRequest({ variablesReference: frameRef })).body.variables, []);
    assert.deepEqual((await dc.completionsRequest({ text: 'to', column: 3 })).body.targets, []);
    await assert.rejects(dc.send('evaluate', { expression: 'i', context: 'repl' }), /the run has ended/, 'what the user typed is still told why');
  });

  it('after a run that ended without a bug check, exceptionInfo answers that there was none', async () => {
    await launchTo(dc, [], { stopOnEntry: true });
    const ended = dc.waitForEvent('terminated', 10000);
    await dc.terminateRequest();
    await ended;
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.breakMode, 'never');
    assert.match(info.body.description ?? '', /without a bug check/);
  });

  it('reverse continue over the protocol honours hit counts and passes over logpoints', async () => {
    const s = await launchTo(dc, []);
    assert.equal(s.body.reason, 'breakpoint', 'the LabBreak after the loop');
    const set = await dc.setBreakpointsRequest({ source: { path: TOY }, breakpoints: [{ line: 12, logMessage: 'adding {i}' }, { line: 13, hitCondition: '2' }] });
    const rc = await motion(dc, 'reverseContinue');
    assert.equal(rc.body.reason, 'breakpoint');
    assert.deepEqual(rc.body.hitBreakpointIds, [set.body.breakpoints[1].id]);
    assert.equal(await topLine(dc), 13);
    assert.equal(await local(dc, 'i'), '1', 'the second pass over line 13');
  });

  it('pause stops an endless loop', async () => {
    await launchTo(dc, [{ line: 17 }]);
    await dc.send('setExpression', { expression: 'i', value: '99', frameId: 1 });
    await dc.setBreakpointsRequest({ source: { path: TOY }, breakpoints: [] });
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const s = await motion(dc, 'pause');
    assert.equal(s.body.reason, 'pause');
    assert.ok(Date.now() - t0 < 1000, 'pause answered promptly');
    assert.equal(await topLine(dc), 17);
  });

  it('a data breakpoint on a watched address stops after the write', async () => {
    await launchTo(dc, [{ line: 10 }]);
    const r = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: '0x100/4/g_total' }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const s = await motion(dc, 'continue');
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(await topLine(dc), 22);
  });

  it('a function breakpoint on an emulated routine shows it as a subtle frame without source', async () => {
    await dc.initializeRequest();
    const stopped = dc.waitForEvent('stopped', 10000) as Promise<DebugProtocol.StoppedEvent>;
    const launched = dc.launch({ program: TOY });
    await dc.waitForEvent('initialized');
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DbgPrint' }, { name: 'NoSuchRoutine' }] });
    assert.deepEqual(fb.body.breakpoints.map((b) => b.verified), [true, false]);
    await dc.configurationDoneRequest();
    await launched;
    assert.equal((await stopped).body.reason, 'function breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[0].name, 'nt!DbgPrint');
    assert.equal(st.body.stackFrames[0].presentationHint, 'subtle');
    assert.equal(st.body.stackFrames[1].name, 'LabMain');
  });

  it('a logpoint prints its message with the source location and does not stop', async () => {
    const out: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e) => out.push(e as DebugProtocol.OutputEvent));
    const s = await launchTo(dc, [{ line: 13, logMessage: 'i={i}' }]);
    assert.equal(s.body.description, 'Paused on LabBreak()');
    const logs = out.filter((o) => o.body.output.startsWith('i='));
    assert.deepEqual(logs.map((o) => o.body.output.trim()), ['i=0', 'i=1', 'i=2', 'i=3', 'i=4']);
    const dbg = out.find((o) => o.body.category === 'stdout');
    assert.equal(dbg?.body.line, 15, 'DbgPrint output carries its line');
  });

  it('noDebug runs to the end without stopping at breakpoints or LabBreak()', async () => {
    await dc.initializeRequest();
    const exited = dc.waitForEvent('exited', 10000);
    const launched = dc.launch({ program: TOY, noDebug: true });
    await dc.waitForEvent('initialized');
    await dc.setBreakpointsRequest({ source: { path: TOY }, breakpoints: [{ line: 13 }] });
    await dc.configurationDoneRequest();
    await launched;
    assert.equal((await exited).body.exitCode, 3, 'the toy ends in its bug check');
  });

  it('malformed, unknown and out-of-order requests get error responses and the adapter stays up', async () => {
    await assert.rejects(dc.send('next', { threadId: 1 }), /no scenario is loaded/);
    await assert.rejects(dc.send('variables', { variablesReference: 'x' }), /must be a number|no scenario/);
    await assert.rejects(dc.send('mdlNoSuchThing', {}), /unrecognized request/);
    await assert.rejects(dc.send('launch', { program: '/lab/missing.c' }), /cannot read/);
    await assert.rejects(dc.send('launch', { program: '/lab/bad.c' }), /bad\.c:3:7: error: expected ';'/);
    await assert.rejects(dc.send('launch', { program: TOY, physicalMemory: 'lots' }), /not a size/);
    const s = await launchTo(dc, [{ line: 13 }]);
    assert.equal(s.body.reason, 'breakpoint');
    await assert.rejects(dc.send('scopes', { frameId: 99 }), /no frame 99/);
    await assert.rejects(dc.send('variables', { variablesReference: 123456 }), /no variables/);
    await assert.rejects(dc.send('exceptionInfo', { threadId: 1 }), /not stopped on an exception/);
    await assert.rejects(dc.send('mdlGotoStep', { step: 'soon' }), /numeric step/);
    await assert.rejects(dc.send('evaluate', { expression: 42 }), /expression must be a string/);
    await assert.rejects(dc.send('setBreakpoints', { breakpoints: [{ line: 3 }] }), /missing argument: source.path/);
    await assert.rejects(dc.send('launch', { program: TOY }), /already running/);
    await assert.rejects(dc.send('evaluate', { expression: '!nosuch', context: 'repl' }), /unknown command/);
    assert.equal((await dc.threadsRequest()).body.threads.length, 1, 'still answering');
  });
});
