// Inside a real VS Code (test-web): "MDL Lab: Open Lab…" copies a lab into the workspace, writes its
// launch configurations, opens scenario.c beside the lab guide; a guide link sets a breakpoint.
import * as vscode from 'vscode';

function ok(value: unknown, message: string): void {
  if (!value) throw new Error(message);
}

async function until<T>(probe: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const LAB = '03-nonpaged-pool';

describe('MDL Lab: Open Lab… in the real workbench', function () {
  this.timeout(60000);
  let folder: vscode.Uri;

  before(() => {
    const ws = vscode.workspace.workspaceFolders?.[0];
    ok(ws, 'the workbench has a workspace folder');
    folder = vscode.Uri.joinPath(ws!.uri, 'labs', LAB);
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  it('copies the lab into labs/NN-name of the workspace, opens scenario.c and the lab guide', async () => {
    const target = await vscode.commands.executeCommand<vscode.Uri>('mdlLab.openLab', LAB, { into: 'workspace', ifExists: 'replace' });
    ok(target && target.toString() === folder.toString(), `the lab went to ${folder.toString()} (got ${String(target)})`);
    for (const name of ['README.md', 'scenario.c', 'exercise.c', 'lab.json']) {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name));
    }
    const editor = await until(() => vscode.window.activeTextEditor, 10000, 'an active editor');
    ok(editor.document.uri.path.endsWith(`/${LAB}/scenario.c`), `scenario.c is in the editor (got ${editor.document.uri.path})`);
    const guide = await until(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Lab 3')),
      10000, 'the lab guide tab');
    ok(guide.group.viewColumn !== vscode.ViewColumn.One, 'the guide is beside the scenario, not over it');
  });

  it('adds a scenario and an exercise launch configuration with the lab\'s settings', async () => {
    const configs = vscode.workspace.getConfiguration('launch').get<Array<Record<string, unknown>>>('configurations') ?? [];
    const mine = configs.filter((c) => String(c.name).startsWith('Lab 3 — Nonpaged pool'));
    ok(mine.length === 2, `two configurations for the lab (got ${JSON.stringify(configs)})`);
    ok(mine.every((c) => c.type === 'mdl' && c.request === 'launch'), 'both are mdl launch configurations');
    ok(mine.some((c) => String(c.program).endsWith(`labs/${LAB}/exercise.c`)), 'one runs exercise.c');
  });

  it('a README link sets a breakpoint on its line of the student\'s copy and shows it', async () => {
    const done = await vscode.commands.executeCommand<boolean>('mdlLab.breakAt', [{ lab: LAB, file: 'scenario.c', line: 21 }]);
    ok(done === true, 'the command succeeded');
    const bp = vscode.debug.breakpoints.find((b) => b instanceof vscode.SourceBreakpoint
      && b.location.uri.toString() === vscode.Uri.joinPath(folder, 'scenario.c').toString()) as vscode.SourceBreakpoint | undefined;
    ok(bp && bp.location.range.start.line === 20, 'a breakpoint on line 21 of the copied scenario.c');
    const editor = vscode.window.activeTextEditor!;
    ok(editor.selection.active.line === 20, 'the editor shows that line');
    ok(editor.document.lineAt(20).text.includes('MmBuildMdlForNonPagedPool'), 'the line is the one the README names');
    // A second click does not stack a second breakpoint.
    await vscode.commands.executeCommand('mdlLab.breakAt', [{ lab: LAB, file: 'scenario.c', line: 21 }]);
    ok(vscode.debug.breakpoints.length === 1, 'still one breakpoint');
  });

  it('a malformed link is refused without a breakpoint', async () => {
    const done = await vscode.commands.executeCommand<boolean>('mdlLab.breakAt', [{ lab: '../x', file: 'scenario.c', line: 3 }]);
    ok(done === false, 'refused');
    ok(vscode.debug.breakpoints.length === 1, 'no new breakpoint');
  });
});
