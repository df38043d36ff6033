// Integer arithmetic compared with a BigInt model of C on x64 Windows (LLP64, MSVC rules): random
// operands of every integer type through every operator, compiled as C and run, in register
// locals and in memory, must give the model's value.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runC } from './helpers/runC';

interface IT { name: string; size: 1 | 2 | 4 | 8; signed: boolean }
const TYPES: IT[] = [
  { name: 'CHAR', size: 1, signed: true }, { name: 'UCHAR', size: 1, signed: false },
  { name: 'SHORT', size: 2, signed: true }, { name: 'USHORT', size: 2, signed: false },
  { name: 'LONG', size: 4, signed: true }, { name: 'ULONG', size: 4, signed: false },
  { name: 'LONG64', size: 8, signed: true }, { name: 'ULONG64', size: 8, signed: false },
];
const OPS = ['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '<', '>=', '==', '!='];

const wrap = (v: bigint, t: IT) => (t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v));
const promote = (t: IT): IT => (t.size < 4 ? { name: 'int', size: 4, signed: true } : t);
function usual(a: IT, b: IT): IT {
  const x = promote(a), y = promote(b);
  if (x.signed === y.signed) return x.size >= y.size ? x : y;
  const u = x.signed ? y : x, s = x.signed ? x : y;
  if (u.size >= s.size) return u;
  return s; // the signed type is wider, so it holds every value of the unsigned one
}

/** The model: the value of `a op b` as C computes it, and its type. */
function model(op: string, ta: IT, a0: bigint, tb: IT, b0: bigint): { v: bigint; t: IT } | null {
  // the variables hold their declared types' values first
  const a = wrap(a0, ta), b = wrap(b0, tb);
  if (op === '<<' || op === '>>') {
    const t = promote(ta);
    const n = Number(b);
    const x = wrap(a, t);
    if (n < 0 || n >= t.size * 8) return null;
    return { v: wrap(op === '<<' ? x << BigInt(n) : x >> BigInt(n), t), t };
  }
  const t = usual(ta, tb);
  const x = wrap(a, t), y = wrap(b, t);
  const int: IT = { name: 'int', size: 4, signed: true };
  switch (op) {
    case '+': return { v: wrap(x + y, t), t };
    case '-': return { v: wrap(x - y, t), t };
    case '*': return { v: wrap(x * y, t), t };
    case '/': case '%': {
      if (y === 0n) return null;
      if (t.signed && y === -1n && x === -(1n << BigInt(t.size * 8 - 1))) return null;
      return { v: wrap(op === '/' ? x / y : x % y, t), t };
    }
    case '&': return { v: wrap(x & y, t), t };
    case '|': return { v: wrap(x | y, t), t };
    case '^': return { v: wrap(x ^ y, t), t };
    case '<': return { v: x < y ? 1n : 0n, t: int };
    case '>=': return { v: x >= y ? 1n : 0n, t: int };
    case '==': return { v: x === y ? 1n : 0n, t: int };
    case '!=': return { v: x !== y ? 1n : 0n, t: int };
  }
  return null;
}

const literal = (v: bigint, t: IT) => {
  const w = wrap(v, t);
  return `(${t.name})0x${BigInt.asUintN(64, w).toString(16)}ULL`;
};

const caseArb = fc.record({
  ta: fc.constantFrom(...TYPES), tb: fc.constantFrom(...TYPES), op: fc.constantFrom(...OPS),
  a: fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }), b: fc.oneof(fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }), fc.bigInt({ min: -3n, max: 70n })),
  inMemory: fc.boolean(),
});

describe('integer arithmetic against a model of MSVC x64', () => {
  it('every operator on every pair of integer types gives the modelled value', function () {
    this.timeout(180_000);
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 40, maxLength: 40 }), (cases) => {
        const lines: string[] = [];
        const expected: string[] = [];
        cases.forEach((c, i) => {
          const m = model(c.op, c.ta, c.a, c.tb, c.b);
          if (!m) return;
          const decl = `${c.ta.name} a${i} = ${literal(c.a, c.ta)}; ${c.tb.name} b${i} = ${literal(c.b, c.tb)};` + (c.inMemory ? ` ${c.ta.name} *pa${i} = &a${i}; ${c.tb.name} *pb${i} = &b${i};` : '');
          const expr = c.inMemory ? `*pa${i} ${c.op} *pb${i}` : `a${i} ${c.op} b${i}`;
          lines.push(`{ ${decl} ULONG64 r = (ULONG64)(${expr}); DbgPrint("%llX;", r); }`);
          // the result converted to ULONG64: sign-extended from a signed type, zero-extended otherwise
          expected.push(BigInt.asUintN(64, m.v).toString(16).toUpperCase() + ';');
        });
        const r = runC(`VOID LabMain(VOID) {\n${lines.join('\n')}\n}`);
        assert.equal(r.outcome.kind, 'exited');
        const got = r.out.join('').split(';').slice(0, -1);
        const want = expected.join('').split(';').slice(0, -1);
        got.forEach((g, k) => assert.equal(g, want[k], `case ${k}: ${lines[k]}`));
        assert.equal(got.length, want.length);
      }),
      { numRuns: 25, seed: 7 },
    );
  });
});

describe('conversions and compound assignment against the model', () => {
  it('casts between integer types and a op= b store the modelled value in a\'s type', function () {
    this.timeout(180_000);
    const COMPOUND = ['+', '-', '*', '&', '|', '^', '<<', '>>', '/', '%'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ ta: fc.constantFrom(...TYPES), tb: fc.constantFrom(...TYPES), op: fc.constantFrom(...COMPOUND), a: fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }), b: fc.bigInt({ min: -3n, max: 66n }), inMemory: fc.boolean(), inc: fc.boolean() }), { minLength: 40, maxLength: 40 }),
        (cases) => {
          const lines: string[] = [];
          const want: string[] = [];
          cases.forEach((c, i) => {
            const m = model(c.op, c.ta, c.a, c.tb, c.b);
            if (!m) return;
            const stored = wrap(m.v, c.ta);
            const after = wrap(stored + (c.inc ? 1n : -1n), c.ta);
            const cast = wrap(wrap(c.a, c.ta), c.tb);
            const target = c.inMemory ? `*pa${i}` : `a${i}`;
            lines.push(`{ ${c.ta.name} a${i} = ${literal(c.a, c.ta)}; ${c.tb.name} b${i} = ${literal(c.b, c.tb)};${c.inMemory ? ` ${c.ta.name} *pa${i} = &a${i};` : ''} ${c.tb.name} k${i} = (${c.tb.name})a${i}; ${target} ${c.op}= b${i}; DbgPrint("%llX,", (ULONG64)a${i}); ${c.inc ? '++' : '--'}${target}; DbgPrint("%llX,%llX;", (ULONG64)a${i}, (ULONG64)k${i}); }`);
            want.push(`${BigInt.asUintN(64, stored).toString(16).toUpperCase()},${BigInt.asUintN(64, after).toString(16).toUpperCase()},${BigInt.asUintN(64, cast).toString(16).toUpperCase()};`);
          });
          const r = runC(`VOID LabMain(VOID) {\n${lines.join('\n')}\n}`);
          assert.equal(r.outcome.kind, 'exited');
          const got = r.out.join('').split(';');
          const exp = want.join('').split(';');
          got.forEach((g, k) => assert.equal(g, exp[k], `case ${k}: ${lines[k]}`));
        },
      ),
      { numRuns: 20, seed: 3 },
    );
  });
});
