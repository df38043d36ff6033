// Macro definitions: parsing `#define`, checking its constraints (C17 6.10.3), and comparing
// redefinitions.
import type { PPToken } from './lexer';

export interface Macro {
  name: string;
  /** null for an object-like macro; parameter names otherwise, `__VA_ARGS__` for `...`. */
  params: string[] | null;
  variadic: boolean;
  body: PPToken[];
  /** Where the name was written. */
  file: string;
  line: number;
  col: number;
  /** Predefined by the preprocessor (not written in any file). */
  predefined?: boolean;
}

export interface DefineProblem {
  token: PPToken;
  message: string;
}

export const VA_ARGS = '__VA_ARGS__';

/** `tokens` are the directive's tokens after `define`. */
export function parseDefine(tokens: PPToken[], at: PPToken): Macro | DefineProblem {
  const nameTok = tokens[0];
  if (!nameTok) return { token: at, message: 'macro name missing after #define' };
  if (nameTok.kind !== 'identifier') return { token: nameTok, message: `macro names must be identifiers, not '${nameTok.text}'` };
  if (nameTok.text === 'defined') return { token: nameTok, message: '"defined" cannot be used as a macro name' };
  const macro: Macro = { name: nameTok.text, params: null, variadic: false, body: [], file: nameTok.file, line: nameTok.line, col: nameTok.col };
  let i = 1;
  const open = tokens[1];
  if (open && open.kind === 'punct' && open.text === '(' && !open.space) {
    macro.params = [];
    i = 2;
    let expectParam = true;
    for (;;) {
      const t = tokens[i];
      if (!t) return { token: open, message: `missing ')' in the parameter list of macro "${macro.name}"` };
      i++;
      if (t.kind === 'punct' && t.text === ')') {
        if (expectParam && macro.params.length > 0) return { token: t, message: `parameter name missing before ')' in macro "${macro.name}"` };
        break;
      }
      if (!expectParam) {
        if (t.kind === 'punct' && t.text === ',' && !macro.variadic) {
          expectParam = true;
          continue;
        }
        return { token: t, message: macro.variadic ? `'...' must be the last parameter of macro "${macro.name}"` : `expected ',' or ')' in the parameter list of macro "${macro.name}", found '${t.text}'` };
      }
      if (t.kind === 'punct' && t.text === '...') {
        macro.variadic = true;
        macro.params.push(VA_ARGS);
      } else if (t.kind === 'identifier') {
        if (t.text === VA_ARGS) return { token: t, message: '__VA_ARGS__ can only appear in the expansion of a variadic macro' };
        if (macro.params.includes(t.text)) return { token: t, message: `duplicate macro parameter "${t.text}"` };
        macro.params.push(t.text);
      } else {
        return { token: t, message: `expected a parameter name in macro "${macro.name}", found '${t.text}'` };
      }
      expectParam = false;
    }
  } else if (open && !open.space) {
    // C17 6.10.3p3: white space is required between the name and an object-like body.
    // GCC and MSVC only warn; the body still starts here.
  }
  macro.body = tokens.slice(i).map((t, k) => (k === 0 && t.space ? { ...t, space: false } : t));
  const body = macro.body;
  for (let k = 0; k < body.length; k++) {
    const t = body[k];
    if (t.kind === 'identifier' && t.text === VA_ARGS && !macro.variadic) {
      return { token: t, message: '__VA_ARGS__ can only appear in the expansion of a variadic macro' };
    }
    if (t.kind === 'punct' && t.text === '##' && (k === 0 || k === body.length - 1)) {
      return { token: t, message: `'##' cannot appear at either end of a macro expansion` };
    }
    if (macro.params && t.kind === 'punct' && t.text === '#') {
      const next = body[k + 1];
      if (!next || next.kind !== 'identifier' || !macro.params.includes(next.text)) {
        return { token: t, message: `'#' is not followed by a macro parameter in macro "${macro.name}"` };
      }
    }
  }
  return macro;
}

export function isMacro(x: Macro | DefineProblem): x is Macro {
  return (x as Macro).name !== undefined;
}

/** C17 6.10.3p2: a redefinition is allowed only if it is identical (same parameters, same body spelling and spacing). */
export function sameDefinition(a: Macro, b: Macro): boolean {
  if ((a.params === null) !== (b.params === null)) return false;
  if (a.params && b.params && (a.params.length !== b.params.length || a.params.some((p, i) => p !== b.params![i]))) return false;
  if (a.body.length !== b.body.length) return false;
  return a.body.every((t, i) => t.text === b.body[i].text && (i === 0 || t.space === b.body[i].space));
}

/** The replacement list as text, for hovers and the `macros` table of the result. */
export function bodyText(body: readonly PPToken[]): string {
  let s = '';
  body.forEach((t, i) => {
    if (i > 0 && t.space) s += ' ';
    s += t.text;
  });
  return s;
}
