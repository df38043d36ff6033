// Just enough of the `vscode` API for MdlPanel to run in Node: webview panels that record what
// the extension posts and let a test deliver messages as the webview would.

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>, thisArg?: unknown, disposables?: { dispose(): void }[]) => {
    const bound = thisArg ? l.bind(thisArg) : l;
    this.listeners.push(bound);
    const d = { dispose: () => (this.listeners = this.listeners.filter((x) => x !== bound)) };
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  constructor(readonly path: string) {}
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.path, ...parts].join('/'));
  }
  toString(): string {
    return `file://${this.path}`;
  }
}

export enum ViewColumn { Active = -1, Beside = -2, One = 1 }

export class FakeWebviewPanel {
  readonly posted: unknown[] = [];
  readonly received = new EventEmitter<unknown>();
  readonly disposed = new EventEmitter<void>();
  readonly viewState = new EventEmitter<{ webviewPanel: FakeWebviewPanel }>();
  active = true;
  revealed = 0;
  isDisposed = false;
  webview = {
    html: '',
    options: {} as Record<string, unknown>,
    cspSource: 'https://webview.test',
    asWebviewUri: (u: Uri) => new Uri(`webview${u.path}`),
    postMessage: async (m: unknown) => {
      this.posted.push(m);
      return true;
    },
    onDidReceiveMessage: this.received.event,
  };
  onDidDispose = this.disposed.event;
  onDidChangeViewState = this.viewState.event;
  constructor(readonly viewType: string, readonly title: string, readonly options: Record<string, unknown>) {}
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposed.fire();
  }
}

export const created: FakeWebviewPanel[] = [];

export const window = {
  createWebviewPanel(viewType: string, title: string, _show: unknown, options: Record<string, unknown>) {
    const p = new FakeWebviewPanel(viewType, title, options);
    created.push(p);
    return p;
  },
};

export const debug = { activeDebugSession: undefined as unknown };
