// Integer arithmetic with C semantics on x64: 32-bit values as JS numbers, 64-bit values in the
// U64 convention (signed value; number when safe, bigint otherwise) with a number fast path.
import type { U64 } from '../emulator/contract';
import { SehException } from '../emulator/contract';
import type { CType } from './types';

const MAXS = Number.MAX_SAFE_INTEGER;
const MINS = Number.MIN_SAFE_INTEGER;
const TWO32 = 4294967296;

export function norm64(b: bigint): U64 {
  const s = BigInt.asIntN(64, b);
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}
function big(a: U64): bigint { return typeof a === 'bigint' ? a : BigInt(a); }

export function add64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') { const r = a + b; if (r <= MAXS && r >= MINS) return r; }
  return norm64(big(a) + big(b));
}
export function sub64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') { const r = a - b; if (r <= MAXS && r >= MINS) return r; }
  return norm64(big(a) - big(b));
}
export function mul64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') { const r = a * b; if (r <= MAXS && r >= MINS) return r === 0 ? 0 : r; }
  return norm64(big(a) * big(b));
}
function divZero(): never { throw new SehException(0xc0000094, 'integer division by zero (STATUS_INTEGER_DIVIDE_BY_ZERO)'); }
export function sdiv64(a: U64, b: U64): U64 {
  if (b === 0 || b === 0n) divZero();
  if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) || 0;
  const A = big(a), B = big(b);
  if (A === -(1n << 63n) && B === -1n) throw new SehException(0xc0000095, 'integer overflow in division (STATUS_INTEGER_OVERFLOW)');
  return norm64(A / B);
}
export function srem64(a: U64, b: U64): U64 {
  if (b === 0 || b === 0n) divZero();
  if (typeof a === 'number' && typeof b === 'number') return (a % b) || 0;
  const A = big(a), B = big(b);
  if (B === -1n) return 0;
  return norm64(A % B);
}
export function udiv64(a: U64, b: U64): U64 {
  if (b === 0 || b === 0n) divZero();
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return Math.floor(a / b);
  return norm64(BigInt.asUintN(64, big(a)) / BigInt.asUintN(64, big(b)));
}
export function urem64(a: U64, b: U64): U64 {
  if (b === 0 || b === 0n) divZero();
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return a % b;
  return norm64(BigInt.asUintN(64, big(a)) % BigInt.asUintN(64, big(b)));
}
export function shl64(a: U64, n: number): U64 {
  n &= 63; // x64 masks the count to 6 bits
  if (typeof a === 'number' && n < 32) { const r = a * (1 << n >>> 0 || TWO32); if (r <= MAXS && r >= MINS) return r; }
  return norm64(big(a) << BigInt(n));
}
export function sar64(a: U64, n: number): U64 {
  n &= 63;
  if (typeof a === 'number') return n < 32 ? Math.floor(a / (2 ** n)) : Math.floor(a / 2 ** n);
  return norm64(a >> BigInt(n));
}
export function shr64(a: U64, n: number): U64 {
  n &= 63;
  if (typeof a === 'number' && a >= 0) return Math.floor(a / 2 ** n);
  return norm64(BigInt.asUintN(64, big(a)) >> BigInt(n));
}
function hiLo(a: number): [number, number] { return [Math.floor(a / TWO32), a >>> 0]; }
export function and64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    if ((a | 0) === a && (b | 0) === b) return a & b;
    const [ah, al] = hiLo(a), [bh, bl] = hiLo(b);
    return (ah & bh) * TWO32 + ((al & bl) >>> 0);
  }
  return norm64(big(a) & big(b));
}
export function or64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    if ((a | 0) === a && (b | 0) === b) return a | b;
    const [ah, al] = hiLo(a), [bh, bl] = hiLo(b);
    return (ah | bh) * TWO32 + ((al | bl) >>> 0);
  }
  return norm64(big(a) | big(b));
}
export function xor64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    if ((a | 0) === a && (b | 0) === b) return a ^ b;
    const [ah, al] = hiLo(a), [bh, bl] = hiLo(b);
    return (ah ^ bh) * TWO32 + ((al ^ bl) >>> 0);
  }
  return norm64(big(a) ^ big(b));
}
export function not64(a: U64): U64 {
  if (typeof a === 'number' && a > MINS) return -a - 1;
  return norm64(~big(a));
}
export function neg64(a: U64): U64 {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return norm64(-a);
}
/** Unsigned 64-bit comparison: -1, 0, 1. */
export function ucmp64(a: U64, b: U64): number {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b >= 0) return a < b ? -1 : a > b ? 1 : 0;
  const A = BigInt.asUintN(64, big(a)), B = BigInt.asUintN(64, big(b));
  return A < B ? -1 : A > B ? 1 : 0;
}
export function scmp64(a: U64, b: U64): number {
  // mixed number/bigint comparisons are exact in JS
  return a < b ? -1 : a > b ? 1 : 0;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
export function floatToBits(v: number): number { f32[0] = v; return i32[0]; }
export function bitsToFloat(v: number): number { i32[0] = v; return f32[0]; }
export function doubleToBits(v: number): U64 { f64[0] = v; return norm64(i64[0]); }
export function bitsToDouble(v: U64): number { i64[0] = BigInt(v); return f64[0]; }

/** Converts an integer of one C type to another (truncation, sign/zero extension, float). */
export function convertValue(v: U64 | number, from: CType, to: CType): U64 | number {
  if (to.k === 'float') {
    let x: number;
    if (from.k === 'float') x = v as number;
    else if (from.k === 'int' && !from.signed && from.size === 8) x = Number(BigInt.asUintN(64, big(v as U64)));
    else x = Number(v);
    return to.size === 4 ? Math.fround(x) : x;
  }
  if (to.k === 'int' && to.bool) return v === 0 || v === 0n || (typeof v === 'number' && Number.isNaN(v)) ? 0 : 1;
  if (from.k === 'float') {
    const x = v as number;
    if (!Number.isFinite(x)) v = to.k === 'int' && to.size === 8 ? norm64(-(1n << 63n)) : -2147483648; // the x64 'integer indefinite' value
    else {
      const t = Math.trunc(x);
    v = Number.isSafeInteger(t) ? t : norm64(BigInt(t));
  }}
  const size = to.k === 'int' ? to.size : 8;
  const signed = to.k === 'int' ? to.signed : true;
  return truncInt(v as U64, size, signed);
}

export function truncInt(v: U64, size: number, signed: boolean): U64 {
  if (typeof v === 'number') {
    switch (size) {
      case 1: return signed ? (v << 24) >> 24 : v & 0xff;
      case 2: return signed ? (v << 16) >> 16 : v & 0xffff;
      case 4: return signed ? v | 0 : v >>> 0;
      default: return v;
    }
  }
  switch (size) {
    case 1: return Number(signed ? BigInt.asIntN(8, v) : BigInt.asUintN(8, v));
    case 2: return Number(signed ? BigInt.asIntN(16, v) : BigInt.asUintN(16, v));
    case 4: return Number(signed ? BigInt.asIntN(32, v) : BigInt.asUintN(32, v));
    default: return norm64(v);
  }
}

/** Generic binary operation on values already converted to `t` (used by folding and the evaluator). */
export function binaryOp(op: string, t: CType, a: U64 | number, b: U64 | number): U64 | number {
  if (t.k === 'float') {
    const x = a as number, y = b as number;
    let r: number;
    switch (op) {
      case '+': r = x + y; break; case '-': r = x - y; break; case '*': r = x * y; break; case '/': r = x / y; break;
      case '<': return +(x < y); case '>': return +(x > y); case '<=': return +(x <= y); case '>=': return +(x >= y);
      case '==': return +(x === y); case '!=': return +(x !== y);
      default: throw new Error(`operator ${op} on floating values`);
    }
    return t.size === 4 ? Math.fround(r) : r;
  }
  const size = t.k === 'int' ? t.size : 8;
  const signed = t.k === 'int' ? t.signed : false;
  const A = a as U64, B = b as U64;
  const cmp = () => (signed ? scmp64(A, B) : ucmp64(A, B));
  let r: U64;
  switch (op) {
    case '+': r = add64(A, B); break;
    case '-': r = sub64(A, B); break;
    case '*': r = mul64(A, B); break;
    case '/': r = signed ? sdiv64(A, B) : udiv64(A, B); if (size === 4 && signed && A === -2147483648 && B === -1) throw new SehException(0xc0000095, 'integer overflow in division (STATUS_INTEGER_OVERFLOW)'); break;
    case '%': r = signed ? srem64(A, B) : urem64(A, B); break;
    case '&': r = and64(A, B); break;
    case '|': r = or64(A, B); break;
    case '^': r = xor64(A, B); break;
    case '<<': r = size === 8 ? shl64(A, Number(B)) : Number(BigInt.asIntN(32, big(A) << BigInt(Number(B) & 31))); break;
    case '>>': r = size === 8 ? (signed ? sar64(A, Number(B)) : shr64(A, Number(B))) : signed ? (A as number) >> (Number(B) & 31) : (A as number) >>> (Number(B) & 31); break;
    case '<': return +(cmp() < 0);
    case '>': return +(cmp() > 0);
    case '<=': return +(cmp() <= 0);
    case '>=': return +(cmp() >= 0);
    case '==': return +(cmp() === 0);
    case '!=': return +(cmp() !== 0);
    default: throw new Error(`unknown operator ${op}`);
  }
  return truncInt(r, size, signed);
}
