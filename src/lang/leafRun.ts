// The frameless form of a leaf function (one that calls nothing and opens no __try): generated code
// calls it like a JavaScript function when no stop check or call hook could look inside. Its frame
// is built but not pushed; it reaches the machine's explicit stack only when something must see it:
// a fault, bug check or exception inside (pushed before the machine catches it), or the step budget
// running out (pushed, and the machine resumes it where it stopped, as an ordinary frame).
import type { ExprGen, Frame } from './codegen';
import type { CompiledFunction } from './lower';
import { OP_EXEC, OP_EXECJ, OP_JF, OP_JMP, OP_JT, OP_NOP, OP_RET } from './ops';
import { Emitter, instantiate, jsgenAvailable } from './jsgen';

/** What a leaf returns when the budget ran out inside it: its frame is on the machine's stack now. */
export const LEAF_SUSPENDED: unique symbol = Symbol('leaf suspended');

/** Runs the leaf in the frame `f` (parameters filled) to its return value, or LEAF_SUSPENDED. */
export type LeafRun = (f: Frame, m: LeafHost, limit: number) => unknown;

/** What the leaf asks of the machine. */
export interface LeafHost {
  steps: number;
  /** Where the leaf that is running is (its location is the machine's location), else null. */
  leaf: { fn: number; pc: number } | null;
  /** Puts the leaf's frame on the explicit stack (a fault or the budget needs it there). */
  pushLeaf(f: Frame): void;
}

const LEAF_OPS = new Set([OP_EXEC, OP_EXECJ, OP_JF, OP_JT, OP_JMP, OP_NOP, OP_RET]);

/** The frameless form of `cf`, or null when it calls, has a __try, a switch, or codegen is off. */
export function compileLeaf(gen: ExprGen, cf: CompiledFunction): LeafRun | null {
  if (!jsgenAvailable() || cf.paramSlots === null) return null;
  const code = cf.code;
  if (!code.every((i) => LEAF_OPS.has(i.op))) return null;
  const em = new Emitter(gen);
  const suspended = em.x(LEAF_SUSPENDED);
  const out: string[] = [];
  for (let k = 0; k < code.length; k++) {
    const ins = code[k];
    // f.pc names the running instruction, as in the framed form: a fault points at its line
    if (ins.stmt) out.push(`case ${k}: f.pc = ${k}; if (m.steps >= limit) { m.leaf = null; m.pushLeaf(f); return ${suspended}; } m.steps++;`);
    else out.push(`case ${k}: f.pc = ${k};`);
    const value = (): string => (ins.expr ? em.val(ins.expr) : `${em.x(ins.run)}(f)`);
    switch (ins.op) {
      case OP_EXEC: out.push(`${value()};`); break;
      case OP_EXECJ: out.push(`${value()}; pc = ${ins.target}; continue;`); break;
      case OP_JF: out.push(`if (!${value()}) { pc = ${ins.target}; continue; }`); break;
      case OP_JT: out.push(`if (${value()}) { pc = ${ins.target}; continue; }`); break;
      case OP_JMP: out.push(`pc = ${ins.target}; continue;`); break;
      case OP_RET: out.push(`r = ${ins.run ? value() : '0'}; m.leaf = null; return r;`); break;
      default: break;
    }
  }
  const temps = em.temps ? `let ${Array.from({ length: em.temps }, (_, i) => `t${i}`).join(', ')};` : '';
  // without jumps the instructions simply follow one another: no switch, a body small enough for the
  // optimizing compiler to inline into its callers
  const straight = code.every((i) => i.op !== OP_JF && i.op !== OP_JT && i.op !== OP_JMP && i.op !== OP_EXECJ);
  const body = straight ? out.map((l) => l.replace(/^case \d+: /, '')).join('\n') : `for (;;) { switch (pc) { ${out.join('\n')}\n  default: m.leaf = null; return 0; } }`;
  // running off the end returns 0 (a function without a return statement on that path)
  const src = `return function leaf(f, m, limit) { const s = f.s; ${temps} let r, pc = 0; m.leaf = f;
  try { ${body}
  m.leaf = null; return 0; }
  catch (e) { if (m.leaf === f) { m.leaf = null; m.pushLeaf(f); } throw e; } };`;
  return instantiate<LeafRun>(src, em.ext);
}

