// A user's session in the real debug UI, driven through VS Code's API: breakpoints, F5's launch
// configuration, the stop, stack and variables, stepping forwards and back, WinDbg's `!mdl` in the
// Debug Console, the MDL panel following the stop, a bug check, restart and terminate.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from './assert';
import { DapTracker } from './dapTracker';
import { activeExtension, sampleUri, until, waitFor } from './util';
import type { MdlLabApi } from '../../../src/extension/activate';

const SAMPLE = ['samples', '01-probe-and-lock', 'scenario.c'];

/** 1-based line of the first line of `doc` containing `text`. */
function lineOf(doc: vscode.TextDocument, text: string, after = 0): number {
  for (let i = after; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i + 1;
  throw new Error(`"${text}" is not in ${doc.uri.path}`);
}

async function request<T>(command: string, args?: unknown): Promise<T> {
  const s = vscode.debug.activeDebugSession;
  if (!s) throw new Error(`no active debug session for "${command}"`);
  return (await s.customRequest(command, args)) as T;
}

async function topFrame(threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId, startFrame: 0, levels: 20 });
  assert.ok(st.stackFrames.length > 0, 'the stopped thread has frames');
  return st.stackFrames[0];
}

async function locals(frameId: number): Promise<DebugProtocol.Variable[]> {
  const { scopes } = await request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
  const scope = scopes.find((s) => /local/i.test(s.name)) ?? scopes[0];
  const { variables } = await request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scope.variablesReference });
  return variables;
}

async function children(v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
  assert.ok(v.variablesReference > 0, `${v.name} can be expanded`);
  return (await request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: v.variablesReference })).variables;
}

