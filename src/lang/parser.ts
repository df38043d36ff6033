// Parses a translation unit: declarations (specifiers, declarators, struct/union/enum, typedefs,
// initializers) and statements, with error recovery at statement and declaration boundaries.
import type { Token } from './tokens';
import { ParseError, type Expr, type FuncDef, type FuncSym, type InitItem, type Stmt, type VarSym } from './ast';
import { ExprParser, KEYWORDS, isTrue } from './exprParser';
import {
  type CType, type StructInfo, Q_CONST, Q_VOLATILE, T_BOOL, T_CHAR, T_DOUBLE, T_FLOAT, T_INT, T_LLONG, T_LONG, T_SCHAR, T_SHORT,
  T_UCHAR, T_UINT, T_ULLONG, T_ULONG, T_USHORT, T_VOID, T_WCHAR, T_SIZE, T_PTRDIFF, integerPromote, isComplete, isInt, layoutStruct,
  sizeOf, typeName, withName, findField, isScalar,
} from './types';

interface Specs { type: CType; storage: 'typedef' | 'extern' | 'static' | null; loc: Token }
interface Declarator { name: Token | null; wrap: (t: CType) => CType; params: { name: Token | null; type: CType }[] | null }

const CALLCONV = new Set(['__stdcall', '__cdecl', '__fastcall', '__vectorcall', '__clrcall', '__thiscall', 'NTAPI', 'WINAPI', 'NTSYSAPI', 'NTKERNELAPI', 'FASTCALL', 'DECLSPEC_NORETURN', '__ptr64', '__ptr32', '__unaligned', 'restrict', '__restrict']);
const STORAGE_SKIP = new Set(['auto', 'register', 'inline', '__inline', '__forceinline', '_Noreturn', 'FORCEINLINE', '__w64']);

export interface ParsedUnit {
  funcs: FuncDef[];
  funcSyms: Map<string, FuncSym>;
  globals: VarSym[];
  diags: ExprParser['diags'];
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

export class Parser extends ExprParser {
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

  constructor(toks: Token[]) {
    super(toks);
    const g = this.scopes[0];
    const td = (name: string, type: CType) => g.set(name, { kind: 'typedef', name, type: withName(type, name) });
    td('wchar_t', T_WCHAR); td('size_t', T_SIZE); td('ptrdiff_t', T_PTRDIFF); td('intptr_t', T_LLONG); td('uintptr_t', T_ULLONG);
  }

  parseUnit(): ParsedUnit {
    while (this.tok.kind !== 'eof') {
      const start = this.pos;
      try { this.externalDeclaration(); } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.error(e.tok, e.message);
        this.recover(true);
        if (this.pos === start) this.next();
      }
    }
    for (const f of this.funcSyms.values()) if (f.firstUse && !f.def && f.isStatic) this.error(f.firstUse, `static function '${f.name}' is used but never defined`);
    return { funcs: this.funcs, funcSyms: this.funcSyms, globals: this.globals, diags: this.diags, globalUses: this.globalUses };
  }

