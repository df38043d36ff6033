// The address space view: a process's page tables over a VA range at this stop — valid,
// transition, paged out, demand zero, not committed; locked frames and the MDLs that describe
// each page — walked by the debugger on request (requestPageTables) and refreshed at every stop.
// The range follows the selected MDL until the user types one. Until the first answer arrives,
// the pages the snapshot itself knows (MDL pages and the frames they name) are listed.
import type { PageTableRow, PageTableWalk } from '../../../src/engine/pageTableQuery';
import { h, icon } from '../dom';
import { addr64, bytes, pageVa, pfnText } from '../format';
import type { Model } from '../model';
import type { PageTablesQuery } from '../protocol';
import { formatVaRange, parseVaRange, shiftVaRange, type VaRange } from '../vaRange';
import { VirtualList } from '../virtualList';
import type { PanelContext } from './context';
import { decodePte, STATE_HELP, STATE_LABELS, tablesByBlock } from './pteDecode';

const SYSTEM = '\u0000system';
const PAD_PAGES = 16;

/** The range to show when the user typed none: the selected (or first) MDL of that space, with a margin. */
function defaultRange(model: Model, process: string | null, selected: string | null): VaRange | null {
  const user = (va: string) => BigInt(va) !== 0n && BigInt(va) < 0x800000000000n;
  // In system space an MDL is seen at its own kernel range, or at its system mapping (MDL_MAPPED_TO_SYSTEM_VA).
  const systemVa = (m: (typeof model.snap.mdls)[number]) => (BigInt(m.startVa) !== 0n && !user(m.startVa) ? m.startVa : m.flags & 0x1 && BigInt(m.mappedSystemVa) !== 0n ? m.mappedSystemVa : null);
  const candidates = model.snap.mdls.filter((m) => (process === null ? systemVa(m) !== null : user(m.startVa) && m.processName === process));
  const m = candidates.find((x) => x.address === selected) ?? candidates[0];
  if (!m) return null;
  const first = BigInt(process === null ? systemVa(m)! : m.startVa) & ~0xfffn;
  const pad = BigInt(PAD_PAGES * 0x1000);
  const lo = process === null ? first - pad : first > pad ? first - pad : 0n;
  const pages = BigInt(m.pageCount) + BigInt(2 * PAD_PAGES);
  const top = process === null ? 1n << 64n : 1n << 47n;
  const len = lo + pages * 0x1000n > top ? top - lo : pages * 0x1000n;
  return { start: '0x' + lo.toString(16), length: Number(len) };
}

export function renderAddressSpace(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const snap = ctx.model.snap;
  const names = snap.processes.map((p) => p.name);
  const chosen = ctx.state.processFilter === '' ? null : ctx.state.processFilter && names.includes(ctx.state.processFilter) ? ctx.state.processFilter : snap.process ?? names[0] ?? null;
  const proc = snap.processes.find((p) => p.name === chosen);

  // The range: typed by the user, else around the selected MDL.
  const typed = ctx.state.vaRange ? parseVaRange(ctx.state.vaRange) : null;
  const range = typed?.ok ? typed.range : defaultRange(ctx.model, chosen, ctx.state.selectedMdl);
  const query: PageTablesQuery | null = range ? { step: snap.step, process: proc?.address ?? null, start: range.start, length: range.length } : null;
  if (query) ctx.requestPageTables(query);
  const answer = ctx.pageTables;
  const current = answer && query && sameQuery(answer.query, query) ? answer : null;

  const select = h('select', { 'aria-label': 'Process whose page tables to show', onchange: (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    ctx.setProcessFilter(v === SYSTEM ? '' : v);
  } });
  for (const p of snap.processes) select.append(h('option', { value: p.name, selected: p.name === chosen }, `${p.name} (pid ${p.pid}${p.alive ? '' : ', exited'})`));
  select.append(h('option', { value: SYSTEM, selected: chosen === null }, 'System space'));

  const input = h('input', {
    type: 'text', class: 'mono va-range', spellcheck: 'false', 'aria-label': 'Virtual address range: start +size, or start–end (hex)',
    placeholder: '0x1e0`00000000 +0x20000', value: ctx.state.vaRange ?? (range ? formatVaRange(range) : ''),
    'aria-invalid': typed && !typed.ok ? 'true' : 'false', 'aria-describedby': 'va-range-error', 'data-focus': 'va-range',
  });
  const walkTo = (text: string | null) => ctx.setVaRange(text);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      walkTo(input.value.trim() || null);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      walkTo(null);
    }
  });
  const button = (label: string, name: string, focus: string, onclick: () => void, disabled = false) =>
    h('button', { class: 'icon-button', 'aria-label': label, title: label, 'data-focus': focus, disabled, onclick }, icon(name));
  const toolbar = h('div', { class: 'toolbar' },
    h('label', null, icon('server-process'), ' Page tables of ', select),
    h('span', { class: 'range-box' }, input,
      button('Walk this range', 'search', 'as-walk', () => walkTo(input.value.trim() || null)),
      button('Previous range', 'arrow-left', 'as-prev', () => range && walkTo(formatVaRange(shiftVaRange(range, -1))), !range),
      button('Next range', 'arrow-right', 'as-next', () => range && walkTo(formatVaRange(shiftVaRange(range, 1))), !range),
      button('Follow the selected MDL', 'target', 'as-follow', () => walkTo(null), ctx.state.vaRange === null)),
    proc ? h('span', { class: 'dim mono' }, `working set ${proc.workingSetPages} · locked ${proc.lockedPages} · committed ${proc.committedPages} pages`) : null);
  const rangeError = h('div', { id: 'va-range-error', class: typed && !typed.ok ? 'error' : 'dim footnote', role: typed && !typed.ok ? 'alert' : null },
    typed && !typed.ok ? typed.error : range ? `${bytes(range.length)} from ${addr64(range.start)}${ctx.state.vaRange === null ? ' — around the selected MDL; type a range to walk another' : ''}` : 'No MDL in this address space: type a range (e.g. 0x1e0`00000000 +0x20000).');

  if (current?.walk) {
    const view = walkView(ctx, current.walk, (next) => walkTo(formatVaRange(next)));
    return { element: h('div', { class: 'as' }, toolbar, rangeError, view.element), afterMount: view.afterMount };
  }
  const status = current?.error
    ? h('div', { class: 'error', role: 'alert' }, `The debugger could not walk this range: ${current.error}`)
    : query ? h('div', { class: 'dim footnote', role: 'status' }, 'Walking the page tables… (pages the snapshot knows are listed meanwhile)') : null;
  const fallback = snapshotPages(ctx, chosen);
  return { element: h('div', { class: 'as' }, toolbar, rangeError, status, fallback.element), afterMount: fallback.afterMount };
}

