// Helpers for the workbench runners: free port, deadlines, quiet logs, a workspace copy, patient test-web pages.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The workbench logs every early read of `vscode-test-web://mount/.vscode/*` that happens before
 * its file system provider registers, and more chatter that says nothing about MDL Lab. Drops
 * those lines from the console while `fn` runs, keeping everything else.
 */
const NOISE = [
  /ENOPRO: No file system provider found/,
  /^Unable to read file 'vscode-test-web:\/\/mount\/\.vscode\//,
  /^Canceled$/,
  /^CodeExpectedError\b/,
  /^Failed to get installed servers from/,
  /^Failed to resolve files at location: vscode-test-web:\/\/mount\//,
  // A window without a folder (the Restricted Mode run) looks for prompt files on a disk it has not got.
  /^Failed to resolve files at location: file:\/\/\//,
  /^\[File Watcher \('FileSystemObserver'\)\] Error: Unavailable/,
  /^Ignoring fetching additional builtin extensions/,
  /package\.nls\.json/,
  /^Creation of workbench contribution /,
  /^\[AgentHost:|^\[AccountPolicyGate\]/,
  // The server's log of a request the browser abandoned (a webview reloading, a page closing).
  /^Error \[ERR_STREAM_PREMATURE_CLOSE\]/,
];
export async function quietWorkbenchLogs(fn) {
  const saved = {};
  for (const k of ['log', 'error', 'warn', 'info']) {
    saved[k] = console[k];
    console[k] = (...args) => {
      const first = String(args[0] ?? '').replace(/\x1b\[[0-9;]*m/g, '').trimStart().split('\n')[0];
      if (NOISE.some((re) => re.test(first))) return;
      saved[k](...args);
    };
  }
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * The folder the workbench opens: a fresh copy of samples/ and labs/ under test-results/, so the
 * tests may edit, save and add files without touching the repository.
 */
export function prepareWorkspace(root) {
  const ws = join(root, 'test-results', 'workspace');
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(ws, { recursive: true });
  for (const dir of ['samples', 'labs']) {
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(ws, dir), { recursive: true });
  }
  return ws;
}

/**
 * test-web opens the workbench with Playwright's default 30 s navigation timeout, which a busy
 * 2-core machine can exceed while chromium compiles the workbench; give its pages two minutes.
 * Patches the `playwright` instance test-web itself loads.
 */
export function patientPlaywrightForTestWeb() {
  const pw = createRequire(createRequire(import.meta.url).resolve('@vscode/test-web'))('playwright');
  if (pw.chromium.__mdlPatient) return;
  const launch = pw.chromium.launch.bind(pw.chromium);
  pw.chromium.launch = async (options) => {
    const browser = await launch(options);
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (contextOptions) => {
      const context = await newContext(contextOptions);
      context.setDefaultNavigationTimeout(120_000);
      return context;
    };
    return browser;
  };
  pw.chromium.__mdlPatient = true;
}
