// A process's page tables over a VA range, page by page, as `!pte` would decode them: PTE state
// (valid, transition, paged out, demand zero, prototype, no access, no PTE), protection, the
// hardware bits, the frame with its lock count, and the live MDLs that describe the page
// (reference 3.3: a lock pins the frame, not the VA). Pure and bounded: a walk returns at most
// `maxRows` rows, skips missing upper-level tables in one step, and folds runs of identical
// empty pages into one row, so a query over the whole user half costs what its tables hold.
import { PAGE_SIZE } from './constants';
import type { Kernel } from './kernel';
import {
  MM_NOACCESS, PTE_ACCESSED, PTE_DIRTY, PTE_NX, PTE_OWNER, PTE_PAGEFILE, PTE_TRANSITION, PTE_WRITE,
  pteFrame, pteProtection, vaOfVpn, vpnOf, type PageTable, type PageTables,
} from './pageTables';
import { PAGE_STATE_NAMES } from './pfnDatabase';
import type { Hex, PageState } from './snapshotTypes';
import { hex64 as fastHex } from './u64';

export type PteStateName = 'valid' | 'transition' | 'paged-out' | 'demand-zero' | 'prototype' | 'no-access' | 'no-pte';
export const PTE_STATE_NAMES: readonly PteStateName[] = ['valid', 'transition', 'paged-out', 'demand-zero', 'prototype', 'no-access', 'no-pte'];

/** One page, or (pages > 1) a run of pages whose PTEs are identical and empty and that no MDL describes. */
export interface PageTableRow {
  va: Hex;
  pages: number;
  state: PteStateName;
  /** The PTE as stored (hardware layout; software bits when not valid); 0x0 when there is none. */
  pte: Hex;
  /** MM protection of a not-valid PTE (e.g. 4 ReadWrite), or the valid PTE's bits as a name. */
  protection: string;
  /** Valid or transition: the frame; otherwise null. */
  pfn: number | null;
  /** Paged out: the page-file slot holding the contents. */
  pageFileSlot: number | null;
  writable: boolean;
  user: boolean;
  dirty: boolean;
  accessed: boolean;
  noExecute: boolean;
  /** Locks on the frame (MmProbeAndLockPages and friends); > 0 = locked. */
  lockCount: number;
  locked: boolean;
  /** The frame's page list state in the PFN database. */
  frameState: PageState | null;
  /** Live MDLs whose StartVa..StartVa+ByteOffset+ByteCount covers this page. */
  mdls: Hex[];
}

/** The upper-level entries above one page table (per 2 MiB of VA), for a `!pte`-style tooltip. */
export interface PageDirectoryEntries {
  /** First VA the page table maps (2 MiB aligned). */
  va: Hex;
  pxe: Hex;
  ppe: Hex;
  pde: Hex;
}

export interface PageTableWalk {
  /** Image name of the process, null when the range is in system space. */
  process: string | null;
  eprocess: Hex | null;
  start: Hex;
  /** Bytes asked for (whole pages from start's page). */
  length: number;
  rows: PageTableRow[];
  tables: PageDirectoryEntries[];
  /** Pages per state over the part walked (a run counts all its pages). */
  counts: Record<PteStateName, number>;
  lockedPages: number;
  describedPages: number;
  pagesWalked: number;
  /** The row cap stopped the walk before the end of the range; `nextVa` is where to continue. */
  truncated: boolean;
  nextVa: Hex | null;
}

/** A live MDL's described range (StartVa + ByteOffset, ByteCount) and whose address space it is in. */
export interface MdlRange {
  address: Hex;
  startVa: number;
  byteOffset: number;
  byteCount: number;
  /** EPROCESS of a user-range MDL (0 for kernel ranges). */
  process: number;
}

/** What the walk reads: the tables of the chosen space and of system space, and the PFN database. */
export interface WalkSource {
  user: PageTables | null;
  system: PageTables;
  process: { name: string; eprocess: number } | null;
  frame(pfn: number): { lockCount: number; state: PageState } | null;
  mdls: readonly MdlRange[];
}

export interface WalkQuery {
  /** Canonical VA (kernel addresses negative); rounded down to its page. */
  start: number;
  /** Bytes; the range must stay within one half (user or system) of the address space. */
  length: number;
  maxRows?: number;
}

export const DEFAULT_MAX_ROWS = 4096;
export const MAX_ROWS_LIMIT = 65536;
const USER_TOP = 2 ** 47;

const MM_PROTECTION_NAMES = ['NoAccess', 'ReadOnly', 'Execute', 'ExecuteRead', 'ReadWrite', 'WriteCopy', 'ExecuteReadWrite', 'ExecuteWriteCopy'];

/** WinDbg's "Protect: 4 - ReadWrite" for a software PTE's 5-bit protection. */
export function protectionName(p: number): string {
  if (p === MM_NOACCESS) return `${p.toString(16)} - NoAccess`;
  const base = MM_PROTECTION_NAMES[p & 7];
  const mods = (p & 0x18) === 0x8 ? ' NoCache' : (p & 0x18) === 0x10 ? ' Guard' : (p & 0x18) === 0x18 ? ' WriteCombine' : '';
  return `${p.toString(16)} - ${base}${mods}`;
}

