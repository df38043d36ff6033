// The snapshot at a stop: the memory manager's state plus where the scenario is. The one contract
// the webview panels, the CLI's `snapshot` command and the debugger's custom events share.
import type { MmSnapshot } from '../emulator/snapshotTypes';
export type * from '../emulator/snapshotTypes';

export interface SnapshotLocation {
  file: string;
  line: number;
  function: string;
}

export interface Snapshot extends MmSnapshot {
  version: 1;
  location: SnapshotLocation | null;
  /** The interpreter's statement counter at this stop (time travel position). */
  step: number;
}
