// Links a compiled program against a kernel: places globals, string literals and function
// addresses in the driver image, binds prototypes without bodies to emulated routines, and lowers
// every function to instructions whose closures read that kernel's memory directly.
import { BugCheck, SehException, type GuestKernel, type NativeResult, type U64 } from '../emulator/contract';
import type { FuncSym, VarSym } from './ast';
import { ExprGen, type Frame, type GenCtx } from './codegen';
import { FunctionLowering, type CompiledFunction } from './lower';
import type { CProgram } from './program';
import { alignOf, sizeOf } from './types';
import { intrinsic } from './intrinsics';
import { reachableFunctions } from './parser';
import { truncInt } from './arith';
import { jsgenAvailable } from './jsgen';
import { compileFunction } from './fastRun';
import { compileLeaf } from './leafRun';

export interface NativeBinding { name: string; impl(args: any[]): NativeResult; addr: number; native: true }

export interface Linked {
  fns: CompiledFunction[];
  byName: Map<string, CompiledFunction>;
  byAddr: Map<number, CompiledFunction | NativeBinding>;
  resolve(sym: FuncSym): CompiledFunction | NativeBinding;
  globalAddr: Map<VarSym, number>;
  gen: ExprGen;
  ctx: GenCtx;
  /** Address of the EXCEPTION_POINTERS GetExceptionInformation() returns (0 while no code asks for it). */
  exceptionInfo(): number;
}

/** x64 EXCEPTION_RECORD: code, flags, chained record, address, parameter count, 15 parameters. */
export const EXCEPTION_RECORD_SIZE = 0x98;

/**
 * The image's read-only data (string literals): whole pages of their own, write-protected once the
 * program is linked, as the .rdata section of a driver is (a write is bug check 0xBE). Literals
 * placed later (by the debugger's evaluator) get fresh pages, protected at once.
 */
class ReadOnlyData {
  private next = 0;
  private end = 0;
  private sealed = false;
  private chunks: [number, number][] = [];
  constructor(private readonly kernel: GuestKernel) {}

  place(bytes: Uint8Array): number {
    const n = Math.max(bytes.length, 1);
    let a = Math.ceil(this.next / 8) * 8;
    if (this.sealed || this.end === 0 || a + n > this.end) {
      const size = Math.ceil(n / 4096) * 4096;
      a = this.kernel.allocateImage(size, 4096);
      this.chunks.push([a, size]);
      this.end = a + size;
    }
    this.kernel.memory.writeBytes(a, bytes);
    this.next = a + n;
    if (this.sealed) this.kernel.protectImage?.(a, Math.ceil(n / 4096) * 4096);
    return a;
  }

  seal(): void {
    this.sealed = true;
    for (const [a, size] of this.chunks) this.kernel.protectImage?.(a, size);
  }
}

