// The breakpoints a user set: line (moved to the next executable line), conditional, hit count,
// logpoints, function (C functions and emulated routines) and data (a watched memory range).
import type { Machine, Program } from '../lang/contract';
import type { EngineKernel } from '../emulator/contract';
import { normalizePath } from './host';

export interface BreakpointSpec {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface FunctionBreakpointSpec {
  name: string;
  condition?: string;
  hitCondition?: string;
}

export interface DataBreakpointSpec {
  address: number;
  size: number;
  condition?: string;
  hitCondition?: string;
  /** What the user watched, for the stop description (e.g. `mdl->MdlFlags`). */
  label?: string;
}

export interface BreakpointStatus {
  id: number;
  verified: boolean;
  line?: number;
  message?: string;
}

interface Common {
  id: number;
  condition?: string;
  hitCondition?: string;
  hits: number;
}
interface LineBreakpoint extends Common {
  file: string;
  line: number;
  logMessage?: string;
}
interface FunctionBreakpoint extends Common {
  name: string;
}
interface DataBreakpoint extends Common {
  address: number;
  size: number;
  label: string;
  last: string | null;
}

/** What a breakpoint check decided at one statement. */
export interface BreakpointVerdict {
  stop: boolean;
  ids: number[];
  /** Logpoint messages to print (already interpolated). */
  logs: string[];
  /** A condition that could not be evaluated: stop and say why, as other debuggers do. */
  errors: string[];
}

/** `N`/`==N` the N-th hit, `>N`, `>=N`, `<N`, `<=N`, `%N` every N-th. Returns null when malformed. */
export function parseHitCondition(text: string): ((hits: number) => boolean) | null {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return (h) => h > n;
    case '>=': return (h) => h >= n;
    case '<': return (h) => h < n;
    case '<=': return (h) => h <= n;
    case '%': return (h) => n > 0 && h % n === 0;
    default: return (h) => h === n;
  }
}

function truthy(machine: Machine, expression: string): boolean {
  const v = machine.evaluate(expression, { frame: 0 });
  if (v.raw !== undefined) return v.raw !== 0 && v.raw !== 0n;
  return !/^(0|0x0+|FALSE|false|NULL)$/.test(v.value.trim());
}

export class BreakpointTable {
  private nextId = 1;
  private readonly lines = new Map<string, LineBreakpoint[]>();
  /** file → set of lines with a breakpoint, for the per-statement fast path. */
  private readonly lineIndex = new Map<string, Set<number>>();
  private functions: FunctionBreakpoint[] = [];
  private data: DataBreakpoint[] = [];
  /** Bumped by every change, so a running scenario picks up breakpoints set while it runs. */
  version = 0;

  get hasData(): boolean {
    return this.data.length > 0;
  }

  get hasFunctions(): boolean {
    return this.functions.length > 0;
  }

  /** True while any breakpoint could stop a continue (otherwise the run takes the cheap path). */
  get hasAny(): boolean {
    if (this.data.length > 0 || this.functions.length > 0) return true;
    for (const set of this.lineIndex.values()) if (set.size > 0) return true;
    return false;
  }

  setLineBreakpoints(file: string, specs: BreakpointSpec[], program: Program | null): BreakpointStatus[] {
    this.version++;
    const key = normalizePath(file);
    const executable = program ? program.executableLines(key) : [];
    const list: LineBreakpoint[] = [];
    const statuses: BreakpointStatus[] = [];
    for (const spec of specs) {
      const id = this.nextId++;
      const line = executable.find((l) => l >= spec.line);
      const badHit = spec.hitCondition && !parseHitCondition(spec.hitCondition);
      if (program && line === undefined) {
        statuses.push({ id, verified: false, line: spec.line, message: `no executable statement at or after line ${spec.line}` });
        continue;
      }
      if (badHit) {
        statuses.push({ id, verified: false, line: spec.line, message: `hit count "${spec.hitCondition}" is not N, ==N, >N, >=N, <N, <=N or %N` });
        continue;
      }
      const bp: LineBreakpoint = { id, file: key, line: line ?? spec.line, condition: spec.condition || undefined, hitCondition: spec.hitCondition || undefined, logMessage: spec.logMessage || undefined, hits: 0 };
      list.push(bp);
      statuses.push({ id, verified: program !== null, line: bp.line });
    }
    this.lines.set(key, list);
    this.lineIndex.set(key, new Set(list.map((b) => b.line)));
    return statuses;
  }

