// Helpers for the routine table: argument conversion (arguments arrive as U64 per contract.ts) and
// reading C strings from emulated memory.
import type { NativeResult, RoutineDoc, U64 } from '../contract';
import type { Kernel } from '../kernel';

export type RoutineSpec = Omit<RoutineDoc, 'docUrl'> & { docUrl?: string };

/** Register a routine; `driverCode` marks compiler intrinsics (memcpy…) whose faults are the driver's (0xD1). */
export function define(k: Kernel, spec: RoutineSpec, impl: (a: U64[]) => NativeResult, driverCode = false): void {
  k.register({ ...spec, impl: (args: U64[]) => impl(args) }, driverCode);
}

export function ddiUrl(header: 'wdm' | 'ntddk' | 'ntifs', name: string): string {
  return `https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/${header}/nf-${header}-${name.toLowerCase()}`;
}

/** Pointer / SIZE_T / ULONG64 argument as a JS number (addresses are always safe numbers). */
export function ptr(a: U64 | undefined): number {
  if (a === undefined) return 0;
  return typeof a === 'number' ? a : Number(BigInt.asIntN(64, a));
}

/** SIZE_T argument as an unsigned count (huge values stay huge). */
export function size(a: U64 | undefined): number {
  if (a === undefined) return 0;
  if (typeof a === 'number') return a >= 0 ? a : Number(BigInt.asUintN(64, BigInt(a)));
  return Number(BigInt.asUintN(64, a));
}

export function ulong(a: U64 | undefined): number {
  return Number(BigInt.asUintN(32, BigInt(a ?? 0)));
}

export function long(a: U64 | undefined): number {
  return Number(BigInt.asIntN(32, BigInt(a ?? 0)));
}

export function bool(a: U64 | undefined): boolean {
  return (Number(BigInt.asUintN(8, BigInt(a ?? 0)))) !== 0;
}

export function uchar(a: U64 | undefined): number {
  return Number(BigInt.asUintN(8, BigInt(a ?? 0)));
}

export function readCString(k: Kernel, va: number, max = 4096): string {
  if (!va) return '';
  let s = '';
  for (let i = 0; i < max; i++) {
    const c = k.memory.read8(va + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

export function readWString(k: Kernel, va: number, max = 4096): string {
  if (!va) return '';
  let s = '';
  for (let i = 0; i < max; i++) {
    const c = k.memory.read16(va + 2 * i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** UNICODE_STRING / ANSI_STRING: USHORT Length, USHORT MaximumLength, PWSTR/PCHAR Buffer at +8. */
export function readCountedString(k: Kernel, va: number, wide: boolean): string {
  const len = k.memory.read16(va);
  const buf = Number(k.memory.read64(va + 8));
  if (!buf) return '';
  const bytes = k.memory.readBytes(buf, Math.min(len, 0x10000));
  if (!wide) return String.fromCharCode(...bytes);
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
  return s;
}
