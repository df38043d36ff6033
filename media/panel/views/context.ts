// What every view gets from the panel: the current model, the saved state and a few actions.
import type { MdlView } from '../../../src/engine/snapshot';
import type { Model } from '../model';
import type { PageTablesQuery, PanelState, PhysicalMap, ViewId, WebviewMessage } from '../protocol';
import type { PageTableWalk } from '../../../src/engine/pageTableQuery';

export interface PanelContext {
  model: Model;
  state: PanelState;
  physicalMap: PhysicalMap | null;
  selectedMdl(): MdlView | undefined;
  /** Select an MDL (null clears); with `view`, also switch to that view. */
  select(address: string | null, view?: ViewId): void;
  setProcessFilter(process: string | null): void;
  /** The latest page-table answer (for whichever query it was), or null. */
  pageTables: { query: PageTablesQuery; walk?: PageTableWalk; error?: string } | null;
  /** Ask the host to walk this range; repeated calls with the same query send nothing. */
  requestPageTables(query: PageTablesQuery): void;
  /** The address space view's range text (null: follow the selected MDL); re-renders. */
  setVaRange(text: string | null): void;
  post(message: WebviewMessage): void;
}
