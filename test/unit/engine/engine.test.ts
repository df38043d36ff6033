// The debug engine over a toy interpreter: breakpoints, stepping, pause, stop reasons and the end of a run.
import { strict as assert } from 'node:assert';
import { DebugEngine } from '../../../src/engine/engine';
import type { RunResult, StopEvent } from '../../../src/engine/events';
import { isStop } from '../../../src/engine/events';
import { MemoryFileHost } from '../../../src/engine/host';
import { BugCheck } from '../../../src/emulator/contract';
import { TOY_FILE, toyDeps } from './doubles';
import type { ToyKernel, ToyProgram } from './doubles';

export const LOOP: ToyProgram = {
  LabMain: [
    { line: 10, op: { set: 'i', to: () => 0 } },
    { line: 11, op: { set: 'total', to: () => 0 } },
    { line: 12, op: { call: 'Add' } },
    { line: 13, op: { set: 'i', to: (v) => v.i + 1 } },
    { line: 14, op: { jumpTo: 2, when: (v) => v.i < 5 } },
    { line: 15, op: { native: 'DbgPrint', args: (v) => [v.i] } },
    { line: 16, op: { native: 'LabBreak' } },
    { line: 17, op: { ret: true } },
  ],
  Add: [
    { line: 20, op: { set: 'x', to: () => 1 } },
    { line: 21, op: { poke: 0x100, value: () => 7 } },
    { line: 22, op: { ret: true } },
  ],
};

export async function loadToy(fns: ToyProgram, options = {}, kernels: ToyKernel[] = []): Promise<DebugEngine> {
  const engine = new DebugEngine(toyDeps(fns, kernels), new MemoryFileHost({ [TOY_FILE]: 'VOID LabMain(VOID) {}' }));
  const r = await engine.load(TOY_FILE, options);
  assert.ok(r.ok, 'toy scenario loads');
  return engine;
}

function stop(r: StopEvent | RunResult): StopEvent {
  assert.ok(isStop(r), `expected a stop, got the end of the run: ${JSON.stringify(r)}`);
  return r;
}
function end(r: StopEvent | RunResult): RunResult {
  assert.ok(!isStop(r), `expected the end of the run, got a stop: ${JSON.stringify(r)}`);
  return r;
}
const line = (e: DebugEngine) => e.machine.location()?.line;
const local = (e: DebugEngine, name: string) => e.machine.locals(0).find((v) => v.name === name)?.raw;

describe('debug engine: breakpoints', () => {
  it('a line breakpoint on a line without a statement moves to the next executable line', async () => {
    const e = await loadToy(LOOP);
    const [bp] = e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 19 }], e.loadedProgram);
    assert.equal(bp.verified, true);
    assert.equal(bp.line, 20);
    const s = stop(await e.start());
    assert.equal(s.reason, 'breakpoint');
    assert.deepEqual(s.breakpointIds, [bp.id]);
    assert.equal(line(e), 20);
    assert.equal(e.frames()[0].function, 'Add');
  });

  it('a breakpoint past the last statement is not verified', async () => {
    const e = await loadToy(LOOP);
    const [bp] = e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 99 }], e.loadedProgram);
    assert.equal(bp.verified, false);
    assert.match(bp.message!, /no executable statement/);
  });

  it('a conditional breakpoint stops only where its C condition holds', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, condition: 'i == 3' }], e.loadedProgram);
    stop(await e.start());
    assert.equal(local(e, 'i'), 3);
  });

  it('a hit count breakpoint stops on the N-th hit', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 12, hitCondition: '4' }], e.loadedProgram);
    stop(await e.start());
    assert.equal(local(e, 'i'), 3, 'the fourth call of Add happens with i == 3');
  });

  it('a logpoint prints its interpolated message and does not stop', async () => {
    const e = await loadToy(LOOP);
    const logs: string[] = [];
    e.on('output', (o) => o.kind === 'log' && logs.push(o.text));
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, logMessage: 'i is {i}' }], e.loadedProgram);
    const s = stop(await e.start());
    assert.equal(s.kind, 'LabBreak');
    assert.deepEqual(logs, ['i is 0', 'i is 1', 'i is 2', 'i is 3', 'i is 4']);
  });

  it('a function breakpoint on a C function stops at its first statement', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setFunctionBreakpoints([{ name: 'Add' }], (n) => n === 'Add');
    const s = stop(await e.start());
    assert.equal(s.reason, 'function breakpoint');
    assert.equal(line(e), 20);
  });

  it('a function breakpoint on an emulated routine stops before the call with the routine as frame 0', async () => {
    const e = await loadToy(LOOP);
    const printed: string[] = [];
    e.on('output', (o) => o.kind === 'dbgprint' && printed.push(o.text));
    e.breakpoints.setFunctionBreakpoints([{ name: 'nt!DbgPrint' }], (n) => n === 'DbgPrint');
    const s = stop(await e.start());
    assert.equal(s.reason, 'function breakpoint');
    assert.equal(e.frames()[0].function, 'nt!DbgPrint');
    assert.equal(e.frames()[0].native, true);
    assert.equal(e.frames()[1].function, 'LabMain');
    assert.deepEqual(printed, [], 'the routine has not run yet');
    const next = stop(await e.continue());
    assert.equal(next.kind, 'LabBreak');
    assert.deepEqual(printed, ['value 5']);
  });

  it('a data breakpoint stops after the statement that changed the watched bytes', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setDataBreakpoints([{ address: 0x100, size: 4, label: 'g_total' }], null);
    const s = stop(await e.start());
    assert.equal(s.reason, 'data breakpoint');
    assert.match(s.description, /g_total changed/);
    assert.equal(line(e), 22, 'stopped on the statement after the write');
    const s2 = stop(await e.continue());
    assert.equal(s2.kind, 'LabBreak', 'later writes of the same value are not changes');
  });
});

