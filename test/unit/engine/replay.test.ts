// Time travel on the real interpreter and emulator: going back and forth reproduces the same
// machine and memory-manager state as the first run (deterministic replay).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DebugEngine } from '../../../src/engine/engine';
import { defaultEngineDeps } from '../../../src/engine/defaultDeps';
import { isStop } from '../../../src/engine/events';
import type { RunResult, StopEvent } from '../../../src/engine/events';
import { MemoryFileHost } from '../../../src/engine/host';

/** The stop a motion reached (fails the test when the run ended instead). */
function stopped(r: StopEvent | RunResult): StopEvent {
  assert.ok(isStop(r), `expected a stop, got the end of the run: ${JSON.stringify(r)}`);
  return r;
}

const root = resolve(__dirname, '../../..');

async function load(rel: string, options = {}): Promise<DebugEngine> {
  const e = new DebugEngine(defaultEngineDeps, new MemoryFileHost({ [rel]: readFileSync(resolve(root, rel), 'utf8') }));
  const r = await e.load(rel, options);
  assert.ok(r.ok, !r.ok ? r.message : '');
  return e;
}

/** Everything a user can see at a stop: snapshot (minus the event log's step stamps), locals, location. */
function observe(e: DebugEngine): string {
  const s = e.snapshot();
  const locals = e.machine.locals(0).map((v) => `${v.name}=${v.value}`);
  return JSON.stringify({ s: { ...s, events: s.events.length }, locals, loc: e.machine.location() });
}

