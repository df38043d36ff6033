// x64 4-level page tables (PML4 → PDPT → PD → PT) and the PTE encoding, hardware and software.
//
// A PTE is held as a number: PFN * 4096 + low 12 bits, like the hardware format.
//   valid:       bit 0 P, bit 1 W, bit 2 U/S, bit 5 A, bit 6 D, bit 9 NX (stands in for bit 63)
//   not valid:   bits 5..9 = MM protection (MM_READONLY 1, MM_READWRITE 4, MM_NOACCESS 0x18);
//                bit 11 = transition (upper bits = PFN still holding the data),
//                bit 10 = paged out (upper bits = page-file slot + 1),
//                neither with a protection = demand zero; 0 = not committed (access violation).
// Table contents live in typed arrays beside the frames the PFN database gives them (each table
// owns a frame marked PFN_PAGE_TABLE); readPhysical renders them as bytes.

export const PTE_VALID = 0x1;
export const PTE_WRITE = 0x2;
export const PTE_OWNER = 0x4;
export const PTE_ACCESSED = 0x20;
export const PTE_DIRTY = 0x40;
export const PTE_NX = 0x200;
export const PTE_PAGEFILE = 0x400;
export const PTE_TRANSITION = 0x800;

export const MM_READONLY = 1;
export const MM_READWRITE = 4;
export const MM_NOACCESS = 0x18;

const TWO48 = 2 ** 48;

export function pteFrame(pte: number): number {
  return Math.floor(pte / 4096);
}
export function pteLow(pte: number): number {
  return pte % 4096;
}
export function pteProtection(pte: number): number {
  return (pte % 4096 >>> 5) & 0x1f;
}
export function makeValidPte(pfn: number, writable: boolean, user: boolean, noExecute = false): number {
  return pfn * 4096 + PTE_VALID + (writable ? PTE_WRITE : 0) + (user ? PTE_OWNER : 0) + PTE_ACCESSED + (noExecute ? PTE_NX : 0);
}
export function makeDemandZeroPte(protection: number): number {
  return protection << 5;
}
export function makeTransitionPte(pfn: number, protection: number): number {
  return pfn * 4096 + PTE_TRANSITION + (protection << 5);
}
export function makePageFilePte(slot: number, protection: number): number {
  return (slot + 1) * 4096 + PTE_PAGEFILE + (protection << 5);
}
export function isValid(pte: number): boolean {
  return (pte % 2) === 1;
}

/** What a PTE says, for the debugger's !pte and the snapshot. */
export function describePte(pte: number): string {
  if (pte === 0) return 'not committed';
  const low = pte % 4096;
  if (low & PTE_VALID) {
    return `valid pfn ${pteFrame(pte).toString(16)} ${low & PTE_WRITE ? 'RW' : 'R-'}${low & PTE_OWNER ? ' user' : ' kernel'}${low & PTE_DIRTY ? ' dirty' : ''}${low & PTE_ACCESSED ? ' accessed' : ''}${low & PTE_NX ? ' NX' : ''}`;
  }
  if (low & PTE_TRANSITION) return `transition pfn ${pteFrame(pte).toString(16)} protect ${pteProtection(pte)}`;
  if (low & PTE_PAGEFILE) return `paged out (page file slot ${pteFrame(pte) - 1}) protect ${pteProtection(pte)}`;
  return pteProtection(pte) === MM_NOACCESS ? 'no access' : `demand zero protect ${pteProtection(pte)}`;
}

export interface PageTable {
  /** Frame that holds this table. */
  pfn: number;
  entries: Float64Array;
  /** Lower-level tables by index (null for a PT, whose entries map pages). */
  sub: (PageTable | undefined)[] | null;
}

/** Virtual page number (0 .. 2^36) of a canonical VA, kernel VAs taken modulo 2^48. */
export function vpnOf(va: number): number {
  return Math.floor((va < 0 ? va + TWO48 : va) / 4096);
}
/** The canonical (sign-extended) VA of a virtual page number. */
export function vaOfVpn(vpn: number): number {
  const u = vpn * 4096;
  return u >= 2 ** 47 ? u - TWO48 : u;
}
export function isCanonical(va: number): boolean {
  return Number.isSafeInteger(va) && (va >= 0 ? va < 2 ** 47 : va >= -(2 ** 47));
}

// Table entry arrays are carved from shared slabs: one allocation per 256 tables, not per table.
const SLAB_TABLES = 256;
let slab: ArrayBuffer | null = null;
let slabUsed = SLAB_TABLES;
function newEntries(): Float64Array {
  if (slabUsed === SLAB_TABLES) {
    slab = new ArrayBuffer(SLAB_TABLES * 512 * 8);
    slabUsed = 0;
  }
  return new Float64Array(slab!, 512 * 8 * slabUsed++, 512);
}

