// Launch configurations for `mdl`: the one offered when F5 is pressed with no launch.json, the
// initial launch.json entry, and `${file}` resolved to the scenario open in the editor.
import * as vscode from 'vscode';
import type { ScenarioRunGate } from './trust';

export const DEBUG_TYPE = 'mdl';

/** The configuration F5 uses when the workspace has no launch.json. */
export function defaultLaunchConfiguration(): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug MDL scenario', program: '${file}', stopOnEntry: false };
}

/** True for a document a scenario can be: C source. */
export function isScenarioDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && (doc.languageId === 'c' || /\.c$/i.test(doc.uri.path));
}

/**
 * A URI as the launch request carries it: a file-system path on disk, the full URI elsewhere (the
 * adapter-side mapping turns workspace URIs into paths).
 */
export function programFor(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

export class MdlConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly gate?: ScenarioRunGate) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [defaultLaunchConfiguration()];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    // VS Code asks for trust before it gets here; a host that does not still meets MDL Lab's refusal
    // (a launch.json is workspace content: its program and options are the workspace's choice).
    if (this.gate && !this.gate.allowRun(String(config.name || 'Debug MDL scenario'))) return undefined;
    const editor = vscode.window.activeTextEditor;
    // F5 with no launch.json arrives as an empty configuration.
    if (!config.type && !config.request && !config.name) {
      if (!isScenarioDocument(editor?.document)) {
        void vscode.window.showErrorMessage(notAScenario(editor?.document));
        return undefined;
      }
      config = defaultLaunchConfiguration();
    }
    if (config.request !== 'launch') {
      void vscode.window.showErrorMessage(`MDL Lab only launches scenarios ("request": "launch"); "${config.request}" is not supported.`);
      return undefined;
    }
    if (config.program === undefined || config.program === '') config.program = '${file}';
    if (typeof config.program !== 'string') {
      void vscode.window.showErrorMessage('"program" in the MDL Lab launch configuration must be the path of a .c scenario.');
      return undefined;
    }
    if (config.program.includes('${file}')) {
      if (!isScenarioDocument(editor?.document)) {
        void vscode.window.showErrorMessage(notAScenario(editor?.document));
        return undefined;
      }
      config.program = config.program.split('${file}').join(programFor(editor.document.uri));
    }
    return config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const program = String(config.program ?? '');
    if (!/\.c$/i.test(program)) {
      void vscode.window.showErrorMessage(`MDL Lab runs C scenarios: "${program}" is not a .c file.`);
      return undefined;
    }
    return config;
  }
}

function notAScenario(doc: vscode.TextDocument | undefined): string {
  if (!doc) return 'MDL Lab: open a scenario (a .c file) in the editor, then press F5.';
  const name = doc.uri.path.split('/').pop() || doc.uri.toString();
  return `MDL Lab: "${name}" is not a C scenario. Open a .c file (for example samples/01-probe-and-lock/scenario.c), then press F5.`;
}
