// Splits a source file into preprocessing tokens (C17 5.1.1.2 phases 1–3): line splices and
// comments removed, every token carrying the physical file:line:col where it was written.

export type PPKind =
  | 'identifier'
  | 'number'
  | 'char'
  | 'string'
  | 'punct'
  /** `<name>` after `#include`, text includes the brackets. Never leaves the preprocessor. */
  | 'header'
  /** A character that cannot start any token, or an unterminated quote; reported if it reaches the parser. */
  | 'other'
  /** An empty macro argument during ## processing. Never leaves the preprocessor. */
  | 'placemarker';

export interface PPToken {
  readonly kind: PPKind;
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly length: number;
  readonly fromMacro?: string;
  /** White space (or a comment) precedes the token on its line. */
  readonly space: boolean;
  /** First token of a logical line (after splicing). */
  readonly bol: boolean;
  /** Macros that must not expand this token again (the "blue paint" of C17 6.10.3.4). */
  readonly hideset?: ReadonlySet<string>;
  /** Why an 'other' token is invalid. */
  readonly problem?: string;
}

export interface LexProblem {
  line: number;
  col: number;
  length: number;
  message: string;
}

export interface LexResult {
  tokens: PPToken[];
  problems: LexProblem[];
}

// Longest first within each leading character, so the first match is the longest.
const PUNCTUATORS = [
  '%:%:', '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=',
  '&=', '^=', '|=', '##', '<:', ':>', '<%', '%>', '%:',
  '[', ']', '(', ')', '{', '}', '.', '&', '*', '+', '-', '~', '!', '/', '%', '<', '>', '^', '|',
  '?', ':', ';', '=', ',', '#',
];
// Digraphs are spelled as their primary form so the rest of the pipeline sees one spelling.
const DIGRAPHS: Record<string, string> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' };
/** Punctuators by their first character, longest first. */
const BY_FIRST = new Map<string, string[]>();
for (const p of PUNCTUATORS) {
  const list = BY_FIRST.get(p[0]) ?? [];
  list.push(p);
  BY_FIRST.set(p[0], list);
}
for (const list of BY_FIRST.values()) list.sort((a, b) => b.length - a.length);

function isIdStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\x7f';
}
function isIdChar(c: string): boolean {
  return isIdStart(c) || (c >= '0' && c <= '9');
}
function isIdCode(k: number): boolean {
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || (k >= 48 && k <= 57) || k === 95 || k === 36 || k > 127;
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Phase 1–2: normalise line ends and remove backslash-newline splices, remembering for every
 * character of the spliced text where it stood in the original so positions stay exact.
 */
function splice(source: string): { text: string; origin: number[] | null; original: string } {
  let original = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  original = original.replace(/\r\n?/g, '\n');
  if (!original.includes('\\\n') && !/\\[ \t]+\n/.test(original)) return { text: original, origin: null, original };
  let text = '';
  const origin: number[] = [];
  for (let i = 0; i < original.length; i++) {
    const c = original[i];
    if (c === '\\') {
      // MSVC and GCC both accept white space between the backslash and the newline.
      let j = i + 1;
      while (j < original.length && (original[j] === ' ' || original[j] === '\t')) j++;
      if (original[j] === '\n') {
        i = j;
        continue;
      }
    }
    text += c;
    origin.push(i);
  }
  origin.push(original.length);
  return { text, origin, original };
}

export function lex(source: string, file: string): LexResult {
  const { text, origin, original } = splice(source);
  const lineStarts = [0];
  for (let i = 0; i < original.length; i++) if (original[i] === '\n') lineStarts.push(i + 1);
  const position = (index: number): { line: number; col: number } => {
    const o = origin ? origin[Math.min(index, origin.length - 1)] : index;
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - lineStarts[lo] + 1 };
  };

  const tokens: PPToken[] = [];
  const problems: LexProblem[] = [];
  let i = 0;
  let bol = true;
  let space = false;
  // State for lexing a header name right after `# include`.
  let directiveTokens = 0;
  let isInclude = false;
  const n = text.length;

  const push = (kind: PPKind, start: number, end: number, spelled?: string, problem?: string) => {
    const { line, col } = position(start);
    const tokenText = spelled ?? text.slice(start, end);
    const token: PPToken = { kind, text: tokenText, file, line, col, length: end - start, fromMacro: undefined, space, bol, hideset: undefined, problem };
    tokens.push(token);
    if (bol) {
      directiveTokens = kind === 'punct' && tokenText === '#' ? 1 : 0;
      isInclude = false;
    } else if (directiveTokens > 0) {
      directiveTokens++;
      if (directiveTokens === 2) isInclude = kind === 'identifier' && (tokenText === 'include' || tokenText === 'include_next');
      else isInclude = false;
    }
    bol = false;
    space = false;
  };

  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      bol = true;
      space = false;
      directiveTokens = 0;
      isInclude = false;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\v' || c === '\f') {
      space = true;
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      space = true;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        const { line, col } = position(i);
        problems.push({ line, col, length: 2, message: 'unterminated comment: /* has no closing */' });
        i = n;
      } else {
        i = end + 2;
      }
      space = true;
      continue;
    }
    const start = i;
    if (isInclude && c === '<') {
      const close = text.indexOf('>', i + 1);
      const eol = text.indexOf('\n', i + 1);
      if (close > 0 && (eol < 0 || close < eol)) {
        push('header', start, close + 1);
        i = close + 1;
        continue;
      }
    }
    // Character and string literals, with their L / u / U / u8 prefixes.
    const prefix = c === '"' || c === "'" || c === 'L' || c === 'u' || c === 'U' ? /^(u8|u|U|L)?(["'])/.exec(text.slice(i, i + 3)) : null;
    if (prefix) {
      const quote = prefix[2];
      let j = i + prefix[0].length;
      let closed = false;
      while (j < n && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < n && text[j + 1] !== '\n') {
          j += 2;
          continue;
        }
        if (text[j] === quote) {
          closed = true;
          j++;
          break;
        }
        j++;
      }
      if (closed) {
        push(quote === '"' ? 'string' : 'char', start, j);
      } else {
        const what = quote === '"' ? 'string literal' : 'character constant';
        push('other', start, j, undefined, `missing terminating ${quote} character: unterminated ${what}`);
      }
      i = j;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdCode(text.charCodeAt(j))) j++;
      push('identifier', start, j);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      // pp-number: digits, letters, underscores, dots, and e+ e- p+ p- sign pairs.
      let j = i + 1;
      while (j < n) {
        const d = text[j];
        if ((d === '+' || d === '-') && /[eEpP]/.test(text[j - 1])) j++;
        else if (isIdChar(d) || d === '.') j++;
        else if (d === "'" && isIdChar(text[j + 1] ?? '')) j += 2; // C23 digit separator
        else break;
      }
      push('number', start, j);
      i = j;
      continue;
    }
    let matched: string | undefined;
    const candidates = BY_FIRST.get(c);
    if (candidates) {
      for (const p of candidates) {
        if (p.length === 1 || text.startsWith(p, i)) {
          matched = p;
          break;
        }
      }
    }
    if (matched) {
      push('punct', start, i + matched.length, DIGRAPHS[matched] ?? matched);
      i += matched.length;
      continue;
    }
    const shown = c === '\\' ? 'stray \\ in program' : `stray '${c}' in program`;
    push('other', start, i + 1, undefined, shown);
    i++;
  }
  return { tokens, problems };
}

/** Lexes a short piece of text (macro pasting, `#include` of a computed name); no positions. */
export function lexFragment(text: string): PPToken[] | null {
  const { tokens, problems } = lex(text, '');
  return problems.length ? null : tokens;
}
