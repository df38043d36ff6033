// Compiles a call-free typed expression to one JavaScript function (the hot path of the machine):
// slots, constants and memory accesses are inlined, int32 arithmetic stays in JS numbers, and the
// 64-bit U64 helpers are called only when a value leaves the safe-integer range. Any node it does
// not handle is embedded as the closure ExprGen builds for it, so every expression compiles and the
// semantics are those of codegen.ts/access.ts. Where the host forbids `new Function` (a strict
// content security policy), nothing is compiled and the closures run as before.
import type { Expr } from './ast';
import type { CType } from './types';
import type { ExprGen, Val } from './codegen';
import * as A from './arith';
import { converter, loader, storer, sdiv32, srem32, toAddr } from './access';

let available: boolean | null = null;
let wanted = true;
/** True when generated functions can be created in this host (and are wanted). */
export function jsgenAvailable(): boolean {
  if (available === null) {
    try { available = new Function('return 1')() === 1; } catch { available = false; }
  }
  return available && wanted;
}

/** Machines linked from now on use generated code (default) or only closures (to compare the two). */
export function useGeneratedCode(on: boolean): void {
  wanted = on;
}

const MAXS = '9007199254740991';

function udiv32(a: number, b: number): number { if (b === 0) A.udiv64(0, 0); return Math.floor(a / b); }
function urem32(a: number, b: number): number { if (b === 0) A.urem64(0, 0); return a % b; }
function padd(p: any, n: any, sc: number, sub: boolean): any { const d = A.mul64(n, sc); return sub ? A.sub64(p, d) : A.add64(p, d); }
function ucmp(a: any, b: any): number { return A.ucmp64(a, b); }

type IntT = Extract<CType, { k: 'int' }>;

/** Source text of one expression; externals (closures, helpers, bigints) are passed in `X`. */
export class Emitter {
  readonly ext: unknown[] = [];
  private readonly extIndex = new Map<unknown, string>();
  temps = 0;
  /** Nodes compiled inline (a function of one inline node is not worth generating). */
  inlined = 0;

  constructor(private readonly gen: ExprGen) {
    this.x(gen.ctx.mem); // x0: memory
  }

  x(v: unknown): string {
    let n = this.extIndex.get(v);
    if (n === undefined) {
      n = `x${this.ext.length}`;
      this.ext.push(v);
      this.extIndex.set(v, n);
    }
    return n;
  }
  tmp(): string { return `t${this.temps++}`; }
  /**
   * Names for the slots while a callee's body is emitted inline into its caller (leafRun.ts), else
   * null: slots are then elements of the frame's array `s`.
   */
  slotNames: string[] | null = null;
  /** Set by a dereference for the pointer arithmetic right below it: its value is wanted as an address. */
  private wantAddr = false;
  /** The JavaScript lvalue of slot i. */
  sl(i: number): string { return this.slotNames === null ? `s[${i}]` : this.slotNames[i]; }

  /** The closure of a node this emitter does not compile. */
  private fallback(e: Expr): string {
    return `${this.x(this.gen.closureVal(e))}(f)`;
  }

  private num(v: number | bigint): string {
    if (typeof v === 'bigint') return this.x(v);
    return Object.is(v, -0) ? '0' : v < 0 ? `(${v})` : String(v);
  }

  // ---- addresses (always JS numbers) ----

  /** Address of an lvalue, or null when the closure form is needed. */
  addr(e: Expr): string | null {
    switch (e.k) {
      case 'var': {
        const s = e.sym;
        if (s.storage === 'local' || s.storage === 'param') {
          if (s.slot >= 0) return null;
          return `(f.bp + ${s.offset})`;
        }
        return this.num(this.gen.ctx.globalAddr(s));
      }
      case 'deref': {
        if (e.e.k !== 'padd') return this.toAddr(this.val(e.e));
        // pointer arithmetic gives a number on its fast path: only its slow path needs the conversion
        this.wantAddr = true;
        const v = this.val(e.e);
        if (!this.wantAddr) return v;
        this.wantAddr = false;
        return this.toAddr(v);
      }
      case 'member': {
        const base = e.e.t.k === 'struct' && (e.e.k === 'tmp' || e.e.k === 'cond' || e.e.k === 'comma' || e.e.k === 'assign') ? this.val(e.e) : this.addr(e.e);
        if (base === null) return null;
        return e.f.offset === 0 ? base : `(${base} + ${e.f.offset})`;
      }
      case 'str': return this.num(this.gen.ctx.stringAddr(e.bytes));
      case 'tmp': return this.sl(e.slot);
      default: return null;
    }
  }

