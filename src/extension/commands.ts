// The commands MDL Lab contributes: open the MDL view, show one PMDL from the Variables view in it,
// and debug the scenario in the editor.
import * as vscode from 'vscode';
import { DEBUG_SCENARIO, SHOW_MDL_OF_VARIABLE, SHOW_MDL_VIEW } from './commandIds';
import { defaultLaunchConfiguration, isScenarioDocument } from './debugConfiguration';
import type { MdlSessions } from './mdlSessions';
import { panels } from './panelsBridge';
import type { ScenarioRunGate } from './trust';
import { isViewId } from '../../media/panel/protocol';

/** The address a PMDL variable holds, from its DAP value ("0xffff… {…}" or a bare hex). */
export function mdlAddressOf(variable: { value?: string; memoryReference?: string } | undefined): string | undefined {
  // WinDbg writes 64-bit addresses with a backtick between the halves (0xffffe000`00000130).
  const text = (variable?.memoryReference ?? variable?.value ?? '').replace(/`/g, '');
  const m = /0x[0-9a-f]+/i.exec(text);
  return m ? m[0].toLowerCase() : undefined;
}

export function registerCommands(context: vscode.ExtensionContext, sessions: MdlSessions, gate: ScenarioRunGate): void {
  context.subscriptions.push(
    // An optional view id ("physical", "timeline"…) lets links such as command:mdlLab.showMdlView?["physical"] open one view.
    vscode.commands.registerCommand(SHOW_MDL_VIEW, async (view?: unknown) => {
      panels.show(context.extensionUri, await sessions.refresh(), isViewId(view) ? view : undefined);
    }),
    // From the Variables view's context menu ({container, variable}) or the debug visualizer ({address}).
    vscode.commands.registerCommand(SHOW_MDL_OF_VARIABLE, async (arg?: { variable?: { value?: string; memoryReference?: string }; address?: string }) => {
      const address = arg?.address ?? mdlAddressOf(arg?.variable);
      if (!address) {
        void vscode.window.showErrorMessage('MDL Lab: this variable does not hold an MDL address.');
        return;
      }
      panels.show(context.extensionUri, await sessions.refresh());
      panels.selectMdl(context.extensionUri, address);
    }),
    vscode.commands.registerCommand(DEBUG_SCENARIO, async (uri?: vscode.Uri) => {
      if (uri instanceof vscode.Uri) await vscode.window.showTextDocument(uri);
      const editor = vscode.window.activeTextEditor;
      if (!isScenarioDocument(editor?.document)) {
        void vscode.window.showErrorMessage('MDL Lab: open a .c scenario to debug it.');
        return;
      }
      // Refused here, before VS Code's own trust prompt, with MDL Lab's reason and a way back.
      const target = editor.document.uri;
      const name = target.path.split('/').pop() || 'the scenario';
      if (!gate.allowRun(`Debug ${name}`, () => vscode.commands.executeCommand(DEBUG_SCENARIO, target))) return;
      const folder = vscode.workspace.getWorkspaceFolder(target);
      await vscode.debug.startDebugging(folder, defaultLaunchConfiguration());
    }),
  );
}
