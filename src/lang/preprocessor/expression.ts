// Evaluates the controlling expression of #if/#elif (C17 6.10.1): integer constant expressions
// in intmax_t / uintmax_t, which are 64-bit on x64 Windows, with C's usual arithmetic conversions.
import type { PPToken } from './lexer';

interface Value {
  v: bigint;
  unsigned: boolean;
}

class IfError extends Error {
  constructor(readonly token: PPToken | undefined, message: string) {
    super(message);
  }
}

const norm = (v: bigint, unsigned: boolean): Value => ({ v: unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), unsigned });

const MAX_NESTING = 256;
const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63, '0': 0 };

/** The value of a character constant such as 'a', '\n', L'x', '\x41' (MSVC: multi-char packs big-endian). */
export function charValue(text: string): bigint | null {
  const m = /^(u8|u|U|L)?'(.*)'$/s.exec(text);
  if (!m) return null;
  const body = m[2];
  const codes: number[] = [];
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      codes.push(body.codePointAt(i)!);
      i += body.codePointAt(i)! > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    if (e === 'x') {
      const h = /^[0-9a-fA-F]+/.exec(body.slice(i + 2));
      if (!h) return null;
      codes.push(parseInt(h[0], 16));
      i += 2 + h[0].length;
    } else if (e >= '0' && e <= '7') {
      const o = /^[0-7]{1,3}/.exec(body.slice(i + 1))!;
      codes.push(parseInt(o[0], 8));
      i += 1 + o[0].length;
    } else if (e in SIMPLE_ESCAPES) {
      codes.push(SIMPLE_ESCAPES[e]);
      i += 2;
    } else {
      return null;
    }
  }
  if (codes.length === 0) return null;
  if (m[1]) return BigInt(codes[0]);
  // A plain char is signed on MSVC: '\xff' is -1.
  if (codes.length === 1) return BigInt.asIntN(8, BigInt(codes[0] & 0xff));
  let v = 0n;
  for (const c of codes) v = (v << 8n) | BigInt(c & 0xff);
  return BigInt.asIntN(32, v);
}

