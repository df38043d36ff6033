// Compiles call-free typed expressions to JS closures over a frame's slots and emulated memory.
// Calls have been hoisted into temporaries by the lowering pass, so a closure never runs C code.
import type { GuestMemory } from '../emulator/contract';
import type { Expr, FuncSym, InitItem, VarSym } from './ast';
import * as A from './arith';
import { type CType, type StructField, isInt, sizeOf } from './types';
import { binop2, bitLoad, bitStore, converter, loader, sdiv32, srem32, storer, toAddr } from './access';
import { compileValue } from './jsgen';

export { converter, loader, storer, toAddr };

export interface Frame {
  fn: number;
  pc: number;
  s: any[];
  bp: number;
  tries: number[];
  fin: { scope: number; rec: Transfer }[];
  exc: number;
  native?: string;
  req?: import('../emulator/contract').GuestCallRequest;
}
export type Transfer =
  | { kind: 'jump'; pc: number; depth: number }
  | { kind: 'ret'; value: any }
  | { kind: 'unwind'; status: number; target: number; depth: number };

export type Val = (f: Frame) => any;
export type Addr = (f: Frame) => number;

export interface GenCtx {
  mem: GuestMemory;
  globalAddr(sym: VarSym): number;
  stringAddr(bytes: Uint8Array): number;
  funcAddr(sym: FuncSym): number;
  /** The evaluator may call natives directly when side effects are allowed. */
  callDirect?(e: Extract<Expr, { k: 'call' }>, args: any[]): any;
  /** Compile expressions to generated JavaScript functions (jsgen.ts) where the host allows it. */
  jit?: boolean;
  /** Where GetExceptionInformation()'s EXCEPTION_POINTERS is (without it, the intrinsic gives NULL). */
  exceptionInfoAddr?(): number;
}

export class GenError extends Error {}

type LV =
  | { slot: number; addr?: undefined; t: CType }
  | { slot?: undefined; addr: Addr; t: CType; bit?: StructField };

export class ExprGen {
  private inJit = false;
  constructor(readonly ctx: GenCtx) {}

  lvalue(e: Expr): LV {
    switch (e.k) {
      case 'var': {
        const s = e.sym;
        if (s.storage === 'local' || s.storage === 'param') {
          if (s.slot >= 0) return { slot: s.slot, t: e.t };
          const off = s.offset;
          return { addr: (f) => f.bp + off, t: e.t };
        }
        const a = this.ctx.globalAddr(s);
        return { addr: () => a, t: e.t };
      }
      case 'deref': {
        const p = this.val(e.e);
        return { addr: (f) => toAddr(p(f)), t: e.t };
      }
      case 'member': {
        const off = e.f.offset;
        const base = e.e.t.k === 'struct' && (e.e.k === 'tmp' || e.e.k === 'cond' || e.e.k === 'comma' || e.e.k === 'assign') ? this.val(e.e) : this.addrOf(e.e);
        const addr: Addr = off === 0 ? base : (f) => base(f) + off;
        return e.f.bitWidth !== undefined ? { addr, t: e.t, bit: e.f } : { addr, t: e.t };
      }
      case 'complit': {
        const init = this.initializer(e.sym, e.init);
        const at = this.lvalue({ k: 'var', sym: e.sym, t: e.t, loc: e.loc });
        const a = at.addr!;
        return { addr: (f) => { init(f); return a(f); }, t: e.t };
      }
      case 'str': {
        const a = this.ctx.stringAddr(e.bytes);
        return { addr: () => a, t: e.t };
      }
      case 'tmp': { // struct-valued temporaries hold the address of their object
        const i = e.slot;
        return { addr: (f) => f.s[i], t: e.t };
      }
      default:
        if (e.t.k === 'struct') { const v = this.val(e); return { addr: v, t: e.t }; }
        throw new GenError(`expression is not an lvalue`);
    }
  }

  addrOf(e: Expr): Addr {
    if (e.k === 'fn') { const a = this.ctx.funcAddr(e.sym); return () => a; }
    const lv = this.lvalue(e);
    if (lv.slot !== undefined) throw new GenError(`internal: address of a register local`);
    return lv.addr;
  }

