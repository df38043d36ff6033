// Processes: the System process and user processes, each an EPROCESS in nonpaged pool with its
// own address space; the thread's process context (LabEnterProcess, KeStackAttachProcess); user
// allocations (VADs) and process exit with the checks Windows makes there (reference 6.5, 6.11).
import type { Kernel } from './kernel';
import { LAYOUT, PAGE_SIZE, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY } from './constants';
import { vpnOf, MM_READONLY, MM_READWRITE, MM_NOACCESS } from './pageTables';
import { SYSTEM_SPACE } from './memoryManager';
import { tagValue } from './pool';
import { hex64 } from './u64';

/** EPROCESS layout of the emulator (only what it uses): the debugger reads the name from here. */
export const EPROCESS = { Type: 0x00, UniqueProcessId: 0x40, ImageFileName: 0x60, sizeof: 0x80 } as const;

export interface Vad {
  start: number;
  pages: number;
  /** 'private': LabUserAlloc memory; 'mdl-mapping': MmMapLockedPagesSpecifyCache(UserMode). */
  kind: 'private' | 'mdl-mapping';
  protect: number;
  mdl: number;
}

export interface LockRecord {
  mdl: number;
  pages: number;
  /** Pseudo address of the driver code that locked (0xCB P1). */
  caller: number;
}

export interface ProcessRecord {
  eprocess: number;
  name: string;
  pid: number;
  spaceId: number;
  alive: boolean;
  /** EPROCESS.NumberOfLockedPages (reference 3.2). */
  lockedPages: number;
  locks: LockRecord[];
  vads: Vad[];
  nextVa: number;
  nextMapVa: number;
}

interface ProcessesState {
  list: ProcessRecord[];
  current: number;
  /** KeStackAttachProcess nesting: [ApcState address, process to return to]. */
  attachStack: [number, number][];
  nextPid: number;
  nextSpace: number;
}

export type ProcessesSave = ProcessesState;

export function mmProtection(protect: number): number {
  switch (protect & 0xff) {
    case PAGE_READONLY: case PAGE_EXECUTE: case PAGE_EXECUTE_READ: return MM_READONLY;
    case PAGE_READWRITE: case PAGE_EXECUTE_READWRITE: case PAGE_WRITECOPY: case PAGE_EXECUTE_WRITECOPY: return MM_READWRITE;
    case PAGE_NOACCESS: return MM_NOACCESS;
    default: return -1;
  }
}

export class Processes {
  st: ProcessesState;

  constructor(private readonly k: Kernel) {
    this.st = { list: [], current: 0, attachStack: [], nextPid: 0x100, nextSpace: 1 };
    const sys = this.makeRecord('System', 4, SYSTEM_SPACE);
    this.st.current = sys.eprocess;
  }

  private makeRecord(name: string, pid: number, spaceId: number): ProcessRecord {
    const ep = this.k.pool.allocate('NonPaged', EPROCESS.sizeof, tagValue('Proc'), false);
    if (!ep) this.k.bugCheck(0x1a, [0x41201, 0, 0, 0], 'no memory for an EPROCESS');
    const m = this.k.memory;
    m.write8(ep + EPROCESS.Type, 3); // ProcessObject
    m.write64(ep + EPROCESS.UniqueProcessId, pid);
    const bytes = new TextEncoder().encode(name.slice(0, 14));
    m.writeBytes(ep + EPROCESS.ImageFileName, bytes);
    const rec: ProcessRecord = {
      eprocess: ep, name, pid, spaceId, alive: true, lockedPages: 0, locks: [], vads: [],
      nextVa: LAYOUT.userAllocBase, nextMapVa: LAYOUT.userMappingBase,
    };
    this.st.list.push(rec);
    return rec;
  }

  get system(): ProcessRecord {
    return this.st.list[0];
  }

  get current(): ProcessRecord {
    return this.byEprocess(this.st.current)!;
  }

  byEprocess(ep: number): ProcessRecord | undefined {
    return this.st.list.find((p) => p.eprocess === ep);
  }

