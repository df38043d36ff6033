// Scenario files for the engine, read through `vscode.workspace.fs` so the same code works on a
// desktop disk, in a remote workspace and in VS Code for the Web. Open editors win over the disk,
// so a scenario runs as the user sees it, unsaved edits included.
import * as vscode from 'vscode';
import type { FileHost } from '../engine/host';
import type { UriPathMapper } from './uriMapping';

/** Bigger than any scenario a person writes; keeps a stray binary from filling the extension host. */
const MAX_FILE_BYTES = 4 << 20;

export class WorkspaceFileHost implements FileHost {
  constructor(private readonly mapper: UriPathMapper) {}

  async readFile(path: string): Promise<string | undefined> {
    const uri = this.mapper.toUri(path);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory || stat.size > MAX_FILE_BYTES) return undefined;
      const bytes = await vscode.workspace.fs.readFile(uri);
      return new TextDecoder('utf-8').decode(bytes);
    } catch {
      return undefined;
    }
  }
}
