// The message protocol between the MDL panel's webview and the extension host, typed once and
// imported by both sides (media/panel/main.ts and src/extension/panels/mdlPanel.ts).
//
// Extension → webview (every one validated by `parseHostMessage` before the webview uses it):
//   snapshot      the MM snapshot at the current stop (after every stop and step back), or null
//                 when no session is stopped
//   packedSnapshot the same snapshot with its bulk in typed arrays (media/panel/packing.ts); what the
//                 host sends, because a 1 GiB MDL as plain objects takes seconds to deserialise
//   physicalMap   the state of every physical frame, run-length encoded (answer to
//                 requestPhysicalMap; `step` says which stop it belongs to)
//   selectMdl     make this MDL the selected one (Variables view, "show in MDL panel")
//   showView      switch to a view
//   session       the debug session's state, shown in the header
//   pageTables    a process's page tables over a VA range (answer to requestPageTables), or why not
// Webview → extension (validated by `parseWebviewMessage` on the host):
//   ready               the webview has loaded; send the latest snapshot
//   gotoStep            a timeline click: run forwards or backwards to this statement counter
//   requestPhysicalMap  the physical memory view needs the run-length map for this stop
//   selectionChanged    the user selected an MDL (so the host can remember it across reloads)
//   requestPageTables   the address space view wants the page tables of a process over a VA range
import type { Snapshot } from '../../src/engine/snapshot';
import type { PageTableWalk } from '../../src/engine/pageTableQuery';
import { validatePageTableWalk } from './pageTablesSchema';
import { unpackSnapshot, validatePacked, type PackedSnapshot } from './packing';
import { validateSnapshot } from './schema';

export type ViewId = 'inspector' | 'mapping' | 'chains' | 'physical' | 'addressSpace' | 'timeline';
export const VIEW_IDS: readonly ViewId[] = ['inspector', 'mapping', 'chains', 'physical', 'addressSpace', 'timeline'];

export type SessionState = 'none' | 'running' | 'stopped' | 'ended';

export interface PhysicalMap {
  /** Statement counter of the stop the map was taken at. */
  step: number;
  /** Consecutive runs of [stateCode, count] from PFN 0; state codes index `states`. */
  runs: [number, number][];
  states: string[];
}

export type HostMessage =
  | { type: 'snapshot'; snapshot: Snapshot | null }
  | { type: 'packedSnapshot'; snapshot: PackedSnapshot }
  | { type: 'physicalMap'; map: PhysicalMap }
  | { type: 'selectMdl'; address: string }
  | { type: 'showView'; view: ViewId }
  | { type: 'session'; state: SessionState; name?: string }
  | { type: 'pageTables'; query: PageTablesQuery; walk?: PageTableWalk; error?: string };

/** What the address space view asks for: `process` is an EPROCESS (null: system space / current). */
export interface PageTablesQuery {
  step: number;
  process: string | null;
  start: string;
  length: number;
}

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'gotoStep'; step: number }
  | { type: 'requestPhysicalMap'; step: number }
  | { type: 'selectionChanged'; address: string | null; view: ViewId }
  | ({ type: 'requestPageTables' } & PageTablesQuery);

/** What the webview keeps with `setState`, and what the host's serializer gets back on revive. */
export interface PanelState {
  view: ViewId;
  selectedMdl: string | null;
  processFilter: string | null;
  /** The address space view's range as the user typed it (null: follow the selected MDL). */
  vaRange: string | null;
}

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

