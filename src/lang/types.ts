// C types with the Windows x64 (LLP64) data model: sizes, alignment, struct layout and names.

export interface StructField {
  name: string;
  type: CType;
  offset: number;
  /** Bit-fields: position within the storage unit at `offset` (of the field type's size). */
  bitOffset?: number;
  bitWidth?: number;
}

export interface StructInfo {
  tag: string;
  union: boolean;
  fields: StructField[] | null; // null while incomplete
  size: number;
  align: number;
  /** Flattened names of anonymous members for lookup. */
}

export type CType =
  | { k: 'void'; name?: string; q?: number; align?: number }
  | { k: 'int'; size: 1 | 2 | 4 | 8; signed: boolean; name?: string; bool?: boolean; q?: number; align?: number; enumTag?: string }
  | { k: 'float'; size: 4 | 8; name?: string; q?: number; align?: number }
  | { k: 'ptr'; to: CType; name?: string; q?: number; align?: number }
  | { k: 'array'; of: CType; len: number | null; name?: string; q?: number; align?: number }
  | { k: 'struct'; s: StructInfo; name?: string; q?: number; align?: number }
  | { k: 'func'; ret: CType; params: { name: string; type: CType }[]; variadic: boolean; noProto: boolean; name?: string; q?: number; align?: number };

export const Q_CONST = 1;
export const Q_VOLATILE = 2;

export const T_VOID: CType = { k: 'void' };
export const T_CHAR: CType = { k: 'int', size: 1, signed: true, name: 'char' };
export const T_SCHAR: CType = { k: 'int', size: 1, signed: true, name: 'signed char' };
export const T_UCHAR: CType = { k: 'int', size: 1, signed: false, name: 'unsigned char' };
export const T_SHORT: CType = { k: 'int', size: 2, signed: true, name: 'short' };
export const T_USHORT: CType = { k: 'int', size: 2, signed: false, name: 'unsigned short' };
export const T_INT: CType = { k: 'int', size: 4, signed: true, name: 'int' };
export const T_UINT: CType = { k: 'int', size: 4, signed: false, name: 'unsigned int' };
export const T_LONG: CType = { k: 'int', size: 4, signed: true, name: 'long' };
export const T_ULONG: CType = { k: 'int', size: 4, signed: false, name: 'unsigned long' };
export const T_LLONG: CType = { k: 'int', size: 8, signed: true, name: '__int64' };
export const T_ULLONG: CType = { k: 'int', size: 8, signed: false, name: 'unsigned __int64' };
export const T_BOOL: CType = { k: 'int', size: 1, signed: false, name: '_Bool', bool: true };
export const T_FLOAT: CType = { k: 'float', size: 4, name: 'float' };
export const T_DOUBLE: CType = { k: 'float', size: 8, name: 'double' };
export const T_WCHAR: CType = { k: 'int', size: 2, signed: false, name: 'wchar_t' };
export const T_SIZE: CType = { k: 'int', size: 8, signed: false, name: 'size_t' };
export const T_PTRDIFF: CType = { k: 'int', size: 8, signed: true, name: 'ptrdiff_t' };
export const T_VOIDP: CType = { k: 'ptr', to: T_VOID };

export function ptrTo(t: CType): CType {
  return { k: 'ptr', to: t };
}

export function isInt(t: CType): t is Extract<CType, { k: 'int' }> {
  return t.k === 'int';
}
export function isArith(t: CType): boolean {
  return t.k === 'int' || t.k === 'float';
}
export function isScalar(t: CType): boolean {
  return t.k === 'int' || t.k === 'float' || t.k === 'ptr';
}
export function isPtrLike(t: CType): boolean {
  return t.k === 'ptr' || t.k === 'array' || t.k === 'func';
}
export function is64(t: CType): boolean {
  return (t.k === 'int' && t.size === 8) || t.k === 'ptr';
}

