// What MDL Lab's adapter advertises in `initialize` — only what works, each with its reason.
import type { DebugProtocol } from '@vscode/debugprotocol';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'bugcheck', label: 'Bug check', description: 'Stop where the emulated kernel bug-checks (the blue screen), with its code and parameters.', default: true },
  { filter: 'seh-raised', label: 'SEH exception raised', description: 'Stop when an emulated routine raises a structured exception (MmProbeAndLockPages on a bad buffer, ExRaiseStatus), at the first statement that runs next: usually the __except handler.', default: false },
  { filter: 'seh-unhandled', label: 'SEH exception not handled', description: 'Stop when a structured exception finds no __except handler (Windows then bug-checks 0x7E/0x8E).', default: true },
  { filter: 'verifier', label: 'Driver Verifier report', description: 'Stop at each Driver Verifier report, even when it does not bug-check.', default: false },
];

export function capabilities(): DebugProtocol.Capabilities {
  return {
    // Breakpoints arrive after the scenario compiled, so they are verified against real statements.
    supportsConfigurationDoneRequest: true,
    // Any C expression, evaluated by the interpreter without side effects.
    supportsConditionalBreakpoints: true,
    // N, ==N, >N, >=N, <N, <=N, %N.
    supportsHitConditionalBreakpoints: true,
    // {expr} interpolation in the message.
    supportsLogPoints: true,
    // C functions stop at their first statement; emulated routines (MmProbeAndLockPages) before the call.
    supportsFunctionBreakpoints: true,
    // Value-change watch on any addressable variable or MDL field.
    supportsDataBreakpoints: true,
    // The four filters above; the exception widget shows the bug check.
    exceptionBreakpointFilters: EXCEPTION_FILTERS,
    supportsExceptionInfoRequest: true,
    // Checkpoints plus deterministic replay.
    supportsStepBack: true,
    // Hover and watch values can be re-evaluated in hex.
    supportsValueFormattingOptions: true,
    // Locals, globals and MDL fields can be changed while stopped (the recorded future is dropped).
    supportsSetVariable: true,
    supportsSetExpression: true,
    // Hover evaluates member chains such as mdl->MdlFlags.
    supportsEvaluateForHovers: true,
    // Identifiers, routines and WinDbg commands in the Debug Console.
    supportsCompletionsRequest: true,
    completionTriggerCharacters: ['!', '.', '>'],
    // Emulated virtual memory behind every pointer: the hex editor opens on a buffer.
    supportsReadMemoryRequest: true,
    supportsWriteMemoryRequest: true,
    // The breakpoint gutter hints where a breakpoint would bind.
    supportsBreakpointLocationsRequest: true,
    // A restart reloads the scenario from disk with the same breakpoints.
    supportsRestartRequest: true,
    supportsTerminateRequest: true,
    // Delayed loading of the PFN array: indexed children are paged.
    supportsDelayedStackTraceLoading: false,
  };
}
