// Macro expansion with rescanning (C17 6.10.3): argument collection and pre-expansion, `#`, `##`,
// `__VA_ARGS__` / `__VA_OPT__`, and the no-recursion rule kept as a hide set on every token.
import { lexFragment, type PPToken } from './lexer';
import { VA_ARGS, type Macro } from './macros';

/** Where tokens come from: an expansion pushes its result back in front, to be rescanned. */
export class TokenStream {
  private readonly front: PPToken[] = []; // reversed: the last element is the next token
  constructor(private readonly source: { next(): PPToken | undefined; peek(): PPToken | undefined } | null) {}

  static of(tokens: readonly PPToken[]): TokenStream {
    const s = new TokenStream(null);
    s.pushFront(tokens);
    return s;
  }
  next(): PPToken | undefined {
    return this.front.length ? this.front.pop() : this.source?.next();
  }
  peek(): PPToken | undefined {
    return this.front.length ? this.front[this.front.length - 1] : this.source?.peek();
  }
  pushFront(tokens: readonly PPToken[]): void {
    for (let i = tokens.length - 1; i >= 0; i--) this.front.push(tokens[i]);
  }
}

export interface ExpandHost {
  macros: Map<string, Macro>;
  error(at: PPToken, message: string): void;
  note(at: PPToken, message: string): void;
  /** __LINE__, __FILE__, __COUNTER__…: a replacement token, or undefined if `tok` is not dynamic. */
  dynamic(tok: PPToken): PPToken | undefined;
  /** `__has_include("name")` / `__has_include(<name>)` in #if: would #include find it? */
  hasInclude(name: string, angled: boolean, at: PPToken): boolean;
}

const EMPTY: ReadonlySet<string> = new Set();
const MAX_ARGUMENT_NESTING = 200;
/** Tokens all expansions of one translation unit may produce (stops `#define twice(x) x x` bombs). */
export const MAX_EXPANDED_TOKENS = 1_000_000;

/**
 * Adds `hs` to each token's hide set; tokens that had the same hide set share the result. Tokens in
 * `fresh` were created by this expansion and are updated in place instead of copied.
 */
function withHidesets(tokens: PPToken[], hs: ReadonlySet<string>, fresh: ReadonlySet<PPToken>): PPToken[] {
  const merged = new Map<ReadonlySet<string> | undefined, ReadonlySet<string>>();
  const out: PPToken[] = [];
  for (const t of tokens) {
    if (t.kind === 'placemarker') continue;
    let m = merged.get(t.hideset);
    if (!m) {
      if (!t.hideset) m = hs;
      else {
        const u = new Set(t.hideset);
        for (const n of hs) u.add(n);
        m = u;
      }
      merged.set(t.hideset, m);
    }
    if (fresh.has(t)) {
      (t as { hideset?: ReadonlySet<string> }).hideset = m;
      out.push(t);
    } else {
      out.push(copyToken(t, { hideset: m }));
    }
  }
  return out;
}

/** A copy with some fields replaced, built field by field so every token has the same shape. */
export function copyToken(t: PPToken, changes: Partial<PPToken>): PPToken {
  return {
    kind: changes.kind ?? t.kind,
    text: changes.text ?? t.text,
    file: changes.file ?? t.file,
    line: changes.line ?? t.line,
    col: changes.col ?? t.col,
    length: changes.length ?? t.length,
    fromMacro: 'fromMacro' in changes ? changes.fromMacro : t.fromMacro,
    space: changes.space ?? t.space,
    bol: changes.bol ?? t.bol,
    hideset: 'hideset' in changes ? changes.hideset : t.hideset,
    problem: t.problem,
  };
}

/** Appends without spreading, which overflows the stack for very long token lists. */
function append(out: PPToken[], tokens: readonly PPToken[]): void {
  for (const t of tokens) out.push(t);
}

const isPaste = (t: PPToken): boolean => t.kind === 'punct' && t.text === '##';

function isPunct(t: PPToken | undefined, text: string): boolean {
  return !!t && t.kind === 'punct' && t.text === text;
}

export function stringize(tokens: readonly PPToken[], at: PPToken): PPToken {
  let s = '';
  tokens.forEach((t, i) => {
    if (t.kind === 'placemarker') return;
    if (i > 0 && t.space && s.length > 0) s += ' ';
    s += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, (c) => '\\' + c) : t.text;
  });
  return copyToken(at, { kind: 'string', text: `"${s}"` });
}

