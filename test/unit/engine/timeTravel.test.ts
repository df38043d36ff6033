// Time travel over a toy interpreter: step back, reverse continue, goto step, and deterministic replay.
import { strict as assert } from 'node:assert';
import { isStop } from '../../../src/engine/events';
import type { RunResult, StopEvent } from '../../../src/engine/events';
import type { DebugEngine } from '../../../src/engine/engine';
import { TOY_FILE } from './doubles';
import type { ToyProgram } from './doubles';
import { LOOP, loadToy } from './engine.test';

/** The stop a motion reached (fails the test when the run ended instead). */
function stopped(r: StopEvent | RunResult): StopEvent {
  assert.ok(isStop(r), `expected a stop, got the end of the run: ${JSON.stringify(r)}`);
  return r;
}

const line = (e: DebugEngine) => e.machine.location()?.line;
const local = (e: DebugEngine, name: string) => e.machine.locals(0).find((v) => v.name === name)?.raw;

/** A long loop: `n` counts iterations, memory at 0x200 holds the running sum. */
const LONG: ToyProgram = {
  LabMain: [
    { line: 3, op: { set: 'n', to: () => 0 } },
    { line: 4, op: { set: 'n', to: (v) => v.n + 1 } },
    { line: 5, op: { poke: 0x200, value: (v) => (v.n * 7) % 251 } },
    { line: 6, op: { jumpTo: 1, when: (v) => v.n < 3000 } },
    { line: 7, op: { native: 'LabBreak' } },
    { line: 8, op: { ret: true } },
  ],
};

