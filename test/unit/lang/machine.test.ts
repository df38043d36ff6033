// The interpreter as the debug engine drives it: slices, stops, frames, calls into and out of the
// kernel, and exact save/restore of its state.
import assert from 'node:assert/strict';
import { driverC, type CMachine } from '../../../src/lang/index';
import { compileC, PRELUDE } from './helpers/runC';
import { FakeKernel } from './helpers/fakeKernel';

function machine(src: string, kernel = new FakeKernel()): { m: CMachine; k: FakeKernel } {
  const r = compileC(PRELUDE + src);
  assert.ok(r.program, r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return { m: driverC.createMachine(r.program!, kernel) as CMachine, k: kernel };
}
const line = (m: CMachine) => (m.location()?.line ?? 0) - 2; // PRELUDE adds two lines

describe('driver C machine', () => {
  it('an infinite loop returns "budget" after exactly the statements it was given', () => {
    const { m } = machine('VOID LabMain(VOID) { volatile int x = 0; for (;;) { x++; } }');
    const o = m.run(1000);
    assert.equal(o.kind, 'budget');
    assert.equal(m.steps, 1000);
    assert.equal(m.run(500).kind, 'budget');
    assert.equal(m.steps, 1500);
  });

  it('shouldStop is asked before each statement and the next run executes that statement without asking again', () => {
    const { m, k } = machine('VOID LabMain(VOID) {\nDbgPrint("a");\nDbgPrint("b");\nDbgPrint("c");\n}');
    const seen: number[] = [];
    const o = m.run(100, (mm) => { seen.push(line(mm as CMachine)); return line(mm as CMachine) === 3; });
    assert.equal(o.kind, 'stopped');
    assert.deepEqual(k.out, ['a']);
    assert.equal(line(m), 3);
    assert.equal(m.run(100, (mm) => line(mm as CMachine) === 3).kind, 'exited');
    assert.deepEqual(k.out, ['a', 'b', 'c']);
    assert.deepEqual(seen, [2, 3]);
  });

  it('LabBreak and DbgBreakPoint return "break" after the call, positioned on the next statement', () => {
    const { m } = machine('VOID LabMain(VOID) {\nint a = 1;\nLabBreak();\na = 2;\nDbgBreakPoint();\n}');
    assert.deepEqual(m.run(100), { kind: 'break', reason: 'LabBreak' });
    assert.equal(line(m), 4);
    assert.deepEqual(m.run(100), { kind: 'break', reason: 'DbgBreakPoint' });
    assert.equal(m.run(100).kind, 'exited');
  });

  it('frames() lists C frames innermost first with their lines, and depth counts them', () => {
    const { m } = machine('int leaf(int x) {\nLabBreak();\nreturn x;\n}\nint mid(int x) {\nreturn leaf(x) + 1;\n}\nVOID LabMain(VOID) {\nmid(3);\n}');
    m.run(100);
    const f = m.frames();
    assert.deepEqual(f.map((x) => x.function), ['leaf', 'mid', 'LabMain']);
    assert.deepEqual(f.map((x) => (x.location?.line ?? 0) - 2), [3, 6, 9]);
    assert.equal(m.depth(), 3);
    assert.equal(m.currentFunction(), 'leaf');
  });

  it('a bug check inside an emulated routine shows the routine as nt!Name on top of the C stack', () => {
    const { m } = machine('VOID KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);\nvoid f(void) { KeBugCheckEx(0xC4, 0x7C, 1, 2, 3); }\nVOID LabMain(VOID) { f(); }');
    const o = m.run(100);
    assert.equal(o.kind, 'bugcheck');
    assert.equal(o.kind === 'bugcheck' && o.bugcheck.code, 0xc4);
    const f = m.frames();
    assert.deepEqual(f.map((x) => x.function), ['nt!KeBugCheckEx', 'f', 'LabMain']);
    assert.equal(f[0].native, true);
    assert.equal(m.run(100).kind, 'bugcheck', 'a dead machine keeps reporting its end');
  });

  it('unbounded recursion is bug check 0x7F UNEXPECTED_KERNEL_MODE_TRAP with P1 = 8 (double fault), not a host stack overflow', () => {
    const { m } = machine('int down(int n) { return down(n + 1) + 1; }\nVOID LabMain(VOID) { down(0); }');
    const o = m.run(10_000_000);
    assert.equal(o.kind, 'bugcheck');
    if (o.kind !== 'bugcheck') return;
    assert.equal(o.bugcheck.code, 0x7f);
    assert.equal(o.bugcheck.params[0], 8);
    assert.ok(m.depth() > 100 && m.depth() < 1000, `depth ${m.depth()} fits a 24 KiB kernel stack`);
  });

  it('onCall can stop before a routine is called; the next run performs the call without asking again', () => {
    const { m, k } = machine('VOID LabMain(VOID) { DbgPrint("x"); DbgPrint("y"); }');
    const calls: string[] = [];
    m.onCall = (name, native) => { calls.push(`${name}:${native}`); return calls.length === 1; };
    assert.equal(m.run(100).kind, 'stopped');
    assert.deepEqual(k.out, []);
    assert.equal(m.run(100).kind, 'exited');
    assert.deepEqual(k.out, ['x', 'y']);
    assert.deepEqual(calls, ['DbgPrint:true', 'DbgPrint:true']);
  });

  it('a stop before a call does not count its statement twice: the statement clock agrees with a run without the stop', () => {
    const src = 'VOID LabMain(VOID) { DbgPrint("x"); DbgPrint("y"); DbgPrint("z"); }';
    const plain = machine(src).m;
    assert.equal(plain.run(100).kind, 'exited');
    const { m } = machine(src);
    m.onCall = (_name, _native) => true;
    let stops = 0;
    for (;;) {
      const o = m.run(100);
      if (o.kind === 'stopped') { stops++; continue; }
      assert.equal(o.kind, 'exited');
      break;
    }
    assert.equal(stops, 3);
    assert.equal(m.steps, plain.steps);
  });

  it('a routine that calls back into C (a completion routine) runs the C function on the same stack', () => {
    const { m, k } = machine('ULONG64 LabCallBack(PVOID fn, ULONG64 arg);\nULONG64 cb(ULONG64 x) {\nLabBreak();\nreturn x * 2;\n}\nVOID LabMain(VOID) { DbgPrint("%llu", LabCallBack(cb, 21)); }');
    assert.equal(m.run(100).kind, 'break');
    assert.deepEqual(m.frames().map((f) => f.function), ['cb', 'nt!LabCallBack', 'LabMain']);
    assert.equal(m.run(100).kind, 'break');
    assert.equal(m.run(100).kind, 'exited');
    assert.deepEqual(k.out, ['84']);
  });

  it('saveState and restoreState round-trip exactly: the rerun from a saved point gives the same output', () => {
    const src = 'ULONG64 acc;\nULONG64 step(ULONG64 v) { return v * 31 + 7; }\nVOID LabMain(VOID) { ULONG64 a[4] = {1,2,3,4}; for (int i = 0; i < 50; i++) { a[i & 3] = step(a[(i + 1) & 3]); if (i % 10 == 0) DbgPrint("%llx ", a[i & 3]); } acc = a[0] ^ a[3]; DbgPrint("%llx", acc); }';
    const { m, k } = machine(src);
    m.run(37);
    const state = m.saveState();
    const copy = JSON.stringify(state, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const mem = new Map([...k.memory.pages].map(([p, b]) => [p, b.slice()]));
    const outAt = k.out.length;
    assert.equal(m.run(1_000_000).kind, 'exited');
    const first = k.out.slice(outAt).join('');
    k.memory.pages = new Map([...mem].map(([p, b]) => [p, b.slice()]));
    m.restoreState(state);
    assert.equal(m.steps, 37);
    assert.equal(JSON.stringify(m.saveState(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)), copy);
    k.out.length = outAt;
    assert.equal(m.run(1_000_000).kind, 'exited');
    assert.equal(k.out.slice(outAt).join(''), first);
  });

  it('the kernel learns the C location of every routine call (for EXPECT FAILED FILE:LINE)', () => {
    const { m, k } = machine('VOID LabMain(VOID) {\nLabExpect(FALSE, "nope");\n}');
    m.run(100);
    assert.deepEqual(k.expects, [{ ok: false, what: 'nope', where: 'test.c:4' }]);
  });

  it('calling through a pointer that is not a function raises an access violation', () => {
    const { m } = machine('VOID LabMain(VOID) { void (*f)(void) = (void (*)(void))0x1234; __try { f(); } __except (EXCEPTION_EXECUTE_HANDLER) { DbgPrint("%08X", GetExceptionCode()); } }');
    assert.equal(m.run(100).kind, 'exited');
  });

  it('onException hears first chance of a bad-pointer fault (native false) and of a routine raise (native true), and the dispatch and statement clock are those of a run without it', () => {
    const src = 'VOID LabMain(VOID) {\n__try {\n*(PULONG)0x10 = 1;\n} __except (EXCEPTION_EXECUTE_HANDLER) {\nDbgPrint("%08X ", GetExceptionCode());\n}\n__try { ExRaiseStatus(0xC000009A); } __except (EXCEPTION_EXECUTE_HANDLER) { DbgPrint("%08X", GetExceptionCode()); }\n}';
    const plain = machine(src);
    assert.equal(plain.m.run(100).kind, 'exited');
    const { m, k } = machine(src);
    const heard: string[] = [];
    m.onException = (status, native, explanation) => { heard.push(`${(status >>> 0).toString(16)}:${native}:${line(m)}:${explanation.split(' ')[0]}`); return true; };
    assert.equal(m.run(100).kind, 'exited');
    assert.deepEqual(heard, ['c0000005:false:3:access', 'c000009a:true:7:ExRaiseStatus(0xc000009a)']);
    assert.deepEqual(k.out, plain.k.out);
    assert.deepEqual(k.out, ['C0000005 ', 'C000009A']);
    assert.equal(m.steps, plain.m.steps);
  });

  it('a listener that throws does not change how the exception is dispatched', () => {
    const { m, k } = machine('VOID LabMain(VOID) { __try { *(PULONG)0x10 = 1; } __except (EXCEPTION_EXECUTE_HANDLER) { DbgPrint("%08X", GetExceptionCode()); } }');
    m.onException = () => { throw new Error('listener broke'); };
    assert.equal(m.run(100).kind, 'exited');
    assert.deepEqual(k.out, ['C0000005']);
  });

  it('createMachine refuses a program without the entry point', () => {
    const r = compileC(PRELUDE + 'VOID Other(VOID) {}');
    assert.throws(() => driverC.createMachine(r.program!, new FakeKernel()), /no function 'LabMain'/);
  });
});

describe('page faults resolved by driver code', () => {
  it('a fault that needs a paging read runs the C routine as nt!MmAccessFault, then the faulting statement again, counted once', () => {
    const { m, k } = machine('VOID LabArmFault(PVOID Va, PVOID Routine);\nULONG calls;\nULONG pagingRead(ULONG_PTR va) {\ncalls++;\nLabBreak();\nreturn 0;\n}\nVOID LabMain(VOID) {\nstatic ULONG data[4];\nLabArmFault(&data[1], pagingRead);\ndata[1] = 7;\nDbgPrint("%u %u", data[1], calls);\n}');
    assert.equal(m.run(100).kind, 'break');
    assert.deepEqual(m.frames().map((f) => f.function), ['pagingRead', 'nt!MmAccessFault', 'LabMain']);
    assert.equal((m.frames()[2].location?.line ?? 0) - 2, 11);
    const before = m.steps;
    assert.equal(m.run(100).kind, 'exited');
    assert.deepEqual(k.out, ['7 1']);
    assert.equal(m.steps - before, 3, 'return 0; the retried data[1] = 7; DbgPrint; closing brace minus the statement already counted');
  });
});
