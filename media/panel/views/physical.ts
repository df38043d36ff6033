// Physical memory: every frame of the PFN database as one cell of a canvas, coloured by its list
// or state (from the PHYSICAL_MAP_REQUEST runs, refined by the snapshot's frames: locked, dummy),
// with counts per state, a process filter, a hover card with the frame's PFN entry and, on click
// or Enter, who maps the frame — RAMMap's physical pages view for the emulated machine.
import type { FrameView } from '../../../src/engine/snapshot';
import { afterNextPaint, h } from '../dom';
import { addr64, bytes, pfnText, physAddr } from '../format';
import type { PanelContext } from './context';

/** Palette entries: a state name, the theme variable that colours it, and what it means. */
const PALETTE: { name: string; css: string; meaning: string }[] = [
  { name: 'Unknown', css: '--vscode-disabledForeground', meaning: 'state not reported' },
  { name: 'Zeroed', css: '--vscode-charts-blue', meaning: 'free and zero-filled' },
  { name: 'Free', css: '--vscode-terminal-ansiCyan', meaning: 'free, dirty contents' },
  { name: 'Standby', css: '--vscode-charts-yellow', meaning: 'trimmed, clean; reclaimable by a soft fault' },
  { name: 'Modified', css: '--vscode-charts-orange', meaning: 'trimmed, dirty; must be written before reuse' },
  { name: 'ModifiedNoWrite', css: '--vscode-terminal-ansiBrightYellow', meaning: 'modified, not yet writable to backing store' },
  { name: 'Bad', css: '--vscode-errorForeground', meaning: 'hardware error' },
  { name: 'Active', css: '--vscode-charts-green', meaning: 'in a working set or in system use' },
  { name: 'Transition', css: '--vscode-charts-purple', meaning: 'I/O in progress, or locked and out of its working set' },
  { name: 'Locked', css: '--vscode-charts-red', meaning: 'pinned by an MDL lock (lockCount > 0)' },
  { name: 'Dummy', css: '--vscode-terminal-ansiMagenta', meaning: 'the system-wide dummy page of paging reads' },
];
const CODE = new Map(PALETTE.map((p, i) => [p.name, i]));
const LOCKED = CODE.get('Locked')!;
const DUMMY = CODE.get('Dummy')!;

const paletteCache = new Map<string, Uint32Array>();

/**
 * Resolves the palette's CSS colours (any syntax the theme uses) to packed little-endian RGBA
 * values, once per theme: the canvas read-backs it takes are kept by the theme's colour values.
 */
