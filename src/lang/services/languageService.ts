// Editor features for scenario files — diagnostics, hover, completion, signature help, go to
// definition, code lenses — computed from the same preprocessor, parser and routine table that run
// the scenario, so the editor never disagrees with what F5 will do. No vscode here: the extension
// adapts these plain results to its providers.
import type { Diagnostic, SourceHost, SourceLocation } from '../contract';
import { preprocess } from '../preprocessor/index';
import { Parser } from '../parser';
import { compileTokens, type CProgram } from '../program';
import { symbolAt, symbolsNamed, headerSymbols, type HeaderSymbol } from '../headers/query';
import { findField, typeName, type CType, type StructField, type StructInfo } from '../types';
import { routineDoc, routineDocs, mdlFlag } from './catalog';
import { ScenarioIndex, type ScenarioSymbol } from './scenarioIndex';
import { callAt, memberChainAt, offsetAt, wordAt, type Position } from './text';

export interface CompletionEntry {
  label: string;
  kind: 'routine' | 'macro' | 'flag' | 'type' | 'field' | 'variable' | 'function' | 'keyword' | 'constant';
  detail: string;
  documentation?: string;
}

export interface SignatureInfo {
  label: string;
  parameters: string[];
  activeParameter: number;
  documentation?: string;
}

export interface CodeLensInfo {
  line: number;
  function: string;
}

const KEYWORDS = [
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto',
  'sizeof', 'struct', 'union', 'enum', 'typedef', 'static', 'const', 'volatile', 'extern',
  '__try', '__except', '__finally', '__leave',
];

interface Analysis {
  /** Built on first use: with errors there is no program and the unit is parsed again for it. */
  index: () => ScenarioIndex;
  diagnostics: Diagnostic[];
}

export class LanguageService {
  private last = new Map<string, Analysis>();

  /** Parse and check `file` (text from the host); remembers what it understood for the other features. */
  check(file: string, host: SourceHost): Diagnostic[] {
    const pp = preprocess(file, host);
    // Full compile (types, lowering, unresolved routines) for the diagnostics a run would give.
    const result = compileTokens(pp.tokens, file, pp.diagnostics, pp.macros, { routines: (n) => routineDocs().has(n) });
    // With errors there is no program, but the parser's recovery still knows most declarations:
    // parsed again only when hover, completion or go to definition asks (not after every keystroke).
    const program = result.program as CProgram | null;
    let index: ScenarioIndex | undefined;
    const analysis: Analysis = {
      index: () => (index ??= new ScenarioIndex(program?.unit ?? new Parser(pp.tokens).parseUnit(), pp.macros)),
      diagnostics: result.diagnostics,
    };
    this.last.set(file, analysis);
    return result.diagnostics;
  }

  hover(file: string, text: string, pos: Position, host?: SourceHost): string | null {
    const index = this.indexFor(file, host);
    const offset = offsetAt(text, pos);
    const w = wordAt(text, offset);
    if (!w) return null;
    const chain = memberChainAt(text, w.start + w.word.length);
    if (chain && index) {
      const owner = resolveChain(index, file, pos.line, chain.root, chain.members);
      const field = owner && findField(owner, w.word);
      if (owner && field) return fieldHover(owner, field.name, typeName(field.type), field.offset);
    }
    const own = index?.lookup(w.word, file, pos.line);
    if (own) return scenarioHover(own);
    const routine = routineDoc(w.word);
    if (routine) return routineHover(w.word);
    const flag = mdlFlag(w.word);
    if (flag) return `\`\`\`c\n#define ${w.word} 0x${flag.value.toString(16).padStart(4, '0')}\n\`\`\`\n${flag.explanation}`;
    const h = symbolAt(w.word);
    if (h) return headerHover(h);
    return null;
  }

  complete(file: string, text: string, pos: Position, host?: SourceHost): CompletionEntry[] {
    const index = this.indexFor(file, host);
    const offset = offsetAt(text, pos);
    const chain = memberChainAt(text, offset);
    if (chain) {
      const owner = index && resolveChain(index, file, pos.line, chain.root, chain.members);
      if (!owner?.fields) return [];
      return memberList(owner).map((f) => ({ label: f.name, kind: 'field' as const, detail: `+0x${f.offset.toString(16).padStart(3, '0')} ${typeName(f.type)}` }));
    }
    const out: CompletionEntry[] = [];
    const seen = new Set<string>();
    const add = (e: CompletionEntry) => {
      if (seen.has(e.label)) return;
      seen.add(e.label);
      out.push(e);
    };
    if (index) {
      for (const s of index.localsAt(file, pos.line)) add({ label: s.name, kind: 'variable', detail: s.detail });
      for (const s of index.globals()) add({ label: s.name, kind: 'variable', detail: s.detail });
      for (const s of index.functions()) add({ label: s.name, kind: 'function', detail: s.detail });
      for (const s of index.macros()) add({ label: s.name, kind: 'macro', detail: s.detail });
    }
    for (const [name, doc] of routineDocs()) add({ label: name, kind: 'routine', detail: doc.prototype, documentation: routineHover(name) });
    for (const h of headerSymbols()) {
      if (h.header === 'predefined' || h.name.startsWith('_')) continue;
      const flag = mdlFlag(h.name);
      if (flag) add({ label: h.name, kind: 'flag', detail: h.signature, documentation: flag.explanation });
      else add({ label: h.name, kind: kindOf(h), detail: h.signature });
    }
    for (const k of KEYWORDS) add({ label: k, kind: 'keyword', detail: 'keyword' });
    return out;
  }

