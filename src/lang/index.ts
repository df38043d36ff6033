// The driver-C language module: compile a scenario, create a machine that runs it on a kernel.
import type { GuestKernel } from '../emulator/contract';
import type { CompileResult, LanguageModule, Machine, Program, SourceHost } from './contract';
import { CMachine } from './machine';
import { CProgram, compile as compileProgram, compileTokens, type CompileOptions } from './program';

export const driverC: LanguageModule & {
  compile(mainFile: string, host: SourceHost, options?: CompileOptions): CompileResult;
} = {
  compile(mainFile: string, host: SourceHost, options?: CompileOptions): CompileResult {
    return compileProgram(mainFile, host, options);
  },
  /** Throws LinkError (with .diagnostics) when a called prototype has neither a body nor an emulated routine. */
  createMachine(program: Program, kernel: GuestKernel, entry?: string): Machine {
    if (!(program instanceof CProgram)) throw new Error('createMachine needs a Program made by this language module');
    return new CMachine(program, kernel, entry);
  },
};

export const language = driverC;
export { compileTokens, CProgram, CMachine, type CompileOptions };
export { LinkError } from './link';
export { RuntimeError } from './machine';
export { EvalError } from './views';
export { tokenize } from './lexer';
