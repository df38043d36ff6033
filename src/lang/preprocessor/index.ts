// Entry point of the driver-C preprocessor: source files in, macro-expanded tokens out.
import type { SourceHost } from '../contract';
import type { PreprocessResult } from '../tokens';
import { Preprocessor, type PreprocessOptions } from './preprocessor';

export { lex, type PPToken } from './lexer';
export { evaluateCondition, integerValue, charValue } from './expression';
export { clearBuiltinIncludeCache, builtinIncludeCacheStats } from './includeCache';
export type { PreprocessOptions } from './preprocessor';

/**
 * Preprocesses `mainFile` (read through `host`). `#include <…>` names only the built-in headers;
 * `#include "…"` goes through `host.resolveInclude`. Never throws: every problem, including an
 * internal failure, becomes a diagnostic.
 */
export function preprocess(mainFile: string, host: SourceHost, options?: PreprocessOptions): PreprocessResult {
  const pp = new Preprocessor(host, options);
  try {
    return pp.run(mainFile);
  } catch (e) {
    const message = e instanceof RangeError ? 'the source nests too deeply to preprocess' : `internal preprocessor error: ${(e as Error)?.message ?? String(e)}`;
    return {
      tokens: [{ kind: 'eof', text: '', file: mainFile, line: 1, col: 1, length: 0 }],
      diagnostics: [...pp.diagnostics, { file: mainFile, line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', message }],
      macros: new Map(),
      files: pp.files,
    };
  }
}
