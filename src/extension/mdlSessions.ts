// Follows `mdl` debug sessions: keeps the latest MM snapshot of each stop (the panels get it on
// their own, see panels/index.ts) and shows a status-bar item while a session runs.
import * as vscode from 'vscode';
import { SNAPSHOT_EVENT, SNAPSHOT_REQUEST, type SnapshotResponseBody } from '../adapter/protocol';
import type { Snapshot } from '../engine/snapshot';
import { DEBUG_TYPE } from './debugConfiguration';
import { SHOW_MDL_VIEW } from './commandIds';

export class MdlSessions implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusItem: vscode.StatusBarItem;
  private readonly live = new Set<string>();
  private latest: Snapshot | null = null;
  private readonly snapshotEmitter = new vscode.EventEmitter<Snapshot>();
  /** Fires with every snapshot an `mdl` session reports (tests and panels listen). */
  readonly onDidReceiveSnapshot = this.snapshotEmitter.event;

  constructor() {
    this.statusItem = vscode.window.createStatusBarItem('mdlLab.session', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'MDL Lab';
    this.statusItem.command = SHOW_MDL_VIEW;
    this.disposables.push(
      this.statusItem,
      this.snapshotEmitter,
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.terminated(s)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type === DEBUG_TYPE && e.event === SNAPSHOT_EVENT && e.body) this.received(e.body as Snapshot);
      }),
    );
  }

  /** The snapshot of the most recent stop of any `mdl` session, or null. */
  get latestSnapshot(): Snapshot | null {
    return this.latest;
  }

  /** Asks the active `mdl` session for its current snapshot (after a panel opens late). */
  async refresh(): Promise<Snapshot | null> {
    const session = vscode.debug.activeDebugSession;
    if (session?.type !== DEBUG_TYPE) return this.latest;
    try {
      const body = (await session.customRequest(SNAPSHOT_REQUEST)) as SnapshotResponseBody | undefined;
      if (body?.snapshot) this.received(body.snapshot);
    } catch {
      // Running or not stopped yet: the next stop sends a snapshot anyway.
    }
    return this.latest;
  }

  private started(session: vscode.DebugSession): void {
    if (session.type !== DEBUG_TYPE) return;
    this.live.add(session.id);
    this.statusItem.text = '$(debug-alt) MDL Lab: running';
    this.statusItem.tooltip = `MDL Lab is running ${session.configuration.program ?? 'a scenario'}. Click to show the MDL view.`;
    this.statusItem.show();
  }

  private terminated(session: vscode.DebugSession): void {
    if (!this.live.delete(session.id)) return;
    if (this.live.size === 0) this.statusItem.hide();
  }

  private received(snapshot: Snapshot): void {
    this.latest = snapshot;
    const where = snapshot.location ? `${snapshot.location.function}:${snapshot.location.line}` : 'stopped';
    const mdls = snapshot.mdls?.length ?? 0;
    this.statusItem.text = snapshot.bugcheck
      ? `$(error) MDL Lab: bug check ${snapshot.bugcheck.name ?? snapshot.bugcheck.code}`
      : `$(debug-pause) MDL Lab: ${where} · ${mdls} MDL${mdls === 1 ? '' : 's'}`;
    this.snapshotEmitter.fire(snapshot);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
