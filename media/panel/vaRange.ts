// The address space view's range box: "0x7ff6`1234_0000 +0x20000", "start-end", "start–end",
// "start..end", or a lone start (16 pages). Numbers are hex as in WinDbg (0x optional, backticks
// and underscores ignored; 0n for decimal; k/m/g suffixes on sizes). Ranges stay within one half
// of the canonical 48-bit address space, as the page-table walk requires.

export interface VaRange {
  /** 0x hex of the unsigned 64-bit start, page aligned. */
  start: string;
  /** Bytes, a whole number of pages. */
  length: number;
}

export type ParsedRange = { ok: true; range: VaRange } | { ok: false; error: string };

const USER_TOP = 1n << 47n;
const KERNEL_BOTTOM = (1n << 64n) - (1n << 47n);
const TWO64 = 1n << 64n;
const DEFAULT_PAGES = 16n;

function parseNumber(text: string, what: string, size: boolean): bigint | string {
  let t = text.trim().replace(/[`_]/g, '').toLowerCase();
  if (!t) return `${what} is missing`;
  let scale = 1n;
  if (size) {
    const m = /^(.*?)([kmg])b?$/.exec(t);
    if (m && !/^0x/.test(m[1] + m[2])) {
      t = `0n${m[1].replace(/^0n/, '')}`;
      scale = m[2] === 'k' ? 1024n : m[2] === 'm' ? 1n << 20n : 1n << 30n;
    }
  }
  let v: bigint;
  if (/^0n[0-9]{1,20}$/.test(t)) v = BigInt(t.slice(2));
  else if (/^(0x)?[0-9a-f]{1,16}$/.test(t)) v = BigInt(t.startsWith('0x') ? t : `0x${t}`);
  else return `${what} "${text.trim().slice(0, 24)}" is not a hex number`;
  return v * scale;
}

function inHalf(v: bigint): 'user' | 'system' | null {
  return v < USER_TOP ? 'user' : v >= KERNEL_BOTTOM && v < TWO64 ? 'system' : null;
}

/** Parses what the user typed; errors say what to fix. */
export function parseVaRange(text: string): ParsedRange {
  const t = text.trim();
  if (!t) return { ok: false, error: 'Type a start address, then +size or –end (e.g. 0x1e0`00000000 +0x20000).' };
  let startText = t;
  let rest: { kind: 'len' | 'end'; text: string } | null = null;
  const plus = /^(\S+)\s*\+\s*(\S+)$/.exec(t);
  const dash = /^(\S+?)\s*(?:\.\.|[-–—]|\s+)\s*(\S+)$/.exec(t);
  if (plus) {
    startText = plus[1];
    rest = { kind: 'len', text: plus[2] };
  } else if (dash) {
    startText = dash[1];
    rest = { kind: 'end', text: dash[2] };
  }
  const start = parseNumber(startText, 'the start', false);
  if (typeof start === 'string') return { ok: false, error: start };
  const half = inHalf(start);
  if (!half) return { ok: false, error: `${hex(start)} is not canonical: user addresses end at 0x7fff\`ffffffff, system ones start at 0xffff8000\`00000000.` };
  const first = start & ~0xfffn;
  let endExclusive: bigint;
  if (!rest) endExclusive = first + DEFAULT_PAGES * 0x1000n;
  else if (rest.kind === 'len') {
    const len = parseNumber(rest.text, 'the size', true);
    if (typeof len === 'string') return { ok: false, error: len };
    if (len <= 0n) return { ok: false, error: 'the size must be more than 0' };
    endExclusive = start + len;
  } else {
    const end = parseNumber(rest.text, 'the end', false);
    if (typeof end === 'string') return { ok: false, error: end };
    if (end <= start) return { ok: false, error: 'the end must come after the start' };
    endExclusive = end;
  }
  if (half === 'user' && !rest) endExclusive = endExclusive > USER_TOP ? USER_TOP : endExclusive;
  if (half === 'system' && endExclusive > TWO64) endExclusive = TWO64;
  if ((half === 'user' && endExclusive > USER_TOP) || (half === 'system' && endExclusive > TWO64)) {
    return { ok: false, error: 'the range leaves user space; query user and system addresses separately' };
  }
  const pages = (endExclusive - first + 0xfffn) / 0x1000n;
  return { ok: true, range: { start: hex(first), length: Number(pages * 0x1000n) } };
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** The range as the box shows it after a walk: WinDbg-style start and a hex size. */
export function formatVaRange(r: VaRange): string {
  const d = r.start.replace(/^0x/i, '').padStart(16, '0');
  return `0x${d.slice(0, 8)}\`${d.slice(8)} +0x${r.length.toString(16)}`;
}

/** The range moved by its own length (pages before or after), clamped to its half. */
export function shiftVaRange(r: VaRange, direction: -1 | 1): VaRange {
  const start = BigInt(r.start);
  const len = BigInt(r.length);
  const half = inHalf(start);
  const lo = half === 'system' ? KERNEL_BOTTOM : 0n;
  const hi = half === 'system' ? TWO64 : USER_TOP;
  let next = start + BigInt(direction) * len;
  if (next < lo) next = lo;
  if (next + len > hi) next = hi - len;
  return { start: hex(next), length: r.length };
}