/** Parses an integer literal with C and MSVC suffixes (u, l, ll, i64, ui64…). */
export function integerValue(text: string): Value | null {
  const m = /^(0[xX][0-9a-fA-F']+|0[bB][01']+|[0-9][0-9']*)((?:[uU](?:ll|LL|l|L|i64|i32|i16|i8)?)|(?:(?:ll|LL|l|L)[uU]?)|i64|i32|i16|i8)?$/.exec(text);
  if (!m) return null;
  const digits = m[1].replace(/'/g, '');
  let v: bigint;
  if (/^0[bB]/.test(digits)) v = BigInt(digits);
  else if (/^0[xX]/.test(digits)) v = BigInt(digits);
  else if (digits.length > 1 && digits[0] === '0') {
    if (!/^[0-7]+$/.test(digits)) return null;
    v = BigInt('0o' + digits.slice(1));
  } else v = BigInt(digits);
  if (v > 0xffffffffffffffffn) return null;
  const unsigned = /[uU]/.test(m[2] ?? '') || v > 0x7fffffffffffffffn;
  return norm(v, unsigned);
}

export interface IfResult {
  value: boolean;
  error?: { token: PPToken | undefined; message: string };
}

/** `tokens` are fully macro-expanded, with `defined` already replaced by 0 or 1. */
export function evaluateCondition(tokens: readonly PPToken[], directive: PPToken): IfResult {
  let pos = 0;
  let nesting = 0;
  const peek = () => tokens[pos];
  const isOp = (text: string) => {
    const t = tokens[pos];
    return !!t && t.kind === 'punct' && t.text === text;
  };
  const fail = (t: PPToken | undefined, message: string): never => {
    throw new IfError(t ?? tokens[tokens.length - 1] ?? directive, message);
  };

  const primary = (evaluated: boolean): Value => {
    const t = tokens[pos++];
    if (!t) return fail(tokens[tokens.length - 1], `#${directive.text} expression ends where a value was expected`);
    if (t.kind === 'number') {
      const v = integerValue(t.text);
      if (v) return v;
      if (/[.eEpP]/.test(t.text) && !/^0[xX][0-9a-fA-F]+$/.test(t.text)) return fail(t, `floating constant '${t.text}' in preprocessor expression`);
      return fail(t, `invalid integer constant '${t.text}' in preprocessor expression`);
    }
    if (t.kind === 'char') {
      const v = charValue(t.text);
      if (v === null) return fail(t, `invalid character constant ${t.text}`);
      return { v, unsigned: false };
    }
    if (t.kind === 'identifier') {
      // C17 6.10.1p4: identifiers left after expansion are 0 (true/false included, as in C).
      return { v: 0n, unsigned: false };
    }
    if (t.kind === 'punct' && t.text === '(') {
      if (++nesting > MAX_NESTING) return fail(t, `#${directive.text} expression nests more than ${MAX_NESTING} parentheses deep`);
      const v = comma(evaluated);
      nesting--;
      if (!isOp(')')) fail(peek() ?? t, `missing ')' in #${directive.text} expression`);
      pos++;
      return v;
    }
    if (t.kind === 'string') return fail(t, `string literal ${t.text} is not allowed in a #${directive.text} expression`);
    return fail(t, `'${t.text}' is not valid in a #${directive.text} expression`);
  };

  const unary = (evaluated: boolean): Value => {
    const t = peek();
    if (t && t.kind === 'punct' && ['+', '-', '~', '!'].includes(t.text)) {
      pos++;
      if (++nesting > MAX_NESTING) return fail(t, `#${directive.text} expression nests more than ${MAX_NESTING} operators deep`);
      const a = unary(evaluated);
      nesting--;
      switch (t.text) {
        case '+':
          return a;
        case '-':
          return norm(-a.v, a.unsigned);
        case '~':
          return norm(~a.v, a.unsigned);
        default:
          return { v: a.v === 0n ? 1n : 0n, unsigned: false };
      }
    }
    return primary(evaluated);
  };

  const LEVELS: string[][] = [['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

  const binary = (level: number, evaluated: boolean): Value => {
    if (level === LEVELS.length) return unary(evaluated);
    let a = binary(level + 1, evaluated);
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'punct' || !LEVELS[level].includes(t.text)) return a;
      pos++;
      const b = binary(level + 1, evaluated);
      a = apply(t, a, b, evaluated);
    }
  };

  const apply = (op: PPToken, a: Value, b: Value, evaluated: boolean): Value => {
    const isShift = op.text === '<<' || op.text === '>>';
    const unsigned = isShift ? a.unsigned : a.unsigned || b.unsigned;
    const x = norm(a.v, unsigned).v;
    const y = isShift ? b.v : norm(b.v, unsigned).v;
    switch (op.text) {
      case '*':
        return norm(x * y, unsigned);
      case '/':
      case '%':
        if (y === 0n) {
          if (!evaluated) return { v: 0n, unsigned };
          return fail(op, `division by zero in #${directive.text}`);
        }
        return norm(op.text === '/' ? x / y : x % y, unsigned);
      case '+':
        return norm(x + y, unsigned);
      case '-':
        return norm(x - y, unsigned);
      case '<<':
      case '>>': {
        if (y < 0n || y >= 64n) return { v: op.text === '>>' && !unsigned && x < 0n ? -1n : 0n, unsigned };
        return norm(op.text === '<<' ? x << y : x >> y, unsigned);
      }
      case '<':
        return { v: x < y ? 1n : 0n, unsigned: false };
      case '>':
        return { v: x > y ? 1n : 0n, unsigned: false };
      case '<=':
        return { v: x <= y ? 1n : 0n, unsigned: false };
      case '>=':
        return { v: x >= y ? 1n : 0n, unsigned: false };
      case '==':
        return { v: x === y ? 1n : 0n, unsigned: false };
      case '!=':
        return { v: x !== y ? 1n : 0n, unsigned: false };
      case '&':
        return norm(x & y, unsigned);
      case '^':
        return norm(x ^ y, unsigned);
      default:
        return norm(x | y, unsigned);
    }
  };

  const logicalAnd = (evaluated: boolean): Value => {
    let a = binary(0, evaluated);
    while (isOp('&&')) {
      pos++;
      const b = binary(0, evaluated && a.v !== 0n);
      a = { v: a.v !== 0n && b.v !== 0n ? 1n : 0n, unsigned: false };
    }
    return a;
  };
  const logicalOr = (evaluated: boolean): Value => {
    let a = logicalAnd(evaluated);
    while (isOp('||')) {
      pos++;
      const b = logicalAnd(evaluated && a.v === 0n);
      a = { v: a.v !== 0n || b.v !== 0n ? 1n : 0n, unsigned: false };
    }
    return a;
  };
  const conditional = (evaluated: boolean): Value => {
    const c = logicalOr(evaluated);
    if (!isOp('?')) return c;
    const q = tokens[pos++];
    const a = comma(evaluated && c.v !== 0n);
    if (!isOp(':')) fail(peek() ?? q, `expected ':' in #${directive.text} expression`);
    pos++;
    const b = conditional(evaluated && c.v === 0n);
    const unsigned = a.unsigned || b.unsigned;
    return norm(c.v !== 0n ? a.v : b.v, unsigned);
  };
  const comma = (evaluated: boolean): Value => {
    let v = conditional(evaluated);
    while (isOp(',')) {
      pos++;
      v = conditional(evaluated);
    }
    return v;
  };

  try {
    if (tokens.length === 0) return { value: false, error: { token: directive, message: `#${directive.text} with no expression` } };
    const v = comma(true);
    if (pos < tokens.length) fail(tokens[pos], `missing binary operator before '${tokens[pos].text}' in #${directive.text}`);
    return { value: v.v !== 0n };
  } catch (e) {
    if (e instanceof IfError) return { value: false, error: { token: e.token, message: e.message } };
    throw e;
  }
}
