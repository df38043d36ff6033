// A sparse stop check (the debugger's check for a run with no breakpoint and no step: pause
// requests and Driver Verifier reports) is asked only where it can say yes: at the first statement
// of a run slice and at the first statement after an emulated routine returned or an exception was
// dispatched. The statement clock and the results stay those of a check asked at every statement.
import assert from 'node:assert/strict';
import type { CMachine } from '../../../src/lang/index';
import type { RunOutcome, StopCheck } from '../../../src/lang/contract';
import { generatedMachine } from './helpers/generatedMachine';
import { PRELUDE } from './helpers/runC';

const LOOP = `
ULONG table[16];
ULONG mix(ULONG a, ULONG b) { return (a ^ b) * 31 + 7; }
VOID LabMain(VOID) {
  ULONG acc = 0; ULONG i;
  for (i = 0; i < 400; i++) {
    table[i & 15] += i;
    acc = mix(acc, table[(i * 7) & 15]);
  }
  DbgPrint("%u\\n", acc);
  acc = (ULONG)(ULONG_PTR)ExAllocatePoolWithTag(NonPagedPoolNx, 0x40, 'tseT') + 1;
  table[0] = acc;
  table[1] = 2;
}`;

/** A sparse check that records where it was asked, and says yes where `yes` does. */
function sparse(m: CMachine, asked: string[], yes: (line: number) => boolean = () => false): StopCheck {
  return Object.assign((mm: CMachine) => {
    const line = mm.location()!.line;
    asked.push(`${line}@${mm.steps}`);
    return yes(line);
  }, { sparse: true }) as unknown as StopCheck;
}

function finish(m: CMachine, slice: number, check?: StopCheck): RunOutcome {
  let o: RunOutcome;
  do o = m.run(slice, check); while (o.kind === 'budget');
  return o;
}

/** The line of `text` in the compiled file (the test prelude comes first). */
const lineOf = (src: string, text: string): number => (PRELUDE + src).split('\n').findIndex((l) => l.includes(text)) + 1;

describe('sparse stop checks', () => {
  for (const generated of [true, false]) {
    const form = generated ? 'generated' : 'closure';
    it(`(${form} form) are asked at the start of each slice and after each routine, and the run's results and clock are those of an every-statement check`, () => {
      const a = generatedMachine(LOOP, generated);
      const asked: string[] = [];
      const oa = finish(a.m, 1000, sparse(a.m, asked));
      const b = generatedMachine(LOOP, generated);
      let every = 0;
      const ob = finish(b.m, 1000, (() => { every++; return false; }) as StopCheck);
      assert.equal(oa.kind, 'exited');
      assert.deepEqual(oa, ob);
      assert.deepEqual(a.out, b.out);
      assert.equal(a.m.steps, b.m.steps);
      // every statement was asked about by the plain check, a handful by the sparse one
      assert.equal(every, b.m.steps);
      // (the closure form has no generated code to skip the check in: it asks at every statement)
      if (generated) assert.ok(asked.length < 20, `asked ${asked.length} times: ${asked.slice(0, 40).join(' ')}`);
      // the first statement of each 1000-statement slice
      for (let s = 1000; s < a.m.steps; s += 1000) assert.ok(asked.some((x) => x.endsWith(`@${s}`)), `not asked at the slice starting at ${s}: ${asked.slice(0, 40).join(' ')}`);
      // the statement after DbgPrint and the one after ExAllocatePoolWithTag
      assert.ok(asked.some((x) => x.startsWith(`${lineOf(LOOP, 'acc = (ULONG)')}@`)), asked.slice(0, 40).join(' '));
      assert.ok(asked.some((x) => x.startsWith(`${lineOf(LOOP, 'table[0] = acc')}@`)), asked.slice(0, 40).join(' '));
    });

    it(`(${form} form) stopping at the statement after a routine leaves the machine there, and it resumes to the same end`, () => {
      const target = lineOf(LOOP, 'table[0] = acc');
      const a = generatedMachine(LOOP, generated);
      const asked: string[] = [];
      const o = a.m.run(1_000_000, sparse(a.m, asked, (line) => line === target));
      assert.equal(o.kind, 'stopped');
      assert.equal(a.m.location()!.line, target);
      const stoppedAt = a.m.steps;
      const end = finish(a.m, 1_000_000);
      const b = generatedMachine(LOOP, generated);
      const endB = finish(b.m, 1_000_000);
      assert.deepEqual(end, endB);
      assert.equal(a.m.steps, b.m.steps);
      assert.ok(stoppedAt < a.m.steps);
    });
  }
});
