// What the built-in headers define, for editor features (hover, completion, signature help, go to
// definition): every macro, typedef, struct, enumerator and routine prototype with its header and line.
import { lex, type PPToken } from '../preprocessor/lexer';
import { preprocess } from '../preprocessor/index';
import type { Token } from '../tokens';
import { builtinHeader, builtinHeaderNames } from './index';

export type HeaderSymbolKind = 'macro' | 'typedef' | 'struct' | 'enumerator' | 'routine' | 'inline';

export interface HeaderSymbol {
  name: string;
  kind: HeaderSymbolKind;
  /** The header without brackets (`wdm.h`), or `predefined` for the build environment's macros. */
  header: string;
  /** 1-based place of the name in the header text (builtinHeader(header)). */
  line: number;
  col: number;
  /**
   * One line as written in the header: `PMDL IoAllocateMdl(PVOID VirtualAddress, …)` for a routine,
   * `#define MDL_PAGES_LOCKED 0x0002` for a macro, `typedef struct _MDL {…} MDL, *PMDL` for a typedef.
   */
  signature: string;
  /** Routines: the parameter declarations; macros: parameter names (null when object-like). */
  params?: string[] | null;
  /** Macros: the replacement list. */
  body?: string;
  /** Enumerators: the enum's typedef name (e.g. `LOCK_OPERATION`). */
  type?: string;
}

const PRIORITY: HeaderSymbolKind[] = ['routine', 'inline', 'typedef', 'struct', 'enumerator', 'macro'];
const DECORATIONS = new Set(['static', 'inline', 'extern', 'FORCEINLINE', 'NTKERNELAPI', 'NTSYSAPI', 'NTAPI', 'DECLSPEC_NORETURN', 'NTSTRSAFEDDI', '__forceinline', '__inline']);

let cache: { all: HeaderSymbol[]; byName: Map<string, HeaderSymbol[]> } | undefined;

/** Every symbol of every built-in header (computed once). */
export function headerSymbols(): readonly HeaderSymbol[] {
  return load().all;
}

/** The macro called `name` in the built-in headers or the predefined set. */
export function macroAt(name: string): HeaderSymbol | undefined {
  return load().byName.get(name)?.find((s) => s.kind === 'macro');
}

/** The most useful symbol called `name`: a routine before a typedef before a macro… */
export function symbolAt(name: string): HeaderSymbol | undefined {
  const all = load().byName.get(name);
  if (!all) return undefined;
  return [...all].sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind))[0];
}

export function symbolsNamed(name: string): readonly HeaderSymbol[] {
  return load().byName.get(name) ?? [];
}

/** The routine prototypes (declared, not defined, in the headers): the emulated routines. */
export function routinePrototypes(): HeaderSymbol[] {
  return load().all.filter((s) => s.kind === 'routine');
}

/**
 * A prototype in one canonical spelling, so that two spellings of the same declaration compare
 * equal: decorations (NTKERNELAPI, static inline…) and a trailing `;` dropped, canonical spacing.
 */
export function normalizePrototype(text: string): string {
  const toks = lex(text, '').tokens.filter((t) => !DECORATIONS.has(t.text));
  while (toks.length && toks[toks.length - 1].text === ';') toks.pop();
  return spell(toks);
}

function load(): { all: HeaderSymbol[]; byName: Map<string, HeaderSymbol[]> } {
  if (cache) return cache;
  const main = builtinHeaderNames().map((h) => `#include <${h}>`).join('\n');
  const r = preprocess('<query>', { readFile: () => main, resolveInclude: () => undefined });
  const all: HeaderSymbol[] = [];
  for (const [name, m] of r.macros) {
    const header = m.file === '<built-in>' ? 'predefined' : m.file.replace(/^<|>$/g, '');
    const head = m.params ? `${name}(${m.params.join(', ')})` : name;
    all.push({ name, kind: 'macro', header, line: m.line, col: m.col, signature: `#define ${head}${m.body ? ' ' + m.body : ''}`, params: m.params, body: m.body });
  }
  const raw = new Map<string, PPToken[]>();
  const rawTokens = (file: string): PPToken[] => {
    let t = raw.get(file);
    if (!t) raw.set(file, (t = lex(builtinHeader(file.replace(/^<|>$/g, '')) ?? '', file).tokens));
    return t;
  };
  for (const decl of declarations(r.tokens.filter((t) => t.kind !== 'eof' && t.file.startsWith('<')))) {
    all.push(...analyze(decl, rawTokens(decl[0].file)));
  }
  const byName = new Map<string, HeaderSymbol[]>();
  for (const s of all) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  cache = { all, byName };
  return cache;
}

/** Splits the token stream into top-level declarations and function definitions. */
function declarations(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let start = 0;
  let braces = 0;
  let parens = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === '(') parens++;
    else if (t === ')') parens--;
    else if (t === '{') braces++;
    else if (t === '}') {
      braces--;
      // A function body ends the declaration at its closing brace.
      if (braces === 0 && parens === 0 && tokens[i + 1]?.text !== ';' && isFunctionStart(tokens.slice(start, i + 1))) {
        out.push(tokens.slice(start, i + 1));
        start = i + 1;
      }
    } else if (t === ';' && braces === 0 && parens === 0) {
      out.push(tokens.slice(start, i + 1));
      start = i + 1;
    }
  }
  return out;
}

function isFunctionStart(decl: Token[]): boolean {
  const open = decl.findIndex((t) => t.text === '{');
  return open > 0 && decl[open - 1].text === ')' && decl[0].text !== 'typedef' && !['struct', 'union', 'enum'].includes(decl[0].text);
}