  /** `*p` and `p[i]` of scalars: one closure from the pointer value to the loaded value. */
  private derefLoad(e: Extract<Expr, { k: 'deref' }>): Val | null {
    const t = e.t;
    const p = this.val(e.e);
    const mem = this.ctx.mem;
    if (t.k === 'int') {
      switch (t.size) {
        case 1: return t.bool ? null : t.signed ? (f) => { const a = p(f); return (mem.read8(typeof a === 'number' ? a : toAddr(a)) << 24) >> 24; } : (f) => { const a = p(f); return mem.read8(typeof a === 'number' ? a : toAddr(a)) & 0xff; };
        case 2: return t.signed ? (f) => { const a = p(f); return (mem.read16(typeof a === 'number' ? a : toAddr(a)) << 16) >> 16; } : (f) => { const a = p(f); return mem.read16(typeof a === 'number' ? a : toAddr(a)) & 0xffff; };
        case 4: return t.signed ? (f) => { const a = p(f); return mem.read32(typeof a === 'number' ? a : toAddr(a)) | 0; } : (f) => { const a = p(f); return mem.read32(typeof a === 'number' ? a : toAddr(a)) >>> 0; };
        case 8: return (f) => { const a = p(f); return mem.read64(typeof a === 'number' ? a : toAddr(a)); };
      }
    }
    if (t.k === 'ptr') return (f) => { const a = p(f); return mem.read64(typeof a === 'number' ? a : toAddr(a)); };
    return null;
  }

  /** Reads an lvalue. */
  private load(lv: LV): Val {
    if (lv.slot !== undefined) { const i = lv.slot; return (f) => f.s[i]; }
    const a = lv.addr;
    if (lv.bit) { const ld = bitLoad(this.ctx.mem, lv.bit); return (f) => ld(a(f)); }
    if (lv.t.k === 'struct' || lv.t.k === 'array') return a;
    const ld = loader(this.ctx.mem, lv.t);
    return (f) => ld(a(f));
  }

  /** Returns a closure that stores `v` into the lvalue given its precomputed address. */
  storeAt(lv: LV): (f: Frame, a: number, v: any) => void {
    if (lv.slot !== undefined) { const i = lv.slot; return (f, _a, v) => { f.s[i] = v; }; }
    if (lv.bit) { const st = bitStore(this.ctx.mem, lv.bit); return (_f, a, v) => st(a, v); }
    const st = storer(this.ctx.mem, lv.t);
    return (_f, a, v) => st(a, v);
  }

  /** A closure storing a value into `e` (used for call results). */
  storeTo(e: Expr): (f: Frame, v: any) => void {
    const lv = this.lvalue(e);
    if (lv.slot !== undefined) { const i = lv.slot; return (f, v) => { f.s[i] = v; }; }
    const st = this.storeAt(lv);
    const a = lv.addr;
    return (f, v) => st(f, a(f), v);
  }

  /** A closure computing `e`: one generated function when the context compiles, else closures. */
  val(e: Expr): Val {
    if (this.ctx.jit && !this.inJit) {
      this.inJit = true;
      try {
        const j = compileValue(this, e);
        if (j) return j;
      } finally {
        this.inJit = false;
      }
    }
    return this.closureVal(e);
  }