describe('time travel on driver C', function () {
  this.timeout(60000);

  it('every stop of the probe-and-lock sample looks the same when reached again by goto step', async () => {
    const e = await load('samples/01-probe-and-lock/scenario.c', { checkpointInterval: 4, stopOnEntry: true });
    const seen = new Map<number, string>();
    let r = await e.start();
    // Step through the run statement by statement up to the last LabExpect, recording each stop.
    while (isStop(r) && e.machine.location()?.line !== 64) {
      seen.set(e.machine.steps, observe(e));
      r = await e.stepIn();
    }
    assert.ok(isStop(r));
    assert.ok(seen.size >= 20, `${seen.size} stops`);
    const order = [...seen.keys()];
    // Visit them again out of order: backwards, then a shuffle.
    for (const step of [...order].reverse().concat(order.filter((_, i) => i % 3 === 0), order.filter((_, i) => i % 2 === 1))) {
      await e.gotoStep(step);
      assert.equal(observe(e), seen.get(step), `state at step ${step}`);
    }
  });

  it('going back to a stop before MmProbeAndLockPages shows the MDL unlocked, and forward again locked', async () => {
    const file = 'samples/01-probe-and-lock/scenario.c';
    const e = await load(file, { checkpointInterval: 4 });
    e.breakpoints.setLineBreakpoints(file, [{ line: 20 }], e.loadedProgram);
    const first = await e.start();
    assert.ok(isStop(first) && first.reason === 'breakpoint');
    const before = observe(e);
    const beforeStep = e.machine.steps;
    assert.deepEqual(e.snapshot().mdls[0].flagNames, ['MDL_ALLOCATED_FIXED_SIZE']);
    e.breakpoints.setLineBreakpoints(file, [], e.loadedProgram);
    const lab = await e.continue();
    assert.ok(isStop(lab) && lab.kind === 'LabBreak');
    const locked = observe(e);
    const lockedStep = e.machine.steps;
    assert.ok(e.snapshot().mdls[0].flagNames.includes('MDL_PAGES_LOCKED'));
    await e.gotoStep(beforeStep);
    assert.equal(observe(e), before, 'back before the lock: same state as the first time');
    await e.gotoStep(lockedStep);
    assert.equal(observe(e), locked, 'forward to the LabBreak again: same state');
    await e.gotoStep(1);
    await e.gotoStep(lockedStep);
    assert.equal(observe(e), locked);
  });

  it('reverse continue finds the latest hit of a conditional breakpoint in a loop', async () => {
    const file = 'test/fixtures/scenarios/counting.c';
    const e = await load(file, { checkpointInterval: 16 });
    e.breakpoints.setLineBreakpoints(file, [{ line: 13 }], e.loadedProgram);
    const s = await e.start();
    assert.ok(isStop(s) && s.reason === 'breakpoint');
    e.breakpoints.setLineBreakpoints(file, [{ line: 11, condition: 'i == 17' }], e.loadedProgram);
    const back = stopped(await e.reverseContinue());
    assert.equal(back.reason, 'breakpoint');
    assert.equal(e.machine.location()?.line, 11);
    assert.equal(e.machine.evaluate('i').raw, 17);
    assert.equal(e.machine.evaluate('g_sum').raw, (17 * 16) / 2);
  });

  it('a bug check can be stepped back from, and running forward meets it again', async () => {
    const file = 'test/fixtures/scenarios/unlock-twice.c';
    const e = await load(file, { checkpointInterval: 4 });
    const s = await e.start();
    assert.ok(isStop(s) && s.kind === 'bugcheck');
    assert.equal(e.snapshot().bugcheck?.code, 0xc4);
    await e.stepBack();
    assert.equal(e.snapshot().bugcheck, null, 'before the second unlock nothing has bug-checked');
    const again = await e.continue();
    assert.ok(isStop(again) && again.kind === 'bugcheck' && again.bugcheck?.params[0] === 0x7c);
  });

  it('reverse continue with a data breakpoint on mdl->MdlFlags walks back through each change: mapped, then locked', async () => {
    const file = 'samples/01-probe-and-lock/scenario.c';
    const e = await load(file, { checkpointInterval: 4 });
    assert.ok(isStop(await e.start()));
    const second = await e.continue();
    assert.ok(isStop(second) && second.kind === 'LabBreak');
    const flags = Number(e.machine.evaluate('&mdl->MdlFlags').raw);
    e.breakpoints.setDataBreakpoints([{ address: flags, size: 2, label: 'mdl->MdlFlags' }], e.kernel);
    const mapped = stopped(await e.reverseContinue());
    assert.equal(mapped.reason, 'data breakpoint');
    assert.equal(mapped.location?.line, 30, 'the statement after MmGetSystemAddressForMdlSafe');
    assert.ok(e.snapshot().mdls[0].flagNames.includes('MDL_MAPPED_TO_SYSTEM_VA'));
    const locked = stopped(await e.reverseContinue());
    assert.equal(locked.reason, 'data breakpoint');
    assert.ok(locked.location !== null && locked.location.line > 20 && locked.location.line <= 25, `after MmProbeAndLockPages (line ${locked.location?.line})`);
    const names = e.snapshot().mdls[0].flagNames;
    assert.ok(names.includes('MDL_PAGES_LOCKED') && !names.includes('MDL_MAPPED_TO_SYSTEM_VA'), names.join(' | '));
  });

  it('reverse continue with a function breakpoint on MmProbeAndLockPages stops just before the call, nt!MmProbeAndLockPages as frame 0', async () => {
    const file = 'samples/01-probe-and-lock/scenario.c';
    const e = await load(file, { checkpointInterval: 4 });
    const first = await e.start();
    assert.ok(isStop(first) && first.kind === 'LabBreak');
    e.breakpoints.setFunctionBreakpoints([{ name: 'MmProbeAndLockPages' }], () => true);
    const back = stopped(await e.reverseContinue());
    assert.equal(back.reason, 'function breakpoint');
    const frames = e.frames();
    assert.equal(frames[0].function, 'nt!MmProbeAndLockPages');
    assert.equal(frames[1].location?.line, 20);
    assert.deepEqual(e.snapshot().mdls[0].flagNames, ['MDL_ALLOCATED_FIXED_SIZE'], 'the pages are not locked yet');
    const on = await e.continue();
    assert.ok(isStop(on) && on.kind === 'LabBreak' && on.location?.line === first.location?.line, 'continuing performs the call and meets the same LabBreak');
    assert.ok(e.snapshot().mdls[0].flagNames.includes('MDL_PAGES_LOCKED'));
  });
});
