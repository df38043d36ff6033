// The MDL panel on the extension-host side: one class per webview panel, in the webview-sample
// model (createOrShow, revive for the serializer, dispose that drains its disposables). It forwards
// snapshots to every open panel and turns the webview's requests into calls on a small host
// interface, by default custom DAP requests to the active `mdl` debug session.
import * as vscode from 'vscode';
import { GOTO_STEP_REQUEST, PAGE_TABLES_REQUEST, PHYSICAL_MAP_REQUEST, type PageTablesArguments, type PageTablesResponseBody, type PhysicalMapResponseBody } from '../../adapter/protocol';
import type { Snapshot } from '../../engine/snapshot';
import {
  parsePanelState, parseWebviewMessage,
  type HostMessage, type PanelState, type SessionState, type ViewId, type WebviewMessage,
} from '../../../media/panel/protocol';
import { packSnapshot } from '../../../media/panel/packing';
import { makeNonce, renderPanelHtml } from './html';

/** What the panel asks of the debugger; the default sends custom DAP requests to the `mdl` session. */
export interface MdlPanelHost {
  /** Time travel to a statement counter (a timeline click). */
  gotoStep(step: number): Thenable<unknown>;
  /** The run-length encoded state of every frame at the current stop, or undefined if unavailable. */
  physicalMap(step: number): Thenable<PhysicalMapResponseBody | undefined>;
  /** A process's page tables over a VA range at the current stop (the address space view). */
  pageTables?(args: PageTablesArguments): Thenable<PageTablesResponseBody | undefined>;
}

function mdlSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s && s.type === 'mdl' ? s : undefined;
}

export const debugSessionHost: MdlPanelHost = {
  gotoStep: (step) => mdlSession()?.customRequest(GOTO_STEP_REQUEST, { step }) ?? Promise.resolve(undefined),
  physicalMap: (_step) => mdlSession()?.customRequest(PHYSICAL_MAP_REQUEST) ?? Promise.resolve(undefined),
  pageTables: (args) => mdlSession()?.customRequest(PAGE_TABLES_REQUEST, args) ?? Promise.resolve(undefined),
};

export interface CreateOptions {
  /** The view to show (default: keep the panel's own). */
  view?: ViewId;
  /** Select this MDL (0x-prefixed hex). */
  mdl?: string;
  /** Open another panel even if one exists (several panels side by side). */
  newPanel?: boolean;
  column?: vscode.ViewColumn;
}

export class MdlPanel {
  static readonly viewType = 'mdlLab.mdlView';
  private static readonly panels = new Set<MdlPanel>();
  private static lastActive: MdlPanel | undefined;
  private static latest: Snapshot | null = null;
  private static latestMessage: HostMessage | null = null;
  private static session: { state: SessionState; name?: string } = { state: 'none' };
  private static host: MdlPanelHost = debugSessionHost;
  private static readonly errors = new vscode.EventEmitter<string>();
  /** Messages from a webview that failed validation (for logging). */
  static readonly onDidRejectMessage = MdlPanel.errors.event;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pending: HostMessage[] = [];
  private state: PanelState;

  /** Shows the most recently used panel (or a new one), optionally on a view and an MDL. */
  static createOrShow(extensionUri: vscode.Uri, options: CreateOptions = {}): MdlPanel {
    const column = options.column ?? vscode.ViewColumn.Beside;
    let panel = options.newPanel ? undefined : MdlPanel.lastActive;
    if (panel) panel.panel.reveal(undefined, true);
    else {
      const webviewPanel = vscode.window.createWebviewPanel(MdlPanel.viewType, 'MDL Lab', { viewColumn: column, preserveFocus: true }, MdlPanel.webviewOptions(extensionUri));
      panel = new MdlPanel(webviewPanel, extensionUri, undefined);
    }
    if (options.view) panel.post({ type: 'showView', view: options.view });
    if (options.mdl) panel.post({ type: 'selectMdl', address: options.mdl });
    return panel;
  }

  /** For `registerWebviewPanelSerializer`: takes over a panel VS Code restored after a reload. */
  static revive(webviewPanel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): MdlPanel {
    webviewPanel.webview.options = MdlPanel.webviewOptions(extensionUri);
    return new MdlPanel(webviewPanel, extensionUri, state);
  }