  private toAddr(v: string): string {
    const t = this.tmp();
    return `(typeof (${t} = ${v}) === 'number' ? ${t} : ${this.x(toAddr)}(${t}))`;
  }

  private loadAt(a: string, t: CType): string | null {
    if (t.k === 'int') {
      switch (t.size) {
        case 1: return t.signed ? `((x0.read8(${a}) << 24) >> 24)` : t.bool ? `(x0.read8(${a}) ? 1 : 0)` : `(x0.read8(${a}) & 0xff)`;
        case 2: return t.signed ? `((x0.read16(${a}) << 16) >> 16)` : `(x0.read16(${a}) & 0xffff)`;
        case 4: return t.signed ? `(${this.read32(a)} | 0)` : `(${this.read32(a)} >>> 0)`;
        default: return this.read64(a);
      }
    }
    if (t.k === 'ptr') return this.read64(a);
    if (t.k === 'float') return `${this.x(loader(this.gen.ctx.mem, t))}(${a})`;
    return null;
  }

  /** A statement-expression storing v (evaluated once, already named) at address a. */
  private storeAt(a: string, v: string, t: CType): string | null {
    if (t.k === 'int') {
      switch (t.size) {
        case 1: return `x0.write8(${a}, ${v} & 0xff)`;
        case 2: return `x0.write16(${a}, ${v} & 0xffff)`;
        case 4: return this.write32(a, `${v} >>> 0`);
        default: return this.write64(a, v);
      }
    }
    if (t.k === 'ptr') return this.write64(a, v);
    if (t.k === 'float') return `${this.x(storer(this.gen.ctx.mem, t))}(${a}, ${v})`;
    return null;
  }

  // ---- guest accesses: the memory's hot page inline (see GuestMemory.hotReadBase), everything else through the memory ----

  /** The read or write side of the memory's hot page as expressions in the generated code, or null when it has none. */
  private hot(write: boolean): { base: string; words: string } | null {
    if (this.gen.ctx.mem.hotReadWords === undefined) return null;
    return write ? { base: 'x0.hotWriteBase', words: 'x0.hotWriteWords' } : { base: 'x0.hotReadBase', words: 'x0.hotReadWords' };
  }

  /** Whether the address in `ta` is on the hot page `c`, `align`-aligned. */
  private hit(ta: string, c: { base: string }, align: number): string {
    return `(${ta} - (${ta} & 4095) === ${c.base} && (${ta} & ${align - 1}) === 0)`;
  }

  /** A 32-bit read at address `a` (a number), as an unsigned value. */
  private read32(a: string): string {
    const c = this.hot(false);
    if (c === null) return `x0.read32(${a})`;
    const ta = this.tmp();
    return `((${ta} = ${a}), ${this.hit(ta, c, 4)} ? ${c.words}[(${ta} & 4095) >>> 2] : x0.read32(${ta}))`;
  }

  /** A 32-bit write of `v` (evaluated exactly once) at address `a`. */
  private write32(a: string, v: string): string {
    const c = this.hot(true);
    if (c === null) return `x0.write32(${a}, ${v})`;
    const ta = this.tmp();
    return `((${ta} = ${a}), ${this.hit(ta, c, 4)} ? (${c.words}[(${ta} & 4095) >>> 2] = ${v}) : x0.write32(${ta}, ${v}))`;
  }

  /** A 64-bit read at address `a`, as a U64 (combined inline while it is a safe integer). */
  private read64(a: string): string {
    const c = this.hot(false);
    if (c === null) return `x0.read64(${a})`;
    const ta = this.tmp(), tw = this.tmp(), to = this.tmp(), th = this.tmp();
    const lo = `${tw}[${to}]`;
    return `((${ta} = ${a}), ${this.hit(ta, c, 8)} ? ((${tw} = ${c.words}), (${to} = (${ta} & 4095) >>> 2), (${th} = ${tw}[${to} + 1]) === 0 ? ${lo} : ${th} < 2097152 ? ${th} * 4294967296 + ${lo} : ${th} >= 4292870144 ? (${th} - 4294967296) * 4294967296 + ${lo} : x0.read64(${ta})) : x0.read64(${ta}))`;
  }

