// The address space view: one process's pages (or system space) as its page tables describe them
// at this stop — valid, valid and locked, transition, or not resident — for every page that an MDL
// describes or a known frame maps, in VA order with gaps marked.
import type { Snapshot } from '../../../src/engine/snapshot';
import { h } from '../dom';
import { addr64, pageVa, pfnText } from '../format';
import type { Model } from '../model';
import { VirtualList } from '../virtualList';
import type { PanelContext } from './context';

type PteState = 'valid' | 'locked' | 'transition' | 'not resident';

interface PageRow {
  key: string; // 16-digit VA, sortable
  va: string;
  pfn: number | null;
  pte: PteState;
  mdls: string[];
  gapBefore: number;
}

function pad(va: string): string {
  return va.replace(/^0x/i, '').toLowerCase().padStart(16, '0');
}

/** `process` null = system space. */
function collect(model: Model, process: string | null): PageRow[] {
  const snap: Snapshot = model.snap;
  const byVa = new Map<string, PageRow>();
  const wantKind = process === null ? 'system' : 'user';
  for (const f of snap.frames) {
    for (const mp of f.mappedBy) {
      if (mp.kind !== wantKind || (process !== null && mp.process !== process)) continue;
      const key = pad(mp.va);
      const pte: PteState = !mp.valid ? 'transition' : f.lockCount > 0 ? 'locked' : 'valid';
      byVa.set(key, { key, va: mp.va, pfn: f.pfn, pte, mdls: [], gapBefore: 0 });
    }
  }
  for (const m of snap.mdls) {
    const userRange = BigInt(m.startVa) !== 0n && BigInt(m.startVa) < 0x800000000000n;
    if (process === null ? userRange || BigInt(m.startVa) === 0n : !userRange || m.processName !== process) continue;
    for (let i = 0; i < m.pfns.length; i++) {
      const va = pageVa(m.startVa, i);
      const key = pad(va);
      let row = byVa.get(key);
      if (!row) {
        // Described by an MDL but mapped by no frame we know: the PTE no longer names a resident frame.
        row = { key, va, pfn: null, pte: 'not resident', mdls: [], gapBefore: 0 };
        byVa.set(key, row);
      }
      row.mdls.push(m.address);
    }
  }
  const rows = [...byVa.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 1; i < rows.length; i++) {
    const gap = Number((BigInt(rows[i].va) - BigInt(rows[i - 1].va)) / 0x1000n) - 1;
    rows[i].gapBefore = gap > 0 ? gap : 0;
  }
  return rows;
}

export function renderAddressSpace(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const snap = ctx.model.snap;
  const names = snap.processes.map((p) => p.name);
  const chosen = ctx.state.processFilter === '' ? null : ctx.state.processFilter && names.includes(ctx.state.processFilter) ? ctx.state.processFilter : snap.process ?? names[0] ?? null;
  const rows = collect(ctx.model, chosen);
  const counts: Record<PteState, number> = { valid: 0, locked: 0, transition: 0, 'not resident': 0 };
  for (const r of rows) counts[r.pte]++;

  const select = h('select', { 'aria-label': 'Process whose page tables to show', onchange: (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    ctx.setProcessFilter(v === '\u0000system' ? '' : v);
  } });
  for (const p of snap.processes) select.append(h('option', { value: p.name, selected: p.name === chosen }, `${p.name} (pid ${p.pid}${p.alive ? '' : ', exited'})`));
  select.append(h('option', { value: '\u0000system', selected: chosen === null }, 'System space'));
  const proc = snap.processes.find((p) => p.name === chosen);

  const list = new VirtualList({
    count: rows.length, rowHeight: 20, visibleRows: 24, label: `Pages of ${chosen ?? 'system space'}`,
    renderRow: (i) => {
      const r = rows[i];
      const f = r.pfn !== null ? ctx.model.frame(r.pfn) : undefined;
      return h('div', { class: `as-row as-${r.pte.replace(' ', '-')}${r.gapBefore ? ' gap' : ''}`, title: r.gapBefore ? `${r.gapBefore} unlisted page(s) before this one` : '' },
        h('span', { role: 'gridcell', class: 'c-va mono' }, addr64(r.va)),
        h('span', { role: 'gridcell', class: 'c-pte' }, h('span', { class: `pte pte-${r.pte.replace(' ', '-')}` }, r.pte)),
        h('span', { role: 'gridcell', class: 'c-pfn mono' }, r.pfn === null ? '—' : pfnText(r.pfn)),
        h('span', { role: 'gridcell', class: `c-state state-${f?.state ?? 'unknown'}` }, f?.state ?? ''),
        h('span', { role: 'gridcell', class: 'c-counts mono dim' }, f ? `lock ${f.lockCount}` : ''),
        h('span', { role: 'gridcell', class: 'c-mdls mono dim' }, r.mdls.map(addr64).join(' ')));
    },
    activate: (i) => {
      const m = rows[i].mdls[0];
      if (m) ctx.select(m, 'inspector');
    },
  });
  list.element.dataset.focus = 'as-list';
  const header = h('div', { class: 'as-row pfn-head', role: 'presentation' },
    ...['Virtual page', 'PTE', 'PFN', 'Frame', 'Locks', 'Described by MDL'].map((t, k) => h('span', { class: ['c-va', 'c-pte', 'c-pfn', 'c-state', 'c-counts', 'c-mdls'][k] }, t)));
  const element = h('div', { class: 'as' },
    h('div', { class: 'toolbar' }, h('label', null, 'Page tables of ', select),
      proc ? h('span', { class: 'dim mono' }, `working set ${proc.workingSetPages} · locked ${proc.lockedPages} · committed ${proc.committedPages} pages`) : null),
    h('ul', { class: 'pte-legend' }, ...(Object.keys(counts) as PteState[]).map((k) => h('li', null, h('span', { class: `pte pte-${k.replace(' ', '-')}` }, k), h('span', { class: 'mono count' }, String(counts[k]))))),
    rows.length ? h('div', null, header, list.element) : h('div', { class: 'empty' }, 'No page of this address space is described by an MDL or mapped by a frame that an MDL names.'),
    h('div', { class: 'dim footnote' }, 'Pages listed: those that MDLs describe and those that map frames MDLs name. Enter opens the MDL that describes a page.'));
  return { element, afterMount: () => list.render() };
}
