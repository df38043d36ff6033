// What the preprocessor hands out: parser tokens (fresh objects every run, so nothing a consumer
// changes reaches the include cache) and the macro table for hovers and go to definition.
import type { PreprocessResult, Token } from '../tokens';
import type { PPToken } from './lexer';
import { bodyText, VA_ARGS, type Macro } from './macros';

/** The output tokens the parser sees, ending with 'eof'; a stray character is reported through `stray`. */
export function parserTokens(out: readonly PPToken[], mainFile: string, text: string | undefined, stray: (t: PPToken, message: string) => void): Token[] {
  const tokens: Token[] = [];
  for (const t of out) {
    if (t.kind === 'other') {
      stray(t, t.problem ?? `stray '${t.text}' in program`);
      continue;
    }
    if (t.kind === 'placemarker' || t.kind === 'header') continue;
    // Two literal shapes rather than adding fromMacro afterwards: one hidden class each, no transition.
    tokens.push(
      t.fromMacro
        ? { kind: t.kind, text: t.text, file: t.file, line: t.line, col: t.col, length: t.length, fromMacro: t.fromMacro }
        : { kind: t.kind, text: t.text, file: t.file, line: t.line, col: t.col, length: t.length },
    );
  }
  const end = endOfText(text ?? '');
  tokens.push({ kind: 'eof', text: '', file: mainFile, line: end.line, col: end.col, length: 0 });
  return tokens;
}

/** How many of the first `end` output tokens reach the parser. */
export function parserTokenCount(out: readonly PPToken[], end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (out[i].kind !== 'other' && out[i].kind !== 'placemarker' && out[i].kind !== 'header') n++;
  return n;
}

export function macroTable(macros: ReadonlyMap<string, Macro>): PreprocessResult['macros'] {
  const table: PreprocessResult['macros'] = new Map();
  for (const m of macros.values()) {
    table.set(m.name, { file: m.file, line: m.line, col: m.col, params: m.params ? m.params.map((p) => (p === VA_ARGS ? '...' : p)) : null, body: spelledBody(m) });
  }
  return table;
}

// Macros of built-in headers are shared by every run that replays them: spell each body once.
const bodies = new WeakMap<Macro, string>();
function spelledBody(m: Macro): string {
  let s = bodies.get(m);
  if (s === undefined) bodies.set(m, (s = bodyText(m.body)));
  return s;
}

/** Line and column just past the last character (line ends \n, \r\n or \r). */
function endOfText(text: string): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  if (!text.includes('\r')) {
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    return { line, col: text.length - lineStart + 1 };
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: text.length - lineStart + 1 };
}