  /** The closure form of `e` (its operands may still be generated functions). */
  closureVal(e: Expr): Val {
    switch (e.k) {
      case 'num': { const v = e.v; return () => v; }
      case 'deref': return this.derefLoad(e) ?? this.load(this.lvalue(e));
      case 'var': case 'member': case 'complit': return this.load(this.lvalue(e));
      case 'tmp': { const i = e.slot; return (f) => f.s[i]; }
      case 'str': { const a = this.ctx.stringAddr(e.bytes); return () => a; }
      case 'fn': { const a = this.ctx.funcAddr(e.sym); return () => a; }
      case 'addr': return this.addrOf(e.e);
      case 'cast': {
        const v = this.val(e.e);
        if (e.t.k === 'void') return v;
        const c = converter(e.e.t, e.t);
        return c ? (f) => c(v(f)) : v;
      }
      case 'vastart': { const d = e.def; return (f) => f.bp + (d.vaOffset ?? 0); }
      case 'seh': {
        if (e.what === 'code') return (f) => f.exc;
        if (e.what === 'abnormal') return (f) => (f.fin.length ? 1 : 0);
        const a = this.ctx.exceptionInfoAddr ? this.ctx.exceptionInfoAddr() : 0;
        return () => a;
      }
      case 'un': return this.unary(e);
      case 'bin': return this.fastBinary(e) ?? this.binary(e.op, e.l.t, this.val(e.l), this.val(e.r), e.r);
      case 'padd': {
        const p = this.val(e.p), i = this.val(e.i), sc = e.scale, sub = e.sub;
        if (e.i.k === 'num' && typeof e.i.v === 'number') {
          const d = (sub ? -e.i.v : e.i.v) * sc;
          return (f) => { const b = p(f); if (typeof b === 'number') { const r = b + d; if (r <= 9007199254740991 && r >= -9007199254740991) return r; } return A.add64(b, d); };
        }
        return (f) => {
          const b = p(f), n = i(f);
          if (typeof b === 'number' && typeof n === 'number') { const r = sub ? b - n * sc : b + n * sc; if (r <= 9007199254740991 && r >= -9007199254740991) return r; }
          const d = A.mul64(n, sc);
          return sub ? A.sub64(b, d) : A.add64(b, d);
        };
      }
      case 'pdiff': {
        const l = this.val(e.l), r = this.val(e.r), sc = e.scale;
        return (f) => A.sdiv64(A.sub64(l(f), r(f)), sc);
      }
      case 'log': {
        const l = this.val(e.l), r = this.val(e.r);
        return e.op === '&&' ? (f) => (l(f) ? (r(f) ? 1 : 0) : 0) : (f) => (l(f) ? 1 : r(f) ? 1 : 0);
      }
      case 'cond': {
        const c = this.val(e.c), a = this.val(e.a), b = this.val(e.b);
        return (f) => (c(f) ? a(f) : b(f));
      }
      case 'comma': {
        const a = this.val(e.a), b = this.val(e.b);
        return (f) => { a(f); return b(f); };
      }
      case 'assign': return this.assign(e);
      case 'incdec': return this.incdec(e);
      case 'call': {
        if (!this.ctx.callDirect) throw new GenError(`internal: call left in a closure`);
        const args = e.args.map((a) => this.val(a));
        const cd = this.ctx.callDirect;
        return (f) => cd(e, args.map((a) => a(f)));
      }
    }
  }

  private unary(e: Extract<Expr, { k: 'un' }>): Val {
    const v = this.val(e.e);
    const t = e.t;
    switch (e.op) {
      case '!': return (f) => (v(f) ? 0 : 1);
      case '+': return v;
      case '-':
        if (t.k === 'float') return (f) => -v(f);
        if (isInt(t) && t.size === 4) return t.signed ? (f) => -v(f) | 0 : (f) => -v(f) >>> 0;
        return (f) => A.neg64(v(f));
      case '~':
        if (isInt(t) && t.size === 4) return t.signed ? (f) => ~v(f) : (f) => ~v(f) >>> 0;
        return (f) => A.not64(v(f));
    }
  }

  /** Slot index of a register local or temporary read, else -1. */
  private slotOf(e: Expr): number {
    if (e.k === 'tmp') return e.slot;
    if (e.k === 'var' && (e.sym.storage === 'local' || e.sym.storage === 'param') && e.sym.slot >= 0) return e.sym.slot;
    return -1;
  }

