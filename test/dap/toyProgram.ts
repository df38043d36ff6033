// The toy program the protocol tests drive: a loop calling Add, a DbgPrint, a LabBreak, then an infinite loop when asked.
import type { ToyProgram } from '../unit/engine/doubles';

export const LOOP_PROGRAM: ToyProgram = {
  LabMain: [
    { line: 10, op: { set: 'i', to: () => 0 } },
    { line: 11, op: { set: 'total', to: () => 0 } },
    { line: 12, op: { call: 'Add' } },
    { line: 13, op: { set: 'i', to: (v) => v.i + 1 } },
    { line: 14, op: { jumpTo: 2, when: (v) => v.i < 5 } },
    { line: 15, op: { native: 'DbgPrint', args: (v) => [v.i] } },
    { line: 16, op: { native: 'LabBreak' } },
    { line: 17, op: { jumpTo: 7, when: (v) => v.i === 99 } },
    { line: 18, op: { native: 'KeBugCheckEx', args: () => [0xc4] } },
  ],
  Add: [
    { line: 20, op: { set: 'x', to: () => 1 } },
    { line: 21, op: { poke: 0x100, value: () => 7 } },
    { line: 22, op: { ret: true } },
  ],
};
