// Loops of a function's instructions as JavaScript loops. The generated form of a function is a
// switch over instruction numbers, so that the machine can resume it at any instruction; a hot loop
// run that way goes through the switch on every jump. Here a natural loop (a header reached again
// by backward jumps, entered only at its header) is also emitted as a labelled `for (;;)` whose
// forward jumps are breaks out of labelled blocks and whose back edges are `continue`s; the switch
// enters it at the header. Statements are counted a run at a time there (statementRuns below); the
// switch form, which the resumption of a stopped run still uses until it reaches a header, checks
// each statement on its own.
import type { Ins } from './lower';
import { OP_CALL, OP_EXECJ, OP_JF, OP_JMP, OP_JT, OP_RET } from './ops';

/** A natural loop: instructions h..e, entered only at h. */
export interface Loop {
  h: number;
  e: number;
}

/** Where an instruction jumps, or -1. */
export function jumpTarget(ins: Ins): number {
  return ins.op === OP_JMP || ins.op === OP_EXECJ || ins.op === OP_JF || ins.op === OP_JT ? ins.target! : -1;
}

/**
 * The loops that can be structured, by header: every instruction inside is one the generated code
 * runs (`runs`), no jump enters the body except at the header, and loops nest properly (a loop that
 * contains one that cannot be structured cannot be either).
 */
export function findLoops(code: Ins[], runs: (ins: Ins) => boolean): Map<number, Loop> {
  const end = new Map<number, number>();
  code.forEach((ins, k) => {
    const t = jumpTarget(ins);
    if (t >= 0 && t <= k) end.set(t, Math.max(end.get(t) ?? t, k));
  });
  const loops = [...end].map(([h, e]) => ({ h, e }));
  const ok = new Set(loops.filter((L) => {
    for (let k = L.h; k <= L.e; k++) if (!runs(code[k])) return false;
    for (let k = 0; k < code.length; k++) {
      if (k >= L.h && k <= L.e) continue;
      const t = jumpTarget(code[k]);
      if (t > L.h && t <= L.e) return false; // entered in the middle
    }
    return true;
  }));
  // improper overlaps, and loops around ones that failed, fail too
  let changed = true;
  while (changed) {
    changed = false;
    for (const A of loops) {
      if (!ok.has(A)) continue;
      for (const B of loops) {
        if (A === B) continue;
        const overlap = A.h <= B.e && B.h <= A.e;
        const nested = (B.h >= A.h && B.e <= A.e) || (A.h >= B.h && A.e <= B.e);
        if ((overlap && !nested) || (!ok.has(B) && B.h >= A.h && B.e <= A.e)) { ok.delete(A); changed = true; break; }
      }
    }
  }
  return new Map([...ok].map((L) => [L.h, L]));
}

/** How the structured emitter asks for the code of one instruction. */
export interface LoopEmitter {
  /** The statement check and f.pc store of instruction k (a loop header's opens its loop body, so back edges pass it too). */
  check(k: number): string;
  /** The body of instruction k; `go(t)` is a statement jumping to t, `next` one going on at k + 1. */
  body(k: number, go: (t: number) => string, next: string): string;
  /** A statement going to instruction t through the switch (its check included). */
  dispatch(t: number): string;
}

/** The labelled JavaScript loop for `L` (entered at its header, the header's check not yet made). */
export function emitLoop(code: Ins[], loops: Map<number, Loop>, L: Loop, em: LoopEmitter): string {
  const active: Loop[] = [];
  const open = new Set<number>();

  const go = (t: number): string => {
    for (let i = active.length - 1; i >= 0; i--) {
      const A = active[i];
      if (t === A.h) return `continue L${t};`;
      if (t === A.e + 1 && i > 0) return `break L${A.h};`;
    }
    if (open.has(t)) return `break B${t};`;
    return em.dispatch(t);
  };

  const range = (a: number, b: number, inner: Loop): string => {
    // forward targets inside this loop's own level (not inside a nested loop), all blocks opened here
    const targets = new Set<number>();
    for (let k = a; k <= b; k++) {
      const t = jumpTarget(code[k]);
      if (t > a && t <= b && !insideNested(t, inner)) targets.add(t);
    }
    const order = [...targets].sort((x, y) => y - x);
    const out: string[] = order.map((t) => `B${t}: {`);
    for (const t of order) open.add(t);
    let k = a;
    while (k <= b) {
      if (targets.has(k)) { out.push('}'); open.delete(k); }
      const N = loops.get(k);
      if (N && N !== inner && N.e <= b) {
        out.push(loopOf(N));
        k = N.e + 1;
        continue;
      }
      out.push(em.check(k));
      out.push(`C${k}: { ${em.body(k, go, `break C${k};`)} }`);
      k++;
    }
    return out.join('\n');
  };

  const insideNested = (t: number, inner: Loop): boolean => {
    for (const N of loops.values()) if (N !== inner && N.h >= inner.h && N.e <= inner.e && t > N.h && t <= N.e) return true;
    return false;
  };

  const loopOf = (N: Loop): string => {
    active.push(N);
    // running off the end of the body is leaving the loop (a do-while whose condition failed)
    const body = `L${N.h}: for (;;) { ${range(N.h, N.e, N)}\n${go(N.e + 1)} }`;
    active.pop();
    return body;
  };

  // the outermost loop leaves through the switch (what follows it there is the resumable code)
  active.push(L);
  const text = `L${L.h}: for (;;) { ${range(L.h, L.e, L)}\n${em.dispatch(L.e + 1)} }`;
  active.pop();
  return text;
}

/**
 * Runs of instructions that always execute together from their first (nothing jumps into their
 * middle, and only a conditional jump leaves early), for counting their statements at once: the
 * budget is checked for the whole run and the clock moved by it on entry; a conditional jump taken
 * out of a run gives back `after` of its instruction, and so does an exception thrown inside. A call
 * or a return ends a run, so a callee, a stop and an outcome always see the exact clock.
 */
export interface StatementRuns {
  /** Per instruction: the statements of the run it starts, or -1 when it starts none. */
  count: Int32Array;
  /** Per instruction: the statements of its run after it. */
  after: Int32Array;
  /** Per instruction starting a run: the run's last instruction. */
  last: Int32Array;
}

export function statementRuns(code: Ins[], loops: Map<number, Loop>, runs: (ins: Ins) => boolean): StatementRuns {
  const n = code.length;
  const start = new Uint8Array(n + 1);
  start[0] = 1;
  for (const L of loops.values()) { start[L.h] = 1; start[L.e + 1] = 1; }
  code.forEach((ins, k) => {
    const t = jumpTarget(ins);
    if (t >= 0) start[t] = 1;
    // what follows an unconditional jump, a call, a return or what the machine runs starts afresh
    if (ins.op === OP_JMP || ins.op === OP_EXECJ || ins.op === OP_CALL || ins.op === OP_RET || !runs(ins)) start[k + 1] = 1;
  });
  const count = new Int32Array(n).fill(-1);
  const after = new Int32Array(n);
  const last = new Int32Array(n).fill(-1);
  let k = 0;
  while (k < n) {
    let e = k + 1;
    while (e < n && !start[e]) e++;
    let left = 0;
    for (let j = e - 1; j >= k; j--) { after[j] = left; if (code[j].stmt) left++; }
    count[k] = left;
    last[k] = e - 1;
    k = e;
  }
  return { count, after, last };
}

