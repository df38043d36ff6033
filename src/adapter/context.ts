// What the request handlers share with the session: the engine of the current run, the variable
// store of the current stop, and a way to send events.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugEngine } from '../engine/engine';
import type { VariableStore } from './variables';

export const THREAD_ID = 1;

export interface SessionContext {
  /** The engine of the current run; throws an Error naming what is missing when there is none. */
  engine(): DebugEngine;
  vars(): VariableStore;
  sendEvent(event: DebugProtocol.Event): void;
  /** After guest state changed while stopped (setVariable, writeMemory): refresh views and the snapshot. */
  afterEdit(): void;
}

/** A request argument that must be present and of a type; the message names it. */
export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing argument: ${what}`);
  return value;
}

export function requireNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what} must be a number`);
  return value;
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string`);
  return value;
}
