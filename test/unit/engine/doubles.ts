// Small stand-ins for the interpreter and the emulated kernel, so engine behaviour (breakpoints,
// stepping, time travel) is tested on programs whose every statement the test controls.
import { BugCheck } from '../../../src/emulator/contract';
import type { EngineKernel, GuestMemory, KernelOptions, NativeRoutine, U64 } from '../../../src/emulator/contract';
import type { MmSnapshot } from '../../../src/emulator/snapshotTypes';
import type { CompileResult, FrameInfo, LanguageModule, Machine, Program, RunOutcome, SourceHost, StopCheck, ValueView } from '../../../src/lang/contract';
import type { EngineDeps } from '../../../src/engine/engine';

/** One statement of a toy program: runs `op` against the machine's state. */
export type Op =
  | { set: string; to: (v: Record<string, number>) => number }
  | { call: string }
  | { native: string; args?: (v: Record<string, number>) => number[] }
  | { jumpTo: number; when: (v: Record<string, number>) => boolean }
  | { ret: true }
  | { poke: number; value: (v: Record<string, number>) => number };
export interface Stmt {
  line: number;
  col?: number;
  op: Op;
}
export type ToyProgram = Record<string, Stmt[]>;

interface Frame {
  fn: string;
  pc: number;
  vars: Record<string, number>;
}
interface State {
  frames: Frame[];
  steps: number;
}

const FILE = '/lab/toy.c';

class ToyProgramInfo implements Program {
  readonly mainFile = FILE;
  constructor(readonly fns: ToyProgram) {}
  executableLines(file: string): number[] {
    if (file !== FILE) return [];
    return [...new Set(Object.values(this.fns).flat().map((s) => s.line))].sort((a, b) => a - b);
  }
  functionNames(): string[] {
    return Object.keys(this.fns);
  }
}

function view(name: string, value: number): ValueView {
  return { name, type: 'LONG', value: String(value), raw: value, namedChildren: 0, indexedChildren: 0, children: () => [] };
}

export class ToyMachine implements Machine {
  private s: State;
  onCall?: (name: string, native: boolean) => boolean | void;
  private approvedCall = -1;
  constructor(readonly program: ToyProgramInfo, readonly kernel: ToyKernel, entry: string) {
    this.s = { frames: [{ fn: entry, pc: 0, vars: {} }], steps: 0 };
  }
  get steps(): number {
    return this.s.steps;
  }
  depth(): number {
    return this.s.frames.length;
  }
  private stmt(): Stmt | null {
    const f = this.s.frames[this.s.frames.length - 1];
    return f ? this.program.fns[f.fn][f.pc] ?? null : null;
  }
  location() {
    const st = this.stmt();
    return st ? { file: FILE, line: st.line, col: st.col ?? 5 } : null;
  }
  currentFunction(): string | null {
    return this.s.frames[this.s.frames.length - 1]?.fn ?? null;
  }
  run(maxSteps: number, shouldStop?: StopCheck): RunOutcome {
    for (let i = 0; i < maxSteps; i++) {
      if (this.s.frames.length === 0) return { kind: 'exited', returnValue: 0 };
      if (shouldStop?.(this)) return { kind: 'stopped' };
      const f = this.s.frames[this.s.frames.length - 1];
      const st = this.program.fns[f.fn][f.pc];
      if (!st) {
        this.s.frames.pop();
        if (this.s.frames.length) this.s.frames[this.s.frames.length - 1].pc++;
        continue;
      }
      const op = st.op;
      if ('call' in op || 'native' in op) {
        const name = 'call' in op ? op.call : op.native;
        if (this.approvedCall !== this.s.steps && this.onCall?.(name, 'native' in op)) {
          this.approvedCall = this.s.steps;
          return { kind: 'stopped' };
        }
        this.approvedCall = -1;
      }
      this.s.steps++;
      if ('set' in op) {
        f.vars[op.set] = op.to(f.vars);
        f.pc++;
      } else if ('call' in op) {
        this.s.frames.push({ fn: op.call, pc: 0, vars: {} });
      } else if ('native' in op) {
        if (op.native === 'LabBreak') {
          f.pc++;
          return { kind: 'break', reason: 'LabBreak' };
        }
        try {
          this.kernel.routine(op.native)!.impl((op.args?.(f.vars) ?? []) as U64[]);
        } catch (e) {
          if (e instanceof BugCheck) return { kind: 'bugcheck', bugcheck: e };
          throw e;
        }
        f.pc++;
      } else if ('jumpTo' in op) {
        f.pc = op.when(f.vars) ? op.jumpTo : f.pc + 1;
      } else if ('poke' in op) {
        this.kernel.memory.write32(op.poke, op.value(f.vars));
        f.pc++;
      } else {
        this.s.frames.pop();
        if (this.s.frames.length) this.s.frames[this.s.frames.length - 1].pc++;
      }
    }
    return this.s.frames.length === 0 ? { kind: 'exited', returnValue: 0 } : { kind: 'budget' };
  }
  frames(): FrameInfo[] {
    return [...this.s.frames].reverse().map((f, index) => {
      const st = this.program.fns[f.fn][f.pc];
      return { index, function: f.fn, native: false, location: st ? { file: FILE, line: st.line, col: st.col ?? 5 } : null };
    });
  }
  locals(frame: number): ValueView[] {
    const f = this.s.frames[this.s.frames.length - 1 - frame];
    return f ? Object.entries(f.vars).map(([k, v]) => view(k, v)) : [];
  }
  globals(): ValueView[] {
    return [];
  }
  evaluate(expression: string): ValueView {
    const f = this.s.frames[this.s.frames.length - 1];
    const names = Object.keys(f?.vars ?? {});
    // Test double only: evaluates a JS expression over the frame's variables.
    const fn = new Function(...names, `return (${expression});`) as (...a: number[]) => unknown;
    const v = Number(fn(...names.map((n) => f.vars[n])));
    if (Number.isNaN(v)) throw new Error(`cannot evaluate ${expression}`);
    return view(expression, v);
  }
  assign(target: string, value: string): ValueView {
    const f = this.s.frames[this.s.frames.length - 1];
    f.vars[target] = this.evaluate(value).raw as number;
    return view(target, f.vars[target]);
  }
  saveState(): unknown {
    return structuredClone(this.s);
  }
  restoreState(state: unknown): void {
    this.s = structuredClone(state as State);
  }
}