describe('debug engine: what a run gives the machine', () => {
  /** Per run slice: whether the stop check was sparse, and whether a call hook was set. */
  function watchRuns(e: DebugEngine): string[] {
    const seen: string[] = [];
    const m = e.machine;
    const run = m.run.bind(m);
    m.run = (n, check) => {
      seen.push(`${check?.sparse === true ? 'sparse' : 'every statement'}${m.onCall ? ' + call hook' : ''}`);
      return run(n, check);
    };
    return seen;
  }

  it('a run without breakpoints gets the sparse check and no call hook (the fast paths); a function breakpoint brings both back', async () => {
    const e = await loadToy(LOOP);
    const seen = watchRuns(e);
    const s = stop(await e.start());
    assert.equal(s.kind, 'LabBreak');
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen)], ['sparse']);

    const f = await loadToy(LOOP);
    const seenF = watchRuns(f);
    f.breakpoints.setFunctionBreakpoints([{ name: 'nt!DbgPrint' }], (n) => n === 'DbgPrint');
    assert.equal(stop(await f.start()).reason, 'function breakpoint');
    assert.deepEqual([...new Set(seenF)], ['every statement + call hook']);
  });
});

describe('debug engine: stepping', () => {
  it('step over a call stays in the caller, step in enters it, step out returns', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 12 }], e.loadedProgram);
    stop(await e.start());
    e.breakpoints.setLineBreakpoints(TOY_FILE, [], e.loadedProgram);
    stop(await e.stepOver());
    assert.equal(line(e), 13);
    stop(await e.stepOver());
    assert.equal(line(e), 14);
    stop(await e.stepOver());
    assert.equal(line(e), 12);
    stop(await e.stepIn());
    assert.equal(line(e), 20);
    assert.equal(e.machine.depth(), 2);
    stop(await e.stepOut());
    assert.equal(line(e), 13);
    assert.equal(e.machine.depth(), 1);
  });

  it('stops on entry before the first statement when asked', async () => {
    const e = await loadToy(LOOP, { stopOnEntry: true });
    const s = stop(await e.start());
    assert.equal(s.reason, 'entry');
    assert.equal(s.step, 0);
    assert.equal(line(e), 10);
  });

  it('pause stops an infinite loop at the next slice (latency is measured in bench/dap.mjs)', async () => {
    const e = await loadToy({ LabMain: [{ line: 5, op: { set: 'n', to: (v) => (v.n ?? 0) + 1 } }, { line: 6, op: { jumpTo: 0, when: () => true } }] });
    const running = e.start();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    e.pause();
    const s = stop(await running);
    assert.ok(performance.now() - t0 < 2000, 'the pause took effect promptly');
    assert.equal(s.reason, 'pause');
    assert.ok((local(e, 'n') as number) > 1000);
  });

  it('terminate ends an infinite loop', async () => {
    const e = await loadToy({ LabMain: [{ line: 5, op: { jumpTo: 0, when: () => true } }] });
    const running = e.start();
    await new Promise((r) => setTimeout(r, 20));
    const r = await e.terminate();
    assert.equal(r.kind, 'terminated');
    assert.equal(end(await running).kind, 'terminated');
  });

  it('--max-steps ends a runaway loop with exit code 4', async () => {
    const e = await loadToy({ LabMain: [{ line: 5, op: { jumpTo: 0, when: () => true } }] }, { maxSteps: 5000 });
    const r = end(await e.start());
    assert.equal(r.kind, 'step-limit');
    assert.equal(r.exitCode, 4);
    assert.equal(r.steps, 5000);
  });
});

