// A statement interrupted by a page fault that driver code must resolve runs again from its start
// (the fault cannot be resumed in the middle of an expression). What it had done by then is kept
// here and put back first, so that it still runs once: the frame's slots, and through the memory's
// write journal every byte it wrote.
import type { GuestMemory } from '../emulator/contract';
import type { Frame } from './codegen';

export class InstructionUndo {
  private frame: Frame | null = null;
  private readonly slots: unknown[] = [];

  constructor(private readonly memory: GuestMemory) {}

  /** The statement at f.pc is about to run. */
  keep(f: Frame): void {
    const s = f.s, kept = this.slots;
    kept.length = s.length;
    for (let i = 0; i < s.length; i++) kept[i] = s[i];
    this.frame = f;
    this.memory.beginJournal?.();
  }

  /** It was interrupted: put back its frame's slots and the memory it wrote. */
  undo(): void {
    const f = this.frame;
    if (f === null) return;
    const kept = this.slots;
    for (let i = 0; i < kept.length; i++) f.s[i] = kept[i] as never;
    this.memory.undoJournal?.();
    this.frame = null;
  }
}
