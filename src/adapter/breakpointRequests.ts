// Breakpoint requests: line (with conditions, hit counts, logpoints), function, exception filters and data.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { hex64, parseHex64 } from '../emulator/u64';
import type { BreakpointStatus, BreakpointTable } from '../engine/breakpoints';
import type { DebugEngine, ExceptionFilters } from '../engine/engine';
import type { SessionContext } from './context';
import { required, requireNumber } from './context';
import { EXCEPTION_FILTERS } from './capabilities';
import { normalizePath } from '../engine/host';

function toDap(s: BreakpointStatus, path?: string): DebugProtocol.Breakpoint {
  return { id: s.id, verified: s.verified, line: s.line, message: s.message, source: path ? { path } : undefined };
}

export function setBreakpoints(table: BreakpointTable, engine: DebugEngine | null, args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.SetBreakpointsResponse['body'] {
  const path = required(args?.source?.path, 'source.path');
  const given: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
  const specs = given.map((b) => ({
    line: requireNumber(b.line, 'breakpoint line'),
    condition: b.condition,
    hitCondition: b.hitCondition,
    logMessage: b.logMessage,
  }));
  const statuses = table.setLineBreakpoints(path, specs, engine?.loadedProgram ?? null);
  return { breakpoints: statuses.map((s) => toDap(s, path)) };
}

export function setFunctionBreakpoints(table: BreakpointTable, engine: DebugEngine | null, args: DebugProtocol.SetFunctionBreakpointsArguments): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
  const specs = required(args?.breakpoints, 'breakpoints').map((b) => ({ name: String(b.name ?? ''), condition: b.condition, hitCondition: b.hitCondition }));
  const known = (name: string): boolean => {
    if (!engine || engine.state === 'unloaded') return true;
    return engine.loadedProgram!.functionNames().includes(name) || engine.kernel.routine(name) !== undefined;
  };
  return { breakpoints: table.setFunctionBreakpoints(specs, known).map((s) => toDap(s)) };
}

export function setExceptionFilters(filters: ExceptionFilters, args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
  const chosen = new Set([...(args?.filters ?? []), ...(args?.filterOptions ?? []).map((o) => o.filterId)]);
  filters.bugcheck = chosen.has('bugcheck');
  filters.sehUnhandled = chosen.has('seh-unhandled');
  filters.verifier = chosen.has('verifier');
  filters.sehRaised = chosen.has('seh-raised');
  return { breakpoints: EXCEPTION_FILTERS.map(() => ({ verified: true })) };
}

/** `dataId` is `ADDRESS/SIZE/label` so that it can be set again after a restart. */
export function dataBreakpointInfo(ctx: SessionContext, args: DebugProtocol.DataBreakpointInfoArguments): DebugProtocol.DataBreakpointInfoResponse['body'] {
  const name = required(args?.name, 'name');
  const engine = ctx.engine();
  let target: { address: number; size: number } | null = null;
  let label = name;
  if (args.variablesReference) {
    target = ctx.vars().mdlFieldTarget(args.variablesReference, name);
    if (!target) {
      const v = ctx.vars().childView(args.variablesReference, name);
      if (v?.address !== undefined && v.size) target = { address: v.address, size: v.size };
      const expr = ctx.vars().expressionOf(args.variablesReference, name).expr;
      if (expr) label = expr;
    } else {
      const expr = ctx.vars().expressionOf(args.variablesReference, name).expr;
      if (expr) label = expr;
    }
  } else {
    try {
      const v = engine.machine.evaluate(name, { frame: 0 });
      if (v.address !== undefined && v.size) target = { address: v.address, size: v.size };
    } catch {
      target = null;
    }
  }
  if (!target) return { dataId: null, description: `${name} has no address in emulated memory` };
  const size = Math.min(target.size, 64);
  return { dataId: `${hex64(target.address)}/${size}/${label}`, description: `${label} (${size} bytes at ${hex64(target.address)})`, accessTypes: ['write'], canPersist: false };
}

export function setDataBreakpoints(table: BreakpointTable, engine: DebugEngine | null, args: DebugProtocol.SetDataBreakpointsArguments): DebugProtocol.SetDataBreakpointsResponse['body'] {
  const specs = required(args?.breakpoints, 'breakpoints').map((b) => {
    const [a, size, ...label] = String(b.dataId).split('/');
    let address = NaN;
    try {
      address = Number(parseHex64(a));
    } catch {
      address = NaN;
    }
    return { address, size: Number(size), label: label.join('/') || a, condition: b.condition, hitCondition: b.hitCondition };
  });
  const kernel = engine && engine.state !== 'unloaded' ? engine.kernel : null;
  return { breakpoints: table.setDataBreakpoints(specs, kernel).map((s) => toDap(s)) };
}

export function breakpointLocations(engine: DebugEngine | null, args: DebugProtocol.BreakpointLocationsArguments): DebugProtocol.BreakpointLocationsResponse['body'] {
  const path = required(args?.source?.path, 'source.path');
  const program = engine?.loadedProgram;
  if (!program) return { breakpoints: [] };
  const from = requireNumber(args.line, 'line');
  const to = args.endLine ?? from;
  const file = normalizePath(path);
  return { breakpoints: program.executableLines(file).filter((l) => l >= from && l <= to).map((line) => ({ line })) };
}

