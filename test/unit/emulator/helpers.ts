// Test helpers: a kernel with a user process, routine calls by name, C strings in the image.
import { createKernel, type Kernel, type KernelExtraOptions, BugCheck, SehException, type U64 } from '../../../src/emulator/index';
import { MDL } from '../../../src/emulator/layouts';

export interface Lab {
  k: Kernel;
  lines: { text: string; kind: string }[];
  call(name: string, ...args: U64[]): number;
  str(s: string): number;
  proc: number;
  user(size: number, protect?: number): number;
  mdl(m: number): { flags: number; size: number; process: number; mappedSystemVa: number; startVa: number; byteCount: number; byteOffset: number; next: number; pfn(i: number): number };
}

export function boot(options: KernelExtraOptions = {}, processName = 'app.exe'): Lab {
  const lines: { text: string; kind: string }[] = [];
  const k = createKernel({ output: (text, kind) => lines.push({ text, kind }), ...options });
  const call = (name: string, ...args: U64[]): number => {
    const r = k.routine(name);
    if (!r) throw new Error(`no routine ${name}`);
    const v = r.impl(args);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
  };
  const str = (s: string): number => {
    const va = k.allocateImage(s.length + 1);
    k.memory.writeBytes(va, new TextEncoder().encode(s + '\0'));
    return va;
  };
  const proc = call('LabCreateProcess', str(processName));
  call('LabEnterProcess', proc);
  const user = (size: number, protect = 4) => call('LabUserAlloc', proc, size, protect);
  const mdl = (m: number) => {
    const f = k.mdl.read(m);
    return { ...f, pfn: (i: number) => Number(k.memory.read64(m + MDL.PfnArray + 8 * i)) };
  };
  return { k, lines, call, str, proc, user, mdl };
}

/** Run fn and return the bug check it raised (fails the test if none). */
export function bugcheckOf(fn: () => unknown): BugCheck {
  try {
    fn();
  } catch (e) {
    if (e instanceof BugCheck) return e;
    throw e;
  }
  throw new Error('expected a bug check, but the call returned');
}

export function raisedOf(fn: () => unknown): SehException {
  try {
    fn();
  } catch (e) {
    if (e instanceof SehException) return e;
    throw e;
  }
  throw new Error('expected a raised exception, but the call returned');
}

export const hexParams = (b: BugCheck) => b.params.map((p) => '0x' + BigInt.asUintN(64, BigInt(p)).toString(16));
