// Which documents are MDL Lab scenarios, and how their URIs become the paths the language services use.
import * as vscode from 'vscode';
import { UriPathMapper } from '../uriMapping';
import { WorkspaceFileHost } from '../workspaceFileHost';
import { prefetchSources } from '../../engine/host';
import type { SourceHost } from '../../lang/contract';

/** Plain C files stay VS Code's business; a scenario includes the harness or defines its entry point. */
export function isScenario(doc: vscode.TextDocument): boolean {
  if (doc.languageId !== 'c') return false;
  const text = doc.getText();
  return text.includes('<mdlab.h>') || /\bLabMain\s*\(/.test(text);
}

export function pathOf(uri: vscode.Uri): { path: string; mapper: UriPathMapper } {
  const mapper = UriPathMapper.forUri(uri);
  return { path: mapper.isIdentity ? uri.fsPath : uri.path, mapper };
}

/** The scenario and its quoted includes, read ahead (open editors first) for the synchronous compiler. */
export async function sourcesFor(doc: vscode.TextDocument): Promise<{ path: string; host: SourceHost; mapper: UriPathMapper }> {
  const { path, mapper } = pathOf(doc.uri);
  const host = await prefetchSources(new WorkspaceFileHost(mapper), path);
  return { path, host, mapper };
}
