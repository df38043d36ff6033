// Parses C expressions and types them as the parser goes: implicit conversions become casts,
// arrays decay, pointer arithmetic is scaled, and constant expressions are folded.
import type { U64 } from '../emulator/contract';
import { toU64 } from '../emulator/u64';
import type { Token } from './tokens';
import { ParseError, PrologueConflict, type Diag, type Expr, type FuncSym, type InitItem, type Sym, type VarSym } from './ast';
import { encodeString, parseChar, parseNumber, stringPiece } from './literals';
import {
  type CType, T_INT, T_UINT, T_LLONG, T_ULLONG, T_CHAR, T_WCHAR, T_SIZE, T_PTRDIFF, T_VOID, T_DOUBLE,
  decay, findField, integerPromote, isArith, isComplete, isInt, isScalar, sizeOf, alignOf, typeName, usualArith, unqual, sameType,
} from './types';
import { convertValue, binaryOp } from './arith';

export type Scope = Map<string, Sym>;

export abstract class ExprParser {
  protected pos = 0;
  readonly diags: Diag[] = [];
  protected scopes: Scope[] = [new Map()];
  protected tagScopes: Map<string, CType>[] = [new Map()];
  /** Set while parsing a __except filter or handler: GetExceptionCode() is valid there. */
  protected sehDepth = 0;
  protected nextSymId = 1;
  /** Parsing one expression for the debugger, not a unit. */
  protected exprOnly = false;
  /** Objects shared with other parses through the prologue cache (parserCache.ts): never changed here. */
  protected frozen: ReadonlySet<object> | null = null;

  constructor(protected toks: Token[]) {}

  // ---- token stream ----
  protected get tok(): Token { return this.toks[this.pos]; }
  protected peek(n = 1): Token { return this.toks[Math.min(this.pos + n, this.toks.length - 1)]; }
  protected next(): Token { const t = this.toks[this.pos]; if (t.kind !== 'eof') this.pos++; return t; }
  protected is(text: string): boolean { const t = this.tok; return t.text === text && (t.kind === 'punct' || t.kind === 'identifier'); }
  protected accept(text: string): boolean { if (this.is(text)) { this.pos++; return true; } return false; }
  protected expect(text: string, what?: string): Token {
    if (this.is(text)) return this.next();
    const prev = this.toks[this.pos - 1];
    if (text === ';' && prev && (this.tok.line !== prev.line || this.tok.file !== prev.file || this.tok.kind === 'eof' || this.is('}'))) {
      // a forgotten ';' at the end of a line: report it and go on as if it were there, so the
      // next line's errors are reported too
      this.error(this.tok, `expected ';'${what ? ' ' + what : ''} but found ${this.describe(this.tok)}`);
      return prev;
    }
    throw this.err(this.tok, `expected '${text}'${what ? ' ' + what : ''} but found ${this.describe(this.tok)}`);
  }
  protected describe(t: Token): string { return t.kind === 'eof' ? 'end of file' : `'${t.text}'`; }
  protected err(t: Token, message: string): ParseError { return new ParseError(t, message); }
  protected error(t: Token, message: string): void {
    this.diags.push({ file: t.file, line: t.line, col: t.col, length: Math.max(1, t.length), severity: 'error', message });
  }
  protected note(t: Token, message: string): void {
    this.diags.push({ file: t.file, line: t.line, col: t.col, length: Math.max(1, t.length), severity: 'note', message });
  }
  protected warn(t: Token, message: string): void {
    this.diags.push({ file: t.file, line: t.line, col: t.col, length: Math.max(1, t.length), severity: 'warning', message });
  }

  /** Called before changing a symbol or struct: a shared one makes the parse start over without the cache. */
  protected willChange(o: object): void {
    if (this.frozen !== null && this.frozen.has(o)) throw new PrologueConflict();
  }