  bySpace(id: number): ProcessRecord | undefined {
    return this.st.list.find((p) => p.spaceId === id);
  }

  all(): ProcessRecord[] {
    return this.st.list;
  }

  create(name: string): ProcessRecord {
    const spaceId = this.st.nextSpace++;
    this.k.mm.createSpace(spaceId);
    const rec = this.makeRecord(name || 'process.exe', this.st.nextPid, spaceId);
    this.st.nextPid += 4;
    this.k.event('process', `process ${rec.name} created (EPROCESS ${hex64(rec.eprocess)})`);
    return rec;
  }

  /** Look up a PEPROCESS argument, or bug-check as an invalid attach would. */
  require(ep: number, what: string): ProcessRecord {
    const p = this.byEprocess(ep);
    if (!p) this.k.bugCheck(0x05, [ep, 0, 0, 0], `${what}: ${hex64(ep)} is not a process`);
    return p;
  }

  /** Make `p` the thread's process context (its user half becomes visible). */
  switchTo(p: ProcessRecord): void {
    this.st.current = p.eprocess;
    this.k.mm.switchTo(this.k.mm.spaces.get(p.spaceId) ?? this.k.mm.system);
  }

  enter(ep: number): void {
    const p = this.require(ep, 'LabEnterProcess');
    if (!p.alive) this.k.bugCheck(0x05, [ep, 0, 0, 0], `LabEnterProcess into ${p.name}, which has exited`);
    this.switchTo(p);
  }

  attach(ep: number, apcState: number): void {
    const p = this.require(ep, 'KeStackAttachProcess');
    // KAPC_STATE.Process (+0x20) remembers where to return; the emulator keeps the same in its stack.
    this.k.memory.write64(apcState + 0x20, this.st.current);
    this.st.attachStack.push([apcState, this.st.current]);
    this.switchTo(p);
  }

  detach(apcState: number): void {
    const top = this.st.attachStack[this.st.attachStack.length - 1];
    if (!top || top[0] !== apcState) {
      this.k.bugCheck(0x06, [apcState, top ? top[0] : 0, 0, 0], 'KeUnstackDetachProcess with an APC state that is not the innermost attach');
    }
    this.st.attachStack.pop();
    const back = this.byEprocess(top[1]) ?? this.system;
    this.switchTo(back);
  }

  /** LabUserAlloc: committed demand-zero pages, page aligned, in the given process. */
  userAlloc(p: ProcessRecord, size: number, protect: number): number {
    const prot = mmProtection(protect);
    if (size <= 0 || prot < 0 || !p.alive) return 0;
    const pages = Math.ceil(size / PAGE_SIZE);
    // The system commit limit is RAM plus the page file (modelled as three times RAM): private
    // memory of every live process counts against it, and an allocation beyond it gets NULL, as
    // VirtualAlloc fails with STATUS_COMMITMENT_LIMIT. It is also what keeps the page file, and so
    // the host's memory, bounded however much a scenario allocates.
    if (this.committedPages() + pages > this.commitLimitPages()) return 0;
    const start = p.nextVa;
    p.nextVa += (pages + 16) * PAGE_SIZE; // uncommitted gap between allocations
    const space = this.k.mm.spaces.get(p.spaceId)!;
    this.k.mm.commit(space, vpnOf(start), pages, prot);
    p.vads.push({ start, pages, kind: 'private', protect, mdl: 0 });
    return start;
  }

  /** Pages the system can commit in all: RAM plus a page file three times its size. */
  commitLimitPages(): number {
    return 4 * this.k.totalFrames;
  }

  /** Private pages committed by live user processes (LabUserAlloc), charged against the limit. */
  committedPages(): number {
    let n = 0;
    for (const p of this.st.list) {
      if (!p.alive) continue;
      for (const v of p.vads) if (v.kind === 'private') n += v.pages;
    }
    return n;
  }