/** The state a PTE value is in (a VA without any page table is 'no-pte' too). */
export function pteStateOf(pte: number): PteStateName {
  if (pte === 0) return 'no-pte';
  const low = pte % 4096;
  if (low & 1) return 'valid';
  if ((low & 0xc03) === 0x2) return 'prototype';
  if (low & PTE_TRANSITION) return 'transition';
  if (low & PTE_PAGEFILE) return 'paged-out';
  const p = pteProtection(pte);
  return p === 0 || p === MM_NOACCESS ? 'no-access' : 'demand-zero';
}

function checkQuery(q: WalkQuery): { first: number; end: number; maxRows: number } {
  if (!Number.isSafeInteger(q.start)) throw new Error('start: expected a canonical virtual address');
  if (!Number.isSafeInteger(q.length) || q.length <= 0) throw new Error('length: expected a positive number of bytes');
  const lo = q.start - (q.start & 0xfff);
  const hi = q.start + q.length; // exclusive
  const user = q.start >= 0;
  if (user ? q.start >= USER_TOP : q.start < -USER_TOP) throw new Error(`start ${fastHex(q.start)} is not canonical (x64 has 48-bit virtual addresses)`);
  if (user ? hi > USER_TOP : hi > 0) throw new Error(`the range ${fastHex(q.start)} +${fastHex(q.length)} leaves ${user ? 'user' : 'system'} space; query each half separately`);
  const maxRows = q.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS_LIMIT) throw new Error(`maxRows: expected 1..${MAX_ROWS_LIMIT}`);
  const first = vpnOf(lo);
  const end = first + Math.ceil((hi - lo) / PAGE_SIZE);
  return { first, end, maxRows };
}

interface Interval {
  from: number;
  to: number; // exclusive VPN
  address: Hex;
}

