// Where `#include` looks: `<name>` only among the built-in headers, `"name"` only through the host
// (never an absolute path), falling back to a built-in header of that name as an include path would.
import type { SourceHost } from '../contract';
import { builtinHeader, builtinHeaderNames } from '../headers/index';

export interface IncludedFile {
  /** The name tokens will carry: the host's path, or `<wdm.h>` for a built-in header. */
  file: string;
  text: string;
  builtin: boolean;
}

const ABSOLUTE = /^([\\/]|[A-Za-z]:)/;

function builtin(name: string): IncludedFile | undefined {
  const key = name.replace(/\\/g, '/').toLowerCase();
  const text = builtinHeader(key);
  return text === undefined ? undefined : { file: `<${key}>`, text, builtin: true };
}

/** Finds and reads an included file, or reports why not (one message) and returns undefined. */
export function resolveInclude(host: SourceHost, from: string, name: string, angled: boolean, fail: (message: string) => void): IncludedFile | undefined {
  if (name.length === 0) {
    fail('empty file name in #include');
    return undefined;
  }
  if (angled) {
    const b = builtin(name);
    if (!b) fail(`cannot open include file <${name}>: it is not one of the built-in headers (${builtinHeaderNames().map((h) => `<${h}>`).join(', ')}); use #include "${name}" for a file next to the scenario`);
    return b;
  }
  if (ABSOLUTE.test(name)) {
    fail(`cannot open include file "${name}": absolute paths are not allowed; name the file relative to ${from}`);
    return undefined;
  }
  // Built-in headers never reach into the scenario's folder.
  if (!from.startsWith('<')) {
    const path = host.resolveInclude(from, name);
    if (path !== undefined) {
      const text = host.readFile(path);
      if (text !== undefined) return { file: path, text, builtin: false };
      fail(`cannot open include file "${name}": ${path} could not be read`);
      return undefined;
    }
  }
  const b = builtin(name);
  if (!b) fail(`cannot open include file "${name}": no such file next to ${from}`);
  return b;
}

/** What `__has_include` answers: would `#include` find the file? Reads nothing, reports nothing. */
export function includeWouldFind(host: SourceHost, from: string, name: string, angled: boolean): boolean {
  if (builtin(name)) return true;
  if (angled || name.length === 0 || ABSOLUTE.test(name) || from.startsWith('<')) return false;
  return host.resolveInclude(from, name) !== undefined;
}
