// "Set a breakpoint on this line": the command behind each scenario.c:N link of a lab's README.
import * as vscode from 'vscode';
import { candidatePaths, parseBreakAtArgs, type BreakAtArgs } from './labModel';

/** Where each lab was opened in this window, so its links find the copy the student works on. */
export const openedLabs = new Map<string, vscode.Uri>();

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The student's copy of the file a link names: the lab opened in this window, else the workspace's. */
export async function resolveLabFile(args: BreakAtArgs): Promise<vscode.Uri | undefined> {
  const remembered = openedLabs.get(args.lab);
  if (remembered) {
    const uri = vscode.Uri.joinPath(remembered, args.file);
    if (await exists(uri)) return uri;
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const rel of candidatePaths(args)) {
      const uri = vscode.Uri.joinPath(folder.uri, rel);
      if (rel === args.file && !folder.uri.path.endsWith(`/${args.lab}`)) continue;
      if (await exists(uri)) return uri;
    }
  }
  const found = await vscode.workspace.findFiles(`**/${args.lab}/${args.file}`, '**/node_modules/**', 1);
  return found[0];
}

export function hasBreakpointAt(uri: vscode.Uri, line: number): boolean {
  return vscode.debug.breakpoints.some(
    (b) => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === uri.toString() && b.location.range.start.line === line - 1,
  );
}

export async function breakAt(arg: unknown): Promise<boolean> {
  const args = parseBreakAtArgs(arg);
  if (!args) {
    void vscode.window.showErrorMessage('MDL Lab: this breakpoint link is malformed (expected a lab, a .c file and a line).');
    return false;
  }
  const uri = await resolveLabFile(args);
  if (!uri) {
    void vscode.window.showErrorMessage(`MDL Lab: ${args.file} of lab ${args.lab} is not in this workspace. Run "MDL Lab: Open Lab…" first.`);
    return false;
  }
  const position = new vscode.Position(args.line - 1, 0);
  if (!hasBreakpointAt(uri, args.line)) {
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, position))]);
  }
  await vscode.window.showTextDocument(uri, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
    preserveFocus: false,
  });
  return true;
}
