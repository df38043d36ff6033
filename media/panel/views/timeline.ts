// The timeline: the memory manager's events so far with their C line; clicking one (or Enter)
// asks the debugger to travel to that statement.
import type { MmEvent } from '../../../src/engine/snapshot';
import { h } from '../dom';
import { addr64 } from '../format';
import { VirtualList } from '../virtualList';
import type { PanelContext } from './context';

let onlySelected = false;

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}

export function renderTimeline(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const snap = ctx.model.snap;
  const sel = ctx.state.selectedMdl;
  const events: MmEvent[] = onlySelected && sel ? snap.events.filter((e) => e.mdl?.toLowerCase() === sel) : snap.events;
  const go = (i: number) => {
    const e = events[i];
    if (e && e.step !== null) ctx.post({ type: 'gotoStep', step: e.step });
  };
  const list = new VirtualList({
    count: events.length, rowHeight: 20, visibleRows: 28, label: `Memory manager events, ${events.length}`, initialIndex: events.length - 1,
    renderRow: (i) => {
      const e = events[i];
      const here = e.step !== null && e.step === snap.step;
      return h('div', { class: `ev-row ev-${e.kind}${here ? ' here' : ''}${e.step === null ? '' : ' can-go'}`, title: e.step === null ? 'no statement recorded' : `go to step ${e.step}` },
        h('span', { role: 'gridcell', class: 'c-seq mono dim' }, String(e.seq)),
        h('span', { role: 'gridcell', class: 'c-step mono dim' }, e.step === null ? '' : `@${e.step}`),
        h('span', { role: 'gridcell', class: 'c-kind' }, h('span', { class: `kind kind-${e.kind}` }, e.kind)),
        h('span', { role: 'gridcell', class: 'c-text' }, e.text),
        h('span', { role: 'gridcell', class: 'c-mdl mono dim' }, e.mdl ? addr64(e.mdl) : ''),
        h('span', { role: 'gridcell', class: 'c-loc mono dim' }, e.location ? `${baseName(e.location.file)}:${e.location.line}` : ''));
    },
    activate: go,
  });
  list.element.dataset.focus = 'timeline';
  const toggle = h('label', null, h('input', { type: 'checkbox', checked: onlySelected, disabled: !sel, onchange: (ev: Event) => {
    onlySelected = (ev.target as HTMLInputElement).checked;
    ctx.select(ctx.state.selectedMdl);
  } }), ' only the selected MDL');
  const element = h('div', { class: 'timeline' },
    h('div', { class: 'toolbar' }, h('span', { class: 'mono' }, `${events.length} event${events.length === 1 ? '' : 's'}`), toggle,
      h('span', { class: 'dim' }, 'Click an event or press Enter to travel to it.')),
    events.length ? list.element : h('div', { class: 'empty' }, 'No memory manager events yet.'));
  return { element, afterMount: () => { list.render(); list.scrollToIndex(events.length - 1); } };
}
