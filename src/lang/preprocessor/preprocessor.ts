// The preprocessor proper: walks files line by line, runs directives, keeps the conditional and
// include stacks, and hands everything else to the macro expander.
import type { Diagnostic, SourceHost } from '../contract';
import { notePrologue, type PreprocessResult } from '../tokens';
import { lex, lexBuiltin, type LexResult, type PPToken } from './lexer';
import { isMacro, parseDefine, sameDefinition, type Macro } from './macros';
import { Expander, MAX_EXPANDED_TOKENS, TokenStream } from './expander';
import { evaluateCondition } from './expression';
import { includeWouldFind, resolveInclude } from './includes';
import { DYNAMIC_MACROS, FIXED_DATE, FIXED_TIME, PREDEFINED_SOURCE } from './predefined';
import { defineKey, lookupInclude, MAX_KEY_LENGTH, recordInclude, replayInclude, undefKey, type IncludeRecord, type IncludeStart, type PreprocessOptions } from './includeCache';
import { macroTable, parserTokenCount, parserTokens } from './result';

const MAX_INCLUDE_DEPTH = 200;
const MAX_DIAGNOSTICS = 500;
const BUILTIN_FILE = '<built-in>';

interface FileContext {
  file: string;
  tokens: readonly PPToken[];
  pos: number;
  /** #line: presumed line = physical line + lineDelta. */
  lineDelta: number;
  presumedFile: string;
  /** Conditional-stack depth when the file was entered (its own #if's must close inside it). */
  condBase: number;
  /** `#ifndef G` as the very first thing of the file: the candidate include guard. */
  guard?: { name: string; depth: number };
  /** A built-in header or the predefined macros, as opposed to a scenario file (whatever its name). */
  builtin: boolean;
  /** A built-in header being recorded for the include cache: the state when it was entered. */
  recording?: IncludeStart;
}

interface CondFrame {
  /** Tokens of this group are live. */
  active: boolean;
  /** Some group of this #if chain has been taken already. */
  taken: boolean;
  /** The enclosing group was live. */
  parentActive: boolean;
  sawElse: boolean;
  at: PPToken;
  directive: string;
}

const isPunct = (t: PPToken | undefined, text: string) => !!t && t.kind === 'punct' && t.text === text;

export type { PreprocessOptions };

export class Preprocessor {
  readonly macros = new Map<string, Macro>();
  readonly diagnostics: Diagnostic[] = [];
  readonly files: string[] = [];
  readonly out: PPToken[] = [];
  /** Files that said `#pragma once`, and files with a whole-file include guard (file → guard macro). */
  readonly once = new Set<string>();
  readonly guards = new Map<string, string>();
  private readonly cond: CondFrame[] = [];
  private readonly stack: FileContext[] = [];
  private readonly expander: Expander;
  private counter = 0;
  private dropped = 0;
  /**
   * Names the macro table as the built-in includes, #define and #undef that built it (see
   * includeCache.ts); undefined once it cannot be named, and then nothing is cached or replayed.
   */
  private stateKey: string | undefined = '';
  private readonly useCache: boolean;
  /** The leading output tokens that came only from keyed built-in includes, and the key after them. */
  private prologue: { key: string; end: number } | undefined = { key: '', end: 0 };

  constructor(private readonly host: SourceHost, options: PreprocessOptions = {}) {
    this.useCache = options.builtinCache !== false;
    this.expander = new Expander({
      macros: this.macros,
      error: (t, m) => this.report(t, 'error', m),
      note: (t, m) => this.report(t, 'note', m),
      dynamic: (t) => this.dynamic(t),
      hasInclude: (name, angled) => {
        const ctx = this.stack[this.stack.length - 1];
        return includeWouldFind(this.host, ctx?.file ?? '<built-in>', name, angled);
      },
    });
  }

