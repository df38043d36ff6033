// Time travel as the engine does it: the kernel's checkpoint plus the machine's saveState taken at
// any statement, restored later, replay exactly the same run (output, steps, outcome).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { driverC } from '../../src/lang/index';
import { makeKernel } from './harness';

const SAMPLE = join(__dirname, '..', '..', 'samples', '01-probe-and-lock', 'scenario.c');

describe('checkpoint and replay with the emulator', () => {
  it('restoring at any of several statements of the probe-and-lock sample replays the same output and end', () => {
    const files: Record<string, string> = { 'scenario.c': readFileSync(SAMPLE, 'utf8') };
    const r = driverC.compile('scenario.c', { readFile: (p) => files[p], resolveInclude: () => undefined });
    assert.ok(r.program);
    const k = makeKernel() as ReturnType<typeof makeKernel> & { checkpoint(): unknown; restore(c: unknown): void };
    const m = driverC.createMachine(r.program!, k);
    const points: { step: number; kc: unknown; mc: unknown; out: number }[] = [];
    let o;
    for (;;) {
      points.push({ step: m.steps, kc: k.checkpoint(), mc: m.saveState(), out: k.out.length });
      o = m.run(3);
      if (o.kind !== 'budget' && o.kind !== 'break') break;
    }
    assert.equal(o.kind, 'exited');
    const fullOut = k.out.slice();
    const endSteps = m.steps;
    for (const p of [points[1], points[Math.floor(points.length / 2)], points[points.length - 2]]) {
      k.restore(p.kc);
      m.restoreState(p.mc);
      k.out.length = p.out;
      assert.equal(m.steps, p.step);
      let o2;
      do o2 = m.run(1000); while (o2.kind === 'budget' || o2.kind === 'break');
      assert.equal(o2.kind, 'exited');
      assert.equal(m.steps, endSteps);
      assert.deepEqual(k.out, fullOut);
    }
  });
});
