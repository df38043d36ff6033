// Compiles a scenario: preprocess, parse and type-check, then a dry lowering that finds the
// remaining errors and the executable lines, all reported as file:line:col diagnostics.
import type { CompileResult, Diagnostic, Program, SourceHost } from './contract';
import type { PreprocessResult, Token } from './tokens';
import type { Diag } from './ast';
import { Parser, reachableFunctions, type ParsedUnit } from './parser';
import { ExprGen, type GenCtx } from './codegen';
import { FunctionLowering, LowerError } from './lower';
import { preprocess } from './preprocessor/index';
import { createKernel } from '../emulator/index';

export interface CompileOptions {
  /** Names of the emulator's routines: a called prototype with no body and no routine is then a compile error. */
  routines?: (name: string) => boolean;
}

export class CProgram implements Program {
  private lines = new Map<string, number[]>();
  constructor(
    readonly mainFile: string,
    readonly unit: ParsedUnit,
    readonly macros: PreprocessResult['macros'],
    lines: Map<string, Set<number>>,
    /** Global typedefs, tags and symbols (for the debugger's evaluator). */
    readonly globalScope: Map<string, import('./ast').Sym>,
    readonly globalTags: Map<string, import('./types').CType>,
  ) {
    for (const [f, s] of lines) this.lines.set(f, [...s].sort((a, b) => a - b));
  }
  executableLines(file: string): number[] { return this.lines.get(file) ?? []; }
  functionNames(): string[] { return this.unit.funcs.map((f) => f.sym.name); }
}

function toDiagnostic(d: Diag): Diagnostic {
  return { file: d.file, line: d.line, col: d.col, endLine: d.line, endCol: d.col + d.length, severity: d.severity, message: d.message };
}

let emulatorRoutineNames: Set<string> | null = null;
/** The emulator's routines, from a small throwaway kernel (a few ms, once). */
function emulatorRoutines(name: string): boolean {
  emulatorRoutineNames ??= new Set(createKernel({ physicalMemory: 4 * 1024 * 1024 }).routineNames());
  return emulatorRoutineNames.has(name);
}

/** Without `options.routines`, a called prototype is checked against the emulator's routines. */
export function compile(mainFile: string, host: SourceHost, options: CompileOptions = {}): CompileResult {
  const pp = preprocess(mainFile, host);
  return compileTokens(pp.tokens, mainFile, pp.diagnostics, pp.macros, { routines: emulatorRoutines, ...options });
}

export function compileTokens(tokens: Token[], mainFile: string, ppDiags: Diagnostic[] = [], macros: PreprocessResult['macros'] = new Map(), options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = [...ppDiags];
  const parser = new Parser(tokens);
  let unit: ParsedUnit;
  try {
    unit = parser.parseUnit();
  } catch (e) {
    const t = tokens[0];
    diagnostics.push({ file: t?.file ?? mainFile, line: t?.line ?? 1, col: t?.col ?? 1, endLine: t?.line ?? 1, endCol: t?.col ?? 1, severity: 'error', message: e instanceof RangeError ? 'the program nests too deeply to compile' : `internal compiler error: ${(e as Error).message}` });
    return { program: null, diagnostics };
  }
  diagnostics.push(...unit.diags.map(toDiagnostic));
  if (options.routines) {
    for (const [fs, u] of reachableFunctions(unit)) {
      if (fs.def || options.routines(fs.name) || INTRINSICS.has(fs.name)) continue;
      diagnostics.push({ file: u.file, line: u.line, col: u.col, endLine: u.line, endCol: u.col + u.length, severity: 'error', message: `unresolved external symbol '${fs.name}': it is declared but has no body here and the emulator has no routine of that name` });
    }
  }
  const lines = new Map<string, Set<number>>();
  if (!diagnostics.some((d) => d.severity === 'error')) dryLower(unit, diagnostics, lines);
  const errors = diagnostics.some((d) => d.severity === 'error');
  diagnostics.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : 0));
  return { program: errors ? null : new CProgram(mainFile, unit, macros, lines, parser.globalScope(), parser.globalTags()), diagnostics };
}

const INTRINSICS = new Set(['LabBreak', 'DbgBreakPoint', '__debugbreak', 'KdBreakPoint', 'memcpy', 'memmove', 'memset', 'memcmp', 'strlen', 'wcslen', 'strcmp', 'strcpy', 'wcscpy', 'abs', 'labs', 'RtlCopyMemory', 'RtlMoveMemory', 'RtlZeroMemory', 'RtlFillMemory', 'RtlCompareMemory']);

/** Lowers every function against a memory that is never touched, to find lowering errors and lines. */
function dryLower(unit: ParsedUnit, diagnostics: Diagnostic[], lines: Map<string, Set<number>>): void {
  const nomem = new Proxy({}, { get: () => () => { throw new Error('no memory at compile time'); } }) as GenCtx['mem'];
  const ctx: GenCtx = { mem: nomem, globalAddr: () => 0x1000, stringAddr: () => 0x1000, funcAddr: () => 0x1000, callDirect: () => 0 };
  const gen = new ExprGen(ctx);
  unit.funcs.forEach((def, i) => {
    try {
      const cf = new FunctionLowering(def, gen).lower(i, 0);
      for (const ins of cf.code) {
        if (!ins.stmt) continue;
        let s = lines.get(ins.loc.file);
        if (!s) lines.set(ins.loc.file, (s = new Set()));
        s.add(ins.loc.line);
      }
    } catch (e) {
      const t = e instanceof LowerError ? e.tok : def.loc;
      diagnostics.push({ file: t.file, line: t.line, col: t.col, endLine: t.line, endCol: t.col + t.length, severity: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}
