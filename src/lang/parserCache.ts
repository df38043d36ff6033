// The parser's state after the built-in `#include <ntifs.h>` / `#include <mdlab.h>` prologue, kept by
// the preprocessor's prologue key, so a re-check parses only the scenario's own declarations.
//
// A state is shared by every parse that starts from it, so it is never changed after capture:
// - containers (scopes, function table, globals, diagnostics) are copied for each parse;
// - prototypes that no prologue code refers to are copied for each parse (a scenario gives them a
//   body, a better prototype, a first use);
// - everything prologue code refers to — function definitions, the functions they name, variables,
//   struct layouts — is shared and frozen: a parse that would change one of them (completing a
//   header's incomplete struct, defining a function a header's inline code calls, taking the address
//   of a header's variable) throws PrologueConflict and starts over without the cache.
// Types other than struct layouts, typedefs, enum constants and tokens are never changed by anyone.
import type { Token } from './tokens';
import type { Diag, FuncDef, FuncSym, Sym, VarSym } from './ast';
import type { CType, StructInfo } from './types';

export interface PrologueState {
  readonly key: string;
  /** Parser tokens the prologue spans; the state holds for a list whose token `count - 1` is `last`. */
  readonly count: number;
  readonly last: Token;
  readonly scope: ReadonlyMap<string, Sym>;
  readonly tags: ReadonlyMap<string, CType>;
  readonly funcSyms: ReadonlyMap<string, FuncSym>;
  readonly globals: readonly VarSym[];
  readonly funcs: readonly FuncDef[];
  readonly diags: readonly Diag[];
  readonly globalUses: ReadonlyMap<FuncSym, Token>;
  readonly firstUses: ReadonlyMap<FuncSym, Token>;
  readonly nextSymId: number;
  /** Prototypes each parse gets its own copy of. */
  readonly copied: readonly FuncSym[];
  /** What no parse may change. */
  readonly frozen: ReadonlySet<object>;
}

/** The parser's file-scope state, as captured after the prologue or handed to a parse. */
export interface FileScopeState {
  scope: Map<string, Sym>;
  tags: Map<string, CType>;
  funcSyms: Map<string, FuncSym>;
  globals: VarSym[];
  funcs: FuncDef[];
  diags: Diag[];
  globalUses: Map<FuncSym, Token>;
  firstUses: Map<FuncSym, Token>;
  nextSymId: number;
}

/** Enough for a few scenarios with different macro settings before their includes. */
const LIMIT = 8;
const states = new Map<string, PrologueState>();
const stats = { hits: 0, misses: 0, conflicts: 0 };

/** The state for `prologue`, if one was captured from the same tokens (Map order is recency). */
export function lookupPrologue(prologue: { key: string; count: number }, tokens: readonly Token[]): PrologueState | undefined {
  const s = states.get(prologue.key);
  const t = tokens[prologue.count - 1];
  if (!s || s.count !== prologue.count || !t || t.text !== s.last.text || t.file !== s.last.file || t.line !== s.last.line || t.col !== s.last.col) {
    stats.misses++;
    return undefined;
  }
  states.delete(prologue.key);
  states.set(prologue.key, s);
  stats.hits++;
  return s;
}

/**
 * Freezes `state` (the parser hands over its own containers and starts again from copies) and keeps
 * it under `key`. `structs` are the struct layouts the prologue created.
 */
export function capturePrologue(key: string, count: number, last: Token, state: FileScopeState, structs: readonly StructInfo[]): PrologueState {
  const frozen = new Set<object>(structs);
  const pin = (f: FuncSym) => frozen.add(f);
  for (const d of state.funcs) {
    pin(d.sym);
    for (const f of d.uses.keys()) pin(f);
  }
  for (const f of state.globalUses.keys()) pin(f);
  for (const s of state.scope.values()) if (s.kind === 'var') frozen.add(s);
  for (const g of state.globals) frozen.add(g);
  const copied = [...state.funcSyms.values()].filter((f) => !frozen.has(f));
  const s: PrologueState = { key, count, last, ...state, copied, frozen };
  states.delete(key);
  states.set(key, s);
  while (states.size > LIMIT) states.delete(states.keys().next().value!);
  return s;
}

/** Fresh containers and prototype copies for one parse starting after the prologue. */
export function startFrom(s: PrologueState): FileScopeState {
  const scope = new Map(s.scope);
  const funcSyms = new Map(s.funcSyms);
  for (const f of s.copied) {
    const c: FuncSym = { ...f };
    if (scope.get(f.name) === f) scope.set(f.name, c);
    funcSyms.set(f.name, c);
  }
  return {
    scope, tags: new Map(s.tags), funcSyms, globals: [...s.globals], funcs: [...s.funcs], diags: [...s.diags],
    globalUses: new Map(s.globalUses), firstUses: new Map(s.firstUses), nextSymId: s.nextSymId,
  };
}

export function notePrologueConflict(): void {
  stats.conflicts++;
}

/** Forgets every captured state (tests compare a first parse with a cached one). */
export function clearParserPrologueCache(): void {
  states.clear();
  stats.hits = stats.misses = stats.conflicts = 0;
}

/** Parses that started from a captured state, that found none, and that started over after a conflict. */
export function parserPrologueCacheStats(): { entries: number; hits: number; misses: number; conflicts: number } {
  return { entries: states.size, ...stats };
}