describe('debug engine: stop reasons and the end of a run', () => {
  it('a bug check stops with its name and parameters, and moving on ends the run with exit code 3', async () => {
    const e = await loadToy({ LabMain: [{ line: 3, op: { set: 'a', to: () => 1 } }, { line: 4, op: { native: 'KeBugCheckEx', args: () => [0xc4] } }, { line: 5, op: { ret: true } }] });
    const s = stop(await e.start());
    assert.equal(s.reason, 'exception');
    assert.equal(s.kind, 'bugcheck');
    assert.equal(s.bugcheck?.code, 0xc4);
    assert.match(s.description, /0x000000C4 TEST_BUGCHECK/);
    assert.equal(line(e), 4, 'the machine shows the line of the faulting call');
    const r = end(await e.continue());
    assert.equal(r.exitCode, 3);
    assert.equal(r.bugcheck?.name, 'TEST_BUGCHECK');
  });

  it('with the bug check filter off a bug check ends the run at once', async () => {
    const e = await loadToy({ LabMain: [{ line: 4, op: { native: 'KeBugCheckEx', args: () => [0x76] } }] });
    e.filters.bugcheck = false;
    const r = end(await e.start());
    assert.equal(r.kind, 'bugcheck');
    assert.equal(r.frames?.[0].function, 'LabMain');
  });

  it('a failed LabExpect makes the exit code 1 and names its line', async () => {
    const e = await loadToy({ LabMain: [{ line: 8, op: { native: 'LabExpect', args: () => [0] } }, { line: 9, op: { ret: true } }] });
    const r = end(await e.start());
    assert.equal(r.exitCode, 1);
    assert.deepEqual(r.expectFailures.map((f) => f.line), [8]);
  });

  it('the end of the run terminates every process, and a leak found there is a bug check', async () => {
    const kernels: ToyKernel[] = [];
    const e = await loadToy({ LabMain: [{ line: 8, op: { ret: true } }] }, {}, kernels);
    kernels[0].terminateBugCheck = new BugCheck(0x76, 'PROCESS_HAS_LOCKED_PAGES', [0, 1, 2, 3], 'locked pages at exit');
    e.filters.bugcheck = false;
    const r = end(await e.start());
    assert.equal(r.exitCode, 3);
    assert.equal(r.bugcheck?.name, 'PROCESS_HAS_LOCKED_PAGES');
  });

  it('a Driver Verifier report stops the run when its filter is on', async () => {
    const e = await loadToy({ LabMain: [{ line: 8, op: { native: 'VerifierReport' } }, { line: 9, op: { ret: true } }] });
    e.filters.verifier = true;
    const s = stop(await e.start());
    assert.equal(s.kind, 'verifier');
    assert.equal(s.reason, 'exception');
    assert.match(s.text!, /something is wrong/);
  });

  it('requests that need a stopped scenario are refused while it runs', async () => {
    const e = await loadToy({ LabMain: [{ line: 5, op: { jumpTo: 0, when: () => true } }] });
    const running = e.start();
    await assert.rejects(e.stepOver(), /running/);
    e.pause();
    stop(await running);
  });

  it('a compile error comes back as file:line:col: error: message', async () => {
    const e = new DebugEngine(toyDeps(LOOP), new MemoryFileHost({ '/lab/bad.c': 'syntax error' }));
    const r = await e.load('/lab/bad.c');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.message, "/lab/bad.c:3:7: error: expected ';'");
  });
});

describe('debug engine: the first statement', () => {
  it('a breakpoint on the first statement of LabMain stops there when the run starts', async () => {
    const e = await loadToy(LOOP);
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 10 }], e.loadedProgram);
    const s = stop(await e.start());
    assert.equal(s.reason, 'breakpoint');
    assert.equal(s.step, 0);
  });
});

describe('debug engine: breakpoints set while running', () => {
  it('a breakpoint added during an endless loop stops it at that line', async () => {
    const e = await loadToy({ LabMain: [{ line: 5, op: { set: 'n', to: (v) => (v.n ?? 0) + 1 } }, { line: 6, op: { jumpTo: 0, when: () => true } }] });
    const running = e.start();
    await new Promise((r) => setTimeout(r, 30));
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 6 }], e.loadedProgram);
    const s = stop(await running);
    assert.equal(s.reason, 'breakpoint');
    assert.equal(line(e), 6);
  });
});
