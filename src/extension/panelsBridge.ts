// The one place the extension shell calls the MDL panels (src/extension/panels/), so the rest of
// the shell does not depend on how the panels are built.
import * as vscode from 'vscode';
import type { Snapshot } from '../engine/snapshot';

export interface PanelsApi {
  /** Opens the MDL view (or reveals it) and shows the latest snapshot. */
  show(extensionUri: vscode.Uri, snapshot: Snapshot | null): void;
  /** Sends a new stop's snapshot to every open panel. */
  updateAll(snapshot: Snapshot | null): void;
  /** Selects one MDL by address in the open panel (opening it if needed). */
  selectMdl(extensionUri: vscode.Uri, address: string): void;
  /** Restores panels after a window reload. */
  register(context: vscode.ExtensionContext): void;
}

/** Until the panels are part of the build: say so rather than fail silently. */
const missing: PanelsApi = {
  show: () => void vscode.window.showWarningMessage('MDL Lab: the MDL view is not part of this build.'),
  updateAll: () => undefined,
  selectMdl: () => void vscode.window.showWarningMessage('MDL Lab: the MDL view is not part of this build.'),
  register: () => undefined,
};

export const panels: PanelsApi = missing;
