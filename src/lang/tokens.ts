// Tokens as the preprocessor hands them to the parser: fully macro-expanded, each carrying the
// place the user should be shown (for a token from a macro expansion: the place of the macro use).

export type TokenKind =
  | 'identifier' // also keywords; the parser decides (C keywords, __try/__except/__finally/__leave)
  | 'number' // integer or floating literal as written, suffixes included: 0x1000, 10UL, 1.5f, 0x8000000000000000ui64
  | 'char' // 'a', L'a', '\n' as written (with quotes and prefix)
  | 'string' // "abc", L"abc" as written; adjacent literals are NOT yet concatenated
  | 'punct' // operators and punctuators: + ++ += -> ... ## etc.
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** Length of the source span the user sees highlighted (text length, or the macro name's length). */
  length: number;
  /** The macro this token came from, if it was produced by an expansion (for diagnostics and hovers). */
  fromMacro?: string;
}

/** Output of preprocessing a translation unit. */
export interface PreprocessResult {
  tokens: Token[]; // ends with one 'eof' token
  diagnostics: import('./contract').Diagnostic[];
  /** Every macro defined at the end, with where it was defined (go to definition, hover). */
  macros: Map<string, { file: string; line: number; col: number; params: string[] | null; body: string }>;
  /** Files read, in order (built-in headers appear as `<ntifs.h>`). */
  files: string[];
  /**
   * The leading tokens that came only from built-in headers (the `#include <ntifs.h>` /
   * `#include <mdlab.h>` prologue): results with the same `key` begin with the same `count` tokens
   * (same text, kind and place), so whatever was built from them can be reused. Absent when the
   * first tokens come from a scenario file or the state before the includes cannot be named.
   */
  builtinPrologue?: { key: string; count: number };
}

// preprocess() registers each token list it returns with its builtinPrologue, so the parser (given
// just the list, e.g. by compileTokens) can start from its state after that prologue. A copy of the
// list, or one built by hand, has no entry and is parsed from its first token.
const prologues = new WeakMap<readonly Token[], { key: string; count: number }>();
export function notePrologue(tokens: readonly Token[], prologue: { key: string; count: number }): void {
  prologues.set(tokens, prologue);
}
export function prologueOf(tokens: readonly Token[]): { key: string; count: number } | undefined {
  return prologues.get(tokens);
}
