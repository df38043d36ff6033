// Lets the adapter see plain POSIX paths while VS Code speaks in URIs: in VS Code for the Web the
// workspace is `vscode-test-web://mount/…` or `vscode-vfs://…`, and VS Code sends such sources as
// URI strings. The engine's path rules (normalizing, sandboxing `#include`) want paths, so this
// maps one workspace root between the two forms in both directions of the protocol.
import * as vscode from 'vscode';

/** Maps `scheme://authority/p` ↔ `/p` for one scheme and authority; identity for `file:`. */
export class UriPathMapper {
  private readonly prefix: string;

  constructor(private readonly scheme: string, private readonly authority: string) {
    this.prefix = `${scheme}://${authority}`;
  }

  static forUri(uri: vscode.Uri): UriPathMapper {
    return new UriPathMapper(uri.scheme, uri.authority);
  }

  get isIdentity(): boolean {
    return this.scheme === 'file';
  }

  /** A string VS Code sent (URI string or path) → the path the adapter uses. */
  toPath(value: string): string {
    if (this.isIdentity) return value;
    if (!value.toLowerCase().startsWith(this.prefix.toLowerCase())) return value;
    try {
      return vscode.Uri.parse(value).path;
    } catch {
      return value;
    }
  }

  /** A path the adapter reported → the URI VS Code opens. */
  toUri(path: string): vscode.Uri {
    if (this.isIdentity) return vscode.Uri.file(path);
    return vscode.Uri.from({ scheme: this.scheme, authority: this.authority, path });
  }

  /** A path the adapter reported → the string VS Code expects in `Source.path`. */
  toClientPath(path: string): string {
    if (this.isIdentity || !path.startsWith('/')) return path;
    return this.toUri(path).toString();
  }

  /** Rewrites every string that names a workspace URI into its path (requests VS Code sends). */
  mapToAdapter<T>(message: T): T {
    if (this.isIdentity) return message;
    return deepMap(message, (s) => this.toPath(s)) as T;
  }

  /** Rewrites `source.path` / `sources[].path` (responses and events the adapter sends). */
  mapToClient<T>(message: T): T {
    if (this.isIdentity) return message;
    return mapSources(message, (p) => this.toClientPath(p)) as T;
  }
}

function deepMap(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => deepMap(v, f));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepMap(v, f);
    return out;
  }
  return value;
}

function mapSources(value: unknown, f: (p: string) => string, isSource = false): unknown {
  if (Array.isArray(value)) return value.map((v) => mapSources(v, f, isSource));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isSource && k === 'path' && typeof v === 'string') out[k] = f(v);
    else out[k] = mapSources(v, f, k === 'source' || k === 'sources');
  }
  return out;
}

/** Wraps an inline adapter so that each side sees its own form of the workspace's file names. */
export class UriMappingAdapter implements vscode.DebugAdapter {
  private readonly emitter = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly inner: vscode.DebugAdapter, private readonly mapper: UriPathMapper) {
    this.subscription = inner.onDidSendMessage((m) => this.emitter.fire(mapper.mapToClient(m)));
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    this.inner.handleMessage(this.mapper.mapToAdapter(message));
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
    this.inner.dispose();
  }
}