  /** A 64-bit write of the U64 `v` (a name: read more than once) at address `a`. */
  private write64(a: string, v: string): string {
    const c = this.hot(true);
    if (c === null) return `x0.write64(${a}, ${v})`;
    const ta = this.tmp(), tw = this.tmp(), to = this.tmp(), th = this.tmp();
    return `((${ta} = ${a}), ${this.hit(ta, c, 8)} && typeof ${v} === 'number' && ${v} <= ${MAXS} && ${v} >= -${MAXS} ? ((${tw} = ${c.words}), (${to} = (${ta} & 4095) >>> 2), (${th} = Math.floor(${v} / 4294967296)), (${tw}[${to}] = ${v} - ${th} * 4294967296), (${tw}[${to} + 1] = ${th})) : x0.write64(${ta}, ${v}))`;
  }

  /** Slot index of an lvalue held in a JS slot, else -1. */
  private slot(e: Expr): number {
    if (e.k === 'var' && (e.sym.storage === 'local' || e.sym.storage === 'param') && e.sym.slot >= 0) return e.sym.slot;
    return -1;
  }

  // ---- values ----

  val(e: Expr): string {
    switch (e.k) {
      case 'num': return this.num(e.v as number | bigint);
      case 'tmp': return this.sl(e.slot);
      case 'str': return this.num(this.gen.ctx.stringAddr(e.bytes));
      case 'fn': return this.num(this.gen.ctx.funcAddr(e.sym));
      case 'seh':
        this.inlined++;
        return e.what === 'code' ? 'f.exc' : e.what === 'abnormal' ? '(f.fin.length ? 1 : 0)' : this.num(this.gen.ctx.exceptionInfoAddr ? this.gen.ctx.exceptionInfoAddr() : 0);
      case 'var': case 'member': case 'deref': {
        if (e.k === 'var') { const i = this.slot(e); if (i >= 0) return this.sl(i); }
        if (e.k === 'member' && e.f.bitWidth !== undefined) break;
        if (e.t.k === 'struct' || e.t.k === 'array') { const a = this.addr(e); if (a !== null) { this.inlined++; return a; } break; }
        const a = this.addr(e);
        if (a === null) break;
        const ld = this.loadAt(a, e.t);
        if (ld === null) break;
        this.inlined++;
        return ld;
      }
      case 'addr': {
        if (e.e.k === 'fn') return this.num(this.gen.ctx.funcAddr(e.e.sym));
        const a = this.addr(e.e);
        if (a === null) break;
        this.inlined++;
        return a;
      }
      case 'cast': {
        if (e.t.k === 'void') return this.val(e.e);
        const c = this.cast(this.val(e.e), e.e.t, e.t);
        this.inlined++;
        return c;
      }
      case 'un': { const u = this.unary(e); if (u === null) break; this.inlined++; return u; }
      case 'bin': { const b = this.binary(e); if (b === null) break; this.inlined++; return b; }
      case 'padd': {
        const asAddr = this.wantAddr;
        this.wantAddr = false;
        const slow = (call: string): string => (asAddr ? `${this.x(toAddr)}(${call})` : call);
        this.inlined++;
        const p = this.tmp(), r = this.tmp();
        const pv = this.val(e.p);
        if (e.i.k === 'num' && typeof e.i.v === 'number') {
          const d = (e.sub ? -e.i.v : e.i.v) * e.scale;
          return `((${p} = ${pv}), typeof ${p} === 'number' && (${r} = ${p} + ${this.num(d)}) <= ${MAXS} && ${r} >= -${MAXS} ? ${r} : ${slow(`${this.x(A.add64)}(${p}, ${this.num(d)})`)})`;
        }
        const n = this.tmp();
        const nv = this.val(e.i);
        // an index of 32 bits or fewer is always a JS number: only the pointer can be a BigInt
        const narrow = (x: Expr): boolean => (x.t.k === 'int' && x.t.size <= 4) || (x.k === 'cast' && x.t.k === 'int' && narrow(x.e));
        const small = narrow(e.i);
        return `((${p} = ${pv}), (${n} = ${nv}), typeof ${p} === 'number' && ${small ? '' : `typeof ${n} === 'number' && `}(${r} = ${p} ${e.sub ? '-' : '+'} ${n} * ${e.scale}) <= ${MAXS} && ${r} >= -${MAXS} ? ${r} : ${slow(`${this.x(padd)}(${p}, ${n}, ${e.scale}, ${e.sub})`)})`;
      }
      case 'log': {
        this.inlined++;
        const l = this.val(e.l), r = this.val(e.r);
        return e.op === '&&' ? `(${l} ? (${r} ? 1 : 0) : 0)` : `(${l} ? 1 : ${r} ? 1 : 0)`;
      }
      case 'cond': this.inlined++; return `(${this.val(e.c)} ? ${this.val(e.a)} : ${this.val(e.b)})`;
      case 'comma': this.inlined++; return `(${this.val(e.a)}, ${this.val(e.b)})`;
      case 'assign': { const a = this.assign(e); if (a === null) break; this.inlined++; return a; }
      case 'incdec': { const a = this.incdec(e); if (a === null) break; this.inlined++; return a; }
      default: break;
    }
    return this.fallback(e);
  }

