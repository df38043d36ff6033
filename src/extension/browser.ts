// Web entry (browser worker extension host, VS Code for the Web): the same activation as desktop;
// the bundle is built for the browser with Node built-ins stubbed (esbuild.mjs).
import type * as vscode from 'vscode';
import { activateMdlLab, type MdlLabApi } from './activate';

export function activate(context: vscode.ExtensionContext): MdlLabApi {
  return activateMdlLab(context);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
