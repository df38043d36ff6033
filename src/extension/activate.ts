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

/** What activation returns: used by the end-to-end tests, and by other extensions if ever needed. */
export interface MdlLabApi {
  readonly sessions: MdlSessions;
  readonly visualizerRegistered: boolean;
  /** How many MDL panels are open. */
  readonly openPanels: () => number;
  /** Routes the MDL panels' requests elsewhere (undefined: back to the debug session). */
  readonly setPanelHost: (host: MdlPanelHost | undefined) => void;
}

export function activateMdlLab(context: vscode.ExtensionContext): MdlLabApi {
  const sessions = new MdlSessions();
  const provider = new MdlConfigurationProvider();
  const c = { language: 'c' };
  context.subscriptions.push(
    sessions,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    // Offered in the "Run and Debug" view's picker when there is no launch.json.
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => provider.provideDebugConfigurations() }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineMdlAdapterFactory()),
    vscode.languages.registerInlineValuesProvider(c, new MdlInlineValuesProvider()),
    vscode.languages.registerEvaluatableExpressionProvider(c, new MdlEvaluatableExpressionProvider()),
  );
  registerCommands(context, sessions);
  registerLabCommands(context);
  registerLanguageFeatures(context);
  panels.register(context);
  const visualizerRegistered = registerPmdlVisualizer(context);
  return { sessions, visualizerRegistered, openPanels: () => panels.openPanels, setPanelHost: (h) => panels.setHost(h) };
}
