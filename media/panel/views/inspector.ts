// The MDL inspector: the selected MDL as `dt nt!_MDL` shows it (offset, field, type, value) with a
// note on what each value means now, MdlFlags as named chips, and the PFN array as a virtualised
// table; everything that changed since the previous stop is highlighted.
import type { MdlView } from '../../../src/engine/snapshot';
import { afterNextPaint, h, icon } from '../dom';
import { decodeMdlFlags } from '../flags';
import { addr64, addrHex, bytes, hex, isNullAddr, pageVa, pfnText, physAddr } from '../format';
import type { MdlDiffField } from '../model';
import { VirtualList } from '../virtualList';
import type { PanelContext } from './context';
import { renderMdlList } from './mdlList';

const ROW_HEIGHT = 20;

interface FieldRow {
  offset: number;
  name: string;
  type: string;
  key: MdlDiffField | null;
  value: string;
  note: string;
  warn?: boolean;
  /** A live MDL this pointer names: the value becomes a link that selects it. */
  link?: string;
}

function fieldRows(ctx: PanelContext, m: MdlView): FieldRow[] {
  const mapped = (m.flags & 0x1) !== 0 || (m.flags & 0x4) !== 0;
  const locked = (m.flags & 0x2) !== 0;
  const expectedSize = 0x30 + 8 * m.pageCount;
  const nextMdl = isNullAddr(m.next) ? null : ctx.model.mdl(m.next);
  return [
    { offset: 0x00, name: 'Next', type: 'Ptr64 _MDL', key: 'next', value: addr64(m.next),
      note: isNullAddr(m.next) ? 'end of chain' : nextMdl ? `next MDL in the chain (${nextMdl.origin})` : 'not a live MDL', warn: !isNullAddr(m.next) && !nextMdl,
      link: nextMdl?.address },
    { offset: 0x08, name: 'Size', type: 'Int2B', key: 'size', value: hex(m.size),
      note: (expectedSize & 0xffff) === (m.size & 0xffff) ? `0x30 header + ${m.pageCount} × 8` : `expected ${hex(expectedSize)} for ${m.pageCount} pages`,
      warn: (expectedSize & 0xffff) !== (m.size & 0xffff) },
    { offset: 0x0a, name: 'MdlFlags', type: 'Int2B', key: 'flags', value: hex(m.flags), note: m.flagNames.join(' | ') || 'none' },
    { offset: 0x10, name: 'Process', type: 'Ptr64 _EPROCESS', key: 'process', value: addr64(m.process),
      note: isNullAddr(m.process) ? 'kernel range (no owning process)' : m.processName ? `${m.processName}${locked ? ' (owns the locked user range)' : ''}` : 'not a known process: stale from an earlier use of this memory',
      warn: !isNullAddr(m.process) && !m.processName },
    { offset: 0x18, name: 'MappedSystemVa', type: 'Ptr64 Void', key: 'mappedSystemVa', value: addr64(m.mappedSystemVa),
      note: mapped ? (m.flags & 0x4 ? 'nonpaged pool address of the buffer' : 'system mapping of the buffer (includes ByteOffset)') : 'meaningless: not mapped to system VA',
      warn: !mapped && !isNullAddr(m.mappedSystemVa) },
    { offset: 0x20, name: 'StartVa', type: 'Ptr64 Void', key: 'startVa', value: addr64(m.startVa),
      note: `page-aligned; MmGetMdlVirtualAddress = ${addr64(addrHex(BigInt(m.startVa) + BigInt(m.byteOffset >>> 0)))}` },
    { offset: 0x28, name: 'ByteCount', type: 'Uint4B', key: 'byteCount', value: hex(m.byteCount), note: bytes(m.byteCount) },
    { offset: 0x2c, name: 'ByteOffset', type: 'Uint4B', key: 'byteOffset', value: hex(m.byteOffset), note: 'offset of the buffer in the first page' },
    { offset: 0x30, name: 'PfnArray', type: `[${m.pageCount}] Uint8B`, key: null, value: `${m.pfns.length} entries`,
      note: locked || m.flags & 0x4 ? 'valid while locked / built' : 'not valid: the MDL is not locked', warn: m.pfns.length !== m.pageCount },
  ];
}

