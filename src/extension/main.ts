// Desktop entry (Node extension host). The adapter runs inline here too; dist/adapter.js is the
// standalone stdio adapter for DAP tests and other editors.
import type * as vscode from 'vscode';
import { activateMdlLab, type MdlLabApi } from './activate';

export function activate(context: vscode.ExtensionContext): MdlLabApi {
  return activateMdlLab(context);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