  /**
   * Direct closures for the commonest 32-bit shapes (slot op constant, slot op slot): one closure
   * call instead of three on loop conditions and counters.
   */
  private fastBinary(e: Extract<Expr, { k: 'bin' }>): Val | null {
    const t = e.l.t;
    if (t.k !== 'int' || t.size !== 4) return null;
    const a = this.slotOf(e.l);
    if (a < 0) return null;
    const b = this.slotOf(e.r);
    const c = e.r.k === 'num' && typeof e.r.v === 'number' ? e.r.v : null;
    if (b < 0 && c === null) return null;
    const u = !t.signed;
    if (c !== null) {
      switch (e.op) {
        case '<': return (f) => (f.s[a] < c ? 1 : 0);
        case '<=': return (f) => (f.s[a] <= c ? 1 : 0);
        case '>': return (f) => (f.s[a] > c ? 1 : 0);
        case '>=': return (f) => (f.s[a] >= c ? 1 : 0);
        case '==': return (f) => (f.s[a] === c ? 1 : 0);
        case '!=': return (f) => (f.s[a] !== c ? 1 : 0);
        case '+': return u ? (f) => (f.s[a] + c) >>> 0 : (f) => (f.s[a] + c) | 0;
        case '-': return u ? (f) => (f.s[a] - c) >>> 0 : (f) => (f.s[a] - c) | 0;
        case '&': return u ? (f) => (f.s[a] & c) >>> 0 : (f) => f.s[a] & c;
      }
      return null;
    }
    switch (e.op) {
      case '<': return (f) => (f.s[a] < f.s[b] ? 1 : 0);
      case '<=': return (f) => (f.s[a] <= f.s[b] ? 1 : 0);
      case '>': return (f) => (f.s[a] > f.s[b] ? 1 : 0);
      case '>=': return (f) => (f.s[a] >= f.s[b] ? 1 : 0);
      case '==': return (f) => (f.s[a] === f.s[b] ? 1 : 0);
      case '!=': return (f) => (f.s[a] !== f.s[b] ? 1 : 0);
      case '+': return u ? (f) => (f.s[a] + f.s[b]) >>> 0 : (f) => (f.s[a] + f.s[b]) | 0;
      case '-': return u ? (f) => (f.s[a] - f.s[b]) >>> 0 : (f) => (f.s[a] - f.s[b]) | 0;
      case '^': return u ? (f) => (f.s[a] ^ f.s[b]) >>> 0 : (f) => f.s[a] ^ f.s[b];
    }
    return null;
  }