describe('debugging a scenario in the real debug UI', function () {
  this.timeout(60000);
  let api: MdlLabApi;
  let tracker: DapTracker;
  let doc: vscode.TextDocument;
  let threadId: number;
  let afterLock: number;

  before(async () => {
    api = (await activeExtension<MdlLabApi>()).exports;
    tracker = new DapTracker();
    doc = await vscode.workspace.openTextDocument(sampleUri(...SAMPLE));
    await vscode.window.showTextDocument(doc);
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    tracker.dispose();
  });

  it('F5 with no launch.json starts the open scenario and stops at a breakpoint after MmProbeAndLockPages', async () => {
    // The first statement after the __try/__except that holds MmProbeAndLockPages.
    afterLock = lineOf(doc, 'LabBreak();', lineOf(doc, 'MmProbeAndLockPages(mdl'));
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(afterLock - 1, 0)))]);
    const mark = tracker.mark();
    // An empty configuration is what F5 sends when there is no launch.json.
    // What F5 runs: with no launch.json, VS Code picks the debugger for C and asks MDL Lab to resolve.
    const started = waitFor(vscode.debug.onDidStartDebugSession, (s) => s.type === 'mdl', 20000, 'an mdl session to start');
    await vscode.commands.executeCommand('workbench.action.debug.start');
    const session = await started;
    assert.strictEqual(session.configuration.name, 'Debug MDL scenario');
    assert.strictEqual(session.configuration.program, doc.uri.toString(), '${file} resolved to the open scenario');
    const stop = await tracker.stopped(mark);
    assert.strictEqual(stop.body.reason, 'breakpoint');
    threadId = stop.body.threadId ?? (await request<DebugProtocol.ThreadsResponse['body']>('threads')).threads[0].id;
    const frame = await topFrame(threadId);
    assert.strictEqual(frame.line, afterLock, 'stopped on the breakpoint line');
    assert.match(frame.name, /ProcessBuffer/);
    assert.strictEqual(frame.source?.path && vscode.Uri.parse(frame.source.path).toString(), doc.uri.toString(), 'the frame names the scenario by its workspace URI');
  });

  it('shows the locked MDL in Variables: a PMDL whose MdlFlags decode to MDL_PAGES_LOCKED', async () => {
    const frame = await topFrame(threadId);
    const vars = await locals(frame.id);
    const mdl = vars.find((v) => v.name === 'mdl');
    assert.ok(mdl, `a local named mdl among ${vars.map((v) => v.name).join(', ')}`);
    assert.match(mdl.type ?? '', /PMDL|MDL \*/, 'typed as a PMDL');
    const flags = (await children(mdl)).find((v) => v.name === 'MdlFlags');
    assert.ok(flags, 'the MDL expands to its fields');
    assert.match(flags.value, /MDL_PAGES_LOCKED/);
  });

  it('forwards the stop\'s MM snapshot to the extension, naming the locked MDL', async () => {
    const snap = api.sessions.latestSnapshot ?? (await waitFor(api.sessions.onDidReceiveSnapshot, () => true, 10000, 'a snapshot'));
    assert.strictEqual(snap.location?.line, afterLock);
    const locked = snap.mdls.find((m) => m.flagNames.includes('MDL_PAGES_LOCKED'));
    assert.ok(locked, 'the snapshot holds the locked MDL');
    assert.strictEqual(locked.pfns.length, 4, 'three pages starting 0x200 into a page span four frames');
  });

  it('evaluates WinDbg\'s !mdl in the Debug Console', async () => {
    const snap = api.sessions.latestSnapshot!;
    const address = snap.mdls.find((m) => m.flagNames.includes('MDL_PAGES_LOCKED'))!.address;
    const frame = await topFrame(threadId);
    const r = await request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: `!mdl ${address}`, context: 'repl', frameId: frame.id });
    assert.match(r.result, /MDL_PAGES_LOCKED|PAGES_LOCKED/i);
    assert.match(r.result.toLowerCase(), new RegExp(address.replace(/^0x0*/, '').slice(-8)));
  });

  it('shows locals inline in the editor while stopped: mdl on the MmProbeAndLockPages line', async () => {
    const frame = await topFrame(threadId);
    const stopLine = frame.line - 1;
    const values = await vscode.commands.executeCommand<vscode.InlineValue[]>('vscode.executeInlineValueProvider', doc.uri,
      new vscode.Range(0, 0, doc.lineCount - 1, 0), { frameId: frame.id, stoppedLocation: new vscode.Range(stopLine, 0, stopLine, 0) });
    // The command hands back plain objects; variable lookups are the ones with a variableName.
    const lookups = values.filter((v): v is vscode.InlineValueVariableLookup => 'variableName' in v);
    const lockLine = lineOf(doc, 'MmProbeAndLockPages(mdl') - 1;
    assert.ok(lookups.some((v) => v.variableName === 'mdl' && v.range.start.line === lockLine), 'mdl is looked up on the lock line');
    // Names VS Code does not find in the scopes are simply not shown; calls and ALL_CAPS macros are not asked for.
    assert.ok(!lookups.some((v) => ['MmProbeAndLockPages', 'IoAllocateMdl', 'NULL', 'PMDL', 'STATUS_SUCCESS'].includes(v.variableName ?? '')), 'routine, type and macro names are not looked up');
    assert.ok(lookups.every((v) => v.range.start.line <= stopLine), 'nothing after the stopped line');
  });

  it('"Show in MDL View" on the mdl variable opens the MDL panel on that MDL', async () => {
    const frame = await topFrame(threadId);
    const mdl = (await locals(frame.id)).find((v) => v.name === 'mdl');
    assert.ok(mdl);
    // What the Variables view's context menu passes to the command.
    await vscode.commands.executeCommand('mdlLab.showMdlOfVariable', { container: { name: 'Locals' }, variable: mdl });
    await until(() => api.openPanels() === 1, 5000, 'the MDL panel to open');
    assert.ok(api.visualizerRegistered, 'the PMDL debug visualizer is registered (its API proposal is enabled for MDL Lab)');
  });

  it('the MDL panel follows each stop: through its own protocol it asks for the physical map of exactly the current stop', async () => {
    const asked: number[] = [];
    api.setPanelHost({
      gotoStep: (step) => request('mdlGotoStep', { step }),
      physicalMap: (step) => {
        asked.push(step);
        return request('mdlPhysicalMap');
      },
    });
    try {
      // The physical memory view asks the host for the frame map of the snapshot it shows.
      await vscode.commands.executeCommand('mdlLab.showMdlView', 'physical');
      const first = api.sessions.latestSnapshot!.step;
      await until(() => asked.includes(first), 15000, `the panel to ask for the map of step ${first}`);
      const mark = tracker.mark();
      const next = waitFor(api.sessions.onDidReceiveSnapshot, (s) => s.step !== first, 15000, 'the next stop\'s snapshot');
      await request('next', { threadId });
      await tracker.stopped(mark);
      const second = (await next).step;
      await until(() => asked.includes(second), 15000, `the panel to ask for the map of step ${second}`);
      assert.ok(second > first, 'step over moved the statement counter forward');
      const back = waitFor(api.sessions.onDidReceiveSnapshot, (s) => s.step === first, 15000, 'the snapshot of the earlier stop');
      await request('stepBack', { threadId });
      await back;
      await until(() => asked.lastIndexOf(first) > asked.indexOf(second), 15000, 'the panel to ask again for the earlier stop after the step back');
    } finally {
      api.setPanelHost(undefined);
    }
  });

  it('steps over to the next line, then steps back to the breakpoint', async () => {
    let mark = tracker.mark();
    await request('next', { threadId });
    await tracker.stopped(mark);
    const stepped = await topFrame(threadId);
    assert.ok(stepped.line > afterLock, `step over moved forward (line ${stepped.line})`);
    mark = tracker.mark();
    await request('stepBack', { threadId });
    const back = await tracker.stopped(mark);
    assert.strictEqual((await topFrame(threadId)).line, afterLock, 'step back returned to the breakpoint');
    assert.ok(['step', 'breakpoint', 'goto'].includes(back.body.reason), `stop reason ${back.body.reason}`);
  });
});
