// The MDL panel's webview entry: receives validated messages from the extension, keeps the
// selection and the open view with getState/setState, and renders the chosen view.
import type { Snapshot } from '../../src/engine/snapshot';
import { h, icon, replace } from './dom';
import { renderHeader } from './header';
import { Model } from './model';
import {
  VIEW_IDS, parseHostMessage, parsePanelState,
  type HostMessage, type PageTablesQuery, type PanelState, type PhysicalMap, type SessionState, type ViewId, type WebviewMessage,
} from './protocol';
import type { PanelContext } from './views/context';
import { VIEWS } from './views/registry';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: PanelState = parsePanelState(vscode.getState());
let model: Model | null = null;
let physicalMap: PhysicalMap | null = null;
let session: { state: SessionState; name?: string } = { state: 'none' };
let lastError: string | null = null;
let pageTables: PanelContext['pageTables'] = null;
/** The page-table query last sent, so a re-render does not ask again. */
let pageTablesAsked = '';
/** Set when a session starts after another ended: its first stop has no previous stop to compare. */
let newSession = false;

const root = document.getElementById('root') ?? document.body.appendChild(h('div', { id: 'root' }));
const headerSlot = h('div', { class: 'hdr-slot' });
const errorSlot = h('div', { class: 'error-slot', role: 'alert' });
const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'MDL Lab views' });
const viewSlot = h('main', { class: 'view', role: 'tabpanel', id: 'view' });
root.replaceChildren(headerSlot, errorSlot, tabs, viewSlot);

function save(): void {
  vscode.setState(state);
}

const ctx: PanelContext = {
  get model() {
    return model!;
  },
  get state() {
    return state;
  },
  get physicalMap() {
    return physicalMap;
  },
  selectedMdl: () => model?.mdl(state.selectedMdl),
  select(address, view) {
    state = { ...state, selectedMdl: address ? address.toLowerCase() : null, view: view ?? state.view };
    save();
    vscode.postMessage({ type: 'selectionChanged', address: state.selectedMdl, view: state.view });
    render();
  },
  setProcessFilter(process) {
    state = { ...state, processFilter: process };
    save();
    render();
  },
  get pageTables() {
    return pageTables;
  },
  requestPageTables(q: PageTablesQuery) {
    const key = JSON.stringify([q.step, q.process, q.start, q.length]);
    if (key === pageTablesAsked) return;
    pageTablesAsked = key;
    vscode.postMessage({ type: 'requestPageTables', ...q });
  },
  setVaRange(text) {
    state = { ...state, vaRange: text };
    save();
    render();
  },
  post: (m) => vscode.postMessage(m),
};

function renderTabs(): void {
  const buttons = VIEW_IDS.map((id) => {
    const sel = id === state.view;
    return h('button', {
      class: `tab${sel ? ' selected' : ''}`, role: 'tab', id: `tab-${id}`, 'aria-selected': sel ? 'true' : 'false',
      'aria-controls': 'view', tabindex: sel ? 0 : -1, 'data-view': id, onclick: () => showView(id, true),
    }, icon(VIEWS[id].icon), VIEWS[id].title);
  });
  tabs.replaceChildren(...buttons);
}

tabs.addEventListener('keydown', (e) => {
  const i = VIEW_IDS.indexOf(state.view);
  const next = e.key === 'ArrowRight' ? (i + 1) % VIEW_IDS.length : e.key === 'ArrowLeft' ? (i + VIEW_IDS.length - 1) % VIEW_IDS.length : e.key === 'Home' ? 0 : e.key === 'End' ? VIEW_IDS.length - 1 : -1;
  if (next < 0) return;
  e.preventDefault();
  showView(VIEW_IDS[next], true);
  document.getElementById(`tab-${VIEW_IDS[next]}`)?.focus();
});

function showView(view: ViewId, fromUser: boolean): void {
  state = { ...state, view };
  save();
  if (fromUser) vscode.postMessage({ type: 'selectionChanged', address: state.selectedMdl, view });
  // The physical map is not in the snapshot: ask for it when its view is shown.
  if (model && view === 'physical') requestMap(model.snap);
  render();
}

