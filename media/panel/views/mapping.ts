// The mapping diagram: for the selected MDL, the user pages (process, VA) on the left, the frames
// they name in the middle, and the system mapping on the right, with lines between them. The
// buffer (ByteOffset, partial first and last pages) is drawn to scale inside the page boxes; the
// dummy page, shared frames and stale slots are marked. Large MDLs are shown a window at a time.
import type { MdlView } from '../../../src/engine/snapshot';
import { afterNextPaint, h, icon, s } from '../dom';
import { addr64, addrHex, isNullAddr, pageVa, pfnText } from '../format';
import type { PanelContext } from './context';
import { renderMdlList } from './mdlList';

const WINDOW = 32;
const ROW = 26;
const BOX_H = 20;
const COL = { user: 8, frame: 300, sys: 520 };
const BOX_W = { user: 190, frame: 130, sys: 190 };
let windowStart = 0;
let windowFor = '';

/** The byte range [from, to) of page i that the buffer covers, as fractions of the page. */
function coverage(m: MdlView, i: number): [number, number] {
  const start = m.byteOffset;
  const end = m.byteOffset + m.byteCount;
  const pageStart = i * 4096;
  const from = Math.max(start, pageStart) - pageStart;
  const to = Math.min(end, pageStart + 4096) - pageStart;
  return [Math.max(0, from) / 4096, Math.max(0, to) / 4096];
}

function pageBox(x: number, y: number, w: number, label: string, cov: [number, number] | null, cls: string, title: string): SVGGElement {
  const g = s('g', { class: `box ${cls}` },
    s('title', null, title),
    s('rect', { x, y, width: w, height: BOX_H, rx: 2, class: 'box-frame' }));
  if (cov && cov[1] > cov[0]) {
    // The buffer runs left to right through the page: ByteOffset in the first page, the tail in the last.
    g.append(s('rect', { x: x + 1 + cov[0] * (w - 2), y: y + BOX_H - 5, width: Math.max(1, (cov[1] - cov[0]) * (w - 2)), height: 4, class: 'box-cover' }));
  }
  g.append(s('text', { x: x + 6, y: y + 13, class: 'mono' }, label));
  return g;
}

