// Parses a translation unit: external declarations, function bodies and statements, with error
// recovery at statement and declaration boundaries (declarations: declParser.ts, initializers: initParser.ts).
import { prologueOf, type Token } from './tokens';
import { ParseError, PrologueConflict, type Diag, type Expr, type FuncDef, type FuncSym, type InitItem, type Stmt, type VarSym } from './ast';
import { KEYWORDS } from './exprParser';
import type { Declarator, Specs } from './declParser';
import { InitParser } from './initParser';
import { capturePrologue, lookupPrologue, notePrologueConflict, startFrom, type PrologueState } from './parserCache';
import { type CType, T_INT, T_LLONG, T_ULLONG, T_WCHAR, T_SIZE, T_PTRDIFF, integerPromote, isComplete, isInt, typeName, withName } from './types';



export interface ParsedUnit {
  funcs: FuncDef[];
  funcSyms: Map<string, FuncSym>;
  globals: VarSym[];
  diags: Diag[];
  /** Functions named outside any function body (global initializers). */
  globalUses: Map<FuncSym, Token>;
}

/**
 * Functions the program can reach from its own code (bodies in the scenario's files, global
 * initializers), with the place each is first named: only these must resolve to a body or a routine,
 * so an inline function of a built-in header that names a missing routine blocks nothing unless used.
 */
export function reachableFunctions(unit: ParsedUnit): Map<FuncSym, Token> {
  const out = new Map<FuncSym, Token>();
  const work: FuncSym[] = [];
  const add = (uses: Map<FuncSym, Token>) => { for (const [f, t] of uses) if (!out.has(f)) { out.set(f, t); work.push(f); } };
  add(unit.globalUses);
  for (const d of unit.funcs) if (!d.loc.file.startsWith('<')) { if (!out.has(d.sym)) { out.set(d.sym, d.loc); work.push(d.sym); } }
  while (work.length) { const f = work.pop()!; if (f.def) add(f.def.uses); }
  return out;
}

export class Parser extends InitParser {
  private funcSyms = new Map<string, FuncSym>();
  private globals: VarSym[] = [];
  private funcs: FuncDef[] = [];
  private cur: FuncDef | null = null;
  private breakable = 0;
  private loops = 0;
  private switches: { seen: Set<unknown>; type: CType; hasDefault: boolean }[] = [];
  private tryBodies = 0;
  private gotoUses: Token[] = [];
  private globalUses = new Map<FuncSym, Token>();
  /** First place each function is named (a static one used but never defined is an error there). */
  private firstUses = new Map<FuncSym, Token>();
  private readonly prologueCache: boolean;

  /** `prologueCache: false` parses the built-in prologue again even when a state after it is cached. */
  constructor(toks: Token[], options: { prologueCache?: boolean } = {}) {
    super(toks);
    this.prologueCache = options.prologueCache !== false;
    const g = this.scopes[0];
    const td = (name: string, type: CType) => g.set(name, { kind: 'typedef', name, type: withName(type, name) });
    td('wchar_t', T_WCHAR); td('size_t', T_SIZE); td('ptrdiff_t', T_PTRDIFF); td('intptr_t', T_LLONG); td('uintptr_t', T_ULLONG);
  }

  parseUnit(): ParsedUnit {
    const prologue = this.prologueCache ? prologueOf(this.toks) : undefined;
    const cached = prologue && lookupPrologue(prologue, this.toks);
    if (cached) this.startAfter(cached);
    try {
      return this.parseRest(cached ? undefined : prologue);
    } catch (e) {
      if (!(e instanceof PrologueConflict)) throw e;
      notePrologueConflict();
      const fresh = new Parser(this.toks, { prologueCache: false });
      const unit = fresh.parseRest(undefined);
      // This parser stands for the result (callers ask it for the global scope afterwards).
      Object.assign(this, fresh);
      return unit;
    }
  }

