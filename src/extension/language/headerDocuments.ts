// Read-only documents for the built-in WDK headers, so "Go to Definition" on MmProbeAndLockPages
// or MDL_PAGES_LOCKED opens the declaration the interpreter really uses.
import * as vscode from 'vscode';
import { builtinHeader } from '../../lang/headers/index';

export const HEADER_SCHEME = 'mdlab-header';

export function headerUri(header: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HEADER_SCHEME, path: `/${header}` });
}

export class BuiltinHeaderProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const name = uri.path.replace(/^\//, '');
    return builtinHeader(name) ?? `/* ${name}: not a built-in header of MDL Lab */\n`;
  }
}
