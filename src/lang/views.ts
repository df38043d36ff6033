// What the debugger shows: locals, globals and evaluated expressions as typed ValueViews, read
// without side effects (through the kernel's peek when it has one), with lazily paged children.
import type { GuestKernel, GuestMemory, U64 } from '../emulator/contract';
import { windbgHex } from '../emulator/u64';
import type { EvaluateOptions, ValueView } from './contract';
import type { Expr, Sym, VarSym } from './ast';
import { ExprGen, type Frame, type GenCtx } from './codegen';
import { norm64, bitsToDouble, bitsToFloat } from './arith';
import { tokenize } from './lexer';
import { Parser } from './parser';
import { ParseError } from './ast';
import type { Token } from './tokens';
import { type CType, type StructField, findField, sizeOf, typeName } from './types';
import type { CMachine } from './machine';
import { NTSTATUS_CODES } from './headers/ntstatus';

export class EvalError extends Error {
  constructor(message: string) { super(message); this.name = 'EvalError'; }
}

const MAX_STRING = 256;
const STATUS_NAMES = new Map<number, string>();
for (const [name, code] of NTSTATUS_CODES) if (!STATUS_NAMES.has(code >>> 0)) STATUS_NAMES.set(code >>> 0, name);

/** Memory for the debugger: reads never fault or page in; writes only when the user asked for side effects. */
class DebugMemory implements GuestMemory {
  constructor(private k: GuestKernel, private allowWrite: boolean) {}
  bytes(va: number, n: number): Uint8Array {
    const peek = (this.k as { peek?: (va: number, length: number) => Uint8Array | null }).peek;
    if (peek) {
      const b = peek.call(this.k, va, n);
      if (!b) throw new EvalError(`cannot read memory at 0x${windbgHex(va)}`);
      return b;
    }
    try { return this.k.memory.readBytes(va, n); } catch { throw new EvalError(`cannot read memory at 0x${windbgHex(va)}`); }
  }
  read8(va: number): number { return this.bytes(va, 1)[0]; }
  read16(va: number): number { const b = this.bytes(va, 2); return b[0] | (b[1] << 8); }
  read32(va: number): number { const b = this.bytes(va, 4); return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0; }
  read64(va: number): U64 { const b = this.bytes(va, 8); const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0; const hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) | 0; const v = hi * 4294967296 + lo; return Number.isSafeInteger(v) ? v : norm64((BigInt(hi) << 32n) | BigInt(lo)); }
  readBytes(va: number, n: number): Uint8Array { return this.bytes(va, n).slice(); }
  private w(): GuestMemory { if (!this.allowWrite) throw new EvalError('the expression writes memory (a side effect); evaluate it with side effects allowed'); return this.k.memory; }
  write8(va: number, v: number): void { this.w().write8(va, v); }
  write16(va: number, v: number): void { this.w().write16(va, v); }
  write32(va: number, v: number): void { this.w().write32(va, v); }
  write64(va: number, v: U64): void { this.w().write64(va, v); }
  writeBytes(va: number, d: Uint8Array): void { this.w().writeBytes(va, d); }
}

type Source = { kind: 'value'; v: any } | { kind: 'mem'; addr: number } | { kind: 'bit'; addr: number; f: StructField };

export class DebugViews {
  private mem: DebugMemory;
  constructor(private m: CMachine) { this.mem = new DebugMemory(m.kernel, false); }

