// Helpers for the U64 convention (see contract.ts): 64-bit patterns held as their signed value,
// a number when safe, a bigint otherwise.
import type { U64 } from './contract';

const TWO64 = 1n << 64n;

/** Normalise any integer (number or bigint, any range) to the U64 form of its low 64 bits. */
export function toU64(value: number | bigint): U64 {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    value = BigInt(Math.trunc(value));
  }
  const signed = BigInt.asIntN(64, value);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
}

/** The unsigned 64-bit value of a U64 as a bigint. */
export function toUnsignedBig(value: U64): bigint {
  return BigInt.asUintN(64, BigInt(value));
}

/** `0x`-prefixed lowercase hex of the unsigned 64-bit pattern (the snapshot's address format). */
export function hex64(value: U64): string {
  return '0x' + toUnsignedBig(value).toString(16);
}

/** WinDbg style: ffffe001`2345a000 (16 digits, backtick between the halves). */
export function windbgHex(value: U64): string {
  const s = toUnsignedBig(value).toString(16).padStart(16, '0');
  return `${s.slice(0, 8)}\`${s.slice(8)}`;
}

/** Parse `0x…` (unsigned 64-bit) back to a U64. */
export function parseHex64(text: string): U64 {
  return toU64(BigInt(text.replace(/`/g, '')));
}

export { TWO64 };
