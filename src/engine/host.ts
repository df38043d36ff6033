// File access for the engine: an injected FileHost (Node fs, VS Code workspace fs, or memory), and
// the sandboxed SourceHost the compiler reads through — only files inside the scenario's folder.
import type { SourceHost } from '../lang/contract';

/** What the engine needs from its host to read scenario files. Implemented by the CLI, the stdio adapter and the extension. */
export interface FileHost {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
}

/** A FileHost over an in-memory map (tests, the browser playground). */
export class MemoryFileHost implements FileHost {
  constructor(private readonly files: Record<string, string>) {}
  async readFile(path: string): Promise<string | undefined> {
    return this.files[normalizePath(path)] ?? this.files[path];
  }
}

const SEP = /[\\/]+/;

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z]:[\\/]/.test(p);
}

/** Collapses `.` and `..` and unifies separators to `/`; keeps a drive letter or leading slash. */
export function normalizePath(p: string): string {
  const abs = isAbsolute(p);
  const drive = /^[a-zA-Z]:/.test(p) ? p.slice(0, 2) : '';
  const parts = (drive ? p.slice(2) : p).split(SEP).filter((s) => s.length > 0 && s !== '.');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  return drive + (abs ? '/' : '') + body || '.';
}

export function dirname(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return n.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  return normalizePath(dir === '.' ? name : `${dir}/${name}`);
}

/** True when `path` (normalized) lies inside `root` (normalized). */
export function isInside(root: string, path: string): boolean {
  if (root === '.') return !path.startsWith('..') && !isAbsolute(path);
  return path === root || path.startsWith(root.endsWith('/') ? root : root + '/');
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;
/** Bound on prefetched files, so an include cycle or a hostile tree cannot exhaust the host. */
const MAX_FILES = 200;

/**
 * Reads the scenario and every file it (transitively) includes with quotes, ahead of compilation,
 * because the compiler reads synchronously while hosts such as the browser's workspace fs are
 * asynchronous. The resulting SourceHost answers only from that set: an include that leaves the
 * scenario's folder (absolute path, `..` escape) resolves to nothing.
 */
export async function prefetchSources(host: FileHost, mainFile: string): Promise<SourceHost & { files: Map<string, string> }> {
  const main = normalizePath(mainFile);
  const root = dirname(main);
  const files = new Map<string, string>();
  const resolve = (fromFile: string, name: string): string | undefined => {
    if (isAbsolute(name) || name.includes('\0')) return undefined;
    const candidate = joinPath(dirname(normalizePath(fromFile)), name);
    return isInside(root, candidate) ? candidate : undefined;
  };
  const queue = [main];
  const seen = new Set<string>();
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string | undefined;
    try {
      text = await host.readFile(file);
    } catch {
      text = undefined;
    }
    if (text === undefined) continue;
    files.set(file, text);
    for (const m of text.matchAll(INCLUDE)) {
      const target = resolve(file, m[1]);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return {
    files,
    readFile: (path) => files.get(normalizePath(path)),
    resolveInclude: (fromFile, name) => {
      const target = resolve(fromFile, name);
      return target !== undefined && files.has(target) ? target : undefined;
    },
  };
}
