// The snapshot's wire form between the extension host and the webview. A 1 GiB MDL brings 262,144
// PFNs and as many frame entries; as plain objects the browser takes seconds to deserialise them,
// so the host sends the bulk (PFN arrays, slot checks, the frame table) as typed arrays in columns
// and the webview turns a frame back into a FrameView only when a view asks for it.
import type { FrameMapping, FrameView, MdlView, Snapshot } from '../../src/engine/snapshot';

export interface PackedFrames {
  count: number;
  pfn: Float64Array;
  /** Index into `states`. */
  state: Uint8Array;
  states: string[];
  shareCount: Float64Array;
  referenceCount: Float64Array;
  lockCount: Float64Array;
  /** bit 0 modified, bit 1 dummy. */
  bits: Uint8Array;
  /** count + 1 offsets into the mapping columns. */
  mapStart: Uint32Array;
  /** Index into `strings`, or -1 for system space (process null). */
  mapProcess: Int32Array;
  /** The mapping's VA as two 32-bit halves (no strings: 262,144 VA strings cost more than the rest). */
  mapVaHi: Uint32Array;
  mapVaLo: Uint32Array;
  /** bit 0 kind system, bit 1 valid. */
  mapBits: Uint8Array;
  strings: string[];
}

export type PackedMdl = Omit<MdlView, 'pfns' | 'slotMatchesPageTables'> & {
  pfns: Float64Array;
  /** 1 true, 0 false, -1 null. */
  slots: Int8Array;
};

export type PackedSnapshot = Omit<Snapshot, 'frames' | 'mdls'> & { mdls: PackedMdl[]; frames: PackedFrames };

/** Host side: the snapshot with its bulk in typed arrays (structured clone copies them as bytes). */
export function packSnapshot(s: Snapshot): PackedSnapshot {
  const n = s.frames.length;
  let maps = 0;
  for (const f of s.frames) maps += f.mappedBy.length;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const intern = (v: string) => {
    let id = stringIds.get(v);
    if (id === undefined) {
      id = strings.length;
      strings.push(v);
      stringIds.set(v, id);
    }
    return id;
  };
  const states: string[] = [];
  const stateIds = new Map<string, number>();
  const p: PackedFrames = {
    count: n, pfn: new Float64Array(n), state: new Uint8Array(n), states, shareCount: new Float64Array(n), referenceCount: new Float64Array(n),
    lockCount: new Float64Array(n), bits: new Uint8Array(n), mapStart: new Uint32Array(n + 1), mapProcess: new Int32Array(maps),
    mapVaHi: new Uint32Array(maps), mapVaLo: new Uint32Array(maps), mapBits: new Uint8Array(maps), strings,
  };
  let m = 0;
  for (let i = 0; i < n; i++) {
    const f = s.frames[i];
    p.pfn[i] = f.pfn;
    let st = stateIds.get(f.state);
    if (st === undefined) {
      st = states.length;
      states.push(f.state);
      stateIds.set(f.state, st);
    }
    p.state[i] = st;
    p.shareCount[i] = f.shareCount;
    p.referenceCount[i] = f.referenceCount;
    p.lockCount[i] = f.lockCount;
    p.bits[i] = (f.modified ? 1 : 0) | (f.dummy ? 2 : 0);
    p.mapStart[i] = m;
    for (const mp of f.mappedBy) {
      p.mapProcess[m] = mp.process === null ? -1 : intern(mp.process);
      const va = BigInt(mp.va);
      p.mapVaHi[m] = Number(va >> 32n);
      p.mapVaLo[m] = Number(va & 0xffffffffn);
      p.mapBits[m] = (mp.kind === 'system' ? 1 : 0) | (mp.valid ? 2 : 0);
      m++;
    }
  }
  p.mapStart[n] = m;
  return {
    ...s,
    frames: p,
    mdls: s.mdls.map(({ pfns, slotMatchesPageTables, ...rest }) => ({
      ...rest, pfns: Float64Array.from(pfns), slots: Int8Array.from(slotMatchesPageTables, (v) => (v === null ? -1 : v ? 1 : 0)),
    })),
  };
}

const packedFramesOf = new WeakMap<Snapshot, PackedFrames>();
/** Frame tables whose PFNs validatePacked found strictly ascending (as the engine sends them). */
const ascending = new WeakSet<PackedFrames>();

/** Are the table's PFNs strictly ascending? Known from validation, so lookups can binary-search at once. */
export function framesAscending(p: PackedFrames): boolean | undefined {
  return ascending.has(p) ? true : undefined;
}
const packedSlotsOf = new WeakMap<MdlView, Int8Array>();

/** An unpacked MDL's slot checks as sent (1 true, 0 false, -1 null), if it came packed. */
export function packedSlots(m: MdlView): Int8Array | undefined {
  return packedSlotsOf.get(m);
}

/** The packed frame table behind an unpacked snapshot, for code that can read columns directly. */
export function packedFrames(s: Snapshot): PackedFrames | undefined {
  return packedFramesOf.get(s);
}

/** "0x…" of a VA given as 32-bit halves, as the snapshot spells addresses (lowercase, no padding). */
export function vaText(hi: number, lo: number): string {
  return hi ? `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}` : `0x${lo.toString(16)}`;
}

