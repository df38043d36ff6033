// Deterministic mutations of C source: what a student's half-edited scenario looks like. Seeded,
// so a failing mutant is reproduced by its seed alone.

/** xorshift32: small, fast, deterministic. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

const TOKEN = /[A-Za-z_]\w*|0x[0-9a-fA-F]+[uUlLiI0-9]*|\d+[uUlL]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|->|\+\+|--|<<=?|>>=?|[<>=!&|^+\-*/%]=|&&|\|\||##|\S/g;

/** Tokens, operators and values that make interesting trouble in driver code. */
const DICTIONARY = [
  ';', '{', '}', '(', ')', '[', ']', ',', '*', '&', '->', '.', '=', '==', '++', '--', '#', '##', '\\',
  '__try', '__except', '__finally', '__leave', 'goto', 'return', 'break', 'continue', 'sizeof', 'struct', 'switch', 'case',
  'NULL', '0', '-1', '0xFFFFFFFF', '0x7FFFFFFFFFFFFFFF', '0xFFFFFFFFFFFFFFFFull', '4096', '0x1000', '1ull << 63', '-0x80000000',
  'MmUnlockPages(mdl)', 'IoFreeMdl(mdl)', 'MmProbeAndLockPages(mdl, UserMode, IoWriteAccess)', 'KeRaiseIrql(DISPATCH_LEVEL, &old)',
  'LabTrimWorkingSet(PsGetCurrentProcess())', '*(PULONG)0 = 1', 'ExAllocatePoolWithTag(NonPagedPool, (SIZE_T)-1, 1)',
  'while (1) {}', 'LabMain()', '"unterminated', "'x", '/*', '*/', '//', '#define X X', '#include "../../etc/passwd"', '#if', '#endif',
];

export function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** One to four mutations of one of the seeds. */
export function mutate(seeds: readonly string[], rng: Rng): string {
  const seed = rng.pick(seeds);
  const n = 1 + rng.int(4);
  let text = seed;
  for (let i = 0; i < n; i++) text = mutateOnce(text, seeds, rng);
  return text;
}

function mutateOnce(text: string, seeds: readonly string[], rng: Rng): string {
  const lines = text.split('\n');
  switch (rng.int(8)) {
    case 0: {
      // delete a line
      lines.splice(rng.int(lines.length), 1);
      return lines.join('\n');
    }
    case 1: {
      // duplicate a line somewhere else
      const l = lines[rng.int(lines.length)];
      lines.splice(rng.int(lines.length + 1), 0, l);
      return lines.join('\n');
    }
    case 2: {
      // splice a line from another seed
      const other = rng.pick(seeds).split('\n');
      lines.splice(rng.int(lines.length + 1), 0, other[rng.int(other.length)]);
      return lines.join('\n');
    }
    case 3:
    case 4: {
      // replace, delete or insert one token of one line (lines keep their numbers and directives)
      const i = rng.int(lines.length);
      const toks = tokens(lines[i]);
      const k = rng.int(toks.length + 1);
      const what = toks.length ? rng.int(3) : 2;
      if (what === 0) toks[k % toks.length] = rng.pick(DICTIONARY);
      else if (what === 1) toks.splice(k % toks.length, 1);
      else toks.splice(k, 0, rng.pick(DICTIONARY));
      lines[i] = toks.join(' ');
      return lines.join('\n');
    }
    case 5: {
      // swap two tokens of one line
      const i = rng.int(lines.length);
      const toks = tokens(lines[i]);
      if (toks.length < 2) return text;
      const a = rng.int(toks.length);
      const b = rng.int(toks.length);
      [toks[a], toks[b]] = [toks[b], toks[a]];
      lines[i] = toks.join(' ');
      return lines.join('\n');
    }
    case 6: {
      // change a number to an edge value
      return text.replace(/\b(0x[0-9a-fA-F]+|\d+)\b/g, (m) => (rng.int(6) === 0 ? rng.pick(['0', '1', '-1', '0xFFFFFFFF', '0x80000000', '0x7FFFFFFF', '4095', '4097', '0x100000000']) : m));
    }
    default: {
      // truncate
      return text.slice(0, rng.int(text.length + 1));
    }
  }
}