export function sizeOf(t: CType): number {
  switch (t.k) {
    case 'void': return 1; // GNU-style for void* arithmetic diagnostics only
    case 'int': case 'float': return t.size;
    case 'ptr': return 8;
    case 'array': return t.len === null ? 0 : t.len * sizeOf(t.of);
    case 'struct': return t.s.size;
    case 'func': return 1;
  }
}

/**
 * `align` on a type: a `__declspec(align(N))` (or `_Alignas`) raised the alignment of a variable, a
 * member or a typedef above its natural one; sizes stay (MSVC). A struct defined with it has its own
 * StructInfo.align raised and its size rounded instead.
 */
export function alignOf(t: CType): number {
  if (t.align !== undefined) return Math.max(t.align, naturalAlign(t));
  return naturalAlign(t);
}

/** `t` with at least `n`-byte alignment (the same type when it already has that much). */
export function withAlign(t: CType, n: number): CType {
  return n > alignOf(t) ? { ...t, align: n } : t;
}

function naturalAlign(t: CType): number {
  switch (t.k) {
    case 'array': return alignOf(t.of);
    case 'struct': return t.s.align;
    case 'void': case 'func': return 1;
    default: return sizeOf(t);
  }
}

export function isComplete(t: CType): boolean {
  if (t.k === 'void') return false;
  if (t.k === 'struct') return t.s.fields !== null;
  if (t.k === 'array') return t.len !== null && isComplete(t.of);
  return true;
}

/** Strip the typedef name and qualifiers (for comparisons); struct identity is kept. */
export function unqual(t: CType): CType {
  if (t.name === undefined && !t.q) return t;
  const c = { ...t } as CType;
  delete c.name;
  delete c.q;
  return c;
}

export function withName<T extends CType>(t: T, name: string): T {
  return { ...t, name };
}

export function integerPromote(t: CType): CType {
  if (t.k === 'int' && t.size < 4) return T_INT;
  if (t.k === 'int' && t.enumTag !== undefined) return T_INT;
  return t;
}

/** The usual arithmetic conversions (C17 6.3.1.8) with LLP64 widths. */
export function usualArith(a: CType, b: CType): CType {
  if (a.k === 'float' || b.k === 'float') {
    if ((a.k === 'float' && a.size === 8) || (b.k === 'float' && b.size === 8)) return T_DOUBLE;
    return a.k === 'float' && b.k === 'float' ? T_FLOAT : a.k === 'float' ? a : b;
  }
  const x = integerPromote(a) as Extract<CType, { k: 'int' }>;
  const y = integerPromote(b) as Extract<CType, { k: 'int' }>;
  if (x.size === y.size && x.signed === y.signed) return x.size === 4 ? (x.signed ? (x.name === 'long' ? T_LONG : T_INT) : x.name === 'unsigned long' ? T_ULONG : T_UINT) : x.signed ? T_LLONG : T_ULLONG;
  if (x.signed === y.signed) return x.size > y.size ? canon(x) : canon(y);
  const u = x.signed ? y : x;
  const s = x.signed ? x : y;
  if (u.size >= s.size) return canon(u);
  return canon(s);
}

function canon(t: Extract<CType, { k: 'int' }>): CType {
  if (t.size === 8) return t.signed ? T_LLONG : T_ULLONG;
  if (t.size === 4) return t.signed ? (t.name === 'long' ? T_LONG : T_INT) : t.name === 'unsigned long' ? T_ULONG : T_UINT;
  return t;
}

export function sameType(a: CType, b: CType): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'void': return true;
    case 'int': { const y = b as typeof a; return a.size === y.size && a.signed === y.signed && !!a.bool === !!y.bool; }
    case 'float': return a.size === (b as typeof a).size;
    case 'ptr': return sameType(a.to, (b as typeof a).to);
    case 'array': return sameType(a.of, (b as typeof a).of);
    case 'struct': return a.s === (b as typeof a).s;
    case 'func': {
      const y = b as typeof a;
      if (!sameType(a.ret, y.ret)) return false;
      if (a.noProto || y.noProto) return true;
      return a.params.length === y.params.length && a.params.every((p, i) => sameType(p.type, y.params[i].type));
    }
  }
}