describe('debug engine: time travel', () => {
  it('step back returns to the previous statement with the locals it had there', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 14, condition: 'i == 3' }], e.loadedProgram);
    const s = await e.start();
    assert.ok(isStop(s));
    const before = e.machine.steps;
    const back = stopped(await e.stepBack());
    assert.equal(back.reason, 'step');
    assert.equal(line(e), 13);
    assert.equal(local(e, 'i'), 2, 'i is as it was before line 13 incremented it');
    assert.ok(e.machine.steps < before);
  });

  it('step back over a call skips the callee, as step over does forwards', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 3 });
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13 }], e.loadedProgram);
    await e.start();
    await e.stepBack();
    assert.equal(line(e), 12);
    assert.equal(e.machine.depth(), 1);
  });

  it('reverse continue stops at the latest earlier breakpoint hit, honouring its condition', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 5 });
    const s = await e.start();
    assert.ok(isStop(s) && s.kind === 'LabBreak');
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, condition: 'i == 1' }], e.loadedProgram);
    const back = stopped(await e.reverseContinue());
    assert.equal(back.reason, 'breakpoint');
    assert.equal(line(e), 13);
    assert.equal(local(e, 'i'), 1);
  });

  it('reverse continue with no breakpoint behind goes back to the start', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 5 });
    await e.start();
    const back = stopped(await e.reverseContinue());
    assert.equal(back.reason, 'entry');
    assert.equal(e.machine.steps, 0);
  });

  it('going back then forward again reaches the same state as the first run (deterministic replay)', async () => {
    const e = await loadToy(LONG, { checkpointInterval: 256 });
    await e.start();
    const endSteps = e.machine.steps;
    const samples = [1, 255, 256, 257, 4000, endSteps - 1];
    const live = new Map<number, string>();
    for (const step of samples) {
      await e.gotoStep(step);
      assert.equal(e.machine.steps, step);
      live.set(step, JSON.stringify([e.machine.saveState(), [...e.kernel.peek(0x200, 1)!]]));
    }
    for (const step of [...samples].reverse()) {
      await e.gotoStep(step);
      assert.equal(JSON.stringify([e.machine.saveState(), [...e.kernel.peek(0x200, 1)!]]), live.get(step), `state at step ${step}`);
    }
  });

  it('output is not printed twice when a stretch is re-run after going back', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    const printed: string[] = [];
    e.on('output', (o) => o.kind === 'dbgprint' && printed.push(o.text));
    await e.start();
    assert.deepEqual(printed, ['value 5']);
    await e.gotoStep(2);
    const s = await e.continue();
    assert.ok(isStop(s) && s.kind === 'LabBreak');
    assert.deepEqual(printed, ['value 5']);
  });

  it('after a bug check, step back leaves the dead machine and shows the faulting statement before it ran', async () => {
    const e = await loadToy({ LabMain: [{ line: 3, op: { set: 'a', to: () => 1 } }, { line: 4, op: { native: 'KeBugCheckEx', args: () => [0x4e] } }] }, { checkpointInterval: 1 });
    const s = await e.start();
    assert.ok(isStop(s) && s.kind === 'bugcheck');
    assert.equal(e.isDead, true);
    await e.stepBack();
    assert.equal(e.isDead, false);
    assert.equal(line(e), 4);
    await e.stepBack();
    assert.equal(line(e), 3);
    const again = await e.continue();
    assert.ok(isStop(again) && again.kind === 'bugcheck', 'running forward meets the same bug check');
  });

  it('an edit while stopped changes the future: going forward again follows the edit', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 2 });
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 14 }], e.loadedProgram);
    await e.start();
    e.machine.assign('i', '4');
    e.afterEdit();
    e.breakpoints.setLineBreakpoints(TOY_FILE, [], e.loadedProgram);
    const printed: string[] = [];
    e.on('output', (o) => o.kind === 'dbgprint' && printed.push(o.text));
    await e.continue();
    assert.deepEqual(printed, ['value 5']);
    assert.equal(local(e, 'i'), 5);
  });

  it('reverse continue counts hits from the start of the run: a hit count of 3 lands on the third pass, and forwards the count goes on from there', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    const s = await e.start();
    assert.ok(isStop(s) && s.kind === 'LabBreak');
    const [bp] = e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, hitCondition: '3' }], e.loadedProgram);
    const back = stopped(await e.reverseContinue());
    assert.equal(back.reason, 'breakpoint');
    assert.deepEqual(back.breakpointIds, [bp.id]);
    assert.equal(line(e), 13);
    assert.equal(local(e, 'i'), 2, 'the third pass over line 13 is the one where i is still 2');
    const on = await e.continue();
    assert.ok(isStop(on) && on.kind === 'LabBreak', 'the fourth and fifth passes do not match "3"');
  });

  it('a logpoint never stops reverse continue and prints nothing while the past is replayed', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    await e.start();
    const logged: string[] = [];
    e.on('output', (o) => o.kind === 'log' && logged.push(o.text));
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, logMessage: 'i is {i}' }], e.loadedProgram);
    assert.equal(stopped(await e.reverseContinue()).reason, 'entry');
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, logMessage: 'i is {i}', hitCondition: '>0' }], e.loadedProgram);
    await e.continue();
    assert.equal(logged.length, 5, 'forwards the logpoint logs each pass');
    assert.equal(stopped(await e.reverseContinue()).reason, 'entry');
    assert.equal(logged.length, 5);
  });

  it('with a data breakpoint, reverse continue stops after each earlier change of the watched value, latest first', async () => {
    const STEPS: ToyProgram = {
      LabMain: [
        { line: 3, op: { set: 'n', to: () => 0 } },
        { line: 4, op: { set: 'n', to: (v) => v.n + 1 } },
        { line: 5, op: { poke: 0x200, value: (v) => Math.floor(v.n / 1000) } },
        { line: 6, op: { jumpTo: 1, when: (v) => v.n < 3500 } },
        { line: 7, op: { native: 'LabBreak' } },
        { line: 8, op: { ret: true } },
      ],
    };
    // With checkpoints every 3000 statements each change shows first at a checkpoint, where the
    // search cannot see the statement before it within the same interval.
    for (const checkpointInterval of [256, 3000]) {
      const e = await loadToy(STEPS, { checkpointInterval });
      await e.start();
      const [bp] = e.breakpoints.setDataBreakpoints([{ address: 0x200, size: 4, label: 'level' }], e.kernel);
      for (const n of [3000, 2000, 1000]) {
        const back = stopped(await e.reverseContinue());
        assert.equal(back.reason, 'data breakpoint');
        assert.deepEqual(back.breakpointIds, [bp.id]);
        assert.match(back.description, /level changed/);
        assert.equal(line(e), 6, 'the stop is at the statement after the write, as forwards');
        assert.equal(local(e, 'n'), n);
      }
      assert.equal(stopped(await e.reverseContinue()).reason, 'entry');
      const on = await e.continue();
      assert.ok(isStop(on) && on.kind === 'data breakpoint' && local(e, 'n') === 1000, 'forwards the watch stops at the first change again');
      assert.equal(on.step, 3000);
    }
  });

  it('reverse continue stops on function breakpoints: at the first statement of a C function, and just before a call of an emulated routine', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    await e.start();
    const [add] = e.breakpoints.setFunctionBreakpoints([{ name: 'Add' }], (n) => n === 'Add');
    const inC = stopped(await e.reverseContinue());
    assert.equal(inC.reason, 'function breakpoint');
    assert.deepEqual(inC.breakpointIds, [add.id]);
    assert.equal(line(e), 20);
    assert.equal(e.machine.locals(1).find((v) => v.name === 'i')?.raw, 4, 'the latest call, from the last pass of the loop');
    await e.gotoStep(e.machine.steps + 100);
    const [print] = e.breakpoints.setFunctionBreakpoints([{ name: 'nt!DbgPrint' }], (n) => n === 'DbgPrint');
    const inNt = stopped(await e.reverseContinue());
    assert.equal(inNt.reason, 'function breakpoint');
    assert.deepEqual(inNt.breakpointIds, [print.id]);
    assert.equal(e.frames()[0].function, 'nt!DbgPrint');
    assert.equal(e.frames()[1].location?.line, 15);
    const on = await e.continue();
    assert.ok(isStop(on) && on.kind === 'LabBreak', 'continuing performs the call and runs on');
  });

  it('terminate during a long reverse continue ends the run without waiting for the search', async () => {
    const HUGE: ToyProgram = {
      LabMain: [
        { line: 3, op: { set: 'n', to: () => 0 } },
        { line: 4, op: { set: 'n', to: (v) => v.n + 1 } },
        { line: 5, op: { jumpTo: 1, when: (v) => v.n < 400000 } },
        { line: 6, op: { native: 'LabBreak' } },
        { line: 7, op: { ret: true } },
      ],
    };
    const e = await loadToy(HUGE, { checkpointInterval: 1000 });
    await e.start();
    // A watch that never changes: the search replays the whole run from the start.
    e.breakpoints.setDataBreakpoints([{ address: 0x300, size: 4 }], e.kernel);
    const travelling = e.reverseContinue();
    const ended = await e.terminate();
    assert.equal(ended.kind, 'terminated');
    const r = await travelling;
    assert.ok(!isStop(r) && r.kind === 'terminated');
    assert.ok(e.replayedStatements < 1200000, `gave up after ${e.replayedStatements} of 1200000 statements`);
    assert.equal(e.state, 'ended');
  });

  it('with the Driver Verifier filter on, reverse continue stops after each earlier verifier report, as a forward run would', async () => {
    const REPORTS: ToyProgram = {
      LabMain: [
        { line: 3, op: { set: 'n', to: () => 0 } },
        { line: 4, op: { set: 'n', to: (v) => v.n + 1 } },
        { line: 5, op: { jumpTo: 4, when: (v) => v.n % 2 === 0 } },
        { line: 6, op: { native: 'VerifierReport' } },
        { line: 7, op: { jumpTo: 1, when: (v) => v.n < 4 } },
        { line: 8, op: { native: 'LabBreak' } },
        { line: 9, op: { ret: true } },
      ],
    };
    const e = await loadToy(REPORTS, { checkpointInterval: 3 });
    const printed: string[] = [];
    e.on('output', (o) => o.kind === 'verifier' && printed.push(o.text));
    assert.equal(stopped(await e.start()).kind, 'LabBreak', 'the filter is off: the reports do not stop the run');
    assert.equal(printed.length, 2);
    e.filters.verifier = true;
    for (const n of [3, 1]) {
      const back = stopped(await e.reverseContinue());
      assert.equal(back.kind, 'verifier');
      assert.equal(back.reason, 'exception');
      assert.match(back.text ?? '', /something is wrong/);
      assert.equal(line(e), 7, 'the statement after the report');
      assert.equal(local(e, 'n'), n);
    }
    assert.equal(stopped(await e.reverseContinue()).reason, 'entry');
    assert.equal(printed.length, 2, 'replayed reports are not printed again');
    e.filters.verifier = false;
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 6, hitCondition: '2' }], e.loadedProgram);
    const second = stopped(await e.continue());
    assert.ok(second.kind === 'breakpoint' && local(e, 'n') === 3, 'the second pass over line 6, before its report');
    e.filters.verifier = true;
    const viaScan = stopped(await e.reverseContinue());
    assert.equal(viaScan.kind, 'verifier', 'also when a hit count makes the search replay from the start');
    assert.equal(line(e), 7);
    assert.equal(local(e, 'n'), 1);
  });

  it('after step back or goto, hit counts are those of the new position: continuing meets the same counted hit again', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 4 });
    e.breakpoints.setLineBreakpoints(TOY_FILE, [{ line: 13, hitCondition: '4' }], e.loadedProgram);
    const fourth = stopped(await e.start());
    assert.equal(fourth.reason, 'breakpoint');
    assert.equal(local(e, 'i'), 3);
    await e.stepBack();
    assert.equal(line(e), 12);
    const again = stopped(await e.continue());
    assert.equal(again.reason, 'breakpoint', 'the fourth pass is still ahead');
    assert.equal(local(e, 'i'), 3);
    await e.gotoStep(2);
    const fromEarly = stopped(await e.continue());
    assert.ok(fromEarly.reason === 'breakpoint' && local(e, 'i') === 3, 'counted from the start of the run, not from where the run had got to');
  });
});