/** MDL ranges in the walked space, clipped to [first, end), by first page. */
function mdlIntervals(src: WalkSource, system: boolean, first: number, end: number): Interval[] {
  const out: Interval[] = [];
  for (const m of src.mdls) {
    const va = m.startVa + m.byteOffset;
    if (m.startVa === 0 || m.byteCount <= 0) continue;
    if (system ? va >= 0 : va < 0 || src.process === null || m.process !== src.process.eprocess) continue;
    const from = Math.max(first, vpnOf(va));
    const to = Math.min(end, vpnOf(va) + Math.ceil(((va & 0xfff) + m.byteCount) / PAGE_SIZE));
    if (from < to) out.push({ from, to, address: m.address });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** Walks [start, start+length) of `src`'s address space (system space for kernel VAs). */
export function walkPageTables(src: WalkSource, q: WalkQuery): PageTableWalk {
  const { first, end, maxRows } = checkQuery(q);
  const system = q.start < 0;
  const space = system ? src.system : src.user;
  if (!space) throw new Error('this process has no address space (it has exited)');
  const counts = Object.fromEntries(PTE_STATE_NAMES.map((s) => [s, 0])) as Record<PteStateName, number>;
  const rows: PageTableRow[] = [];
  const tables: PageDirectoryEntries[] = [];
  const mdls = mdlIntervals(src, system, first, end);
  let nextMdl = 0;
  let active: Interval[] = [];
  let lockedPages = 0;
  let describedPages = 0;

  /** MDLs covering vpn (the sweep only moves forwards). */
  const covering = (vpn: number): Hex[] => {
    while (nextMdl < mdls.length && mdls[nextMdl].from <= vpn) active.push(mdls[nextMdl++]);
    if (active.length) active = active.filter((i) => i.to > vpn);
    return active.map((i) => i.address);
  };
  /** How far from vpn an empty run may extend before an MDL starts (covering(vpn) was empty). */
  const runLimit = (vpn: number, limit: number): number => (nextMdl < mdls.length ? Math.min(limit, Math.max(vpn + 1, mdls[nextMdl].from)) : limit);

  // The last row while it can still grow: an empty PTE value and the page after it.
  let openPte = -1;
  let openEnd = -1;
  const emptyRow = (vpn: number, pages: number, pte: number, state: PteStateName): void => {
    counts[state] += pages;
    if (openEnd === vpn && openPte === pte) {
      rows[rows.length - 1].pages += pages;
    } else {
      rows.push(pageRow(vpn, pages, pte, state, [], null));
      openPte = pte;
    }
    openEnd = vpn + pages;
  };

  const pageRow = (vpn: number, pages: number, pte: number, state: PteStateName, described: Hex[], frame: { lockCount: number; state: PageState } | null): PageTableRow => {
    const low = pte % 4096;
    const valid = state === 'valid';
    const pfn = valid || state === 'transition' ? pteFrame(pte) : null;
    return {
      va: fastHex(vaOfVpn(vpn)),
      pages,
      state,
      pte: fastHex(pte),
      protection: valid ? `${low & PTE_WRITE ? 'ReadWrite' : 'ReadOnly'}${low & PTE_NX ? ' NoExecute' : ''}` : state === 'no-pte' ? '' : protectionName(pteProtection(pte)),
      pfn,
      pageFileSlot: state === 'paged-out' ? pteFrame(pte) - 1 : null,
      writable: valid ? (low & PTE_WRITE) !== 0 : false,
      user: valid ? (low & PTE_OWNER) !== 0 : !system,
      dirty: valid && (low & PTE_DIRTY) !== 0,
      accessed: valid && (low & PTE_ACCESSED) !== 0,
      noExecute: valid && (low & PTE_NX) !== 0,
      lockCount: frame?.lockCount ?? 0,
      locked: (frame?.lockCount ?? 0) > 0,
      frameState: frame?.state ?? null,
      mdls: described,
    };
  };

  let vpn = first;
  while (vpn < end && rows.length < maxRows) {
    // Down the hierarchy; a missing table at any level is a hole as large as what it would map.
    const i4 = Math.floor(vpn / 134217728) % 512;
    const i3 = Math.floor(vpn / 262144) % 512;
    const i2 = Math.floor(vpn / 512) % 512;
    const l3 = space.root.sub![i4];
    const l2 = l3?.sub![i3];
    const pt: PageTable | undefined = l2?.sub![i2];
    if (!pt) {
      const span = !l3 ? 134217728 : !l2 ? 262144 : 512;
      const holeEnd = Math.min(end, (Math.floor(vpn / span) + 1) * span);
      if (covering(vpn).length === 0) {
        const to = runLimit(vpn, holeEnd);
        emptyRow(vpn, to - vpn, 0, 'no-pte');
        vpn = to;
      } else {
        // described by an MDL though no table maps it (unlocked, never touched)
        describedPages++;
        counts['no-pte']++;
        rows.push(pageRow(vpn, 1, 0, 'no-pte', covering(vpn), null));
        openEnd = -1;
        vpn++;
      }
      continue;
    }
    tables.push({ va: fastHex(vaOfVpn(vpn - (vpn % 512))), pxe: fastHex(space.root.entries[i4]), ppe: fastHex(l3!.entries[i3]), pde: fastHex(l2!.entries[i2]) });
    const blockEnd = Math.min(end, (Math.floor(vpn / 512) + 1) * 512);
    while (vpn < blockEnd && rows.length < maxRows) {
      const pte = pt.entries[vpn % 512];
      const state = pteStateOf(pte);
      const described = covering(vpn);
      if (described.length === 0 && (state === 'no-pte' || state === 'demand-zero' || state === 'no-access')) {
        // a run of this same PTE value, up to the table's end or the next MDL
        const limit = runLimit(vpn, blockEnd);
        let to = vpn + 1;
        while (to < limit && pt.entries[to % 512] === pte) to++;
        emptyRow(vpn, to - vpn, pte, state);
        vpn = to;
        continue;
      }
      const pfn = state === 'valid' || state === 'transition' ? pteFrame(pte) : -1;
      const frame = pfn >= 0 ? src.frame(pfn) : null;
      if (frame && frame.lockCount > 0) lockedPages++;
      if (described.length) describedPages++;
      counts[state]++;
      rows.push(pageRow(vpn, 1, pte, state, described, frame));
      openEnd = -1;
      vpn++;
    }
  }
  // The last row may have been extended past maxRows' worth of pages: nothing lost, it is one row.
  const truncated = vpn < end;
  return {
    process: system ? null : src.process?.name ?? null,
    eprocess: system || !src.process ? null : fastHex(src.process.eprocess),
    start: fastHex(vaOfVpn(first)),
    length: (end - first) * PAGE_SIZE,
    rows,
    tables,
    counts,
    lockedPages,
    describedPages,
    pagesWalked: vpn - first,
    truncated,
    nextVa: truncated ? fastHex(vaOfVpn(vpn)) : null,
  };
}

/**
 * The walk's view of a kernel: `eprocess` names the process whose user half to walk (null: the
 * current process context). Reads page tables, processes and the PFN database through their
 * public members only.
 */
export function walkSourceOf(k: Kernel, eprocess: number | null, mdls: readonly MdlRange[]): WalkSource {
  const p = eprocess === null ? k.procs.current : k.procs.byEprocess(eprocess);
  if (!p) throw new Error(`${fastHex(eprocess ?? 0)} is not a process of this run`);
  const d = k.mm.pfn;
  return {
    user: p.alive || p.spaceId === 0 ? k.mm.spaces.get(p.spaceId) ?? null : null,
    system: k.mm.system,
    process: { name: p.name, eprocess: p.eprocess },
    frame: (pfn) => (d.isRam(pfn) ? { lockCount: pfn < d.watermark ? d.lockCount[pfn] : 0, state: PAGE_STATE_NAMES[d.stateOf(pfn)] } : null),
    mdls,
  };
}
