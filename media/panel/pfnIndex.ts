// An open-addressing hash from PFN to a small integer, in typed arrays: indexing the 262,144
// frames of a 1 GiB MDL costs a few milliseconds and no garbage, where a Map costs tens.

export class PfnTable {
  private readonly keys: Float64Array;
  readonly values: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacity: number) {
    let size = 16;
    let bits = 4;
    while (size < capacity * 2) {
      size *= 2;
      bits++;
    }
    this.shift = 32 - bits;
    this.keys = new Float64Array(size).fill(-1);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  private slot(pfn: number): number {
    // Fibonacci hashing: the top bits of the product, because PFNs in an MDL are often sequential
    // and the low bits of the product would cluster. PFNs above 2^32 (junk) fold in their high half.
    const lo = pfn >>> 0;
    const hi = (pfn / 4294967296) >>> 0;
    let i = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
    const keys = this.keys;
    while (keys[i] !== -1 && keys[i] !== pfn) i = (i + 1) & this.mask;
    return i;
  }

  /** Whether the last `claim` added a new PFN. */
  fresh = false;

  /** The slot for pfn, claimed if new; `values[slot]` holds the caller's integer. */
  claim(pfn: number): number {
    const i = this.slot(pfn);
    this.fresh = this.keys[i] === -1;
    if (this.fresh) this.keys[i] = pfn;
    return i;
  }

  /** values[slot] for pfn, or -1 when absent. */
  get(pfn: number): number {
    const i = this.slot(pfn);
    return this.keys[i] === -1 ? -1 : this.values[i];
  }
}