function renderDiagram(ctx: PanelContext, m: MdlView): HTMLElement {
  if (windowFor !== m.address) {
    windowFor = m.address;
    windowStart = 0;
  }
  const n = m.pfns.length;
  const first = Math.min(windowStart, Math.max(0, n - 1));
  const last = Math.min(n, first + WINDOW);
  const userSide = !isNullAddr(m.startVa);
  const sysMapped = (m.flags & 0x5) !== 0 && !isNullAddr(m.mappedSystemVa);
  const sysBase = sysMapped ? addrHex(BigInt(m.mappedSystemVa) & ~0xfffn) : null;
  const isUser = userSide && BigInt(m.startVa) < 0x800000000000n;

  // Middle column: each distinct frame once, so repeated frames (the dummy page) draw converging lines.
  const frameRow = new Map<number, number>();
  for (let i = first; i < last; i++) if (!frameRow.has(m.pfns[i])) frameRow.set(m.pfns[i], frameRow.size);
  const rows = Math.max(last - first, frameRow.size);
  const height = rows * ROW + 40;
  const anyStale = m.pfns.length > 0 && ctx.model.staleCount(m) > 0;
  const width = (sysMapped ? COL.sys + BOX_W.sys : COL.frame + BOX_W.frame) + (anyStale ? 200 : 10);
  const svg = s('svg', { class: 'mapping', width: Math.max(width, COL.sys + BOX_W.sys + 10), height, role: 'img', 'aria-label': `Mapping of MDL ${m.address}: ${last - first} of ${n} pages` });
  svg.append(
    s('text', { x: COL.user, y: 14, class: 'col-title' }, isUser ? `${m.processName ?? 'user'} VA` : 'VA (StartVa)'),
    s('text', { x: COL.frame, y: 14, class: 'col-title' }, 'PFN'),
    s('text', { x: COL.sys, y: 14, class: 'col-title' }, sysMapped ? 'System VA (MappedSystemVa)' : 'System VA: not mapped'));
  const lines = s('g', { class: 'lines' });
  const boxes = s('g');
  svg.append(lines, boxes);
  const top = 24;
  // Stale notes go in a column of their own, right of the last drawn column.
  const notesX = (sysMapped ? COL.sys + BOX_W.sys : COL.frame + BOX_W.frame) + 14;
  const mid = (row: number) => top + row * ROW + BOX_H / 2;

  for (const [pfn, row] of frameRow) {
    const f = ctx.model.frame(pfn);
    const dummy = ctx.model.isDummy(pfn);
    const shared = !dummy && ctx.model.isShared(pfn);
    const cls = `frame${dummy ? ' dummy' : ''}${shared ? ' shared' : ''} state-${f?.state ?? 'unknown'}`;
    const label = `${pfnText(pfn)}${dummy ? ' dummy' : shared ? ' shared' : ''}`;
    const title = f ? `PFN ${pfnText(pfn)} ${f.state} share ${f.shareCount} ref ${f.referenceCount} lock ${f.lockCount}` : `PFN ${pfnText(pfn)}`;
    boxes.append(pageBox(COL.frame, top + row * ROW, BOX_W.frame, label, null, cls, title));
  }
  for (let i = first; i < last; i++) {
    const row = i - first;
    const y = top + row * ROW;
    const stale = ctx.model.slotMatches(m, i) === false;
    const va = userSide ? pageVa(m.startVa, i) : null;
    const cov = coverage(m, i);
    if (va) boxes.append(pageBox(COL.user, y, BOX_W.user, addr64(va), cov, `user${stale ? ' stale' : ''}`, `page ${i}: ${addr64(va)}${stale ? ' — stale: the page tables map this VA elsewhere now' : ''}`));
    const fr = frameRow.get(m.pfns[i])!;
    if (va) {
      lines.append(s('line', { x1: COL.user + BOX_W.user, y1: y + BOX_H / 2, x2: COL.frame, y2: mid(fr), class: `link${stale ? ' stale' : ''}${ctx.model.isDummy(m.pfns[i]) ? ' dummy' : ''}` }));
      if (stale) {
        const now = ctx.model.frameMappedAt(m.processName, va);
        boxes.append(s('text', { x: notesX, y: y + 13, class: 'stale-note' }, now === null ? '✕ stale · VA not resident' : `✕ stale · VA now → ${pfnText(now)}`));
      }
    }
    if (sysBase) {
      const sva = pageVa(sysBase, i);
      boxes.append(pageBox(COL.sys, y, BOX_W.sys, addr64(sva), cov, 'sys', `system page ${i}: ${addr64(sva)}`));
      lines.append(s('line', { x1: COL.frame + BOX_W.frame, y1: mid(fr), x2: COL.sys, y2: y + BOX_H / 2, class: 'link sys' }));
    }
  }
  const pager = n > WINDOW ? h('div', { class: 'pager' },
    h('button', { disabled: first === 0, onclick: () => { windowStart = Math.max(0, first - WINDOW); ctx.select(m.address); }, 'aria-label': 'Previous pages' }, icon('chevron-left')),
    h('span', { class: 'mono' }, ` pages ${first}–${last - 1} of ${n} `),
    h('button', { disabled: last >= n, onclick: () => { windowStart = last; ctx.select(m.address); }, 'aria-label': 'Next pages' }, icon('chevron-right'))) : null;
  const legend = h('div', { class: 'legend' },
    h('span', { class: 'lg lg-cover' }, 'buffer (to scale)'), h('span', { class: 'lg lg-dummy' }, 'dummy page'),
    h('span', { class: 'lg lg-shared' }, 'shared frame'), h('span', { class: 'lg lg-stale' }, 'stale slot'));
  return h('div', { class: 'mapping-wrap' },
    h('div', { class: 'mapping-summary' },
      h('span', { class: 'mono' }, `StartVa ${addr64(m.startVa)} + ByteOffset 0x${m.byteOffset.toString(16)}, ByteCount 0x${m.byteCount.toString(16)}`),
      h('span', { class: 'dim' }, ` · ${n} page${n === 1 ? '' : 's'}${sysMapped ? '' : ' · no system mapping'}`)),
    legend, pager, h('div', { class: 'svg-scroll' }, svg));
}

export function renderMapping(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const m = ctx.selectedMdl();
  const detail = h('div', { class: 'detail' }, m ? renderDiagram(ctx, m) : h('div', { class: 'empty' }, 'Select an MDL to see its mapping.'));
  const model = ctx.model;
  return {
    element: h('div', { class: 'split' }, renderMdlList(ctx), detail),
    afterMount: () => {
      // Huge MDLs: shared-frame marks come one pass later, as in the inspector.
      if (m && !model.sharedReady) afterNextPaint(() => {
        model.prepareShared();
        if (ctx.model === model && ctx.state.view === 'mapping') ctx.select(m.address);
      });
    },
  };
}
