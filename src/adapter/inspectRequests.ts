// Inspection while stopped: stack, scopes, variables, set, evaluate (watch, hover, Debug Console
// with WinDbg commands), completions and the exception widget.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { isWindbgCommand, runWindbgCommand, WINDBG_COMMANDS } from '../engine/windbg/commands';
import { bugCheckLine, formatFrames } from '../engine/describe';
import type { DebugEngine } from '../engine/engine';
import type { BugCheckInfo, StopEvent } from '../engine/events';
import type { FrameInfo } from '../lang/contract';
import type { SessionContext } from './context';
import { required, requireNumber, requireString, THREAD_ID } from './context';

export function stackTrace(ctx: SessionContext, args: DebugProtocol.StackTraceArguments): DebugProtocol.StackTraceResponse['body'] {
  const engine = ctx.engine();
  const frames = engine.frames();
  const start = args?.startFrame ?? 0;
  const levels = args?.levels || frames.length;
  const stackFrames: DebugProtocol.StackFrame[] = frames.slice(start, start + levels).map((f) => {
    const sf: DebugProtocol.StackFrame = { id: f.index + 1, name: f.function, line: f.location?.line ?? 0, column: f.location?.col ?? 0 };
    if (f.location) sf.source = { name: f.location.file.split('/').pop(), path: f.location.file };
    if (f.native) {
      // Emulated kernel routines have no source: shown, but de-emphasised.
      sf.presentationHint = 'subtle';
      sf.source = { name: f.function, presentationHint: 'deemphasize', origin: 'emulated kernel routine' };
    }
    return sf;
  });
  return { stackFrames, totalFrames: frames.length };
}

export function scopes(ctx: SessionContext, args: DebugProtocol.ScopesArguments): DebugProtocol.ScopesResponse['body'] {
  const frameId = requireNumber(args?.frameId, 'frameId');
  const frames = ctx.engine().frames();
  if (frameId < 1 || frameId > frames.length) throw new Error(`no frame ${frameId} at this stop`);
  return { scopes: ctx.vars().scopes(frameId - 1) };
}

export function variables(ctx: SessionContext, args: DebugProtocol.VariablesArguments): DebugProtocol.VariablesResponse['body'] {
  const ref = requireNumber(args?.variablesReference, 'variablesReference');
  ctx.engine();
  return { variables: ctx.vars().variables(ref, args) };
}

function machineFrame(ctx: SessionContext, frameId: number | undefined): number {
  if (frameId === undefined) return 0;
  return ctx.engine().machineFrame(frameId - 1) ?? 0;
}

export function setVariable(ctx: SessionContext, args: DebugProtocol.SetVariableArguments): DebugProtocol.SetVariableResponse['body'] {
  const ref = requireNumber(args?.variablesReference, 'variablesReference');
  const name = requireString(args.name, 'name');
  const value = requireString(args.value, 'value');
  const engine = ctx.engine();
  const field = ctx.vars().mdlFieldTarget(ref, name);
  if (field) {
    // An MDL field written directly, as `ed`/`ew` would in WinDbg.
    const n = engine.machine.evaluate(value, { frame: 0 }).raw;
    if (n === undefined) throw new Error(`${value} is not a number`);
    const mem = engine.kernel.memory;
    if (field.size === 2) mem.write16(field.address, Number(n) & 0xffff);
    else if (field.size === 4) mem.write32(field.address, Number(n) >>> 0);
    else mem.write64(field.address, n);
    ctx.afterEdit();
    const updated = ctx.vars().variables(ref, {} as DebugProtocol.VariablesArguments).find((v) => v.name === name);
    return { value: updated?.value ?? value, type: updated?.type };
  }
  const { expr, frame } = ctx.vars().expressionOf(ref, name);
  if (!expr) throw new Error(`${name} cannot be assigned here`);
  const v = engine.machine.assign(expr, value, { frame, allowSideEffects: true, hex: args.format?.hex });
  ctx.afterEdit();
  const dv = ctx.vars().toVariable(v, expr, args.format?.hex ?? false);
  return { value: dv.value, type: dv.type, variablesReference: dv.variablesReference, namedVariables: dv.namedVariables, indexedVariables: dv.indexedVariables };
}

export function setExpression(ctx: SessionContext, args: DebugProtocol.SetExpressionArguments): DebugProtocol.SetExpressionResponse['body'] {
  const expression = requireString(args?.expression, 'expression');
  const value = requireString(args.value, 'value');
  const engine = ctx.engine();
  const v = engine.machine.assign(expression, value, { frame: machineFrame(ctx, args.frameId), allowSideEffects: true, hex: args.format?.hex });
  ctx.afterEdit();
  const dv = ctx.vars().toVariable(v, expression, args.format?.hex ?? false);
  return { value: dv.value, type: dv.type, variablesReference: dv.variablesReference, namedVariables: dv.namedVariables, indexedVariables: dv.indexedVariables };
}

