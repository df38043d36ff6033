// The one place the extension shell calls the MDL panels (src/extension/panels/), so the rest of
// the shell does not depend on how the panels are built.
import * as vscode from 'vscode';
import type { Snapshot } from '../engine/snapshot';
import { NEW_MDL_VIEW } from './commandIds';
import { activateMdlPanels, debugSessionHost, MdlPanel, type MdlPanelHost, type ViewId } from './panels';

export interface PanelsApi {
  /** Opens the MDL view (or reveals it), with the latest snapshot if one is known, optionally on one view. */
  show(extensionUri: vscode.Uri, snapshot: Snapshot | null, view?: ViewId): void;
  /** Selects one MDL by address in the open panel (opening it if needed). */
  selectMdl(extensionUri: vscode.Uri, address: string): void;
  /** Serializer, snapshots from `mdl` sessions and session state: everything panels need at activation. */
  register(context: vscode.ExtensionContext): void;
  /** How many MDL panels are open. */
  readonly openPanels: number;
  /** Routes the panels' requests (time travel, physical map, page tables); undefined restores the debug session route. */
  setHost(host: MdlPanelHost | undefined): void;
}

export const panels: PanelsApi = {
  show(extensionUri, snapshot, view) {
    if (snapshot) MdlPanel.updateAll(snapshot);
    MdlPanel.createOrShow(extensionUri, view ? { view } : {});
  },
  selectMdl(extensionUri, address) {
    MdlPanel.selectMdl(extensionUri, address);
  },
  register(context) {
    activateMdlPanels(context, {
      openOnFirstStop: () => vscode.workspace.getConfiguration('mdlLab').get<boolean>('openPanelOnStop', false),
    });
    context.subscriptions.push(
      // Several panels side by side: e.g. the MDL inspector beside the physical memory map.
      vscode.commands.registerCommand(NEW_MDL_VIEW, (view?: ViewId) => MdlPanel.createOrShow(context.extensionUri, { newPanel: true, ...(view ? { view } : {}) })),
    );
  },
  get openPanels() {
    return MdlPanel.openPanels;
  },
  setHost(host) {
    MdlPanel.setHost(host ?? debugSessionHost);
  },
};
