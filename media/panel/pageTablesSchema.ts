// Schema check of a page-table walk (src/emulator/pageTableWalk.ts) before the address space view
// uses it: every field's type, known PTE states, bounded row and table counts; the error names
// the path of the first bad field.
import type { PageTableWalk } from '../../src/engine/pageTableQuery';

export const PTE_STATES = ['valid', 'transition', 'paged-out', 'demand-zero', 'prototype', 'no-access', 'no-pte'] as const;
const FRAME_STATES = ['Zeroed', 'Free', 'Standby', 'Modified', 'ModifiedNoWrite', 'Bad', 'Active', 'Transition'];
const HEX = /^0x[0-9a-f]{1,16}$/i;
const MAX_ROWS = 65536;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

function row(r: unknown, at: string): string | null {
  if (!isRec(r)) return `${at}: expected an object`;
  if (typeof r.va !== 'string' || !HEX.test(r.va)) return `${at}.va: expected hex`;
  if (typeof r.pte !== 'string' || !HEX.test(r.pte)) return `${at}.pte: expected hex`;
  if (!isCount(r.pages) || (r.pages as number) < 1) return `${at}.pages: expected a positive integer`;
  if (!(PTE_STATES as readonly unknown[]).includes(r.state)) return `${at}.state: unknown PTE state`;
  if (typeof r.protection !== 'string' || r.protection.length > 64) return `${at}.protection: expected a short string`;
  for (const k of ['pfn', 'pageFileSlot'] as const) if (!(r[k] === null || isCount(r[k]))) return `${at}.${k}: expected a number or null`;
  for (const k of ['writable', 'user', 'dirty', 'accessed', 'noExecute', 'locked'] as const) if (typeof r[k] !== 'boolean') return `${at}.${k}: expected a boolean`;
  if (!isCount(r.lockCount)) return `${at}.lockCount: expected a count`;
  if (!(r.frameState === null || FRAME_STATES.includes(r.frameState as string))) return `${at}.frameState: unknown page state`;
  if (!Array.isArray(r.mdls) || r.mdls.length > 1024 || !r.mdls.every((m) => typeof m === 'string' && HEX.test(m))) return `${at}.mdls: expected hex MDL addresses`;
  return null;
}

export function validatePageTableWalk(v: unknown): string | null {
  if (!isRec(v)) return 'walk: expected an object';
  if (!(v.process === null || typeof v.process === 'string')) return 'walk.process: expected a name or null';
  if (!(v.eprocess === null || (typeof v.eprocess === 'string' && HEX.test(v.eprocess)))) return 'walk.eprocess: expected hex or null';
  if (typeof v.start !== 'string' || !HEX.test(v.start)) return 'walk.start: expected hex';
  for (const k of ['length', 'lockedPages', 'describedPages', 'pagesWalked'] as const) if (!isCount(v[k])) return `walk.${k}: expected a count`;
  if (typeof v.truncated !== 'boolean') return 'walk.truncated: expected a boolean';
  if (!(v.nextVa === null || (typeof v.nextVa === 'string' && HEX.test(v.nextVa)))) return 'walk.nextVa: expected hex or null';
  if (!isRec(v.counts) || !PTE_STATES.every((s) => isCount((v.counts as Rec)[s]))) return 'walk.counts: expected a count per PTE state';
  if (!Array.isArray(v.rows) || v.rows.length > MAX_ROWS) return `walk.rows: expected an array of at most ${MAX_ROWS}`;
  for (let i = 0; i < v.rows.length; i++) {
    const e = row(v.rows[i], `walk.rows[${i}]`);
    if (e) return e;
  }
  if (!Array.isArray(v.tables) || v.tables.length > MAX_ROWS) return 'walk.tables: expected an array';
  for (let i = 0; i < v.tables.length; i++) {
    const t = v.tables[i];
    if (!isRec(t) || !['va', 'pxe', 'ppe', 'pde'].every((k) => typeof t[k] === 'string' && HEX.test(t[k] as string))) return `walk.tables[${i}]: expected hex va, pxe, ppe, pde`;
  }
  return null;
}

export type { PageTableWalk };