export function evaluate(ctx: SessionContext, args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] {
  const expression = requireString(args?.expression, 'expression').trim();
  const engine = ctx.engine();
  if (args.context === 'repl' && isWindbgCommand(expression)) {
    return { result: runWindbgCommand(engine, expression), variablesReference: 0 };
  }
  if (expression === '') throw new Error('empty expression');
  const hex = args.format?.hex ?? false;
  // Only the Debug Console may change state; watches and hovers must not.
  const v = engine.machine.evaluate(expression, { frame: machineFrame(ctx, args.frameId), hex, allowSideEffects: args.context === 'repl' });
  if (args.context === 'repl' && /[^=!<>]=[^=]|\+\+|--/.test(expression)) ctx.afterEdit();
  const dv = ctx.vars().toVariable(v, expression, hex);
  return { result: dv.value, type: dv.type, variablesReference: dv.variablesReference, namedVariables: dv.namedVariables, indexedVariables: dv.indexedVariables, memoryReference: dv.memoryReference, presentationHint: dv.presentationHint };
}

export function completions(ctx: SessionContext, args: DebugProtocol.CompletionsArguments): DebugProtocol.CompletionsResponse['body'] {
  const text = requireString(args?.text, 'text');
  const column = Math.max(1, Math.min(args.column ?? text.length + 1, text.length + 1));
  const before = text.slice(0, column - 1);
  const word = /[!.]?[A-Za-z_][A-Za-z0-9_]*$|[!.]$/.exec(before)?.[0] ?? '';
  const engine = ctx.engine();
  const m = engine.machine;
  const names = new Set<string>();
  const frame = machineFrame(ctx, args.frameId);
  for (const v of m.locals(frame)) names.add(v.name);
  for (const v of m.globals()) names.add(v.name);
  for (const f of engine.loadedProgram?.functionNames() ?? []) names.add(f);
  for (const r of engine.kernel.routineNames()) names.add(r);
  const items: DebugProtocol.CompletionItem[] = [];
  if (before.trim() === word) for (const c of WINDBG_COMMANDS) if (c.startsWith(word)) items.push({ label: c, type: 'keyword', start: column - 1 - word.length, length: word.length });
  for (const n of names) {
    if (word && !n.startsWith(word)) continue;
    items.push({ label: n, type: 'variable', start: column - 1 - word.length, length: word.length });
  }
  return { targets: items.slice(0, 500) };
}

export function exceptionInfo(ctx: SessionContext, args: DebugProtocol.ExceptionInfoArguments): DebugProtocol.ExceptionInfoResponse['body'] {
  if (args?.threadId !== undefined && args.threadId !== THREAD_ID) throw new Error(`no thread ${args.threadId}`);
  const engine = ctx.engine();
  const stop = engine.currentStop;
  if (!stop || stop.reason !== 'exception') throw new Error('the scenario is not stopped on an exception');
  return describeException(stop, engine.frames());
}

/**
 * While running again or after the end the exception widget may still ask about the stop it is
 * showing (the request raced continue or terminate): the answer is that stop's exception, else the
 * run's last bug check, never an error.
 */
export function exceptionInfoOutsideStop(engine: DebugEngine): DebugProtocol.ExceptionInfoResponse['body'] {
  const stop = engine.previousStop;
  const last = engine.lastBugCheck;
  if (stop?.reason === 'exception' && !stop.bugcheck) return describeException(stop, []);
  if (last) return bugCheckException(last.info, last.unhandled, last.frames);
  return { exceptionId: 'none', description: `The ${engine.state === 'ended' ? 'run has ended' : 'scenario is running'} without a bug check.`, breakMode: 'never' };
}

function describeException(stop: StopEvent, frames: FrameInfo[]): DebugProtocol.ExceptionInfoResponse['body'] {
  if (stop.bugcheck) return bugCheckException(stop.bugcheck, stop.kind === 'seh-unhandled', frames);
  if (stop.kind === 'seh-raised') return { exceptionId: 'SEH exception', description: stop.text ?? stop.description, breakMode: 'always', details: { message: stop.text } };
  return { exceptionId: 'DriverVerifier', description: stop.text ?? stop.description, breakMode: 'always', details: { message: stop.text } };
}

function bugCheckException(b: BugCheckInfo, unhandled: boolean, frames: FrameInfo[]): DebugProtocol.ExceptionInfoResponse['body'] {
  return {
    exceptionId: b.name,
    description: `${bugCheckLine(b)} — ${b.explanation}`,
    breakMode: unhandled ? 'unhandled' : 'always',
    details: { message: b.explanation, typeName: `Bug check ${b.name}`, fullTypeName: bugCheckLine(b), stackTrace: formatFrames(frames).join('\n') },
  };
}

export { required };
