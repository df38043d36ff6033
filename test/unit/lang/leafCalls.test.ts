// Leaf functions called frameless by the generated code (no stop check or call hook could look
// inside) against the closure form: same values and statement clock, and whatever must see the
// leaf's frame sees it — a fault's line and call stack, a bug check's location, SEH unwinding to
// the caller's __except, and a slice whose budget runs out inside the leaf.
import assert from 'node:assert/strict';
import type { CMachine } from '../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../src/lang/contract';
import { generatedMachine as machine, runToEnd, sameAsClosureForm } from './helpers/generatedMachine';
import { PRELUDE } from './helpers/runC';

/** The debugger's check for a run without breakpoints: asked only where a pause or report can land. */
const sparse = Object.assign(() => false, { sparse: true }) as unknown as StopCheck;

const finish = (m: CMachine, slice: number, check: StopCheck | undefined = sparse): RunOutcome => runToEnd(m, slice, check);

const lineOf = (src: string, text: string): number => (PRELUDE + src).split('\n').findIndex((l) => l.includes(text)) + 1;

const LEAVES = `
ULONG table[64];
ULONG mix(ULONG a, ULONG b) { ULONG t = a ^ b; if (t & 1) t = t * 3 + 1; else t >>= 1; return t % 65521; }
LONG clamp(LONG v, LONG lo, LONG hi) { if (v < lo) return lo; if (v > hi) return hi; return v; }
ULONG sum(PULONG p, ULONG n) { ULONG s = 0; ULONG i; for (i = 0; i < n; i++) s += p[i]; return s; }
ULONG64 wide(ULONG64 a) { return (a << 20) | (a >> 44); }
VOID LabMain(VOID) {
  ULONG acc = 7; ULONG i; LONG c = 0; ULONG64 w = 0x123456789abcdefull;
  for (i = 0; i < 500; i++) {
    table[i & 63] += mix(acc, i);
    acc = mix(acc, table[(i * 7) & 63]);
    c += clamp((LONG)acc - 30000, -100, 100);
    w = wide(w) ^ i;
  }
  DbgPrint("%u %d %u %I64x\\n", acc, c, sum(table, 64), w);
}`;

describe('leaf calls in the generated code', () => {
  it('give the closure form\'s values and statement clock, whatever the slice size (a budget running out inside a leaf resumes there)', () => {
    const slices = [1, 2, 3, 7, 64, 1_000_000];
    const { outcome, runs } = sameAsClosureForm(LEAVES, slices, sparse);
    assert.equal(outcome.kind, 'exited');
    runs.forEach((a, i) => {
      // the leaves did run frameless: their reusable frames exist
      const fns = a.m.linked.byName;
      // (wide, straight-line, is written inline into its caller and needs no frame at all)
      if (slices[i] === 1_000_000) for (const leaf of ['mix', 'clamp', 'sum']) assert.ok(fns.get(leaf)!.leaf !== null && fns.get(leaf)!.scratch !== null, leaf);
      assert.equal(fns.get('LabMain')!.leaf, null, 'LabMain calls: it is no leaf');
    });
  });

  it('a budget stop inside a leaf leaves the leaf\'s frame on top, at its line, below its caller', () => {
    const src = `
ULONG step3(ULONG a) {
  a += 1;
  a *= 3;
  return a;
}
VOID LabMain(VOID) { ULONG x = 0; ULONG i; for (i = 0; i < 50; i++) x = step3(x); DbgPrint("%u\\n", x); }`;
    const a = machine(src, true);
    // run until the clock stands inside step3 at least once
    let inside = 0;
    for (let n = 0; n < 200 && a.m.finished === null; n++) {
      a.m.run(1, sparse);
      if (a.m.currentFunction() === 'step3') {
        inside++;
        const frames = a.m.frames();
        assert.equal(frames[0].function, 'step3');
        assert.equal(frames[1].function, 'LabMain');
        assert.ok([lineOf(src, 'a += 1'), lineOf(src, 'a *= 3'), lineOf(src, 'return a')].includes(frames[0].location!.line));
      }
    }
    assert.ok(inside > 10);
  });

  it('an access violation inside a leaf is raised at the leaf\'s line with the leaf on the call stack, and the caller\'s __except handles it', () => {
    const src = `
ULONG peek(PULONG p) {
  ULONG v = 1;
  v += *p;
  return v;
}
VOID LabMain(VOID) {
  ULONG ok = 5; ULONG r = 0; NTSTATUS code = 0;
  r = peek(&ok);
  __try { r += peek((PULONG)0x10); } __except (EXCEPTION_EXECUTE_HANDLER) { code = GetExceptionCode(); }
  DbgPrint("%u %x\\n", r, code);
}`;
    const a = machine(src, true), b = machine(src, false);
    const seen: string[] = [];
    for (const x of [a, b]) x.m.onException = () => { seen.push(`${x.m.location()!.line} ${x.m.frames().map((f) => f.function).join('<')}`); };
    const oa = finish(a.m, 1_000_000), ob = finish(b.m, 1_000_000, undefined);
    assert.equal(oa.kind, 'exited');
    assert.deepEqual(oa, ob);
    assert.deepEqual(a.out, b.out);
    assert.equal(a.out.join('').trim(), '6 c0000005');
    assert.deepEqual(seen, [`${lineOf(src, 'v += *p')} peek<LabMain`, `${lineOf(src, 'v += *p')} peek<LabMain`]);
    assert.equal(a.m.steps, b.m.steps);
  });

  it('a fault inside a leaf written inline into its caller shows the leaf\'s frame with its locals, as a real call would', () => {
    const src = `
ULONG peek(PULONG p, ULONG bias) {
  ULONG v = bias * 2;
  v += *p;
  return v;
}
VOID LabMain(VOID) { ULONG ok = 5; ULONG r; r = peek(&ok, 1); r += peek((PULONG)0x10, 21); DbgPrint("%u\\n", r); }`;
    const views = (generated: boolean): string[] => {
      const a = machine(src, generated);
      const seen: string[] = [];
      a.m.onException = () => {
        const locals = a.m.locals(0).map((v) => `${v.name}=${v.value}`).join(' ');
        seen.push(`${a.m.frames().map((f) => `${f.function}:${f.location?.line}`).join('<')} ${locals} @${a.m.steps}`);
      };
      const o = finish(a.m, 1_000_000, generated ? sparse : undefined);
      seen.push(o.kind);
      return seen;
    };
    const a = views(true), b = views(false);
    assert.deepEqual(a, b);
    assert.match(a[0], /^peek:\d+<LabMain:\d+ .*v=42/);
  });

  it('a bug check inside a leaf names the leaf\'s line and leaves the leaf on the stack', () => {
    const src = `
VOID touch(PUCHAR p) {
  p[0] = 1;
}
VOID LabMain(VOID) { UCHAR ok[4]; touch(ok); touch((PUCHAR)0xFFFF800000001000); }`;
    const a = machine(src, true);
    const o = finish(a.m, 1_000_000);
    assert.equal(o.kind, 'bugcheck');
    assert.equal(a.m.frames()[0].function, 'touch');
    assert.equal(a.m.location()!.line, lineOf(src, 'p[0] = 1'));
    const b = machine(src, false);
    const ob = finish(b.m, 1_000_000, undefined);
    assert.equal(ob.kind === 'bugcheck' && ob.bugcheck.code, o.kind === 'bugcheck' && o.bugcheck.code);
    assert.deepEqual(o.kind === 'bugcheck' && o.bugcheck.params, ob.kind === 'bugcheck' && ob.bugcheck.params);
  });
});