export class LinkError extends Error {
  constructor(readonly diagnostics: import('./contract').Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: error: ${d.message}`).join('\n'));
    this.name = 'LinkError';
  }
}

export function linkProgram(program: CProgram, kernel: GuestKernel): Linked {
  const unit = program.unit;
  const mem = kernel.memory;
  const globalAddr = new Map<VarSym, number>();
  const strings = new Map<string, number>();
  const natives = new Map<string, NativeBinding>();
  const byAddr = new Map<number, CompiledFunction | NativeBinding>();
  const byName = new Map<string, CompiledFunction>();
  const fns: CompiledFunction[] = [];
  const funcAddr = new Map<string, number>();

  const nativeFor = (name: string): NativeBinding | undefined => {
    let nb = natives.get(name);
    if (nb) return nb;
    const r = kernel.routine(name);
    const impl = r ? (args: any[]) => r.impl(args as U64[]) : intrinsic(name, kernel);
    if (!impl) return undefined;
    nb = { name, impl, addr: kernel.allocateImage(16, 16), native: true };
    natives.set(name, nb);
    byAddr.set(nb.addr, nb);
    return nb;
  };

  const rdata = new ReadOnlyData(kernel);
  let exceptionInfo = 0;
  const ctx: GenCtx = {
    mem,
    jit: jsgenAvailable(),
    globalAddr(sym) {
      let a = globalAddr.get(sym);
      if (a === undefined) {
        const target = sym.storage === 'extern' ? program.unit.globals.find((g) => g.name === sym.name && g.storage === 'global') ?? sym : sym;
        a = globalAddr.get(target);
        if (a === undefined) {
          if (target.storage === 'extern') throw new Error(`unresolved external symbol '${sym.name}' (declared extern, never defined)`);
          a = kernel.allocateImage(Math.max(1, sizeOf(target.type)), Math.max(8, alignOf(target.type)));
          globalAddr.set(target, a);
        }
        globalAddr.set(sym, a);
      }
      return a;
    },
    stringAddr(bytes) {
      const key = Array.from(bytes).join(',');
      let a = strings.get(key);
      if (a === undefined) {
        a = rdata.place(bytes);
        strings.set(key, a);
      }
      return a;
    },
    exceptionInfoAddr() {
      // EXCEPTION_POINTERS (+0) and the EXCEPTION_RECORD it points to (+0x10), written by the machine before each filter runs
      exceptionInfo ||= kernel.allocateImage(0x10 + EXCEPTION_RECORD_SIZE, 16);
      return exceptionInfo;
    },
    funcAddr(sym) {
      const a = funcAddr.get(sym.name);
      if (a !== undefined) return a;
      const nb = nativeFor(sym.name);
      if (nb) return nb.addr;
      // only unreachable code can name it (reachable ones were refused above): an address that is no function
      const dummy = kernel.allocateImage(16, 16);
      funcAddr.set(sym.name, dummy);
      return dummy;
    },
  };
  // emulated routines called from __except filters run synchronously during dispatch
  ctx.callDirect = (e, args) => {
    const fs = e.f.k === 'fn' ? e.f.sym : e.f.k === 'addr' && e.f.e.k === 'fn' ? e.f.e.sym : null;
    const nb = fs ? nativeFor(fs.name) : undefined;
    if (!nb) throw new Error(`'${fs?.name ?? 'function pointer'}' cannot be called from an __except filter`);
    const r = nb.impl(args);
    if (r !== null && typeof r === 'object') throw new Error(`${nb.name} would call back into C from an __except filter`);
    const t = e.t;
    return t.k === 'int' ? truncInt((r ?? 0) as U64, t.size, t.signed) : (r ?? 0);
  };
  const gen = new ExprGen(ctx);

  // Function addresses first, so that code and initializers can take them.
  unit.funcs.forEach((def) => {
    const addr = kernel.allocateImage(16, 16);
    funcAddr.set(def.sym.name, addr);
  });
  const unresolved: import('./contract').Diagnostic[] = [];
  for (const [fs, u] of reachableFunctions(unit)) {
    if (fs.def) continue;
    if (!nativeFor(fs.name)) {
      unresolved.push({ file: u.file, line: u.line, col: u.col, endLine: u.line, endCol: u.col + u.length, severity: 'error', message: `unresolved external symbol '${fs.name}': it is declared but has no body here and the emulator has no routine of that name` });
    }
  }
  if (unresolved.length) throw new LinkError(unresolved);

  for (const g of unit.globals) ctx.globalAddr(g);
  unit.funcs.forEach((def, index) => {
    const cf = new FunctionLowering(def, gen).lower(index, funcAddr.get(def.sym.name)!);
    fns.push(cf);
    byName.set(cf.name, cf);
    byAddr.set(cf.addr, cf);
  });
  // generated forms last: a call site names its callee's compiled function, wherever it is defined
  if (ctx.jit) {
    for (const cf of fns) cf.leaf = compileLeaf(gen, cf);
    for (const cf of fns) cf.fast = compileFunction(gen, cf, (sym) => byName.get(sym.name));
  }
  // Global and static initializers are constant expressions (addresses included): evaluate once.
  const dummy: Frame = { fn: -1, pc: 0, s: [], bp: 0, tries: [], fin: [], exc: 0 };
  for (const g of unit.globals) {
    if (!g.init) continue;
    const a = ctx.globalAddr(g);
    try {
      initializeGlobal(g, a);
    } catch (e) {
      // C wants a constant here (MSVC's C2099); one that reads memory or faults is reported at the
      // variable, as the compiler would, rather than escaping as a fault of no statement.
      if (!(e instanceof SehException || e instanceof BugCheck)) throw e;
      const t = g.loc;
      throw new LinkError([{ file: t.file, line: t.line, col: t.col, endLine: t.line, endCol: t.col + Math.max(1, t.length ?? g.name.length), severity: 'error', message: `the initializer of '${g.name}' is not a constant expression: evaluating it faulted (${e.message})` }]);
    }
  }
  function initializeGlobal(g: VarSym, a: number): void {
    for (const it of g.init!) {
      if (it.bytes) { mem.writeBytes(a + it.off, it.bytes); continue; }
      const v = gen.val(it.expr!)(dummy);
      const store = gen.storeTo({ k: 'deref', e: { k: 'num', v: a + it.off, t: { k: 'ptr', to: it.type }, loc: g.loc }, t: it.type, loc: g.loc });
      if (it.field) gen.storeTo({ k: 'member', e: { k: 'deref', e: { k: 'num', v: a + it.off - it.field.offset, t: { k: 'ptr', to: { k: 'void' } }, loc: g.loc }, t: { k: 'void' }, loc: g.loc }, f: it.field, t: it.type, loc: g.loc })(dummy, v);
      else store(dummy, v);
    }
  }
  rdata.seal();
  return {
    fns, byName, byAddr, globalAddr, gen, ctx,
    exceptionInfo: () => exceptionInfo,
    resolve(sym) {
      const cf = byName.get(sym.name);
      if (cf) return cf;
      const nb = nativeFor(sym.name);
      if (!nb) throw new Error(`unresolved external symbol '${sym.name}'`);
      return nb;
    },
  };
}
