// Turning a scenario file into a runnable pair: read it (and its includes) through the host,
// compile it, create the kernel and the machine. Every failure comes back as `file:line:col` text.
import { SehException } from '../emulator/contract';
import type { EngineKernel, GuestKernel, KernelOptions, NativeRoutine } from '../emulator/contract';
import type { Diagnostic, LanguageModule, Machine, Program } from '../lang/contract';
import { prefetchSources } from './host';
import type { FileHost } from './host';
import type { EngineOptions } from './options';

export type Loaded =
  | { ok: true; main: string; program: Program; kernel: EngineKernel; machine: Machine; warnings: Diagnostic[] }
  | { ok: false; main: string; diagnostics: Diagnostic[]; message: string };

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

export async function loadScenario(
  language: LanguageModule,
  createKernel: (o: KernelOptions) => EngineKernel,
  host: FileHost,
  mainFile: string,
  options: EngineOptions,
  output: KernelOptions['output'],
  onRaised?: RaiseListener,
): Promise<Loaded> {
  const sources = await prefetchSources(host, mainFile);
  const main = [...sources.files.keys()][0];
  if (main === undefined) return { ok: false, main: mainFile, diagnostics: [], message: `${mainFile}: cannot read the scenario file` };
  const compiled = language.compile(main, sources);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (!compiled.program || errors.length > 0) {
    const shown = errors.length ? errors : compiled.diagnostics;
    return { ok: false, main, diagnostics: compiled.diagnostics, message: shown.map(formatDiagnostic).join('\n') || `${main}: the scenario did not compile` };
  }
  const kernel = createKernel({ physicalMemory: options.physicalMemory, verifier: options.verifier, output });
  try {
    const machine = language.createMachine(compiled.program, onRaised ? watchRaises(kernel, onRaised) : kernel, options.entry);
    return { ok: true, main, program: compiled.program, kernel, machine, warnings: compiled.diagnostics };
  } catch (e) {
    // A link error (a prototype with neither a body nor an emulated routine) carries diagnostics.
    const diagnostics = (e as { diagnostics?: Diagnostic[] }).diagnostics ?? [];
    const message = diagnostics.length ? diagnostics.map(formatDiagnostic).join('\n') : `${main}: error: ${(e as Error).message}`;
    return { ok: false, main, diagnostics, message };
  }
}

export type RaiseListener = (status: number, explanation: string, routine: string) => void;

/**
 * The kernel as the machine sees it, with every emulated routine reporting the structured
 * exceptions it raises (first chance) before the interpreter dispatches them to __try/__except.
 * Everything else is the kernel itself, so state and hot paths (memory) are untouched.
 */
function watchRaises(kernel: EngineKernel, onRaised: RaiseListener): GuestKernel {
  const wrapped = new Map<string, NativeRoutine>();
  const routine = (name: string): NativeRoutine | undefined => {
    const r = kernel.routine(name);
    if (!r) return r;
    let w = wrapped.get(name);
    if (!w) {
      w = {
        ...r,
        impl: (args) => {
          try {
            return r.impl(args);
          } catch (e) {
            if (e instanceof SehException) onRaised(e.status, e.explanation, name);
            throw e;
          }
        },
      };
      wrapped.set(name, w);
    }
    return w;
  };
  return new Proxy(kernel, {
    get(target, prop) {
      if (prop === 'routine') return routine;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
