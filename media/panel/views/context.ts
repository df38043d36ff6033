// What every view gets from the panel: the current model, the saved state and a few actions.
import type { MdlView } from '../../../src/engine/snapshot';
import type { Model } from '../model';
import type { PanelState, PhysicalMap, ViewId, WebviewMessage } from '../protocol';

export interface PanelContext {
  model: Model;
  state: PanelState;
  physicalMap: PhysicalMap | null;
  selectedMdl(): MdlView | undefined;
  /** Select an MDL (null clears); with `view`, also switch to that view. */
  select(address: string | null, view?: ViewId): void;
  setProcessFilter(process: string | null): void;
  post(message: WebviewMessage): void;
}
