// Options a scenario run is launched with (launch.json attributes and CLI flags), parsed and checked.

export interface EngineOptions {
  /** Bytes of emulated physical memory. */
  physicalMemory: number;
  /** Driver Verifier on. */
  verifier: boolean;
  /** Stop before the first statement of LabMain. */
  stopOnEntry: boolean;
  /** The scenario's entry function. */
  entry: string;
  /** End the run after this many statements (0 = no limit). */
  maxSteps: number;
  /** End the run after this many milliseconds of running (0 = no limit). */
  timeoutMs: number;
  /** Statements between time-travel checkpoints; 0 turns time travel off (CLI runs). */
  checkpointInterval: number;
}

export const DEFAULT_OPTIONS: EngineOptions = {
  physicalMemory: 1 << 30,
  verifier: true,
  stopOnEntry: false,
  entry: 'LabMain',
  maxSteps: 0,
  timeoutMs: 0,
  checkpointInterval: 4096,
};

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1 << 20, mb: 1 << 20, g: 1 << 30, gb: 1 << 30, t: 2 ** 40, tb: 2 ** 40 };
/** Smallest and largest machines the emulator is asked to describe (Windows itself needs more than 16 MiB). */
const MIN_MEMORY = 16 << 20;
const MAX_MEMORY = 2 ** 40;

/** "1g", "512m", "4GB", "1073741824" → bytes. Throws an Error with a sentence for anything else. */
export function parsePhysicalMemory(value: string | number): number {
  let bytes: number;
  if (typeof value === 'number') bytes = value;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
    if (!m || unit === undefined) throw new Error(`physical memory "${value}" is not a size such as 512m, 1g or 4g`);
    bytes = Math.floor(Number(m[1]) * unit);
  }
  if (!Number.isFinite(bytes) || bytes < MIN_MEMORY || bytes > MAX_MEMORY) {
    throw new Error(`physical memory must be between 16m and 1t (got ${value})`);
  }
  return bytes - (bytes % 4096);
}

/** Accepts booleans and the words on/off, true/false, yes/no, 1/0. */
export function parseSwitch(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const s = String(value).toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return true;
  if (['off', 'false', 'no', '0'].includes(s)) return false;
  throw new Error(`${name} must be on or off (got ${String(value)})`);
}
