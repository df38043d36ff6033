// GuestMemory over the memory manager: every guest load and store is translated in the current
// process context (user VAs) or system space (kernel VAs), with faults resolved or reported.
import type { GuestMemory, U64 } from './contract';
import { toU64 } from './u64';
import type { MemoryManager } from './memoryManager';
import { PAGE_SIZE } from './constants';

export class KernelMemory implements GuestMemory {
  constructor(private readonly mm: MemoryManager) {}

  private pageRead(va: number): { bytes: Uint8Array; off: number } {
    const pa = this.mm.translate(va, false);
    const pfn = Math.floor(pa / PAGE_SIZE);
    return { bytes: this.mm.phys.view(pfn), off: pa - pfn * PAGE_SIZE };
  }

  private pageWrite(va: number): { bytes: Uint8Array; off: number } {
    const pa = this.mm.translate(va, true);
    const pfn = Math.floor(pa / PAGE_SIZE);
    return { bytes: this.mm.phys.writable(pfn), off: pa - pfn * PAGE_SIZE };
  }

  read8(va: number): number {
    const { bytes, off } = this.pageRead(va);
    return bytes[off];
  }

  read16(va: number): number {
    if (pageOffset(va) <= PAGE_SIZE - 2) {
      const { bytes, off } = this.pageRead(va);
      return bytes[off] | (bytes[off + 1] << 8);
    }
    return this.read8(va) | (this.read8(va + 1) << 8);
  }

  read32(va: number): number {
    if (pageOffset(va) <= PAGE_SIZE - 4) {
      const { bytes, off } = this.pageRead(va);
      return (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
    }
    return (this.read16(va) | (this.read16(va + 2) << 16)) >>> 0;
  }

  read64(va: number): U64 {
    const lo = this.read32(va);
    const hi = this.read32(va + 4);
    return combine64(lo, hi);
  }

  write8(va: number, value: number): void {
    const { bytes, off } = this.pageWrite(va);
    bytes[off] = value & 0xff;
  }

  write16(va: number, value: number): void {
    if (pageOffset(va) <= PAGE_SIZE - 2) {
      const { bytes, off } = this.pageWrite(va);
      bytes[off] = value & 0xff;
      bytes[off + 1] = (value >>> 8) & 0xff;
    } else {
      this.write8(va, value);
      this.write8(va + 1, value >>> 8);
    }
  }

  write32(va: number, value: number): void {
    if (pageOffset(va) <= PAGE_SIZE - 4) {
      const { bytes, off } = this.pageWrite(va);
      bytes[off] = value & 0xff;
      bytes[off + 1] = (value >>> 8) & 0xff;
      bytes[off + 2] = (value >>> 16) & 0xff;
      bytes[off + 3] = (value >>> 24) & 0xff;
    } else {
      this.write16(va, value & 0xffff);
      this.write16(va + 2, (value >>> 16) & 0xffff);
    }
  }

  write64(va: number, value: U64): void {
    const [lo, hi] = split64(value);
    this.write32(va, lo);
    this.write32(va + 4, hi);
  }

  readBytes(va: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytes, off } = this.pageRead(va + done);
      const n = Math.min(length - done, PAGE_SIZE - off);
      out.set(bytes.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  writeBytes(va: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const { bytes, off } = this.pageWrite(va + done);
      const n = Math.min(data.length - done, PAGE_SIZE - off);
      bytes.set(data.subarray(done, done + n), off);
      done += n;
    }
  }

  /**
   * Store 64-bit values (PFN arrays) at an 8-aligned va, page by page: the fast path for large MDLs.
   * Values must be safe integers; negative ones (the all-ones sentinel) are sign-extended.
   */
  writeQwords(va: number, values: Float64Array, count = values.length): void {
    let i = 0;
    while (i < count) {
      const at = va + i * 8;
      const { bytes, off } = this.pageWrite(at);
      const n = Math.min(count - i, (PAGE_SIZE - off) >> 3);
      if (n === 0 || off % 8 !== 0) {
        this.write64(at, values[i]);
        i++;
        continue;
      }
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset + off, n * 2);
      for (let j = 0; j < n; j++) {
        const v = values[i + j];
        if (v >= 0 && v < 4294967296) {
          words[2 * j] = v;
          words[2 * j + 1] = 0;
        } else {
          const hi = Math.floor(v / 4294967296);
          words[2 * j] = v - hi * 4294967296;
          words[2 * j + 1] = hi >>> 0;
        }
      }
      i += n;
    }
  }

  /** Load 64-bit values written by writeQwords (each as a safe number; all-ones reads as -1). */
  readQwords(va: number, count: number, out = new Float64Array(count)): Float64Array {
    let i = 0;
    while (i < count) {
      const at = va + i * 8;
      const { bytes, off } = this.pageRead(at);
      const n = Math.min(count - i, (PAGE_SIZE - off) >> 3);
      if (n === 0 || off % 8 !== 0) {
        out[i] = Number(this.read64(at));
        i++;
        continue;
      }
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset + off, n * 2);
      for (let j = 0; j < n; j++) {
        const hi = words[2 * j + 1];
        const lo = words[2 * j];
        out[i + j] = hi === 0 ? lo : hi >= 0x80000000 ? (hi - 4294967296) * 4294967296 + lo : hi * 4294967296 + lo;
      }
      i += n;
    }
    return out;
  }

  /**
   * The 64-bit slots from va to the end of its page as little-endian 32-bit word pairs, read in
   * place (no copy), at most `max` slots; null when va is not 8-aligned (callers then go slot by
   * slot with read64). For walking big PFN arrays.
   */
  qwordView(va: number, max: number, write = false): Uint32Array | null {
    const { bytes, off } = write ? this.pageWrite(va) : this.pageRead(va);
    if (off % 8 !== 0) return null;
    const n = Math.min(max, (PAGE_SIZE - off) >> 3);
    return new Uint32Array(bytes.buffer, bytes.byteOffset + off, n * 2);
  }

  /** Fill [va, va+length) with a byte, page by page. */
  fill(va: number, length: number, value: number): void {
    let done = 0;
    while (done < length) {
      const { bytes, off } = this.pageWrite(va + done);
      const n = Math.min(length - done, PAGE_SIZE - off);
      bytes.fill(value & 0xff, off, off + n);
      done += n;
    }
  }
}

/** Offset of va in its page; `& 0xfff` is exact for kernel (negative) addresses too (two's complement). */
export function pageOffset(va: number): number {
  return (va & 0xfff);
}

export function combine64(lo: number, hi: number): U64 {
  if (hi === 0) return lo;
  if (hi === 0xffffffff && lo !== 0) return lo - 0x100000000; // small negative
  return toU64((BigInt(hi) << 32n) | BigInt(lo));
}

export function split64(value: U64): [number, number] {
  if (typeof value === 'number' && value >= 0 && value <= 0xffffffff) return [value, 0];
  const b = BigInt.asUintN(64, BigInt(value));
  return [Number(b & 0xffffffffn), Number(b >> 32n)];
}
