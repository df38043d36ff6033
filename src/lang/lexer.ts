// A plain C tokenizer (no preprocessing) for debugger expressions and macro bodies, producing the
// same Token shape the preprocessor hands to the parser.
import type { Token } from './tokens';

const PUNCTS = [
  '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=',
  '%=', '&=', '^=', '|=', '##',
];

export class LexError extends Error {
  constructor(message: string, readonly line: number, readonly col: number) {
    super(message);
  }
}

export function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const push = (kind: Token['kind'], start: number, end: number, l: number, c: number) =>
    out.push({ kind, text: text.slice(start, end), file, line: l, col: c, length: end - start });
  while (i < n) {
    const ch = text[i];
    if (ch === '\n') { i++; line++; lineStart = i; continue; }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') { i++; continue; }
    if (ch === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) { i++; continue; }
    if (ch === '/' && text[i + 1] === '/') { while (i < n && text[i] !== '\n') i++; continue; }
    if (ch === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] === '\n') { line++; lineStart = i + 1; } i++; }
      i += 2;
      continue;
    }
    const col = i - lineStart + 1;
    const start = i;
    if (ch === '#') { // directives are not expected here: skip the line
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      if ((ch === 'L' || ch === 'u' || ch === 'U') && (text[i + 1] === '"' || text[i + 1] === '\'')) {
        i++;
        i = scanQuoted(text, i, line, col);
        push(text[start + 1] === '"' ? 'string' : 'char', start, i, line, col);
        continue;
      }
      while (i < n && /[A-Za-z0-9_$]/.test(text[i])) i++;
      push('identifier', start, i, line, col);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < n && (/[A-Za-z0-9_.]/.test(text[i]) || ((text[i] === '+' || text[i] === '-') && /[eEpP]/.test(text[i - 1]) && !/^0[xX]/.test(text.slice(start, i)) || ((text[i] === '+' || text[i] === '-') && /[pP]/.test(text[i - 1]))))) i++;
      push('number', start, i, line, col);
      continue;
    }
    if (ch === '"' || ch === '\'') {
      i = scanQuoted(text, i, line, col);
      push(ch === '"' ? 'string' : 'char', start, i, line, col);
      continue;
    }
    const p = PUNCTS.find((q) => text.startsWith(q, i));
    if (p) { i += p.length; push('punct', start, i, line, col); continue; }
    if ('+-*/%<>=!&|^~?:;,.()[]{}'.includes(ch)) { i++; push('punct', start, i, line, col); continue; }
    throw new LexError(`unexpected character '${ch}'`, line, col);
  }
  out.push({ kind: 'eof', text: '', file, line, col: i - lineStart + 1, length: 0 });
  return out;
}

function scanQuoted(text: string, i: number, line: number, col: number): number {
  const q = text[i++];
  while (i < text.length && text[i] !== q) {
    if (text[i] === '\n') throw new LexError('missing terminating ' + q + ' character', line, col);
    if (text[i] === '\\') i++;
    i++;
  }
  if (i >= text.length) throw new LexError('missing terminating ' + q + ' character', line, col);
  return i + 1;
}
