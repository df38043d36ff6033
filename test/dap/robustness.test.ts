// Adapter faults (issue 11): restart, disconnect in the middle of a run, two sessions at once,
// function breakpoints on emulated routines and edits while stopped — the adapter stays up.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { adapterPath, ensureBuilt } from './build';

const root = resolve(__dirname, '../..');
const SAMPLE = resolve(root, 'samples/01-probe-and-lock/scenario.c');
const fixture = (name: string) => resolve(root, 'test/fixtures/scenarios', name);

async function start(dc: DebugClient, program: string, lines: number[], setup?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest();
  const stopped = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
  const launched = dc.launch({ program });
  await dc.waitForEvent('initialized', 30000);
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: lines.map((line) => ({ line })) });
  await setup?.();
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}

describe('debug adapter under faults and concurrency', function () {
  this.timeout(90000);
  const clients: DebugClient[] = [];
  const client = async () => {
    const dc = new DebugClient('node', adapterPath, 'mdl');
    await dc.start();
    clients.push(dc);
    return dc;
  };
  before(() => ensureBuilt());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop().catch(() => undefined)));
  });

  it('restart runs the scenario again and meets the same bug check', async () => {
    const dc = await client();
    const first = await start(dc, fixture('unlock-twice.c'), []);
    assert.equal(first.body.reason, 'exception');
    const again = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.send('restart', { arguments: { program: fixture('unlock-twice.c') } });
    const second = await again;
    assert.equal(second.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'DRIVER_VERIFIER_DETECTED_VIOLATION');
  });

  it('the launch attribute timeout ends an endless loop after that many seconds of running, with exit code 4 and a sentence saying why', async () => {
    const dc = await client();
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    await dc.initializeRequest();
    const exited = dc.waitForEvent('exited', 30000) as Promise<DebugProtocol.ExitedEvent>;
    const launched = dc.launch({ program: fixture('endless.c'), timeout: 1 });
    await dc.waitForEvent('initialized', 30000);
    await dc.configurationDoneRequest();
    await launched;
    assert.equal((await exited).body.exitCode, 4);
    assert.ok(out.some((o) => /ran for 1 s without ending/.test(o)), out.join(''));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.breakMode, 'never', 'no bug check happened: the widget is told so, without an error');
  });

  it('disconnect in the middle of an endless loop answers, and the adapter process ends', async () => {
    const dc = await client();
    await dc.initializeRequest();
    const launched = dc.launch({ program: fixture('endless.c') });
    await dc.waitForEvent('initialized', 30000);
    await dc.configurationDoneRequest();
    await launched;
    await new Promise((r) => setTimeout(r, 200));
    const proc = (dc as unknown as { _adapterProcess: import('node:child_process').ChildProcess })._adapterProcess;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    await dc.disconnectRequest({});
    assert.equal(await exited, 0);
    clients.splice(clients.indexOf(dc), 1); // nothing left to stop
  });

  it('terminate while running ends the run with a terminated event', async () => {
    const dc = await client();
    await dc.initializeRequest();
    const launched = dc.launch({ program: fixture('endless.c') });
    await dc.waitForEvent('initialized', 30000);
    await dc.configurationDoneRequest();
    await launched;
    await new Promise((r) => setTimeout(r, 100));
    const terminated = dc.waitForEvent('terminated', 10000);
    await dc.send('terminate', {});
    await terminated;
    await assert.rejects(dc.send('next', { threadId: 1 }), /run has ended/);
  });

  it('two sessions at once each stop at their own breakpoint with their own state', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    const [sa, sb] = await Promise.all([start(a, SAMPLE, [25]), start(b, fixture('lock-and-print.c'), [21])]);
    assert.equal(sa.body.reason, 'breakpoint');
    assert.equal(sb.body.reason, 'breakpoint');
    const [fa, fb] = await Promise.all([a.stackTraceRequest({ threadId: 1 }), b.stackTraceRequest({ threadId: 1 })]);
    assert.equal(fa.body.stackFrames[0].name, 'ProcessBuffer');
    assert.equal(fb.body.stackFrames[0].name, 'LabMain');
    const snapA = (await a.customRequest('mdlSnapshot')).body.snapshot;
    const snapB = (await b.customRequest('mdlSnapshot')).body.snapshot;
    assert.equal(snapA.process, 'notepad.exe');
    assert.equal(snapB.process, 'app.exe');
  });

  it('a function breakpoint on MmProbeAndLockPages stops before the call, with nt!MmProbeAndLockPages as frame 0', async () => {
    const dc = await client();
    const s = await start(dc, SAMPLE, [], () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'MmProbeAndLockPages' }] }));
    assert.equal(s.body.reason, 'function breakpoint');
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0].name, 'nt!MmProbeAndLockPages');
    assert.equal(frames[1].name, 'ProcessBuffer');
    assert.equal(frames[1].line, 20);
    const snap = (await dc.customRequest('mdlSnapshot')).body.snapshot;
    assert.deepEqual(snap.mdls[0].flagNames, ['MDL_ALLOCATED_FIXED_SIZE'], 'the pages are not locked yet');
    const next = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await next).body.description, 'Paused on LabBreak()');
  });

  it('a data breakpoint on a global named in the Watch view stops where the loop changes it', async () => {
    const dc = await client();
    const program = fixture('counting.c');
    await start(dc, program, [10]);
    const info = await dc.send('dataBreakpointInfo', { name: 'g_sum', frameId: 1 });
    assert.ok(info.body.dataId, info.body.description);
    await dc.send('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, hitCondition: '3' }] });
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const stopped = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, 'data breakpoint');
    const frameId = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
    // g_sum changes at i = 1, 2, 3: the third change leaves 0+1+2+3 = 6.
    assert.equal((await dc.evaluateRequest({ expression: 'g_sum', context: 'watch', frameId })).body.result, '6');
  });

  it('an exception no __except handles stops as unhandled, with bug check 0x1E and the status in the widget', async () => {
    const dc = await client();
    const s = await start(dc, fixture('unhandled-raise.c'), []);
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /unhandled exception 0xC000009A/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'KMODE_EXCEPTION_NOT_HANDLED');
    assert.equal(info.body.breakMode, 'unhandled');
    assert.match(info.body.details?.stackTrace ?? '', /nt!ExRaiseStatus/);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['nt!ExRaiseStatus', 'Fail', 'LabMain']);
  });

  it('with "SEH exception raised" on, a probe of a bad buffer stops in the __except handler naming the raise', async () => {
    const dc = await client();
    const program = fixture('probe-bad-buffer.c');
    const s = await start(dc, program, [], () => dc.setExceptionBreakpointsRequest({ filters: ['seh-raised', 'bugcheck'] }));
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /Exception 0xC0000005 raised by MmProbeAndLockPages at .*probe-bad-buffer\.c:14/);
    const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.equal(frame.line, 16, 'the first statement of the handler');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'SEH exception');
    const exited = dc.waitForEvent('exited', 30000);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0, 'the handler caught it; the run ends well');
  });

  it('with "SEH exception raised" on, a write through a bad pointer inside __try stops first chance with 0xC0000005, and continuing reaches the __except block', async () => {
    const dc = await client();
    const dir = mkdtempSync(join(tmpdir(), 'mdlab-fault-'));
    const program = join(dir, 'bad-pointer.c');
    writeFileSync(program, [
      '#include <ntifs.h>',
      '#include <mdlab.h>',
      'VOID LabMain(VOID)',
      '{',
      '    NTSTATUS status = STATUS_SUCCESS;',
      '    __try {',
      '        *(PULONG)0x10 = 1;',
      '    } __except (EXCEPTION_EXECUTE_HANDLER) {',
      '        status = GetExceptionCode();',
      '    }',
      '    DbgPrint("caught 0x%08X\\n", status);',
      '    LabExpect(status == STATUS_ACCESS_VIOLATION, "the fault reached the handler");',
      '}',
      '',
    ].join('\n'));
    try {
      const s = await start(dc, program, [], () => dc.setExceptionBreakpointsRequest({ filters: ['seh-raised', 'bugcheck'] }));
      assert.equal(s.body.reason, 'exception');
      assert.match(s.body.description ?? '', /Exception 0xC0000005 raised at .*bad-pointer\.c:7/);
      assert.doesNotMatch(s.body.description ?? '', /raised by/, 'C code faulted, no routine raised it');
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      assert.equal(frame.line, 9, 'the first statement of the __except block');
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'SEH exception');
      assert.match(info.body.description ?? '', /0xC0000005/);
      const exited = dc.waitForEvent('exited', 30000);
      await dc.continueRequest({ threadId: 1 });
      assert.equal((await exited).body.exitCode, 0, 'the handler caught it and LabExpect passed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('setVariable changes a local, and the run follows the new value', async () => {
    const dc = await client();
    await start(dc, fixture('lock-and-print.c'), [21]);
    const stepped = dc.waitForEvent('stopped', 30000);
    await dc.nextRequest({ threadId: 1 });
    await stepped;
    const scopes2 = await dc.scopesRequest({ frameId: (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id });
    const r = await dc.setVariableRequest({ variablesReference: scopes2.body.scopes[0].variablesReference, name: 'doubled', value: '7' });
    assert.equal(r.body.value, '7');
    const out: string[] = [];
    dc.on('output', (e) => out.push((e as DebugProtocol.OutputEvent).body.output));
    const exited = dc.waitForEvent('exited', 30000);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 1, 'LabExpect(doubled == 42) now fails');
    assert.ok(out.some((o) => o.includes('doubled 7')));
  });
});