/** Re-renders header and the current view, keeping keyboard focus on the same widget. */
function render(): void {
  const t0 = performance.now();
  const focusKey = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-focus]')?.dataset.focus;
  replace(headerSlot, renderHeader(model?.snap ?? null, session));
  replace(errorSlot, lastError ? h('div', { class: 'error' }, `Ignored a message from the extension: ${lastError}`) : null);
  renderTabs();
  viewSlot.setAttribute('aria-labelledby', `tab-${state.view}`);
  if (!model) {
    replace(viewSlot, h('div', { class: 'empty' }, session.state === 'running' ? 'Running… the panel fills in at the next stop.' : 'Start an MDL Lab debug session (F5 on a scenario) and stop at a breakpoint to see its MDLs.'));
  } else {
    // A view that trips over unexpected data shows what went wrong instead of a blank panel.
    try {
      const v = VIEWS[state.view].render(ctx);
      replace(viewSlot, v.element);
      v.afterMount?.();
    } catch (e) {
      replace(viewSlot, h('div', { class: 'error' }, `The ${VIEWS[state.view].title} view could not draw this stop: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  if (focusKey) viewSlot.querySelector<HTMLElement>(`[data-focus="${focusKey}"]`)?.focus();
  document.body.dataset.renderMs = (performance.now() - t0).toFixed(2);
  document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
}

function onHostMessage(m: HostMessage): void {
  switch (m.type) {
    case 'snapshot': {
      // "Changed since the previous stop" compares within one session only.
      const prev = newSession ? null : model?.snap ?? null;
      if (newSession) {
        pageTables = null;
        pageTablesAsked = '';
      }
      newSession = false;
      model = m.snapshot ? new Model(m.snapshot, prev && prev !== m.snapshot ? prev : null) : null;
      if (m.snapshot) {
        session = { ...session, state: 'stopped' };
        // At a bug check, select the MDL it names (0xC4/0x76/0xCB parameters carry one); else keep
        // the selection while that MDL lives, or fall back to the first.
        const named = m.snapshot.bugcheck?.params.map((a) => model!.mdl(a)).find((x) => x !== undefined);
        if (named && !(prev?.bugcheck)) state = { ...state, selectedMdl: named.address.toLowerCase() };
        else if (!model!.mdl(state.selectedMdl)) state = { ...state, selectedMdl: m.snapshot.mdls[0]?.address.toLowerCase() ?? null };
        if (physicalMap && physicalMap.step !== m.snapshot.step) physicalMap = null;
        if (state.view === 'physical') requestMap(m.snapshot);
      }
      save();
      break;
    }
    case 'physicalMap':
      if (model && m.map.step !== model.snap.step) return; // an answer for an earlier stop
      physicalMap = m.map;
      break;
    case 'selectMdl':
      state = { ...state, selectedMdl: m.address, view: state.view === 'mapping' ? 'mapping' : 'inspector' };
      save();
      break;
    case 'showView':
      state = { ...state, view: m.view };
      if (model && m.view === 'physical') requestMap(model.snap);
      save();
      break;
    case 'pageTables':
      if (!model || m.query.step !== model.snap.step) return; // an answer for an earlier stop
      pageTables = { query: m.query, walk: m.walk, error: m.error };
      break;
    case 'session':
      if (m.state === 'running' && (session.state === 'ended' || session.state === 'none')) newSession = true;
      session = { state: m.state, name: m.name };
      // Keep the last stop on screen while running and after the end; forget it only without a session.
      if (m.state === 'none') model = null;
      break;
  }
  render();
}

let requestedStep = -1;
function requestMap(snap: Snapshot): void {
  if (physicalMap?.step === snap.step || requestedStep === snap.step) return;
  requestedStep = snap.step;
  vscode.postMessage({ type: 'requestPhysicalMap', step: snap.step });
}

/** Messages handled so far: each one's paint time is reported once its frame is drawn. */
let handled = 0;
window.addEventListener('message', (event: MessageEvent) => {
  // Reading event.data deserialises the message; timed apart because the transport, not the panel, pays it.
  const d0 = performance.now();
  const data: unknown = event.data;
  const t0 = performance.now();
  document.body.dataset.deserializeMs = (t0 - d0).toFixed(2);
  // … and to the end of the next frame (style, layout and paint of what is rendered). Registered
  // first, so work a view defers until after that frame is not counted in it.
  const seq = ++handled;
  requestAnimationFrame(() => setTimeout(() => {
    if (seq !== handled) return;
    document.body.dataset.paintMs = (performance.now() - t0).toFixed(2);
    document.body.dataset.painted = String(seq);
  }, 0));
  const parsed = parseHostMessage(data);
  document.body.dataset.validateMs = (performance.now() - t0).toFixed(2);
  document.body.dataset.handled = String(seq);
  if (!parsed.ok) {
    lastError = parsed.error;
    render();
    return;
  }
  lastError = null;
  onHostMessage(parsed.message);
  // Message received → validated → rendered: what bench/render.mjs reports.
  document.body.dataset.handleMs = (performance.now() - t0).toFixed(2);
});

render();
vscode.postMessage({ type: 'ready' });
