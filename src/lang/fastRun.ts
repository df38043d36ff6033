// A function's instructions as one generated JavaScript function (the machine's fast path): it runs
// from statement to statement with the budget and stop check inline, expressions inlined by the
// Emitter of jsgen.ts, and calls and returns handed to the machine's own paths.
import type { FuncSym } from './ast';
import type { ExprGen, Frame } from './codegen';
import type { CompiledFunction, Ins } from './lower';
import { OP_CALL, OP_EXEC, OP_EXECJ, OP_JF, OP_JMP, OP_JT, OP_NOP, OP_RET, OP_TRY } from './ops';
import { Emitter, instantiate, jsgenAvailable } from './jsgen';
import { inlineLeaf, LEAF_SUSPENDED } from './leafRun';
import { emitLoop, findLoops, statementRuns } from './loopForm';

/**
 * Runs a function's instructions from `f.pc` (whose statement check the machine has made) until one
 * the machine handles itself (SEH, a switch), a call or return has changed frames, the step budget
 * runs out, or `stop` says yes. f.pc always names the running instruction, so faults and bug checks
 * point at the right C line. Returns one of the FAST_* codes.
 */
export type FastRun = (f: Frame, m: FastHost, limit: number, stop: ((m: any) => boolean) | undefined, depth: number) => number;

/** What the generated code asks of the machine (calls and returns run there, exactly as in its loop). */
export interface FastHost {
  steps: number;
  fastCall(ins: Ins, f: Frame): number;
  fastRet(f: Frame, v: any): number;
  fastCallArgs(ins: Ins, f: Frame, a: any[]): number;
  onCall?: unknown;
  /** The generated form of the top frame's function when it can run nested in its caller's, else null. */
  fastTop(caller: Frame): FastRun | null;
  /** A nested callee returned: its frame is gone, its value is here for the caller to store. */
  rv: any;
  /** Pops the top frame (a nested callee returning straight to its caller's generated code). */
  popReturned(): void;
  /** The frame on top of the explicit stack. */
  top(): Frame;
  /** Pushes a frame for a call of `cf` from `caller` (its parameters still zero); bug check 0x7F when the stack is full. */
  enterC(cf: CompiledFunction, caller: Frame): Frame;
  /** The next statement is a retry (after a page fault resolved by driver code): callees go through the machine's loop. */
  retry: boolean;
  /** The lowest address a frame may take. */
  readonly stackLimit: number;
  /** A fault in an inlined leaf: its frame, built from its slots, goes on the stack. */
  leafThrown(cf: CompiledFunction, caller: Frame, slots: unknown[], pc: number): void;
  /** Where the frameless or inlined leaf that is running is, else null. */
  leaf: { fn: number; pc: number } | null;
  /** The frame whose loop function counted the statements of its current run ahead, and by how much at each pc (see statementRuns). */
  countingFrame: Frame | null;
  countedAhead: Int32Array | null;
  /** The frame for a frameless call of a leaf (leafRun.ts), not pushed; null when the stack would overflow. */
  leafFrame(cf: CompiledFunction, caller: Frame): Frame | null;
}

/**
 * How many C calls deep the generated code runs callees nested in their callers' JavaScript frames
 * (deeper calls go back through the machine's loop, so C recursion never grows the host stack much).
 */
export const NEST_LIMIT = 48;

/** The machine goes on at f.pc of the top frame (its statement check not yet made). */
export const FAST_FRAME = 0;
/** `stop` said yes at the statement at f.pc. */
export const FAST_STOPPED = 1;
/** A call or return ended the slice: the machine returns its pending outcome. */
export const FAST_OUTCOME = 2;
/** A nested callee returned to its caller (never seen by the machine): the value is in `m.rv`. */
const FAST_RETURNED = 3;

/** Where a loop function declares the temporaries (known once everything is emitted). */
const TEMPS = '/*temps*/';

const FAST_OPS = new Set([OP_EXEC, OP_EXECJ, OP_JF, OP_JT, OP_JMP, OP_NOP, OP_CALL, OP_RET]);
/** Whether the generated code runs this instruction itself (the others go back to the machine's loop). */
export const runs = (ins: Ins): boolean => FAST_OPS.has(ins.op);

