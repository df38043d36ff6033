// Number formatting the way WinDbg prints it: 64-bit values with a backtick between the halves.
import { parseHex64, toUnsignedBig, windbgHex } from '../../emulator/u64';
import type { U64 } from '../../emulator/contract';

export { windbgHex };

/** A snapshot address string (`0x…`) in WinDbg form. */
export function addr(hex: string): string {
  return windbgHex(parseHex64(hex));
}

export function hexN(value: number | bigint, digits: number): string {
  const v = typeof value === 'bigint' ? BigInt.asUintN(digits * 4, value) : BigInt.asUintN(digits * 4, BigInt(Math.trunc(value)));
  return v.toString(16).padStart(digits, '0');
}

/** `0x`-less unsigned hex of a U64 without padding. */
export function plainHex(v: U64): string {
  return toUnsignedBig(v).toString(16);
}

/** A `dt` field line: `   +0x008 Size             : 0n80` */
export function dtLine(offset: number, name: string, value: string): string {
  return `   +0x${offset.toString(16).padStart(3, '0')} ${name.padEnd(16)} : ${value}`;
}

/** Parses what a user types for an address or number: 0x…, backtick halves, bare hex (WinDbg's default radix), 0n decimal. */
export function parseNumber(text: string): U64 | null {
  const t = text.trim().replace(/`/g, '');
  if (/^0n\d+$/i.test(t)) return parseHex64('0x' + BigInt(t.slice(2)).toString(16));
  if (/^(0x)?[0-9a-f]+$/i.test(t)) return parseHex64(t.toLowerCase().startsWith('0x') ? t : '0x' + t);
  if (/^-\d+$/.test(t)) return Number(t);
  return null;
}
