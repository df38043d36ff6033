// A function's instructions as one generated JavaScript function (the machine's fast path): it runs
// from statement to statement with the budget and stop check inline, expressions inlined by the
// Emitter of jsgen.ts, and calls and returns handed to the machine's own paths.
import type { ExprGen, Frame } from './codegen';
import type { Ins } from './lower';
import { OP_CALL, OP_EXEC, OP_EXECJ, OP_JF, OP_JMP, OP_JT, OP_NOP, OP_RET } from './ops';
import { Emitter, jsgenAvailable } from './jsgen';

/**
 * Runs a function's instructions from `f.pc` (whose statement check the machine has made) until one
 * the machine handles itself (SEH, a switch), a call or return has changed frames, the step budget
 * runs out, or `stop` says yes. f.pc always names the running instruction, so faults and bug checks
 * point at the right C line. Returns one of the FAST_* codes.
 */
export type FastRun = (f: Frame, m: FastHost, limit: number, stop: ((m: any) => boolean) | undefined) => number;

/** What the generated code asks of the machine (calls and returns run there, exactly as in its loop). */
export interface FastHost {
  steps: number;
  fastCall(ins: Ins, f: Frame): number;
  fastRet(f: Frame, v: any): number;
}

/** The machine goes on at f.pc of the top frame (its statement check not yet made). */
export const FAST_FRAME = 0;
/** `stop` said yes at the statement at f.pc. */
export const FAST_STOPPED = 1;
/** A call or return ended the slice: the machine returns its pending outcome. */
export const FAST_OUTCOME = 2;

const FAST_OPS = new Set([OP_EXEC, OP_EXECJ, OP_JF, OP_JT, OP_JMP, OP_NOP, OP_CALL, OP_RET]);

/** The function-level form of a function's instructions, or null when codegen is off or there is nothing to gain. */
export function compileFunction(gen: ExprGen, code: Ins[]): FastRun | null {
  if (!jsgenAvailable()) return null;
  const em = new Emitter(gen);
  const out: string[] = [];
  for (let k = 0; k < code.length; k++) {
    const ins = code[k];
    if (!FAST_OPS.has(ins.op)) {
      out.push(`case ${k}: f.pc = ${k}; return ${FAST_FRAME};`);
      continue;
    }
    // the statement check: budget first (the machine answers it again at f.pc), then the stop check
    // f.pc is set once per instruction: at the positive label (a jump or fall-through arrives there);
    // the machine enters at the negative one with f.pc already there and the check made
    if (ins.stmt) out.push(`case ${k}: f.pc = ${k}; if (m.steps >= limit) return ${FAST_FRAME}; if (stop !== undefined && stop(m)) return ${FAST_STOPPED}; m.steps++;`);
    else out.push(`case ${k}: f.pc = ${k};`);
    out.push(`case ${-k - 1}:`);
    const value = (): string => (ins.expr ? em.val(ins.expr) : `${em.x(ins.run)}(f)`);
    switch (ins.op) {
      case OP_EXEC: out.push(`${value()};`); break;
      case OP_EXECJ: out.push(`${value()}; pc = ${ins.target}; continue;`); break;
      case OP_JF: out.push(`if (!${value()}) { pc = ${ins.target}; continue; }`); break;
      case OP_JT: out.push(`if (${value()}) { pc = ${ins.target}; continue; }`); break;
      case OP_JMP: out.push(`pc = ${ins.target}; continue;`); break;
      case OP_CALL: out.push(`return m.fastCall(${em.x(ins)}, f);`); break;
      case OP_RET: out.push(`return m.fastRet(f, ${ins.run ? value() : '0'});`); break;
      default: break;
    }
  }
  const names = em.ext.map((_, i) => `x${i}`);
  const temps = em.temps ? `let ${Array.from({ length: em.temps }, (_, i) => `t${i}`).join(', ')};` : '';
  const src = `return function fast(f, m, limit, stop) { const s = f.s; ${temps} let pc = -f.pc - 1;
  for (;;) { switch (pc) { ${out.join('\n')}
  default: f.pc = ${code.length}; return ${FAST_FRAME}; } } };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function(...names, src) as (...x: unknown[]) => FastRun)(...em.ext);
}