  run(mainFile: string): PreprocessResult {
    const predefined = lexBuiltin(BUILTIN_FILE, PREDEFINED_SOURCE);
    this.enter(BUILTIN_FILE, predefined.tokens, BUILTIN_FILE, true);
    this.loop();
    for (const m of this.macros.values()) m.predefined = true;
    const text = this.host.readFile(mainFile);
    if (text === undefined) {
      this.diagnostics.push({ file: mainFile, line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', message: `cannot open source file '${mainFile}'` });
    } else {
      const lexed = lex(text, mainFile);
      this.files.push(mainFile);
      this.reportLex(mainFile, lexed);
      this.enter(mainFile, lexed.tokens, mainFile, false);
      this.loop();
    }
    return this.result(mainFile, text);
  }

  private result(mainFile: string, text: string | undefined): PreprocessResult {
    const tokens = parserTokens(this.out, mainFile, text, (t, message) => this.report(t, 'error', message));
    if (this.dropped > 0) {
      this.diagnostics.push({ file: mainFile, line: 1, col: 1, endLine: 1, endCol: 1, severity: 'note', message: `${this.dropped} further diagnostics not shown` });
    }
    const result: PreprocessResult = { tokens, diagnostics: this.diagnostics, macros: macroTable(this.macros), files: this.files };
    if (this.prologue && this.prologue.end > 0) {
      result.builtinPrologue = { key: this.prologue.key, count: parserTokenCount(this.out, this.prologue.end) };
      notePrologue(tokens, result.builtinPrologue);
    }
    return result;
  }

  // ---- diagnostics -------------------------------------------------------------------------

  report(t: { file: string; line: number; col: number; length: number }, severity: Diagnostic['severity'], message: string): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) {
      this.dropped++;
      return;
    }
    this.diagnostics.push({ file: t.file, line: t.line, col: t.col, endLine: t.line, endCol: t.col + Math.max(1, t.length), severity, message });
  }

  private reportLex(file: string, r: LexResult): void {
    for (const p of r.problems) this.report({ file, line: p.line, col: p.col, length: p.length }, 'error', p.message);
  }

  // ---- the file walk -----------------------------------------------------------------------

  private enter(file: string, tokens: readonly PPToken[], presumedFile: string, builtin: boolean): void {
    this.stack.push({ file, tokens, pos: 0, lineDelta: 0, presumedFile, condBase: this.cond.length, builtin });
  }

  private get active(): boolean {
    return this.cond.length === 0 || this.cond[this.cond.length - 1].active;
  }

  private loop(): void {
    const base = this.stack.length - 1;
    while (this.stack.length > base) {
      const ctx = this.stack[this.stack.length - 1];
      const t = ctx.tokens[ctx.pos];
      if (!t) {
        this.leave(ctx);
        continue;
      }
      if (t.bol && isPunct(t, '#')) {
        this.directive(ctx);
        continue;
      }
      if (!this.active) {
        do ctx.pos++;
        while (ctx.pos < ctx.tokens.length && !(ctx.tokens[ctx.pos].bol && isPunct(ctx.tokens[ctx.pos], '#')));
        continue;
      }
      const source = {
        peek: () => {
          const u = ctx.tokens[ctx.pos];
          return !u || (u.bol && isPunct(u, '#')) ? undefined : u;
        },
        next: () => {
          const u = ctx.tokens[ctx.pos];
          if (!u || (u.bol && isPunct(u, '#'))) return undefined;
          ctx.pos++;
          return u;
        },
      };
      this.expander.expandAll(new TokenStream(source), this.out);
    }
  }

  private leave(ctx: FileContext): void {
    while (this.cond.length > ctx.condBase) {
      const f = this.cond.pop()!;
      this.report(f.at, 'error', `unterminated #${f.directive}: no matching #endif before the end of ${ctx.file}`);
    }
    this.stack.pop();
    if (ctx.recording) this.record(ctx.recording);
  }

  private dynamic(t: PPToken): PPToken | undefined {
    const ctx = this.stack[this.stack.length - 1];
    switch (t.text) {
      case '__LINE__': {
        const delta = ctx && ctx.file === t.file ? ctx.lineDelta : 0;
        return { ...t, kind: 'number', text: String(t.line + delta), fromMacro: t.fromMacro ?? '__LINE__' };
      }
      case '__FILE__': {
        const name = ctx && ctx.file === t.file ? ctx.presumedFile : t.file;
        return { ...t, kind: 'string', text: JSON.stringify(name), fromMacro: t.fromMacro ?? '__FILE__' };
      }
      case '__COUNTER__':
        return { ...t, kind: 'number', text: String(this.counter++), fromMacro: t.fromMacro ?? '__COUNTER__' };
      case '__DATE__':
        return { ...t, kind: 'string', text: FIXED_DATE, fromMacro: t.fromMacro ?? '__DATE__' };
      case '__TIME__':
        return { ...t, kind: 'string', text: FIXED_TIME, fromMacro: t.fromMacro ?? '__TIME__' };
      default:
        return undefined;
    }
  }