  // ---- scopes ----
  protected lookup(name: string): Sym | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) { const s = this.scopes[i].get(name); if (s) return s; }
    return undefined;
  }
  protected isTypeName(t: Token): boolean {
    if (t.kind !== 'identifier') return false;
    if (TYPE_KEYWORDS.has(t.text)) return true;
    const s = this.lookup(t.text);
    return s !== undefined && s.kind === 'typedef';
  }

  abstract parseTypeName(): CType;
  abstract parseInitializerFor(t: CType, base: number, out: InitItem[]): CType;
  abstract newTempObject(t: CType, loc: Token): VarSym;

  // ---- expressions ----
  parseExpr(): Expr {
    let e = this.parseAssign();
    while (this.is(',')) {
      const loc = this.next();
      const b = this.parseAssign();
      e = { k: 'comma', a: e, b: this.rval(b), t: this.rval(b).t, loc, call: e.call || b.call };
    }
    return e;
  }

  parseAssign(): Expr {
    const l = this.parseCond();
    const t = this.tok;
    if (t.kind === 'punct' && ASSIGN_OPS.has(t.text)) {
      this.next();
      const r = this.rval(this.parseAssign());
      return this.makeAssign(t, t.text, l, r);
    }
    return l;
  }

  protected makeAssign(loc: Token, op: string, l: Expr, r: Expr): Expr {
    this.checkLvalue(l, loc);
    const call = l.call || r.call;
    if (op === '=') {
      if (l.t.k === 'struct') {
        if (r.t.k !== 'struct' || r.t.s !== l.t.s) this.error(loc, `cannot assign '${typeName(r.t)}' to '${typeName(l.t)}'`);
        return { k: 'assign', op, l, r, t: l.t, opType: l.t, scale: 1, loc, call };
      }
      return { k: 'assign', op, l, r: this.convertAssign(r, l.t, loc), t: unqual(l.t), opType: l.t, scale: 1, loc, call };
    }
    const bop = op.slice(0, -1);
    if (l.t.k === 'ptr' && (bop === '+' || bop === '-')) {
      if (!isInt(r.t)) this.error(loc, `invalid operands to '${op}' (pointer and '${typeName(r.t)}')`);
      return { k: 'assign', op, l, r: this.cast(r, T_LLONG), t: l.t, opType: l.t, scale: this.pointeeSize(l.t, loc), loc, call };
    }
    if (!isArith(l.t) || !isArith(r.t)) { this.error(loc, `invalid operands to '${op}' ('${typeName(l.t)}' and '${typeName(r.t)}')`); }
    const shift = bop === '<<' || bop === '>>';
    const opType = shift ? integerPromote(l.t) : usualArith(l.t, r.t);
    return { k: 'assign', op, l, r: this.cast(r, shift ? integerPromote(r.t) : opType), t: unqual(l.t), opType, scale: 1, loc, call };
  }

  protected parseCond(): Expr {
    const c = this.parseBinary(0);
    if (!this.is('?')) return c;
    const loc = this.next();
    const a = this.rval(this.parseExpr());
    this.expect(':', "in conditional expression");
    const b = this.rval(this.parseCond());
    const cc = this.rval(c);
    this.checkScalar(cc, loc);
    let t: CType;
    if (isArith(a.t) && isArith(b.t)) t = usualArith(a.t, b.t);
    else if (a.t.k === 'ptr' && this.isNullConst(b)) t = a.t;
    else if (b.t.k === 'ptr' && this.isNullConst(a)) t = b.t;
    else if (a.t.k === 'ptr' && b.t.k === 'ptr') t = a.t.to.k === 'void' ? a.t : b.t;
    else if (a.t.k === 'void' || b.t.k === 'void') t = T_VOID;
    else if (a.t.k === 'struct' && b.t.k === 'struct' && a.t.s === b.t.s) t = a.t;
    else { this.error(loc, `type mismatch in conditional expression ('${typeName(a.t)}' and '${typeName(b.t)}')`); t = a.t; }
    const ca = t.k === 'void' || t.k === 'struct' ? a : this.cast(a, t);
    const cb = t.k === 'void' || t.k === 'struct' ? b : this.cast(b, t);
    const cv = this.constValue(cc);
    if (cv !== null && !a.call && !b.call && !cc.call) return isTrue(cv) ? ca : cb;
    return { k: 'cond', c: cc, a: ca, b: cb, t, loc, call: cc.call || a.call || b.call };
  }

  protected parseBinary(minPrec: number): Expr {
    let l = this.parseCast();
    for (;;) {
      const t = this.tok;
      const p = t.kind === 'punct' ? BIN_PREC[t.text] : undefined;
      if (p === undefined || p < minPrec) return l;
      this.next();
      const r = this.parseBinary(p + 1);
      l = this.makeBinary(t, t.text, l, r);
    }
  }

  makeBinary(loc: Token, op: string, l0: Expr, r0: Expr): Expr {
    const l = this.rval(l0);
    const r = this.rval(r0);
    const call = l.call || r.call;
    if (op === '&&' || op === '||') {
      this.checkScalar(l, loc); this.checkScalar(r, loc);
      const lv = this.constValue(l);
      const rv = this.constValue(r);
      if (lv !== null && rv !== null) return this.num(op === '&&' ? +(isTrue(lv) && isTrue(rv)) : +(isTrue(lv) || isTrue(rv)), T_INT, loc);
      return { k: 'log', op, l, r, t: T_INT, loc, call };
    }
    if ((op === '+' || op === '-') && (l.t.k === 'ptr' || r.t.k === 'ptr')) {
      if (op === '-' && l.t.k === 'ptr' && r.t.k === 'ptr') {
        if (!sameType(l.t.to, r.t.to)) this.warn(loc, `'-' between pointers to different types ('${typeName(l.t)}' and '${typeName(r.t)}')`);
        return { k: 'pdiff', l, r, scale: this.pointeeSize(l.t, loc), t: T_PTRDIFF, loc, call };
      }
      const p = l.t.k === 'ptr' ? l : r;
      const i = l.t.k === 'ptr' ? r : l;
      if (!isInt(i.t) || (op === '-' && p === r)) { this.error(loc, `invalid operands to binary '${op}' ('${typeName(l.t)}' and '${typeName(r.t)}')`); return p; }
      return { k: 'padd', p, i: this.cast(i, T_LLONG), scale: this.pointeeSize(p.t, loc), sub: op === '-', t: p.t, loc, call };
    }
    if (CMP_OPS.has(op) && (l.t.k === 'ptr' || r.t.k === 'ptr')) {
      const ok = (l.t.k === 'ptr' && (r.t.k === 'ptr' || this.isNullConst(r) || isInt(r.t))) || (r.t.k === 'ptr' && (this.isNullConst(l) || isInt(l.t)));
      if (!ok) this.error(loc, `invalid operands to '${op}' ('${typeName(l.t)}' and '${typeName(r.t)}')`);
      else if ((isInt(l.t) && !this.isNullConst(l)) || (isInt(r.t) && !this.isNullConst(r))) this.warn(loc, `comparison between pointer and integer`);
      const pt: CType = { k: 'ptr', to: T_VOID };
      return { k: 'bin', op, l: this.cast(l, pt), r: this.cast(r, pt), t: T_INT, loc, call };
    }
    if (this.isBad(l) || this.isBad(r)) return this.bad(loc);
    if (!isArith(l.t) || !isArith(r.t)) {
      this.error(loc, `invalid operands to binary '${op}' ('${typeName(l.t)}' and '${typeName(r.t)}')`);
      return this.bad(loc);
    }
    let ot: CType;
    let rt: CType;
    let t: CType;
    if (op === '<<' || op === '>>') {
      if (!isInt(l.t) || !isInt(r.t)) this.error(loc, `shift operands must be integers`);
      ot = integerPromote(l.t); rt = integerPromote(r.t); t = ot;
    } else {
      if ((op === '%' || op === '&' || op === '|' || op === '^') && (!isInt(l.t) || !isInt(r.t))) this.error(loc, `invalid operands to binary '${op}' (integers expected)`);
      ot = usualArith(l.t, r.t); rt = ot; t = CMP_OPS.has(op) ? T_INT : ot;
      if (CMP_OPS.has(op) && isInt(l.t) && isInt(r.t) && (l.t.signed !== r.t.signed) && isInt(ot) && !ot.signed && !this.nonNegConst(l) && !this.nonNegConst(r) && sizeOf(integerPromote(l.t)) === sizeOf(integerPromote(r.t))) {
        this.warn(loc, `signed/unsigned mismatch in '${op}': the signed operand is converted to '${typeName(ot)}'`);
      }
    }
    const cl = this.cast(l, ot);
    const cr = this.cast(r, rt);
    const lv = this.constValue(cl);
    const rv = this.constValue(cr);
    if (lv !== null && rv !== null) {
      if ((op === '/' || op === '%') && isInt(ot) && rv === 0) { this.warn(loc, 'division by zero'); }
      else return this.num(binaryOp(op, ot, lv, rv), t, loc);
    }
    return { k: 'bin', op, l: cl, r: cr, t, loc, call };
  }

  protected parseCast(): Expr {
    if (this.is('(') && this.isTypeName(this.peek())) {
      const loc = this.next();
      const t = this.parseTypeName();
      this.expect(')', 'after type name');
      if (this.is('{')) return this.postfix(this.compoundLiteral(t, loc));
      const e = this.rval(this.parseCast());
      if (t.k === 'void') return { k: 'cast', e, t: T_VOID, loc, call: e.call };
      if (!isScalar(t)) { this.error(loc, `cannot cast to '${typeName(t)}'`); return e; }
      if (!isScalar(e.t)) { this.error(loc, `cannot cast '${typeName(e.t)}' to '${typeName(t)}'`); return this.num(0, t, loc); }
      if (t.k === 'ptr' && e.t.k === 'float' || t.k === 'float' && e.t.k === 'ptr') this.error(loc, `cannot cast between pointer and floating type`);
      return this.cast(e, t, true);
    }
    return this.parseUnary();
  }

  protected compoundLiteral(t: CType, loc: Token): Expr {
    const items: InitItem[] = [];
    const full = this.parseInitializerFor(t, 0, items);
    const sym = this.newTempObject(full, loc);
    return { k: 'complit', sym, init: items, t: full, loc, call: items.some((i) => i.expr?.call) };
  }

  protected parseUnary(): Expr {
    const t = this.tok;
    if (t.kind === 'punct') {
      switch (t.text) {
        case '++': case '--': {
          this.next();
          const e = this.parseUnary();
          return this.incdec(t, e, true, t.text === '++');
        }
        case '&': {
          this.next();
          const e = this.parseCast();
          if (e.k === 'fn') return { k: 'addr', e, t: { k: 'ptr', to: e.t }, loc: t, call: false };
          this.checkLvalue(e, t, true);
          // The debugger's evaluator (exprOnly) must not change the program it inspects.
          if (e.k === 'var' && !e.sym.addrTaken && !this.exprOnly) { this.willChange(e.sym); e.sym.addrTaken = true; }
          if (e.k === 'member' && e.f.bitWidth !== undefined) this.error(t, 'cannot take the address of a bit-field');
          return { k: 'addr', e, t: { k: 'ptr', to: e.t }, loc: t, call: e.call };
        }
        case '*': {
          this.next();
          const e = this.rval(this.parseCast());
          if (e.t.k !== 'ptr') { this.error(t, `indirection requires a pointer operand ('${typeName(e.t)}' invalid)`); return this.num(0, T_INT, t); }
          if (e.t.to.k === 'func') return e;
          if (e.t.to.k === 'void') this.error(t, `cannot dereference a 'void *' pointer`);
          return { k: 'deref', e, t: e.t.to, loc: t, call: e.call };
        }
        case '+': case '-': case '~': case '!': {
          this.next();
          const e = this.rval(this.parseCast());
          if (t.text === '!') {
            this.checkScalar(e, t);
            const v = this.constValue(e);
            if (v !== null) return this.num(isTrue(v) ? 0 : 1, T_INT, t);
            return { k: 'un', op: '!', e, t: T_INT, loc: t, call: e.call };
          }
          if (!isArith(e.t) || (t.text === '~' && !isInt(e.t))) { this.error(t, `invalid operand to unary '${t.text}' ('${typeName(e.t)}')`); return e; }
          const pt = integerPromote(e.t);
          const ce = this.cast(e, pt);
          const v = this.constValue(ce);
          if (v !== null) return this.num(t.text === '+' ? v : binaryOp(t.text === '-' ? '-' : '^', pt, t.text === '-' ? 0 : v, t.text === '-' ? v : -1), pt, t);
          return { k: 'un', op: t.text as '-', e: ce, t: pt, loc: t, call: e.call };
        }
      }
    }
    if (t.kind === 'identifier' && (t.text === 'sizeof' || t.text === '_Alignof' || t.text === '__alignof')) {
      this.next();
      let ty: CType;
      if (this.is('(') && this.isTypeName(this.peek())) {
        this.next();
        ty = this.parseTypeName();
        this.expect(')');
      } else ty = this.parseUnary().t;
      if (!isComplete(ty) && ty.k !== 'func') this.error(t, `invalid application of '${t.text}' to incomplete type '${typeName(ty)}'`);
      return this.num(t.text === 'sizeof' ? sizeOf(ty) : alignOf(ty), T_SIZE, t);
    }
    return this.postfix(this.parsePrimary());
  }

  protected incdec(loc: Token, e: Expr, pre: boolean, inc: boolean): Expr {
    this.checkLvalue(e, loc);
    if (!isScalar(e.t)) this.error(loc, `invalid operand to '${inc ? '++' : '--'}' ('${typeName(e.t)}')`);
    const scale = e.t.k === 'ptr' ? this.pointeeSize(e.t, loc) : 1;
    return { k: 'incdec', pre, inc, l: e, scale, t: unqual(e.t), loc, call: e.call };
  }

  protected postfix(e: Expr): Expr {
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'punct') return e;
      if (t.text === '[') {
        this.next();
        const i = this.parseExpr();
        this.expect(']', 'after array index');
        const sum = this.makeBinary(t, '+', e, i);
        if (sum.t.k !== 'ptr') { if (!this.isBad(sum)) this.error(t, `subscripted value is not an array or pointer`); e = this.bad(t); continue; }
        e = { k: 'deref', e: sum, t: sum.t.to, loc: t, call: sum.call };
      } else if (t.text === '(') {
        this.next();
        e = this.makeCall(t, e);
      } else if (t.text === '.' || t.text === '->') {
        this.next();
        const name = this.tok;
        if (name.kind !== 'identifier') throw this.err(name, `expected a member name after '${t.text}'`);
        this.next();
        let base = e;
        if (t.text === '->') {
          const p = this.rval(e);
          if (p.t.k !== 'ptr' || p.t.to.k !== 'struct') { if (!this.isBad(p)) this.error(t, `'->' needs a pointer to a struct or union ('${typeName(p.t)}' given)`); e = this.bad(name); continue; }
          base = { k: 'deref', e: p, t: p.t.to, loc: t, call: p.call };
        } else if (e.t.k !== 'struct') { if (!this.isBad(e)) this.error(t, `'.' needs a struct or union ('${typeName(e.t)}' given)`); e = this.bad(name); continue; }
        const st = base.t as Extract<CType, { k: 'struct' }>;
        if (st.s.fields === null) { this.error(name, `'${typeName(st)}' is an incomplete type`); continue; }
        const f = findField(st.s, name.text);
        if (!f) { this.error(name, `'${typeName(st)}' has no member named '${name.text}'`); e = this.bad(name); continue; }
        e = { k: 'member', e: base, f, t: f.type, loc: name, call: base.call };
      } else if (t.text === '++' || t.text === '--') {
        this.next();
        e = this.incdec(t, e, false, t.text === '++');
      } else return e;
    }
  }

  protected makeCall(loc: Token, callee: Expr): Expr {
    const args: Expr[] = [];
    if (!this.is(')')) {
      do args.push(this.rval(this.parseAssign())); while (this.accept(','));
    }
    this.expect(')', 'after function arguments');
    let f = callee;
    if (f.k !== 'fn') f = this.rval(f);
    const ft = f.k === 'fn' ? f.t : f.t.k === 'ptr' && f.t.to.k === 'func' ? f.t.to : null;
    if (!ft || ft.k !== 'func') { this.error(loc, `called object of type '${typeName(f.t)}' is not a function`); return this.num(0, T_INT, loc); }
    const name = f.k === 'fn' ? f.sym.name : 'function pointer';
    if (f.k === 'fn') {
      if (name === 'GetExceptionCode' || name === '_exception_code') return this.sehIntrinsic(loc, 'code');
      if (name === 'GetExceptionInformation' || name === '_exception_info') return this.sehIntrinsic(loc, 'info');
    }
    const conv: Expr[] = [];
    if (!ft.noProto) {
      if (args.length < ft.params.length || (args.length > ft.params.length && !ft.variadic)) {
        this.error(loc, `'${name}' takes ${ft.params.length} argument${ft.params.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
      }
    }
    args.forEach((a, i) => {
      const p = ft.noProto ? undefined : ft.params[i];
      if (p) conv.push(this.convertAssign(a, p.type, a.loc, `argument ${i + 1} of '${name}'`));
      else if (a.t.k === 'float') conv.push(this.cast(a, T_DOUBLE));
      else if (isInt(a.t)) conv.push(this.cast(a, integerPromote(a.t)));
      else conv.push(a);
    });
    return { k: 'call', f, args: conv, ft, t: ft.ret, loc, call: true };
  }

  protected sehIntrinsic(loc: Token, what: 'code' | 'info'): Expr {
    if (this.sehDepth === 0) this.error(loc, `${what === 'code' ? 'GetExceptionCode' : 'GetExceptionInformation'}() is only valid in an __except filter or handler`);
    return { k: 'seh', what, t: what === 'code' ? T_INT : { k: 'ptr', to: T_VOID }, loc, call: false };
  }

  protected parsePrimary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number': {
        this.next();
        const r = parseNumber(t.text);
        if (typeof r === 'string') { this.error(t, r); return this.num(0, T_INT, t); }
        return this.num(r.v, r.t, t);
      }
      case 'char': {
        this.next();
        const r = parseChar(t.text);
        if (typeof r === 'string') { this.error(t, r); return this.num(0, T_INT, t); }
        return this.num(r.v, r.t, t);
      }
      case 'string': {
        const cps: number[] = [];
        let wide = false;
        while (this.tok.kind === 'string') {
          const p = stringPiece(this.next().text);
          if (typeof p === 'string') { this.error(t, p); continue; }
          wide ||= p.wide;
          cps.push(...p.cps);
        }
        const bytes = encodeString(cps, wide);
        const el = wide ? T_WCHAR : T_CHAR;
        return { k: 'str', bytes, wide, t: { k: 'array', of: el, len: bytes.length / sizeOf(el) }, loc: t, call: false };
      }
      case 'identifier': {
        if (KEYWORDS.has(t.text)) throw this.err(t, `expected an expression but found keyword '${t.text}'`);
        this.next();
        if (t.text === '__FUNCTION__' || t.text === '__func__') {
          const bytes = encodeString([...this.currentFunctionName()].map((c) => c.charCodeAt(0)), false);
          return { k: 'str', bytes, wide: false, t: { k: 'array', of: T_CHAR, len: bytes.length }, loc: t, call: false };
        }
        const s = this.lookup(t.text);
        if (!s && t.text.startsWith('__builtin_va_') && this.is('(')) return this.varargBuiltin(t);
        if (!s && SEH_INTRINSICS[t.text] && this.is('(')) {
          this.next();
          this.expect(')', `after '${t.text}('`);
          const what = SEH_INTRINSICS[t.text];
          if (what === 'abnormal') return { k: 'seh', what, t: T_INT, loc: t, call: false };
          return this.sehIntrinsic(t, what);
        }
        if (!s) {
          if (this.is('(')) {
            this.error(t, `'${t.text}' is not declared (calling an undeclared function is an error; is a header or prototype missing?)`);
            const fs: FuncSym = { kind: 'func', name: t.text, type: { k: 'func', ret: T_INT, params: [], variadic: false, noProto: true }, def: null, loc: t, isStatic: false };
            return { k: 'fn', sym: fs, t: fs.type, loc: t, call: false };
          }
          this.error(t, `'${t.text}' is not declared`);
          return this.bad(t);
        }
        if (s.kind === 'var') return { k: 'var', sym: s, t: s.type, loc: t, call: false };
        if (s.kind === 'func') { this.noteFunctionUse(s, t); return { k: 'fn', sym: s, t: s.type, loc: t, call: false }; }
        if (s.kind === 'enumc') return this.num(s.value, T_INT, t);
        throw this.err(t, `expected an expression but found type name '${t.text}'`);
      }
      case 'punct':
        if (t.text === '(') {
          this.next();
          const e = this.parseExpr();
          this.expect(')', 'to close the parenthesis');
          return e;
        }
    }
    throw this.err(t, `expected an expression but found ${this.describe(t)}`);
  }

  protected currentFunctionName(): string { return ''; }
  /** The function being parsed, if it is variadic (for va_start). */
  protected currentVariadic(): import('./ast').FuncDef | null { return null; }

  /** <stdarg.h>: va_list is a char pointer into the spilled argument area, 8 bytes a slot as on x64. */
  private varargBuiltin(t: Token): Expr {
    this.expect('(');
    const ap = this.parseAssign();
    let out: Expr;
    switch (t.text) {
      case '__builtin_va_start': {
        this.expect(',', 'in va_start');
        this.parseAssign();
        const def = this.currentVariadic();
        if (!def) { this.error(t, `va_start used in a function that does not take '...'`); out = this.bad(t); break; }
        out = this.makeAssign(t, '=', ap, this.cast({ k: 'vastart', def, t: { k: 'ptr', to: T_CHAR }, loc: t, call: false }, ap.t));
        break;
      }
      case '__builtin_va_arg': {
        this.expect(',', 'in va_arg');
        const ty = this.parseTypeName();
        const bump = this.makeBinary(t, '-', this.makeAssign(t, '+=', ap, this.num(8, T_INT, t)), this.num(8, T_INT, t));
        const big = sizeOf(ty) > 8 || (sizeOf(ty) & (sizeOf(ty) - 1)) !== 0;
        // larger or odd-sized arguments are passed by reference, as the x64 convention does
        const slot = big ? this.deref(t, this.cast(bump, { k: 'ptr', to: { k: 'ptr', to: ty } }, true)) : this.cast(bump, { k: 'ptr', to: ty }, true);
        out = this.deref(t, slot);
        break;
      }
      case '__builtin_va_end': out = { k: 'cast', e: ap, t: T_VOID, loc: t, call: false }; break;
      case '__builtin_va_copy': {
        this.expect(',', 'in va_copy');
        out = this.makeAssign(t, '=', ap, this.rval(this.parseAssign()));
        break;
      }
      default: throw this.err(t, `'${t.text}' is not a known built-in`);
    }
    this.expect(')', `to close ${t.text}`);
    return out;
  }
  private deref(loc: Token, p: Expr): Expr {
    if (p.t.k !== 'ptr') return this.bad(loc);
    return { k: 'deref', e: p, t: p.t.to, loc, call: p.call };
  }
  protected noteFunctionUse(_s: FuncSym, _t: Token): void {}

  // ---- typing helpers ----
  num(v: U64 | number, t: CType, loc: Token): Expr { return { k: 'num', v, t, loc, call: false }; }
  /** Stands for an expression already reported as wrong, so that it causes no further errors. */
  protected bad(loc: Token): Expr { const e = this.num(0, T_INT, loc); (e as { bad?: boolean }).bad = true; return e; }
  protected isBad(e: Expr): boolean { return (e as { bad?: boolean }).bad === true; }

  /** Array-to-pointer and function-to-pointer decay. */
  rval(e: Expr): Expr {
    if (e.t.k === 'array') return { k: 'addr', e, t: decay(e.t), loc: e.loc, call: e.call };
    if (e.t.k === 'func') return { k: 'addr', e, t: decay(e.t), loc: e.loc, call: e.call };
    return e;
  }

  cast(e: Expr, t: CType, explicit = false): Expr {
    if (!explicit && sameType(e.t, t)) return e;
    if (e.k === 'num' && isScalar(t)) return this.num(convertValue(e.v, e.t, t), t, e.loc);
    if (sameType(e.t, t)) return { ...e, t };
    return { k: 'cast', e, t, loc: e.loc, call: e.call };
  }

  protected convertAssign(e: Expr, t: CType, loc: Token, what?: string): Expr {
    if (this.isBad(e)) return e;
    const tt = t;
    const et = e.t;
    const place = what ? ` for ${what}` : '';
    if (tt.k === 'struct') {
      if (et.k !== 'struct' || et.s !== tt.s) this.error(loc, `cannot convert '${typeName(et)}' to '${typeName(t)}'${place}`);
      return e;
    }
    if (tt.k === 'ptr') {
      if (et.k === 'ptr') {
        const a = tt.to, b = et.to;
        if (!(a.k === 'void' || b.k === 'void' || sameType(a, b) || (a.k === 'int' && b.k === 'int' && a.size === b.size))) {
          this.warn(loc, `incompatible pointer types: '${typeName(et)}' converted to '${typeName(t)}'${place}`);
        }
        return this.cast(e, t);
      }
      if (this.isNullConst(e)) return this.cast(e, t);
      if (isInt(et)) { this.warn(loc, `'${typeName(t)}' differs in levels of indirection from '${typeName(et)}'${place}`); return this.cast(e, t); }
      this.error(loc, `cannot convert '${typeName(et)}' to '${typeName(t)}'${place}`);
      return this.num(0, t, loc);
    }
    if (isArith(tt)) {
      if (isArith(et)) return this.cast(e, t);
      if (et.k === 'ptr' && isInt(tt)) { if (!tt.bool) this.warn(loc, `'${typeName(t)}' differs in levels of indirection from '${typeName(et)}'${place}`); return this.cast(e, t); }
      this.error(loc, `cannot convert '${typeName(et)}' to '${typeName(t)}'${place}`);
      return this.num(0, t, loc);
    }
    if (tt.k === 'void') return e;
    this.error(loc, `cannot convert '${typeName(et)}' to '${typeName(t)}'${place}`);
    return e;
  }

  protected isNullConst(e: Expr): boolean {
    if (e.k === 'cast' && e.t.k === 'ptr' && e.t.to.k === 'void') return this.isNullConst(e.e);
    return e.k === 'num' && isInt(e.t) && e.v === 0 || (e.k === 'num' && e.t.k === 'ptr' && e.v === 0);
  }
  private nonNegConst(e: Expr): boolean { const v = this.constValue(e); return v !== null && (typeof v === 'bigint' ? v >= 0n : v >= 0); }

  protected pointeeSize(t: CType, loc: Token): number {
    if (t.k !== 'ptr') return 1;
    if (t.to.k === 'void') { this.warn(loc, `arithmetic on 'void *' (treated as byte-sized)`); return 1; }
    if (!isComplete(t.to) && t.to.k !== 'func') { this.error(loc, `arithmetic on a pointer to incomplete type '${typeName(t.to)}'`); return 1; }
    return sizeOf(t.to);
  }

  protected checkScalar(e: Expr, loc: Token): void {
    if (!isScalar(e.t)) this.error(loc, `a scalar value is required here ('${typeName(e.t)}' given)`);
  }

  protected checkLvalue(e: Expr, loc: Token, forAddr = false): void {
    if (this.isBad(e)) return;
    const ok = e.k === 'var' || e.k === 'deref' || (e.k === 'member' && (e.e.k !== 'call')) || e.k === 'complit' || (forAddr && e.k === 'str');
    if (!ok) { this.error(loc, `expression is not assignable (an lvalue is required)`); return; }
    if (!forAddr && e.t.k === 'array') this.error(loc, `an array cannot be assigned to`);
    if (!forAddr && e.t.q && e.t.q & 1) this.error(loc, `cannot assign to a const-qualified object`);
  }

  /** Folds an integer constant expression; null when not constant. */
  constValue(e: Expr): U64 | null {
    switch (e.k) {
      case 'num': return isInt(e.t) || e.t.k === 'ptr' ? (e.v as U64) : null;
      case 'cast': { const v = this.constValue(e.e); return v === null || !isScalar(e.t) ? null : (convertValue(v, e.e.t, e.t) as U64); }
      default: return null;
    }
  }

  protected intConst(e: Expr, what: string): number {
    const v = this.constValue(e);
    if (v === null) { this.error(e.loc, `${what} must be an integer constant expression`); return 0; }
    return Number(v);
  }
}

export function isTrue(v: U64 | number): boolean { return v !== 0 && v !== 0n; }

const SEH_INTRINSICS: Record<string, 'code' | 'info' | 'abnormal'> = {
  GetExceptionCode: 'code', _exception_code: 'code', GetExceptionInformation: 'info', _exception_info: 'info', AbnormalTermination: 'abnormal', _abnormal_termination: 'abnormal',
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=']);
const CMP_OPS = new Set(['<', '>', '<=', '>=', '==', '!=']);
const BIN_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
export const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'struct', 'union', 'enum',
  'const', 'volatile', '__int8', '__int16', '__int32', '__int64', '__unaligned', '__ptr64', '__ptr32', 'restrict', '__restrict',
  '_Atomic', '__declspec', '__w64',
]);
export const KEYWORDS = new Set([
  ...TYPE_KEYWORDS, 'auto', 'break', 'case', 'continue', 'default', 'do', 'else', 'extern', 'for', 'goto', 'if', 'inline',
  'register', 'return', 'sizeof', 'static', 'switch', 'typedef', 'while', '__try', '__except', '__finally', '__leave',
]);
export { toU64, T_UINT, T_ULLONG };