/** Frame i of a packed table as the contract's FrameView. */
export function frameAt(p: PackedFrames, i: number): FrameView {
  const mappedBy: FrameMapping[] = [];
  for (let k = p.mapStart[i]; k < p.mapStart[i + 1]; k++) {
    const proc = p.mapProcess[k];
    mappedBy.push({ process: proc < 0 ? null : p.strings[proc], va: vaText(p.mapVaHi[k], p.mapVaLo[k]), kind: p.mapBits[k] & 1 ? 'system' : 'user', valid: (p.mapBits[k] & 2) !== 0 });
  }
  return {
    pfn: p.pfn[i], state: p.states[p.state[i]] as FrameView['state'], shareCount: p.shareCount[i], referenceCount: p.referenceCount[i],
    lockCount: p.lockCount[i], modified: (p.bits[i] & 1) !== 0, dummy: (p.bits[i] & 2) !== 0, mappedBy,
  };
}

/**
 * Webview side (after validatePacked): a Snapshot whose `frames` array is built on first use, so
 * a view that only needs a few frames (through Model.frame) never pays for all of them.
 */
export function unpackSnapshot(p: PackedSnapshot): Snapshot {
  const { frames: table, mdls, ...rest } = p;
  const snap = {
    ...rest,
    mdls: mdls.map(({ pfns, slots, ...m }) => {
      // The PFN array stays the typed array (read-only indexing is all the views do); the slot
      // checks become an array only if something reads them other than through Model.slotMatches.
      const view = { ...m, pfns: pfns as unknown as number[] } as MdlView;
      let arr: (boolean | null)[] | null = null;
      Object.defineProperty(view, 'slotMatchesPageTables', {
        enumerable: true,
        get: () => (arr ??= Array.from(slots, (x) => (x < 0 ? null : x === 1))),
      });
      packedSlotsOf.set(view, slots);
      return view;
    }),
  } as Omit<Snapshot, 'frames'> as Snapshot;
  let frames: FrameView[] | null = null;
  Object.defineProperty(snap, 'frames', {
    enumerable: true,
    get: () => {
      if (!frames) {
        frames = new Array<FrameView>(table.count);
        for (let i = 0; i < table.count; i++) frames[i] = frameAt(table, i);
      }
      return frames;
    },
  });
  packedFramesOf.set(snap, table);
  return snap;
}

/** Schema check of the packed form: column types and lengths agree, indices stay in their tables. */
export function validatePacked(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'packedSnapshot: expected an object';
  const s = v as Record<string, unknown>;
  const f = s.frames as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null) return 'packedSnapshot.frames: expected the frame table';
  const n = f.count;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1 << 26) return 'packedSnapshot.frames.count: expected a frame count';
  const cols: [string, Function, number][] = [
    ['pfn', Float64Array, n], ['state', Uint8Array, n], ['shareCount', Float64Array, n], ['referenceCount', Float64Array, n],
    ['lockCount', Float64Array, n], ['bits', Uint8Array, n], ['mapStart', Uint32Array, n + 1],
  ];
  for (const [name, type, len] of cols) {
    const c = f[name];
    if (!(c instanceof type) || (c as Float64Array).length !== len) return `packedSnapshot.frames.${name}: expected a ${type.name} of ${len}`;
  }
  const mapStart = f.mapStart as Uint32Array;
  const maps = mapStart[n];
  for (const [name, type] of [['mapProcess', Int32Array], ['mapVaHi', Uint32Array], ['mapVaLo', Uint32Array], ['mapBits', Uint8Array]] as const) {
    const c = f[name];
    if (!(c instanceof type) || c.length !== maps) return `packedSnapshot.frames.${name}: expected a ${type.name} of ${maps}`;
  }
  for (const [name, max] of [['states', 64], ['strings', 1 << 16]] as const) {
    const a = f[name];
    if (!Array.isArray(a) || a.length > max) return `packedSnapshot.frames.${name}: expected an array of strings`;
    for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string' || a[i].length > 4096) return `packedSnapshot.frames.${name}[${i}]: expected a string`;
  }
  const states = (f.states as string[]).length;
  const strings = (f.strings as string[]).length;
  const mp = f.mapProcess as Int32Array;
  for (let k = 0; k < maps; k++) if (mp[k] < -1 || mp[k] >= strings) return `packedSnapshot.frames.mapProcess[${k}]: no such string`;
  // One pass over the frame columns.
  const st = f.state as Uint8Array;
  const pfn = f.pfn as Float64Array;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    if (mapStart[i] > mapStart[i + 1]) return `packedSnapshot.frames.mapStart[${i}]: offsets must not decrease`;
    if (st[i] >= states) return `packedSnapshot.frames.state[${i}]: no such state`;
    if (!Number.isFinite(pfn[i])) return `packedSnapshot.frames.pfn[${i}]: expected a finite number`;
    if (i > 0 && !(pfn[i - 1] < pfn[i])) sorted = false;
  }
  if (!Array.isArray(s.mdls)) return 'packedSnapshot.mdls: expected an array';
  for (let i = 0; i < s.mdls.length; i++) {
    const m = s.mdls[i] as Record<string, unknown>;
    if (typeof m !== 'object' || m === null) return `packedSnapshot.mdls[${i}]: expected an object`;
    if (!(m.pfns instanceof Float64Array)) return `packedSnapshot.mdls[${i}].pfns: expected a Float64Array`;
    if (!(m.slots instanceof Int8Array)) return `packedSnapshot.mdls[${i}].slots: expected an Int8Array`;
    for (let k = 0; k < m.pfns.length; k++) if (!Number.isFinite(m.pfns[k])) return `packedSnapshot.mdls[${i}].pfns[${k}]: expected a finite number`;
  }
  if (sorted) ascending.add(f as unknown as PackedFrames);
  return null;
}
