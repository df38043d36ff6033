// The routine table: every emulated routine with its WDK prototype and docs, registered on a kernel.
import type { Kernel } from '../kernel';
import { registerMdlRoutines } from './mdlRoutines';
import { registerMemRoutines } from './memRoutines';
import { registerKeRoutines } from './keRoutines';
import { registerHarness } from './harness';
import { registerIoRoutines } from '../io/routines';

export function registerAllRoutines(k: Kernel): void {
  registerMdlRoutines(k);
  registerMemRoutines(k);
  registerKeRoutines(k);
  registerHarness(k);
  registerIoRoutines(k);
}
