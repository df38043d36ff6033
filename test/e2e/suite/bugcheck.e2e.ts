// A scenario that earns a bug check stops in the debugger with the bug check in the exception
// widget; restart runs it again from the start; terminate ends the session cleanly.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from './assert';
import { DapTracker } from './dapTracker';
import { MemFs } from './memfs';
import { until, waitFor } from './util';

// Unlocking an MDL twice: with Driver Verifier on, Windows stops with 0xC4 subcode 0x7C
// (mm-mdl-semantics.md §6.2).
const UNLOCK_TWICE = `#include <ntifs.h>
#include <mdlab.h>

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("app.exe");
    LabEnterProcess(app);
    PVOID buffer = LabUserAlloc(app, PAGE_SIZE, PAGE_READWRITE);
    PMDL mdl = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    MmUnlockPages(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}
`;
const SECOND_UNLOCK_LINE = 12;

/** The mdl session this suite started (the active one can still be an earlier suite's, shutting down). */
let current: vscode.DebugSession | undefined;

async function request<T>(command: string, args?: unknown): Promise<T> {
  const s = current ?? vscode.debug.activeDebugSession;
  if (!s) throw new Error(`no active debug session for "${command}"`);
  return (await s.customRequest(command, args)) as T;
}

describe('a bug check in the real debug UI', function () {
  this.timeout(60000);
  let tracker: DapTracker;
  let memfs: vscode.Disposable;
  let scenario: vscode.Uri;
  let threadId: number;

  let started: vscode.Disposable;

  before(async () => {
    started = vscode.debug.onDidStartDebugSession((s) => { if (s.type === 'mdl') current = s; });
    const { fs, disposable } = MemFs.register();
    memfs = disposable;
    scenario = fs.put('/unlock-twice/scenario.c', UNLOCK_TWICE);
    tracker = new DapTracker();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    // Let an earlier suite's session finish shutting down, so its events cannot be taken for ours.
    await until(() => vscode.debug.activeDebugSession === undefined, 10000, 'earlier sessions to end').catch(() => undefined);
  });

  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    tracker.dispose();
    memfs.dispose();
    started.dispose();
    current = undefined;
  });

  it('unlocking an MDL twice stops on the second MmUnlockPages with bug check 0xC4 in the exception widget', async () => {
    const doc = await vscode.workspace.openTextDocument(scenario);
    await vscode.window.showTextDocument(doc);
    const mark = tracker.mark();
    assert.ok(await vscode.debug.startDebugging(undefined, { type: 'mdl', request: 'launch', name: 'unlock twice', program: '${file}' }));
    const stop = await tracker.stopped(mark);
    assert.strictEqual(stop.body.reason, 'exception');
    threadId = stop.body.threadId!;
    const info = await request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId });
    const text = `${info.exceptionId} ${info.description ?? ''} ${info.details?.message ?? ''}`;
    assert.match(text, /DRIVER_VERIFIER_DETECTED_VIOLATION/);
    assert.match(text, /0x0*C4/i);
    const { stackFrames } = await request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId });
    const inScenario = stackFrames.find((f) => f.source?.path && vscode.Uri.parse(f.source.path).toString() === scenario.toString());
    assert.ok(inScenario, `a frame in the scenario among ${stackFrames.map((f) => f.name).join(' < ')}`);
    assert.strictEqual(inScenario.line, SECOND_UNLOCK_LINE, 'the scenario frame is on the second MmUnlockPages');
  });

  it('restart runs the scenario again from the start and meets the same bug check', async () => {
    const mark = tracker.mark();
    await vscode.commands.executeCommand('workbench.action.debug.restart');
    const stop = await tracker.stopped(mark, 30000);
    assert.strictEqual(stop.body.reason, 'exception');
    const info = await request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: stop.body.threadId });
    assert.match(`${info.exceptionId} ${info.description ?? ''}`, /DRIVER_VERIFIER_DETECTED_VIOLATION/);
  });

  it('terminate ends the session', async () => {
    const session = current ?? vscode.debug.activeDebugSession;
    assert.ok(session);
    const ended = waitFor(vscode.debug.onDidTerminateDebugSession, (s) => s.id === session.id, 15000, 'the session to end');
    await vscode.debug.stopDebugging(session);
    await ended;
    await until(() => vscode.debug.activeDebugSession === undefined, 5000, 'no active debug session');
  });
});