/** A leaf's body written into its caller's generated code (see inlineLeaf). */
export interface InlineLeaf {
  /** Statements computing the call's value into `result`; they count the leaf's statements. */
  code: string;
  result: string;
  /** The most statements the body runs (the caller makes sure the budget cannot run out inside). */
  statements: number;
  /** The temporaries holding the leaf's slots, in slot order (the frame built if something faults). */
  slots: string[];
  /** Where the body keeps the running instruction (the location of a fault inside). */
  cursor: { fn: number; pc: number };
  /**
   * The body is arithmetic on its temporaries alone: it reaches neither memory nor any helper, so
   * nothing inside can fault, report or look for the running location. It keeps no cursor and
   * needs no handler.
   */
  pure: boolean;
}

/** Names of what generated code reaches outside its own temporaries (memory, helpers, the machine, the frame). */
const OUTSIDE = /(^|[^\w$.])(x\d+|m|f|s|n|nf)\b/;

/**
 * The body of a straight-line leaf (no jump, every instruction an expression the emitter inlines,
 * nothing that needs the frame object) for inlining at a call site whose arguments are already in
 * `args`: the leaf's slots become the caller's temporaries and no frame exists unless a fault needs
 * one. Null when the leaf is not of that kind.
 */
export function inlineLeaf(em: Emitter, cf: CompiledFunction, args: string[]): InlineLeaf | null {
  if (cf.leaf === null || cf.paramSlots === null || args.length !== cf.paramSlots.length) return null;
  const code = cf.code;
  if (!code.every((i) => (i.op === OP_EXEC || i.op === OP_RET || i.op === OP_NOP) && (i.expr !== undefined || (i.op === OP_RET && !i.run) || i.op === OP_NOP))) return null;
  const slots = Array.from({ length: cf.nslots }, () => em.tmp());
  const cursor = { fn: cf.index, pc: 0 };
  const result = em.tmp();
  const saved = em.slotNames;
  em.slotNames = slots;
  /** Per instruction reached: its index, whether it counts a statement, and its code. */
  const body: { k: number; stmt: boolean; text: string }[] = [];
  try {
    for (let k = 0; k < code.length; k++) {
      const ins = code[k];
      if (ins.op === OP_EXEC) body.push({ k, stmt: ins.stmt, text: `${em.val(ins.expr!)};` });
      else if (ins.op === OP_RET) { body.push({ k, stmt: ins.stmt, text: `${result} = ${ins.run ? em.val(ins.expr!) : '0'};` }); break; }
      else body.push({ k, stmt: ins.stmt, text: '' });
    }
  } finally {
    em.slotNames = saved;
  }
  const pure = body.every((b) => !OUTSIDE.test(b.text));
  // each call site has its own cursor, made at 0: a body that is one return never moves it
  const cur = pure ? '' : em.x(cursor);
  const out: string[] = [];
  for (const b of body) {
    if (!pure && (b.k > 0 || code[0].op !== OP_RET)) out.push(`${cur}.pc = ${b.k};`);
    if (b.stmt) out.push('m.steps++;');
    if (b.text) out.push(b.text);
  }
  const statements = body.filter((b) => b.stmt).length;
  const text = out.join(' ');
  // the body must not need a frame: no frame fields, no closure taking one
  if (/(^|[^\w$.])f(\.|\))/.test(text)) return null;
  const init = slots.map((t) => `${t} = -0;`).join(' ') + ' ' + cf.paramSlots.map((slot, i) => `${slots[slot]} = ${args[i]};`).join(' ');
  return { code: `${result} = 0; ${init} ${text}`, result, statements, slots, cursor, pure };
}