  /** Re-verify every line breakpoint once a program exists (breakpoints may arrive before launch). */
  rebind(program: Program): Map<string, BreakpointStatus[]> {
    const changed = new Map<string, BreakpointStatus[]>();
    // A new run counts hits from zero.
    for (const list of this.lines.values()) for (const bp of list) bp.hits = 0;
    for (const bp of [...this.functions, ...this.data]) bp.hits = 0;
    for (const [file, list] of this.lines) {
      const executable = program.executableLines(file);
      const statuses: BreakpointStatus[] = [];
      for (const bp of list) {
        const line = executable.find((l) => l >= bp.line);
        if (line !== undefined) bp.line = line;
        statuses.push({ id: bp.id, verified: line !== undefined, line: bp.line, message: line === undefined ? `no executable statement at or after line ${bp.line}` : undefined });
      }
      this.lineIndex.set(file, new Set(list.map((b) => b.line)));
      changed.set(file, statuses);
    }
    return changed;
  }

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[], known: (name: string) => boolean): BreakpointStatus[] {
    this.version++;
    this.functions = [];
    return specs.map((spec) => {
      const id = this.nextId++;
      const name = spec.name.trim().replace(/^nt!/i, '');
      if (!known(name)) return { id, verified: false, message: `no C function or emulated routine named ${name}` };
      this.functions.push({ id, name, condition: spec.condition || undefined, hitCondition: spec.hitCondition || undefined, hits: 0 });
      return { id, verified: true };
    });
  }

  setDataBreakpoints(specs: DataBreakpointSpec[], kernel: EngineKernel | null): BreakpointStatus[] {
    this.version++;
    this.data = [];
    return specs.map((spec) => {
      const id = this.nextId++;
      if (!Number.isSafeInteger(spec.address) || spec.size <= 0 || spec.size > 64) return { id, verified: false, message: 'data breakpoints watch 1 to 64 bytes at a valid address' };
      const last = kernel ? bytesKey(kernel.peek(spec.address, spec.size)) : null;
      this.data.push({ id, address: spec.address, size: spec.size, label: spec.label ?? `0x${spec.address.toString(16)}`, condition: spec.condition, hitCondition: spec.hitCondition, hits: 0, last });
      return { id, verified: true };
    });
  }

  /** Whether any breakpoint counts hits (reverse continue then has to count from the start of the run). */
  get hasHitConditions(): boolean {
    for (const list of this.lines.values()) if (list.some((b) => b.hitCondition)) return true;
    return [...this.functions, ...this.data].some((b) => b.hitCondition);
  }

  /** Hit counts by breakpoint id (time travel saves them with the position they belong to). */
  hitCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const list of this.lines.values()) for (const bp of list) counts.set(bp.id, bp.hits);
    for (const bp of [...this.functions, ...this.data]) counts.set(bp.id, bp.hits);
    return counts;
  }

  /** Sets every hit count (a breakpoint missing from `counts` gets 0). */
  setHitCounts(counts: Map<number, number>): void {
    for (const list of this.lines.values()) for (const bp of list) bp.hits = counts.get(bp.id) ?? 0;
    for (const bp of [...this.functions, ...this.data]) bp.hits = counts.get(bp.id) ?? 0;
  }

  hasLine(file: string, line: number): boolean {
    return this.lineIndex.get(file)?.has(line) ?? false;
  }

  hasFunction(name: string): boolean {
    return this.functions.some((f) => f.name === name);
  }

  /** The line breakpoints at a statement, with conditions, hit counts and logpoints applied. */
  checkLine(machine: Machine, file: string, line: number, countHits = true): BreakpointVerdict {
    const verdict: BreakpointVerdict = { stop: false, ids: [], logs: [], errors: [] };
    for (const bp of this.lines.get(file) ?? []) {
      if (bp.line !== line) continue;
      if (!this.passes(machine, bp, countHits, verdict)) continue;
      if (bp.logMessage !== undefined) verdict.logs.push(interpolate(machine, bp.logMessage));
      else {
        verdict.stop = true;
        verdict.ids.push(bp.id);
      }
    }
    return verdict;
  }

  checkFunction(machine: Machine, name: string, countHits = true): BreakpointVerdict {
    const verdict: BreakpointVerdict = { stop: false, ids: [], logs: [], errors: [] };
    for (const bp of this.functions) {
      if (bp.name !== name || !this.passes(machine, bp, countHits, verdict)) continue;
      verdict.stop = true;
      verdict.ids.push(bp.id);
    }
    return verdict;
  }

  /** Watched ranges whose bytes changed since the last look (the write already happened). */
  checkData(machine: Machine, kernel: EngineKernel): { verdict: BreakpointVerdict; labels: string[] } {
    const verdict: BreakpointVerdict = { stop: false, ids: [], logs: [], errors: [] };
    const labels: string[] = [];
    for (const bp of this.data) {
      const now = bytesKey(kernel.peek(bp.address, bp.size));
      if (now === bp.last) continue;
      const first = bp.last === null;
      bp.last = now;
      if (first) continue;
      if (!this.passes(machine, bp, true, verdict)) continue;
      verdict.stop = true;
      verdict.ids.push(bp.id);
      labels.push(bp.label);
    }
    return { verdict, labels };
  }

  /** The watched bytes of every data breakpoint, in order, to compare two points in time. */
  dataValues(kernel: EngineKernel): (string | null)[] {
    return this.data.map((bp) => bytesKey(kernel.peek(bp.address, bp.size)));
  }

  /** Data breakpoints whose bytes differ between `before` and `after` (conditions apply, hits are not counted). */
  changedData(machine: Machine, before: (string | null)[], after: (string | null)[]): { verdict: BreakpointVerdict; labels: string[] } {
    const verdict: BreakpointVerdict = { stop: false, ids: [], logs: [], errors: [] };
    const labels: string[] = [];
    this.data.forEach((bp, i) => {
      if (before[i] === null || before[i] === after[i] || !this.passes(machine, bp, false, verdict)) return;
      verdict.stop = true;
      verdict.ids.push(bp.id);
      labels.push(bp.label);
    });
    return { verdict, labels };
  }

  /** After time travel the watched bytes are whatever they are at the new position. */
  resyncData(kernel: EngineKernel): void {
    for (const bp of this.data) bp.last = bytesKey(kernel.peek(bp.address, bp.size));
  }

  private passes(machine: Machine, bp: Common, countHits: boolean, verdict: BreakpointVerdict): boolean {
    if (bp.condition) {
      try {
        if (!truthy(machine, bp.condition)) return false;
      } catch (e) {
        verdict.errors.push(`breakpoint condition "${bp.condition}" could not be evaluated: ${(e as Error).message}`);
        return true;
      }
    }
    if (!countHits) return true;
    bp.hits++;
    if (bp.hitCondition) {
      const test = parseHitCondition(bp.hitCondition);
      if (test && !test(bp.hits)) return false;
    }
    return true;
  }
}

function bytesKey(bytes: Uint8Array | null): string | null {
  return bytes ? Array.from(bytes).join(',') : null;
}

/** Logpoint text with each `{expr}` replaced by its value; a failing expression shows its error. */
export function interpolate(machine: Machine, message: string): string {
  return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
    try {
      return machine.evaluate(expr.trim(), { frame: 0 }).value;
    } catch (e) {
      return `<${(e as Error).message}>`;
    }
  });
}