  // ---- directives --------------------------------------------------------------------------

  private directive(ctx: FileContext): void {
    const hash = ctx.tokens[ctx.pos];
    const firstInFile = ctx.pos === 0;
    ctx.pos++;
    const line: PPToken[] = [];
    while (ctx.pos < ctx.tokens.length && !ctx.tokens[ctx.pos].bol) line.push(ctx.tokens[ctx.pos++]);
    const nameTok = line[0];
    if (!nameTok) return; // the null directive
    const name = nameTok.kind === 'identifier' ? nameTok.text : '';
    const rest = line.slice(1);
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef':
        return this.doIf(ctx, name, nameTok, rest, firstInFile);
      case 'elif':
      case 'elifdef':
      case 'elifndef':
        return this.doElif(name, nameTok, rest);
      case 'else':
        return this.doElse(nameTok, rest);
      case 'endif':
        return this.doEndif(ctx, nameTok, rest);
    }
    if (!this.active) return;
    switch (name) {
      case 'define':
        return this.doDefine(ctx, nameTok, rest);
      case 'undef':
        return this.doUndef(ctx, nameTok, rest);
      case 'include':
        return this.doInclude(ctx, nameTok, rest);
      case 'error':
      case 'warning':
        return this.report(nameTok, name === 'error' ? 'error' : 'warning', `#${name}${rest.length ? ' ' + spell(rest) : ''}`);
      case 'pragma':
        return this.doPragma(ctx, nameTok, rest);
      case 'line':
        return this.doLine(ctx, nameTok, rest, line[line.length - 1]);
      case 'ident':
      case 'sccs':
        return;
      case 'include_next':
      case 'import':
        return this.report(nameTok, 'error', `#${name} is not supported: use #include`);
    }
    this.report(nameTok, 'error', `invalid preprocessing directive #${nameTok.text}`);
  }

  private extraTokens(rest: PPToken[], from: number, directive: string): void {
    if (rest.length > from) this.report(rest[from], 'warning', `extra tokens at end of #${directive} directive`);
  }

  private doIf(ctx: FileContext, name: string, at: PPToken, rest: PPToken[], firstInFile: boolean): void {
    const parentActive = this.active;
    let value = false;
    if (parentActive) {
      if (name === 'if') value = this.condition(at, rest);
      else value = this.definedTest(name, at, rest);
    }
    if (firstInFile && name === 'ifndef' && rest[0]?.kind === 'identifier') ctx.guard = { name: rest[0].text, depth: this.cond.length };
    this.cond.push({ active: parentActive && value, taken: value, parentActive, sawElse: false, at, directive: name });
  }

  private definedTest(name: string, at: PPToken, rest: PPToken[]): boolean {
    const id = rest[0];
    const bare = name.replace(/^el/, '');
    if (!id) {
      this.report(at, 'error', `no macro name given in #${name} directive`);
      return false;
    }
    if (id.kind !== 'identifier') {
      this.report(id, 'error', `macro names must be identifiers, not '${id.text}'`);
      return false;
    }
    this.extraTokens(rest, 1, name);
    const defined = this.macros.has(id.text) || (DYNAMIC_MACROS as readonly string[]).includes(id.text) || id.text === '__has_include';
    return bare === 'ifdef' ? defined : !defined;
  }

  private condition(at: PPToken, rest: PPToken[]): boolean {
    this.expander.inCondition = true;
    let expanded: PPToken[];
    try {
      expanded = this.expander.expandList(rest);
    } finally {
      this.expander.inCondition = false;
    }
    const r = evaluateCondition(expanded, at);
    if (r.error) this.report(r.error.token ?? at, 'error', r.error.message);
    return r.value;
  }

  private doElif(name: string, at: PPToken, rest: PPToken[]): void {
    const top = this.cond[this.cond.length - 1];
    if (!top || this.cond.length <= this.stack[this.stack.length - 1].condBase) return this.report(at, 'error', `#${name} without #if`);
    if (top.sawElse) this.report(at, 'error', `#${name} after #else`);
    if (top.taken || !top.parentActive) {
      top.active = false;
      return;
    }
    const value = name === 'elif' ? this.condition(at, rest) : this.definedTest(name, at, rest);
    top.active = value;
    top.taken = value;
  }

  private doElse(at: PPToken, rest: PPToken[]): void {
    const top = this.cond[this.cond.length - 1];
    if (!top || this.cond.length <= this.stack[this.stack.length - 1].condBase) return this.report(at, 'error', '#else without #if');
    if (top.sawElse) this.report(at, 'error', '#else after #else');
    if (top.parentActive) this.extraTokens(rest, 0, 'else');
    top.sawElse = true;
    top.active = top.parentActive && !top.taken;
    top.taken = true;
  }

  private doEndif(ctx: FileContext, at: PPToken, rest: PPToken[]): void {
    if (this.cond.length <= ctx.condBase) return this.report(at, 'error', '#endif without #if');
    const top = this.cond.pop()!;
    if (top.parentActive) this.extraTokens(rest, 0, 'endif');
    if (ctx.guard && ctx.guard.depth === this.cond.length) {
      // The guard covers the whole file only if nothing follows its #endif and it had no #else.
      if (ctx.pos >= ctx.tokens.length && !top.sawElse) this.guards.set(ctx.file, ctx.guard.name);
      ctx.guard = undefined;
    }
  }

  private doDefine(ctx: FileContext, at: PPToken, rest: PPToken[]): void {
    const parsed = parseDefine(rest, at);
    if (!isMacro(parsed)) return this.report(parsed.token, 'error', parsed.message);
    if ((DYNAMIC_MACROS as readonly string[]).includes(parsed.name)) {
      return this.report(rest[0], 'error', `"${parsed.name}" is predefined by the preprocessor and cannot be redefined`);
    }
    const old = this.macros.get(parsed.name);
    if (old && !sameDefinition(old, parsed)) {
      this.report(rest[0], 'warning', `"${parsed.name}" redefined (previous definition at ${old.file}:${old.line}:${old.col})`);
    }
    this.macros.set(parsed.name, old && sameDefinition(old, parsed) ? old : parsed);
    this.extendKey(ctx, () => defineKey(parsed));
  }

  /** A #define or #undef written in a scenario file becomes part of the state key. */
  private extendKey(ctx: FileContext, part: () => string): void {
    if (this.stateKey === undefined || ctx.builtin) return;
    this.stateKey += part();
    if (this.stateKey.length > MAX_KEY_LENGTH) this.stateKey = undefined;
  }

  private doUndef(ctx: FileContext, at: PPToken, rest: PPToken[]): void {
    const id = rest[0];
    if (!id) return this.report(at, 'error', 'no macro name given in #undef directive');
    if (id.kind !== 'identifier') return this.report(id, 'error', `macro names must be identifiers, not '${id.text}'`);
    if (id.text === 'defined') return this.report(id, 'error', '"defined" cannot be used as a macro name');
    this.extraTokens(rest, 1, 'undef');
    this.macros.delete(id.text);
    this.extendKey(ctx, () => undefKey(id.text));
  }

  private doPragma(ctx: FileContext, at: PPToken, rest: PPToken[]): void {
    if (rest.length === 1 && rest[0].text === 'once') {
      this.once.add(ctx.file);
      return;
    }
    this.report(at, 'note', `#pragma ${spell(rest)} ignored: pragmas have no effect in MDL Lab`);
  }

  private doLine(ctx: FileContext, at: PPToken, rest: PPToken[], last: PPToken): void {
    const toks = this.expander.expandList(rest);
    const num = toks[0];
    if (!num || num.kind !== 'number' || !/^[0-9]+$/.test(num.text)) {
      return this.report(num ?? at, 'error', `"${num?.text ?? ''}" after #line is not a positive integer`);
    }
    const file = toks[1];
    if (file && (file.kind !== 'string' || !file.text.startsWith('"'))) return this.report(file, 'error', `invalid filename ${file.text} in #line directive`);
    this.extraTokens(toks, file ? 2 : 1, 'line');
    ctx.lineDelta = Number(num.text) - (last.line + 1);
    if (file) ctx.presumedFile = file.text.slice(1, -1).replace(/\\(.)/g, '$1');
  }

  private doInclude(ctx: FileContext, at: PPToken, rest: PPToken[]): void {
    let spec: { name: string; angled: boolean; tok: PPToken } | undefined;
    let toks = rest;
    if (toks[0]?.kind !== 'header' && !(toks[0]?.kind === 'string' && toks[0].text.startsWith('"'))) toks = this.expander.expandList(rest);
    const first = toks[0];
    if (first?.kind === 'header') {
      spec = { name: first.text.slice(1, -1), angled: true, tok: first };
      this.extraTokens(toks, 1, 'include');
    } else if (first?.kind === 'string' && first.text.startsWith('"')) {
      spec = { name: first.text.slice(1, -1), angled: false, tok: first };
      this.extraTokens(toks, 1, 'include');
    } else if (isPunct(first, '<')) {
      const close = toks.findIndex((t, i) => i > 0 && isPunct(t, '>'));
      if (close > 0) spec = { name: spell(toks.slice(1, close)), angled: true, tok: first };
    }
    if (!spec) return this.report(first ?? at, 'error', '#include expects "FILENAME" or <FILENAME>');
    if (this.stack.length >= MAX_INCLUDE_DEPTH) return this.report(spec.tok, 'error', `#include nested too deeply (more than ${MAX_INCLUDE_DEPTH} levels)`);
    const where = spec.tok;
    const found = resolveInclude(this.host, ctx.file, spec.name, spec.angled, (message) => this.report(where, 'error', message));
    if (!found) return;
    if (this.once.has(found.file)) return;
    const guard = this.guards.get(found.file);
    if (guard !== undefined && this.macros.has(guard)) return;
    let recording: IncludeStart | undefined;
    if (found.builtin && this.stateKey !== undefined && !ctx.builtin) {
      const key = `${this.stateKey}\n${found.file}#${this.counter}@${this.stack.length}`;
      this.stateKey = key;
      const prologue = this.prologue?.end === this.out.length;
      const hit = this.useCache ? lookupInclude(key) : undefined;
      if (hit && this.replay(hit)) {
        if (prologue) this.prologue = { key, end: this.out.length };
        return;
      }
      recording = { key, prologue, out: this.out.length, diagnostics: this.diagnostics.length, files: this.files.length, counter: this.counter, produced: this.expander.produced, dropped: this.dropped };
    }
    const lexed = found.builtin ? lexBuiltin(found.file, found.text) : lex(found.text, found.file);
    if (!this.files.includes(found.file)) this.files.push(found.file);
    this.reportLex(found.file, lexed);
    this.enter(found.file, lexed.tokens, found.file, found.builtin);
    if (recording) this.stack[this.stack.length - 1].recording = recording;
  }

  // ---- the built-in include cache ----------------------------------------------------------

  /** A built-in header entered at `r` has been left: remember what it did. */
  private record(r: IncludeStart): void {
    if (this.expander.produced === Infinity) {
      // The expansion limit changed how the header was read: the state no longer follows the key.
      this.stateKey = undefined;
      return;
    }
    if (r.prologue) this.prologue = { key: r.key, end: this.out.length };
    if (this.useCache && this.dropped === r.dropped) recordInclude(r.key, this, r, this.counter - r.counter, this.expander.produced - r.produced);
  }

  /** Does what the recorded include did, if the budgets allow the same outcome; false otherwise. */
  private replay(r: IncludeRecord): boolean {
    if (this.diagnostics.length + r.diagnostics.length > MAX_DIAGNOSTICS) return false;
    if (this.expander.produced + r.produced > MAX_EXPANDED_TOKENS) return false;
    replayInclude(r, this);
    this.counter += r.counter;
    this.expander.produced += r.produced;
    return true;
  }
}

/** Directive operands as written, with single spaces where the source had white space. */
function spell(tokens: readonly PPToken[]): string {
  let s = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.space) s += ' ';
    s += t.text;
  });
  return s;
}