function renderFields(ctx: PanelContext, m: MdlView): HTMLElement {
  const change = ctx.model.change(m);
  const table = h('table', { class: 'fields', 'aria-label': `Fields of MDL ${m.address}` },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Offset'), h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col', class: 'col-type' }, 'Type'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Meaning'))));
  const body = h('tbody');
  for (const r of fieldRows(ctx, m)) {
    const changed = r.key !== null && change.fields.has(r.key);
    body.append(h('tr', { class: `${changed ? 'changed' : ''}${r.warn ? ' warn' : ''}`, 'data-field': r.name },
      h('td', { class: 'mono dim' }, `+0x${r.offset.toString(16).padStart(3, '0')}`),
      h('td', { class: 'mono field-name' }, r.name),
      h('td', { class: 'mono dim col-type' }, r.type),
      h('td', { class: 'mono value' },
        r.link ? h('button', { class: 'link mono', title: 'Select this MDL', onclick: () => ctx.select(r.link!) }, r.value) : r.value,
        changed ? h('span', { class: 'sr-only' }, ' (changed since the previous stop)') : null),
      h('td', { class: 'note' }, r.note)));
  }
  table.append(body);
  return table;
}

function renderFlags(m: MdlView): HTMLElement {
  const { known, unknownBits } = decodeMdlFlags(m.flags);
  const list = h('ul', { class: 'flags', 'aria-label': `MdlFlags ${hex(m.flags)}` });
  for (const f of known) {
    list.append(h('li', { class: 'flag', 'data-flag': f.name },
      h('span', { class: 'chip mono', title: `${hex(f.bit)} ${f.name}` }, f.icon ? icon(f.icon) : null, f.name), h('span', { class: 'flag-bit mono dim' }, hex(f.bit).padStart(6)), h('span', { class: 'flag-meaning' }, f.meaning)));
  }
  if (unknownBits) list.append(h('li', { class: 'flag warn' }, h('span', { class: 'chip mono' }, `bits ${hex(unknownBits)}`), h('span', { class: 'flag-meaning' }, 'Not an MDL_* flag.')));
  if (!known.length && !unknownBits) list.append(h('li', { class: 'flag dim' }, 'No flags set: described but neither locked, built nor mapped.'));
  return list;
}

/** One PFN slot as a table row: slot, VA, PFN, physical address, frame state, counts, marks. */
function pfnRow(ctx: PanelContext, m: MdlView, i: number): HTMLElement {
  const pfn = m.pfns[i];
  const f = ctx.model.frame(pfn);
  const dummy = ctx.model.isDummy(pfn);
  const stale = ctx.model.slotMatches(m, i) === false;
  const shared = !dummy && ctx.model.isShared(pfn);
  const changed = ctx.model.slotChanged(m, i);
  const marks: HTMLElement[] = [];
  if (dummy) marks.push(h('span', { class: 'mark mark-dummy', title: 'The system-wide dummy page: stands for a page whose read was discarded' }, 'dummy'));
  if (stale) marks.push(h('span', { class: 'mark mark-stale', title: 'The page tables no longer map this VA to this frame' }, 'stale'));
  if (shared) marks.push(h('span', { class: 'mark mark-shared', title: 'Mapped or named more than once' }, 'shared'));
  if (changed) marks.push(h('span', { class: 'mark mark-changed' }, 'changed'));
  const userVa = isNullAddr(m.startVa) ? '—' : addr64(pageVa(m.startVa, i));
  return h('div', { class: `pfn-row${stale ? ' stale' : ''}${dummy ? ' dummy' : ''}${changed ? ' changed' : ''}`, 'aria-label': `slot ${i} PFN ${pfnText(pfn)}${dummy ? ' dummy page' : ''}${stale ? ' stale' : ''}` },
    h('span', { role: 'gridcell', class: 'c-slot mono dim' }, `[${i}]`),
    h('span', { role: 'gridcell', class: 'c-va mono' }, userVa),
    h('span', { role: 'gridcell', class: 'c-pfn mono' }, pfnText(pfn)),
    h('span', { role: 'gridcell', class: 'c-phys mono dim' }, physAddr(pfn)),
    h('span', { role: 'gridcell', class: `c-state state-${f ? f.state : 'unknown'}` }, f ? f.state : '?'),
    h('span', { role: 'gridcell', class: 'c-counts mono dim' }, f ? `${f.shareCount}/${f.referenceCount}/${f.lockCount}` : ''),
    h('span', { role: 'gridcell', class: 'c-marks' }, ...marks));
}

