// Watches the Debug Adapter Protocol traffic of `mdl` sessions from inside the extension host, so
// a test can wait for `stopped` and read what VS Code's debug UI received.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';

type Waiter = { test: (m: DebugProtocol.ProtocolMessage) => boolean; resolve: (m: DebugProtocol.ProtocolMessage) => void };

export class DapTracker implements vscode.Disposable {
  /** Everything the adapter sent, in order (events and responses). */
  readonly fromAdapter: DebugProtocol.ProtocolMessage[] = [];
  private waiters: Waiter[] = [];
  private readonly registration: vscode.Disposable;

  constructor(debugType = 'mdl') {
    this.registration = vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
          this.fromAdapter.push(m);
          this.waiters = this.waiters.filter((w) => (w.test(m) ? (w.resolve(m), false) : true));
        },
      }),
    });
  }

  /** Where the next wait starts looking: only messages after this mark count. */
  mark(): number {
    return this.fromAdapter.length;
  }

  /** The first event named `event` after `since` (already received, or still to come). */
  event<T extends DebugProtocol.Event>(event: string, since: number, ms: number, test: (e: T) => boolean = () => true): Promise<T> {
    const matches = (m: DebugProtocol.ProtocolMessage) => m.type === 'event' && (m as DebugProtocol.Event).event === event && test(m as T);
    const seen = this.fromAdapter.slice(since).find(matches);
    if (seen) return Promise.resolve(seen as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = this.fromAdapter.slice(-5).map((m) => (m.type === 'event' ? `event ${(m as DebugProtocol.Event).event}` : `${m.type} ${(m as DebugProtocol.Response).command ?? ''}`));
        reject(new Error(`timed out after ${ms} ms waiting for the "${event}" event; last messages: ${last.join(', ') || 'none'}`));
      }, ms);
      const waiter: Waiter = { test: matches, resolve: (m) => { clearTimeout(timer); resolve(m as T); } };
      this.waiters.push(waiter);
    });
  }

  stopped(since: number, ms = 20000): Promise<DebugProtocol.StoppedEvent> {
    return this.event<DebugProtocol.StoppedEvent>('stopped', since, ms);
  }

  dispose(): void {
    this.registration.dispose();
  }
}