  /**
   * Trim every resident page of a working set (null: the system's, i.e. paged pool). With
   * `repurpose` (LabTrimWorkingSet) unlocked pages are paged out and their frames taken for other
   * use; without (Driver Verifier's IRQL checking) they only move to standby/modified. User
   * mappings of MDLs are not part of the working set and are left alone.
   */
  trim(p: ProcessRecord | null, repurpose = true): { trimmed: number; locked: number } {
    if (p === null || p.spaceId === SYSTEM_SPACE) {
      const [from, to] = this.k.pool.pagedRangeVpns();
      const r = this.k.mm.trimRange(this.k.mm.system, repurpose, from, to);
      if (repurpose) this.k.event('page-out', `system working set trimmed: ${r.trimmed} paged-pool pages paged out, ${r.locked} locked pages kept in their frames`);
      return r;
    }
    const space = this.k.mm.spaces.get(p.spaceId)!;
    const mappingVpns = new Set<number>();
    for (const v of p.vads) if (v.kind === 'mdl-mapping') for (let i = 0; i < v.pages; i++) mappingVpns.add(vpnOf(v.start) + i);
    let trimmed = 0;
    let locked = 0;
    const vpns: number[] = [];
    space.forEachPte((vpn, pte) => { if (pte % 2 === 1 && !mappingVpns.has(vpn)) vpns.push(vpn); }, 0, vpnOf(2 ** 47));
    for (const vpn of vpns) {
      const r = this.k.mm.trimPage(space, vpn, repurpose);
      if (r === 'trimmed') trimmed++;
      else if (r === 'locked') locked++;
    }
    if (repurpose) this.k.event('page-out', `working set of ${p.name} trimmed: ${trimmed} pages paged out, ${locked} locked pages left in their frames (their VAs are no longer valid)`);
    return { trimmed, locked };
  }

  /** Process exit with Windows' checks (reference 6.5, 6.11), then address-space teardown. */
  terminate(p: ProcessRecord): void {
    if (!p.alive || p.spaceId === SYSTEM_SPACE) return;
    if (p.lockedPages > 0) {
      const lock = p.locks[0];
      if (this.k.verifier && lock) {
        // 0xCB when locked pages are tracked (DV on): names the locking call site and the MDL.
        this.k.bugCheck(0xcb, [lock.caller, 0, lock.mdl, lock.pages], `${p.name} exits with ${p.lockedPages} pages still locked by the MDL at ${hex64(lock.mdl)}`);
      }
      // Plain Windows: PROCESS_HAS_LOCKED_PAGES, P1 = 0 (reference 6.1, 6.5).
      this.k.bugCheck(0x76, [0, p.eprocess, p.lockedPages, 0], `${p.name} exits with ${p.lockedPages} pages still locked`);
    }
    const space = this.k.mm.spaces.get(p.spaceId)!;
    for (const v of p.vads.filter((x) => x.kind === 'mdl-mapping')) {
      // Reference 6.11: user mappings of an MDL must be unmapped before the process exits.
      if (this.k.verifier) this.k.verifierReport(`Driver Verifier: ${p.name} exits with a user-mode mapping of the MDL at ${hex64(v.mdl)} (${hex64(v.start)}, ${v.pages} pages) never unmapped`, v.mdl);
      for (let i = 0; i < v.pages; i++) this.k.mm.setPte(space, vpnOf(v.start) + i, 0);
    }
    p.vads = p.vads.filter((x) => x.kind !== 'mdl-mapping');
    const vpns: number[] = [];
    space.forEachPte((vpn) => { vpns.push(vpn); }, 0, vpnOf(2 ** 47));
    for (const vpn of vpns) this.k.mm.releasePage(space, vpn);
    p.alive = false;
    p.vads = [];
    if (this.st.current === p.eprocess) this.switchTo(this.system);
    this.k.event('process', `process ${p.name} exited`);
  }

  terminateAll(): void {
    for (const p of this.st.list) if (p.alive && p.spaceId !== SYSTEM_SPACE) this.terminate(p);
  }

  save(): ProcessesSave {
    return structuredClone(this.st);
  }

  restore(s: ProcessesSave): void {
    this.st = structuredClone(s);
  }
}
