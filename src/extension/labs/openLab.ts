// "MDL Lab: Open Lab…": copies a shipped lab into the workspace (labs/NN-name) or into a new
// folder, adds its launch configurations, and opens its scenario beside its guide.
import * as vscode from 'vscode';
import { openedLabs } from './breakAt';
import { listShippedLabs, readText, type ShippedLab } from './catalog';
import { showLabGuide } from './labGuide';
import { LAB_FILES, labLabel, labLaunchConfigurations, launchJsonText, mergeConfigurations, type LabManifest } from './labModel';

const PENDING_KEY = 'mdlLab.pendingLabOpen';
const encoder = new TextEncoder();

interface PendingOpen {
  folder: string;
  lab: string;
  title: string;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** How a caller (a walkthrough link, a test) can open a lab without being asked. */
export interface OpenLabOptions {
  /** 'workspace': copy into the first workspace folder without asking where. */
  into?: 'workspace';
  /** When the lab is already there: keep the student's copy or start again, without asking. */
  ifExists?: 'keep' | 'replace';
}

/** Copies the lab's files; files the student already has are kept unless they agree to replace them. */
async function copyLab(lab: ShippedLab, target: vscode.Uri, ifExists?: 'keep' | 'replace'): Promise<boolean> {
  const already = await exists(vscode.Uri.joinPath(target, 'scenario.c'));
  let replace = ifExists === 'replace';
  if (already && !ifExists) {
    const choice = await vscode.window.showWarningMessage(
      `${labLabel(lab.manifest)} is already in ${target.path}. Keep your copy, or start again from the original?`,
      { modal: true }, 'Keep my copy', 'Start again',
    );
    if (!choice) return false;
    replace = choice === 'Start again';
  }
  await vscode.workspace.fs.createDirectory(target);
  for (const name of LAB_FILES) {
    const to = vscode.Uri.joinPath(target, name);
    if (!replace && (await exists(to))) continue;
    // Read and write rather than copy: the source may be served over HTTP (VS Code for the Web).
    await vscode.workspace.fs.writeFile(to, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(lab.folder, name)));
  }
  return true;
}

/** Opens scenario.c in the first column and the guide beside it. */
export async function showLab(folder: vscode.Uri, manifest: Pick<LabManifest, 'id' | 'title' | 'order'>): Promise<void> {
  openedLabs.set(manifest.id, folder);
  await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, 'scenario.c'), { viewColumn: vscode.ViewColumn.One, preview: false });
  await showLabGuide(folder, `Lab ${manifest.order} — ${manifest.title}`, vscode.ViewColumn.Two);
}

async function addWorkspaceLaunchConfigurations(folder: vscode.WorkspaceFolder, lab: LabManifest): Promise<void> {
  const config = vscode.workspace.getConfiguration('launch', folder.uri);
  const added = labLaunchConfigurations(lab, `\${workspaceFolder}/labs/${lab.id}`);
  await config.update('configurations', mergeConfigurations(config.get('configurations'), added), vscode.ConfigurationTarget.WorkspaceFolder);
}

async function pickLab(context: vscode.ExtensionContext, labId?: string): Promise<ShippedLab | undefined> {
  const labs = await listShippedLabs(context.extensionUri, (m) => void vscode.window.showWarningMessage(`MDL Lab: ${m}`));
  if (!labs.length) {
    void vscode.window.showErrorMessage('MDL Lab: no labs were found in the extension.');
    return undefined;
  }
  if (labId) return labs.find((l) => l.manifest.id === labId);
  const picked = await vscode.window.showQuickPick(
    labs.map((l) => ({ label: labLabel(l.manifest), detail: l.manifest.summary, lab: l })),
    { title: 'MDL Lab: Open Lab', placeHolder: 'Which lab?', matchOnDetail: true },
  );
  return picked?.lab;
}

export async function openLab(context: vscode.ExtensionContext, labId?: string, options: OpenLabOptions = {}): Promise<vscode.Uri | undefined> {
  const lab = await pickLab(context, typeof labId === 'string' ? labId : undefined);
  if (!lab) return undefined;
  const workspace = vscode.workspace.workspaceFolders?.[0];
  const intoWorkspace = 'Copy into this workspace';
  const intoNewFolder = 'Copy into a new folder…';
  const where = workspace && options.into === 'workspace'
    ? { label: intoWorkspace }
    : workspace
    ? await vscode.window.showQuickPick([
        { label: intoWorkspace, detail: `${workspace.name}/labs/${lab.manifest.id}, with launch configurations in its launch.json` },
        { label: intoNewFolder, detail: 'A folder of its own, opened in a new window' },
      ], { title: labLabel(lab.manifest) })
    : { label: intoNewFolder };
  if (!where) return undefined;

  if (workspace && where.label === intoWorkspace) {
    const target = vscode.Uri.joinPath(workspace.uri, 'labs', lab.manifest.id);
    if (!(await copyLab(lab, target, options.ifExists))) return undefined;
    await addWorkspaceLaunchConfigurations(workspace, lab.manifest);
    await showLab(target, lab.manifest);
    return target;
  }

  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Put the lab here' });
  if (!chosen?.[0]) return undefined;
  const target = vscode.Uri.joinPath(chosen[0], lab.manifest.id);
  if (!(await copyLab(lab, target, options.ifExists))) return undefined;
  const launch = vscode.Uri.joinPath(target, '.vscode', 'launch.json');
  if (!(await exists(launch))) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '.vscode'));
    await vscode.workspace.fs.writeFile(launch, encoder.encode(launchJsonText(labLaunchConfigurations(lab.manifest, '${workspaceFolder}'))));
  }
  const pending: PendingOpen = { folder: target.toString(), lab: lab.manifest.id, title: lab.manifest.title };
  await context.globalState.update(PENDING_KEY, pending);
  await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: !!workspace });
  return target;
}

/** After "a new folder" reopened the window on the lab: show its scenario and guide once. */
export async function resumePendingLabOpen(context: vscode.ExtensionContext): Promise<void> {
  const pending = context.globalState.get<PendingOpen>(PENDING_KEY);
  if (!pending) return;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === pending.folder);
  if (!folder) return;
  await context.globalState.update(PENDING_KEY, undefined);
  const manifest = JSON.parse(await readText(vscode.Uri.joinPath(folder.uri, 'lab.json'))) as LabManifest;
  await showLab(folder.uri, { id: pending.lab, title: pending.title, order: manifest.order });
}