const HEX = /^0x[0-9a-f]{1,16}$/i;
const SESSION_STATES: readonly string[] = ['none', 'running', 'stopped', 'ended'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isStep(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function isViewId(v: unknown): v is ViewId {
  return typeof v === 'string' && (VIEW_IDS as readonly string[]).includes(v);
}

/** Validates the physical map's shape; runs are bounded so a hostile map cannot exhaust memory. */
export function validatePhysicalMap(v: unknown): string | null {
  if (!isRecord(v)) return 'map: expected an object';
  if (!isStep(v.step)) return 'map.step: expected a non-negative integer';
  if (!Array.isArray(v.states) || v.states.length > 64) return 'map.states: expected an array of at most 64 names';
  for (let i = 0; i < v.states.length; i++) {
    if (typeof v.states[i] !== 'string') return `map.states[${i}]: expected a string`;
  }
  if (!Array.isArray(v.runs)) return 'map.runs: expected an array';
  let total = 0;
  for (let i = 0; i < v.runs.length; i++) {
    const r = v.runs[i];
    if (!Array.isArray(r) || r.length !== 2) return `map.runs[${i}]: expected [stateCode, count]`;
    const [code, count] = r;
    if (!Number.isInteger(code) || code < 0 || code >= v.states.length) return `map.runs[${i}][0]: state code out of range`;
    if (!Number.isInteger(count) || count < 0) return `map.runs[${i}][1]: expected a non-negative count`;
    total += count;
  }
  // 2^26 frames is 256 GiB of emulated RAM: far beyond any scenario; refuse rather than allocate.
  if (total > 1 << 26) return 'map.runs: more than 2^26 frames';
  return null;
}

/** Checks a message from the extension; a packed snapshot comes back unpacked, as a `snapshot` message. */
export function parseHostMessage(v: unknown): Parsed<HostMessage> {
  if (!isRecord(v) || typeof v.type !== 'string') return { ok: false, error: 'message: expected {type: string}' };
  switch (v.type) {
    case 'snapshot': {
      if (v.snapshot === null) return { ok: true, message: { type: 'snapshot', snapshot: null } };
      const err = validateSnapshot(v.snapshot);
      return err ? { ok: false, error: err } : { ok: true, message: { type: 'snapshot', snapshot: v.snapshot as Snapshot } };
    }
    case 'packedSnapshot': {
      const err = validatePacked(v.snapshot) ?? validateSnapshot(withoutBulk(v.snapshot as PackedSnapshot));
      return err ? { ok: false, error: err } : { ok: true, message: { type: 'snapshot', snapshot: unpackSnapshot(v.snapshot as PackedSnapshot) } };
    }
    case 'physicalMap': {
      const err = validatePhysicalMap(v.map);
      return err ? { ok: false, error: err } : { ok: true, message: { type: 'physicalMap', map: v.map as PhysicalMap } };
    }
    case 'selectMdl':
      return typeof v.address === 'string' && HEX.test(v.address)
        ? { ok: true, message: { type: 'selectMdl', address: v.address.toLowerCase() } }
        : { ok: false, error: 'selectMdl.address: expected a 0x-prefixed hex address' };
    case 'showView':
      return isViewId(v.view) ? { ok: true, message: { type: 'showView', view: v.view } } : { ok: false, error: 'showView.view: unknown view' };
    case 'session':
      if (typeof v.state !== 'string' || !SESSION_STATES.includes(v.state)) return { ok: false, error: 'session.state: unknown state' };
      if (v.name !== undefined && typeof v.name !== 'string') return { ok: false, error: 'session.name: expected a string' };
      return { ok: true, message: { type: 'session', state: v.state as SessionState, name: v.name as string | undefined } };
    case 'pageTables': {
      const qErr = validateQuery(v.query, 'pageTables.query');
      if (qErr) return { ok: false, error: qErr };
      if (v.error !== undefined) {
        return typeof v.error === 'string' ? { ok: true, message: { type: 'pageTables', query: v.query as PageTablesQuery, error: v.error.slice(0, 500) } } : { ok: false, error: 'pageTables.error: expected a string' };
      }
      const err = validatePageTableWalk(v.walk);
      return err ? { ok: false, error: err } : { ok: true, message: { type: 'pageTables', query: v.query as PageTablesQuery, walk: v.walk as PageTableWalk } };
    }
    default:
      return { ok: false, error: `message: unknown type ${JSON.stringify(String(v.type).slice(0, 40))}` };
  }
}

/** A page-table query's shape: a stop, an EPROCESS or null, a hex start and a byte count. */
export function validateQuery(v: unknown, where: string): string | null {
  if (!isRecord(v)) return `${where}: expected an object`;
  if (!isStep(v.step)) return `${where}.step: expected a non-negative integer`;
  if (!(v.process === null || (typeof v.process === 'string' && HEX.test(v.process)))) return `${where}.process: expected a hex EPROCESS address or null`;
  if (typeof v.start !== 'string' || !HEX.test(v.start)) return `${where}.start: expected a 0x-prefixed hex address`;
  if (!Number.isSafeInteger(v.length) || (v.length as number) <= 0 || (v.length as number) > 2 ** 47) return `${where}.length: expected 1..2^47 bytes`;
  return null;
}

/** The packed snapshot with empty bulk columns, so the plain schema checks everything else. */
function withoutBulk(p: PackedSnapshot): unknown {
  return { ...p, frames: [], mdls: p.mdls.map((m) => ({ ...m, pfns: [], slotMatchesPageTables: [] })) };
}

/** Checks a message from the webview before the host acts on it. */
export function parseWebviewMessage(v: unknown): Parsed<WebviewMessage> {
  if (!isRecord(v) || typeof v.type !== 'string') return { ok: false, error: 'message: expected {type: string}' };
  switch (v.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'gotoStep':
    case 'requestPhysicalMap':
      return isStep(v.step) ? { ok: true, message: { type: v.type, step: v.step } } : { ok: false, error: `${v.type}.step: expected a non-negative integer` };
    case 'requestPageTables': {
      const err = validateQuery(v, 'requestPageTables');
      return err ? { ok: false, error: err } : { ok: true, message: { type: 'requestPageTables', step: v.step as number, process: v.process as string | null, start: (v.start as string).toLowerCase(), length: v.length as number } };
    }
    case 'selectionChanged': {
      const a = v.address;
      if (!(a === null || (typeof a === 'string' && HEX.test(a)))) return { ok: false, error: 'selectionChanged.address: expected a hex address or null' };
      if (!isViewId(v.view)) return { ok: false, error: 'selectionChanged.view: unknown view' };
      return { ok: true, message: { type: 'selectionChanged', address: a, view: v.view } };
    }
    default:
      return { ok: false, error: `message: unknown type ${JSON.stringify(String(v.type).slice(0, 40))}` };
  }
}

/** Restores a saved PanelState, falling back field by field to defaults for anything malformed. */
export function parsePanelState(v: unknown): PanelState {
  const s = isRecord(v) ? v : {};
  return {
    view: isViewId(s.view) ? s.view : 'inspector',
    selectedMdl: typeof s.selectedMdl === 'string' && HEX.test(s.selectedMdl) ? s.selectedMdl.toLowerCase() : null,
    processFilter: typeof s.processFilter === 'string' && s.processFilter.length <= 256 ? s.processFilter : null,
    vaRange: typeof s.vaRange === 'string' && s.vaRange.length <= 200 ? s.vaRange : null,
  };
}
