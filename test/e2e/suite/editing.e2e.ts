// Editing a scenario in a real workbench: the language features answer through VS Code's own
// provider commands, exactly as the editor asks them while a student types.
import * as vscode from 'vscode';
import * as assert from './assert';
import { activeExtension, sampleUri, until } from './util';

const SAMPLE = ['samples', '01-probe-and-lock', 'scenario.c'];

function positionOf(doc: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" is in ${doc.uri.path}`);
  return doc.positionAt(i + delta);
}

function markdownOf(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('editing a scenario', () => {
  let doc: vscode.TextDocument;
  before(async () => {
    await activeExtension();
    doc = await vscode.workspace.openTextDocument(sampleUri(...SAMPLE));
    await vscode.window.showTextDocument(doc);
  });

  it('hovering MmProbeAndLockPages shows its prototype and IRQL rule', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'MmProbeAndLockPages(mdl', 4));
    const text = markdownOf(hovers);
    assert.match(text, /VOID MmProbeAndLockPages\(PMDL MemoryDescriptorList/);
    assert.match(text, /IRQL/);
  });

  it('completion after "mdl->" offers the MDL fields with their offsets', async () => {
    const edit = await vscode.workspace.openTextDocument({ language: 'c', content: '#include <ntifs.h>\n#include <mdlab.h>\nVOID F(PMDL mdl) {\n    mdl->\n}\nVOID LabMain(VOID) {}\n' });
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', edit.uri, new vscode.Position(3, 9), '>');
    const flags = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'MdlFlags');
    assert.ok(flags, 'MdlFlags is offered');
    assert.strictEqual(flags.detail, '+0x00a CSHORT');
  });

  it('a syntax error appears in the Problems view with its line', async () => {
    const bad = await vscode.workspace.openTextDocument({ language: 'c', content: '#include <mdlab.h>\nVOID LabMain(VOID)\n{\n    ULONG x = 1\n    x++;\n}\n' });
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(bad.uri).filter((x) => x.source === 'MDL Lab');
      return d.length ? d : undefined;
    }, 20000, 'MDL Lab diagnostics on the broken scenario');
    assert.ok(diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error && (d.range.start.line === 3 || d.range.start.line === 4)), JSON.stringify(diags.map((d) => [d.range.start.line, d.message])));
  });

  it('"Run | Debug scenario" code lenses stand above LabMain', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const ours = lenses.filter((l) => l.command?.command === 'mdlLab.runScenario' || l.command?.command === 'mdlLab.debugScenario');
    assert.strictEqual(ours.length, 2);
    assert.strictEqual(ours[0].range.start.line, positionOf(doc, 'VOID LabMain').line);
  });

  it('go to definition of IoFreeMdl opens the built-in header that declares it', async () => {
    const locs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, positionOf(doc, 'IoFreeMdl(mdl);', 3));
    const uri = locs.map((l) => ('targetUri' in l ? l.targetUri : l.uri)).find((u) => u.scheme === 'mdlab-header');
    assert.ok(uri, 'a built-in header location');
    const header = await vscode.workspace.openTextDocument(uri);
    const line = ('targetUri' in locs[0] ? locs[0].targetRange : locs[0].range).start.line;
    assert.match(header.lineAt(line).text, /IoFreeMdl/);
  });
});
