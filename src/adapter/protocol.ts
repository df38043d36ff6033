// MDL Lab's custom Debug Adapter Protocol messages, shared by the adapter (sender) and the
// extension (receiver). Everything else is standard DAP.
import type { Snapshot } from '../engine/snapshot';

/** Event sent after every `stopped` event (also after a step back): the MM snapshot at that stop. */
export const SNAPSHOT_EVENT = 'mdlSnapshot';
export type SnapshotEventBody = Snapshot;

/** Request: the snapshot at the current stop (null while running or before the first stop). */
export const SNAPSHOT_REQUEST = 'mdlSnapshot';
export type SnapshotResponseBody = { snapshot: Snapshot | null };

/** Request: run (forwards or backwards) to the statement counter `step` (timeline clicks). */
export const GOTO_STEP_REQUEST = 'mdlGotoStep';
export type GotoStepArguments = { step: number };

/** Request: the state of every physical frame, run-length encoded, for the physical memory map. */
export const PHYSICAL_MAP_REQUEST = 'mdlPhysicalMap';
export type PhysicalMapResponseBody = {
  /** Consecutive runs of [stateCode, count] from PFN 0; state codes index `states`. */
  runs: [number, number][];
  states: string[];
};

/**
 * Request: a process's page tables over a VA range at the current stop (the address space view).
 * Answers with one row per page (runs of identical empty pages folded into one row), at most
 * `maxRows` rows; `truncated`/`nextVa` say where to continue.
 */
export const PAGE_TABLES_REQUEST = 'mdlPageTables';
export type PageTablesArguments = import('../engine/pageTableQuery').PageTableQuery;
export type PageTablesResponseBody = import('../engine/pageTableQuery').PageTableWalk;
