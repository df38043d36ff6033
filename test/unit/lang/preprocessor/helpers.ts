// In-memory scenario files for preprocessor tests.
import type { SourceHost } from '../../../../src/lang/contract';
import { preprocess } from '../../../../src/lang/preprocessor/index';
import type { PreprocessResult } from '../../../../src/lang/tokens';

/** A host over `files`; quoted includes resolve to the same directory, like the real extension host. */
export function memoryHost(files: Record<string, string>, calls: string[] = []): SourceHost {
  return {
    readFile: (p) => files[p],
    resolveInclude: (from, name) => {
      calls.push(name);
      const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
      const path = normalize(dir + name);
      return path !== undefined && files[path] !== undefined ? path : undefined;
    },
  };
}

function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

export function pp(main: string, files: Record<string, string> = {}): PreprocessResult {
  return preprocess('main.c', memoryHost({ 'main.c': main, ...files }));
}

/** The token texts, space separated, without the final eof. */
export function text(r: PreprocessResult): string {
  return r.tokens
    .filter((t) => t.kind !== 'eof')
    .map((t) => t.text)
    .join(' ');
}

/** Diagnostics as `file:line:col: severity: message`. */
export function diags(r: PreprocessResult): string[] {
  return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

export function errors(r: PreprocessResult): string[] {
  return diags(r).filter((d) => d.includes(': error: '));
}
