// The MDL panels' API for the rest of the extension. Either call `activateMdlPanels(context)` once
// from activation (serializer, snapshots from `mdl` sessions, session state), then open panels with
// `MdlPanel.createOrShow` / `MdlPanel.selectMdl` from commands; or wire the pieces yourself with
// `registerMdlPanelSerializer`, `MdlPanel.updateAll` and `MdlPanel.setSessionState`.
import * as vscode from 'vscode';
import { SNAPSHOT_EVENT } from '../../adapter/protocol';
import type { Snapshot } from '../../engine/snapshot';
import { MdlPanel } from './mdlPanel';

export { MdlPanel, debugSessionHost, type MdlPanelHost, type CreateOptions } from './mdlPanel';
export type { HostMessage, WebviewMessage, PanelState, ViewId, SessionState } from '../../../media/panel/protocol';

/** Restores MDL panels after a window reload. Needs `onWebviewPanel:mdlLab.mdlView` activation. */
export function registerMdlPanelSerializer(context: vscode.ExtensionContext): vscode.Disposable {
  const d = vscode.window.registerWebviewPanelSerializer(MdlPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      MdlPanel.revive(panel, context.extensionUri, state);
    },
  });
  context.subscriptions.push(d);
  return d;
}

/** DAP requests from VS Code that set the session running (so the header can say so). */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame', 'mdlGotoStep']);

export interface MdlPanelsOptions {
  /** Open a panel on the first stop of each session (e.g. from a `mdlLab.openPanelOnStop` setting). */
  openOnFirstStop?: () => boolean;
}

/** Everything the panels need from activation, in one call; all disposables go to the context. */
export function activateMdlPanels(context: vscode.ExtensionContext, options: MdlPanelsOptions = {}): void {
  registerMdlPanelSerializer(context);
  const seen = new Set<string>();
  context.subscriptions.push(
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== 'mdl' || e.event !== SNAPSHOT_EVENT) return;
      if (!seen.has(e.session.id)) {
        seen.add(e.session.id);
        if (options.openOnFirstStop?.() && MdlPanel.openPanels === 0) MdlPanel.createOrShow(context.extensionUri);
      }
      MdlPanel.updateAll(e.body as Snapshot);
    }),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === 'mdl') MdlPanel.setSessionState('running', s.name);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type !== 'mdl') return;
      seen.delete(s.id);
      MdlPanel.setSessionState('ended', s.name);
    }),
    vscode.debug.registerDebugAdapterTrackerFactory('mdl', {
      createDebugAdapterTracker: (s) => ({
        onWillReceiveMessage: (m: { type?: string; command?: string }) => {
          if (m.type === 'request' && m.command && RESUMING.has(m.command)) MdlPanel.setSessionState('running', s.name);
        },
      }),
    }),
    { dispose: () => MdlPanel.disposeAll() },
  );
}