export class Expander {
  /** In `#if`: `defined X` becomes 1 or 0 before its operand can expand. */
  inCondition = false;
  private depth = 0;
  /** Tokens expansions have produced so far (Infinity once over the limit). */
  produced = 0;

  constructor(private readonly host: ExpandHost) {}

  /** Expands everything the stream yields into `out`. */
  expandAll(stream: TokenStream, out: PPToken[]): void {
    for (;;) {
      const t = stream.next();
      if (!t) return;
      if (t.kind === 'identifier' && this.expandOne(t, stream)) continue;
      out.push(t);
    }
  }

  /** Expands a finite list (a macro argument, a directive line). */
  expandList(tokens: readonly PPToken[]): PPToken[] {
    if (this.depth >= MAX_ARGUMENT_NESTING) {
      if (this.depth++ === MAX_ARGUMENT_NESTING && tokens[0]) this.host.error(tokens[0], `macro arguments nest more than ${MAX_ARGUMENT_NESTING} levels deep; inner ones are not expanded`);
      this.depth--;
      return tokens.slice();
    }
    this.depth++;
    try {
      const out: PPToken[] = [];
      this.expandAll(TokenStream.of(tokens), out);
      return out;
    } finally {
      this.depth--;
    }
  }

  /** Returns true when `t` was consumed (its replacement, if any, is now in front of the stream). */
  private expandOne(t: PPToken, stream: TokenStream): boolean {
    const name = t.text;
    if (this.inCondition && name === 'defined') {
      stream.pushFront([this.definedOperator(t, stream)]);
      return true;
    }
    if (this.inCondition && name === '__has_include') {
      stream.pushFront([this.hasIncludeOperator(t, stream)]);
      return true;
    }
    if (t.hideset?.has(name)) return false;
    const dyn = this.host.dynamic(t);
    if (dyn) {
      stream.pushFront([dyn]);
      return true;
    }
    if (name === '_Pragma' || name === '__pragma') return this.pragmaOperator(t, stream);
    const macro = this.host.macros.get(name);
    if (!macro) return false;
    if (this.overBudget(t, 0)) return false;
    if (!macro.params) {
      const hs = new Set(t.hideset ?? EMPTY).add(name);
      const result = macro.body.some(isPaste) ? this.substitute(macro, t, [], hs) : this.relocateBody(macro, t, hs);
      this.produced += result.length;
      stream.pushFront(result);
      return true;
    }
    if (!isPunct(stream.peek(), '(')) return false;
    stream.next();
    const collected = this.collectArgs(macro, t, stream);
    if (!collected) return true;
    const { args, close } = collected;
    // Prosser's rule: the result may not re-expand a macro that was hidden at both the name and the ')'.
    const hs = new Set<string>();
    if (t.hideset) for (const n of t.hideset) if (close.hideset?.has(n)) hs.add(n);
    hs.add(name);
    const result = this.substitute(macro, t, args, hs);
    this.produced += result.length;
    stream.pushFront(result);
    return true;
  }

  /** True once expansions have produced too many tokens; reports it the first time. */
  private overBudget(at: PPToken, pending: number): boolean {
    if (this.produced === Infinity) return true;
    if (this.produced + pending <= MAX_EXPANDED_TOKENS) return false;
    this.host.error(at, `macro expansion produced more than ${MAX_EXPANDED_TOKENS} tokens; no further macros are expanded`);
    this.produced = Infinity;
    return true;
  }

  private definedOperator(t: PPToken, stream: TokenStream): PPToken {
    let operand = stream.next();
    let paren = false;
    if (isPunct(operand, '(')) {
      paren = true;
      operand = stream.next();
    }
    let value = false;
    if (!operand || operand.kind !== 'identifier') {
      this.host.error(operand ?? t, "operator 'defined' requires an identifier");
    } else {
      value = this.host.macros.has(operand.text) || ['__FILE__', '__LINE__', '__COUNTER__', '__DATE__', '__TIME__', '__has_include'].includes(operand.text);
      if (paren && !isPunct(stream.next(), ')')) this.host.error(operand, "missing ')' after 'defined'");
    }
    return copyToken(t, { kind: 'number', text: value ? '1' : '0', hideset: undefined });
  }

