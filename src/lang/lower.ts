// Lowers a function body to a flat instruction list: every C call is its own instruction, calls
// inside expressions are hoisted into temporaries (&&, ||, ?: with calls become jumps), so the run
// loop can stop before any statement and no JS stack holds C state across a call.
import type { Token } from './tokens';
import type { Expr, FuncDef, FuncSym, Stmt, VarSym } from './ast';
import { ExprGen, type Frame, type Val } from './codegen';
import { type CType, T_INT, alignOf, sizeOf, isInt } from './types';
import { doubleToBits, floatToBits } from './arith';
import type { FastRun } from './fastRun';
import type { LeafRun } from './leafRun';

export { OP_EXEC, OP_JMP, OP_JF, OP_JT, OP_CALL, OP_RET, OP_SWITCH, OP_TRY, OP_TRYEND, OP_FINEND, OP_XJMP, OP_NOP, OP_EXECJ } from './ops';
import { OP_EXEC, OP_JMP, OP_JF, OP_JT, OP_CALL, OP_RET, OP_SWITCH, OP_TRY, OP_TRYEND, OP_FINEND, OP_XJMP, OP_NOP, OP_EXECJ } from './ops';

export interface Ins {
  op: number;
  /** The statement this instruction belongs to. */
  loc: Token;
  /** First instruction of a statement: counts as a step, breakpoints and pause are checked here. */
  stmt: boolean;
  run?: Val;
  /** The expression `run` computes, when it is exactly that (the function-level code generator inlines it). */
  expr?: Expr;
  target?: number;
  depth?: number;
  // calls
  callee?: FuncSym;
  /** The linked target of `callee`, cached on first call. */
  resolved?: unknown;
  fptr?: Val;
  args?: Val[];
  /** Per argument, the caller's slot it is a plain read of, else -1. */
  argSlots?: number[];
  /** Per argument, the expression `args` computes when it is exactly that (the code generator inlines it), else null. */
  argExprs?: (Expr | null)[];
  store?: ((f: Frame, v: any, native?: boolean) => void) | null;
  /** The caller's slot the result goes to when `store` is just that (the machine writes it directly), else -1. */
  storeSlot?: number;
  retType?: CType;
  brk?: 'LabBreak' | 'DbgBreakPoint';
  // switch
  table?: Map<unknown, number>;
  scope?: number;
}

/** Every instruction gets the same hidden class, so the run loop's property reads stay monomorphic. */
function shaped(i: Ins): Ins {
  return {
    op: i.op, loc: i.loc, stmt: i.stmt, run: i.run, expr: i.expr, target: i.target ?? -1, depth: i.depth ?? 0, callee: i.callee, resolved: undefined,
    fptr: i.fptr, args: i.args, argSlots: i.argSlots, argExprs: i.argExprs, store: i.store ?? null, storeSlot: i.storeSlot ?? -1, retType: i.retType, brk: i.brk, table: i.table, scope: i.scope ?? -1,
  };
}

export interface TryScope { filter: Val | null; handlerPc: number; finPc: number; depth: number }

export interface CompiledFunction {
  name: string;
  def: FuncDef;
  code: Ins[];
  nslots: number;
  frameSize: number;
  /** The frame base's alignment: 16 (x64), more when a local asks for it with __declspec(align(N)). */
  frameAlign?: number;
  tries: TryScope[];
  paramStore: ((f: Frame, v: any) => void)[];
  /** The slots of the parameters when all of them live in slots (arguments are written there directly), else null. */
  paramSlots: number[] | null;
  /** Frames of returned calls kept for reuse (a call then allocates nothing). */
  free: Frame[];
  /** The function's instructions as one generated function (fastRun.ts), or null; set by the linker. */
  fast: FastRun | null;
  /** The frameless form (leafRun.ts) when the function is a leaf, else null; set by the linker. */
  leaf: LeafRun | null;
  /** The frame the frameless form runs in, reused call after call (null once a fault or a budget stop pushed it). */
  scratch: Frame | null;
  addr: number;
  index: number;
  native: false;
}