  private cast(v: string, from: CType, to: CType): string {
    if (to.k === 'int' && to.bool) return `(${v} ? 1 : 0)`;
    const c = converter(from, to);
    if (c === null) return v;
    if (to.k === 'float' || from.k === 'float') return `${this.x(c)}(${v})`;
    const fs = from.k === 'int' ? from.size : 8;
    const ts = (to as IntT).size;
    const tsig = (to as IntT).signed;
    const narrow = ts === 4 ? (tsig ? '| 0' : '>>> 0') : null;
    const inline = (x: string): string => ts === 4 ? `(${x} ${narrow})` : ts === 2 ? (tsig ? `((${x} << 16) >> 16)` : `(${x} & 0xffff)`) : tsig ? `((${x} << 24) >> 24)` : `(${x} & 0xff)`;
    if (fs === 8) {
      const t = this.tmp();
      return `((${t} = ${v}), typeof ${t} === 'number' ? ${inline(t)} : ${this.x(c)}(${t}))`;
    }
    return inline(v);
  }

  private unary(e: Extract<Expr, { k: 'un' }>): string | null {
    const t = e.t;
    const v = this.val(e.e);
    switch (e.op) {
      case '!': return `(${v} ? 0 : 1)`;
      case '+': return v;
      case '-':
        if (t.k === 'float') return `(-${v})`;
        if (t.k === 'int' && t.size === 4) return t.signed ? `(-${v} | 0)` : `(-${v} >>> 0)`;
        return `${this.x(A.neg64)}(${v})`;
      case '~':
        if (t.k === 'int' && t.size === 4) return t.signed ? `(~${v})` : `(~${v} >>> 0)`;
        return `${this.x(A.not64)}(${v})`;
    }
    return null;
  }

