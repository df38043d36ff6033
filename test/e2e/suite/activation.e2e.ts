// MDL Lab in a real workbench: it activates, contributes its commands and debugger, and declares
// what it supports in Restricted Mode.
import * as assert from './assert';
import * as vscode from 'vscode';
import { activeExtension, sampleUri, until } from './util';
import type { MdlLabApi } from '../../../src/extension/activate';

describe('MDL Lab in a real VS Code workbench', () => {
  it('activates when a C scenario is opened', async () => {
    const doc = await vscode.workspace.openTextDocument(sampleUri('samples', '01-probe-and-lock', 'scenario.c'));
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'c', 'the workbench knows the scenario as C');
    const ext = await activeExtension();
    assert.ok(ext.isActive);
  });

  it('registers "MDL Lab: Show MDL View" and the other commands it contributes', async () => {
    const ext = await activeExtension();
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.includes('mdlLab.showMdlView'));
    for (const id of contributed) assert.ok(all.has(id), `${id} is registered`);
  });

  it('contributes the mdl debugger with a default launch configuration for ${file}', async () => {
    const ext = await activeExtension();
    const dbg = (ext.packageJSON.contributes.debuggers as { type: string; initialConfigurations: vscode.DebugConfiguration[] }[]).find((d) => d.type === 'mdl');
    assert.ok(dbg, 'a debugger of type mdl');
    assert.deepStrictEqual(dbg.initialConfigurations[0], { type: 'mdl', request: 'launch', name: 'Debug MDL scenario', program: '${file}', stopOnEntry: false });
  });

  it('declares limited support for untrusted workspaces, and runs here because this workspace is trusted', async () => {
    const ext = await activeExtension();
    assert.strictEqual(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.strictEqual(vscode.workspace.isTrusted, true);
  });
});

describe('the MDL view in a real workbench', () => {
  it('"MDL Lab: Show MDL View" opens the MDL panel as a webview beside the editor', async () => {
    const ext = await activeExtension<MdlLabApi>();
    await vscode.commands.executeCommand('mdlLab.showMdlView');
    const isPanel = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mdlLab.mdlView');
    const panel = await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(isPanel), 5000, 'an MDL panel tab');
    assert.strictEqual(panel.label, 'MDL Lab');
    assert.strictEqual(ext.exports.openPanels(), 1);
    // Running the command again reveals the same panel rather than opening a second one.
    await vscode.commands.executeCommand('mdlLab.showMdlView');
    assert.strictEqual(ext.exports.openPanels(), 1);
    assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(isPanel).length, 1);
    await vscode.window.tabGroups.close(panel);
    await until(() => ext.exports.openPanels() === 0, 5000, 'closing the tab to dispose the panel');
  });
});

describe('launch configurations', () => {
  it('offers the default configuration and snippets for ${file}, a chosen file, and a small machine', async () => {
    const ext = await activeExtension();
    const dbg = (ext.packageJSON.contributes.debuggers as { type: string; configurationSnippets: { body: { program: string } }[] }[]).find((d) => d.type === 'mdl');
    assert.ok(dbg && dbg.configurationSnippets.length >= 3);
    assert.ok(dbg.configurationSnippets.every((s) => /\$\{(file|workspaceFolder)\}/.test(s.body.program)));
  });

  it('refuses to launch ${file} when the active editor is not a C scenario, and starts no session', async () => {
    const notC = await vscode.workspace.openTextDocument(sampleUri('labs', '08-context-and-irql', 'lab.json'));
    await vscode.window.showTextDocument(notC);
    const started = await vscode.debug.startDebugging(undefined, { type: 'mdl', request: 'launch', name: 'not a scenario', program: '${file}' });
    assert.strictEqual(started, false);
    assert.strictEqual(vscode.debug.activeDebugSession, undefined);
  });
});
