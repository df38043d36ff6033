// Loads, stores and conversions of C scalars in emulated memory and in JS values: the leaves the
// expression closures are built from.
import type { GuestMemory, U64 } from '../emulator/contract';
import { SehException } from '../emulator/contract';
import * as A from './arith';
import { type CType, type StructField, sizeOf } from './types';

export function toAddr(p: U64): number {
  if (typeof p === 'number') return p;
  throw new SehException(0xc0000005, `access violation: non-canonical address 0x${BigInt.asUintN(64, p).toString(16)}`, Number(BigInt.asIntN(53, p)), false);
}

export function loader(mem: GuestMemory, t: CType): (a: number) => any {
  switch (t.k) {
    case 'int':
      switch (t.size) {
        case 1: return t.signed ? (a) => (mem.read8(a) << 24) >> 24 : t.bool ? (a) => (mem.read8(a) ? 1 : 0) : (a) => mem.read8(a) & 0xff;
        case 2: return t.signed ? (a) => (mem.read16(a) << 16) >> 16 : (a) => mem.read16(a) & 0xffff;
        case 4: return t.signed ? (a) => mem.read32(a) | 0 : (a) => mem.read32(a) >>> 0;
        default: return (a) => mem.read64(a);
      }
    case 'ptr': return (a) => mem.read64(a);
    case 'float': return t.size === 4 ? (a) => A.bitsToFloat(mem.read32(a)) : (a) => A.bitsToDouble(mem.read64(a));
    default: return (a) => a; // aggregates are handled by address
  }
}

export function storer(mem: GuestMemory, t: CType): (a: number, v: any) => void {
  switch (t.k) {
    case 'int':
      switch (t.size) {
        case 1: return (a, v) => mem.write8(a, v & 0xff);
        case 2: return (a, v) => mem.write16(a, v & 0xffff);
        case 4: return (a, v) => mem.write32(a, v >>> 0);
        default: return (a, v) => mem.write64(a, v);
      }
    case 'ptr': return (a, v) => mem.write64(a, v);
    case 'float': return t.size === 4 ? (a, v) => mem.write32(a, A.floatToBits(v) >>> 0) : (a, v) => mem.write64(a, A.doubleToBits(v));
    default: {
      const n = sizeOf(t);
      return (a, v) => { if (n) mem.writeBytes(a, mem.readBytes(v, n)); };
    }
  }
}

/** A conversion closure between scalar types (identity when the representation is unchanged). */
export function converter(from: CType, to: CType): ((v: any) => any) | null {
  if (to.k === 'void') return null;
  if (to.k === 'int' && to.bool) return (v) => (v ? 1 : 0);
  if (to.k === 'float' || from.k === 'float') return (v) => A.convertValue(v, from, to);
  const fs = from.k === 'int' ? from.size : 8;
  const fsig = from.k === 'int' ? from.signed : true;
  const ts = to.k === 'int' ? to.size : 8;
  const tsig = to.k === 'int' ? to.signed : true;
  if (ts === 8) return null; // all integers are exact in the U64 form
  if (fs < ts || (fs === ts && fsig === tsig)) {
    if (fs === ts || fsig === false || tsig === true) return null; // value already fits
  }
  if (fs === 8) {
    switch (ts) {
      case 4: return tsig ? (v) => (typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v))) : (v) => (typeof v === 'number' ? v >>> 0 : Number(BigInt.asUintN(32, v)));
      case 2: return tsig ? (v) => (typeof v === 'number' ? (v << 16) >> 16 : Number(BigInt.asIntN(16, v))) : (v) => (typeof v === 'number' ? v & 0xffff : Number(BigInt.asUintN(16, v)));
      default: return tsig ? (v) => (typeof v === 'number' ? (v << 24) >> 24 : Number(BigInt.asIntN(8, v))) : (v) => (typeof v === 'number' ? v & 0xff : Number(BigInt.asUintN(8, v)));
    }
  }
  switch (ts) {
    case 4: return tsig ? (v) => v | 0 : (v) => v >>> 0;
    case 2: return tsig ? (v) => (v << 16) >> 16 : (v) => v & 0xffff;
    default: return tsig ? (v) => (v << 24) >> 24 : (v) => v & 0xff;
  }
}

