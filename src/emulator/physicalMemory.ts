// Contents of physical frames: sparse (a frame gets bytes on its first write; untouched frames
// read as zero) and copy-on-write across checkpoints, so time travel costs only what changed.
import { PAGE_SIZE } from './constants';

/** Frames per host allocation (64 KiB). */
const SLAB_FRAMES = 16;

export interface PhysicalMemorySave {
  frames: (Uint8Array | undefined)[];
}

export class PhysicalMemory {
  /** Bytes of each frame that was ever written since it was last zeroed; undefined = all zero. */
  private frames: (Uint8Array | undefined)[] = [];
  /** Each frame's bytes as 32-bit words, made on first use by words() (checked against the buffer). */
  private wordViews: (Uint32Array | undefined)[] = [];
  /** A frame buffer may be shared with a checkpoint; it is private only if its epoch is current. */
  private epochOf: (number | undefined)[] = [];
  private epoch = 1;
  /** Frame buffers are carved from slabs of SLAB_FRAMES frames (one host allocation each), never reused. */
  private slab: ArrayBuffer | null = null;
  private slabUsed = SLAB_FRAMES;
  /** Called whenever a frame's buffer is replaced or stops being private (caches of buffers drop them). */
  onBuffersChanged: (() => void) | null = null;
  /** Frames watched for writes (see watch), with the token of the watch. */
  private watchTokens = new Map<number, number>();
  private nextToken = 1;

  constructor(readonly totalFrames: number) {}

  /** The frame's bytes for reading (shared zero page when untouched). Never write into it. */
  view(pfn: number): Uint8Array {
    return this.frames[pfn] ?? ZERO_PAGE;
  }

  /** The frame's bytes for writing: allocated on first touch, copied if a checkpoint shares it. */
  writable(pfn: number): Uint8Array {
    if (this.watchTokens.size !== 0) this.watchTokens.delete(pfn);
    let f = this.frames[pfn];
    if (f === undefined) {
      f = this.newFrame();
      this.frames[pfn] = f;
      this.epochOf[pfn] = this.epoch;
      if (this.onBuffersChanged !== null) this.onBuffersChanged();
    } else if (this.epochOf[pfn] !== this.epoch) {
      const copy = this.newFrame();
      copy.set(f);
      f = copy;
      this.frames[pfn] = f;
      this.epochOf[pfn] = this.epoch;
      if (this.onBuffersChanged !== null) this.onBuffersChanged();
    }
    return f;
  }

  /**
   * A zeroed 4 KiB buffer for a frame. A host allocation per frame costs more than writing the
   * frame (a big MDL's first lock writes 512 new pool frames), so frames come 16 to a slab. A slot
   * is never handed out twice: a view of a dropped frame (a checkpoint's copy, a stale reader)
   * keeps its bytes, and a slab's host memory goes when none of its frames is referenced.
   */
  private newFrame(): Uint8Array {
    if (this.slabUsed === SLAB_FRAMES) {
      this.slab = new ArrayBuffer(SLAB_FRAMES * PAGE_SIZE);
      this.slabUsed = 0;
    }
    return new Uint8Array(this.slab!, PAGE_SIZE * this.slabUsed++, PAGE_SIZE);
  }

  /**
   * The frame's bytes as little-endian 32-bit words, for reading or (`write`) as writable()
   * gives them. The view is kept until the frame's buffer changes, so walking a big PFN array
   * again (map, unlock) makes no new views.
   */
  words(pfn: number, write: boolean): Uint32Array {
    const f = write ? this.writable(pfn) : this.frames[pfn];
    if (f === undefined) return ZERO_WORDS;
    let w = this.wordViews[pfn];
    if (w === undefined || w.buffer !== f.buffer || w.byteOffset !== f.byteOffset) {
      w = new Uint32Array(f.buffer, f.byteOffset, PAGE_SIZE / 4);
      this.wordViews[pfn] = w;
    }
    return w;
  }

  /**
   * Watch frames for writes: each gets a token that watchedBy returns until something asks for the
   * frame's bytes to write (every write does, through writable) or zeroes it, or a restore. Caches
   * of writable buffers are dropped here, so the next write to a watched frame is seen.
   */
  watch(pfns: readonly number[]): number[] {
    const tokens = pfns.map((pfn) => {
      const t = this.nextToken++;
      this.watchTokens.set(pfn, t);
      return t;
    });
    if (this.onBuffersChanged !== null) this.onBuffersChanged();
    return tokens;
  }

  /** The token of the frame's watch while no write has reached it since, else undefined. */
  watchedBy(pfn: number): number | undefined {
    return this.watchTokens.get(pfn);
  }

  /** Every watch ends (bytes were put back into frames without asking for them: see KernelMemory.undoJournal). */
  unwatchAll(): void {
    this.watchTokens.clear();
  }

  /** Stop the watches that still have these tokens (their owner no longer needs them). */
  unwatch(pfns: readonly number[], tokens: readonly number[]): void {
    for (let i = 0; i < pfns.length; i++) if (this.watchTokens.get(pfns[i]) === tokens[i]) this.watchTokens.delete(pfns[i]);
  }

  isZero(pfn: number): boolean {
    return this.frames[pfn] === undefined;
  }

  /** Zero a frame (the zero-page thread's job, done on demand). */
  zero(pfn: number): void {
    if (this.watchTokens.size !== 0) this.watchTokens.delete(pfn);
    if (this.frames[pfn] !== undefined) {
      this.frames[pfn] = undefined;
      this.epochOf[pfn] = undefined;
      this.wordViews[pfn] = undefined;
      if (this.onBuffersChanged !== null) this.onBuffersChanged();
    }
  }

  /** Immutable copy of a frame's bytes (for the page file); null when the frame is all zero. */
  capture(pfn: number): Uint8Array | null {
    const f = this.frames[pfn];
    return f === undefined ? null : f.slice();
  }

  /** Fill a frame from saved bytes (page-in). */
  load(pfn: number, data: Uint8Array | null): void {
    if (data === null) this.zero(pfn);
    else this.writable(pfn).set(data);
  }

  /** Number of frames that hold host memory (grows with frames touched, not frames described). */
  touchedFrames(): number {
    let n = 0;
    for (const f of this.frames) if (f !== undefined) n++;
    return n;
  }

  save(): PhysicalMemorySave {
    const saved = { frames: this.frames.slice() };
    this.epoch++; // every buffer is now shared with the checkpoint
    if (this.onBuffersChanged !== null) this.onBuffersChanged();
    return saved;
  }

  restore(s: PhysicalMemorySave): void {
    this.watchTokens.clear();
    this.frames = s.frames.slice();
    this.epochOf = [];
    this.wordViews = [];
    this.epoch++;
    if (this.onBuffersChanged !== null) this.onBuffersChanged();
  }
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);
const ZERO_WORDS = new Uint32Array(ZERO_PAGE.buffer);
