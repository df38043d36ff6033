// A workshop lab in the real debug UI: its lab.json names the lines to break on; each breakpoint,
// set through the API, is where the debugger stops, in order, and the lab runs to a clean end.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from './assert';
import { DapTracker } from './dapTracker';
import { sampleUri, until } from './util';

interface LabManifest {
  id: string;
  breakpoints: { line: number; text: string }[];
  scenario: { exit: number };
}

const LAB = '01-describe-lock-map-free';

describe('a workshop lab in the real debug UI', function () {
  this.timeout(90000);
  let tracker: DapTracker;

  before(() => {
    tracker = new DapTracker();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    tracker.dispose();
  });

  it(`lab ${LAB} stops at every line its lab.json names, in order, and ends cleanly`, async () => {
    const manifest = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(sampleUri('labs', LAB, 'lab.json')))) as LabManifest;
    const scenario = sampleUri('labs', LAB, 'scenario.c');
    const doc = await vscode.workspace.openTextDocument(scenario);
    await vscode.window.showTextDocument(doc);
    const lines = manifest.breakpoints.map((b) => b.line);
    assert.ok(lines.length >= 2, 'the lab names at least two breakpoints');
    vscode.debug.addBreakpoints(lines.map((l) => new vscode.SourceBreakpoint(new vscode.Location(scenario, new vscode.Position(l - 1, 0)))));

    let mark = tracker.mark();
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(scenario), { type: 'mdl', request: 'launch', name: LAB, program: '${file}' }));
    for (const [i, bp] of manifest.breakpoints.entries()) {
      const stop = await tracker.stopped(mark);
      mark = tracker.mark();
      const session = vscode.debug.activeDebugSession!;
      const { stackFrames } = (await session.customRequest('stackTrace', { threadId: stop.body.threadId, levels: 1 })) as DebugProtocol.StackTraceResponse['body'];
      assert.strictEqual(stackFrames[0].line, bp.line, `stop ${i + 1} is on the lab's line`);
      assert.ok(doc.lineAt(bp.line - 1).text.includes(bp.text), `line ${bp.line} reads "${bp.text}"`);
      await session.customRequest('continue', { threadId: stop.body.threadId });
    }
    // Past the last breakpoint the lab runs to its end: no exception stop, the session exits.
    const exited = await tracker.event<DebugProtocol.ExitedEvent>('exited', mark, 30000);
    assert.strictEqual(exited.body.exitCode, manifest.scenario.exit);
    assert.ok(!tracker.fromAdapter.slice(mark).some((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'stopped'), 'no further stop');
    await until(() => vscode.debug.activeDebugSession === undefined, 10000, 'the session to end');
  });
});
