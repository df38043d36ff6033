// The running interpreter: an explicit frame stack over flat instruction lists, SEH dispatch and
// unwinding as Windows does it, native routine calls (and their calls back into C), all state plain data.
import { BugCheck, GuestCallFault, SehException, type GuestCallRequest, type GuestKernel, type U64 } from '../emulator/contract';
import type { EvaluateOptions, FrameInfo, Machine, RunOutcome, SourceLocation, StopCheck, ValueView } from './contract';
import type { Frame, Transfer } from './codegen';
import { truncInt } from './arith';
import {
  OP_CALL, OP_EXEC, OP_EXECJ, OP_FINEND, OP_JF, OP_JMP, OP_JT, OP_NOP, OP_RET, OP_SWITCH, OP_TRY, OP_TRYEND, OP_XJMP, type CompiledFunction, type Ins,
} from './lower';
import { type Linked, linkProgram, type NativeBinding } from './link';
import type { CProgram } from './program';
import { DebugViews } from './views';
import { FAST_FRAME, FAST_OUTCOME, FAST_STOPPED, type FastRun } from './fastRun';
import { calleeBase, newFrame, NO_FIN, NO_TRIES } from './frames';
import { writeExceptionRecord } from './exceptionRecord';
import { InstructionUndo } from './instructionUndo';

const BUDGET: RunOutcome = { kind: 'budget' };
/** pc of the nt!MmAccessFault pseudo-frame that runs driver code to resolve a page fault. */
const FAULT_FRAME = -1;
const STOPPED: RunOutcome = { kind: 'stopped' };

