// Declarations: specifiers, struct/union/enum with MSVC layout, declarators (pointers, arrays,
// function types, calling conventions and SAL annotations skipped), type names, __declspec(align).
import type { Token } from './tokens';
import { ParseError } from './ast';
import { ExprParser, KEYWORDS, isTrue } from './exprParser';
import {
  type CType, type StructInfo, Q_CONST, Q_VOLATILE, T_BOOL, T_CHAR, T_DOUBLE, T_FLOAT, T_INT, T_LLONG, T_LONG, T_SCHAR, T_SHORT,
  T_UCHAR, T_UINT, T_ULLONG, T_ULONG, T_USHORT, T_VOID, isComplete, isInt, layoutStruct, sizeOf, typeName,
  alignOf, withAlign,
} from './types';

/** A struct defined with `__declspec(align(n))`: its alignment is at least n and its size a multiple of it. */
function raiseStructAlign(s: StructInfo, n: number): void {
  if (n <= s.align) return;
  s.align = n;
  s.size = Math.ceil(s.size / n) * n;
}

/** `align`: the largest `__declspec(align(N))` / `_Alignas(N)` among the specifiers, for the declared objects. */
export interface Specs { type: CType; storage: 'typedef' | 'extern' | 'static' | null; loc: Token; align?: number }
/** `align`: a `__declspec(align(N))` written between the specifiers and the declarator's name. */
export interface Declarator { name: Token | null; wrap: (t: CType) => CType; params: { name: Token | null; type: CType }[] | null; align?: number }

/** MSVC's largest `__declspec(align(N))`. */
const MAX_DECLSPEC_ALIGN = 8192;

export const CALLCONV = new Set(['__stdcall', '__cdecl', '__fastcall', '__vectorcall', '__clrcall', '__thiscall', 'NTAPI', 'WINAPI', 'NTSYSAPI', 'NTKERNELAPI', 'FASTCALL', 'DECLSPEC_NORETURN', '__ptr64', '__ptr32', '__unaligned', 'restrict', '__restrict']);
/** Words that begin a declaration whatever follows. */
const DECL_WORDS = new Set(['typedef', 'extern', 'static', 'auto', 'register', 'inline', '__inline', '__forceinline', '__declspec', '_Alignas', '_Static_assert', 'static_assert']);
const PARAM_WORDS = new Set(['const', 'volatile', 'register', '__declspec']);
const STORAGE_SKIP = new Set(['auto', 'register', 'inline', '__inline', '__forceinline', '_Noreturn', 'FORCEINLINE', '__w64']);

export abstract class DeclParser extends ExprParser {
  /** Struct layouts this parse created (a prologue's are frozen when its state is cached). */
  protected structsMade: StructInfo[] = [];
  /** The struct the last structSpec() gave a body to, else null. */
  protected structDefined: StructInfo | null = null;
  // ---------- declarations ----------
  protected isDeclStart(): boolean {
    const t = this.tok;
    if (t.kind !== 'identifier') return false;
    if (DECL_WORDS.has(t.text)) return true;
    if (this.isTypeName(t)) return !(this.peek().text === ':' && this.lookup(t.text)?.kind === 'typedef' && false);
    return false;
  }

  /**
   * `__declspec(...)` after the keyword: returns the N of align(N) (1 without one). The other
   * attributes (noinline, noreturn, dllimport, selectany…) change nothing the emulator shows and are
   * ignored, with a note when the scenario wrote them.
   */
  protected declspecAlign(): number {
    let align = 1;
    this.expect('(', `after '__declspec'`);
    while (!this.is(')') && this.tok.kind !== 'eof') {
      const a = this.next();
      if (a.kind === 'identifier' && a.text === 'align' && this.is('(')) {
        this.next();
        const e = this.parseCond();
        const n = this.intConst(e, 'alignment');
        this.expect(')', 'after the alignment');
        if (n < 1 || n > MAX_DECLSPEC_ALIGN || (n & (n - 1)) !== 0) this.error(e.loc, `alignment must be a power of two from 1 to ${MAX_DECLSPEC_ALIGN} (found ${n})`);
        else align = Math.max(align, n);
        continue;
      }
      if (!a.file.startsWith('<')) this.note(a, `__declspec(${a.text}) has no effect in the emulator and is ignored`);
      if (this.is('(')) this.skipBalanced();
    }
    this.expect(')', `to close '__declspec('`);
    return align;
  }

  /** `_Alignas(N)` or `_Alignas(type)` (C11) after the keyword. */
  protected alignasValue(): number {
    this.expect('(', `after '_Alignas'`);
    let n: number;
    if (this.isTypeName(this.tok)) n = alignOf(this.parseTypeName());
    else {
      const e = this.parseCond();
      n = this.intConst(e, 'alignment');
      if (n !== 0 && (n < 1 || n > MAX_DECLSPEC_ALIGN || (n & (n - 1)) !== 0)) { this.error(e.loc, `alignment must be a power of two from 1 to ${MAX_DECLSPEC_ALIGN} (found ${n})`); n = 1; }
    }
    this.expect(')', `to close '_Alignas('`);
    return Math.max(n, 1);
  }

