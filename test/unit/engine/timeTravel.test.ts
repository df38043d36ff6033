// Time travel over a toy interpreter: step back, reverse continue, goto step, and deterministic replay.
import { strict as assert } from 'node:assert';
import { isStop } from '../../../src/engine/events';
import type { DebugEngine } from '../../../src/engine/engine';
import { TOY_FILE } from './doubles';
import type { ToyProgram } from './doubles';
import { LOOP, loadToy } from './engine.test';

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
    const back = await e.stepBack();
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
    const back = await e.reverseContinue();
    assert.equal(back.reason, 'breakpoint');
    assert.equal(line(e), 13);
    assert.equal(local(e, 'i'), 1);
  });

  it('reverse continue with no breakpoint behind goes back to the start', async () => {
    const e = await loadToy(LOOP, { checkpointInterval: 5 });
    await e.start();
    const back = await e.reverseContinue();
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
});
