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

/** Punctuators by the code of their first character, longest first. */
const BY_FIRST_CODE: (readonly string[] | undefined)[] = [];
for (const [c, list] of BY_FIRST) BY_FIRST_CODE[c.charCodeAt(0)] = list;

function isIdStartCode(k: number): boolean {
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k === 36 || k > 127;
}
function isIdCode(k: number): boolean {
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || (k >= 48 && k <= 57) || k === 95 || k === 36 || k > 127;
}
function isDigitCode(k: number): boolean {
  return k >= 48 && k <= 57;
}
const QUOTE = 34, APOS = 39;

/** Length of the L / u / U / u8 prefix of a character or string literal starting at `i`, or -1 if none starts there. */
function literalPrefix(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE || c === APOS) return 0;
  if (c !== 76 /* L */ && c !== 85 /* U */ && c !== 117 /* u */) return -1;
  const d = text.charCodeAt(i + 1);
  if (d === QUOTE || d === APOS) return 1;
  if (c !== 117 || d !== 56 /* 8 */) return -1;
  const e = text.charCodeAt(i + 2);
  return e === QUOTE || e === APOS ? 2 : -1;
}

/**
 * Phase 1–2: normalise line ends and remove backslash-newline splices, remembering for every
 * character of the spliced text where it stood in the original so positions stay exact.
 */
function splice(source: string): { text: string; origin: number[] | null; original: string } {
  let original = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (original.includes('\r')) original = original.replace(/\r\n?/g, '\n');
  if (!original.includes('\\\n') && !/\\[ \t]+\n/.test(original)) return { text: original, origin: null, original };
  const parts: string[] = [];
  const origin: number[] = [];
  // Copy the text between splices in slices; `origin` still maps every kept character.
  let from = 0;
  for (let i = original.indexOf('\\'); i >= 0; i = original.indexOf('\\', i + 1)) {
    // MSVC and GCC both accept white space between the backslash and the newline.
    let j = i + 1;
    while (j < original.length && (original[j] === ' ' || original[j] === '\t')) j++;
    if (original[j] !== '\n') continue;
    parts.push(original.slice(from, i));
    for (let k = from; k < i; k++) origin.push(k);
    from = j + 1;
    i = j;
  }
  parts.push(original.slice(from));
  for (let k = from; k < original.length; k++) origin.push(k);
  const text = parts.join('');
  origin.push(original.length);
  return { text, origin, original };
}

export function lex(source: string, file: string): LexResult {
  const { text, origin, original } = splice(source);
  const lineStarts = [0];
  for (let k = original.indexOf('\n'); k >= 0; k = original.indexOf('\n', k + 1)) lineStarts.push(k + 1);
  // Tokens are found in increasing order, so the line is a cursor that only moves forward.
  let lineIndex = 0;
  const lineOf = (o: number): number => {
    if (o < lineStarts[lineIndex]) lineIndex = 0;
    while (lineIndex + 1 < lineStarts.length && lineStarts[lineIndex + 1] <= o) lineIndex++;
    return lineIndex;
  };
  const position = (index: number): { line: number; col: number } => {
    const o = origin ? origin[Math.min(index, origin.length - 1)] : index;
    const l = lineOf(o);
    return { line: l + 1, col: o - lineStarts[l] + 1 };
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
    const o = origin ? origin[Math.min(start, origin.length - 1)] : start;
    const l = lineOf(o);
    const tokenText = spelled ?? text.slice(start, end);
    const token: PPToken = { kind, text: tokenText, file, line: l + 1, col: o - lineStarts[l] + 1, length: end - start, fromMacro: undefined, space, bol, hideset: undefined, problem };
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
    const c = text.charCodeAt(i);
    if (c === 10) {
      bol = true;
      space = false;
      directiveTokens = 0;
      isInclude = false;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 11 || c === 12) {
      space = true;
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        const eol = text.indexOf('\n', i);
        i = eol < 0 ? n : eol;
        space = true;
        continue;
      }
      if (d === 42 /* * */) {
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
    }
    const start = i;
    if (isInclude && c === 60 /* < */) {
      const close = text.indexOf('>', i + 1);
      const eol = text.indexOf('\n', i + 1);
      if (close > 0 && (eol < 0 || close < eol)) {
        push('header', start, close + 1);
        i = close + 1;
        continue;
      }
    }
    // Character and string literals, with their L / u / U / u8 prefixes.
    const prefixLength = c === QUOTE || c === APOS || c === 76 || c === 85 || c === 117 ? literalPrefix(text, i) : -1;
    if (prefixLength >= 0) {
      const quote = text.charCodeAt(i + prefixLength);
      let j = i + prefixLength + 1;
      let closed = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 10) break;
        if (d === 92 /* \ */ && j + 1 < n && text.charCodeAt(j + 1) !== 10) {
          j += 2;
          continue;
        }
        j++;
        if (d === quote) {
          closed = true;
          break;
        }
      }
      if (closed) {
        push(quote === QUOTE ? 'string' : 'char', start, j);
      } else {
        const what = quote === QUOTE ? 'string literal' : 'character constant';
        push('other', start, j, undefined, `missing terminating ${String.fromCharCode(quote)} character: unterminated ${what}`);
      }
      i = j;
      continue;
    }
    if (isIdStartCode(c)) {
      let j = i + 1;
      while (j < n && isIdCode(text.charCodeAt(j))) j++;
      push('identifier', start, j);
      i = j;
      continue;
    }
    if (isDigitCode(c) || (c === 46 /* . */ && isDigitCode(text.charCodeAt(i + 1)))) {
      // pp-number: digits, letters, underscores, dots, and e+ e- p+ p- sign pairs.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 43 || d === 45) { // + -
          const e = text.charCodeAt(j - 1) | 0x20;
          if (e === 101 || e === 112) j++; // e E p P
          else break;
        } else if (isIdCode(d) || d === 46) j++;
        else if (d === APOS && j + 1 < n && isIdCode(text.charCodeAt(j + 1))) j += 2; // C23 digit separator
        else break;
      }
      push('number', start, j);
      i = j;
      continue;
    }
    const candidates = c < 128 ? BY_FIRST_CODE[c] : undefined;
    let matched: string | undefined;
    if (candidates) {
      for (const p of candidates) {
        if (p.length === 1 || text.startsWith(p, i)) {
          matched = p;
          break;
        }
      }
    }
    if (matched) {
      push('punct', start, i + matched.length, matched.length === 1 ? matched : DIGRAPHS[matched] ?? matched);
      i += matched.length;
      continue;
    }
    const shown = c === 92 ? 'stray \\ in program' : `stray '${text[i]}' in program`;
    push('other', start, i + 1, undefined, shown);
    i++;
  }
  return { tokens, problems };
}

// Built-in headers never change, so each is lexed once per process.
const lexCache = new Map<string, { text: string; result: LexResult }>();
export function lexBuiltin(name: string, text: string): LexResult {
  const hit = lexCache.get(name);
  if (hit && hit.text === text) return hit.result;
  const result = lex(text, name);
  lexCache.set(name, { text, result });
  return result;
}

/** Lexes a short piece of text (macro pasting, `#include` of a computed name); no positions. */
export function lexFragment(text: string): PPToken[] | null {
  const { tokens, problems } = lex(text, '');
  return problems.length ? null : tokens;
}