  /** A shift count: a JS number already when the right operand is 32 bits or narrower. */
  private count(e: Expr): string {
    const v = this.val(e);
    return e.t.k === 'int' && e.t.size <= 4 ? v : `Number(${v})`;
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): string | null {
    const t = e.l.t;
    const op = e.op;
    const rc = e.r.k === 'num' && typeof e.r.v === 'number' ? e.r.v : null;
    if (t.k === 'float') {
      const l = this.val(e.l), r = this.val(e.r);
      const fr = t.size === 4;
      switch (op) {
        case '+': case '-': case '*': case '/': return fr ? `Math.fround(${l} ${op} ${r})` : `(${l} ${op} ${r})`;
        case '<': case '>': case '<=': case '>=': return `(${l} ${op} ${r} ? 1 : 0)`;
        case '==': return `(${l} === ${r} ? 1 : 0)`;
        case '!=': return `(${l} !== ${r} ? 1 : 0)`;
      }
      return null;
    }
    if (t.k !== 'int' && t.k !== 'ptr') return null;
    const size = t.k === 'int' ? t.size : 8;
    const signed = t.k === 'int' ? t.signed : false;
    if (size === 4) {
      const l = this.val(e.l);
      if (op === '<<' || op === '>>') {
        const n = this.count(e.r);
        if (signed) return op === '<<' ? `(${l} << ${n})` : `(${l} >> ${n})`;
        return op === '<<' ? `((${l} << ${n}) >>> 0)` : `(${l} >>> ${n})`;
      }
      const r = this.val(e.r);
      const fix = signed ? '| 0' : '>>> 0';
      switch (op) {
        case '+': case '-': return `((${l} ${op} ${r}) ${fix})`;
        case '*': return signed ? `Math.imul(${l}, ${r})` : `(Math.imul(${l}, ${r}) >>> 0)`;
        case '/':
          if (rc !== null && rc !== 0 && rc !== -1) return signed ? `((${l} / ${rc}) | 0)` : `Math.floor(${l} / ${rc})`;
          return `${this.x(signed ? sdiv32 : udiv32)}(${l}, ${r})`;
        case '%':
          if (rc !== null && rc !== 0 && rc !== -1) return signed ? `((${l} % ${rc}) | 0)` : `(${l} % ${rc})`;
          return `${this.x(signed ? srem32 : urem32)}(${l}, ${r})`;
        case '&': case '|': case '^': return signed ? `(${l} ${op} ${r})` : `((${l} ${op} ${r}) >>> 0)`;
        case '<': case '>': case '<=': case '>=': return `(${l} ${op} ${r} ? 1 : 0)`;
        case '==': return `(${l} === ${r} ? 1 : 0)`;
        case '!=': return `(${l} !== ${r} ? 1 : 0)`;
      }
      return null;
    }
    if (size !== 8) return null;
    // 64-bit values and pointers: number fast paths, the U64 helpers beyond the safe range
    const l = this.val(e.l);
    if (op === '<<' || op === '>>') {
      const n = this.count(e.r);
      const fn = op === '<<' ? A.shl64 : signed ? A.sar64 : A.shr64;
      return `${this.x(fn)}(${l}, ${n})`;
    }
    const r = this.val(e.r);
    const a = this.tmp(), b = this.tmp(), c = this.tmp();
    const both = `((${a} = ${l}), (${b} = ${r}), typeof ${a} === 'number' && typeof ${b} === 'number'`;
    switch (op) {
      case '+': case '-':
        return `${both} && (${c} = ${a} ${op} ${b}) <= ${MAXS} && ${c} >= -${MAXS} ? ${c} : ${this.x(op === '+' ? A.add64 : A.sub64)}(${a}, ${b}))`;
      case '==': return `(${l} == ${r} ? 1 : 0)`;
      case '!=': return `(${l} != ${r} ? 1 : 0)`;
      case '<': case '>': case '<=': case '>=':
        if (signed) return `(${l} ${op} ${r} ? 1 : 0)`;
        return `${both} && ${a} >= 0 && ${b} >= 0 ? (${a} ${op} ${b} ? 1 : 0) : (${this.x(ucmp)}(${a}, ${b}) ${op} 0 ? 1 : 0))`;
      case '&': case '|': case '^': {
        const fn = op === '&' ? A.and64 : op === '|' ? A.or64 : A.xor64;
        return `${both} && (${a} | 0) === ${a} && (${b} | 0) === ${b} ? (${a} ${op} ${b}) : ${this.x(fn)}(${a}, ${b}))`;
      }
      case '*': return `${this.x(A.mul64)}(${l}, ${r})`;
      case '/': return `${this.x(signed ? A.sdiv64 : A.udiv64)}(${l}, ${r})`;
      case '%': return `${this.x(signed ? A.srem64 : A.urem64)}(${l}, ${r})`;
    }
    return null;
  }

  /** Compound operators this emitter inlines on 32-bit integers of one signedness. */
  private op32(op: string, o: string, n: string, signed: boolean): string | null {
    const fix = signed ? '| 0' : '>>> 0';
    switch (op) {
      case '+': case '-': return `((${o} ${op} ${n}) ${fix})`;
      case '*': return signed ? `Math.imul(${o}, ${n})` : `(Math.imul(${o}, ${n}) >>> 0)`;
      case '&': case '|': case '^': return signed ? `(${o} ${op} ${n})` : `((${o} ${op} ${n}) >>> 0)`;
      case '<<': return signed ? `(${o} << ${n})` : `((${o} << ${n}) >>> 0)`;
      case '>>': return signed ? `(${o} >> ${n})` : `(${o} >>> ${n})`;
    }
    return null;
  }

  private assign(e: Extract<Expr, { k: 'assign' }>): string | null {
    const lt = e.l.t;
    const i = this.slot(e.l);
    if (e.op === '=') {
      if (i >= 0) return `(${this.sl(i)} = ${this.val(e.r)})`;
      if (lt.k === 'struct' || (e.l.k === 'member' && e.l.f.bitWidth !== undefined)) return null;
      const a = this.addr(e.l);
      if (a === null) return null;
      const ta = this.tmp(), tv = this.tmp();
      const st = this.storeAt(ta, tv, lt);
      if (st === null) return null;
      return `((${ta} = ${a}), (${tv} = ${this.val(e.r)}), ${st}, ${tv})`;
    }
    // compound: inline only int32 = int32 op int32 (no conversion around the operation)
    const ot = e.opType;
    if (lt.k !== 'int' || lt.size !== 4 || lt.bool || ot.k !== 'int' || ot.size !== 4 || ot.signed !== lt.signed) return null;
    const bop = e.op.slice(0, -1);
    const shift = bop === '<<' || bop === '>>';
    if (i >= 0) {
      const n = shift ? this.count(e.r) : this.val(e.r);
      const c = this.op32(bop, this.sl(i), n, lt.signed);
      return c === null ? null : `(${this.sl(i)} = ${c})`;
    }
    if (e.l.k === 'member' && e.l.f.bitWidth !== undefined) return null;
    const a = this.addr(e.l);
    if (a === null) return null;
    const ta = this.tmp(), to = this.tmp(), tv = this.tmp();
    const n = shift ? this.count(e.r) : this.val(e.r);
    const c = this.op32(bop, to, n, lt.signed);
    if (c === null) return null;
    return `((${ta} = ${a}), (${to} = ${this.read32(ta)} ${lt.signed ? '| 0' : '>>> 0'}), (${tv} = ${c}), ${this.write32(ta, `${tv} >>> 0`)}, ${tv})`;
  }

