// "Show in MDL View" next to every PMDL in Variables and Watch. VS Code's debug visualizer API is
// still a proposal: where the host does not enable it, the Variables view's context menu entry
// (contributed in package.json) offers the same action.
import * as vscode from 'vscode';
import { SHOW_MDL_OF_VARIABLE } from './commandIds';
import { mdlAddressOf } from './commands';

export const PMDL_VISUALIZER = 'mdlLab.pmdl';

interface VisualizationContext {
  variable: { name?: string; value?: string; type?: string; memoryReference?: string };
}
interface VisualizationApi {
  registerDebugVisualizationProvider(id: string, provider: {
    provideDebugVisualization(context: VisualizationContext, token: vscode.CancellationToken): unknown[];
  }): vscode.Disposable;
}
type VisualizationClass = new (name: string) => { visualization?: vscode.Command };

/** Registers the PMDL visualizer when the API is available; returns whether it is. */
export function registerPmdlVisualizer(context: vscode.ExtensionContext): boolean {
  const api = vscode.debug as unknown as Partial<VisualizationApi>;
  const Visualization = (vscode as unknown as { DebugVisualization?: VisualizationClass }).DebugVisualization;
  if (typeof api.registerDebugVisualizationProvider !== 'function' || !Visualization) return false;
  try {
    context.subscriptions.push(api.registerDebugVisualizationProvider(PMDL_VISUALIZER, {
      provideDebugVisualization(ctx) {
        const address = mdlAddressOf(ctx.variable);
        if (!address || /^0x0+$/.test(address)) return [];
        const v = new Visualization('Show in MDL View');
        v.visualization = { title: 'Show in MDL View', command: SHOW_MDL_OF_VARIABLE, arguments: [{ address }] };
        return [v];
      },
    }));
    return true;
  } catch {
    // The proposal is not enabled for this extension in this VS Code: the context menu remains.
    return false;
  }
}
