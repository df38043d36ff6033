// What a compiled scenario declares and where: its functions, parameters, locals, globals and
// macros, for hover, completion and go to definition.
import type { ParsedUnit } from '../parser';
import type { PreprocessResult } from '../tokens';
import type { CType } from '../types';
import { typeName } from '../types';
import type { SourceLocation } from '../contract';

export interface ScenarioSymbol {
  name: string;
  kind: 'function' | 'parameter' | 'local' | 'global' | 'macro';
  /** C type as written (functions: their prototype). */
  detail: string;
  type?: CType;
  location: SourceLocation;
}

export class ScenarioIndex {
  /** Works on a unit that has errors too: the parser recovers, and what it understood is indexed. */
  constructor(
    readonly unit: ParsedUnit,
    readonly macroTable: PreprocessResult['macros'],
  ) {}

  /** The scenario's own functions (with bodies). */
  functions(): ScenarioSymbol[] {
    return this.unit.funcs.map((f) => ({
      name: f.sym.name,
      kind: 'function' as const,
      detail: prototypeOf(f.sym.name, f.sym.type),
      type: f.sym.type,
      location: at(f.sym.loc),
    }));
  }

  globals(): ScenarioSymbol[] {
    return this.unit.globals
      .filter((g) => !g.loc.file.startsWith('<'))
      .map((g) => ({ name: g.name, kind: 'global' as const, detail: typeName(g.type), type: g.type, location: at(g.loc) }));
  }

  /** Macros the scenario (not a built-in header) defines. */
  macros(): ScenarioSymbol[] {
    const out: ScenarioSymbol[] = [];
    for (const [name, m] of this.macroTable) {
      if (m.file.startsWith('<')) continue;
      const head = m.params ? `${name}(${m.params.join(', ')})` : name;
      out.push({ name, kind: 'macro', detail: `#define ${head} ${m.body}`.trimEnd(), location: { file: m.file, line: m.line, col: m.col } });
    }
    return out;
  }

  /** Parameters and locals of the function whose body contains `file:line`. */
  localsAt(file: string, line: number): ScenarioSymbol[] {
    const f = this.unit.funcs.find((fn) => fn.loc.file === file && fn.loc.line <= line && fn.endLoc.line >= line);
    if (!f) return [];
    return f.locals
      .filter((v) => v.loc.line <= line)
      .map((v) => ({
        name: v.name,
        kind: v.storage === 'param' ? ('parameter' as const) : ('local' as const),
        detail: typeName(v.type),
        type: v.type,
        location: at(v.loc),
      }));
  }

  /** The symbol a name means at `file:line`: innermost scope first, then globals, functions, macros. */
  lookup(name: string, file: string, line: number): ScenarioSymbol | undefined {
    const locals = this.localsAt(file, line).filter((s) => s.name === name);
    if (locals.length) return locals[locals.length - 1];
    return (
      this.globals().find((s) => s.name === name) ??
      this.functions().find((s) => s.name === name) ??
      this.macros().find((s) => s.name === name)
    );
  }
}

function at(t: { file: string; line: number; col: number }): SourceLocation {
  return { file: t.file, line: t.line, col: t.col };
}

export function prototypeOf(name: string, t: Extract<CType, { k: 'func' }>): string {
  const params = t.params.map((p) => `${typeName(p.type)}${p.name ? ' ' + p.name : ''}`);
  if (t.variadic) params.push('...');
  return `${typeName(t.ret)} ${name}(${params.length ? params.join(', ') : 'VOID'})`;
}