  private hasIncludeOperator(t: PPToken, stream: TokenStream): PPToken {
    const result = (value: boolean) => copyToken(t, { kind: 'number', text: value ? '1' : '0', hideset: undefined });
    if (!isPunct(stream.next(), '(')) {
      this.host.error(t, "missing '(' after '__has_include'");
      return result(false);
    }
    const inner: PPToken[] = [];
    for (let u = stream.next(); u && !isPunct(u, ')'); u = stream.next()) inner.push(u);
    const first = inner[0];
    if (first?.kind === 'string' && first.text.startsWith('"') && inner.length === 1) return result(this.host.hasInclude(first.text.slice(1, -1), false, t));
    if (isPunct(first, '<') && isPunct(inner[inner.length - 1], '>') && inner.length > 2) {
      const name = inner.slice(1, -1).map((u, i) => (i > 0 && u.space ? ' ' : '') + u.text).join('');
      return result(this.host.hasInclude(name, true, t));
    }
    this.host.error(first ?? t, '__has_include expects "FILENAME" or <FILENAME>');
    return result(false);
  }

  /** `_Pragma("…")` (C) and `__pragma(…)` (MSVC) are consumed and noted, like `#pragma`. */
  private pragmaOperator(t: PPToken, stream: TokenStream): boolean {
    if (!isPunct(stream.peek(), '(')) return false;
    stream.next();
    let depth = 1;
    const inner: PPToken[] = [];
    for (;;) {
      const u = stream.next();
      if (!u) {
        this.host.error(t, `unterminated ${t.text}(…)`);
        return true;
      }
      if (isPunct(u, '(')) depth++;
      if (isPunct(u, ')') && --depth === 0) break;
      inner.push(u);
    }
    this.host.note(t, `${t.text}(${inner.map((u) => u.text).join(' ')}) ignored: pragmas have no effect in MDL Lab`);
    return true;
  }

  private collectArgs(macro: Macro, t: PPToken, stream: TokenStream): { args: PPToken[][]; close: PPToken } | null {
    const params = macro.params!;
    const args: PPToken[][] = [[]];
    let depth = 0;
    for (;;) {
      const u = stream.next();
      if (!u) {
        this.host.error(t, `unterminated argument list invoking macro "${macro.name}"`);
        return null;
      }
      if (isPunct(u, '(')) depth++;
      else if (isPunct(u, ')')) {
        if (depth === 0) {
          if (args.length === 1 && args[0].length === 0 && params.length === 0) args.pop();
          if (args.length < params.length && macro.variadic && args.length === params.length - 1) args.push([]);
          if (args.length !== params.length) {
            const want = params.length;
            const got = args.length;
            this.host.error(t, `macro "${macro.name}" ${got > want ? 'passed' : 'requires'} ${got > want ? got : want} argument${(got > want ? got : want) === 1 ? '' : 's'}, but ${got > want ? 'takes just' : 'only'} ${got > want ? want : got}${got > want ? '' : ' given'}`);
            return null;
          }
          return { args, close: u };
        }
        depth--;
      } else if (isPunct(u, ',') && depth === 0 && !(macro.variadic && args.length === params.length)) {
        args.push([]);
        continue;
      }
      args[args.length - 1].push(u);
    }
  }