  /** Parses one expression in the given scope (the debugger's evaluator). */
  parseStandaloneExpr(scope: Map<string, import('./ast').Sym>, allowSeh: boolean): Expr {
    this.scopes.push(scope);
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

  // ---------- declarations ----------
  private isDeclStart(): boolean {
    const t = this.tok;
    if (t.kind !== 'identifier') return false;
    if (['typedef', 'extern', 'static', 'auto', 'register', 'inline', '__inline', '__forceinline', '__declspec', '_Static_assert', 'static_assert'].includes(t.text)) return true;
    if (this.isTypeName(t)) return !(this.peek().text === ':' && this.lookup(t.text)?.kind === 'typedef' && false);
    return false;
  }

  /** `__declspec(...)` after the keyword: returns the N of align(N), or 1; other attributes are ignored. */
  private declspecAlign(): number {
    const start = this.pos;
    let align = 1;
    if (this.is('(') && this.peek().text === 'align' && this.peek(2).text === '(') {
      this.next(); this.next(); this.next();
      const e = this.parseCond();
      align = this.intConst(e, 'alignment');
      if (align < 1 || (align & (align - 1)) !== 0) { this.error(e.loc, `alignment must be a power of two`); align = 1; }
      this.expect(')'); this.expect(')');
      return align;
    }
    this.pos = start;
    this.skipBalanced();
    return align;
  }

  private skipBalanced(): void {
    this.expect('(');
    let d = 1;
    while (d > 0 && this.tok.kind !== 'eof') { const t = this.next(); if (t.text === '(') d++; else if (t.text === ')') d--; }
  }

  private isAnnotation(t: Token): boolean {
    // SAL annotations (_In_, _Out_writes_bytes_(n), _IRQL_requires_max_(...)) when the headers left them undefined
    return t.kind === 'identifier' && /^_[A-Z][A-Za-z0-9_]*_$/.test(t.text) && !this.lookup(t.text);
  }

  protected parseSpecs(required: boolean): Specs | null {
    const loc = this.tok;
    let storage: Specs['storage'] = null;
    let q = 0;
    let base: CType | null = null;
    let signed: boolean | null = null;
    let longs = 0, shorts = 0, ints = 0, chars = 0, any = false, int64 = 0, int8 = 0, int16 = 0, int32 = 0, voids = 0, floats = 0, doubles = 0, bools = 0;
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'identifier') break;
      const x = t.text;
      if (x === 'typedef' || x === 'extern' || x === 'static') {
        if (storage && storage !== x) this.error(t, `more than one storage class in a declaration`);
        storage = x; this.next(); any = true; continue;
      }
      if (STORAGE_SKIP.has(x)) { this.next(); any = true; continue; }
      if (x === 'const') { q |= Q_CONST; this.next(); any = true; continue; }
      if (x === 'volatile') { q |= Q_VOLATILE; this.next(); any = true; continue; }
      if (CALLCONV.has(x) || x === '_Atomic') { this.next(); continue; }
      if (x === '__declspec' || x === '__attribute__' || x === '_Alignas' || x === '__pragma') { this.next(); this.skipBalanced(); any = true; continue; }
      if (x === '_Thread_local' || x === '__thread') throw this.err(t, `'${x}' (thread-local storage) is not supported`);
      if (x === '_Complex' || x === '_Imaginary') throw this.err(t, `'${x}' types are not supported`);
      let kw = true;
      switch (x) {
        case 'void': voids++; break;
        case 'char': chars++; break;
        case 'short': shorts++; break;
        case 'int': ints++; break;
        case 'long': longs++; break;
        case 'float': floats++; break;
        case 'double': doubles++; break;
        case 'signed': case '__signed__': signed = true; break;
        case 'unsigned': signed = false; break;
        case '_Bool': bools++; break;
        case '__int8': int8++; break;
        case '__int16': int16++; break;
        case '__int32': int32++; break;
        case '__int64': int64++; break;
        default: kw = false;
      }
      if (kw) { this.next(); any = true; continue; }
      if (x === 'struct' || x === 'union') { if (base) throw this.err(t, `two types in one declaration`); base = this.structSpec(); any = true; continue; }
      if (x === 'enum') { if (base) throw this.err(t, `two types in one declaration`); base = this.enumSpec(); any = true; continue; }
      const basicSeen = voids + chars + shorts + ints + longs + floats + doubles + bools + int8 + int16 + int32 + int64 > 0 || signed !== null;
      if (!base && !basicSeen) {
        const s = this.lookup(x);
        if (s && s.kind === 'typedef') { base = s.type; this.next(); any = true; continue; }
      }
      if (this.isAnnotation(t)) { this.next(); if (this.is('(')) this.skipBalanced(); continue; }
      break;
    }
    if (!any) { if (required) throw this.err(this.tok, `expected a type but found ${this.describe(this.tok)}`); return null; }
    let type: CType;
    if (base) type = base;
    else if (voids) type = T_VOID;
    else if (bools) type = T_BOOL;
    else if (floats) type = T_FLOAT;
    else if (doubles) type = T_DOUBLE;
    else if (chars || int8) type = signed === null ? T_CHAR : signed ? T_SCHAR : T_UCHAR;
    else if (shorts || int16) type = signed === false ? T_USHORT : T_SHORT;
    else if (longs >= 2 || int64) type = signed === false ? T_ULLONG : T_LLONG;
    else if (longs === 1) type = signed === false ? T_ULONG : T_LONG;
    else if (ints || int32 || signed !== null) type = signed === false ? T_UINT : T_INT;
    else { this.error(loc, `a type specifier is required (implicit 'int' is not supported)`); type = T_INT; }
    if (q) type = { ...type, q: (type.q ?? 0) | q };
    return { type, storage, loc };
  }

  private findTag(name: string): CType | undefined {
    for (let i = this.tagScopes.length - 1; i >= 0; i--) { const t = this.tagScopes[i].get(name); if (t) return t; }
    return undefined;
  }

  private structSpec(): CType {
    const kw = this.next();
    const union = kw.text === 'union';
    let forcedAlign = 1;
    while (this.is('__declspec')) { this.next(); forcedAlign = Math.max(forcedAlign, this.declspecAlign()); }
    let tag: string | null = null;
    if (this.tok.kind === 'identifier' && !this.is('{')) tag = this.next().text;
    let t: CType | undefined;
    if (tag) {
      const inner = this.tagScopes[this.tagScopes.length - 1].get(tag);
      t = this.is('{') || this.is(';') && false ? inner : this.findTag(tag);
    }
    if (t && t.k === 'struct' && t.s.union !== union) this.error(kw, `'${tag}' was declared as a ${t.s.union ? 'union' : 'struct'}`);
    if (!t || t.k !== 'struct' || (this.is('{') && t.s.fields !== null && this.tagScopes[this.tagScopes.length - 1].get(tag!) !== t)) {
      const s: StructInfo = { tag: tag ?? `<anonymous>`, union, fields: null, size: 0, align: 1 };
      t = { k: 'struct', s };
      if (tag) this.tagScopes[this.tagScopes.length - 1].set(tag, t);
    }
    if (!this.is('{')) return t;
    const st = t as Extract<CType, { k: 'struct' }>;
    if (st.s.fields !== null) this.error(kw, `redefinition of '${typeName(st)}'`);
    this.next();
    const members: { name: string; type: CType; bits?: number }[] = [];
    const names = new Set<string>();
    while (!this.is('}') && this.tok.kind !== 'eof') {
      const start = this.pos;
      try {
        if (this.is('_Static_assert') || this.is('static_assert')) { this.staticAssert(); continue; }
        const specs = this.parseSpecs(true)!;
        if (this.accept(';')) {
          if (specs.type.k === 'struct') members.push({ name: '', type: specs.type });
          else this.warn(specs.loc, `declaration does not declare anything`);
          continue;
        }
        do {
          let d: Declarator = { name: null, wrap: (x) => x, params: null };
          if (!this.is(':')) d = this.parseDeclarator(false);
          const ft = d.wrap(specs.type);
          const name = d.name?.text ?? '';
          let bits: number | undefined;
          if (this.accept(':')) {
            const w = this.intConst(this.parseCond(), 'bit-field width');
            if (!isInt(ft)) this.error(d.name ?? this.tok, `bit-field '${name}' must have an integer type`);
            else if (w < 0 || w > sizeOf(ft) * 8) this.error(d.name ?? this.tok, `width of bit-field '${name}' (${w} bits) exceeds its type (${sizeOf(ft) * 8} bits)`);
            bits = w;
          }
          if (ft.k === 'func') this.error(d.name!, `member '${name}' cannot have function type`);
          else if (!isComplete(ft) && !(ft.k === 'array' && ft.len === null)) this.error(d.name ?? specs.loc, `member '${name}' has incomplete type '${typeName(ft)}'`);
          if (name && names.has(name)) this.error(d.name!, `duplicate member '${name}'`);
          names.add(name);
          members.push({ name, type: ft, bits });
        } while (this.accept(','));
        this.expect(';', 'after struct member');
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.error(e.tok, e.message);
        while (!this.is(';') && !this.is('}') && (this.tok.kind as string) !== "eof") this.next();
        this.accept(';');
        if (this.pos === start) this.next();
      }
    }
    this.expect('}', 'to close the struct');
    members.forEach((m, i) => { if (m.type.k === 'array' && m.type.len === null && i !== members.length - 1) this.error(kw, `flexible array member '${m.name}' must be last`); });
    layoutStruct(st.s, members);
    if (forcedAlign > st.s.align) { st.s.align = forcedAlign; st.s.size = Math.ceil(st.s.size / forcedAlign) * forcedAlign; }
    return t;
  }

  private enumSpec(): CType {
    const kw = this.next();
    let tag: string | null = null;
    if (this.tok.kind === 'identifier' && !this.is('{')) tag = this.next().text;
    const t: CType = { k: 'int', size: 4, signed: true, enumTag: tag ?? '<anonymous>' };
    if (tag && !this.is('{')) { const old = this.findTag(tag); return old ?? t; }
    if (tag) this.tagScopes[this.tagScopes.length - 1].set(tag, t);
    this.expect('{', `after 'enum'`);
    let v = 0;
    while (!this.is('}')) {
      const n = this.tok;
      if (n.kind !== 'identifier') throw this.err(n, `expected an enumerator name but found ${this.describe(n)}`);
      this.next();
      if (this.accept('=')) v = this.intConst(this.parseCond(), 'enumerator value') | 0;
      this.scopes[this.scopes.length - 1].set(n.text, { kind: 'enumc', name: n.text, value: v, type: t });
      v = (v + 1) | 0;
      if (!this.accept(',')) break;
    }
    this.expect('}', 'to close the enum');
    void kw;
    return t;
  }

  private skipCallConv(): void {
    for (;;) {
      const t = this.tok;
      if (t.kind === 'identifier' && (CALLCONV.has(t.text) || t.text === 'const' || t.text === 'volatile')) { this.next(); continue; }
      if (t.kind === 'identifier' && (t.text === '__declspec' || t.text === '__attribute__')) { this.next(); this.skipBalanced(); continue; }
      if (this.isAnnotation(t)) { this.next(); if (this.is('(')) this.skipBalanced(); continue; }
      return;
    }
  }

  parseDeclarator(abstract: boolean): Declarator {
    this.skipCallConv();
    const ptrs: number[] = [];
    while (this.is('*')) {
      this.next();
      let q = 0;
      for (;;) {
        if (this.is('const')) { q |= Q_CONST; this.next(); } else if (this.is('volatile')) { q |= Q_VOLATILE; this.next(); } else if (this.tok.kind === 'identifier' && CALLCONV.has(this.tok.text)) this.next(); else if (this.isAnnotation(this.tok)) { this.next(); if (this.is('(')) this.skipBalanced(); } else break;
      }
      ptrs.push(q);
    }
    let inner: Declarator | null = null;
    let name: Token | null = null;
    const t = this.tok;
    if (t.kind === 'identifier' && !KEYWORDS.has(t.text) && !(abstract && this.isTypeName(t))) name = this.next();
    else if (this.is('(') && this.nestedDeclaratorFollows()) { this.next(); inner = this.parseDeclarator(abstract); this.expect(')', 'to close the declarator'); }
    else if (!abstract) throw this.err(t, `expected an identifier but found ${this.describe(t)}`);
    type Suffix = { arr: true; len: number | null } | { arr: false; params: { name: Token | null; type: CType }[]; variadic: boolean; noProto: boolean };
    const suffixes: Suffix[] = [];
    for (;;) {
      if (this.is('[')) {
        const lb = this.next();
        if (this.is(']')) { this.next(); suffixes.push({ arr: true, len: null }); continue; }
        while (this.is('static') || this.is('const')) this.next();
        const e = this.parseAssign();
        this.expect(']', 'after array size');
        const v = this.constValue(e);
        if (v === null) { this.error(lb, `variable-length arrays are not supported (the array size must be a constant)`); suffixes.push({ arr: true, len: 1 }); continue; }
        if (Number(v) < 0) this.error(lb, `array size is negative`);
        suffixes.push({ arr: true, len: Math.max(0, Number(v)) });
      } else if (this.is('(')) {
        this.next();
        suffixes.push({ arr: false, ...this.paramList() });
      } else break;
    }
    const wrap = (base: CType): CType => {
      let r = base;
      for (const q of ptrs) r = q ? { k: 'ptr', to: r, q } : { k: 'ptr', to: r };
      for (let i = suffixes.length - 1; i >= 0; i--) {
        const s = suffixes[i];
        if (s.arr) {
          if (r.k === 'func') this.error(t, `array of functions is not allowed`);
          r = { k: 'array', of: r, len: s.len };
        } else {
          if (r.k === 'array' || r.k === 'func') this.error(t, `a function cannot return '${typeName(r)}'`);
          r = { k: 'func', ret: r, params: s.params.map((p) => ({ name: p.name?.text ?? '', type: p.type })), variadic: s.variadic, noProto: s.noProto };
        }
      }
      return inner ? inner.wrap(r) : r;
    };
    const first = suffixes[0];
    const params = inner ? inner.params : first && !first.arr ? first.params : null;
    return { name: inner ? inner.name : name, wrap, params };
  }

  private nestedDeclaratorFollows(): boolean {
    const n = this.peek();
    if (n.text === '*' || n.text === '(' || n.text === '[') return n.text !== '[' && n.text !== '(' ? true : n.text === '(' ? true : false;
    if (n.kind === 'identifier') {
      if (CALLCONV.has(n.text) || n.text === '__declspec') return true;
      return !this.isTypeName(n) && !KEYWORDS.has(n.text);
    }
    return false;
  }

  private paramList(): { params: { name: Token | null; type: CType }[]; variadic: boolean; noProto: boolean } {
    const params: { name: Token | null; type: CType }[] = [];
    if (this.accept(')')) return { params, variadic: false, noProto: true };
    let variadic = false;
    for (;;) {
      if (this.accept('...')) { variadic = true; break; }
      if (this.tok.kind === 'identifier' && !this.isTypeName(this.tok) && !this.isAnnotation(this.tok) && !CALLCONV.has(this.tok.text) && !['const', 'volatile', 'register', '__declspec'].includes(this.tok.text)) {
        throw this.err(this.tok, `expected a parameter type but found '${this.tok.text}' (old-style K&R parameter lists are not supported; is a type undeclared?)`);
      }
      const specs = this.parseSpecs(true)!;
      const d = this.parseDeclarator(true);
      let t = d.wrap(specs.type);
      if (t.k === 'array') t = { k: 'ptr', to: t.of };
      else if (t.k === 'func') t = { k: 'ptr', to: t };
      params.push({ name: d.name, type: t });
      if (!this.accept(',')) break;
    }
    this.expect(')', 'to close the parameter list');
    if (params.length === 1 && params[0].type.k === 'void' && !params[0].name) params.length = 0;
    for (const p of params) if (p.type.k === 'void') this.error(p.name ?? this.tok, `parameter has type 'void'`);
    return { params, variadic, noProto: false };
  }

  parseTypeName(): CType {
    const specs = this.parseSpecs(true)!;
    if (specs.storage) this.error(specs.loc, `storage class in a type name`);
    const d = this.parseDeclarator(true);
    if (d.name) this.error(d.name, `unexpected name '${d.name.text}' in a type name`);
    return d.wrap(specs.type);
  }

  private staticAssert(): void {
    const kw = this.next();
    this.expect('(');
    const e = this.parseAssign();
    let msg = 'static assertion failed';
    if (this.accept(',')) { const s = this.tok; if (s.kind === 'string') { msg = `static assertion failed: ${s.text}`; this.next(); } }
    this.expect(')');
    this.expect(';');
    const v = this.constValue(e);
    if (v === null) this.error(kw, `static assertion expression is not an integer constant`);
    else if (!isTrue(v)) this.error(kw, msg);
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
      const t = d.wrap(specs.type);
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
      if (prev.type.noProto && !t.noProto) prev.type = t;
      return prev;
    }
    if (prev) this.error(name, `'${name.text}' redeclared as a different kind of symbol`);
    const fs: FuncSym = { kind: 'func', name: name.text, type: t, def: null, loc: name, firstUse: null, isStatic };
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
  protected override noteFunctionUse(s: FuncSym, t: Token): void {
    const uses = this.cur ? this.cur.uses : this.globalUses;
    if (!uses.has(s)) uses.set(s, t);
  }

  private functionDefinition(specs: Specs, d: Declarator, t: Extract<CType, { k: 'func' }>): void {
    const fs = this.declareFunction(d.name!, t, specs.storage === 'static');
    if (fs.def) this.error(d.name!, `redefinition of '${fs.name}' (first defined at ${fs.def.loc.file}:${fs.def.loc.line})`);
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
      const t = d.wrap(specs.type);
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

  // ---------- initializers ----------
  parseInitializerFor(t: CType, base: number, out: InitItem[]): CType {
    if (this.is('{')) {
      this.next();
      if (isScalar(t)) { // int x = { 5 };
        const r = this.is('}') ? t : this.parseInitializerFor(t, base, out);
        this.accept(',');
        this.expect('}', 'to close the initializer');
        return r;
      }
      const r = this.initList(t, base, out, true);
      return r;
    }
    if (t.k === 'array' && isInt(t.of) && t.of.size <= 2 && this.tok.kind === 'string') return this.stringInit(t, base, out);
    const e = this.rval(this.parseAssign());
    if (t.k === 'array') { this.error(e.loc, `an array must be initialized with a brace-enclosed list`); return t; }
    if (t.k === 'struct' && (e.t.k !== 'struct' || e.t.s !== t.s)) {
      // brace elision of a struct from its first member's value
      this.error(e.loc, `cannot initialize '${typeName(t)}' with '${typeName(e.t)}'`);
      return t;
    }
    out.push({ off: base, type: t, expr: this.convertAssign(e, t, e.loc, 'the initializer') });
    return t;
  }

  private stringInit(t: Extract<CType, { k: 'array' }>, base: number, out: InitItem[]): CType {
    const e = this.parsePrimary();
    if (e.k !== 'str') return t;
    const es = sizeOf(t.of);
    if (e.wide !== (es === 2)) this.error(e.loc, `cannot initialize an array of '${typeName(t.of)}' with a ${e.wide ? 'wide' : 'narrow'} string literal`);
    let len = t.len;
    if (len === null) len = e.bytes.length / es;
    else if (e.bytes.length / es - 1 > len) this.error(e.loc, `initializer string is too long for an array of ${len}`);
    out.push({ off: base, type: t, bytes: e.bytes.slice(0, len * es) });
    return { ...t, len };
  }

  /** The elements of an aggregate; `braced` when the list has its own braces (else brace elision). */
  private initList(t: CType, base: number, out: InitItem[], braced: boolean): CType {
    let idx = 0;
    let maxIdx = 0;
    const isArr = t.k === 'array';
    const fields = t.k === 'struct' ? (t.s.fields ?? []).filter((f) => f.name !== '' || f.type.k === 'struct') : [];
    if (t.k === 'struct' && t.s.fields === null) this.error(this.tok, `initializing incomplete type '${typeName(t)}'`);
    const count = t.k === 'array' ? t.len : t.k === 'struct' ? (t.s.union ? Math.min(1, fields.length) : fields.length) : 0;
    while (!this.is('}') && this.tok.kind !== 'eof') {
      if (!braced && count !== null && idx >= count) break;
      let et: CType;
      let off: number;
      if (this.is('[') || this.is('.')) {
        let cur = t;
        let o = base;
        let firstStep = true;
        while (this.is('[') || this.is('.')) {
          const d = this.next();
          if (d.text === '[') {
            const i = this.intConst(this.parseCond(), 'array designator');
            this.expect(']');
            if (cur.k !== 'array') { this.error(d, `array designator used on '${typeName(cur)}'`); break; }
            if (cur.len !== null && i >= cur.len) this.error(d, `array designator index ${i} is out of bounds`);
            if (firstStep) idx = i;
            o += i * sizeOf(cur.of);
            cur = cur.of;
          } else {
            const n = this.tok;
            this.next();
            if (cur.k !== 'struct') { this.error(d, `field designator used on '${typeName(cur)}'`); break; }
            const f = findField(cur.s, n.text);
            if (!f) { this.error(n, `'${typeName(cur)}' has no member named '${n.text}'`); break; }
            if (firstStep) idx = Math.max(0, fields.findIndex((x) => x.name === n.text));
            o += f.offset;
            cur = f.type;
            if (f.bitWidth !== undefined) { this.expect('='); const e = this.rval(this.parseAssign()); out.push({ off: o, type: f.type, expr: this.convertAssign(e, f.type, e.loc), field: f }); cur = T_VOID; }
          }
          firstStep = false;
        }
        if (cur.k === 'void') { idx++; maxIdx = Math.max(maxIdx, idx); if (!this.accept(',')) break; continue; }
        this.expect('=', 'after the designator');
        et = cur; off = o;
        this.element(et, off, out);
      } else {
        if (isArr) {
          const at = t as Extract<CType, { k: 'array' }>;
          if (at.len !== null && idx >= at.len) { this.error(this.tok, `excess elements in array initializer`); this.parseAssign(); if (!this.accept(',')) break; continue; }
          et = at.of; off = base + idx * sizeOf(at.of);
          this.element(et, off, out);
        } else if (t.k === 'struct') {
          if (idx >= count!) { this.error(this.tok, `excess elements in struct initializer`); this.parseAssign(); if (!this.accept(',')) break; continue; }
          const f = fields[idx];
          if (f.bitWidth !== undefined) { const e = this.rval(this.parseAssign()); out.push({ off: base + f.offset, type: f.type, expr: this.convertAssign(e, f.type, e.loc), field: f }); }
          else this.element(f.type, base + f.offset, out);
        } else { this.error(this.tok, `a brace-enclosed list cannot initialize '${typeName(t)}'`); this.parseAssign(); }
      }
      idx++;
      maxIdx = Math.max(maxIdx, idx);
      if (!braced && count !== null && idx >= count) break;
      if (!this.accept(',')) break;
      if (!braced && this.is('}')) break;
    }
    if (braced) this.expect('}', 'to close the initializer list');
    if (t.k === 'array' && t.len === null) return { ...t, len: maxIdx };
    return t;
  }

  private element(t: CType, off: number, out: InitItem[]): void {
    if (this.is('{')) { this.parseInitializerFor(t, off, out); return; }
    if (t.k === 'array' && isInt(t.of) && t.of.size <= 2 && this.tok.kind === 'string') { this.stringInit(t, off, out); return; }
    if (t.k === 'array' || (t.k === 'struct' && !this.structValueFollows(t))) { this.initList(t, off, out, false); return; }
    this.parseInitializerFor(t, off, out);
  }

  private structValueFollows(t: Extract<CType, { k: 'struct' }>): boolean {
    // An identifier of the same struct type initializes the member as a whole.
    const n = this.tok;
    if (n.kind !== 'identifier') return false;
    const s = this.lookup(n.text);
    return !!s && s.kind === 'var' && s.type.k === 'struct' && s.type.s === t.s && [',', '}'].includes(this.peek().text);
  }
}

const TYPE_LIKE = new Set<string>();
export { T_INT };