  /** Parses from `pos` to the end; with `record`, keeps the state reached after that prologue. */
  private parseRest(record: { key: string; count: number } | undefined): ParsedUnit {
    for (;;) {
      if (record && this.pos === record.count) {
        this.capture(record);
        record = undefined;
      }
      if (this.tok.kind === 'eof') break;
      const start = this.pos;
      try { this.externalDeclaration(); } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.error(e.tok, e.message);
        this.recover(true);
        if (this.pos === start) this.next();
      }
    }
    for (const f of this.funcSyms.values()) {
      const use = this.firstUses.get(f);
      if (use && !f.def && f.isStatic) this.error(use, `static function '${f.name}' is used but never defined`);
    }
    return { funcs: this.funcs, funcSyms: this.funcSyms, globals: this.globals, diags: this.diags, globalUses: this.globalUses };
  }

  /** Keeps the state after an error-free prologue for later parses, and goes on from copies of it. */
  private capture(record: { key: string; count: number }): void {
    if (this.scopes.length !== 1 || this.diags.some((d) => d.severity === 'error')) return;
    const state = capturePrologue(record.key, record.count, this.toks[record.count - 1], {
      scope: this.scopes[0], tags: this.tagScopes[0], funcSyms: this.funcSyms, globals: this.globals, funcs: this.funcs,
      diags: [...this.diags], globalUses: this.globalUses, firstUses: this.firstUses, nextSymId: this.nextSymId,
    }, this.structsMade);
    this.startAfter(state);
  }

  private startAfter(state: PrologueState): void {
    const s = startFrom(state);
    this.scopes = [s.scope];
    this.tagScopes = [s.tags];
    this.funcSyms = s.funcSyms;
    this.globals = s.globals;
    this.funcs = s.funcs;
    this.diags.length = 0;
    this.diags.push(...s.diags);
    this.globalUses = s.globalUses;
    this.firstUses = s.firstUses;
    this.nextSymId = s.nextSymId;
    this.frozen = state.frozen;
    this.pos = state.count;
  }

  /** Parses one expression in the given scope (the debugger's evaluator). */
  parseStandaloneExpr(scope: Map<string, import('./ast').Sym>, allowSeh: boolean): Expr {
    this.scopes.push(scope);
    this.exprOnly = true;
    if (allowSeh) this.sehDepth++;
    const e = this.parseExpr();
    if (this.tok.kind !== 'eof') throw this.err(this.tok, `unexpected ${this.describe(this.tok)} after the expression`);
    return e;
  }
  globalScope(): Map<string, import('./ast').Sym> { return this.scopes[0]; }
  globalTags(): Map<string, CType> { return this.tagScopes[0]; }

  private recover(top: boolean): void {
    let depth = 0;
    while (this.tok.kind !== 'eof') {
      const t = this.next();
      if (t.text === '{' && t.kind === 'punct') depth++;
      else if (t.text === '}' && t.kind === 'punct') { depth--; if (depth <= 0) { if (top || depth < 0) { if (depth < 0) this.pos--; return; } } }
      else if (t.text === ';' && t.kind === 'punct' && depth === 0) return;
      if (!top && depth < 0) return;
    }
  }

  private externalDeclaration(): void {
    if (this.accept(';')) return;
    if (this.is('_Static_assert') || this.is('static_assert')) { this.staticAssert(); return; }
    if (this.is('__pragma')) { this.next(); this.skipBalanced(); return; }
    const specs = this.parseSpecs(false);
    if (!specs) {
      const t = this.tok;
      if (t.kind === 'identifier' && this.peek().text === '(') throw this.err(t, `expected a declaration: '${t.text}' has no return type (implicit 'int' is not supported)`);
      if (t.kind === 'identifier' && (this.peek().kind === 'identifier' || this.peek().text === '*')) throw this.err(t, `unknown type name '${t.text}'`);
      throw this.err(t, `expected a declaration but found ${this.describe(t)}`);
    }
    if (this.accept(';')) return; // struct/enum declaration only
    let first = true;
    for (;;) {
      const d = this.parseDeclarator(false);
      const t = this.declaredType(specs, d);
      if (first && t.k === 'func' && this.is('{')) { this.functionDefinition(specs, d, t); return; }
      if (first && t.k === 'func' && this.tok.kind === 'identifier' && this.isTypeName(this.tok)) throw this.err(this.tok, `old-style K&R function definitions are not supported`);
      first = false;
      this.declareFileScope(specs, d, t);
      if (!this.accept(',')) break;
    }
    this.expect(';', 'after the declaration');
  }

  private declareFunction(name: Token, t: Extract<CType, { k: 'func' }>, isStatic: boolean): FuncSym {
    const prev = this.scopes[0].get(name.text);
    if (prev && prev.kind === 'func') {
      if (!prev.type.noProto && !t.noProto && (prev.type.params.length !== t.params.length)) this.error(name, `conflicting declaration of '${name.text}' (parameter count differs from the one at ${prev.loc.file}:${prev.loc.line})`);
      if (prev.type.noProto && !t.noProto) { this.willChange(prev); prev.type = t; }
      return prev;
    }
    if (prev) this.error(name, `'${name.text}' redeclared as a different kind of symbol`);
    const fs: FuncSym = { kind: 'func', name: name.text, type: t, def: null, loc: name, isStatic };
    this.scopes[0].set(name.text, fs);
    this.funcSyms.set(name.text, fs);
    return fs;
  }

  private declareFileScope(specs: Specs, d: Declarator, t: CType): void {
    const name = d.name!;
    if (specs.storage === 'typedef') { this.defineTypedef(name, t); return; }
    if (t.k === 'func') { this.declareFunction(name, t, specs.storage === 'static'); return; }
    const prev = this.scopes[0].get(name.text);
    let sym: VarSym;
    if (prev && prev.kind === 'var') {
      this.willChange(prev);
      sym = prev;
      if (prev.type.k === 'array' && prev.type.len === null && t.k === 'array') prev.type = t;
    } else {
      if (prev) this.error(name, `'${name.text}' redeclared as a different kind of symbol`);
      sym = this.newVar(name, t, specs.storage === 'extern' ? 'extern' : 'global');
      this.scopes[0].set(name.text, sym);
    }
    if (this.accept('=')) {
      if (sym.init) this.error(name, `redefinition of '${name.text}'`);
      const items: InitItem[] = [];
      sym.type = this.parseInitializerFor(sym.type, 0, items);
      sym.init = items;
      sym.storage = 'global';
      this.checkStaticInit(items);
    } else if (specs.storage !== 'extern') sym.storage = 'global';
    if (sym.storage === 'global' && !this.globals.includes(sym)) {
      this.globals.push(sym);
      if (!isComplete(sym.type) && !(sym.type.k === 'array' && sym.type.len === null)) this.error(name, `variable '${name.text}' has incomplete type '${typeName(sym.type)}'`);
    }
  }

  private checkStaticInit(items: InitItem[]): void {
    for (const i of items) if (i.expr && i.expr.call) this.error(i.expr.loc, `initializer of a global or static variable must be constant (it calls a function)`);
  }

  private defineTypedef(name: Token, t: CType): void {
    const prev = this.scopes[this.scopes.length - 1].get(name.text);
    if (prev && prev.kind !== 'typedef') this.error(name, `'${name.text}' redeclared as a typedef`);
    const named = t.k === 'struct' || t.k === 'int' || t.k === 'float' || t.k === 'void' || t.k === 'ptr' ? withName(t, name.text) : t;
    this.scopes[this.scopes.length - 1].set(name.text, { kind: 'typedef', name: name.text, type: named });
  }

  private newVar(name: Token, type: CType, storage: VarSym['storage']): VarSym {
    return { kind: 'var', name: name.text, type, storage, loc: name, addrTaken: type.k === 'array' || type.k === 'struct', slot: -1, offset: 0, pcStart: 0, pcEnd: 0, id: this.nextSymId++ };
  }

  newTempObject(t: CType, loc: Token): VarSym {
    const v = this.newVar({ ...loc, text: '<compound literal>' }, t, this.cur ? 'local' : 'global');
    v.addrTaken = true;
    if (this.cur) this.cur.locals.push(v); else this.globals.push(v);
    return v;
  }

  protected override currentFunctionName(): string { return this.cur?.sym.name ?? ''; }
  protected override currentVariadic(): FuncDef | null { return this.cur && this.cur.sym.type.variadic ? this.cur : null; }
  protected override noteFunctionUse(s: FuncSym, t: Token): void {
    if (!this.firstUses.has(s)) this.firstUses.set(s, t);
    const uses = this.cur ? this.cur.uses : this.globalUses;
    if (!uses.has(s)) uses.set(s, t);
  }

  private functionDefinition(specs: Specs, d: Declarator, t: Extract<CType, { k: 'func' }>): void {
    const fs = this.declareFunction(d.name!, t, specs.storage === 'static');
    if (fs.def) this.error(d.name!, `redefinition of '${fs.name}' (first defined at ${fs.def.loc.file}:${fs.def.loc.line})`);
    this.willChange(fs);
    fs.type = t;
    fs.loc = d.name!;
    const def: FuncDef = { sym: fs, params: [], locals: [], body: { k: 'empty', loc: this.tok }, loc: d.name!, endLoc: this.tok, labels: new Map(), uses: new Map() };
    fs.def = def;
    this.cur = def;
    this.gotoUses = [];
    this.scopes.push(new Map());
    this.tagScopes.push(new Map());
    (d.params ?? []).forEach((p, i) => {
      if (!p.name) { this.error(this.tok, `parameter ${i + 1} of '${fs.name}' has no name`); return; }
      const v = this.newVar(p.name, p.type, 'param');
      v.addrTaken = p.type.k === 'struct';
      def.params.push(v);
      def.locals.push(v);
      this.scopes[this.scopes.length - 1].set(p.name.text, v);
    });
    if (t.ret.k !== 'void' && !isComplete(t.ret)) this.error(d.name!, `return type '${typeName(t.ret)}' is incomplete`);
    try {
      def.body = this.block();
      def.endLoc = this.toks[this.pos - 1];
    } finally {
      this.scopes.pop();
      this.tagScopes.pop();
      this.cur = null;
    }
    for (const g of this.gotoUses) if (!def.labels.has(g.text)) this.error(g, `label '${g.text}' is used but not defined`);
    this.funcs.push(def);
  }

  // ---------- statements ----------
  private block(): Stmt {
    const loc = this.expect('{');
    this.scopes.push(new Map());
    this.tagScopes.push(new Map());
    const body: Stmt[] = [];
    try {
      while (!this.is('}') && this.tok.kind !== 'eof') {
        const start = this.pos;
        try { body.push(...this.blockItem()); } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          this.error(e.tok, e.message);
          this.recoverStatement();
          if (this.pos === start) this.next();
        }
      }
    } finally { this.scopes.pop(); this.tagScopes.pop(); }
    const end = this.expect('}', 'to close the block');
    return { k: 'block', body, end, loc };
  }

  private recoverStatement(): void {
    let depth = 0;
    while (this.tok.kind !== 'eof') {
      if (this.is('{')) depth++;
      if (this.is('}')) { if (depth === 0) return; depth--; if (depth === 0) { this.next(); return; } }
      const t = this.next();
      if (t.text === ';' && depth === 0) return;
    }
  }

  private blockItem(): Stmt[] {
    if (this.is('_Static_assert') || this.is('static_assert')) { this.staticAssert(); return []; }
    if (this.isDeclStart() && !(this.tok.kind === 'identifier' && this.peek().text === ':' && !TYPE_LIKE.has(this.tok.text))) return this.localDeclaration();
    return [this.statement()];
  }

  private localDeclaration(): Stmt[] {
    let start: Token | null = this.tok;
    const specs = this.parseSpecs(true)!;
    const out: Stmt[] = [];
    if (this.accept(';')) return out;
    do {
      const d = this.parseDeclarator(false);
      const t = this.declaredType(specs, d);
      const name = d.name!;
      if (specs.storage === 'typedef') { this.defineTypedef(name, t); continue; }
      if (t.k === 'func') { this.scopes[this.scopes.length - 1].set(name.text, this.declareFunction(name, t, specs.storage === 'static')); continue; }
      if (specs.storage === 'extern') {
        const g = this.scopes[0].get(name.text);
        const v = g && g.kind === 'var' ? g : this.newVar(name, t, 'extern');
        if (!g) this.scopes[0].set(name.text, v);
        this.scopes[this.scopes.length - 1].set(name.text, v);
        continue;
      }
      if (this.scopes[this.scopes.length - 1].has(name.text)) this.error(name, `redefinition of '${name.text}'`);
      if (specs.storage === 'static') {
        const v = this.newVar(name, t, 'static');
        v.owner = this.cur!;
        this.scopes[this.scopes.length - 1].set(name.text, v);
        if (this.accept('=')) { const items: InitItem[] = []; v.type = this.parseInitializerFor(t, 0, items); v.init = items; this.checkStaticInit(items); }
        this.globals.push(v);
        continue;
      }
      const v = this.newVar(name, t, 'local');
      v.owner = this.cur!;
      let init: InitItem[] | null = null;
      if (this.accept('=')) {
        init = [];
        // the name is in scope in its own initializer (C17 6.2.1p7)
        this.scopes[this.scopes.length - 1].set(name.text, v);
        v.type = this.parseInitializerFor(t, 0, init);
      }
      if (!isComplete(v.type)) this.error(name, `variable '${name.text}' has incomplete type '${typeName(v.type)}'`);
      this.scopes[this.scopes.length - 1].set(name.text, v);
      this.cur!.locals.push(v);
      out.push({ k: 'decl', sym: v, init, loc: start ?? name });
      start = null;
    } while (this.accept(','));
    this.expect(';', 'after the declaration');
    return out;
  }

  private cond(): Expr {
    this.expect('(');
    const e = this.rval(this.parseExpr());
    this.expect(')', 'after the condition');
    this.checkScalar(e, e.loc);
    return e;
  }

  private statement(): Stmt {
    const t = this.tok;
    if (t.kind === 'punct') {
      if (t.text === '{') return this.block();
      if (t.text === ';') { this.next(); return { k: 'empty', loc: t }; }
    }
    if (t.kind === 'identifier') {
      switch (t.text) {
        case 'if': {
          this.next();
          const c = this.cond();
          const a = this.statement();
          const b = this.accept('else') ? this.statement() : null;
          return { k: 'if', c, a, b, loc: t };
        }
        case 'while': {
          this.next();
          const c = this.cond();
          const body = this.loopBody();
          return { k: 'while', c, body, loc: t };
        }
        case 'do': {
          this.next();
          const body = this.loopBody();
          this.expect('while', `after the body of 'do'`);
          const c = this.cond();
          this.expect(';', `after 'do ... while (...)'`);
          return { k: 'do', body, c, loc: t };
        }
        case 'for': {
          this.next();
          this.expect('(');
          this.scopes.push(new Map());
          try {
            let init: Stmt | null = null;
            if (this.isDeclStart()) { const ds = this.localDeclaration(); init = { k: 'block', body: ds, end: t, loc: t }; }
            else if (!this.accept(';')) { const e = this.parseExpr(); init = { k: 'expr', e, loc: e.loc }; this.expect(';', `in 'for'`); }
            const c = this.is(';') ? null : this.rval(this.parseExpr());
            this.expect(';', `in 'for'`);
            const step = this.is(')') ? null : this.parseExpr();
            this.expect(')', `to close 'for'`);
            const body = this.loopBody();
            return { k: 'for', init, c, step, body, loc: t };
          } finally { this.scopes.pop(); }
        }
        case 'switch': {
          this.next();
          const e0 = this.cond();
          if (!isInt(e0.t)) this.error(t, `switch quantity is not an integer ('${typeName(e0.t)}')`);
          const e = this.cast(e0, integerPromote(e0.t));
          this.switches.push({ seen: new Set(), type: e.t, hasDefault: false });
          this.breakable++;
          try { const body = this.statement(); return { k: 'switch', e, body, loc: t }; } finally { this.breakable--; this.switches.pop(); }
        }
        case 'case': {
          this.next();
          const ce = this.parseCond();
          this.expect(':', `after 'case' value`);
          const sw = this.switches[this.switches.length - 1];
          if (!sw) { this.error(t, `'case' outside of a switch`); return this.statement(); }
          let v = this.constValue(ce);
          if (v === null) { this.error(ce.loc, `case value must be an integer constant`); v = 0; }
          v = (this.cast(this.num(v, ce.t, ce.loc), sw.type) as { v: import('../emulator/contract').U64 }).v;
          if (sw.seen.has(v)) this.error(t, `duplicate case value ${v}`);
          sw.seen.add(v);
          return { k: 'case', v, body: this.statement(), loc: t };
        }
        case 'default': {
          this.next();
          this.expect(':', `after 'default'`);
          const sw = this.switches[this.switches.length - 1];
          if (!sw) this.error(t, `'default' outside of a switch`);
          else if (sw.hasDefault) this.error(t, `multiple 'default' labels in one switch`);
          else sw.hasDefault = true;
          return { k: 'case', v: null, body: this.statement(), loc: t };
        }
        case 'break': this.next(); this.expect(';', `after 'break'`); if (!this.breakable) this.error(t, `'break' outside of a loop or switch`); return { k: 'break', loc: t };
        case 'continue': this.next(); this.expect(';', `after 'continue'`); if (!this.loops) this.error(t, `'continue' outside of a loop`); return { k: 'continue', loc: t };
        case 'return': {
          this.next();
          const ret = this.cur!.sym.type.ret;
          if (this.accept(';')) {
            if (ret.k !== 'void') this.warn(t, `'${this.cur!.sym.name}' must return a value`);
            return { k: 'return', e: null, loc: t };
          }
          const e0 = this.rval(this.parseExpr());
          this.expect(';', `after the return value`);
          if (ret.k === 'void') { if (e0.t.k !== 'void') this.error(t, `'${this.cur!.sym.name}' is declared void but returns a value`); return { k: 'return', e: e0, loc: t }; }
          return { k: 'return', e: this.convertAssign(e0, ret, t, 'the return value'), loc: t };
        }
        case 'goto': {
          this.next();
          const l = this.tok;
          if (l.kind !== 'identifier') throw this.err(l, `expected a label name after 'goto'`);
          this.next();
          this.expect(';', `after 'goto'`);
          this.gotoUses.push(l);
          return { k: 'goto', label: l.text, loc: t };
        }
        case '__try': return this.tryStatement();
        case '__leave': this.next(); this.expect(';', `after '__leave'`); if (!this.tryBodies) this.error(t, `'__leave' outside of a __try block`); return { k: 'leave', loc: t };
        case '__except': case '__finally': throw this.err(t, `'${t.text}' without a preceding '__try' block`);
        case 'else': throw this.err(t, `'else' without a matching 'if'`);
        case '__asm': case 'asm': throw this.err(t, `inline assembly is not supported`);
        case '_Generic': throw this.err(t, `'_Generic' is not supported`);
      }
      if (this.peek().text === ':' && this.peek().kind === 'punct' && !KEYWORDS.has(t.text)) {
        this.next(); this.next();
        const labels = this.cur!.labels;
        if (labels.has(t.text)) this.error(t, `duplicate label '${t.text}'`);
        labels.set(t.text, t);
        const body = this.is('}') ? { k: 'empty' as const, loc: t } : this.statement();
        return { k: 'label', name: t.text, body, loc: t };
      }
    }
    const e = this.parseExpr();
    this.expect(';', 'after the expression');
    return { k: 'expr', e, loc: e.loc.line === t.line ? t : e.loc };
  }

  private loopBody(): Stmt {
    this.breakable++; this.loops++;
    try { return this.statement(); } finally { this.breakable--; this.loops--; }
  }

  private tryStatement(): Stmt {
    const t = this.next();
    this.tryBodies++;
    let body: Stmt;
    try { body = this.block(); } finally { this.tryBodies--; }
    if (this.is('__except')) {
      this.next();
      this.expect('(', `after '__except'`);
      this.sehDepth++;
      try {
        const f0 = this.rval(this.parseExpr());
        this.expect(')', `to close the __except filter`);
        const filter = isInt(f0.t) ? this.cast(f0, T_INT) : (this.error(f0.loc, `the __except filter must be an integer expression`), f0);
        const handler = this.block();
        return { k: 'try', body, filter, handler, fin: null, loc: t };
      } finally { this.sehDepth--; }
    }
    if (this.is('__finally')) {
      this.next();
      const fin = this.block();
      return { k: 'try', body, filter: null, handler: null, fin, loc: t };
    }
    throw this.err(this.tok, `expected '__except' or '__finally' after the __try block but found ${this.describe(this.tok)}`);
  }

}

const TYPE_LIKE = new Set<string>();