  /** Sends the snapshot of the current stop (null: not stopped) to every open panel. */
  static updateAll(snapshot: Snapshot | null): void {
    MdlPanel.latest = snapshot;
    if (snapshot) MdlPanel.session = { ...MdlPanel.session, state: 'stopped' };
    MdlPanel.latestMessage = null;
    for (const p of MdlPanel.panels) p.post(MdlPanel.snapshotMessage());
  }

  /** The debug session's state, shown in every panel's header. */
  static setSessionState(state: SessionState, name?: string): void {
    MdlPanel.session = { state, name };
    if (state === 'none') {
      MdlPanel.latest = null;
      MdlPanel.latestMessage = null;
    }
    for (const p of MdlPanel.panels) p.post({ type: 'session', state, name });
  }

  /** Opens (or reveals) a panel on the inspector with this MDL selected. */
  static selectMdl(extensionUri: vscode.Uri, address: string): MdlPanel {
    return MdlPanel.createOrShow(extensionUri, { view: 'inspector', mdl: address });
  }

  /** Replaces how panel requests reach the debugger (tests, or a host that is not a debug session). */
  static setHost(host: MdlPanelHost): void {
    MdlPanel.host = host;
  }

  /** The latest snapshot as the webview receives it: packed once, shared by every panel. */
  private static snapshotMessage(): HostMessage {
    MdlPanel.latestMessage ??= MdlPanel.latest ? { type: 'packedSnapshot', snapshot: packSnapshot(MdlPanel.latest) } : { type: 'snapshot', snapshot: null };
    return MdlPanel.latestMessage;
  }

  static get openPanels(): number {
    return MdlPanel.panels.size;
  }

  static disposeAll(): void {
    for (const p of [...MdlPanel.panels]) p.dispose();
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, savedState: unknown) {
    this.state = parsePanelState(savedState);
    MdlPanel.panels.add(this);
    MdlPanel.lastActive = this;
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
      codiconsUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'codicons', 'codicon.css')).toString(),
      nonce: makeNonce(),
    });
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) MdlPanel.lastActive = this;
    }, null, this.disposables);
    webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
  }

  /** Queues until the webview says it is ready, so nothing posted during load is lost. */
  private post(message: HostMessage): void {
    if (!this.ready) {
      // Only the newest snapshot and session state matter; keep selection and view requests.
      const kind = (t: HostMessage['type']) => (t === 'packedSnapshot' ? 'snapshot' : t);
      this.pending = this.pending.filter((m) => kind(m.type) !== kind(message.type) || m.type === 'selectMdl');
      this.pending.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      MdlPanel.errors.fire(parsed.error);
      return;
    }
    const m: WebviewMessage = parsed.message;
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const queued = this.pending;
        this.pending = [];
        this.post({ type: 'session', ...MdlPanel.session });
        if (!queued.some((q) => q.type === 'snapshot' || q.type === 'packedSnapshot')) this.post(MdlPanel.snapshotMessage());
        for (const q of queued) if (q.type !== 'session') this.post(q);
        break;
      }
      case 'gotoStep':
        void Promise.resolve(MdlPanel.host.gotoStep(m.step)).catch((e) => MdlPanel.errors.fire(`gotoStep ${m.step}: ${String(e)}`));
        break;
      case 'requestPhysicalMap':
        Promise.resolve(MdlPanel.host.physicalMap(m.step)).then((body) => {
          if (body && MdlPanel.latest?.step === m.step) this.post({ type: 'physicalMap', map: { step: m.step, runs: body.runs, states: body.states } });
        }, (e) => MdlPanel.errors.fire(`physical map: ${String(e)}`));
        break;
      case 'requestPageTables': {
        const { type: _t, ...query } = m;
        const answer = (reply: { walk?: PageTablesResponseBody; error?: string }) => {
          if (MdlPanel.latest?.step === query.step) this.post({ type: 'pageTables', query, ...reply });
        };
        if (!MdlPanel.host.pageTables) {
          answer({ error: 'this debugger does not offer page tables' });
          break;
        }
        Promise.resolve(MdlPanel.host.pageTables({ process: query.process, start: query.start, length: query.length })).then(
          (walk) => answer(walk ? { walk } : { error: 'no MDL Lab debug session is stopped' }),
          (e) => answer({ error: e instanceof Error ? e.message : String(e) }),
        );
        break;
      }
      case 'selectionChanged':
        this.state = { ...this.state, selectedMdl: m.address, view: m.view };
        break;
    }
  }

  dispose(): void {
    if (!MdlPanel.panels.delete(this)) return;
    if (MdlPanel.lastActive === this) MdlPanel.lastActive = [...MdlPanel.panels].pop();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
