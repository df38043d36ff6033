// Remembers what including a built-in header produced, keyed by the preprocessor state the include
// was reached in, so the usual `#include <ntifs.h>` prologue is replayed instead of re-run.
//
// The key names everything a built-in header's preprocessing can depend on: the macro table (as the
// sequence of built-in includes, #define and #undef that built it, each #define with its place and
// replacement tokens), __COUNTER__, and the include depth. Built-in headers never reach the host,
// so the scenario's files cannot change what they produce. Budgets (diagnostic count, expansion
// limit) are not keyed but checked at replay, and a run that hit one is never recorded.
import type { Diagnostic } from '../contract';
import type { PPToken } from './lexer';
import type { Macro } from './macros';

export interface IncludeRecord {
  /** Output tokens the include appended. Shared between runs: never mutated (result() copies). */
  readonly tokens: readonly PPToken[];
  readonly diagnostics: readonly Diagnostic[];
  /** Built-in files read, in order; a replay appends those not read yet. */
  readonly files: readonly string[];
  /** `#pragma once` and include-guard state of built-in files afterwards. */
  readonly once: readonly string[];
  readonly guards: readonly (readonly [string, string])[];
  /** The whole macro table afterwards, in its order. Macro objects are shared and never mutated. */
  readonly macros: readonly Macro[];
  readonly counter: number;
  /** Tokens macro expansion produced (counts against the expansion limit). */
  readonly produced: number;
}

export interface PreprocessOptions {
  /** Replay built-in includes reached in a known state (default true); false always runs them. */
  builtinCache?: boolean;
}

/** The state when a built-in header being recorded was entered. */
export interface IncludeStart {
  key: string;
  /** Nothing but keyed built-in includes has produced output so far: the header extends the prologue. */
  prologue: boolean;
  /** Lengths of out, diagnostics and files when the header was entered. */
  out: number;
  diagnostics: number;
  files: number;
  counter: number;
  produced: number;
  dropped: number;
}

/** Entries kept; a scenario normally needs one per built-in include of its prologue. */
const LIMIT = 48;
/** Past this length the state is not worth naming (hundreds of #defines before an include). */
export const MAX_KEY_LENGTH = 32_768;

// Map order is the recency order: a hit moves its entry to the end, the first entry is evicted.
const records = new Map<string, IncludeRecord>();
let hits = 0;
let misses = 0;

export function lookupInclude(key: string): IncludeRecord | undefined {
  const r = records.get(key);
  if (r) {
    records.delete(key);
    records.set(key, r);
    hits++;
  } else misses++;
  return r;
}

export function storeInclude(key: string, record: IncludeRecord): void {
  records.delete(key);
  records.set(key, record);
  while (records.size > LIMIT) records.delete(records.keys().next().value!);
}

/** Forgets every recorded include (tests compare a cold run with a warm one). */
export function clearBuiltinIncludeCache(): void {
  records.clear();
  hits = 0;
  misses = 0;
}

export function builtinIncludeCacheStats(): { entries: number; hits: number; misses: number } {
  return { entries: records.size, hits, misses };
}

/** The part of the state key a `#define` contributes: name, place, parameters and every replacement token. */
export function defineKey(m: Macro): string {
  const body = m.body.map((t) => [t.kind, t.text, t.line, t.col, t.space ? 1 : 0, t.file === m.file ? 0 : t.file]);
  return JSON.stringify(['D', m.name, m.file, m.line, m.col, m.params, m.variadic, body]);
}

export function undefKey(name: string): string {
  return JSON.stringify(['U', name]);
}

/** The parts of the preprocessor a built-in include changes (besides __COUNTER__ and the expansion count). */
export interface IncludeState {
  readonly out: PPToken[];
  readonly diagnostics: Diagnostic[];
  readonly files: string[];
  readonly once: Set<string>;
  readonly guards: Map<string, string>;
  readonly macros: Map<string, Macro>;
}

const isBuiltin = (file: string) => file.startsWith('<');

/** Stores what the include entered when `state` had `start`'s lengths has done since. */
export function recordInclude(key: string, state: IncludeState, start: { out: number; diagnostics: number; files: number }, counter: number, produced: number): void {
  storeInclude(key, {
    tokens: state.out.slice(start.out),
    // Copies: the run's own diagnostics go to a consumer that may change them.
    diagnostics: state.diagnostics.slice(start.diagnostics).map((d) => ({ ...d })),
    files: state.files.slice(start.files),
    once: [...state.once].filter(isBuiltin),
    guards: [...state.guards].filter(([f]) => isBuiltin(f)),
    macros: [...state.macros.values()],
    counter,
    produced,
  });
}

/** Applies a record to `state`; the caller has checked the budgets and adds the counters. */
export function replayInclude(r: IncludeRecord, state: IncludeState): void {
  for (const t of r.tokens) state.out.push(t);
  for (const d of r.diagnostics) state.diagnostics.push({ ...d });
  for (const f of r.files) if (!state.files.includes(f)) state.files.push(f);
  for (const f of r.once) state.once.add(f);
  for (const [f, g] of r.guards) state.guards.set(f, g);
  // The key fixes the table's order too, so the recorded order is the one the directives give.
  state.macros.clear();
  for (const m of r.macros) state.macros.set(m.name, m);
}