function sameQuery(a: PageTablesQuery, b: PageTablesQuery): boolean {
  return a.step === b.step && a.process === b.process && a.start === b.start && a.length === b.length;
}

/** The walk's rows: a legend with counts, a virtualised list, and the `!pte` decode of the active row. */
function walkView(ctx: PanelContext, walk: PageTableWalk, goTo: (r: VaRange) => void): { element: HTMLElement; afterMount(): void } {
  const tables = tablesByBlock(walk);
  const rows = walk.rows;
  const detail = h('pre', { class: 'pte-detail mono', 'aria-live': 'polite', 'aria-label': '!pte of the active page' });
  const showDetail = (i: number) => {
    detail.textContent = rows[i] ? decodePte(rows[i], walk, tables) : '';
  };
  const list = new VirtualList({
    count: rows.length, rowHeight: 20, visibleRows: 22, label: `Page tables of ${walk.process ?? 'system space'}`,
    renderRow: (i) => pageRow(rows[i], decodePte(rows[i], walk, tables)),
    activate: (i) => {
      const m = rows[i].mdls[0];
      if (m) ctx.select(m, 'inspector');
    },
    onActive: showDetail,
  });
  list.element.dataset.focus = 'as-list';
  showDetail(0);
  const legend = h('ul', { class: 'pte-legend', 'aria-label': 'Pages per PTE state in this range' },
    ...(Object.keys(STATE_LABELS) as PageTableRow['state'][]).map((k) => h('li', { title: STATE_HELP[k], 'data-state': k },
      h('span', { class: `pte pte-${k}` }, STATE_LABELS[k]), h('span', { class: 'mono count' }, String(walk.counts[k])))),
    h('li', { 'data-state': 'locked', title: 'frames with a lock count above 0: pinned by MmProbeAndLockPages' }, h('span', { class: 'pte pte-locked' }, icon('lock'), ' locked'), h('span', { class: 'mono count' }, String(walk.lockedPages))),
    h('li', { 'data-state': 'described', title: 'pages inside a live MDL\'s buffer' }, h('span', { class: 'pte pte-described' }, icon('references'), ' in an MDL'), h('span', { class: 'mono count' }, String(walk.describedPages))));
  const header = h('div', { class: 'as-row pt-row pfn-head', role: 'presentation' },
    ...['Virtual page', 'PTE', 'PFN', 'Frame', 'Locks', 'Protection · bits', 'Described by MDL'].map((t, k) => h('span', { class: ['c-va', 'c-pte', 'c-pfn', 'c-state', 'c-counts', 'c-prot', 'c-mdls'][k] }, t)));
  const more = walk.truncated && walk.nextVa
    ? h('div', { class: 'pager' }, h('span', { class: 'dim' }, `Stopped after ${rows.length} rows (${walk.pagesWalked} pages).`),
      h('button', { 'data-focus': 'as-continue', onclick: () => goTo({ start: walk.nextVa!, length: Math.max(0x1000, walk.length - walk.pagesWalked * 0x1000) }) }, icon('debug-continue'), ' Continue from ', addr64(walk.nextVa)))
    : null;
  const element = h('div', { class: 'as-walk' }, legend, h('div', null, header, list.element), more,
    h('div', { class: 'dim footnote' }, 'Arrow keys move through the pages, Enter opens the MDL that describes one; hover a page for its !pte.'), detail);
  return { element, afterMount: () => list.render() };
}

