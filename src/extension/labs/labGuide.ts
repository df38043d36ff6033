// The lab guide: a lab's README rendered by VS Code's markdown engine in a webview whose links to
// MDL Lab's commands work (the built-in markdown preview runs no command links).
import * as vscode from 'vscode';
import { readText } from './catalog';
import { GUIDE_COMMANDS } from './commandIds';
import { escapeHtml, labGuideHtml, makeNonce, sanitizeGuideHtml } from './labModel';

const VIEW_TYPE = 'mdlLab.labGuide';
const open = new Map<string, vscode.WebviewPanel>();

async function renderMarkdown(markdown: string): Promise<string> {
  try {
    const html = await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
    if (typeof html === 'string') return html;
  } catch {
    // The markdown extension is missing or disabled: fall back to the text itself.
  }
  return `<pre>${escapeHtml(markdown)}</pre>`;
}

/** Shows README.md of the lab in `folder` (one guide per folder), beside the editor by default. */
export async function showLabGuide(folder: vscode.Uri, title: string, column: vscode.ViewColumn = vscode.ViewColumn.Beside): Promise<vscode.WebviewPanel> {
  const key = folder.toString();
  let panel = open.get(key);
  if (panel) {
    panel.reveal(column, true);
  } else {
    panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: column, preserveFocus: true }, {
      enableScripts: false,
      enableCommandUris: [...GUIDE_COMMANDS],
      localResourceRoots: [folder],
    });
    open.set(key, panel);
    panel.onDidDispose(() => open.delete(key));
  }
  const markdown = await readText(vscode.Uri.joinPath(folder, 'README.md'));
  const body = sanitizeGuideHtml(await renderMarkdown(markdown), GUIDE_COMMANDS);
  panel.webview.html = labGuideHtml({ title, bodyHtml: body, cspSource: panel.webview.cspSource, nonce: makeNonce() });
  return panel;
}