  /** Arithmetic in the operation type `t` on converted operands. */
  binary(op: string, t: CType, l: Val, r: Val, re?: Expr): Val {
    const rc = re && re.k === 'num' && typeof re.v === 'number' ? re.v : null;
    if (t.k === 'float') {
      const fr = t.size === 4;
      switch (op) {
        case '+': return fr ? (f) => Math.fround(l(f) + r(f)) : (f) => l(f) + r(f);
        case '-': return fr ? (f) => Math.fround(l(f) - r(f)) : (f) => l(f) - r(f);
        case '*': return fr ? (f) => Math.fround(l(f) * r(f)) : (f) => l(f) * r(f);
        case '/': return fr ? (f) => Math.fround(l(f) / r(f)) : (f) => l(f) / r(f);
        case '<': return (f) => (l(f) < r(f) ? 1 : 0);
        case '>': return (f) => (l(f) > r(f) ? 1 : 0);
        case '<=': return (f) => (l(f) <= r(f) ? 1 : 0);
        case '>=': return (f) => (l(f) >= r(f) ? 1 : 0);
        case '==': return (f) => (l(f) === r(f) ? 1 : 0);
        case '!=': return (f) => (l(f) !== r(f) ? 1 : 0);
      }
      throw new GenError(`operator '${op}' on floating values`);
    }
    const size = t.k === 'int' ? t.size : 8;
    const signed = t.k === 'int' ? t.signed : false;
    if (size === 4 && signed) {
      switch (op) {
        case '+': return rc !== null ? (f) => (l(f) + rc) | 0 : (f) => (l(f) + r(f)) | 0;
        case '-': return rc !== null ? (f) => (l(f) - rc) | 0 : (f) => (l(f) - r(f)) | 0;
        case '*': return (f) => Math.imul(l(f), r(f));
        case '/': return (f) => sdiv32(l(f), r(f));
        case '%': return (f) => srem32(l(f), r(f));
        case '&': return (f) => l(f) & r(f);
        case '|': return (f) => l(f) | r(f);
        case '^': return (f) => l(f) ^ r(f);
        case '<<': return (f) => l(f) << Number(r(f));
        case '>>': return (f) => l(f) >> Number(r(f));
        case '<': return rc !== null ? (f) => (l(f) < rc ? 1 : 0) : (f) => (l(f) < r(f) ? 1 : 0);
        case '>': return (f) => (l(f) > r(f) ? 1 : 0);
        case '<=': return (f) => (l(f) <= r(f) ? 1 : 0);
        case '>=': return (f) => (l(f) >= r(f) ? 1 : 0);
        case '==': return (f) => (l(f) === r(f) ? 1 : 0);
        case '!=': return (f) => (l(f) !== r(f) ? 1 : 0);
      }
    }
    if (size === 4) {
      switch (op) {
        case '+': return (f) => (l(f) + r(f)) >>> 0;
        case '-': return (f) => (l(f) - r(f)) >>> 0;
        case '*': return (f) => Math.imul(l(f), r(f)) >>> 0;
        case '/': return (f) => { const b = r(f); if (b === 0) A.udiv64(0, 0); return Math.floor(l(f) / b); };
        case '%': return (f) => { const b = r(f); if (b === 0) A.urem64(0, 0); return l(f) % b; };
        case '&': return (f) => (l(f) & r(f)) >>> 0;
        case '|': return (f) => (l(f) | r(f)) >>> 0;
        case '^': return (f) => (l(f) ^ r(f)) >>> 0;
        case '<<': return (f) => (l(f) << Number(r(f))) >>> 0;
        case '>>': return (f) => l(f) >>> Number(r(f));
        case '<': return (f) => (l(f) < r(f) ? 1 : 0);
        case '>': return (f) => (l(f) > r(f) ? 1 : 0);
        case '<=': return (f) => (l(f) <= r(f) ? 1 : 0);
        case '>=': return (f) => (l(f) >= r(f) ? 1 : 0);
        case '==': return (f) => (l(f) === r(f) ? 1 : 0);
        case '!=': return (f) => (l(f) !== r(f) ? 1 : 0);
      }
    }
    // 64-bit (and pointers, compared unsigned)
    switch (op) {
      case '+': return (f) => A.add64(l(f), r(f));
      case '-': return (f) => A.sub64(l(f), r(f));
      case '*': return (f) => A.mul64(l(f), r(f));
      case '/': return signed ? (f) => A.sdiv64(l(f), r(f)) : (f) => A.udiv64(l(f), r(f));
      case '%': return signed ? (f) => A.srem64(l(f), r(f)) : (f) => A.urem64(l(f), r(f));
      case '&': return (f) => A.and64(l(f), r(f));
      case '|': return (f) => A.or64(l(f), r(f));
      case '^': return (f) => A.xor64(l(f), r(f));
      case '<<': return (f) => A.shl64(l(f), Number(r(f)));
      case '>>': return signed ? (f) => A.sar64(l(f), Number(r(f))) : (f) => A.shr64(l(f), Number(r(f)));
      case '==': return (f) => (l(f) == r(f) ? 1 : 0); // eslint-disable-line eqeqeq -- number/bigint compare by value
      case '!=': return (f) => (l(f) != r(f) ? 1 : 0); // eslint-disable-line eqeqeq
    }
    if (signed) {
      switch (op) {
        case '<': return (f) => (l(f) < r(f) ? 1 : 0);
        case '>': return (f) => (l(f) > r(f) ? 1 : 0);
        case '<=': return (f) => (l(f) <= r(f) ? 1 : 0);
        case '>=': return (f) => (l(f) >= r(f) ? 1 : 0);
      }
    }
    switch (op) {
      case '<': return (f) => (A.ucmp64(l(f), r(f)) < 0 ? 1 : 0);
      case '>': return (f) => (A.ucmp64(l(f), r(f)) > 0 ? 1 : 0);
      case '<=': return (f) => (A.ucmp64(l(f), r(f)) <= 0 ? 1 : 0);
      case '>=': return (f) => (A.ucmp64(l(f), r(f)) >= 0 ? 1 : 0);
    }
    throw new GenError(`unknown operator ${op}`);
  }

