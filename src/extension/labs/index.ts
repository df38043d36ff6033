// The workshop labs in VS Code: "Open Lab…", breakpoint links, the lab guide. The extension's
// activation calls registerLabCommands(context); package.json contributes the commands and the
// walkthrough (see walkthroughs.json beside this file).
import * as vscode from 'vscode';
import { breakAt, openedLabs } from './breakAt';
import { BREAK_AT, OPEN_LAB, SHOW_LAB_GUIDE } from './commandIds';
import { showLabGuide } from './labGuide';
import { openLab, resumePendingLabOpen, type OpenLabOptions } from './openLab';

/** Only the known options pass (command arguments can come from links). */
function openLabOptions(arg: unknown): OpenLabOptions {
  const o = (arg ?? {}) as Record<string, unknown>;
  return {
    into: o.into === 'workspace' ? 'workspace' : undefined,
    ifExists: o.ifExists === 'keep' || o.ifExists === 'replace' ? o.ifExists : undefined,
  };
}

export { BREAK_AT, OPEN_LAB, SHOW_LAB_GUIDE } from './commandIds';

/** The guide of the lab whose file is in the active editor (or the last lab opened). */
async function showGuideForActiveLab(): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  let folder: vscode.Uri | undefined;
  if (active) {
    const dir = vscode.Uri.joinPath(active, '..');
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(dir, 'lab.json'));
      folder = dir;
    } catch {
      folder = undefined;
    }
  }
  folder ??= [...openedLabs.values()].pop();
  if (!folder) {
    void vscode.window.showInformationMessage('MDL Lab: open a lab first ("MDL Lab: Open Lab…"), or a lab\'s scenario.c.');
    return;
  }
  const name = folder.path.split('/').pop() ?? 'Lab';
  await showLabGuide(folder, name);
}

export function registerLabCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_LAB, (labId?: unknown, options?: unknown) =>
      openLab(context, typeof labId === 'string' ? labId : undefined, openLabOptions(options))),
    vscode.commands.registerCommand(BREAK_AT, (arg?: unknown) => breakAt(arg)),
    vscode.commands.registerCommand(SHOW_LAB_GUIDE, () => showGuideForActiveLab()),
  );
  void resumePendingLabOpen(context);
}
