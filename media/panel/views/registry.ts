// The panel's views by id, with the title their tab shows.
import type { ViewId } from '../protocol';
import { renderAddressSpace } from './addressSpace';
import { renderChains } from './chains';
import type { PanelContext } from './context';
import { renderInspector } from './inspector';
import { renderMapping } from './mapping';
import { renderPhysical } from './physical';
import { renderTimeline } from './timeline';

export interface ViewDef {
  title: string;
  /** The codicon beside the tab's title. */
  icon: string;
  render(ctx: PanelContext): { element: HTMLElement; afterMount?(): void };
}

export const VIEWS: Record<ViewId, ViewDef> = {
  inspector: { title: 'MDL', icon: 'symbol-structure', render: renderInspector },
  mapping: { title: 'Mapping', icon: 'arrow-swap', render: renderMapping },
  chains: { title: 'Chains', icon: 'link', render: renderChains },
  physical: { title: 'Physical memory', icon: 'circuit-board', render: renderPhysical },
  addressSpace: { title: 'Address space', icon: 'list-tree', render: renderAddressSpace },
  timeline: { title: 'Timeline', icon: 'history', render: renderTimeline },
};