export interface SavedTable {
  pfn: number;
  entries: Float64Array;
  sub: (SavedTable | undefined)[] | null;
}

/** One address space's paging hierarchy. Allocation of table frames is delegated to the owner. */
export class PageTables {
  root: PageTable;
  /** Number of tables (for !process and the snapshot). */
  tableCount = 1;
  /** Valid PTEs that map pages of this space's working set (maintained by the MemoryManager). */
  workingSetPages = 0;
  private lastVpnBlock = -1;
  private lastPt: PageTable | undefined;

  constructor(readonly spaceId: number, private readonly allocTableFrame: () => number, rootPfn?: number) {
    this.root = { pfn: rootPfn ?? allocTableFrame(), entries: newEntries(), sub: new Array(512) };
  }

  /** The page table (level 1) covering vpn, created on demand when `create`. */
  pt(vpn: number, create: boolean): PageTable | undefined {
    const block = Math.floor(vpn / 512);
    if (block === this.lastVpnBlock) return this.lastPt;
    // Unrolled walk (no arrays allocated: a debugger's snapshot walks here thousands of times).
    const l3 = this.level(this.root, Math.floor(vpn / 134217728) % 512, false, create);
    if (l3 === undefined) return undefined;
    const l2 = this.level(l3, Math.floor(vpn / 262144) % 512, false, create);
    if (l2 === undefined) return undefined;
    const t = this.level(l2, block % 512, true, create);
    if (t === undefined) return undefined;
    this.lastVpnBlock = block;
    this.lastPt = t;
    return t;
  }

  private level(t: PageTable, idx: number, leaf: boolean, create: boolean): PageTable | undefined {
    let next = t.sub![idx];
    if (next === undefined) {
      if (!create) return undefined;
      const pfn = this.allocTableFrame();
      next = { pfn, entries: newEntries(), sub: leaf ? null : new Array(512) };
      t.sub![idx] = next;
      t.entries[idx] = pfn * 4096 + PTE_VALID + PTE_WRITE + PTE_OWNER + PTE_ACCESSED;
      this.tableCount++;
    }
    return next;
  }

  getPte(vpn: number): number {
    const t = this.pt(vpn, false);
    return t === undefined ? 0 : t.entries[vpn % 512];
  }

  setPte(vpn: number, pte: number): void {
    this.pt(vpn, true)!.entries[vpn % 512] = pte;
  }

  /** Visit every non-zero PTE of the given VPN range (or all), in ascending order. */
  forEachPte(fn: (vpn: number, pte: number, pt: PageTable) => void, fromVpn = 0, toVpn = 2 ** 36): void {
    const walk = (t: PageTable, level: number, base: number): void => {
      const span = level === 1 ? 1 : 512 ** (level - 1);
      for (let i = 0; i < 512; i++) {
        const lo = base + i * span;
        if (lo + span <= fromVpn || lo >= toVpn) continue;
        if (level === 1) {
          const pte = t.entries[i];
          if (pte !== 0) fn(lo, pte, t);
        } else {
          const s = t.sub![i];
          if (s) walk(s, level - 1, lo);
        }
      }
    };
    walk(this.root, 4, 0);
  }

  /** Every frame used by the hierarchy itself. */
  tableFrames(): number[] {
    const out: number[] = [];
    const walk = (t: PageTable): void => {
      out.push(t.pfn);
      if (t.sub) for (const s of t.sub) if (s) walk(s);
    };
    walk(this.root);
    return out;
  }

  /** Entries of the table held in frame pfn, if this hierarchy owns it (for readPhysical). */
  findTable(pfn: number): Float64Array | undefined {
    let found: Float64Array | undefined;
    const walk = (t: PageTable): void => {
      if (found) return;
      if (t.pfn === pfn) found = t.entries;
      else if (t.sub) for (const s of t.sub) if (s) walk(s);
    };
    walk(this.root);
    return found;
  }

  invalidateCache(): void {
    this.lastVpnBlock = -1;
    this.lastPt = undefined;
  }

  save(): SavedTable {
    const copy = (t: PageTable): SavedTable => ({ pfn: t.pfn, entries: t.entries.slice(), sub: t.sub ? t.sub.map((s) => (s ? copy(s) : undefined)) : null });
    return copy(this.root);
  }

  restore(s: SavedTable): void {
    let count = 0;
    const copy = (t: SavedTable): PageTable => {
      count++;
      const sub = t.sub ? new Array<PageTable | undefined>(512) : null;
      if (t.sub && sub) t.sub.forEach((x, i) => { if (x) sub[i] = copy(x); });
      const entries = newEntries();
      entries.set(t.entries);
      return { pfn: t.pfn, entries, sub };
    };
    this.root = copy(s);
    this.tableCount = count;
    this.invalidateCache();
  }
}