  private read(t: CType, src: Source): any {
    if (src.kind === 'value') return src.v;
    if (t.k === 'struct' || t.k === 'array' || t.k === 'func') return src.addr;
    const a = src.addr;
    const mem = this.mem;
    let v: any;
    switch (t.k) {
      case 'int':
        v = t.size === 1 ? mem.read8(a) : t.size === 2 ? mem.read16(a) : t.size === 4 ? mem.read32(a) : mem.read64(a);
        if (src.kind === 'bit') {
          const w = src.f.bitWidth!, bo = src.f.bitOffset!;
          const u = BigInt.asUintN(w, BigInt.asUintN(64, BigInt(v)) >> BigInt(bo));
          return norm64(t.signed ? BigInt.asIntN(w, u) : u);
        }
        if (t.signed && t.size < 8) v = t.size === 1 ? (v << 24) >> 24 : t.size === 2 ? (v << 16) >> 16 : v | 0;
        return v;
      case 'ptr': return mem.read64(a);
      case 'float': return t.size === 4 ? bitsToFloat(mem.read32(a)) : bitsToDouble(mem.read64(a));
      default: return 0;
    }
  }

  format(t: CType, v: any, hex: boolean): string {
    switch (t.k) {
      case 'int': {
        if (t.name === 'NTSTATUS') {
          // as a driver developer reads a status: its hex code and its name
          const code = Number(BigInt.asUintN(32, BigInt(v)));
          const name = STATUS_NAMES.get(code);
          return '0x' + code.toString(16).padStart(8, '0') + (name ? ` (${name})` : '');
        }
        if (t.enumTag !== undefined && !hex) {
          const name = this.enumName(t, Number(v));
          if (name) return name;
        }
        if (hex) return '0x' + BigInt.asUintN(t.size * 8, BigInt(v)).toString(16).padStart(t.size * 2, '0');
        const s = t.signed ? BigInt(v).toString() : BigInt.asUintN(t.size * 8, BigInt(v)).toString();
        if (t.size === 1 && !t.bool && (t.name === 'char' || t.name === 'CHAR' || t.name === 'UCHAR' || t.name === 'unsigned char')) {
          const c = Number(BigInt.asUintN(8, BigInt(v)));
          return c >= 32 && c < 127 ? `${s} '${String.fromCharCode(c)}'` : s;
        }
        return s;
      }
      case 'float': return String(v);
      case 'ptr': {
        const base = '0x' + windbgHex(v);
        if (v === 0) return base;
        if (t.to.k === 'func') { const fn = this.m.linked.byAddr.get(Number(v)); return fn ? `${base} {${fn.name}}` : base; }
        if (t.to.k === 'int' && (t.to.size === 1 || (t.to.size === 2 && !t.to.signed && /wchar|WCHAR/i.test(typeName(t.to))))) {
          const s = this.readString(Number(v), t.to.size);
          if (s !== null) return `${base} ${t.to.size === 2 ? 'L' : ''}"${s}"`;
        }
        return base;
      }
      case 'array': {
        if (t.of.k === 'int' && t.of.size <= 2 && typeof v === 'number') {
          const s = this.readString(v, t.of.size, t.len ?? MAX_STRING);
          if (s !== null) return `${t.of.size === 2 ? 'L' : ''}"${s}"`;
        }
        return `[${t.len ?? ''}]`;
      }
      case 'struct': return '{...}';
      default: return typeName(t);
    }
  }

  private enumName(t: CType, v: number): string | null {
    const scope = this.m.program.globalScope;
    for (const s of scope.values()) if (s.kind === 'enumc' && s.value === v && s.type.k === 'int' && t.k === 'int' && s.type.enumTag === t.enumTag) return s.name;
    return null;
  }

