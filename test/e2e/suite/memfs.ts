// A tiny in-memory workspace file system, so the suite can debug scenarios it writes itself
// (a bug check, say) without touching the repository, and so that a non-`file` scheme is exercised.
import * as vscode from 'vscode';

export const MEMFS_SCHEME = 'mdl-e2e';

export class MemFs implements vscode.FileSystemProvider {
  private readonly files = new Map<string, Uint8Array>();
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  static register(): { fs: MemFs; disposable: vscode.Disposable } {
    const fs = new MemFs();
    return { fs, disposable: vscode.workspace.registerFileSystemProvider(MEMFS_SCHEME, fs, { isCaseSensitive: true }) };
  }

  put(path: string, text: string): vscode.Uri {
    this.files.set(path, new TextEncoder().encode(text));
    return vscode.Uri.from({ scheme: MEMFS_SCHEME, authority: 'scenarios', path });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const data = this.files.get(uri.path);
    if (data) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: data.length };
    const dir = uri.path.endsWith('/') ? uri.path : uri.path + '/';
    if ([...this.files.keys()].some((k) => k.startsWith(dir))) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }
  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    const dir = uri.path.endsWith('/') ? uri.path : uri.path + '/';
    return [...this.files.keys()].filter((k) => k.startsWith(dir) && !k.slice(dir.length).includes('/')).map((k) => [k.slice(dir.length), vscode.FileType.File]);
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }
  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    this.files.set(uri.path, content);
  }
  createDirectory(): void {}
  delete(uri: vscode.Uri): void {
    this.files.delete(uri.path);
  }
  rename(oldUri: vscode.Uri, newUri: vscode.Uri): void {
    const data = this.readFile(oldUri);
    this.files.delete(oldUri.path);
    this.files.set(newUri.path, data);
  }
}