export class ToyKernel implements EngineKernel {
  readonly mem = new Map<number, number>();
  expectFailures = 0;
  readonly kernelStackBase = 0;
  readonly kernelStackLimit = 0;
  terminateBugCheck: BugCheck | null = null;
  readonly memory: GuestMemory;
  private readonly routines: Record<string, NativeRoutine>;
  constructor(readonly options: KernelOptions) {
    const mem = this.mem;
    const read = (va: number) => mem.get(va) ?? 0;
    this.memory = {
      read8: read, read16: read, read32: read, read64: read,
      write8: (va, v) => void mem.set(va, v), write16: (va, v) => void mem.set(va, v),
      write32: (va, v) => void mem.set(va, v), write64: (va, v) => void mem.set(va, Number(v)),
      readBytes: (va, n) => new Uint8Array(n).map((_, i) => read(va + i)),
      writeBytes: (va, d) => d.forEach((b, i) => mem.set(va + i, b)),
    };
    const doc = { prototype: '', header: 'wdm.h' as const, irql: '', summary: '', details: '' };
    const out = (line: string, kind: Parameters<NonNullable<KernelOptions['output']>>[1]) => options.output?.(line, kind);
    this.routines = {
      DbgPrint: { ...doc, name: 'DbgPrint', impl: (a) => out(`value ${a[0]}`, 'dbgprint') },
      LabExpect: { ...doc, name: 'LabExpect', impl: (a) => { if (!a[0]) { this.expectFailures++; out('expectation', 'expect-fail'); } else out('expectation', 'expect-pass'); } },
      KeBugCheckEx: { ...doc, name: 'KeBugCheckEx', impl: (a) => { throw new BugCheck(Number(a[0]), 'TEST_BUGCHECK', [1, 2, 3, 4], 'a test bug check'); } },
      VerifierReport: { ...doc, name: 'VerifierReport', impl: () => out('verifier: something is wrong', 'verifier') },
    };
  }
  routine(name: string) { return this.routines[name]; }
  routineNames() { return Object.keys(this.routines); }
  allocateImage(): number { return 0x1000; }
  setLocationProvider(): void {}
  bugCheck(code: number, params: [U64, U64, U64, U64], explanation: string): never { throw new BugCheck(code, 'TEST', params, explanation); }
  snapshot(): MmSnapshot {
    return { process: 'toy.exe', irql: 0, irqlName: 'PASSIVE_LEVEL', verifier: true, mdls: [], frames: [], bugcheck: null, processes: [], pageLists: { Zeroed: 0, Free: 0, Standby: 0, Modified: 0, ModifiedNoWrite: 0, Bad: 0, Active: 0, Transition: 0 }, physicalPages: 0, dummyPfn: 0, systemPtes: { total: 0, used: 0 }, pool: [], irps: [], events: [] };
  }
  checkpoint(): unknown { return { mem: new Map(this.mem), expectFailures: this.expectFailures }; }
  restore(cp: unknown): void {
    const c = cp as { mem: Map<number, number>; expectFailures: number };
    this.mem.clear();
    for (const [k, v] of c.mem) this.mem.set(k, v);
    this.expectFailures = c.expectFailures;
  }
  terminateAllProcesses(): void { if (this.terminateBugCheck) throw this.terminateBugCheck; }
  peek(va: number, length: number): Uint8Array { return new Uint8Array(length).map((_, i) => this.mem.get(va + i) ?? 0); }
  readPhysical(): Uint8Array { return new Uint8Array(0); }
}

/** Engine dependencies over a toy program; `kernels` collects the kernels created. */
export function toyDeps(fns: ToyProgram, kernels: ToyKernel[] = []): EngineDeps {
  const language: LanguageModule = {
    compile(mainFile: string, host: SourceHost): CompileResult {
      const text = host.readFile(mainFile) ?? '';
      if (text.includes('syntax error')) {
        return { program: null, diagnostics: [{ file: mainFile, line: 3, col: 7, endLine: 3, endCol: 8, severity: 'error', message: "expected ';'" }] };
      }
      return { program: new ToyProgramInfo(fns), diagnostics: [] };
    },
    createMachine(program, kernel, entry) {
      return new ToyMachine(program as ToyProgramInfo, kernel as ToyKernel, entry ?? 'LabMain');
    },
  };
  return { language, createKernel: (o) => { const k = new ToyKernel(o); kernels.push(k); return k; } };
}

export const TOY_FILE = FILE;