  private readString(a: number, w: number, max = MAX_STRING): string | null {
    try {
      let s = '';
      for (let i = 0; i < Math.min(max, MAX_STRING); i++) {
        const c = w === 1 ? this.mem.read8(a + i) : this.mem.read16(a + i * 2);
        if (c === 0) return s;
        s += c === 0x22 ? '\\"' : c === 10 ? '\\n' : c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16)}`;
      }
      return s + '...';
    } catch { return null; }
  }

  view(name: string, t: CType, src: Source, hex: boolean): ValueView {
    let value: string;
    let raw: any;
    try {
      raw = this.read(t, src);
      value = this.format(t, raw, hex);
    } catch (e) {
      value = e instanceof EvalError ? `<${e.message}>` : `<unreadable>`;
      raw = undefined;
    }
    const address = src.kind !== 'value' ? src.addr : t.k === 'struct' || t.k === 'array' ? raw : undefined;
    let named = 0;
    let indexed = 0;
    const pointee = t.k === 'ptr' ? t.to : null;
    if (t.k === 'struct') named = (t.s.fields ?? []).length;
    else if (t.k === 'array') indexed = t.len ?? 0;
    else if (pointee && raw !== undefined && raw !== 0 && pointee.k !== 'void' && pointee.k !== 'func' && sizeOf(pointee) > 0) named = pointee.k === 'struct' ? (pointee.s.fields ?? []).length : 1;
    const self = this;
    return {
      name,
      type: typeName(t),
      value,
      raw: typeof raw === 'number' ? raw + 0 : typeof raw === 'bigint' ? raw : undefined, // + 0 turns -0 into 0
      address: typeof address === 'number' ? address : undefined,
      size: t.k === 'func' ? undefined : sizeOf(t),
      namedChildren: named,
      indexedChildren: indexed,
      children(start = 0, count?: number): ValueView[] {
        if (t.k === 'struct' && typeof raw === 'number') return self.fields(t, raw, hex);
        if (t.k === 'array' && typeof raw === 'number') {
          const n = t.len ?? 0;
          const end = Math.min(n, count === undefined ? n : start + count);
          const es = sizeOf(t.of);
          const out: ValueView[] = [];
          for (let i = start; i < end; i++) out.push(self.view(`[${i}]`, t.of, { kind: 'mem', addr: raw + i * es }, hex));
          return out;
        }
        if (pointee && typeof raw === 'number' && named > 0) {
          if (pointee.k === 'struct') return self.fields(pointee, raw, hex);
          return [self.view(`*${name}`, pointee, { kind: 'mem', addr: raw }, hex)];
        }
        return [];
      },
    };
  }

  private fields(t: Extract<CType, { k: 'struct' }>, addr: number, hex: boolean): ValueView[] {
    return (t.s.fields ?? []).map((f) => this.view(f.name || '<anonymous>', f.type, f.bitWidth !== undefined ? { kind: 'bit', addr: addr + f.offset, f } : { kind: 'mem', addr: addr + f.offset }, hex));
  }

  private cFrame(index: number): Frame {
    const f = this.m.frameAt(index);
    if (!f) throw new EvalError(`there is no frame ${index}`);
    if (f.native) throw new EvalError(`frame ${index} is the emulated routine ${f.native}, which has no C scope`);
    return f;
  }

  private visibleLocals(f: Frame): VarSym[] {
    const def = this.m.functionOf(f).def;
    const byName = new Map<string, VarSym>();
    for (const v of def.locals) if (v.name !== '<compound literal>' && f.pc >= v.pcStart && f.pc < v.pcEnd) byName.set(v.name, v);
    for (const g of this.m.program.unit.globals) if (g.storage === 'static' && g.owner === def) byName.set(g.name, g);
    return [...byName.values()];
  }

  private symView(v: VarSym, f: Frame | null, hex: boolean): ValueView {
    if ((v.storage === 'local' || v.storage === 'param') && f) {
      if (v.slot >= 0) return this.view(v.name, v.type, { kind: 'value', v: f.s[v.slot] }, hex);
      return this.view(v.name, v.type, { kind: 'mem', addr: f.bp + v.offset }, hex);
    }
    const a = this.m.linked.globalAddr.get(v);
    if (a === undefined) return { name: v.name, type: typeName(v.type), value: '<not allocated>', namedChildren: 0, indexedChildren: 0, children: () => [] };
    return this.view(v.name, v.type, { kind: 'mem', addr: a }, hex);
  }

  locals(frame: number, hex: boolean): ValueView[] {
    const f = this.m.frameAt(frame);
    if (!f || f.native) return [];
    return this.visibleLocals(f).map((v) => this.symView(v, f, hex));
  }

  globals(hex: boolean): ValueView[] {
    return this.m.program.unit.globals.filter((g) => g.storage === 'global' && g.name !== '<compound literal>').map((g) => this.symView(g, null, hex));
  }

  // ---- expressions ----
  private expandMacros(toks: Token[], depth = 0): Token[] {
    const macros = this.m.program.macros;
    if (!macros.size || depth > 32) return toks;
    const out: Token[] = [];
    let changed = false;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const mac = t.kind === 'identifier' ? macros.get(t.text) : undefined;
      if (!mac) { out.push(t); continue; }
      if (mac.params === null) {
        out.push(...tokenize(mac.body, t.file).slice(0, -1).map((x) => ({ ...x, line: t.line, col: t.col })));
        changed = true;
        continue;
      }
      if (toks[i + 1]?.text !== '(') { out.push(t); continue; }
      const args: Token[][] = [[]];
      let d = 0;
      let j = i + 2;
      for (; j < toks.length; j++) {
        const x = toks[j];
        if (x.text === '(') d++;
        if (x.text === ')') { if (d === 0) break; d--; }
        if (x.text === ',' && d === 0) { args.push([]); continue; }
        args[args.length - 1].push(x);
      }
      const body = tokenize(mac.body, t.file).slice(0, -1);
      for (const b of body) {
        const pi = b.kind === 'identifier' ? mac.params.indexOf(b.text) : -1;
        if (pi >= 0) out.push(...(args[pi] ?? []));
        else if (b.kind === 'identifier' && b.text === '__VA_ARGS__') args.slice(mac.params.length).forEach((a, k) => { if (k) out.push({ ...b, kind: 'punct', text: ',' }); out.push(...a); });
        else out.push({ ...b, line: t.line, col: t.col });
      }
      i = j;
      changed = true;
    }
    return changed ? this.expandMacros(out, depth + 1) : out;
  }

  private compileExpr(text: string, f: Frame | null): Expr {
    let toks: Token[];
    try { toks = tokenize(text, '<expression>'); } catch (e) { throw new EvalError((e as Error).message); }
    toks = this.expandMacros(toks);
    const p = new Parser(toks);
    const scope = new Map<string, Sym>();
    if (f) for (const v of this.visibleLocals(f)) scope.set(v.name, v);
    (p as unknown as { scopes: Map<string, Sym>[] }).scopes.push(this.m.program.globalScope);
    (p as unknown as { tagScopes: Map<string, CType>[] }).tagScopes.push(this.m.program.globalTags);
    let e: Expr;
    try { e = p.parseStandaloneExpr(scope, true); } catch (err) {
      if (err instanceof ParseError) throw new EvalError(`${err.message} (at column ${err.tok.col})`);
      throw err;
    }
    const errs = p.diags.filter((d) => d.severity === 'error');
    if (errs.length) throw new EvalError(errs.map((d) => d.message).join('; '));
    return e;
  }

  private gen(allow: boolean): ExprGen {
    const linked = this.m.linked;
    const mem = allow ? this.m.kernel.memory : new DebugMemory(this.m.kernel, false);
    const ctx: GenCtx = {
      mem,
      globalAddr: (s) => { const a = linked.globalAddr.get(s); if (a === undefined) throw new EvalError(`'${s.name}' has no storage`); return a; },
      exceptionInfoAddr: () => linked.exceptionInfo(),
      stringAddr: (b) => { if (!allow) throw new EvalError('a string literal must be placed in memory (a side effect); evaluate it with side effects allowed'); return linked.ctx.stringAddr(b); },
      funcAddr: (s) => linked.ctx.funcAddr(s),
      callDirect: (e, args) => {
        if (!allow) throw new EvalError('the expression calls a function (a side effect); evaluate it with side effects allowed');
        const fs = e.f.k === 'fn' ? e.f.sym : null;
        const target = fs ? linked.resolve(fs) : null;
        if (!target || !target.native) throw new EvalError('only emulated routines can be called from the debugger');
        const r = target.impl(args);
        if (r && typeof r === 'object' && (r as { kind?: string }).kind === 'call-guest') throw new EvalError(`${target.name} would call back into C, which the debugger cannot do`);
        return r ?? 0;
      },
    };
    return new ExprGen(ctx);
  }

  /** The frame asked for, or the innermost C frame (frame 0 may be an emulated routine). */
  private frameFor(o: EvaluateOptions): Frame | null {
    if (!this.m.depth()) return null;
    if (o.frame !== undefined) return this.cFrame(o.frame);
    for (let i = 0; ; i++) { const f = this.m.frameAt(i); if (!f) return null; if (!f.native) return f; }
  }

  evaluate(text: string, o: EvaluateOptions): ValueView {
    const allow = !!o.allowSideEffects;
    const f = this.frameFor(o);
    const e = this.compileExpr(text, f);
    if (!allow && hasSideEffects(e)) throw new EvalError('the expression has side effects (assignment, ++/-- or a call); evaluate it with side effects allowed');
    return this.run(text.trim(), e, f, allow, !!o.hex);
  }

  private run(name: string, e: Expr, f: Frame | null, allow: boolean, hex: boolean): ValueView {
    const g = this.gen(allow);
    const frame = f ?? ({ fn: -1, pc: 0, s: [], bp: 0, tries: [], fin: [], exc: 0 } as Frame);
    try {
      if (e.k === 'var' && (e.sym.storage === 'local' || e.sym.storage === 'param') && e.sym.slot >= 0) return this.view(name, e.t, { kind: 'value', v: frame.s[e.sym.slot] }, hex);
      if (e.k === 'var' || e.k === 'deref' || e.k === 'member') {
        const lv = g.lvalue(e);
        if (lv.slot !== undefined) return this.view(name, e.t, { kind: 'value', v: frame.s[lv.slot] }, hex);
        const a = lv.addr(frame);
        if (e.k === 'member' && e.f.bitWidth !== undefined) return this.view(name, e.t, { kind: 'bit', addr: a, f: e.f }, hex);
        return this.view(name, e.t, { kind: 'mem', addr: a }, hex);
      }
      const v = g.val(e)(frame);
      return this.view(name, e.t, e.t.k === 'struct' ? { kind: 'mem', addr: v } : { kind: 'value', v }, hex);
    } catch (err) {
      if (err instanceof EvalError) throw err;
      throw new EvalError((err as Error).message);
    }
  }

  assign(target: string, value: string, o: EvaluateOptions): ValueView {
    const f = this.frameFor(o);
    const lhs = this.compileExpr(target, f);
    const e = this.compileExpr(`(${target}) = (${value})`, f);
    this.run(target, e, f, true, !!o.hex);
    return this.run(target.trim(), lhs, f, false, !!o.hex);
  }
}

function hasSideEffects(e: Expr): boolean {
  switch (e.k) {
    case 'assign': case 'incdec': case 'call': case 'complit': return true;
    case 'bin': case 'log': return hasSideEffects(e.l) || hasSideEffects(e.r);
    case 'padd': return hasSideEffects(e.p) || hasSideEffects(e.i);
    case 'pdiff': return hasSideEffects(e.l) || hasSideEffects(e.r);
    case 'un': case 'cast': case 'addr': case 'deref': case 'member': return hasSideEffects(e.e);
    case 'cond': return hasSideEffects(e.c) || hasSideEffects(e.a) || hasSideEffects(e.b);
    case 'comma': return hasSideEffects(e.a) || hasSideEffects(e.b);
    default: return false;
  }
}

export { findField };
