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
  render(ctx: PanelContext): { element: HTMLElement; afterMount?(): void };
}

export const VIEWS: Record<ViewId, ViewDef> = {
  inspector: { title: 'MDL', render: renderInspector },
  mapping: { title: 'Mapping', render: renderMapping },
  chains: { title: 'Chains', render: renderChains },
  physical: { title: 'Physical memory', render: renderPhysical },
  addressSpace: { title: 'Address space', render: renderAddressSpace },
  timeline: { title: 'Timeline', render: renderTimeline },
};