  signatureHelp(file: string, text: string, pos: Position, host?: SourceHost): SignatureInfo | null {
    const call = callAt(text, offsetAt(text, pos));
    if (!call) return null;
    const index = this.indexFor(file, host);
    const own = index?.functions().find((f) => f.name === call.name);
    const routine = routineDoc(call.name);
    const header = symbolsNamed(call.name).find((s) => s.kind === 'routine' || s.kind === 'inline' || (s.kind === 'macro' && s.params));
    const label = own?.detail ?? routine?.prototype ?? header?.signature;
    if (!label) return null;
    const parameters = splitParameters(label);
    return {
      label,
      parameters,
      activeParameter: Math.min(call.argIndex, Math.max(0, parameters.length - 1)),
      documentation: routine ? `${routine.summary}\n\nIRQL: ${routine.irql}` : undefined,
    };
  }

  /** Where a name is defined: the scenario's own files, or a built-in header (`<wdm.h>`). */
  definition(file: string, text: string, pos: Position, host?: SourceHost): SourceLocation | null {
    const w = wordAt(text, offsetAt(text, pos));
    if (!w) return null;
    const own = this.indexFor(file, host)?.lookup(w.word, file, pos.line);
    if (own) return own.location;
    const h = symbolAt(w.word);
    if (h && h.header !== 'predefined') return { file: `<${h.header}>`, line: h.line, col: h.col };
    return null;
  }

  /** "Run | Debug scenario" above each scenario entry point. */
  codeLenses(file: string, host?: SourceHost): CodeLensInfo[] {
    const index = this.indexFor(file, host);
    if (!index) return [];
    return index
      .functions()
      .filter((f) => f.location.file === file && (f.name === 'LabMain' || f.name === 'DriverEntry'))
      .map((f) => ({ line: f.location.line, function: f.name }));
  }

  private indexFor(file: string, host?: SourceHost): ScenarioIndex | undefined {
    if (!this.last.has(file) && host) this.check(file, host);
    return this.last.get(file)?.index();
  }
}

/** Follows `root.m1.m2` (through pointers, arrays and typedefs) to the struct that holds the next member. */
function resolveChain(index: ScenarioIndex, file: string, line: number, root: string, members: string[]): StructInfo | null {
  let s = structOf(index.lookup(root, file, line)?.type);
  for (const m of members) {
    if (!s) return null;
    const f = findField(s, m);
    if (!f) return null;
    s = structOf(f.type);
  }
  return s;
}

/** Named members, with anonymous struct/union members flattened in (as C lets you name them). */
function memberList(s: StructInfo, base = 0): StructField[] {
  const out: StructField[] = [];
  for (const f of s.fields ?? []) {
    if (f.name === '' && f.type.k === 'struct') out.push(...memberList(f.type.s, base + f.offset));
    else if (f.name) out.push({ ...f, offset: base + f.offset });
  }
  return out;
}

function structOf(t: CType | undefined): StructInfo | null {
  for (let i = 0; t && i < 4; i++) {
    if (t.k === 'struct') return t.s;
    if (t.k === 'ptr') t = t.to;
    else if (t.k === 'array') t = t.of;
    else return null;
  }
  return null;
}

function kindOf(h: HeaderSymbol): CompletionEntry['kind'] {
  switch (h.kind) {
    case 'routine':
    case 'inline':
      return 'routine';
    case 'typedef':
    case 'struct':
      return 'type';
    case 'enumerator':
      return 'constant';
    default:
      return 'macro';
  }
}

function splitParameters(prototype: string): string[] {
  const open = prototype.indexOf('(');
  const close = prototype.lastIndexOf(')');
  if (open < 0 || close < open) return [];
  const inner = prototype.slice(open + 1, close);
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of inner) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() && cur.trim() !== 'VOID' && cur.trim() !== 'void') out.push(cur.trim());
  return out;
}

function routineHover(name: string): string {
  const r = routineDoc(name)!;
  const parts = ['```c', r.prototype, '```', `**IRQL:** ${r.irql} · \`<${r.header}>\``, '', r.summary];
  if (r.details) parts.push('', r.details);
  if (r.docUrl) parts.push('', `[Microsoft documentation](${r.docUrl})`);
  return parts.join('\n');
}

function headerHover(h: HeaderSymbol): string {
  const routine = routineDoc(h.name);
  if (routine) return routineHover(h.name);
  return ['```c', h.signature, '```', `Defined in \`<${h.header}>\``].join('\n');
}

function scenarioHover(s: ScenarioSymbol): string {
  const what = { function: 'function', parameter: 'parameter', local: 'local variable', global: 'global variable', macro: 'macro' }[s.kind];
  const code = s.kind === 'function' || s.kind === 'macro' ? s.detail : `${s.detail} ${s.name}`;
  return ['```c', code, '```', `(${what}) defined at line ${s.location.line}`].join('\n');
}

function fieldHover(owner: StructInfo, name: string, type: string, offset: number): string {
  const lines = ['```c', `${type} ${name}; // +0x${offset.toString(16).padStart(3, '0')} in ${owner.union ? 'union' : 'struct'} ${owner.tag}`, '```'];
  if (owner.tag === '_MDL' && name !== 'Next' && name !== 'MdlFlags') {
    lines.push('The MDL is semi-opaque: drivers should touch only `Next` and `MdlFlags` directly and use the `MmGetMdl…` macros for the rest.');
  }
  if (owner.tag === '_MDL' && name === 'MdlFlags') {
    lines.push('`MDL_*` bits; the debugger decodes them at a stop.');
  }
  return lines.join('\n');
}
