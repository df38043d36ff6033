// The engine's public shapes that are not events: what it runs on, its states, the exception
// filters the user toggles, and where a time-travel motion goes.
import type { EngineKernel, KernelOptions } from '../emulator/contract';
import type { Diagnostic, LanguageModule } from '../lang/contract';
import type { PendingStop } from './stopChecks';

/** The language and emulator the engine runs on (injected so tests can use doubles). */
export interface EngineDeps {
  language: LanguageModule;
  createKernel(options: KernelOptions): EngineKernel;
}

export type LoadResult = { ok: true } | { ok: false; diagnostics: Diagnostic[]; message: string };

export type EngineState = 'unloaded' | 'ready' | 'running' | 'stopped' | 'ended';

export interface ExceptionFilters {
  bugcheck: boolean;
  sehUnhandled: boolean;
  verifier: boolean;
  /** First chance: an emulated routine raised a structured exception (a handler may still catch it). */
  sehRaised?: boolean;
}

/** Where a time-travel motion goes, and the stop to report there when it is already known. */
export interface TravelTarget {
  step: number;
  kind: PendingStop['kind'];
  stop?: PendingStop;
  /** The stop is inside `step`, just before this emulated routine is called (function breakpoint). */
  nativeCall?: string;
  /** The breakpoint hit counts were already set to those of the target. */
  hitsCounted?: boolean;
}
