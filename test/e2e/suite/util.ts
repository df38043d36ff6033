// Helpers for the end-to-end suite: finding the extension and the samples, and waiting on VS Code.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mdl-lab.mdl-lab';

export async function activeExtension<T = unknown>(): Promise<vscode.Extension<T>> {
  const ext = vscode.extensions.getExtension<T>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this workbench`);
  await ext.activate();
  return ext;
}

/** The workspace folder the runner opened: a copy of samples/ and labs/. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the end-to-end suite needs a workspace folder (the runner opens a copy of samples/ and labs/)');
  return folder.uri;
}

export function sampleUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...segments);
}

/** Resolves with the first event that passes `test`, or rejects after `ms` with `what` in the message. */
export function waitFor<T>(event: vscode.Event<T>, test: (e: T) => boolean, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)); }, ms);
    const sub = event((e) => {
      if (!test(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a truthy value; rejects after `ms` naming `what`. */
export async function until<T>(probe: () => T | undefined | null | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}