/** The function-level form of a function's instructions, or null when codegen is off. `callee` finds a C callee's compiled function. */
export function compileFunction(gen: ExprGen, cf: CompiledFunction, callee: (sym: FuncSym) => CompiledFunction | undefined): FastRun | null {
  if (!jsgenAvailable()) return null;
  const code = cf.code;
  // without __try no frame of this function ever has a scope open: a return needs no unwinding check
  const noTries = !code.some((i) => i.op === OP_TRY);
  const em = new Emitter(gen);
  /**
   * How code leaves: `ret(code)` hands a FAST_* code to the machine, `resume` goes on at f.pc through
   * the switch, `dispatch(t)` at instruction t. In the switch function these return and continue;
   * in a loop's own function (below) they return to the switch function, which does the same.
   */
  interface Exits { ret(code: string): string; resume: string; dispatch(t: number): string }
  const inSwitch: Exits = { ret: (c) => `return ${c};`, resume: 'pc = f.pc; continue D;', dispatch: (t) => `{ pc = ${t}; continue D; }` };
  const inLoop: Exits = { ret: (c) => `return -1 - ${c};`, resume: 'return f.pc;', dispatch: (t) => `return ${t};` };
  // the statement check: budget first (the machine answers it again at f.pc), then the stop check;
  // f.pc is set once per instruction, so faults and bug checks point at the running one
  const check = (k: number, x: Exits): string => (code[k].stmt
    ? `f.pc = ${k}; if (m.steps >= limit) ${x.ret(String(FAST_FRAME))} if (stop !== undefined && stop(m)) ${x.ret(String(FAST_STOPPED))} m.steps++;`
    : `f.pc = ${k};`);
  const loops = findLoops(code, runs);
  // Each loop has two functions. Without a stop check (a run with no breakpoint or step in force)
  // statements are counted a run at a time: one budget test and one clock update per run. When the
  // budget cannot cover a whole run the switch takes it over, statement by statement: at its
  // positive label, or for a loop header (whose positive label enters the loop function) at the
  // label past the instructions. With a stop check every statement is checked, as in the switch.
  const sr = statementRuns(code, loops, runs);
  const precise = (k: number): number => (loops.has(k) ? code.length + k : k);
  // a run that ends in a call of a straight-line leaf also asks room for the leaf's statements, so
  // the leaf written inline there needs no budget test of its own
  const runCheck = (k: number): string => {
    const n = sr.count[k];
    if (n <= 0) return `f.pc = ${k};`;
    return `if (m.steps + ${n + leafStatements(sr.last[k])} > limit) return ${precise(k)}; m.steps += ${n}; f.pc = ${k};`;
  };
  const after = em.x(sr.after);
  /** Whether the loop function being written counts statements a run at a time. */
  let byRuns = false;
  // each loop is a function of its own, entered from the switch at its header: the switch function
  // stays small enough for the optimizing compiler to take on early, each loop is optimized on its own,
  // and a run resumed inside a nested loop reaches that loop's structured form at its next iteration
  const loopFns: string[] = [];
  const out: string[] = [];
  for (let k = 0; k < code.length; k++) {
    const ins = code[k];
    if (!runs(ins)) {
      out.push(`case ${k}: f.pc = ${k}; return ${FAST_FRAME};`);
      continue;
    }
    const L = loops.get(k);
    if (L) {
      const head = `const s = f.s, room = f.bp - m.stackLimit; ${TEMPS} let r, g, n, nf;`;
      byRuns = true;
      const counted = emitLoop(code, loops, L, { check: runCheck, body: (i, go, next) => instruction(i, go, next, inLoop), dispatch: inLoop.dispatch });
      byRuns = false;
      const checked = emitLoop(code, loops, L, { check: (i) => check(i, inLoop), body: (i, go, next) => instruction(i, go, next, inLoop), dispatch: inLoop.dispatch });
      // An exception inside a run leaves the clock at the statement that raised it. Meanwhile the
      // machine knows which frame counts ahead and by how much at each pc (countingFrame,
      // countedAhead), so that whatever asks where it is (an MM event's step) gets the exact clock;
      // a callee's loop function sets its own and gives the caller's back.
      let gives = false;
      for (let i = L.h; i <= L.e; i++) if (sr.after[i] > 0) gives = true;
      const guarded = gives
        ? `const cf = m.countingFrame, ca = m.countedAhead; m.countingFrame = f; m.countedAhead = ${after};
try { ${counted} } catch (e) { m.steps -= ${after}[f.pc]; throw e; } finally { m.countingFrame = cf; m.countedAhead = ca; }`
        : counted;
      loopFns.push(`function loop${k}(f, m, limit, stop, d) { ${head} ${guarded} }`);
      loopFns.push(`function loop${k}s(f, m, limit, stop, d) { ${head} ${checked} }`);
      out.push(`case ${k}: if ((r = stop === undefined ? loop${k}(f, m, limit, stop, d) : loop${k}s(f, m, limit, stop, d)) < 0) return -1 - r; pc = r; continue D;`);
      out.push(`case ${code.length + k}: ${check(k, inSwitch)}`);
    } else {
      // a jump or fall-through arrives at the positive label; the machine enters at the negative one
      // with f.pc already there and the check made
      out.push(`case ${k}: ${check(k, inSwitch)}`);
    }
    out.push(`case ${-k - 1}:`);
    out.push(instruction(k, inSwitch.dispatch, inSwitch.dispatch(k + 1), inSwitch));
  }

  /** The C function a call instruction calls directly (parameters in slots, every argument an expression), if any. */
  function directCallee(ins: Ins): CompiledFunction | undefined {
    const target = ins.op === OP_CALL && ins.callee && !ins.brk ? callee(ins.callee) : undefined;
    const direct = target && target.paramSlots !== null && ins.argExprs && ins.argExprs.length === target.paramSlots.length && ins.argExprs.every((a) => a);
    return direct ? target : undefined;
  }

  /** The most statements a leaf called directly at instruction k can run (0 for anything else). */
  function leafStatements(k: number): number {
    const target = k >= 0 ? directCallee(code[k]) : undefined;
    return target && target.leaf !== null ? target.code.filter((i) => i.stmt).length : 0;
  }

  /** A conditional jump out of instruction k: in a loop function it gives back the statements of its run it skips. */
  function leave(k: number, jump: string, x: Exits): string {
    return byRuns && x === inLoop && sr.after[k] > 0 ? `{ m.steps -= ${sr.after[k]}; ${jump} }` : jump;
  }

  /** The code of instruction k, jumping with `go`, going on to k + 1 with `next`, leaving through `x`. */
  function instruction(k: number, go: (t: number) => string, next: string, x: Exits): string {
    const ins = code[k];
    const out: string[] = [];
    const value = (): string => (ins.expr ? em.val(ins.expr) : `${em.x(ins.run)}(f)`);
    switch (ins.op) {
      case OP_EXEC: out.push(`${value()};`); break;
      case OP_EXECJ: out.push(`${value()}; ${go(ins.target!)}`); break;
      case OP_JF: out.push(`if (!${value()}) ${leave(k, go(ins.target!), x)}`); break;
      case OP_JT: out.push(`if (${value()}) ${leave(k, go(ins.target!), x)}`); break;
      case OP_JMP: out.push(go(ins.target!)); break;
      case OP_CALL: {
        const target = directCallee(ins);
        const storeOf = (v: string): string => (ins.storeSlot! >= 0 ? `s[${ins.storeSlot}] = ${v};` : ins.store ? `${em.x(ins.store)}(f, ${v}, false);` : '');
        if (target) {
          // a C function with its parameters in slots: arguments computed here (a fault leaves no frame
          // behind), its frame pushed and filled, and its generated form called directly
          const c = em.x(target);
          const temps = ins.argExprs!.map((e) => [em.tmp(), em.val(e!)] as const);
          const fill = target.paramSlots!.map((slot, i) => `n[${slot}] = ${temps[i][0]};`).join(' ');
          out.push(`if (m.onCall === undefined && d < ${NEST_LIMIT}) { ${temps.map(([t, v]) => `${t} = ${v};`).join(' ')}`);
          const inl = target.leaf !== null ? inlineLeaf(em, target, temps.map(([t]) => t)) : null;
          if (inl !== null) {
            // a straight-line leaf runs inline when nothing could stop inside it, the budget covers all
            // of its statements and the stack has room for its frame (built only if something faults)
            // (in a loop function counting by runs, the run's check made room for them and there is no stop check)
            const budget = byRuns && x === inLoop ? '' : `stop === undefined && m.steps + ${inl.statements} <= limit && `;
            out.push(`if (${budget}m.retry === false && room >= ${target.frameSize + 16}) {`);
            if (inl.pure) out.push(`${inl.code} ${storeOf(inl.result)} ${next} }`);
            else {
              const cur = em.x(inl.cursor);
              out.push(`m.leaf = ${cur}; try { ${inl.code} } catch (e) { m.leafThrown(${c}, f, [${inl.slots.join(', ')}], ${cur}.pc); throw e; }`);
              out.push(`m.leaf = null; ${storeOf(inl.result)} ${next} }`);
            }
          }
          if (target.leaf !== null) {
            // a leaf runs frameless when nothing could stop inside it: no stop check, no retry pending
            out.push(`if (stop === undefined && m.retry === false && (nf = m.leafFrame(${c}, f)) !== null) { n = nf.s; ${fill}`);
            out.push(`if ((r = ${c}.leaf(nf, m, limit)) === ${em.x(LEAF_SUSPENDED)}) ${x.ret(String(FAST_FRAME))} ${storeOf('r')} ${next} }`);
          }
          out.push(`nf = m.enterC(${c}, f); n = nf.s; ${fill}`);
          out.push(`if ((g = ${c}.fast) === null || m.retry) ${x.ret(String(FAST_FRAME))}`);
          out.push(`if ((r = g(nf, m, limit, stop, d + 1)) === ${FAST_RETURNED}) { ${storeOf('m.rv')} ${next} }`);
          out.push(`if (r !== ${FAST_FRAME} || m.top() !== f) ${x.ret('r')} ${x.resume} }`);
        }
        // the callee runs nested (no trip through the machine's loop for the call or the return);
        // the explicit stack stays the truth, so a stop, fault or outcome inside just unwinds to the machine
        if (ins.callee && ins.argExprs && ins.argExprs.length === ins.args!.length && ins.argExprs.every((a) => a)) {
          // arguments inlined into a per-call-site array, unless a hook may stop the call before they are computed
          const a = em.x(new Array(ins.args!.length).fill(0));
          const fill = ins.argExprs.map((e, i) => `${a}[${i}] = ${em.val(e!)};`).join(' ');
          out.push(`if (m.onCall !== undefined) r = m.fastCall(${em.x(ins)}, f); else { ${fill} r = m.fastCallArgs(${em.x(ins)}, f, ${a}); }`);
        } else out.push(`r = m.fastCall(${em.x(ins)}, f);`);
        out.push(`if (r !== ${FAST_FRAME} || d >= ${NEST_LIMIT} || (g = m.fastTop(f)) === null) ${x.ret('r')}`);
        // the callee returned straight here: store its value and go on at the next instruction
        if (!ins.brk) out.push(`if ((r = g(m.top(), m, limit, stop, d + 1)) === ${FAST_RETURNED}) { ${storeOf('m.rv')} ${next} }`);
        else out.push(`r = g(m.top(), m, limit, stop, d + 1);`);
        out.push(`if (r !== ${FAST_FRAME} || m.top() !== f) ${x.ret('r')}`);
        // back in this frame with f.pc past the call: go on from there (its statement check included)
        out.push(x.resume);
        break;
      }
      case OP_RET:
        // nested (d > 0: the caller's generated code waits right below) and no __finally to run: return straight to it
        out.push(`r = ${ins.run ? value() : '0'}; if (d > 0${noTries ? '' : ' && f.tries.length === 0'}) { m.rv = r; m.popReturned(); ${x.ret(String(FAST_RETURNED))} } ${x.ret('m.fastRet(f, r)')}`);
        break;
      default: break;
    }
    return out.join('\n');
  }
  const temps = em.temps ? `let ${Array.from({ length: em.temps }, (_, i) => `t${i}`).join(', ')};` : '';
  // the machine enters with the statement check made (negative label); a nested call at its first
  // instruction, not yet checked (positive label)
  const src = `${loopFns.join('\n').split(TEMPS).join(temps)}
  return function fast(f, m, limit, stop, d) { const s = f.s, room = f.bp - m.stackLimit; ${temps} let r, g, n, nf, pc = d === 0 ? -f.pc - 1 : f.pc;
  D: for (;;) { switch (pc) { ${out.join('\n')}
  default: f.pc = ${code.length}; return ${FAST_FRAME}; } } };`;
  return instantiate<FastRun>(src, em.ext);
}