  /** The declared object's type: the declarator applied to the specifiers, with any alignment asked for. */
  protected declaredType(specs: Specs, d: Declarator): CType {
    const t = d.wrap(specs.type);
    const n = Math.max(specs.align ?? 1, d.align ?? 1);
    if (n === 1 || t.k === 'func') return t;
    return withAlign(t, n);
  }

  protected skipBalanced(): void {
    this.expect('(');
    let d = 1;
    while (d > 0 && this.tok.kind !== 'eof') { const t = this.next(); if (t.text === '(') d++; else if (t.text === ')') d--; }
  }

  protected isAnnotation(t: Token): boolean {
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
    let align = 1;
    let defined: StructInfo | null = null;
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
      if (x === '__declspec') { this.next(); align = Math.max(align, this.declspecAlign()); any = true; continue; }
      if (x === '_Alignas') { this.next(); align = Math.max(align, this.alignasValue()); any = true; continue; }
      if (x === '__attribute__' || x === '__pragma') { this.next(); this.skipBalanced(); any = true; continue; }
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
      if (x === 'struct' || x === 'union') { if (base) throw this.err(t, `two types in one declaration`); base = this.structSpec(); defined = this.structDefined; any = true; continue; }
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
    if (align > 1 && defined) {
      // `__declspec(align(N)) struct S { … }`: the struct type itself is aligned, its size rounded up
      raiseStructAlign(defined, align);
      return { type, storage, loc };
    }
    return align > 1 ? { type, storage, loc, align } : { type, storage, loc };
  }

  protected findTag(name: string): CType | undefined {
    for (let i = this.tagScopes.length - 1; i >= 0; i--) { const t = this.tagScopes[i].get(name); if (t) return t; }
    return undefined;
  }

  protected structSpec(): CType {
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
      this.structsMade.push(s);
      t = { k: 'struct', s };
      if (tag) this.tagScopes[this.tagScopes.length - 1].set(tag, t);
    }
    this.structDefined = null;
    if (!this.is('{')) return t;
    const st = t as Extract<CType, { k: 'struct' }>;
    if (st.s.fields !== null) this.error(kw, `redefinition of '${typeName(st)}'`);
    this.willChange(st.s);
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
          const ft = this.is(':') ? d.wrap(specs.type) : this.declaredType(specs, d);
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
    raiseStructAlign(st.s, forcedAlign);
    this.structDefined = st.s;
    return t;
  }

  protected enumSpec(): CType {
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

  /** Skips calling conventions and annotations before a declarator; returns the alignment a `__declspec` there asks for. */
  protected skipCallConv(): number {
    let align = 1;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'identifier' && (CALLCONV.has(t.text) || t.text === 'const' || t.text === 'volatile')) { this.next(); continue; }
      if (t.kind === 'identifier' && t.text === '__declspec') { this.next(); align = Math.max(align, this.declspecAlign()); continue; }
      if (t.kind === 'identifier' && t.text === '__attribute__') { this.next(); this.skipBalanced(); continue; }
      if (this.isAnnotation(t)) { this.next(); if (this.is('(')) this.skipBalanced(); continue; }
      return align;
    }
  }

  parseDeclarator(abstract: boolean): Declarator {
    const align = this.skipCallConv();
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
          else if (r.align !== undefined && sizeOf(r) % alignOf(r) !== 0) this.error(t, `array of '${typeName(r)}': its alignment (${alignOf(r)}) is larger than its size (${sizeOf(r)}), so its elements cannot all be aligned`);
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
    const inAlign = inner?.align ?? 1;
    return align > 1 || inAlign > 1 ? { name: inner ? inner.name : name, wrap, params, align: Math.max(align, inAlign) } : { name: inner ? inner.name : name, wrap, params };
  }

  protected nestedDeclaratorFollows(): boolean {
    const n = this.peek();
    if (n.text === '*' || n.text === '(' || n.text === '[') return n.text !== '[' && n.text !== '(' ? true : n.text === '(' ? true : false;
    if (n.kind === 'identifier') {
      if (CALLCONV.has(n.text) || n.text === '__declspec') return true;
      return !this.isTypeName(n) && !KEYWORDS.has(n.text);
    }
    return false;
  }

  protected paramList(): { params: { name: Token | null; type: CType }[]; variadic: boolean; noProto: boolean } {
    const params: { name: Token | null; type: CType }[] = [];
    if (this.accept(')')) return { params, variadic: false, noProto: true };
    let variadic = false;
    for (;;) {
      if (this.accept('...')) { variadic = true; break; }
      if (this.tok.kind === 'identifier' && !this.isTypeName(this.tok) && !this.isAnnotation(this.tok) && !CALLCONV.has(this.tok.text) && !PARAM_WORDS.has(this.tok.text)) {
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

  protected staticAssert(): void {
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
}