  private assign(e: Extract<Expr, { k: 'assign' }>): Val {
    const lv = this.lvalue(e.l);
    const r = this.val(e.r);
    if (e.op === '=') {
      if (lv.slot !== undefined) { const i = lv.slot; return (f) => (f.s[i] = r(f)); }
      const a = lv.addr, st = this.storeAt(lv);
      if (lv.t.k === 'struct') return (f) => { const d = a(f); st(f, d, r(f)); return d; };
      return (f) => { const d = a(f); const v = r(f); st(f, d, v); return v; };
    }
    const bop = e.op.slice(0, -1);
    let comb: (old: any, rv: any) => any;
    if (e.l.t.k === 'ptr') {
      const sc = e.scale, sub = bop === '-';
      comb = (o, n) => (sub ? A.sub64(o, A.mul64(n, sc)) : A.add64(o, A.mul64(n, sc)));
    } else {
      const up = converter(e.l.t, e.opType), down = converter(e.opType, e.l.t);
      const op2 = binop2(bop, e.opType);
      comb = up || down ? (o, n) => { const v = op2(up ? up(o) : o, n); return down ? down(v) : v; } : op2;
    }
    if (lv.slot !== undefined) { const i = lv.slot; return (f) => (f.s[i] = comb(f.s[i], r(f))); }
    const a = lv.addr;
    const t = lv.t;
    if (!lv.bit && t.k === 'int' && t.size === 4) {
      // the common `p[i] += x` on a LONG/ULONG: read, combine and write with no store closure
      const mem = this.ctx.mem;
      return t.signed
        ? (f) => { const d = a(f); const v = comb(mem.read32(d) | 0, r(f)); mem.write32(d, v >>> 0); return v; }
        : (f) => { const d = a(f); const v = comb(mem.read32(d) >>> 0, r(f)); mem.write32(d, v >>> 0); return v; };
    }
    const st = this.storeAt(lv);
    const ld = lv.bit ? bitLoad(this.ctx.mem, lv.bit) : loader(this.ctx.mem, lv.t);
    return (f) => { const d = a(f); const v = comb(ld(d), r(f)); st(f, d, v); return v; };
  }

  private incdec(e: Extract<Expr, { k: 'incdec' }>): Val {
    const lv = this.lvalue(e.l);
    const t = e.l.t;
    const d = e.inc ? e.scale : -e.scale;
    let step: (v: any) => any;
    if (t.k === 'float') step = (v) => (t.size === 4 ? Math.fround(v + d) : v + d);
    else if (t.k === 'int' && t.bool) step = e.inc ? () => 1 : (v) => (v ? 0 : 1);
    else if (t.k === 'int' && t.size < 8) { const c = converter({ k: 'int', size: 8, signed: true }, t)!; step = (v) => c(v + d); }
    else step = (v) => { if (typeof v === 'number') { const r = v + d; if (r <= 9007199254740991 && r >= -9007199254740991) return r; } return A.add64(v, d); };
    const pre = e.pre;
    if (lv.slot !== undefined && t.k === 'int' && t.size === 4 && !t.bool) {
      // the loop counter case, without conversion closures
      const i = lv.slot;
      if (t.signed) return pre ? (f) => (f.s[i] = (f.s[i] + d) | 0) : (f) => { const o = f.s[i]; f.s[i] = (o + d) | 0; return o; };
      return pre ? (f) => (f.s[i] = (f.s[i] + d) >>> 0) : (f) => { const o = f.s[i]; f.s[i] = (o + d) >>> 0; return o; };
    }
    if (lv.slot !== undefined) {
      const i = lv.slot;
      return pre ? (f) => (f.s[i] = step(f.s[i])) : (f) => { const o = f.s[i]; f.s[i] = step(o); return o; };
    }
    const a = lv.addr, st = this.storeAt(lv);
    const ld = lv.bit ? bitLoad(this.ctx.mem, lv.bit) : loader(this.ctx.mem, lv.t);
    return (f) => { const ad = a(f); const o = ld(ad); const n = step(o); st(f, ad, n); return pre ? n : o; };
  }

  /** Zero-fills an object and stores its initializer items (locals and compound literals). */
  initializer(sym: VarSym, items: InitItem[]): (f: Frame) => void {
    const lv = this.lvalue({ k: 'var', sym, t: sym.type, loc: sym.loc });
    if (lv.slot !== undefined) {
      const it = items[0];
      const i = lv.slot;
      if (!it) return (f) => { f.s[i] = 0; };
      const v = this.val(it.expr!);
      return (f) => { f.s[i] = v(f); };
    }
    const base = lv.addr;
    const mem = this.ctx.mem;
    const size = sizeOf(sym.type);
    const whole = sym.type.k === 'struct' || sym.type.k === 'array';
    const steps = items.map((it) => {
      const off = it.off;
      if (it.bytes) { const b = it.bytes; return (_f: Frame, a: number) => mem.writeBytes(a + off, b); }
      const v = this.val(it.expr!);
      const st = it.field ? bitStore(mem, it.field) : storer(mem, it.type);
      return (f: Frame, a: number) => st(a + off, v(f));
    });
    const zero = new Uint8Array(size);
    return (f) => {
      const a = base(f);
      if (whole) mem.writeBytes(a, zero);
      for (const s of steps) s(f, a);
    };
  }
}