function resolveColours(dim: boolean): Uint32Array {
  // VS Code puts the theme's variables in <html style> and its kind in <body class>: reading those
  // attributes costs nothing, where getComputedStyle would first restyle the view just built.
  const key = `${dim}|${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
  let cached = paletteCache.get(key);
  if (!cached) {
    if (paletteCache.size > 16) paletteCache.clear();
    const style = getComputedStyle(document.body);
    const bg = style.getPropertyValue('--vscode-editor-background').trim() || style.backgroundColor;
    paletteCache.set(key, (cached = measureColours(dim, style, bg)));
  }
  return cached;
}

function measureColours(dim: boolean, style: CSSStyleDeclaration, bg: string): Uint32Array {
  const probe = document.createElement('canvas');
  probe.width = probe.height = 1;
  const c = probe.getContext('2d', { willReadFrequently: true })!;
  const out = new Uint32Array(PALETTE.length);
  PALETTE.forEach((p, i) => {
    c.globalAlpha = 1;
    c.clearRect(0, 0, 1, 1);
    c.fillStyle = bg;
    c.fillRect(0, 0, 1, 1);
    c.globalAlpha = dim ? 0.22 : 1;
    c.fillStyle = style.getPropertyValue(p.css).trim() || style.color;
    c.fillRect(0, 0, 1, 1);
    const [r, g, b] = c.getImageData(0, 0, 1, 1).data;
    out[i] = (255 << 24) | (b << 16) | (g << 8) | r;
  });
  return out;
}

interface Layout { cols: number; rows: number; cell: number }

/** The largest cell that fits the map in the width and 640 px of height, with power-of-two columns
 * so that every row starts at a round physical address. */
function layoutFor(frames: number, width: number): Layout {
  const maxHeight = 640;
  for (let cell = 14; cell >= 1; cell--) {
    let cols = 16;
    while (cols * 2 * cell <= width) cols *= 2;
    const rows = Math.ceil(frames / cols);
    if (rows * cell <= maxHeight || cell === 1) return { cols, rows, cell };
  }
  return { cols: 16, rows: Math.ceil(frames / 16), cell: 1 };
}

interface FrameCodes { codes: Uint8Array; counts: number[]; fromMap: boolean }
const codeCache = new WeakMap<object, { map: unknown; result: FrameCodes }>();

/**
 * The state code of every frame, from the run-length map (or the snapshot alone without one), and
 * the count per code, kept from the runs rather than a second pass over every frame. Cached per
 * stop and map, so a filter change or a click does not redo it.
 */
function frameCodes(ctx: PanelContext): FrameCodes {
  const cached = codeCache.get(ctx.model);
  if (cached && cached.map === ctx.physicalMap) return cached.result;
  const snap = ctx.model.snap;
  const map = ctx.physicalMap;
  const total = map ? map.runs.reduce((a, r) => a + r[1], 0) : snap.physicalPages;
  const codes = new Uint8Array(Math.max(0, Math.min(total, 1 << 26)));
  const counts = new Array<number>(PALETTE.length).fill(0);
  if (map) {
    const stateCode = map.states.map((s) => CODE.get(s) ?? 0);
    let at = 0;
    for (const [code, count] of map.runs) {
      const n = Math.min(count, codes.length - at);
      const c = stateCode[code];
      // A call to fill costs more than a loop for the short runs a fragmented map is made of.
      if (n > 256) codes.fill(c, at, at + n);
      else for (let i = at; i < at + n; i++) codes[i] = c;
      counts[c] += n;
      at += n;
    }
  } else counts[0] = codes.length;
  const set = (pfn: number, code: number) => {
    counts[codes[pfn]]--;
    codes[pfn] = code;
    counts[code]++;
  };
  const p = ctx.model.frameColumns;
  if (p) {
    // Straight from the packed columns: one state-name lookup per state, not per frame; counts
    // kept in a typed array and fixed up once.
    const byState = Uint8Array.from(p.states, (s) => CODE.get(s) ?? 0);
    const delta = new Int32Array(PALETTE.length);
    const { pfn: pfns, bits, lockCount, state } = p;
    const limit = codes.length;
    const dummyPfn = snap.dummyPfn;
    for (let i = 0; i < p.count; i++) {
      const pfn = pfns[i];
      if (!(pfn >= 0 && pfn < limit)) continue;
      const code = (bits[i] & 2) !== 0 || pfn === dummyPfn ? DUMMY : lockCount[i] > 0 ? LOCKED : byState[state[i]];
      delta[codes[pfn]]--;
      delta[code]++;
      codes[pfn] = code;
    }
    for (let k = 0; k < delta.length; k++) counts[k] += delta[k];
  } else {
    ctx.model.forEachFrame((pfn, state, lockCount, dummy) => {
      if (pfn < 0 || pfn >= codes.length) return;
      set(pfn, dummy || pfn === snap.dummyPfn ? DUMMY : lockCount > 0 ? LOCKED : CODE.get(state) ?? 0);
    });
  }
  if (snap.dummyPfn >= 0 && snap.dummyPfn < codes.length) set(snap.dummyPfn, DUMMY);
  const result = { codes, counts, fromMap: map !== null };
  codeCache.set(ctx.model, { map, result });
  return result;
}

function frameCard(pfn: number, f: FrameView | undefined, state: string): HTMLElement {
  const rows: (string | HTMLElement)[] = [
    h('div', { class: 'mono' }, `PFN ${pfnText(pfn)} at physical ${physAddr(pfn)}`),
    h('div', null, `${state}${f?.modified ? ' · modified' : ''}${f?.dummy ? ' · dummy page' : ''}`),
  ];
  if (f) {
    rows.push(h('div', { class: 'mono' }, `share ${f.shareCount}  ref ${f.referenceCount}  lock ${f.lockCount}`));
    for (const mp of f.mappedBy) rows.push(h('div', { class: 'mono' }, `${mp.valid ? 'maps' : 'transition'} ${mp.process ?? 'system'} ${addr64(mp.va)}`));
    if (!f.mappedBy.length) rows.push(h('div', { class: 'dim' }, 'no page table maps it'));
  }
  return h('div', null, ...rows);
}

export function renderPhysical(ctx: PanelContext): { element: HTMLElement; afterMount(): void } {
  const snap = ctx.model.snap;
  const { codes, counts, fromMap } = frameCodes(ctx);
  const filter = ctx.state.processFilter;
  const matches = filter !== null ? ctx.model.framesMappedBy(filter) : new Set<number>();

  const canvas = h('canvas', { class: 'phys-canvas', tabindex: 0, 'data-focus': 'phys-canvas', role: 'img' });
  const cursor = h('div', { class: 'phys-cursor', 'aria-hidden': 'true' });
  const card = h('div', { class: 'phys-card', role: 'tooltip' });
  const detail = h('div', { class: 'phys-detail', 'aria-live': 'polite' }, h('span', { class: 'dim' }, 'Click a frame (or move with the arrow keys and press Enter) to see who maps it.'));
  const stage = h('div', { class: 'phys-stage' }, canvas, cursor, card);

  const select = h('select', { 'aria-label': 'Filter frames by process', onchange: (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    ctx.setProcessFilter(v === '*' ? null : v === 'system' ? '' : v);
  } });
  select.append(h('option', { value: '*' }, 'All processes'), h('option', { value: 'system', selected: filter === '' }, 'System space'));
  for (const p of snap.processes) select.append(h('option', { value: p.name, selected: filter === p.name }, `${p.name} (pid ${p.pid})`));

  const legend = h('ul', { class: 'phys-legend', 'aria-label': 'Frames per state' });
  PALETTE.forEach((p, i) => {
    if (!counts[i] && i === 0) return;
    legend.append(h('li', { title: p.meaning, 'data-state': p.name },
      h('span', { class: 'swatch', style: `background: var(${p.css})` }), h('span', null, p.name), h('span', { class: 'mono count' }, String(counts[i]))));
  });

  const selected = ctx.selectedMdl();
  if (selected && selected.pfns.length <= 4096) {
    legend.append(h('li', { title: 'The frames the selected MDL names' }, h('span', { class: 'swatch swatch-outline' }), h('span', { class: 'mono' }, `MDL ${selected.address.slice(-8)}`)));
  }
  const summary = h('div', { class: 'phys-summary' },
    h('span', { class: 'mono' }, `${codes.length} frames · ${bytes(codes.length * 4096)}`),
    h('span', { class: 'dim' }, fromMap ? ' · states from the PFN database' : ' · waiting for the PFN map: only frames that MDLs name are coloured'),
    filter !== null ? h('span', { class: 'dim' }, ` · ${matches.size} frame(s) mapped by ${filter || 'system space'} (of the frames MDLs name)`) : null);

  let layout: Layout = { cols: 16, rows: 1, cell: 1 };
  let cursorPfn = ctx.selectedMdl()?.pfns[0] ?? 0;
  const frameAt = (x: number, y: number): number => {
    const col = Math.floor(x / layout.cell), row = Math.floor(y / layout.cell);
    const pfn = row * layout.cols + col;
    return col < layout.cols && pfn >= 0 && pfn < codes.length ? pfn : -1;
  };
  const stateName = (pfn: number) => ctx.model.frame(pfn)?.state ?? PALETTE[codes[pfn]].name;
  const moveCursor = (pfn: number) => {
    cursorPfn = Math.max(0, Math.min(codes.length - 1, pfn));
    const c = Math.max(layout.cell, 3);
    cursor.style.transform = `translate(${(cursorPfn % layout.cols) * layout.cell - (c - layout.cell) / 2}px, ${Math.floor(cursorPfn / layout.cols) * layout.cell - (c - layout.cell) / 2}px)`;
    cursor.style.width = cursor.style.height = `${c + 2}px`;
  };
  const showDetail = (pfn: number) => {
    detail.replaceChildren(frameCard(pfn, ctx.model.frame(pfn), stateName(pfn)));
    moveCursor(pfn);
  };

  canvas.addEventListener('mousemove', (e) => {
    const pfn = frameAt(e.offsetX, e.offsetY);
    if (pfn < 0) return void (card.style.display = 'none');
    card.replaceChildren(frameCard(pfn, ctx.model.frame(pfn), stateName(pfn)));
    card.style.display = 'block';
    card.style.transform = `translate(${e.offsetX + 14}px, ${e.offsetY + 14}px)`;
  });
  canvas.addEventListener('mouseleave', () => (card.style.display = 'none'));
  canvas.addEventListener('click', (e) => {
    const pfn = frameAt(e.offsetX, e.offsetY);
    if (pfn >= 0) showDetail(pfn);
  });
  canvas.addEventListener('keydown', (e) => {
    const d: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: layout.cols, ArrowUp: -layout.cols };
    if (e.key in d) {
      e.preventDefault();
      moveCursor(cursorPfn + d[e.key]);
      canvas.setAttribute('aria-label', `Frame ${pfnText(cursorPfn)}: ${stateName(cursorPfn)}`);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      showDetail(cursorPfn);
    }
  });

  const paint = () => {
    // From the window, not the element: measuring the element would force a layout of the new view.
    const width = Math.max(256, window.innerWidth - 44);
    layout = layoutFor(codes.length, width);
    const palette = resolveColours(false);
    const dimmed = filter !== null ? resolveColours(true) : palette;
    let mask: Uint8Array | null = null;
    if (filter !== null) {
      mask = new Uint8Array(codes.length);
      for (const pfn of matches) if (pfn >= 0 && pfn < mask.length) mask[pfn] = 1;
    }
    canvas.width = layout.cols * layout.cell;
    canvas.height = layout.rows * layout.cell;
    const c = canvas.getContext('2d')!;
    c.imageSmoothingEnabled = false;
    const off = layout.cell === 1 ? null : document.createElement('canvas');
    if (off) {
      off.width = layout.cols;
      off.height = layout.rows;
    }
    /** Outline the selected MDL's frames, so they stand out of a map of thousands (not for huge MDLs). */
    const outline = () => {
      const sel = ctx.selectedMdl();
      if (sel && layout.cell >= 3 && sel.pfns.length <= 4096) {
        c.strokeStyle = getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim() || 'currentColor';
        // A ring inside the cell: the state colour stays visible in the middle and neighbours are untouched.
        c.lineWidth = 1;
        for (const pfn of sel.pfns) {
          if (pfn < 0 || pfn >= codes.length) continue;
          c.strokeRect((pfn % layout.cols) * layout.cell + 0.5, Math.floor(pfn / layout.cols) * layout.cell + 0.5, layout.cell - 1, layout.cell - 1);
        }
      }
    };
    /** Colours frame rows [from, to) of the map and draws them. */
    const band = (from: number, to: number) => {
      // An image of just these rows: the first paint allocates and uploads only what it shows.
      const img = new ImageData(layout.cols, to - from);
      const px = new Uint32Array(img.data.buffer);
      const start = from * layout.cols;
      const end = Math.min(codes.length, to * layout.cols);
      if (mask) for (let i = start; i < end; i++) px[i - start] = mask[i] ? palette[codes[i]] : dimmed[codes[i]];
      else for (let i = start; i < end; i++) px[i - start] = palette[codes[i]];
      if (!off) c.putImageData(img, 0, from);
      else {
        off.getContext('2d')!.putImageData(img, 0, from);
        c.drawImage(off, 0, from, layout.cols, to - from, 0, from * layout.cell, canvas.width, (to - from) * layout.cell);
      }
    };
    // The rows a window can show are drawn now; the rest of a map taller than the window after the
    // first frame, so the first paint does not wait for frames nobody can see yet.
    // (The map starts below the header, tabs, toolbar and legend: about 150 px.)
    const firstRows = Math.min(layout.rows, Math.ceil(Math.max(200, window.innerHeight - 150) / layout.cell));
    band(0, firstRows);
    if (firstRows < layout.rows) {
      afterNextPaint(() => {
        if (!canvas.isConnected) return;
        band(firstRows, layout.rows);
        outline();
      });
    }
    outline();
    canvas.setAttribute('aria-label', `Physical memory map, ${codes.length} frames: ${PALETTE.map((p, i) => (counts[i] ? `${counts[i]} ${p.name}` : '')).filter(Boolean).join(', ')}. Arrow keys move between frames.`);
    moveCursor(cursorPfn);
  };

  const element = h('div', { class: 'phys' },
    h('div', { class: 'toolbar' }, summary, h('label', null, 'Process ', select)), legend, stage, detail);
  return { element, afterMount: paint };
}
