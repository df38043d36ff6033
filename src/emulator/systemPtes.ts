// The system PTE space: a finite range of kernel VAs for MDL mappings and reserved mappings
// (reference 2.8, 2.9, 6.4). Allocation is first fit over a sorted list of free runs.
import { LAYOUT, PAGE_SIZE } from './constants';

export interface SystemPtesSave {
  free: [number, number][];
  used: number;
  total: number;
}

export class SystemPtes {
  /** Sorted, coalesced free runs as [first index, count]. */
  private free: [number, number][];
  used = 0;

  constructor(public total: number) {
    this.free = total > 0 ? [[0, total]] : [];
  }

  get available(): number {
    return this.total - this.used;
  }

  vaOf(index: number): number {
    return LAYOUT.systemPteBase + index * PAGE_SIZE;
  }

  indexOf(va: number): number {
    return Math.floor((va - LAYOUT.systemPteBase) / PAGE_SIZE);
  }

  contains(va: number): boolean {
    const i = this.indexOf(va);
    return i >= 0 && i < this.total;
  }

  /** First index of `count` contiguous PTEs, or -1 when no run is long enough. */
  allocate(count: number): number {
    for (let k = 0; k < this.free.length; k++) {
      const run = this.free[k];
      if (run[1] >= count) {
        const first = run[0];
        run[0] += count;
        run[1] -= count;
        if (run[1] === 0) this.free.splice(k, 1);
        this.used += count;
        return first;
      }
    }
    return -1;
  }

  release(first: number, count: number): void {
    let k = 0;
    while (k < this.free.length && this.free[k][0] < first) k++;
    this.free.splice(k, 0, [first, count]);
    this.used -= count;
    // coalesce with neighbours
    if (k + 1 < this.free.length && this.free[k][0] + this.free[k][1] === this.free[k + 1][0]) {
      this.free[k][1] += this.free[k + 1][1];
      this.free.splice(k + 1, 1);
    }
    if (k > 0 && this.free[k - 1][0] + this.free[k - 1][1] === this.free[k][0]) {
      this.free[k - 1][1] += this.free[k][1];
      this.free.splice(k, 1);
    }
  }

  /** Shrink or grow the PTE space (a harness knob for exhaustion labs); in-use PTEs are kept. */
  setTotal(total: number): void {
    const runs: [number, number][] = [];
    for (const [a, n] of this.free) {
      const end = Math.min(a + n, total);
      if (end > a) runs.push([a, end - a]);
    }
    const oldTotal = this.total;
    if (total > oldTotal) {
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === oldTotal) last[1] += total - oldTotal;
      else runs.push([oldTotal, total - oldTotal]);
    }
    // used PTEs above the new limit stay used; they are simply not reusable afterwards
    this.free = runs;
    this.total = Math.max(total, 0);
    this.used = this.total - runs.reduce((s, [, n]) => s + n, 0);
  }

  save(): SystemPtesSave {
    return { free: this.free.map(([a, b]) => [a, b]), used: this.used, total: this.total };
  }

  restore(s: SystemPtesSave): void {
    this.free = s.free.map(([a, b]) => [a, b]);
    this.used = s.used;
    this.total = s.total;
  }
}