/** The C type as written: typedef names where the program used them. */
export function typeName(t: CType): string {
  if (t.name) return (t.q && t.q & Q_CONST ? 'const ' : '') + t.name;
  switch (t.k) {
    case 'void': return 'void';
    case 'int': return t.enumTag !== undefined ? 'enum ' + t.enumTag : t.bool ? '_Bool' : (t.signed ? '' : 'unsigned ') + ['', 'char', 'short', '', 'int', '', '', '', '__int64'][t.size];
    case 'float': return t.size === 4 ? 'float' : 'double';
    case 'ptr': return t.to.k === 'func' ? typeName(t.to.ret) + ' (*)(' + paramList(t.to) + ')' : typeName(t.to) + ' *';
    case 'array': return typeName(t.of) + '[' + (t.len ?? '') + ']';
    case 'struct': return (t.s.union ? 'union ' : 'struct ') + t.s.tag;
    case 'func': return typeName(t.ret) + ' (' + paramList(t) + ')';
  }
}

function paramList(f: Extract<CType, { k: 'func' }>): string {
  const p = f.params.map((x) => typeName(x.type));
  if (f.variadic) p.push('...');
  return p.length ? p.join(', ') : 'void';
}

/** Lays out the members of a struct or union as MSVC does for x64 (default packing, MSVC bit-fields). */
export function layoutStruct(s: StructInfo, members: { name: string; type: CType; bits?: number }[]): void {
  const fields: StructField[] = [];
  let off = 0;
  let align = 1;
  let size = 0;
  let unitOff = -1;
  let unitSize = 0;
  let unitUsed = 0;
  for (const m of members) {
    const a = alignOf(m.type);
    align = Math.max(align, a);
    if (s.union) {
      if (m.bits !== undefined) fields.push({ name: m.name, type: m.type, offset: 0, bitOffset: 0, bitWidth: m.bits });
      else fields.push({ name: m.name, type: m.type, offset: 0 });
      size = Math.max(size, sizeOf(m.type));
      continue;
    }
    if (m.bits !== undefined) {
      const us = sizeOf(m.type);
      if (m.bits === 0) { unitOff = -1; continue; }
      if (unitOff < 0 || unitSize !== us || unitUsed + m.bits > us * 8) {
        off = Math.ceil(off / a) * a;
        unitOff = off;
        unitSize = us;
        unitUsed = 0;
        off += us;
      }
      fields.push({ name: m.name, type: m.type, offset: unitOff, bitOffset: unitUsed, bitWidth: m.bits });
      unitUsed += m.bits;
      continue;
    }
    unitOff = -1;
    off = Math.ceil(off / a) * a;
    fields.push({ name: m.name, type: m.type, offset: off });
    off += sizeOf(m.type);
  }
  if (!s.union) size = off;
  s.size = Math.ceil(size / align) * align;
  s.align = align;
  s.fields = fields;
}

/** Finds a member, looking through anonymous struct/union members; returns the total offset. */
export function findField(s: StructInfo, name: string): StructField | null {
  for (const f of s.fields ?? []) {
    if (f.name === name) return f;
    if (f.name === '' && f.type.k === 'struct') {
      const inner = findField(f.type.s, name);
      if (inner) return { ...inner, offset: inner.offset + f.offset };
    }
  }
  return null;
}

export function decay(t: CType): CType {
  if (t.k === 'array') return { k: 'ptr', to: t.of };
  if (t.k === 'func') return { k: 'ptr', to: t };
  return t;
}

/** Every member reachable by name, anonymous struct/union members flattened, with total offsets. */
export function allFields(s: StructInfo): StructField[] {
  const out: StructField[] = [];
  for (const f of s.fields ?? []) {
    if (f.name === '' && f.type.k === 'struct') for (const g of allFields(f.type.s)) out.push({ ...g, offset: g.offset + f.offset });
    else if (f.name !== '') out.push(f);
  }
  return out;
}