const BREAKS: Record<string, 'LabBreak' | 'DbgBreakPoint'> = { LabBreak: 'LabBreak', DbgBreakPoint: 'DbgBreakPoint', __debugbreak: 'DbgBreakPoint', KdBreakPoint: 'DbgBreakPoint' };

export class FunctionLowering {
  code: Ins[] = [];
  private tries: TryScope[] = [];
  private tryDepth = 0;
  private nslots = 0;
  private tempBase = 0;
  private tempNext = 0;
  private tempMax = 0;
  private frameOff = 0; // bytes of memory locals, growing upwards from the frame base
  private frameAlign = 16;
  private loopStack: { brk: number[]; cont: number[]; depth: number; contDepth: number }[] = [];
  private labels = new Map<string, { pc: number; depth: number }>();
  private gotos: { pc: number; label: string; depth: number }[] = [];
  private leaveTargets: { pcs: number[]; depth: number }[] = [];
  private stmtLoc!: Token;
  private stmtFresh = false;
  private structTemps: number[] = [];

  constructor(private def: FuncDef, private gen: ExprGen) {}

  lower(index: number, addr: number): CompiledFunction {
    for (const v of this.def.locals) this.place(v);
    this.tempBase = this.nslots;
    this.tempNext = this.tempBase;
    const paramStore = this.def.params.map((p) => {
      const st = this.gen.storeTo({ k: 'var', sym: p, t: p.type, loc: p.loc });
      return st;
    });
    for (const p of this.def.params) { p.pcStart = 0; p.pcEnd = Number.MAX_SAFE_INTEGER; }
    this.stmt(this.def.body);
    // the function's own locals stay visible on its closing brace
    if (this.def.body.k === 'block') for (const x of this.def.body.body) if (x.k === 'decl') x.sym.pcEnd = Number.MAX_SAFE_INTEGER;
    this.beginStmt(this.def.endLoc);
    this.emit({ op: OP_RET, loc: this.def.endLoc, stmt: true });
    for (const g of this.gotos) {
      const l = this.labels.get(g.label)!;
      const ins = this.code[g.pc];
      ins.target = l.pc;
      if (l.depth !== g.depth) { ins.op = OP_XJMP; ins.depth = l.depth; if (l.depth > g.depth) throw new Error(`goto into a __try block is not allowed (MSVC C2760)`); }
    }
    const frameSize = Math.ceil((this.frameOff + 0x28) / 16) * 16; // locals + home space + return address
    // a variadic function finds its extra arguments right above its frame (the caller spills them there)
    if (this.def.sym.type.variadic) this.def.vaOffset = frameSize;
    this.fuseJumps();
    const paramSlots = this.def.params.every((p) => p.slot >= 0) ? this.def.params.map((p) => p.slot) : null;
    return { name: this.def.sym.name, def: this.def, code: this.code, nslots: Math.max(this.nslots, this.tempMax), frameSize, frameAlign: this.frameAlign, tries: this.tries, paramStore, paramSlots, free: [], fast: null, leaf: null, scratch: null, addr, index, native: false };
  }

  /** An EXEC followed by a jump that starts no statement becomes one instruction (the jump stays for other paths to it). */
  private fuseJumps(): void {
    const code = this.code;
    for (let i = 0; i + 1 < code.length; i++) {
      const a = code[i], j = code[i + 1];
      if (a.op === OP_EXEC && j.op === OP_JMP && !j.stmt) { a.op = OP_EXECJ; a.target = j.target; }
    }
  }

  private place(v: VarSym): void {
    if (!v.addrTaken && (v.type.k === 'int' || v.type.k === 'ptr' || v.type.k === 'float')) { v.slot = this.nslots++; return; }
    v.slot = -1;
    const a = Math.max(alignOf(v.type), 8);
    if (a > this.frameAlign) this.frameAlign = a;
    this.frameOff = Math.ceil(this.frameOff / a) * a;
    v.offset = this.frameOff;
    this.frameOff += Math.max(sizeOf(v.type), 1);
  }