export function bitLoad(mem: GuestMemory, f: StructField): (a: number) => any {
  const w = f.bitWidth!, bo = f.bitOffset!;
  const t = f.type as Extract<CType, { k: 'int' }>;
  if (t.size === 8) {
    return (a) => {
      const u = BigInt.asUintN(64, BigInt(mem.read64(a))) >> BigInt(bo);
      return A.norm64(t.signed ? BigInt.asIntN(w, u) : BigInt.asUintN(w, u));
    };
  }
  const ld = loader(mem, { k: 'int', size: t.size, signed: false });
  return (a) => {
    const u = (ld(a) >>> bo) & (w === 32 ? 0xffffffff : (1 << w) - 1);
    return t.signed ? (u << (32 - w)) >> (32 - w) : u >>> 0;
  };
}

export function bitStore(mem: GuestMemory, f: StructField): (a: number, v: any) => void {
  const w = f.bitWidth!, bo = f.bitOffset!;
  const t = f.type as Extract<CType, { k: 'int' }>;
  if (t.size === 8) {
    return (a, v) => {
      const mask = ((1n << BigInt(w)) - 1n) << BigInt(bo);
      const old = BigInt.asUintN(64, BigInt(mem.read64(a)));
      mem.write64(a, A.norm64((old & ~mask) | ((BigInt.asUintN(64, BigInt(v)) << BigInt(bo)) & mask)));
    };
  }
  const ut: CType = { k: 'int', size: t.size, signed: false };
  const ld = loader(mem, ut), st = storer(mem, ut);
  const mask = (w === 32 ? 0xffffffff : ((1 << w) - 1) << bo) >>> 0;
  return (a, v) => st(a, ((ld(a) & ~mask) | ((Number(typeof v === 'bigint' ? BigInt.asUintN(32, v) : v) << bo) & mask)) >>> 0);
}

/** An lvalue: either a JS slot of the frame or an address in emulated memory. */

/** A two-operand function for compound assignment, direct for the common 32-bit cases. */
export function binop2(op: string, t: CType): (a: any, b: any) => any {
  if (t.k === 'int' && t.size === 4) {
    if (t.signed) {
      switch (op) {
        case '+': return (a, b) => (a + b) | 0;
        case '-': return (a, b) => (a - b) | 0;
        case '*': return (a, b) => Math.imul(a, b);
        case '&': return (a, b) => a & b;
        case '|': return (a, b) => a | b;
        case '^': return (a, b) => a ^ b;
        case '<<': return (a, b) => a << Number(b);
        case '>>': return (a, b) => a >> Number(b);
      }
    } else {
      switch (op) {
        case '+': return (a, b) => (a + b) >>> 0;
        case '-': return (a, b) => (a - b) >>> 0;
        case '*': return (a, b) => Math.imul(a, b) >>> 0;
        case '&': return (a, b) => (a & b) >>> 0;
        case '|': return (a, b) => (a | b) >>> 0;
        case '^': return (a, b) => (a ^ b) >>> 0;
        case '<<': return (a, b) => (a << Number(b)) >>> 0;
        case '>>': return (a, b) => a >>> Number(b);
      }
    }
  }
  if (t.k === 'int' && t.size === 8) {
    switch (op) {
      case '+': return A.add64;
      case '-': return A.sub64;
      case '&': return A.and64;
      case '|': return A.or64;
    }
  }
  return (a, b) => A.binaryOp(op, t, a, b);
}

export function sdiv32(a: number, b: number): number {
  if (b === 0) A.sdiv64(0, 0);
  if (a === -2147483648 && b === -1) throw new SehException(0xc0000095, 'integer overflow in division (STATUS_INTEGER_OVERFLOW)');
  return (a / b) | 0;
}
export function srem32(a: number, b: number): number {
  if (b === 0) A.sdiv64(0, 0);
  if (a === -2147483648 && b === -1) throw new SehException(0xc0000095, 'integer overflow in division (STATUS_INTEGER_OVERFLOW)');
  return (a % b) | 0;
}
