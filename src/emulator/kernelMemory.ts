// GuestMemory over the memory manager: every guest load and store is translated in the current
// process context (user VAs) or system space (kernel VAs), with faults resolved or reported.
// A software TLB keeps, per virtual page, the frame's bytes a translation returned: it holds only
// valid translations and is emptied whenever one could change (any PTE change or context switch,
// through MemoryManager.flushTlb; a frame buffer replaced or shared with a checkpoint, through
// PhysicalMemory), so a cached access behaves exactly as a translated one, faults included.
import type { GuestMemory, U64 } from './contract';
import { toU64 } from './u64';
import type { MemoryManager } from './memoryManager';
import { PAGE_SIZE } from './constants';
import { vpnOf } from './pageTables';

const TLB_SIZE = 256;
const TLB_MASK = TLB_SIZE - 1;
const TWO32 = 4294967296;
/** 0 on a little-endian host, where an aligned 32-bit access may read the frame as 32-bit words; -1 (never an offset's low bits) elsewhere. */
const WORDS_OK = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : -1;

export class KernelMemory implements GuestMemory {
  // Direct-mapped, indexed by bits 12..19 of the VA; the tag is the page's base VA (NaN = empty).
  private readonly rTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly rBytes: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE).fill(EMPTY);
  private readonly wTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly wBytes: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE).fill(EMPTY);
  /** Per slot: space id, VPN and frame of the cached page (for the working-set bookkeeping). */
  private readonly rSpace = new Int32Array(TLB_SIZE);
  private readonly rVpn = new Float64Array(TLB_SIZE);
  private readonly rPfn = new Float64Array(TLB_SIZE);
  private readonly wSpace = new Int32Array(TLB_SIZE);
  private readonly wVpn = new Float64Array(TLB_SIZE);
  private readonly wPfn = new Float64Array(TLB_SIZE);
  /** The cached frames as 32-bit words (the same memory as rBytes/wBytes), for aligned accesses. */
  private readonly rWords: Uint32Array[] = new Array<Uint32Array>(TLB_SIZE).fill(EMPTY_WORDS);
  private readonly wWords: Uint32Array[] = new Array<Uint32Array>(TLB_SIZE).fill(EMPTY_WORDS);
  /**
   * The slot of the last page read (written) through the cache, -1 after a flush: accesses that
   * stay on that page skip the memory manager's working-set bookkeeping, which would find nothing
   * new to record.
   */
  private lastR = -1;
  private lastW = -1;
  /**
   * That page for code generators that inline the common case (see GuestMemory.hotReadBase): its
   * base VA (NaN when there is none) and its frame as 32-bit words. Never set on a big-endian host.
   */
  hotReadBase = NaN;
  hotReadWords: Uint32Array = EMPTY_WORDS;
  hotWriteBase = NaN;
  hotWriteWords: Uint32Array = EMPTY_WORDS;
  /** While kept (see beginJournal): per write, the frame's bytes, the offset and the bytes replaced. */
  private journal: (Uint8Array | number)[] | null = null;
  /** Slots filled since the last flush (so a flush costs what was cached, not the table size). */
  private readonly filled = new Int32Array(2 * TLB_SIZE);
  private nFilled = 0;
  /** Accesses the cache could not serve (each went to the memory manager's translation). */
  misses = 0;

  constructor(private readonly mm: MemoryManager) {
    // chained, so several views of one memory manager (tests) all stay coherent
    const flush = (): void => this.flush();
    const a = mm.onFlush, b = mm.phys.onBuffersChanged;
    mm.onFlush = a ? () => { a(); flush(); } : flush;
    mm.phys.onBuffersChanged = b ? () => { b(); flush(); } : flush;
  }

  /** Forget every cached translation. */
  flush(): void {
    const n = this.nFilled;
    if (n === 0) return;
    const f = this.filled;
    for (let k = 0; k < n; k++) {
      const i = f[k];
      this.rTag[i] = NaN;
      this.wTag[i] = NaN;
      this.rBytes[i] = EMPTY;
      this.wBytes[i] = EMPTY;
      this.rWords[i] = EMPTY_WORDS;
      this.wWords[i] = EMPTY_WORDS;
    }
    this.nFilled = 0;
    this.setLastRead(-1);
    this.setLastWrite(-1);
  }

  private setLastRead(i: number): void {
    this.lastR = i;
    const hot = i >= 0 && WORDS_OK === 0;
    this.hotReadBase = hot ? this.rTag[i] : NaN;
    this.hotReadWords = hot ? this.rWords[i] : EMPTY_WORDS;
  }

  private setLastWrite(i: number): void {
    this.lastW = i;
    const hot = i >= 0 && WORDS_OK === 0 && this.journal === null;
    this.hotWriteBase = hot ? this.wTag[i] : NaN;
    this.hotWriteWords = hot ? this.wWords[i] : EMPTY_WORDS;
  }

  beginJournal(): void {
    if (this.journal === null) {
      this.journal = [];
      this.setLastWrite(this.lastW); // no more writes through the hot page
    } else this.journal.length = 0;
  }

  undoJournal(): void {
    const j = this.journal;
    if (j === null) return;
    if (j.length === 0) return;
    for (let k = j.length - 3; k >= 0; k -= 3) (j[k] as Uint8Array).set(j[k + 2] as Uint8Array, j[k + 1] as number);
    j.length = 0;
    this.mm.phys.unwatchAll(); // frames changed without writable(): no watch may vouch for them
  }

  endJournal(): void {
    this.journal = null;
    this.setLastWrite(this.lastW);
  }

  /** How far the journal has got (0 when none is kept): see forgetJournalFrom. */
  journalMark(): number {
    return this.journal === null ? 0 : this.journal.length;
  }

  /** Keeps the writes from `mark` on out of any undo: the kernel's own, made to resolve the fault that interrupts the instruction. */
  forgetJournalFrom(mark: number): void {
    if (this.journal !== null && this.journal.length > mark) this.journal.length = mark;
  }

  /** Keeps the n bytes at off of a frame that a write is about to replace. */
  private keep(bytes: Uint8Array, off: number, n: number): void {
    this.journal!.push(bytes, off, bytes.slice(off, off + n));
  }

  private hitR(i: number): void {
    this.mm.cachedHit(this.rSpace[i], this.rVpn[i], this.rPfn[i], false);
    this.setLastRead(i);
  }

  private hitW(i: number): void {
    this.mm.cachedHit(this.wSpace[i], this.wVpn[i], this.wPfn[i], true);
    this.setLastWrite(i);
  }

  private noteFill(i: number): void {
    if (this.nFilled === this.filled.length) {
      this.flush(); // overflow: start again (the new entry is filled after this)
    }
    this.filled[this.nFilled++] = i;
  }

  /** Slow path: translate (faults and all), then cache the page. Returns the frame's bytes for va's page. */
  private fillRead(va: number): Uint8Array {
    this.misses++;
    const pa = this.mm.translate(va, false);
    const pfn = Math.floor(pa / PAGE_SIZE);
    const phys = this.mm.phys;
    const bytes = phys.view(pfn);
    // an untouched frame reads from the shared zero page: not cached, its first write replaces it
    if (!phys.isZero(pfn)) {
      const i = (va >>> 12) & TLB_MASK;
      this.noteFill(i);
      this.rTag[i] = va - (va & 0xfff);
      this.rBytes[i] = bytes;
      this.rWords[i] = wordsOf(bytes);
      this.rSpace[i] = va < 0 ? this.mm.system.spaceId : this.mm.current.spaceId;
      this.rVpn[i] = vpnOf(va);
      this.rPfn[i] = pfn;
      this.setLastRead(i);
    } else this.setLastRead(-1); // the memory manager's last read is this page now
    return bytes;
  }

  private fillWrite(va: number): Uint8Array {
    this.misses++;
    const pa = this.mm.translate(va, true);
    const pfn = Math.floor(pa / PAGE_SIZE);
    const bytes = this.mm.phys.writable(pfn); // may replace the buffer (and flush): cache after it
    const i = (va >>> 12) & TLB_MASK;
    this.noteFill(i);
    const base = va - (va & 0xfff);
    const space = va < 0 ? this.mm.system.spaceId : this.mm.current.spaceId;
    const vpn = vpnOf(va);
    const words = wordsOf(bytes);
    this.wTag[i] = base; this.wBytes[i] = bytes; this.wWords[i] = words; this.wSpace[i] = space; this.wVpn[i] = vpn; this.wPfn[i] = pfn;
    // the buffer is private now: reads of the page may use it too
    this.rTag[i] = base; this.rBytes[i] = bytes; this.rWords[i] = words; this.rSpace[i] = space; this.rVpn[i] = vpn; this.rPfn[i] = pfn;
    this.setLastWrite(i);
    if (this.lastR === i) this.setLastRead(-1); // the read side's bookkeeping has not seen this page yet
    return bytes;
  }

  /** The page's bytes for a read at va (offset va & 0xfff), from the cache or by translating. */
  private readPage(va: number): Uint8Array {
    const i = (va >>> 12) & TLB_MASK;
    if (this.rTag[i] === va - (va & 0xfff)) {
      if (i !== this.lastR) this.hitR(i);
      return this.rBytes[i];
    }
    return this.fillRead(va);
  }

  private writePage(va: number): Uint8Array {
    const i = (va >>> 12) & TLB_MASK;
    if (this.wTag[i] === va - (va & 0xfff)) {
      if (i !== this.lastW) this.hitW(i);
      return this.wBytes[i];
    }
    return this.fillWrite(va);
  }

  private pageRead(va: number): { bytes: Uint8Array; off: number } {
    return { bytes: this.readPage(va), off: va & 0xfff };
  }

  private pageWrite(va: number): { bytes: Uint8Array; off: number } {
    return { bytes: this.writePage(va), off: va & 0xfff };
  }

  read8(va: number): number {
    return this.readPage(va)[va & 0xfff];
  }

  read16(va: number): number {
    const off = va & 0xfff;
    if (off <= PAGE_SIZE - 2) {
      const b = this.readPage(va);
      return b[off] | (b[off + 1] << 8);
    }
    return this.read8(va) | (this.read8(va + 1) << 8);
  }

  read32(va: number): number {
    const off = va & 0xfff;
    const i = (va >>> 12) & TLB_MASK;
    if (this.rTag[i] === va - off && (off & 3) === WORDS_OK) {
      if (i !== this.lastR) this.hitR(i);
      return this.rWords[i][off >>> 2];
    }
    if (off <= PAGE_SIZE - 4) {
      const b = this.readPage(va);
      return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
    }
    return (this.read16(va) | (this.read16(va + 2) << 16)) >>> 0;
  }

  read64(va: number): U64 {
    const off = va & 0xfff;
    let lo: number, hi: number;
    const i = (va >>> 12) & TLB_MASK;
    if (this.rTag[i] === va - off && (off & 7) === WORDS_OK) {
      if (i !== this.lastR) this.hitR(i);
      const w = this.rWords[i];
      lo = w[off >>> 2];
      hi = w[(off >>> 2) + 1];
    } else if (off <= PAGE_SIZE - 8) {
      const b = this.readPage(va);
      lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
      hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
    } else {
      lo = this.read32(va);
      hi = this.read32(va + 4);
    }
    return combine64(lo, hi);
  }

  write8(va: number, value: number): void {
    const b = this.writePage(va);
    if (this.journal !== null) this.keep(b, va & 0xfff, 1);
    b[va & 0xfff] = value & 0xff;
  }

  write16(va: number, value: number): void {
    const off = va & 0xfff;
    if (off <= PAGE_SIZE - 2) {
      const b = this.writePage(va);
      if (this.journal !== null) this.keep(b, off, 2);
      b[off] = value & 0xff;
      b[off + 1] = (value >>> 8) & 0xff;
    } else {
      this.write8(va, value);
      this.write8(va + 1, value >>> 8);
    }
  }

  write32(va: number, value: number): void {
    const off = va & 0xfff;
    const i = (va >>> 12) & TLB_MASK;
    if (this.wTag[i] === va - off && (off & 3) === WORDS_OK) {
      if (i !== this.lastW) this.hitW(i);
      if (this.journal !== null) this.keep(this.wBytes[i], off, 4);
      this.wWords[i][off >>> 2] = value;
      return;
    }
    if (off <= PAGE_SIZE - 4) {
      const b = this.writePage(va);
      if (this.journal !== null) this.keep(b, off, 4);
      b[off] = value & 0xff;
      b[off + 1] = (value >>> 8) & 0xff;
      b[off + 2] = (value >>> 16) & 0xff;
      b[off + 3] = (value >>> 24) & 0xff;
    } else {
      this.write16(va, value & 0xffff);
      this.write16(va + 2, (value >>> 16) & 0xffff);
    }
  }

  write64(va: number, value: U64): void {
    let lo: number, hi: number;
    if (typeof value === 'number' && value >= 0 && value < TWO32) { lo = value; hi = 0; }
    else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      const h = Math.floor(value / TWO32);
      lo = value - h * TWO32;
      hi = h >>> 0;
    } else [lo, hi] = split64(value);
    const off = va & 0xfff;
    const i = (va >>> 12) & TLB_MASK;
    if (this.wTag[i] === va - off && (off & 7) === WORDS_OK) {
      if (i !== this.lastW) this.hitW(i);
      if (this.journal !== null) this.keep(this.wBytes[i], off, 8);
      const w = this.wWords[i];
      w[off >>> 2] = lo;
      w[(off >>> 2) + 1] = hi;
      return;
    }
    if (off <= PAGE_SIZE - 8) {
      const b = this.writePage(va);
      if (this.journal !== null) this.keep(b, off, 8);
      b[off] = lo & 0xff; b[off + 1] = (lo >>> 8) & 0xff; b[off + 2] = (lo >>> 16) & 0xff; b[off + 3] = lo >>> 24;
      b[off + 4] = hi & 0xff; b[off + 5] = (hi >>> 8) & 0xff; b[off + 6] = (hi >>> 16) & 0xff; b[off + 7] = hi >>> 24;
      return;
    }
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
      if (this.journal !== null) this.keep(bytes, off, n);
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
      if (this.journal !== null) this.keep(bytes, off, n * 8);
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
      if (this.journal !== null) this.keep(bytes, off, n * 8);
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
  if (hi < 0x200000) return hi * TWO32 + lo; // below 2^53
  if (hi >= 0xffe00000) return (hi - TWO32) * TWO32 + lo; // a safe negative (kernel addresses)
  return toU64((BigInt(hi) << 32n) | BigInt(lo));
}

export function split64(value: U64): [number, number] {
  if (typeof value === 'number' && value >= 0 && value <= 0xffffffff) return [value, 0];
  const b = BigInt.asUintN(64, BigInt(value));
  return [Number(b & 0xffffffffn), Number(b >> 32n)];
}

const EMPTY = new Uint8Array(0);
const EMPTY_WORDS = new Uint32Array(0);

/** A frame's bytes as 32-bit words (frames are whole 4 KiB buffers of their own, so always aligned). */
function wordsOf(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.buffer, bytes.byteOffset, PAGE_SIZE / 4);
}
