// Number, character and string literals as MSVC x64 types and decodes them.
import type { U64 } from '../emulator/contract';
import { toU64 } from '../emulator/u64';
import { T_DOUBLE, T_FLOAT, T_INT, T_LLONG, T_LONG, T_UINT, T_ULLONG, T_ULONG, T_WCHAR, type CType } from './types';

export function parseNumber(text: string): { v: U64 | number; t: CType } | string {
  // The common case, a plain decimal int of up to 9 digits, without regular expressions or BigInt.
  if (text.length <= 9 && (text.length === 1 || text.charCodeAt(0) !== 48)) {
    let v = 0;
    for (let i = 0; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) { v = -1; break; }
      v = v * 10 + d;
    }
    if (v >= 0) return { v, t: T_INT };
  }
  const s = text.toLowerCase();
  const isHex = s.startsWith('0x');
  if (!isHex && /[.e]/.test(s) || (isHex && /p/.test(s))) {
    const f = s.endsWith('f');
    const body = s.replace(/[fl]$/, '');
    const v = Number(body);
    if (Number.isNaN(v)) return `invalid floating constant '${text}'`;
    return { v: f ? Math.fround(v) : v, t: f ? T_FLOAT : T_DOUBLE };
  }
  const m = /^(0x[0-9a-f]+|0b[01]+|[0-9]+)(u?(?:ll|l|i64|i32|i16|i8)?u?)$/.exec(s);
  if (!m) return `invalid integer constant '${text}'`;
  const digits = m[1];
  const suf = m[2];
  let big: bigint;
  if (digits.startsWith('0x') || digits.startsWith('0b')) big = BigInt(digits);
  else if (digits.length > 1 && digits[0] === '0') {
    if (/[89]/.test(digits)) return `invalid digit in octal constant '${text}'`;
    big = BigInt('0o' + digits.slice(1));
  } else big = BigInt(digits);
  if (big >= 1n << 64n) return `integer constant '${text}' is too large`;
  const unsigned = suf.includes('u');
  const long64 = suf.includes('ll') || suf.includes('i64');
  const decimal = !(digits.startsWith('0x') || digits.startsWith('0b') || (digits.length > 1 && digits[0] === '0'));
  let t: CType;
  if (long64) t = unsigned || big > 0x7fffffffffffffffn ? T_ULLONG : T_LLONG;
  else if (unsigned) t = big <= 0xffffffffn ? (suf.includes('l') ? T_ULONG : T_UINT) : T_ULLONG;
  else if (big <= 0x7fffffffn) t = suf.includes('l') ? T_LONG : T_INT;
  // MSVC types an unsuffixed literal that fits 32 unsigned bits as unsigned long, also in decimal
  else if (big <= 0xffffffffn) t = decimal ? T_ULONG : T_UINT;
  else t = big <= 0x7fffffffffffffffn ? T_LLONG : T_ULLONG;
  return { v: toU64(big), t };
}

/** Decodes the body of a quoted literal into code points. */
export function decodeEscapes(body: string): number[] | string {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      if (cp > 0xffff) i++;
      out.push(cp);
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'n': out.push(10); break;
      case 't': out.push(9); break;
      case 'r': out.push(13); break;
      case 'a': out.push(7); break;
      case 'b': out.push(8); break;
      case 'f': out.push(12); break;
      case 'v': out.push(11); break;
      case '\\': case '\'': case '"': case '?': out.push(e.charCodeAt(0)); break;
      case 'x': {
        let j = i + 1;
        while (j < body.length && /[0-9a-fA-F]/.test(body[j])) j++;
        if (j === i + 1) return '\\x used with no following hex digits';
        out.push(parseInt(body.slice(i + 1, j), 16));
        i = j - 1;
        break;
      }
      case 'u': case 'U': {
        const n = e === 'u' ? 4 : 8;
        out.push(parseInt(body.slice(i + 1, i + 1 + n), 16));
        i += n;
        break;
      }
      default:
        if (/[0-7]/.test(e)) {
          let j = i;
          while (j < body.length && j < i + 3 && /[0-7]/.test(body[j])) j++;
          out.push(parseInt(body.slice(i, j), 8));
          i = j - 1;
        } else return `unknown escape sequence '\\${e}'`;
    }
  }
  return out;
}

export function parseChar(text: string): { v: number; t: CType } | string {
  const wide = text[0] === 'L' || text[0] === 'u';
  const body = text.slice(wide ? 2 : 1, -1);
  const cps = decodeEscapes(body);
  if (typeof cps === 'string') return cps;
  if (cps.length === 0) return 'empty character constant';
  if (wide) return { v: cps[0] & 0xffff, t: T_WCHAR };
  if (cps.length === 1) return { v: (cps[0] << 24) >> 24, t: T_INT }; // char is signed on MSVC
  let v = 0;
  for (const c of cps) v = ((v << 8) | (c & 0xff)) | 0;
  return { v, t: T_INT };
}

/** Bytes of one string literal piece, without terminator: UTF-8 for narrow, code points for wide. */
export function stringPiece(text: string): { cps: number[]; wide: boolean } | string {
  const wide = text[0] === 'L' || text[0] === 'u';
  const body = text.slice(wide ? 2 : text[0] === 'U' ? 2 : 1, -1);
  const cps = decodeEscapes(body);
  if (typeof cps === 'string') return cps;
  return { cps, wide };
}

export function encodeString(pieces: number[], wide: boolean): Uint8Array {
  if (wide) {
    const units: number[] = [];
    for (const cp of pieces) {
      if (cp > 0xffff) { const c = cp - 0x10000; units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)); } else units.push(cp);
    }
    units.push(0);
    const b = new Uint8Array(units.length * 2);
    units.forEach((u, i) => { b[i * 2] = u & 0xff; b[i * 2 + 1] = u >> 8; });
    return b;
  }
  const bytes: number[] = [];
  for (const cp of pieces) {
    if (cp < 0x80 || cp <= 0xff) bytes.push(cp & 0xff); // escapes like \xff are raw bytes
    else for (const b of new TextEncoder().encode(String.fromCodePoint(cp))) bytes.push(b);
  }
  bytes.push(0);
  return Uint8Array.from(bytes);
}