function analyze(decl: Token[], raw: PPToken[]): HeaderSymbol[] {
  const header = decl[0].file.replace(/^<|>$/g, '');
  const out: HeaderSymbol[] = [];
  const signature = sourceSpelling(decl, raw);
  const at = (t: Token, kind: HeaderSymbolKind, extra: Partial<HeaderSymbol> = {}): HeaderSymbol => ({ name: t.text, kind, header, line: t.line, col: t.col, signature, ...extra });
  const isTypedef = decl[0].text === 'typedef';
  const tagAt = isTypedef ? 1 : 0;
  const bodyOpen = decl.findIndex((t) => t.text === '{');
  const aggregate = ['struct', 'union', 'enum'].includes(decl[tagAt]?.text);

  if (aggregate && bodyOpen > 0) {
    const bodyClose = matching(decl, bodyOpen);
    if (decl[tagAt + 1]?.kind === 'identifier' && tagAt + 2 === bodyOpen) out.push(at(decl[tagAt + 1], 'struct'));
    if (decl[tagAt].text === 'enum') {
      const typeName = isTypedef ? decl.slice(bodyClose + 1).find((t) => t.kind === 'identifier')?.text : undefined;
      for (let i = bodyOpen + 1; i < bodyClose; i++) {
        const prev = decl[i - 1].text;
        if (decl[i].kind === 'identifier' && (prev === '{' || prev === ',')) {
          out.push({ ...at(decl[i], 'enumerator'), signature: enumeratorText(decl, i, bodyClose), type: typeName });
        }
      }
    }
    if (!isTypedef) return out;
    for (const t of declaratorNames(decl.slice(bodyClose + 1))) out.push(at(t, 'typedef'));
    return out;
  }

  if (isTypedef) {
    for (const t of declaratorNames(decl.slice(1))) out.push(at(t, 'typedef'));
    return out;
  }

  // A routine: the identifier before the first top-level '('.
  const open = decl.findIndex((t) => t.text === '(');
  if (open > 0 && decl[open - 1].kind === 'identifier') {
    const close = matching(decl, open);
    const defined = decl[decl.length - 1].text === '}';
    const prototype = normalizePrototype(sourceSpelling(decl.slice(0, close + 1), raw));
    out.push({ ...at(decl[open - 1], defined ? 'inline' : 'routine'), signature: prototype, params: parameters(prototype) });
  }
  return out;
}

/** The parameter declarations of a one-line prototype, as written; [] for `(VOID)`. */
function parameters(prototype: string): string[] {
  const toks = lex(prototype, '').tokens as unknown as Token[];
  const open = toks.findIndex((t) => t.text === '(');
  const params = splitTopLevel(toks.slice(open + 1, matching(toks, open))).map((p) => spell(p));
  return params.length === 1 && /^(VOID|void)$/.test(params[0]) ? [] : params;
}

/** Names declared by a declarator list such as `IRP, *PIRP` or `NTSTATUS DRIVER_DISPATCH(…)`. */
function declaratorNames(tokens: Token[]): Token[] {
  const names: Token[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(' || t.text === '[') {
      if (depth === 0 && t.text === '(' && tokens[i - 1]?.kind === 'identifier' && !names.includes(tokens[i - 1])) names.push(tokens[i - 1]);
      depth++;
    } else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && t.kind === 'identifier' && [',', ';', '['].includes(tokens[i + 1]?.text ?? ';')) names.push(t);
  }
  return names;
}

function enumeratorText(decl: Token[], i: number, end: number): string {
  let j = i + 1;
  const value: Token[] = [];
  if (decl[j]?.text === '=') {
    for (j++; j < end && decl[j].text !== ','; j++) value.push(decl[j]);
  }
  return value.length ? `${decl[i].text} = ${spell(value)}` : decl[i].text;
}

function matching(tokens: Token[], open: number): number {
  const o = tokens[open].text;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === o) depth++;
    else if (tokens[i].text === c && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    if (t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/**
 * The declaration as written in the header (before macro expansion: `VOID`, not `void`), with
 * brace bodies shown as `{…}` and the trailing `;` dropped.
 */
function sourceSpelling(decl: Token[], raw: PPToken[]): string {
  const first = decl[0];
  let last = decl[decl.length - 1];
  if (last.text === ';' && decl.length > 1) last = decl[decl.length - 2];
  const from = raw.findIndex((t) => t.line === first.line && t.col === first.col);
  const to = raw.findIndex((t) => t.line === last.line && t.col === last.col);
  const slice: Array<{ text: string; kind: string }> = from >= 0 && to >= from ? raw.slice(from, to + 1) : decl;
  const out: Array<{ text: string; kind: string }> = [];
  let depth = 0;
  for (const t of slice) {
    if (t.text === '{') {
      if (depth++ === 0) out.push({ text: '{…}', kind: 'punct' });
      continue;
    }
    if (t.text === '}') {
      depth--;
      continue;
    }
    if (depth === 0 && t.text !== ';') out.push(t);
  }
  return spell(out);
}

/** Canonical spacing: `PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length)`, `void *memcpy(void *dest, …)`. */
function spell(tokens: ReadonlyArray<{ text: string; kind: string }>): string {
  let s = '';
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    if (!prev) {
      s = t.text;
      return;
    }
    const noSpace =
      [',', ';', ')', ']'].includes(t.text) ||
      ['(', '[', '->', '.'].includes(prev.text) ||
      t.text === '->' ||
      t.text === '.' ||
      (t.text === '[' && prev.kind === 'identifier') ||
      (t.text === '(' && prev.kind === 'identifier') ||
      (prev.text === '*' && (t.kind === 'identifier' || t.text === '*' || t.text === ')'));
    s += (noSpace ? '' : ' ') + t.text;
  });
  return s;
}