  private incdec(e: Extract<Expr, { k: 'incdec' }>): string | null {
    const t = e.l.t;
    if (t.k !== 'int' || t.size !== 4 || t.bool) return null;
    const d = e.inc ? e.scale : -e.scale;
    const fix = t.signed ? '| 0' : '>>> 0';
    const i = this.slot(e.l);
    if (i >= 0) {
      if (e.pre) return `(${this.sl(i)} = (${this.sl(i)} + ${this.num(d)}) ${fix})`;
      const o = this.tmp();
      return `((${o} = ${this.sl(i)}), (${this.sl(i)} = (${o} + ${this.num(d)}) ${fix}), ${o})`;
    }
    if (e.l.k === 'member' && e.l.f.bitWidth !== undefined) return null;
    const a = this.addr(e.l);
    if (a === null) return null;
    const ta = this.tmp(), o = this.tmp(), n = this.tmp();
    return `((${ta} = ${a}), (${o} = ${this.read32(ta)} ${fix}), (${n} = (${o} + ${this.num(d)}) ${fix}), ${this.write32(ta, `${n} >>> 0`)}, ${e.pre ? n : o})`;
  }
}

/**
 * Generated code is cached by its text: the same shape compiles once per process, and every function
 * made from one cached factory shares V8's type feedback and optimized code. A scenario linked again
 * (a restarted session, the next test of a lab, a bench repetition) so runs at once at the speed the
 * last run reached instead of being profiled and compiled anew. The least recently used texts go
 * once the cache holds more than a bounded amount of text (an edited scenario makes new texts).
 */
const factories = new Map<string, (...x: unknown[]) => unknown>();
let cachedText = 0;
let cacheTextLimit = 8 << 20;

/** Calls the factory for `src` (parameters x0, x1, …, one per value in `ext`) with `ext`. */
export function instantiate<T>(src: string, ext: readonly unknown[]): T {
  const key = `${ext.length}:${src}`;
  let make = factories.get(key);
  if (make) {
    // most recently used last
    factories.delete(key);
    factories.set(key, make);
  } else {
    const names = ext.map((_, i) => `x${i}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    make = new Function(...names, src) as (...x: unknown[]) => unknown;
    factories.set(key, make);
    cachedText += key.length;
    for (const old of factories.keys()) {
      if (cachedText <= cacheTextLimit || old === key) break;
      factories.delete(old);
      cachedText -= old.length;
    }
  }
  return make(...ext) as T;
}

/** How many generated texts the cache holds and their total length (for tests and benchmarks). */
export function generatedCodeCache(): { entries: number; text: number; limit: number } {
  return { entries: factories.size, text: cachedText, limit: cacheTextLimit };
}

/** @internal Sets how much text the cache keeps (tests); returns the previous bound. */
export function limitGeneratedCodeCache(text: number): number {
  const previous = cacheTextLimit;
  cacheTextLimit = text;
  return previous;
}

function build(body: string, em: Emitter): Val {
  const temps = em.temps ? `let ${Array.from({ length: em.temps }, (_, i) => `t${i}`).join(', ')};` : '';
  return instantiate<Val>(`return function jit(f) { const s = f.s; ${temps} ${body} };`, em.ext);
}

/** One generated function for `e`, or null when a closure would be as fast (a leaf) or codegen is off. */
export function compileValue(gen: ExprGen, e: Expr): Val | null {
  if (!jsgenAvailable()) return null;
  const em = new Emitter(gen);
  const code = em.val(e);
  if (em.inlined === 0) return null;
  return build(`return ${code};`, em);
}
