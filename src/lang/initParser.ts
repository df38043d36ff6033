// Initializers: brace lists with designators and brace elision, string literals for char arrays,
// flattened to (offset, type, value) items for globals, statics and locals.
import type { InitItem } from './ast';
import { DeclParser } from './declParser';
import { type CType, T_VOID, isInt, isScalar, sizeOf, typeName, findField } from './types';

export abstract class InitParser extends DeclParser {
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

  protected stringInit(t: Extract<CType, { k: 'array' }>, base: number, out: InitItem[]): CType {
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
  protected initList(t: CType, base: number, out: InitItem[], braced: boolean): CType {
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

  protected element(t: CType, off: number, out: InitItem[]): void {
    if (this.is('{')) { this.parseInitializerFor(t, off, out); return; }
    if (t.k === 'array' && isInt(t.of) && t.of.size <= 2 && this.tok.kind === 'string') { this.stringInit(t, off, out); return; }
    if (t.k === 'array' || (t.k === 'struct' && !this.structValueFollows(t))) { this.initList(t, off, out, false); return; }
    this.parseInitializerFor(t, off, out);
  }

  protected structValueFollows(t: Extract<CType, { k: 'struct' }>): boolean {
    // An identifier of the same struct type initializes the member as a whole.
    const n = this.tok;
    if (n.kind !== 'identifier') return false;
    const s = this.lookup(n.text);
    return !!s && s.kind === 'var' && s.type.k === 'struct' && s.type.s === t.s && [',', '}'].includes(this.peek().text);
  }
}
