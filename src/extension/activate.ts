// Activation shared by the desktop (Node) and web (browser worker) entries: everything MDL Lab
// registers with VS Code, with nothing that needs Node.
import * as vscode from 'vscode';
import { InlineMdlAdapterFactory } from './adapterFactory';
import { registerCommands } from './commands';
import { DEBUG_TYPE, MdlConfigurationProvider } from './debugConfiguration';
import { registerPmdlVisualizer } from './debugVisualizer';
import { MdlEvaluatableExpressionProvider, MdlInlineValuesProvider } from './inlineValues';
import { registerLabCommands } from './labs';
import { registerLanguageFeatures } from './language';
import { MdlSessions } from './mdlSessions';
import { panels } from './panelsBridge';
import type { MdlPanelHost } from './panels';
import { ScenarioRunGate, type TrustHost } from './trust';

/** What activation returns: used by the end-to-end tests, and by other extensions if ever needed. */
export interface MdlLabApi {
  readonly sessions: MdlSessions;
  readonly visualizerRegistered: boolean;
  /** How many MDL panels are open. */
  readonly openPanels: () => number;
  /** Routes the MDL panels' requests elsewhere (undefined: back to the debug session). */
  readonly setPanelHost: (host: MdlPanelHost | undefined) => void;
  /** Whether scenarios may run here (workspace trust), and how many runs it refused. */
  readonly runGate: ScenarioRunGate;
}

/** The gate's view of VS Code: workspace trust, and messages. */
const vscodeTrustHost: TrustHost = {
  isTrusted: () => vscode.workspace.isTrusted,
  onDidGrantTrust: (listener) => vscode.workspace.onDidGrantWorkspaceTrust(listener),
  warn: (message, ...buttons) => vscode.window.showWarningMessage(message, ...buttons),
  inform: (message, ...buttons) => vscode.window.showInformationMessage(message, ...buttons),
  manageTrust: () => vscode.commands.executeCommand('workbench.trust.manage'),
};

export function activateMdlLab(context: vscode.ExtensionContext): MdlLabApi {
  const sessions = new MdlSessions();
  const runGate = new ScenarioRunGate(vscodeTrustHost);
  const provider = new MdlConfigurationProvider(runGate);
  const c = { language: 'c' };
  context.subscriptions.push(
    sessions,
    runGate,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    // Offered in the "Run and Debug" view's picker when there is no launch.json.
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => provider.provideDebugConfigurations() }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineMdlAdapterFactory(runGate)),
    vscode.languages.registerInlineValuesProvider(c, new MdlInlineValuesProvider()),
    vscode.languages.registerEvaluatableExpressionProvider(c, new MdlEvaluatableExpressionProvider()),
  );
  registerCommands(context, sessions, runGate);
  registerLabCommands(context);
  registerLanguageFeatures(context, runGate);
  panels.register(context);
  const visualizerRegistered = registerPmdlVisualizer(context);
  return { sessions, visualizerRegistered, openPanels: () => panels.openPanels, setPanelHost: (h) => panels.setHost(h), runGate };
}
