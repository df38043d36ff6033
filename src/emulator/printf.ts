// printf-style formatting for DbgPrint and friends, reading strings and UNICODE_STRINGs from
// emulated memory. Follows the Windows kernel CRT conventions: %p prints 16 hex digits on x64,
// %S/%ws/%ls take wide strings, %wZ a PUNICODE_STRING, %Z a PANSI_STRING, I64/ll/I/z sizes.
import type { U64 } from './contract';
import { toUnsignedBig } from './u64';

export interface StringReader {
  /** NUL-terminated narrow string at va (bounded). */
  cString(va: number, max?: number): string;
  /** NUL-terminated UTF-16 string at va (bounded). */
  wString(va: number, max?: number): string;
  /** Counted UTF-16 (UNICODE_STRING) or narrow (ANSI_STRING) string whose descriptor is at va. */
  countedString(va: number, wide: boolean): string;
}

const MAX_OUTPUT = 4096;

export function formatPrintf(format: string, args: U64[], reader: StringReader): string {
  let out = '';
  let argIndex = 0;
  const next = (): U64 => (argIndex < args.length ? args[argIndex++] : 0);
  for (let i = 0; i < format.length && out.length < MAX_OUTPUT; i++) {
    const c = format[i];
    if (c !== '%') { out += c; continue; }
    let j = i + 1;
    let flags = '';
    while (j < format.length && '-+ #0'.includes(format[j])) flags += format[j++];
    let width = -1;
    if (format[j] === '*') { width = Number(next()); j++; if (width < 0) { flags += '-'; width = -width; } }
    else { let w = ''; while (/[0-9]/.test(format[j] ?? '')) w += format[j++]; if (w) width = Number(w); }
    let precision = -1;
    if (format[j] === '.') {
      j++;
      if (format[j] === '*') { precision = Number(next()); j++; }
      else { let p = ''; while (/[0-9]/.test(format[j] ?? '')) p += format[j++]; precision = p ? Number(p) : 0; }
    }
    let size = '';
    const rest = format.slice(j);
    const m = /^(I64|I32|ll|hh|h|l|L|I|z|j|t|w)/.exec(rest);
    if (m) { size = m[1]; j += m[1].length; }
    const conv = format[j];
    if (conv === undefined) { out += format.slice(i); break; }
    i = j;
    let body: string;
    let numeric = false;
    let sign = '';
    switch (conv) {
      case '%': out += '%'; continue;
      case 'd': case 'i': {
        numeric = true;
        const v = signedOf(next(), size);
        sign = v < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
        body = (v < 0n ? -v : v).toString();
        break;
      }
      case 'u': numeric = true; body = unsignedOf(next(), size).toString(); break;
      case 'x': case 'X': {
        numeric = true;
        const v = unsignedOf(next(), size);
        body = v.toString(16);
        if (conv === 'X') body = body.toUpperCase();
        if (flags.includes('#') && v !== 0n) sign = conv === 'x' ? '0x' : '0X';
        break;
      }
      case 'o': numeric = true; body = unsignedOf(next(), size).toString(8); break;
      case 'p': body = toUnsignedBig(next()).toString(16).toUpperCase().padStart(16, '0'); break;
      case 'c': case 'C': body = String.fromCharCode(Number(unsignedOf(next(), 'h')) & (conv === 'C' || size === 'w' || size === 'l' ? 0xffff : 0xff)); break;
      case 's': case 'S': {
        const va = Number(next());
        const wide = conv === 'S' ? size !== 'h' : size === 'w' || size === 'l';
        body = va === 0 ? '(null)' : wide ? reader.wString(va) : reader.cString(va);
        if (precision >= 0) body = body.slice(0, precision);
        break;
      }
      case 'Z': {
        const va = Number(next());
        body = va === 0 ? '(null)' : reader.countedString(va, size === 'w');
        break;
      }
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
        const bits = toUnsignedBig(next());
        const dv = new DataView(new ArrayBuffer(8));
        dv.setBigUint64(0, bits, true);
        const f = dv.getFloat64(0, true);
        const p = precision < 0 ? 6 : precision;
        body = conv === 'f' || conv === 'F' ? f.toFixed(p) : conv === 'e' || conv === 'E' ? f.toExponential(p) : String(Number(f.toPrecision(p || 1)));
        if (conv === 'E' || conv === 'G') body = body.toUpperCase();
        if (f >= 0 && flags.includes('+')) sign = '+';
        break;
      }
      case 'n': next(); continue;
      default: out += '%' + flags + (width >= 0 ? width : '') + size + conv; continue;
    }
    if (numeric && precision >= 0) body = precision === 0 && body === '0' ? '' : body.padStart(precision, '0');
    let text = sign + body;
    if (width > text.length) {
      if (flags.includes('-')) text = text.padEnd(width, ' ');
      else if (flags.includes('0') && numeric && precision < 0) text = sign + body.padStart(width - sign.length, '0');
      else text = text.padStart(width, ' ');
    }
    out += text;
  }
  return out;
}

function bitsOf(size: string): number {
  switch (size) {
    case 'hh': return 8;
    case 'h': return 16;
    case 'I64': case 'll': case 'I': case 'z': case 'j': case 't': return 64;
    default: return 32; // 'l' and no size: LLP64, long is 32 bits
  }
}

function signedOf(v: U64, size: string): bigint {
  return BigInt.asIntN(bitsOf(size), BigInt(v));
}

function unsignedOf(v: U64, size: string): bigint {
  return BigInt.asUintN(bitsOf(size), BigInt(v));
}