function pageRow(r: PageTableRow, tip: string): HTMLElement {
  const bits = r.state === 'valid' ? [r.dirty ? 'D' : '', r.accessed ? 'A' : '', r.user ? 'U' : 'K', r.writable ? 'W' : 'R', r.noExecute ? 'NX' : ''].filter(Boolean).join(' ') : '';
  return h('div', { class: `as-row pt-row pt-${r.state}${r.locked ? ' locked' : ''}${r.mdls.length ? ' described' : ''}`, title: tip, 'data-va': r.va, 'data-state': r.state },
    h('span', { role: 'gridcell', class: 'c-va mono' }, addr64(r.va), r.pages > 1 ? h('span', { class: 'dim run' }, ` +${r.pages} pages`) : null),
    h('span', { role: 'gridcell', class: 'c-pte' }, h('span', { class: `pte pte-${r.state}` }, STATE_LABELS[r.state])),
    h('span', { role: 'gridcell', class: 'c-pfn mono' }, r.pfn === null ? '—' : pfnText(r.pfn)),
    h('span', { role: 'gridcell', class: `c-state state-${r.frameState ?? 'unknown'}` }, r.frameState ?? ''),
    h('span', { role: 'gridcell', class: 'c-counts mono' }, r.locked ? h('span', { class: 'lock', 'aria-label': `locked ${r.lockCount}` }, icon('lock'), ` ${r.lockCount}`) : ''),
    h('span', { role: 'gridcell', class: 'c-prot mono dim' }, [r.protection, bits].filter(Boolean).join(' · ')),
    h('span', { role: 'gridcell', class: 'c-mdls mono dim' }, r.mdls.map(addr64).join(' ')));
}

// ---- before the first answer: what the snapshot knows --------------------------------------------

type KnownState = 'valid' | 'locked' | 'transition' | 'not resident';

interface KnownRow {
  key: string; // 16-digit VA, sortable
  va: string;
  pfn: number | null;
  pte: KnownState;
  mdls: string[];
  gapBefore: number;
}

const pad = (va: string) => va.replace(/^0x/i, '').toLowerCase().padStart(16, '0');

/** Pages MDLs describe and pages that map frames MDLs name (`process` null = system space). */
function collect(model: Model, process: string | null): KnownRow[] {
  const snap = model.snap;
  const byVa = new Map<string, KnownRow>();
  const wantKind = process === null ? 'system' : 'user';
  for (const f of snap.frames) {
    for (const mp of f.mappedBy) {
      if (mp.kind !== wantKind || (process !== null && mp.process !== process)) continue;
      const key = pad(mp.va);
      byVa.set(key, { key, va: mp.va, pfn: f.pfn, pte: !mp.valid ? 'transition' : f.lockCount > 0 ? 'locked' : 'valid', mdls: [], gapBefore: 0 });
    }
  }
  for (const m of snap.mdls) {
    const userRange = BigInt(m.startVa) !== 0n && BigInt(m.startVa) < 0x800000000000n;
    if (process === null ? userRange || BigInt(m.startVa) === 0n : !userRange || m.processName !== process) continue;
    for (let i = 0; i < m.pfns.length; i++) {
      const va = pageVa(m.startVa, i);
      const key = pad(va);
      let row = byVa.get(key);
      if (!row) byVa.set(key, (row = { key, va, pfn: null, pte: 'not resident', mdls: [], gapBefore: 0 }));
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

function snapshotPages(ctx: PanelContext, chosen: string | null): { element: HTMLElement; afterMount(): void } {
  const rows = collect(ctx.model, chosen);
  const list = new VirtualList({
    count: rows.length, rowHeight: 20, visibleRows: 24, label: `Pages of ${chosen ?? 'system space'}`,
    renderRow: (i) => {
      const r = rows[i];
      const f = r.pfn !== null ? ctx.model.frame(r.pfn) : undefined;
      const cls = r.pte.replace(' ', '-');
      return h('div', { class: `as-row as-${cls}${r.gapBefore ? ' gap' : ''}`, title: r.gapBefore ? `${r.gapBefore} unlisted page(s) before this one` : '' },
        h('span', { role: 'gridcell', class: 'c-va mono' }, addr64(r.va)),
        h('span', { role: 'gridcell', class: 'c-pte' }, h('span', { class: `pte pte-${cls}` }, r.pte)),
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
  const element = rows.length ? h('div', null, header, list.element) : h('div', { class: 'empty' }, 'No page of this address space is described by an MDL or mapped by a frame that an MDL names.');
  return { element, afterMount: () => list.render() };
}