  private substitute(macro: Macro, at: PPToken, args: PPToken[][], hs: ReadonlySet<string>): PPToken[] {
    const params = macro.params ?? [];
    const argOf = (tok: PPToken | undefined): number => (tok && tok.kind === 'identifier' && macro.params ? params.indexOf(tok.text) : -1);
    const vaIndex = macro.variadic ? params.length - 1 : -1;
    const vaEmpty = vaIndex >= 0 && args[vaIndex].length === 0;
    const expanded = new Map<number, PPToken[]>();
    const expandedArg = (k: number): PPToken[] => {
      let e = expanded.get(k);
      if (!e) expanded.set(k, (e = this.expandList(args[k])));
      return e;
    };
    const fromMacro = at.fromMacro ?? macro.name;
    const fromBody = new Set<PPToken>();
    const relocate = (b: PPToken, first: boolean): PPToken => {
      const r = copyToken(b, { file: at.file, line: at.line, col: at.col, length: at.length, fromMacro, bol: false, space: first ? at.space : b.space });
      fromBody.add(r);
      return r;
    };

    const body = this.applyVaOpt(macro, vaEmpty);
    const out: PPToken[] = [];
    if (this.overBudget(at, 0)) return out;
    // Placemarkers stand for empty arguments next to ## and vanish afterwards (C17 6.10.3.3p2).
    const placemarker = (b: PPToken): PPToken => copyToken(relocate(b, false), { kind: 'placemarker', text: '' });
    for (let i = 0; i < body.length; i++) {
      const b = body[i];
      const first = out.length === 0;
      if (macro.params && isPunct(b, '#') && argOf(body[i + 1]) >= 0) {
        out.push(stringize(args[argOf(body[i + 1])], relocate(b, first)));
        i++;
        continue;
      }
      // GNU and MSVC: `, ## __VA_ARGS__` drops the comma when there are no variable arguments.
      if (isPunct(b, ',') && isPunct(body[i + 1], '##') && argOf(body[i + 2]) === vaIndex && vaIndex >= 0) {
        if (vaEmpty) {
          i += 2;
        } else {
          out.push(relocate(b, first));
          append(out, args[vaIndex]);
          i += 2;
        }
        continue;
      }
      if (isPunct(b, '##')) {
        const rhs = body[i + 1];
        i++;
        const k = argOf(rhs);
        const right = k >= 0 ? args[k] : [relocate(rhs, false)];
        const lhs = out.pop();
        if (!lhs) {
          append(out, right);
          continue;
        }
        if (right.length === 0) {
          out.push(lhs);
          continue;
        }
        append(out, this.paste(lhs, right[0]));
        append(out, right.slice(1));
        continue;
      }
      const k = argOf(b);
      if (k >= 0) {
        if (isPunct(body[i + 1], '##')) {
          append(out, args[k].length ? args[k] : [placemarker(b)]);
        } else {
          const e = expandedArg(k);
          // MSVC's traditional preprocessor also drops a comma before an empty __VA_ARGS__.
          if (k === vaIndex && e.length === 0 && isPunct(out[out.length - 1], ',') && fromBody.has(out[out.length - 1])) {
            out.pop();
          }
          if (this.overBudget(at, out.length + e.length)) return [];
          for (let j = 0; j < e.length; j++) out.push(j === 0 ? copyToken(e[j], { space: first ? at.space : b.space }) : e[j]);
        }
        continue;
      }
      out.push(relocate(b, first));
    }
    return withHidesets(out, hs, fromBody);
  }

  /**
   * An object-like macro without `##`: every replacement token, in place of the macro use, with the
   * hide set (what substitute() gives for such a body, without its bookkeeping).
   */
  private relocateBody(macro: Macro, at: PPToken, hs: ReadonlySet<string>): PPToken[] {
    const fromMacro = at.fromMacro ?? macro.name;
    const body = macro.body;
    const out: PPToken[] = new Array(body.length);
    for (let i = 0; i < body.length; i++) {
      const b = body[i];
      const hideset = b.hideset ? new Set([...b.hideset, ...hs]) : hs;
      out[i] = copyToken(b, { file: at.file, line: at.line, col: at.col, length: at.length, fromMacro, bol: false, space: i === 0 ? at.space : b.space, hideset });
    }
    return out;
  }

  /** `__VA_OPT__(x)` is x when variable arguments are present, nothing otherwise (C23, GCC, MSVC). */
  private applyVaOpt(macro: Macro, vaEmpty: boolean): PPToken[] {
    const body = macro.body;
    if (!macro.variadic || !body.some((b) => b.kind === 'identifier' && b.text === '__VA_OPT__')) return body;
    const out: PPToken[] = [];
    for (let i = 0; i < body.length; i++) {
      const b = body[i];
      if (b.kind === 'identifier' && b.text === '__VA_OPT__' && isPunct(body[i + 1], '(')) {
        let depth = 0;
        let j = i + 1;
        const inner: PPToken[] = [];
        for (; j < body.length; j++) {
          if (isPunct(body[j], '(')) depth++;
          if (isPunct(body[j], ')') && --depth === 0) break;
          if (j > i + 1) inner.push(body[j]);
        }
        if (!vaEmpty) append(out, inner);
        else out.push({ ...b, kind: 'placemarker', text: '' });
        i = j;
        continue;
      }
      out.push(b);
    }
    return out;
  }

  private paste(lhs: PPToken, rhs: PPToken): PPToken[] {
    if (lhs.kind === 'placemarker') return [rhs];
    if (rhs.kind === 'placemarker') return [lhs];
    const text = lhs.text + rhs.text;
    const toks = lexFragment(text);
    if (!toks || toks.length !== 1 || toks[0].text !== text) {
      this.host.error(lhs, `pasting "${lhs.text}" and "${rhs.text}" does not give a valid preprocessing token`);
      return [lhs, copyToken(rhs, { space: false })];
    }
    return [copyToken(lhs, { kind: toks[0].kind, text })];
  }
}