export class RuntimeError extends Error {
  constructor(message: string, readonly location: SourceLocation | null, readonly callStack: FrameInfo[]) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export class CMachine implements Machine {
  readonly kernel: GuestKernel;
  steps = 0;
  onCall?: (name: string, native: boolean) => boolean | void;
  onException?: (status: number, native: boolean, explanation: string) => boolean | void;
  /** @internal */ stack: Frame[] = [];
  /** @internal */ linked: Linked;
  private outcome: RunOutcome | null = null;
  /** What a call or return made by generated code ended the run slice with. */
  private pending: RunOutcome | null = null;
  private resumeAt = false;
  private skipCall = false;
  /** @internal The next statement header is a retry after a page fault resolved by driver code. */
  retry = false;
  private nativeName: string | null = null;
  private views: DebugViews;
  /** @internal the lowest address a frame may take (the generated code checks room for inlined calls). */
  readonly stackLimit: number;
  /** @internal set by generated loop functions (see FastHost.countingFrame). */
  countingFrame: Frame | null = null;
  /** @internal */
  countedAhead: Int32Array | null = null;
  /** What the running statement changed, while a page fault may need driver code (see loop()). */
  private readonly undo: InstructionUndo;

  constructor(readonly program: CProgram, kernel: GuestKernel, entry = 'LabMain') {
    this.kernel = kernel;
    this.stackLimit = kernel.kernelStackLimit;
    this.undo = new InstructionUndo(kernel.memory);
    this.linked = linkProgram(program, kernel);
    const cf = this.linked.byName.get(entry);
    if (!cf) throw new Error(`the scenario has no function '${entry}' (the entry point is 'VOID ${entry}(VOID)')`);
    this.enter(cf, [], kernel.kernelStackBase - 0x30);
    kernel.setLocationProvider(() => {
      // a frameless leaf that is running is where the machine is, though not yet on its stack
      const f = this.leaf ?? this.topC();
      if (!f) return null;
      const ins = this.linked.fns[f.fn].code[f.pc];
      // a loop function counts a run's statements on entering it: the clock at f.pc is behind that
      const step = f === this.countingFrame ? this.steps - this.countedAhead![f.pc] : this.steps;
      return ins ? { file: ins.loc.file, line: ins.loc.line, function: this.linked.fns[f.fn].name, step } : null;
    });
    this.views = new DebugViews(this);
  }

  // ---------- queries ----------
  depth(): number { let n = 0; for (const f of this.stack) if (!f.native) n++; return n; }
  private topC(): Frame | null { for (let i = this.stack.length - 1; i >= 0; i--) if (!this.stack[i].native) return this.stack[i]; return null; }
  location(): SourceLocation | null {
    const f = this.topC();
    if (!f) return null;
    const ins = this.linked.fns[f.fn].code[f.pc];
    return ins ? { file: ins.loc.file, line: ins.loc.line, col: ins.loc.col } : null;
  }
  currentFunction(): string | null { const f = this.topC(); return f ? this.linked.fns[f.fn].name : null; }
  /** The outcome that ended the run, if it has ended. */
  get finished(): RunOutcome | null { return this.outcome; }

  frames(): FrameInfo[] {
    const out: FrameInfo[] = [];
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.native) { out.push({ index: out.length, function: `nt!${f.native}`, native: true, location: null }); continue; }
      const cf = this.linked.fns[f.fn];
      const ins = cf.code[Math.min(f.pc, cf.code.length - 1)];
      out.push({ index: out.length, function: cf.name, native: false, location: { file: ins.loc.file, line: ins.loc.line, col: ins.loc.col } });
    }
    return out;
  }
  /** @internal the frame object behind a frames() index */
  frameAt(index: number): Frame | null { const f = this.stack[this.stack.length - 1 - index]; return f ?? null; }

  locals(frame: number, hex?: boolean): ValueView[] { return this.views.locals(frame, !!hex); }
  globals(hex?: boolean): ValueView[] { return this.views.globals(!!hex); }
  evaluate(expression: string, options?: EvaluateOptions): ValueView { return this.views.evaluate(expression, options ?? {}); }
  assign(target: string, value: string, options?: EvaluateOptions): ValueView { return this.views.assign(target, value, options ?? {}); }

  // ---------- state ----------
  saveState(): unknown {
    return {
      steps: this.steps,
      outcome: this.outcome,
      resumeAt: this.resumeAt,
      skipCall: this.skipCall,
      retry: this.retry,
      stack: this.stack.map((f) => ({ ...f, s: f.s.slice(), tries: f.tries.slice(), fin: f.fin.map((x) => ({ scope: x.scope, rec: { ...x.rec } })) })),
    };
  }
  restoreState(state: unknown): void {
    const s = state as { steps: number; outcome: RunOutcome | null; resumeAt: boolean; skipCall: boolean; retry?: boolean; stack: Frame[] };
    this.steps = s.steps;
    this.outcome = s.outcome;
    this.resumeAt = s.resumeAt;
    this.skipCall = s.skipCall;
    this.retry = !!s.retry;
    this.nativeName = null;
    this.stack = s.stack.map((f) => ({ ...f, s: f.s.slice(), tries: f.tries.slice(), fin: f.fin.map((x) => ({ scope: x.scope, rec: { ...x.rec } })) }));
  }

  // ---------- running ----------
  run(maxSteps: number, shouldStop?: StopCheck): RunOutcome {
    if (this.outcome) return this.outcome;
    const limit = this.steps + Math.max(0, maxSteps);
    for (;;) {
      try {
        return this.loop(limit, shouldStop);
      } catch (e) {
        if (e instanceof GuestCallFault) {
          // a page fault the kernel resolves by running driver code (a paging read through the
          // scenario's filter): run it as nt!MmAccessFault, then execute the faulting instruction again,
          // with what it had already done undone
          this.undo.undo();
          this.nativeName = null;
          this.pushNativeFrame('MmAccessFault', e.request);
          this.stack[this.stack.length - 1].pc = FAULT_FRAME;
          try {
            this.enterGuest(e.request);
          } catch (x) {
            // a bad routine pointer (e.g. a garbage MajorFunction entry): the fault is raised in
            // the kernel's frame like any other, not thrown past the loop that would catch it
            if (!(x instanceof SehException)) throw x;
            const r = this.raise(x);
            if (r) return r;
          }
          continue;
        }
        if (e instanceof SehException) {
          const r = this.raise(e);
          if (r) return r;
          continue;
        }
        if (e instanceof BugCheck) {
          if (this.nativeName) { this.pushNativeFrame(this.nativeName); this.nativeName = null; }
          return this.finish({ kind: 'bugcheck', bugcheck: e });
        }
        const err = e instanceof Error ? e : new Error(String(e));
        const loc = this.location();
        throw new RuntimeError(`${loc ? `${loc.file}:${loc.line}: ` : ''}internal error while running C: ${err.message}`, loc, this.frames());
      }
    }
  }

  private finish(o: RunOutcome): RunOutcome { this.outcome = o; return o; }

  private loop(limit: number, shouldStop?: StopCheck): RunOutcome {
    const stack = this.stack;
    const fns = this.linked.fns;
    let f = stack[stack.length - 1];
    let code = fns[f.fn].code;
    // the statement we stopped at last time runs without asking shouldStop again
    let skip = this.resumeAt;
    this.resumeAt = false;
    // a sparse check is asked at the statements this loop sees (the first of the slice, the first after
    // a routine returned or an exception was dispatched, every one the generated code hands back) and
    // not by the generated code, which therefore starts only at a statement, once it has been asked
    const sparse = shouldStop !== undefined && shouldStop.sparse === true;
    const inner = sparse ? undefined : shouldStop;
    for (;;) {
      const ins = code[f.pc];
      if (ins.stmt) {
        if (this.retry) this.retry = false; // started (and counted) before its page fault
        else {
          if (skip) skip = false;
          else {
            if (this.steps >= limit) return BUDGET;
            if (shouldStop !== undefined && shouldStop(this)) { this.resumeAt = true; return STOPPED; }
          }
          this.steps++;
        }
      }
      if (this.kernel.pagingRunsDrivers === true) {
        // a page fault may need driver code before this instruction can finish: it must then run again
        // from its start, so it runs here (not in generated code) with its slots and writes kept
        this.undo.keep(f);
      } else if ((ins.op <= OP_RET || ins.op >= OP_NOP) && (ins.stmt || !sparse)) {
        // the function's generated form runs on from here (calls and returns included) to SEH, a switch or a stop
        const fast = fns[f.fn].fast;
        if (fast !== null) {
          const r = fast(f, this, limit, inner, 0);
          if (r === FAST_STOPPED) { this.resumeAt = true; return STOPPED; }
          if (r === FAST_OUTCOME) { const o = this.pending!; this.pending = null; return o; }
          f = stack[stack.length - 1];
          code = fns[f.fn].code;
          continue;
        }
      }
      switch (ins.op) {
        case OP_EXEC: ins.run!(f); f.pc++; break;
        case OP_EXECJ: ins.run!(f); f.pc = ins.target!; break;
        case OP_JF: f.pc = ins.run!(f) ? f.pc + 1 : ins.target!; break;
        case OP_JT: f.pc = ins.run!(f) ? ins.target! : f.pc + 1; break;
        case OP_JMP: f.pc = ins.target!; break;
        case OP_NOP: f.pc++; break;
        case OP_CALL: {
          const r = this.call(ins, f);
          if (r) return r;
          f = stack[stack.length - 1];
          code = fns[f.fn].code;
          break;
        }
        case OP_RET: {
          const r = this.ret(f, ins.run ? ins.run(f) : 0);
          if (r) return r;
          f = stack[stack.length - 1];
          code = fns[f.fn].code;
          break;
        }
        case OP_SWITCH: {
          const t = ins.table!.get(ins.run!(f));
          f.pc = t === undefined ? ins.target! : t;
          break;
        }
        case OP_TRY: if (f.tries === NO_TRIES) f.tries = []; f.tries.push(ins.scope!); f.pc++; break;
        case OP_TRYEND: f.tries.pop(); f.pc++; break;
        case OP_FINEND: {
          const fin = f.fin;
          if (fin.length && fin[fin.length - 1].scope === ins.scope) {
            const r = this.transfer(f, fin.pop()!.rec);
            if (r) return r;
            f = stack[stack.length - 1];
            code = fns[f.fn].code;
          } else f.pc++;
          break;
        }
        case OP_XJMP: {
          const r = this.transfer(f, { kind: 'jump', pc: ins.target!, depth: ins.depth! });
          if (r) return r;
          break;
        }
        default: throw new Error(`bad instruction ${ins.op}`);
      }
    }
  }

  /** @internal a call instruction, for the generated code: FAST_OUTCOME when the run must end with `pending`. */
  fastCall(ins: Ins, f: Frame): number {
    const r = this.call(ins, f);
    if (r === null) return FAST_FRAME;
    this.pending = r;
    return FAST_OUTCOME;
  }

  /**
   * @internal a direct call for the generated code, its arguments already computed into `a` (only
   * while no onCall hook is set: a hook that stops the call must see the arguments unevaluated).
   */
  fastCallArgs(ins: Ins, f: Frame, a: any[]): number {
    const target = (ins.resolved ??= this.linked.resolve(ins.callee!)) as CompiledFunction | NativeBinding;
    this.skipCall = false;
    if (target.native) {
      const nb = target as NativeBinding;
      this.nativeName = nb.name;
      const r = nb.impl(a.slice());
      this.nativeName = null;
      const o = this.nativeDone(r, nb.name, ins, f);
      if (o === null) return FAST_FRAME;
      this.pending = o;
      return FAST_OUTCOME;
    }
    const cf = target as CompiledFunction;
    const ps = cf.paramStore;
    const n = a.length;
    const extra = n > ps.length ? n - ps.length : 0;
    const bp = calleeBase(cf, f.bp, extra);
    if (bp < this.stackLimit) this.stackOverflow(cf, f.bp);
    const nf = this.frameFor(cf, bp);
    const slots = cf.paramSlots;
    if (slots !== null && extra === 0) {
      const s = nf.s;
      for (let i = 0; i < n; i++) s[slots[i]] = a[i];
    } else {
      for (let i = 0; i < n; i++) {
        if (i < ps.length) ps[i](nf, a[i]);
        else this.kernel.memory.write64(bp + cf.frameSize + (i - ps.length) * 8, a[i]); // variadic: 8-byte slots
      }
    }
    this.stack.push(nf);
    return FAST_FRAME;
  }

  /** @internal where the frameless or inlined leaf that is running is (leafRun.ts), else null. */
  leaf: { fn: number; pc: number } | null = null;

  /**
   * @internal a fault in a leaf inlined into its caller's generated code: the frame the call would
   * have had, built from the leaf's slots and pushed, so the fault is raised in it.
   */
  leafThrown(cf: CompiledFunction, f: Frame, slots: any[], pc: number): void {
    this.leaf = null;
    const nf = newFrame(cf, calleeBase(cf, f.bp));
    for (let i = 0; i < nf.s.length; i++) nf.s[i] = slots[i];
    nf.pc = pc;
    this.stack.push(nf);
  }

  /** @internal a frameless leaf's frame goes on the stack (a fault or the budget needs it there). */
  pushLeaf(f: Frame): void {
    this.stack.push(f);
    const cf = this.linked.fns[f.fn];
    if (cf.scratch === f) cf.scratch = null;
  }

  /**
   * @internal the frame for a frameless call of `cf` from `f`, parameters still zero, not pushed;
   * null when the call would overflow the stack (the framed path then raises the bug check).
   */
  leafFrame(cf: CompiledFunction, f: Frame): Frame | null {
    const bp = calleeBase(cf, f.bp);
    if (bp < this.stackLimit) return null;
    this.skipCall = false;
    const nf = cf.scratch;
    if (nf === null) return (cf.scratch = newFrame(cf, bp));
    nf.pc = 0; nf.bp = bp;
    const s = nf.s;
    for (let i = 0; i < s.length; i++) s[i] = -0;
    return nf;
  }

  /** @internal a C call made by generated code: the callee's frame, pushed, its parameters to be filled by the caller. */
  enterC(cf: CompiledFunction, f: Frame): Frame {
    this.skipCall = false;
    const bp = calleeBase(cf, f.bp);
    if (bp < this.stackLimit) this.stackOverflow(cf, f.bp);
    const nf = this.frameFor(cf, bp);
    this.stack.push(nf);
    return nf;
  }

  /** A fresh frame for a call of `cf`: one of an earlier call when there is one (a call then allocates nothing). */
  private frameFor(cf: CompiledFunction, bp: number): Frame {
    const nf = cf.free.pop();
    if (nf === undefined) return newFrame(cf, bp);
    // as fresh as a new one (uninitialised locals read 0 in a replay too)
    nf.pc = 0; nf.bp = bp; nf.tries = NO_TRIES; nf.fin = NO_FIN; nf.exc = 0;
    const s = nf.s;
    for (let i = 0; i < s.length; i++) s[i] = -0;
    return nf;
  }

  /** @internal for the generated code: the top frame's generated form, when it may run nested. */
  fastTop(caller: Frame): FastRun | null {
    const stack = this.stack;
    const t = stack[stack.length - 1];
    // only a C callee right on top of its C caller (not one a routine called back into)
    return t.native === undefined && stack[stack.length - 2] === caller && !this.retry ? this.linked.fns[t.fn].fast : null;
  }

  /** @internal the value a nested callee returned to its caller's generated code. */
  rv: any = 0;

  /** @internal a nested callee's return straight to its caller's generated code (no __finally pending). */
  popReturned(): void {
    const done = this.stack.pop()!;
    const free = this.linked.fns[done.fn].free;
    if (free.length < 4) free.push(done);
  }

  /** @internal */
  top(): Frame { return this.stack[this.stack.length - 1]; }

  /** @internal a return instruction with its value, for the generated code. */
  fastRet(f: Frame, v: any): number {
    const r = this.ret(f, v);
    if (r === null) return FAST_FRAME;
    this.pending = r;
    return FAST_OUTCOME;
  }

  private ret(f: Frame, v: any): RunOutcome | null {
    return f.tries.length ? this.transfer(f, { kind: 'ret', value: v }) : this.doReturn(v);
  }

  private enter(cf: CompiledFunction, args: any[], top?: number): void {
    const below = top ?? this.stackPointer();
    const bp = calleeBase(cf, below);
    if (bp < this.stackLimit) this.stackOverflow(cf, below);
    const f = newFrame(cf, bp);
    const ps = cf.paramStore;
    for (let i = 0; i < ps.length; i++) ps[i](f, args[i] ?? 0);
    this.stack.push(f);
  }

  private stackOverflow(cf: CompiledFunction, below: number): never {
    return this.kernel.bugCheck(0x7f, [8, 0, 0, 0], `kernel stack overflow: calling ${cf.name} needs 0x${cf.frameSize.toString(16)} bytes below 0x${BigInt.asUintN(64, BigInt(below)).toString(16)}, past the stack limit (unbounded recursion?)`);
  }

  private stackPointer(): number {
    for (let i = this.stack.length - 1; i >= 0; i--) if (!this.stack[i].native) return this.stack[i].bp;
    return this.kernel.kernelStackBase - 0x30;
  }

  private call(ins: Ins, f: Frame): RunOutcome | null {
    let target: CompiledFunction | NativeBinding | undefined;
    if (ins.callee) target = (ins.resolved ??= this.linked.resolve(ins.callee)) as CompiledFunction | NativeBinding;
    else {
      const a = ins.fptr!(f);
      target = this.linked.byAddr.get(typeof a === 'number' ? a : NaN);
      if (!target) throw new SehException(0xc0000005, `call through a pointer to 0x${BigInt.asUintN(64, BigInt(a)).toString(16)}, which is not a function`, typeof a === 'number' ? a : 0, false);
    }
    const native = target.native;
    if (this.onCall && !this.skipCall && this.onCall(target.name, native)) {
      // the statement was counted when it started: resuming it must not count it again
      if (ins.stmt) this.retry = true;
      this.skipCall = true;
      return STOPPED;
    }
    this.skipCall = false;
    const argf = ins.args!;
    if (!native) {
      // arguments go straight into the callee's parameters (no intermediate array)
      const cf = target as CompiledFunction;
      const ps = cf.paramStore;
      const extra = argf.length > ps.length ? argf.length - ps.length : 0;
      const bp = calleeBase(cf, f.bp, extra);
      if (bp < this.stackLimit) this.stackOverflow(cf, f.bp);
      const nf = this.frameFor(cf, bp);
      const slots = cf.paramSlots;
      if (slots !== null && extra === 0) {
        const s = nf.s, from = f.s, as = ins.argSlots!;
        for (let i = 0; i < argf.length; i++) { const a = as[i]; s[slots[i]] = a >= 0 ? from[a] : argf[i](f); }
      } else {
        for (let i = 0; i < argf.length; i++) {
          const v = argf[i](f);
          if (i < ps.length) ps[i](nf, v);
          else this.kernel.memory.write64(bp + cf.frameSize + (i - ps.length) * 8, v); // variadic: 8-byte slots
        }
      }
      this.stack.push(nf);
      return null;
    }
    const args = new Array(argf.length);
    for (let i = 0; i < argf.length; i++) args[i] = argf[i](f);
    const nb = target as NativeBinding;
    this.nativeName = nb.name;
    const r = nb.impl(args);
    this.nativeName = null;
    return this.nativeDone(r, nb.name, ins, f);
  }

  private nativeDone(r: import('../emulator/contract').NativeResult, name: string, ins: Ins, caller: Frame): RunOutcome | null {
    if (r !== null && typeof r === 'object' && (r as GuestCallRequest).kind === 'call-guest') {
      this.pushNativeFrame(name, r as GuestCallRequest);
      this.enterGuest(r as GuestCallRequest);
      return null;
    }
    const t = ins.retType!;
    const v = t.k === 'void' ? 0 : t.k === 'int' ? truncInt((r ?? 0) as U64, t.size, t.signed) : t.k === 'float' ? Number(r ?? 0) : ((r ?? 0) as U64);
    if (ins.storeSlot! >= 0) caller.s[ins.storeSlot!] = v;
    else if (ins.store) ins.store(caller, v, true);
    caller.pc++;
    if (ins.brk) return { kind: 'break', reason: ins.brk };
    return null;
  }

  private pushNativeFrame(name: string, req?: GuestCallRequest): void {
    const top = this.stack[this.stack.length - 1];
    this.stack.push({ fn: -1, pc: 0, s: [], bp: top ? top.bp : this.kernel.kernelStackBase, tries: [], fin: [], exc: 0, native: name, req });
  }

  private enterGuest(req: GuestCallRequest): void {
    const cf = this.linked.byAddr.get(req.target);
    if (!cf || cf.native) throw new SehException(0xc0000005, `the kernel called 0x${BigInt.asUintN(64, BigInt(req.target)).toString(16)}, which is not a C function of the driver`, req.target, false);
    const params = cf.def.params;
    const args = req.args.map((a, i) => { const t = params[i]?.type; return t && t.k === 'int' ? truncInt(a, t.size, t.signed) : a; });
    this.enter(cf, args);
  }

  private doReturn(value: any): RunOutcome | null {
    const stack = this.stack;
    const done = stack.pop()!;
    if (done.fn >= 0) {
      const free = this.linked.fns[done.fn].free;
      if (free.length < 4) free.push(done);
    }
    if (stack.length === 0) return this.finish({ kind: 'exited', returnValue: typeof value === 'number' ? value + 0 : typeof value === 'bigint' ? value : 0 });
    const caller = stack[stack.length - 1];
    if (caller.native) {
      this.nativeName = caller.native;
      const r = caller.req!.resume(value);
      this.nativeName = null;
      if (r !== null && typeof r === 'object' && (r as GuestCallRequest).kind === 'call-guest') {
        caller.req = r as GuestCallRequest;
        this.enterGuest(r as GuestCallRequest);
        return null;
      }
      stack.pop();
      const c = stack[stack.length - 1];
      if (caller.pc === FAULT_FRAME) {
        // the page is in: the faulting instruction runs again (counted once if it starts a statement)
        this.retry = this.linked.fns[c.fn].code[c.pc].stmt;
        return null;
      }
      return this.nativeDone(r, caller.native, this.linked.fns[c.fn].code[c.pc], c);
    }
    const ins = this.linked.fns[caller.fn].code[caller.pc];
    if (ins.storeSlot! >= 0) caller.s[ins.storeSlot!] = value;
    else if (ins.store) ins.store(caller, value, false);
    caller.pc++;
    if (ins.brk) return { kind: 'break', reason: ins.brk };
    return null;
  }

  /** Leaves try scopes (running __finally blocks) on the way to a jump, a return or an exception handler. */
  private transfer(f: Frame, rec: Transfer): RunOutcome | null {
    for (;;) {
      const cf = this.linked.fns[f.fn];
      const isTarget = rec.kind !== 'unwind' || this.stack.length - 1 === rec.target;
      const keep = rec.kind === 'jump' ? rec.depth : rec.kind === 'ret' ? 0 : isTarget ? rec.depth + 1 : 0;
      while (f.tries.length > keep) {
        const id = f.tries.pop()!;
        const sc = cf.tries[id];
        if (sc.finPc >= 0) { if (f.fin === NO_FIN) f.fin = []; f.fin.push({ scope: id, rec }); f.pc = sc.finPc; return null; }
      }
      if (rec.kind === 'jump') { f.pc = rec.pc; return null; }
      if (rec.kind === 'ret') return this.doReturn(rec.value);
      if (isTarget) {
        const id = f.tries.pop()!;
        const sc = cf.tries[id];
        f.fin = f.fin.filter((x) => cf.tries[x.scope].depth < sc.depth);
        f.exc = rec.status;
        f.pc = sc.handlerPc;
        return null;
      }
      this.stack.pop();
      while (this.stack[this.stack.length - 1].native) this.stack.pop();
      f = this.stack[this.stack.length - 1];
    }
  }

  /** Dispatches a structured exception: filters from the innermost scope outwards, then unwinds. */
  private raise(e: SehException, bySystem = false): RunOutcome | null {
    const fromNative = this.nativeName;
    this.nativeName = null;
    // a listener's failure must not change how the exception is dispatched
    if (this.onException) { try { this.onException(e.status, fromNative !== null && !bySystem, e.explanation); } catch { /* ignored */ } }
    if (this.linked.exceptionInfo() !== 0) {
      const top = this.topC();
      writeExceptionRecord(this.kernel.memory, this.linked.exceptionInfo(), e, fromNative !== null, top ? this.linked.fns[top.fn].addr + top.pc : 0);
    }
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.native) continue;
      const cf = this.linked.fns[f.fn];
      for (let j = f.tries.length - 1; j >= 0; j--) {
        const sc = cf.tries[f.tries[j]];
        if (!sc.filter) continue;
        const saved = f.exc;
        f.exc = e.status | 0;
        let v = 0;
        try { v = Number(sc.filter(f)) | 0; } catch { v = 0; }
        if (v === 0) { f.exc = saved; continue; }
        if (v < 0) {
          f.exc = saved;
          if (fromNative) { this.nativeName = fromNative; return this.raise(new SehException(0xc0000025, `EXCEPTION_CONTINUE_EXECUTION on the noncontinuable exception 0x${(e.status >>> 0).toString(16)} raised by ${fromNative} (STATUS_NONCONTINUABLE_EXCEPTION)`), true); }
          return null; // the faulting instruction runs again
        }
        while (this.stack[this.stack.length - 1].native) this.stack.pop();
        return this.transfer(this.stack[this.stack.length - 1], { kind: 'unwind', status: e.status | 0, target: i, depth: j });
      }
    }
    if (fromNative) this.pushNativeFrame(fromNative);
    const top = this.topC();
    const addr = top ? this.linked.fns[top.fn].addr + top.pc : 0;
    const status = e.status >>> 0;
    try {
      this.kernel.bugCheck(0x1e, [status, addr, e.faultAddress !== undefined ? (e.faultWrite ? 1 : 0) : 0, e.faultAddress ?? 0], `unhandled exception 0x${status.toString(16).padStart(8, '0')} in kernel mode: ${e.explanation}`);
    } catch (b) {
      if (b instanceof BugCheck) return this.finish({ kind: 'unhandled-exception', status, bugcheck: b });
      throw b;
    }
    const b = new BugCheck(0x1e, 'KMODE_EXCEPTION_NOT_HANDLED', [status, addr, 0, e.faultAddress ?? 0], e.explanation);
    return this.finish({ kind: 'unhandled-exception', status, bugcheck: b });
  }

  /** @internal for the debugger views */
  functionOf(f: Frame): CompiledFunction { return this.linked.fns[f.fn]; }
  toString(): string { return `CMachine(${this.program.mainFile}, ${this.steps} statements)`; }
}