function renderPfns(ctx: PanelContext, m: MdlView): { element: HTMLElement; list: VirtualList } {
  const stale = ctx.model.staleCount(m);
  const list = new VirtualList({
    count: m.pfns.length, rowHeight: ROW_HEIGHT, visibleRows: 16, label: `PFN array of MDL ${m.address}, ${m.pfns.length} entries`,
    renderRow: (i) => pfnRow(ctx, m, i),
  });
  list.element.dataset.focus = 'pfn-list';
  const header = h('div', { class: 'pfn-row pfn-head', role: 'presentation' },
    ...['Slot', 'Virtual page', 'PFN', 'Physical', 'State', 'Sh/Ref/Lock', ''].map((t, k) => h('span', { class: ['c-slot', 'c-va', 'c-pfn', 'c-phys', 'c-state', 'c-counts', 'c-marks'][k] }, t)));
  const element = h('section', { class: 'pfns', 'aria-label': 'PFN array' },
    h('h3', null, `PFN array · ${m.pfns.length} ${m.pfns.length === 1 ? 'entry' : 'entries'}`, stale ? h('span', { class: 'mark mark-stale' }, `${stale} stale`) : null),
    header, list.element);
  return { element, list };
}

export function renderInspector(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const m = ctx.selectedMdl();
  const detail = h('div', { class: 'detail' });
  let list: VirtualList | null = null;
  if (m) {
    const change = ctx.model.change(m);
    const owner = m.irp ? ` · IRP ${addr64(m.irp)}` : '';
    const parent = m.parent ? h('button', { class: 'link mono', onclick: () => ctx.select(m.parent) }, `parent ${addr64(m.parent)}`) : null;
    const pf = renderPfns(ctx, m);
    list = pf.list;
    detail.append(
      h('h2', { class: 'mdl-title' }, h('span', { class: 'mono' }, `MDL ${addr64(m.address)}`), h('span', { class: 'dim' }, ` ${m.origin}${owner} `), parent,
        change.isNew ? h('span', { class: 'badge badge-new' }, 'new since the previous stop') : null),
      renderFields(ctx, m),
      h('h3', null, `MdlFlags ${hex(m.flags)}`),
      renderFlags(m),
      pf.element);
  } else {
    detail.append(h('div', { class: 'empty' }, ctx.model.snap.mdls.length ? 'Select an MDL.' : 'No MDL is live at this stop. Step past IoAllocateMdl to see one.'));
  }
  const element = h('div', { class: 'split' }, renderMdlList(ctx), detail);
  const model = ctx.model;
  return {
    element,
    afterMount: () => {
      list?.render();
      // For a huge MDL the shared-frame marks need a pass over every slot: draw first, mark next
      // (after the frame that shows the list: a timeout alone would run before that frame).
      if (list && !model.sharedReady) {
        const l = list;
        afterNextPaint(() => {
          model.prepareShared();
          if (l.element.isConnected) l.refresh();
        });
      }
    },
  };
}
