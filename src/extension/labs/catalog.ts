// The labs shipped with the extension (its labs/ folder), read through vscode.workspace.fs so that
// the same code serves the desktop and the web extension host.
import * as vscode from 'vscode';
import { parseLabIndex, parseLabManifest, sortLabs, type LabManifest } from './labModel';

export interface ShippedLab {
  manifest: LabManifest;
  /** The lab's folder inside the extension. */
  folder: vscode.Uri;
}

const decoder = new TextDecoder();

export async function readText(uri: vscode.Uri): Promise<string> {
  return decoder.decode(await vscode.workspace.fs.readFile(uri));
}

/**
 * Every lab under `<extension>/labs/NN-name/lab.json`, in workshop order. The list comes from
 * labs/index.json, because extension files served over HTTP (VS Code for the Web) cannot be listed;
 * a folder listing is the fallback. Broken labs are reported, not fatal.
 */
export async function listShippedLabs(extensionUri: vscode.Uri, report: (message: string) => void = () => undefined): Promise<ShippedLab[]> {
  const root = vscode.Uri.joinPath(extensionUri, 'labs');
  let names: string[] = [];
  try {
    names = parseLabIndex(await readText(vscode.Uri.joinPath(root, 'index.json')));
  } catch {
    try {
      names = (await vscode.workspace.fs.readDirectory(root)).filter(([n, t]) => t === vscode.FileType.Directory && /^\d\d-/.test(n)).map(([n]) => n);
    } catch {
      return [];
    }
  }
  const labs: ShippedLab[] = [];
  for (const name of names) {
    const folder = vscode.Uri.joinPath(root, name);
    try {
      labs.push({ manifest: parseLabManifest(await readText(vscode.Uri.joinPath(folder, 'lab.json')), name), folder });
    } catch (e) {
      report((e as Error).message);
    }
  }
  const order = sortLabs(labs.map((l) => l.manifest));
  return order.map((m) => labs.find((l) => l.manifest === m)!);
}
