// Small text utilities shared by the language services: words and call contexts at a position.

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export function offsetAt(text: string, pos: Position): number {
  let line = 1;
  let i = 0;
  while (line < pos.line && i < text.length) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
    line++;
  }
  return Math.min(text.length, i + pos.col - 1);
}

const IDENT = /[A-Za-z0-9_]/;

/** The identifier under or just before `offset`, with its start offset. */
export function wordAt(text: string, offset: number): { word: string; start: number } | null {
  let s = offset;
  let e = offset;
  while (s > 0 && IDENT.test(text[s - 1])) s--;
  while (e < text.length && IDENT.test(text[e])) e++;
  if (s === e || /[0-9]/.test(text[s])) return null;
  return { word: text.slice(s, e), start: s };
}

/**
 * The innermost open call around `offset`: `Name(` with the index of the argument the cursor is in.
 * Strings, character literals and nested brackets are skipped.
 */
export function callAt(text: string, offset: number): { name: string; argIndex: number } | null {
  let depth = 0;
  let arg = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // walk back to the opening quote
      for (i--; i >= 0 && !(text[i] === c && text[i - 1] !== '\\'); i--);
      continue;
    }
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return null;
      depth--;
    } else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      let e = i;
      while (e > 0 && /\s/.test(text[e - 1])) e--;
      const w = wordAt(text, e);
      return w ? { name: w.word, argIndex: arg } : null;
    } else if (c === ',' && depth === 0) arg++;
    else if (c === ';' && depth === 0) return null;
  }
  return null;
}

/**
 * The member-access chain that ends at `offset`, e.g. `Irp->Tail.Overlay.Cur` gives
 * { root: 'Irp', members: ['Tail', 'Overlay'], prefix: 'Cur' }. Array subscripts are stepped over;
 * `.` and `->` are not told apart (the type decides).
 */
export function memberChainAt(text: string, offset: number): { root: string; members: string[]; prefix: string } | null {
  let i = offset;
  while (i > 0 && IDENT.test(text[i - 1])) i--;
  const prefix = text.slice(i, offset);
  const words: string[] = [];
  for (;;) {
    let j = i;
    while (j > 0 && /[ \t]/.test(text[j - 1])) j--;
    if (text[j - 1] === '.') j -= 1;
    else if (text[j - 1] === '>' && text[j - 2] === '-') j -= 2;
    else break;
    while (j > 0 && /[ \t]/.test(text[j - 1])) j--;
    while (text[j - 1] === ']') {
      let d = 0;
      for (j--; j >= 0; j--) {
        if (text[j] === ']') d++;
        else if (text[j] === '[' && --d === 0) break;
      }
    }
    const w = wordAt(text, j);
    if (!w || w.start + w.word.length !== j) return null;
    words.unshift(w.word);
    i = w.start;
  }
  if (words.length === 0) return null;
  return { root: words[0], members: words.slice(1), prefix };
}
