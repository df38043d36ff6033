// A schema check of the MM snapshot contract (src/emulator/snapshotTypes.ts, src/engine/snapshot.ts)
// for data arriving in the webview: every declared field is checked for its type; extra fields are
// allowed because the contract only ever grows. Checks return null or an error naming the path, and
// build no strings on success so that a 262,144-PFN snapshot validates in a few milliseconds.

type Check = (v: unknown) => string | null;

const HEX_RE = /^0x[0-9a-f]{1,16}$/i;
const MAX_STRING = 4096;

const str: Check = (v) => (typeof v === 'string' && v.length <= MAX_STRING ? null : ': expected a string (at most 4096 characters)');
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : ': expected a finite number');
const bool: Check = (v) => (typeof v === 'boolean' ? null : ': expected a boolean');
const hex: Check = (v) => (typeof v === 'string' && HEX_RE.test(v) ? null : ': expected a 0x-prefixed hex string of at most 16 digits');

function nullable(c: Check): Check {
  return (v) => (v === null ? null : c(v));
}
function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === 'string' && values.includes(v) ? null : `: expected one of ${values.join(', ')}`);
}
function arr(c: Check, max = 1 << 24): Check {
  return (v) => {
    if (!Array.isArray(v)) return ': expected an array';
    if (v.length > max) return `: more than ${max} entries`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i]);
      if (e !== null) return `[${i}]${e}`;
    }
    return null;
  };
}
/** Numbers only, unrolled: the PFN array is the one array that can hold 2^20 entries. */
function numArr(v: unknown): string | null {
  if (!Array.isArray(v)) return ': expected an array';
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return `[${i}]: expected a finite number`;
  }
  return null;
}
function tuple(cs: Check[]): Check {
  return (v) => {
    if (!Array.isArray(v) || v.length !== cs.length) return `: expected ${cs.length} entries`;
    for (let i = 0; i < cs.length; i++) {
      const e = cs[i](v[i]);
      if (e !== null) return `[${i}]${e}`;
    }
    return null;
  };
}
function obj(fields: Record<string, Check>): Check {
  const keys = Object.keys(fields);
  const checks = keys.map((k) => fields[k]);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return ': expected an object';
    const o = v as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const e = checks[i](o[keys[i]]);
      if (e !== null) return `.${keys[i]}${e}`;
    }
    return null;
  };
}
function record(c: Check): Check {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return ': expected an object';
    for (const [k, x] of Object.entries(v)) {
      const e = c(x);
      if (e !== null) return `.${k}${e}`;
    }
    return null;
  };
}

export const PAGE_STATES = ['Zeroed', 'Free', 'Standby', 'Modified', 'ModifiedNoWrite', 'Bad', 'Active', 'Transition'] as const;
export const EVENT_KINDS = [
  'allocate', 'lock', 'map', 'unmap', 'unlock', 'free', 'page-out', 'repage', 'page-in', 'pool', 'irp', 'dma', 'verifier', 'bugcheck', 'process',
] as const;

const location = obj({ file: str, line: num, function: str });

const mdl = obj({
  address: hex,
  next: hex,
  size: num,
  flags: num,
  flagNames: arr(str, 32),
  process: hex,
  processName: nullable(str),
  mappedSystemVa: hex,
  startVa: hex,
  byteCount: num,
  byteOffset: num,
  pageCount: num,
  pfns: numArr,
  origin: str,
  parent: nullable(hex),
  irp: nullable(hex),
  slotMatchesPageTables: arr((v) => (v === null || typeof v === 'boolean' ? null : ': expected true, false or null')),
});

const frame = obj({
  pfn: num,
  // Any name: a state added to the contract later must not blank the panel; views colour unknowns neutrally.
  state: str,
  shareCount: num,
  referenceCount: num,
  lockCount: num,
  modified: bool,
  dummy: bool,
  mappedBy: arr(obj({ process: nullable(str), va: hex, kind: oneOf(['user', 'system']), valid: bool }), 4096),
});

const snapshot = obj({
  version: (v) => (v === 1 ? null : ': expected version 1'),
  step: num,
  location: nullable(location),
  process: nullable(str),
  irql: num,
  irqlName: str,
  verifier: bool,
  mdls: arr(mdl, 1 << 16),
  frames: arr(frame),
  bugcheck: nullable(obj({ code: num, codeHex: str, name: str, params: tuple([hex, hex, hex, hex]), explanation: str })),
  processes: arr(obj({
    address: hex, name: str, pid: num, alive: bool, workingSetPages: num, lockedPages: num, committedPages: num,
  }), 4096),
  pageLists: record(num),
  physicalPages: num,
  dummyPfn: num,
  systemPtes: obj({ total: num, used: num }),
  pool: arr(obj({ tag: str, poolType: oneOf(['NonPaged', 'Paged']), allocations: num, bytes: num }), 1 << 16),
  irps: arr(obj({
    address: hex, majorFunction: str, mdlChain: arr(hex, 1 << 16), completed: bool, requestorMode: oneOf(['KernelMode', 'UserMode']),
  }), 1 << 16),
  events: arr(obj({
    seq: num, kind: str, text: str, mdl: nullable(hex), location: nullable(location), step: nullable(num),
  }), 1 << 20),
});

/** null when `v` is a Snapshot as the contract defines it, else the first error with its path. */
export function validateSnapshot(v: unknown): string | null {
  const e = snapshot(v);
  return e === null ? null : `snapshot${e}`;
}