  private emit(ins: Ins): number {
    if (this.stmtFresh) { ins.stmt = true; this.stmtFresh = false; }
    ins.loc ??= this.stmtLoc;
    this.code.push(shaped(ins));
    return this.code.length - 1;
  }
  private beginStmt(loc: Token): void {
    this.stmtLoc = loc;
    this.stmtFresh = true;
    this.tempNext = this.tempBase;
  }
  private endStmt(): void {
    if (this.stmtFresh) { this.emit({ op: OP_NOP, loc: this.stmtLoc, stmt: true }); }
  }
  private tmp(): number {
    const t = this.tempNext++;
    this.tempMax = Math.max(this.tempMax, this.tempNext);
    return t;
  }
  private structTemp(t: CType): number {
    const a = Math.max(alignOf(t), 8);
    if (a > this.frameAlign) this.frameAlign = a;
    this.frameOff = Math.ceil(this.frameOff / a) * a;
    const off = this.frameOff;
    this.frameOff += sizeOf(t);
    return off;
  }
  private here(): number { return this.code.length; }

  // ---- expressions with calls ----
  /** Emits the calls of `e` and returns an equivalent call-free expression. */
  private lowerExpr(e: Expr): Expr {
    if (!e.call) return e;
    switch (e.k) {
      case 'call': {
        const t = this.tmp();
        this.emitCall(e, (f, v) => { f.s[t] = v; }, t);
        return { k: 'tmp', slot: t, t: e.t, loc: e.loc };
      }
      case 'log': {
        const t = this.tmp();
        const l = this.lowerExpr(e.l);
        const lv = this.gen.val(l);
        const set = (f: Frame, v: any) => { f.s[t] = v ? 1 : 0; };
        this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => set(f, lv(f)) });
        const j = this.emit({ op: e.op === '&&' ? OP_JF : OP_JT, loc: this.stmtLoc, stmt: false, run: (f) => f.s[t] });
        const r = this.gen.val(this.lowerExpr(e.r));
        this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => set(f, r(f)) });
        this.code[j].target = this.here();
        return { k: 'tmp', slot: t, t: T_INT, loc: e.loc };
      }
      case 'cond': {
        const t = this.tmp();
        const lc = this.lowerExpr(e.c);
        const j = this.emit({ op: OP_JF, loc: this.stmtLoc, stmt: false, run: this.gen.val(lc), expr: lc });
        const a = this.gen.val(this.lowerExpr(e.a));
        this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => { f.s[t] = a(f); } });
        const j2 = this.emit({ op: OP_JMP, loc: this.stmtLoc, stmt: false });
        this.code[j].target = this.here();
        const b = this.gen.val(this.lowerExpr(e.b));
        this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => { f.s[t] = b(f); } });
        this.code[j2].target = this.here();
        return { k: 'tmp', slot: t, t: e.t, loc: e.loc };
      }
      case 'comma': {
        this.exec(this.lowerExpr(e.a));
        return this.lowerExpr(e.b);
      }
      case 'bin': {
        const l = this.pin(this.lowerExpr(e.l), e.r);
        return { ...e, l, r: this.lowerExpr(e.r), call: false };
      }
      case 'padd': { const p = this.pin(this.lowerExpr(e.p), e.i); return { ...e, p, i: this.lowerExpr(e.i), call: false }; }
      case 'pdiff': { const l = this.pin(this.lowerExpr(e.l), e.r); return { ...e, l, r: this.lowerExpr(e.r), call: false }; }
      case 'assign': { const l = this.lowerLvalue(e.l); return { ...e, l, r: this.lowerExpr(e.r), call: false }; }
      case 'incdec': return { ...e, l: this.lowerLvalue(e.l), call: false };
      case 'un': return { ...e, e: this.lowerExpr(e.e), call: false };
      case 'cast': return { ...e, e: this.lowerExpr(e.e), call: false };
      case 'addr': return { ...e, e: this.lowerLvalue(e.e), call: false };
      case 'deref': return { ...e, e: this.lowerExpr(e.e), call: false };
      case 'member': return { ...e, e: e.e.t.k === 'struct' && e.e.k === 'call' ? this.lowerExpr(e.e) : this.lowerLvalue(e.e), call: false };
      case 'complit': {
        const t = this.tmp();
        const init = e.init.map((it) => {
          if (!it.expr?.call) return it;
          const s = this.tmp();
          const v = this.gen.val(this.lowerExpr(it.expr));
          this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => { f.s[s] = v(f); } });
          return { ...it, expr: { k: 'tmp' as const, slot: s, t: it.expr.t, loc: it.expr.loc } };
        });
        void t;
        return { ...e, init, call: false };
      }
      default: return e;
    }
  }

  /** Evaluates a call-free left operand into a temporary when the right operand calls (keeps C's left-to-right reading). */
  private pin(l: Expr, r: Expr): Expr {
    if (!r.call || l.k === 'num' || l.k === 'tmp' || l.t.k === 'struct') return l;
    const t = this.tmp();
    const v = this.gen.val(l);
    this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: (f) => { f.s[t] = v(f); } });
    return { k: 'tmp', slot: t, t: l.t, loc: l.loc };
  }

  private lowerLvalue(e: Expr): Expr {
    if (!e.call) return e;
    if (e.k === 'deref') return { ...e, e: this.lowerExpr(e.e), call: false };
    if (e.k === 'member') return { ...e, e: e.e.t.k === 'struct' && e.e.k === 'call' ? this.lowerExpr(e.e) : this.lowerLvalue(e.e), call: false };
    return this.lowerExpr(e);
  }

  private emitCall(e: Extract<Expr, { k: 'call' }>, store: ((f: Frame, v: any) => void) | null, storeSlot = -1): void {
    let fptr: Val | undefined;
    let callee: FuncSym | undefined;
    if (e.f.k === 'fn') callee = e.f.sym;
    else if (e.f.k === 'addr' && e.f.e.k === 'fn') callee = e.f.e.sym;
    else fptr = this.gen.val(this.pin(this.lowerExpr(e.f), { ...e, call: e.args.some((a) => a.call) } as Expr));
    const args: Val[] = [];
    const argSlots: number[] = [];
    const argExprs: (Expr | null)[] = [];
    const lowered = e.args.map((a, i) => (i < e.args.length - 1 && e.args.slice(i + 1).some((x) => x.call) ? this.pin(this.lowerExpr(a), { ...a, call: true }) : this.lowerExpr(a)));
    for (const a of lowered) {
      const v = this.gen.val(a);
      const n = sizeOf(a.t);
      if (a.t.k === 'struct' && callee && !callee.def && n <= 8) {
        // x64 passes a struct of 8 bytes or less (LARGE_INTEGER, PHYSICAL_ADDRESS) by value in a register
        const mem = this.gen.ctx.mem;
        const ld = n === 8 ? (x: number) => mem.read64(x) : n === 4 ? (x: number) => mem.read32(x) : n === 2 ? (x: number) => mem.read16(x) : (x: number) => mem.read8(x);
        args.push((f) => ld(v(f)));
      } else if (a.t.k === 'float' && (callee ? !callee.def || (e.ft.variadic && args.length >= e.ft.params.length) : e.ft.variadic && args.length >= e.ft.params.length)) {
        // routines take integers: a double travels as its bit pattern, as in an x64 integer register
        args.push(a.t.size === 8 ? (f) => doubleToBits(v(f)) : (f) => floatToBits(v(f)) >>> 0);
      } else {
        args.push(v);
        argExprs[args.length - 1] = a;
        argSlots[args.length - 1] = a.k === 'tmp' ? a.slot : a.k === 'var' && (a.sym.storage === 'local' || a.sym.storage === 'param') ? a.sym.slot : -1;
        continue;
      }
      argSlots[args.length - 1] = -1;
      argExprs[args.length - 1] = null;
    }
    let st = store;
    if (e.t.k === 'struct' && store) {
      // struct results are copied into a frame temporary; the slot then holds its address
      const off = this.structTemp(e.t);
      const n = sizeOf(e.t);
      const mem = this.gen.ctx.mem;
      const inner = store;
      st = (f, v, native?: boolean) => {
        const d = f.bp + off;
        if (native) mem.write64(d, v ?? 0); // a native returns a small struct (LARGE_INTEGER) as its 64-bit value
        else mem.writeBytes(d, mem.readBytes(v, n));
        inner(f, d);
      };
    }
    this.emit({ op: OP_CALL, loc: this.stmtLoc, stmt: false, callee, fptr, args, argSlots, argExprs, store: st, storeSlot: st === store ? storeSlot : -1, retType: e.t, brk: callee ? BREAKS[callee.name] : undefined });
  }

  private exec(e: Expr): void {
    if (e.k === 'num' || e.k === 'tmp') return;
    const v = this.gen.val(e);
    this.emit({ op: OP_EXEC, loc: this.stmtLoc, stmt: false, run: v, expr: e });
  }

  private condJump(c: Expr, jumpIfTrue: boolean): number {
    const lc = this.lowerExpr(c);
    const v = this.gen.val(lc);
    return this.emit({ op: jumpIfTrue ? OP_JT : OP_JF, loc: this.stmtLoc, stmt: false, run: v, expr: lc });
  }

  // ---- statements ----
  private stmt(s: Stmt): void {
    switch (s.k) {
      case 'block': {
        const first = this.here();
        const declared: VarSym[] = [];
        for (const x of s.body) { if (x.k === 'decl') declared.push(x.sym); this.stmt(x); }
        for (const v of declared) v.pcEnd = this.here();
        void first;
        return;
      }
      case 'empty': return;
      case 'expr': {
        this.beginStmt(s.loc);
        const e = s.e;
        if (e.k === 'call') this.emitCall(e, null);
        else if (e.k === 'cast' && e.t.k === 'void' && e.e.k === 'call') this.emitCall(e.e, null);
        else if (e.k === 'assign' && e.op === '=' && e.r.k === 'call' && !e.l.call && e.l.t.k !== 'struct') {
          const store = this.gen.storeTo(e.l);
          this.emitCall(e.r, store, e.l.k === 'var' && (e.l.sym.storage === 'local' || e.l.sym.storage === 'param') ? e.l.sym.slot : -1);
        } else this.exec(this.lowerExpr(e));
        this.endStmt();
        return;
      }
      case 'decl': {
        const v = s.sym;
        v.pcStart = this.here();
        v.pcEnd = Number.MAX_SAFE_INTEGER;
        if (!s.init) return;
        this.beginStmt(s.loc);
        if (v.slot >= 0 && s.init.length === 1 && s.init[0].expr && s.init[0].expr.k === 'call') {
          this.emitCall(s.init[0].expr, this.gen.storeTo({ k: 'var', sym: v, t: v.type, loc: v.loc }), v.slot);
        } else {
          const items = s.init.map((it) => (it.expr?.call ? { ...it, expr: this.lowerExpr(it.expr) } : it));
          const init = this.gen.initializer(v, items);
          // a scalar in a slot is just `v = value` (its converted value): the code generator inlines that
          const one = items.length === 1 ? items[0] : undefined;
          const expr: Expr | undefined = v.slot >= 0 && one?.expr && !one.field && !one.bytes
            ? { k: 'assign', op: '=', l: { k: 'var', sym: v, t: v.type, loc: s.loc }, r: one.expr, t: v.type, opType: v.type, scale: 1, loc: s.loc }
            : undefined;
          this.emit({ op: OP_EXEC, loc: s.loc, stmt: false, run: init, expr });
        }
        v.pcStart = this.here();
        this.endStmt();
        return;
      }
      case 'if': {
        this.beginStmt(s.loc);
        const j = this.condJump(s.c, false);
        this.stmt(s.a);
        if (s.b) {
          const j2 = this.emit({ op: OP_JMP, loc: s.loc, stmt: false });
          this.code[j].target = this.here();
          this.stmt(s.b);
          this.code[j2].target = this.here();
        } else this.code[j].target = this.here();
        return;
      }
      case 'while': {
        const top = this.here();
        this.beginStmt(s.loc);
        const j = this.condJump(s.c, false);
        const L = this.pushLoop();
        this.stmt(s.body);
        this.emit({ op: OP_JMP, loc: s.loc, stmt: false, target: top });
        this.popLoop(L, this.here(), top);
        this.code[j].target = this.here();
        return;
      }
      case 'do': {
        const top = this.here();
        const L = this.pushLoop();
        this.emitNop(s.loc); // so a breakpoint on 'do' binds and an empty body still steps
        this.stmt(s.body);
        const cont = this.here();
        this.beginStmt(s.c.loc);
        this.condJump(s.c, true);
        this.code[this.code.length - 1].target = top;
        this.endStmt();
        this.popLoop(L, this.here(), cont);
        return;
      }
      case 'for': {
        if (s.init) { if (s.init.k === 'expr') this.stmt(s.init); else this.stmt(s.init); }
        const top = this.here();
        this.beginStmt(s.loc);
        let j = -1;
        if (s.c) j = this.condJump(s.c, false);
        else this.endStmt();
        const L = this.pushLoop();
        this.stmt(s.body);
        const cont = this.here();
        if (s.step) { this.beginStmt(s.step.loc); this.exec(this.lowerExpr(s.step)); this.endStmt(); }
        this.emit({ op: OP_JMP, loc: s.loc, stmt: false, target: top });
        this.popLoop(L, this.here(), cont);
        if (j >= 0) this.code[j].target = this.here();
        return;
      }
      case 'switch': {
        this.beginStmt(s.loc);
        const v = this.gen.val(this.lowerExpr(s.e));
        const table = new Map<unknown, number>();
        const sw = this.emit({ op: OP_SWITCH, loc: s.loc, stmt: false, run: v, table, target: -1 });
        this.switchStack.push({ table, dflt: -1 });
        const L = this.pushLoop(true);
        this.stmt(s.body);
        const end = this.here();
        const info = this.switchStack.pop()!;
        this.code[sw].target = info.dflt >= 0 ? info.dflt : end;
        this.popLoop(L, end, -1);
        return;
      }
      case 'case': {
        const sw = this.switchStack[this.switchStack.length - 1];
        if (s.v === null) sw.dflt = this.here(); else sw.table.set(s.v, this.here());
        this.stmt(s.body);
        return;
      }
      case 'break': case 'continue': {
        this.beginStmt(s.loc);
        let i = this.loopStack.length - 1;
        if (s.k === 'continue') while (i >= 0 && this.loopStack[i].contDepth < 0) i--;
        const L = this.loopStack[i];
        const depth = L.depth;
        const pc = this.emit({ op: depth === this.tryDepth ? OP_JMP : OP_XJMP, loc: s.loc, stmt: false, depth });
        (s.k === 'break' ? L.brk : L.cont).push(pc);
        return;
      }
      case 'return': {
        this.beginStmt(s.loc);
        if (s.e && s.e.k === 'call' && s.e.t.k !== 'struct') {
          const t = this.tmp();
          this.emitCall(s.e, (f, v) => { f.s[t] = v; }, t);
          this.emit({ op: OP_RET, loc: s.loc, stmt: false, run: (f) => f.s[t] });
          return;
        }
        const le = s.e ? this.lowerExpr(s.e) : undefined;
        this.emit({ op: OP_RET, loc: s.loc, stmt: false, run: le ? this.gen.val(le) : undefined, expr: le });
        return;
      }
      case 'goto': {
        this.beginStmt(s.loc);
        const pc = this.emit({ op: OP_JMP, loc: s.loc, stmt: false });
        this.gotos.push({ pc, label: s.label, depth: this.tryDepth });
        return;
      }
      case 'label': {
        this.labels.set(s.name, { pc: this.here(), depth: this.tryDepth });
        this.stmt(s.body);
        return;
      }
      case 'leave': {
        this.beginStmt(s.loc);
        const L = this.leaveTargets[this.leaveTargets.length - 1];
        const pc = this.emit({ op: L.depth === this.tryDepth ? OP_JMP : OP_XJMP, loc: s.loc, stmt: false, depth: L.depth });
        L.pcs.push(pc);
        return;
      }
      case 'try': {
        const id = this.tries.length;
        const scope: TryScope = { filter: null, handlerPc: -1, finPc: -1, depth: this.tryDepth };
        this.tries.push(scope);
        this.emitNop(s.loc);
        this.emit({ op: OP_TRY, loc: s.loc, stmt: false, scope: id });
        this.tryDepth++;
        this.leaveTargets.push({ pcs: [], depth: this.tryDepth });
        this.stmt(s.body);
        const leave = this.leaveTargets.pop()!;
        for (const pc of leave.pcs) this.code[pc].target = this.here();
        this.tryDepth--;
        this.emit({ op: OP_TRYEND, loc: s.body.k === 'block' ? s.body.end : s.loc, stmt: false, scope: id });
        if (s.fin) {
          scope.finPc = this.here();
          this.stmt(s.fin);
          this.emit({ op: OP_FINEND, loc: s.fin.k === 'block' ? s.fin.end : s.loc, stmt: false, scope: id });
        } else {
          const j = this.emit({ op: OP_JMP, loc: s.loc, stmt: false });
          scope.filter = this.gen.val(s.filter!.call ? this.refuseCall(s.filter!) : s.filter!);
          scope.handlerPc = this.here();
          this.stmt(s.handler!);
          this.code[j].target = this.here();
        }
        return;
      }
    }
  }

  /** Filters run during dispatch, outside the instruction stream: they may call emulated routines only. */
  private refuseCall(e: Expr): Expr {
    const check = (x: Expr): void => {
      if (x.k === 'call') {
        const fs = x.f.k === 'fn' ? x.f.sym : x.f.k === 'addr' && x.f.e.k === 'fn' ? x.f.e.sym : null;
        if (!fs || fs.def) throw new LowerError(x.loc, `an __except filter that calls a C function${fs ? ` ('${fs.name}')` : ''} is not supported; call it before the __try or compute the decision from GetExceptionCode()`);
      }
      for (const v of Object.values(x)) if (v && typeof v === 'object' && 'k' in v && 't' in v) check(v as Expr);
      if (x.k === 'call') x.args.forEach(check);
    };
    check(e);
    return e;
  }

  private emitNop(loc: Token): void {
    this.beginStmt(loc);
    this.emit({ op: OP_NOP, loc, stmt: true });
    this.stmtFresh = false;
  }

  private switchStack: { table: Map<unknown, number>; dflt: number }[] = [];
  private pushLoop(isSwitch = false) {
    const L = { brk: [] as number[], cont: [] as number[], depth: this.tryDepth, contDepth: isSwitch ? -1 : this.tryDepth };
    this.loopStack.push(L);
    return L;
  }
  private popLoop(L: { brk: number[]; cont: number[] }, brk: number, cont: number): void {
    this.loopStack.pop();
    for (const pc of L.brk) this.code[pc].target = brk;
    for (const pc of L.cont) this.code[pc].target = cont;
  }
}

export class LowerError extends Error {
  constructor(readonly tok: Token, message: string) { super(message); }
}

