// MDL Lab in Restricted Mode: the runner (test/e2e/restricted.mjs) opens an untrusted window with
// workspace trust on. Reading a scenario works; running one is refused — by MDL Lab's own gate for
// its commands (Debug Scenario, the Run lens), held at VS Code's trust request for F5 — until the runner, asked by
// the last test, grants trust through MDL Lab's notification and VS Code's trust editor.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from './assert';
import { DapTracker } from './dapTracker';
import { MemFs } from './memfs';
import { activeExtension, sleep, waitFor } from './util';
import type { MdlLabApi } from '../../../src/extension/activate';

/** Printed for the runner: it goes from MDL Lab's next refusal to the trust editor and trusts. */
export const GRANT_TRUST_SIGNAL = 'mdl-e2e: grant workspace trust at the next prompt';

const SCENARIO = `#include <ntifs.h>
#include <mdlab.h>

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("untrusted.exe");
    LabEnterProcess(app);
    PVOID buffer = LabUserAlloc(app, 3 * PAGE_SIZE, PAGE_READWRITE);
    PMDL mdl = IoAllocateMdl(buffer, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    DbgPrint("the restricted-mode scenario ran\\n");
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}
`;

function markdownOf(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('MDL Lab in Restricted Mode (an untrusted workspace)', () => {
  let api: MdlLabApi;
  let doc: vscode.TextDocument;
  const started: vscode.DebugSession[] = [];
  const ended: vscode.DebugSession[] = [];
  const subscriptions: vscode.Disposable[] = [];
  let tracker: DapTracker;

  before(async () => {
    const { fs, disposable } = MemFs.register();
    tracker = new DapTracker();
    subscriptions.push(
      disposable,
      tracker,
      vscode.debug.onDidStartDebugSession((s) => started.push(s)),
      vscode.debug.onDidTerminateDebugSession((s) => ended.push(s)),
    );
    doc = await vscode.workspace.openTextDocument(fs.put('/untrusted/scenario.c', SCENARIO));
    await vscode.window.showTextDocument(doc);
    api = (await activeExtension<MdlLabApi>()).exports;
  });

  after(() => {
    for (const d of subscriptions.splice(0)) d.dispose();
  });

  it('the window is in Restricted Mode, and MDL Lab is active there because it declares limited support', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the runner opened an untrusted window');
    const ext = await activeExtension<MdlLabApi>();
    assert.ok(ext.isActive);
    assert.strictEqual(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.strictEqual(doc.languageId, 'c');
    assert.strictEqual(api.runGate.canRun, false);
  });

  it('hovering MmProbeAndLockPages still shows its prototype', async () => {
    const at = doc.positionAt(doc.getText().indexOf('MmProbeAndLockPages') + 4);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    assert.match(markdownOf(hovers), /VOID MmProbeAndLockPages\(PMDL MemoryDescriptorList/);
  });

  it('completion after "mdl->" still offers the MDL fields', async () => {
    const edit = await vscode.workspace.openTextDocument({ language: 'c', content: '#include <ntifs.h>\n#include <mdlab.h>\nVOID F(PMDL mdl) {\n    mdl->\n}\nVOID LabMain(VOID) {}\n' });
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', edit.uri, new vscode.Position(3, 9), '>');
    assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'MdlFlags'), 'MdlFlags is offered');
  });

  it('"Debug Scenario" is refused with "MDL Lab runs scenarios only in a trusted workspace", and no session starts', async () => {
    const before = api.runGate.refusals;
    await vscode.commands.executeCommand('mdlLab.debugScenario', doc.uri);
    assert.strictEqual(api.runGate.refusals, before + 1, 'MDL Lab refused the run');
    assert.strictEqual(api.runGate.waiting?.what, 'Debug scenario.c');
    await sleep(500);
    assert.deepStrictEqual(started.map((s) => s.type), [], 'no debug session started');
    assert.strictEqual(tracker.fromAdapter.length, 0, 'no debug adapter said a word');
    assert.strictEqual(api.sessions.latestSnapshot, null, 'no scenario stopped anywhere');
  });

  it('F5 (a launch of type mdl) is held at VS Code\'s own trust request: no session, no adapter', async () => {
    const outcome: { settled?: boolean } = {};
    void vscode.debug.startDebugging(undefined, { type: 'mdl', request: 'launch', name: 'F5 in Restricted Mode', program: doc.uri.toString() }).then((v) => (outcome.settled = v));
    await sleep(1500);
    // VS Code asks for trust before any provider runs (the runner sees the request); were it ever to
    // go on, MDL Lab's configuration provider would refuse, and the launch would answer false.
    assert.ok(outcome.settled !== true, 'the launch did not go ahead');
    assert.deepStrictEqual(started.map((s) => s.type), []);
    assert.strictEqual(tracker.fromAdapter.length, 0);
  });

  it('the Run code lens still stands above LabMain, and running it is refused by MDL Lab the same way: no session', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const run = lenses.find((l) => l.command?.command === 'mdlLab.runScenario');
    assert.ok(run?.command, 'a Run scenario lens');
    assert.strictEqual(run.range.start.line, doc.positionAt(doc.getText().indexOf('VOID LabMain')).line);
    const before = api.runGate.refusals;
    const outcome: { settled?: unknown } = {};
    void Promise.resolve(vscode.commands.executeCommand(run.command.command, ...(run.command.arguments ?? []))).then((v) => (outcome.settled = v));
    await sleep(1500);
    assert.strictEqual(outcome.settled, false, 'the run was refused');
    assert.strictEqual(api.runGate.refusals, before + 1, 'MDL Lab refused the run');
    assert.strictEqual(api.runGate.waiting?.what, 'Run scenario.c');
    assert.deepStrictEqual(started.map((s) => s.type), []);
    assert.strictEqual(tracker.fromAdapter.length, 0);
    assert.strictEqual(api.sessions.latestSnapshot, null, 'no scenario ran');
  });

  it('"Manage Workspace Trust" on the refusal leads to VS Code\'s trust editor; once trusted, the refused Debug Scenario is offered again and runs the scenario', async () => {
    const granted = waitFor(vscode.workspace.onDidGrantWorkspaceTrust, () => true, 60000, 'workspace trust to be granted');
    const printed = tracker.event<DebugProtocol.OutputEvent>('output', 0, 90000, (e) => /the restricted-mode scenario ran/.test(e.body.output));
    const finished = waitFor(vscode.debug.onDidTerminateDebugSession, (s) => s.type === 'mdl' && s.name === 'Debug MDL scenario', 90000, 'the offered Debug Scenario run to end');
    // The runner now clicks, as a user would: "Manage Workspace Trust" on this refusal, "Trust" in
    // the trust editor, then "Debug scenario.c" on MDL Lab's offer.
    console.log(GRANT_TRUST_SIGNAL);
    await vscode.commands.executeCommand('mdlLab.debugScenario', doc.uri);
    await granted;
    assert.strictEqual(vscode.workspace.isTrusted, true);
    assert.strictEqual(api.runGate.canRun, true);
    assert.strictEqual(api.runGate.trustGrants, 1);
    assert.strictEqual(api.runGate.waiting, undefined, 'the refused run was offered');
    await printed;
    await finished;
    assert.ok(started.some((s) => s.type === 'mdl' && s.name === 'Debug MDL scenario'), 'the offered run was a debug session of the scenario');
  });
});
