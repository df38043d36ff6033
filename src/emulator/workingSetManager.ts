// The working-set manager under memory pressure (reference 3.1, 3.3): when a frame is needed and
// the zeroed, free and standby lists are empty, unlocked pages leave their working sets (valid →
// transition, frame to standby/modified), the modified page writer saves dirty ones to the page
// file so they become standby too, and the caller repurposes the oldest standby frame. Locked
// pages, page tables and nonpaged memory are never taken, so only they truly exhaust memory.
import { PageLocation, PFN_DUMMY, PFN_MDL_ALLOCATED, PFN_MODIFIED, PFN_PAGE_TABLE } from './pfnDatabase';
import { vpnOf, pteFrame, PTE_OWNER } from './pageTables';
import type { MemoryManager } from './memoryManager';

/** What the working-set manager asks of the kernel around the memory manager. */
export interface TrimHost {
  /** Is this system VA pageable (paged pool)? Other system memory is nonpaged and never trimmed. */
  isPageableSystemVa?(va: number): boolean;
  /** A readable name for an address space ("encoder.exe", "System"). */
  spaceName?(spaceId: number): string;
  event(kind: 'page-out' | 'page-in' | 'repage', text: string): void;
}

/** Pages touched most recently (space id, vpn): an access in progress may hold their frames. */
const RECENT = 8;

export class WorkingSetManager {
  /** The clock hand: the frame where the next scan starts (saved with checkpoints). */
  hand = 0;
  private readonly recentSpace = new Int32Array(RECENT).fill(-1);
  private readonly recentVpn = new Float64Array(RECENT).fill(-1);
  private recentNext = 0;

  constructor(private readonly mm: MemoryManager, private readonly host: TrimHost) {}

  /** Remember a page an access just translated: it is skipped by the next trims (it was just used). */
  touched(spaceId: number, vpn: number): void {
    const i = this.recentNext;
    this.recentSpace[i] = spaceId;
    this.recentVpn[i] = vpn;
    this.recentNext = (i + 1) % RECENT;
  }

  /** State that decides later trims: saved with checkpoints so a replay trims the same pages. */
  save(): { hand: number; recent: number[] } {
    const recent: number[] = [];
    for (let i = 0; i < RECENT; i++) recent.push(this.recentSpace[i], this.recentVpn[i]);
    recent.push(this.recentNext);
    return { hand: this.hand, recent };
  }

  restore(s: { hand: number; recent?: number[] } | undefined): void {
    this.hand = s?.hand ?? 0;
    const r = s?.recent;
    for (let i = 0; i < RECENT; i++) {
      this.recentSpace[i] = r ? r[2 * i] : -1;
      this.recentVpn[i] = r ? r[2 * i + 1] : -1;
    }
    this.recentNext = r ? r[2 * RECENT] : 0;
  }

  private recentlyUsed(spaceId: number, vpn: number): boolean {
    for (let i = 0; i < RECENT; i++) if (this.recentVpn[i] === vpn && this.recentSpace[i] === spaceId) return true;
    return false;
  }

  /** Pages taken per episode: enough that a stream of faults does not trim on every one. */
  batchSize(): number {
    return Math.max(64, this.mm.totalFrames >> 8);
  }

  /**
   * Trim up to one batch of unlocked working-set pages, going round the PFN database from the
   * clock hand. Frames are handed out in ascending order, so the hand meets the longest-resident
   * pages first. Returns how many frames reached the standby list.
   */
  trim(): number {
    const mm = this.mm;
    const d = mm.pfn;
    const end = d.watermark;
    if (end === 0) return 0;
    const want = this.batchSize();
    const perSpace = new Map<number, number>();
    let trimmed = 0;
    let written = 0;
    let pfn = this.hand % end;
    for (let seen = 0; seen < end && trimmed < want; seen++, pfn = pfn + 1 === end ? 0 : pfn + 1) {
      if (d.state[pfn] !== PageLocation.Active) continue;
      if (d.flags[pfn] & (PFN_PAGE_TABLE | PFN_DUMMY | PFN_MDL_ALLOCATED)) continue;
      // One reference (the working set's), one mapping, no lock: anything more pins the frame.
      if (d.lockCount[pfn] !== 0 || d.referenceCount[pfn] !== 1 || d.shareCount[pfn] !== 1) continue;
      const spaceId = d.ownerSpace[pfn];
      const space = spaceId >= 0 ? mm.spaces.get(spaceId) : undefined;
      if (!space) continue;
      const va = d.ownerVa[pfn];
      const vpn = vpnOf(va);
      const pte = space.getPte(vpn);
      if (pte % 2 !== 1 || pteFrame(pte) !== pfn) continue;
      if (space === mm.system ? !this.host.isPageableSystemVa?.(va) : !((pte % 4096) & PTE_OWNER)) continue;
      if (this.recentlyUsed(spaceId, vpn)) continue;
      if (mm.trimPage(space, vpn, false) !== 'trimmed') continue;
      if (d.state[pfn] === PageLocation.Modified) {
        // The modified page writer: the data goes to the page file and the frame becomes standby.
        mm.writeToPageFile(pfn);
        d.flags[pfn] &= ~PFN_MODIFIED;
        d.setLocation(pfn, PageLocation.Standby);
        written++;
      }
      trimmed++;
      perSpace.set(spaceId, (perSpace.get(spaceId) ?? 0) + 1);
    }
    this.hand = pfn;
    if (trimmed > 0) {
      const who = [...perSpace].map(([id, n]) => `${n} from ${this.host.spaceName?.(id) ?? `address space ${id}`}`).join(', ');
      this.host.event('page-out', `memory low (no free, zeroed or standby page): the working-set manager trimmed ${trimmed} unlocked page${trimmed === 1 ? '' : 's'} (${who}) to the standby list` + (written ? `, the modified page writer wrote ${written} of them to the page file` : '') + '; their next touch repages them, possibly into another frame (reference 3.3)');
    }
    return trimmed;
  }
}
