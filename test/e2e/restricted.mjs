// MDL Lab in Restricted Mode, in the real workbench. test-web's own runs are always trusted (its
// workspace is virtual, which VS Code trusts, and the web embedder leaves workspace trust off), so
// this runner serves the workbench itself and opens it in chromium with trust turned on:
//  - the page's workbench configuration gets `enableWorkspaceTrust: true` and the default
//    `security.workspace.trust.emptyWindow: false`, and the window opens without a folder (`?ew=true`),
//    which makes it untrusted as a desktop window is for a folder nobody trusted yet;
//  - the in-host suite (test/e2e/suite/restricted.e2e.ts, chosen because there is no folder) runs;
//  - meanwhile this runner watches the screen like a user: it reads the Restricted Mode indicator and
//    MDL Lab's notifications and, once the suite prints GRANT_TRUST_SIGNAL, clicks "Manage Workspace
//    Trust" on MDL Lab's refusal, "Trust" in VS Code's trust editor, and the run MDL Lab then offers.
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { shimExecutable } from '../../scripts/setup-test-web.mjs';
import { freePort, quietWorkbenchLogs, withTimeout } from './webTools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shots = join(root, 'test-results', 'screenshots');
// Kept in step with test/e2e/suite/restricted.e2e.ts and src/extension/trust.ts.
const GRANT_TRUST_SIGNAL = 'mdl-e2e: grant workspace trust at the next prompt';
const REFUSAL = 'MDL Lab runs scenarios only in a trusted workspace';
const TRUSTED_AGAIN = 'MDL Lab runs scenarios again';

/** The workbench page's configuration (an HTML-escaped JSON attribute), with workspace trust on. */
export function withWorkspaceTrust(html) {
  return html.replace(/(id="vscode-workbench-web-configuration" data-settings=")([^"]*)"/, (_, head, attr) => {
    const config = JSON.parse(attr.replace(/&quot;/g, '"'));
    config.enableWorkspaceTrust = true;
    config.configurationDefaults = { ...config.configurationDefaults, 'security.workspace.trust.emptyWindow': false };
    return `${head}${JSON.stringify(config).replace(/"/g, '&quot;')}"`;
  });
}

/** What the runner saw on screen while the suite ran, and the clicks it made when asked. */
function screenWatcher(page) {
  const seen = {
    toasts: new Set(), dialogs: [], trustRequests: [], trustEditor: '', restrictedIndicator: false,
    phase: 'watch', // 'grant' after GRANT_TRUST_SIGNAL → 'trust-editor' → 'offer' → 'done'
  };
  const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).last();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        if (!seen.restrictedIndicator && (await page.locator('.statusbar', { hasText: 'Restricted Mode' }).count())) seen.restrictedIndicator = true;
        for (const t of await page.locator('.notifications-toasts .notification-toast').allInnerTexts()) {
          const text = t.replace(/\s+/g, ' ').trim();
          if (!seen.toasts.size && text.includes(REFUSAL)) await page.screenshot({ path: join(shots, '5-restricted-mode-refusal.png') });
          seen.toasts.add(text);
        }
        // Under an extension test run the workbench refuses modal dialogs; were one shown, cancel it.
        const dialog = page.locator('.monaco-dialog-box').first();
        if (await dialog.isVisible()) {
          seen.dialogs.push((await dialog.innerText()).replace(/\s+/g, ' ').trim());
          await dialog.getByRole('button', { name: /^Cancel$/ }).first().click();
        }
        if (seen.phase === 'grant' && (await toast(REFUSAL).isVisible())) {
          await toast(REFUSAL).getByRole('button', { name: 'Manage Workspace Trust' }).click();
          seen.phase = 'trust-editor';
        } else if (seen.phase === 'trust-editor') {
          const editor = page.locator('.workspace-trust-editor').first();
          await editor.waitFor({ timeout: 10000 });
          await page.waitForTimeout(300);
          seen.trustEditor = (await editor.innerText()).replace(/\s+/g, ' ').trim();
          await page.screenshot({ path: join(shots, '6-restricted-mode-trust-editor.png') });
          await editor.locator('.workspace-trust-buttons').getByRole('button', { name: /^Trust\b/ }).first().click();
          seen.phase = 'offer';
        } else if (seen.phase === 'offer' && (await toast(TRUSTED_AGAIN).isVisible())) {
          await toast(TRUSTED_AGAIN).getByRole('button', { name: /^Debug / }).click();
          seen.phase = 'done';
        }
      } catch {
        // The page moved on under the probe (a toast closed, an editor opened): look again.
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return { seen, stop: async () => { stopped = true; await loop; } };
}

function check(results, name, ok, detail) {
  results.push({ name, ok });
  console.log(ok ? `    ✔ ${name}` : `    ✘ ${name}\n      ${detail}`);
}

export async function runRestrictedModeTest(env, workspace) {
  mkdirSync(shots, { recursive: true });
  const t0 = Date.now();
  const { open } = await import('@vscode/test-web');
  const port = await freePort();
  console.log(`\n--- Restricted Mode: an untrusted window with workspace trust on (port ${port})`);
  const results = [];
  const server = await quietWorkbenchLogs(() => open({
    browserType: 'none', quality: 'insider', commit: env.commit, testRunnerDataDir: env.testWebDataDir,
    host: 'localhost', port, extensionDevelopmentPath: root, extensionTestsPath: join(root, 'dist/test/suite.js'),
    folderPath: workspace, printServerLog: false,
  }));
  const browser = await chromium.launch({ executablePath: shimExecutable(), headless: true });
  let watcher;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.route((url) => url.port === String(port) && url.pathname === '/', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: withWorkspaceTrust(await response.text()) });
    });
    let finish;
    const exited = new Promise((r) => { finish = r; });
    watcher = screenWatcher(page);
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = args.map(String).join(' ');
      if (line.includes(GRANT_TRUST_SIGNAL)) watcher.seen.phase = 'grant';
      // The workbench's log when a trust prompt is asked for during a test run (it shows none then).
      const request = /refused to show dialog in tests\. Contents: (Do you trust the authors[^:]*)/.exec(line);
      if (request) {
        watcher.seen.trustRequests.push(request[1]);
        return;
      }
      (console[type] ?? console.log)(...args);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    const code = await quietWorkbenchLogs(async () => {
      await page.goto(`http://localhost:${port}/?ew=true`, { waitUntil: 'domcontentloaded', timeout: 90000 });
      return withTimeout(exited, 150_000, 'the Restricted Mode suite');
    });
    await watcher.stop();
    const { seen } = watcher;
    const toasts = [...seen.toasts];
    check(results, 'the in-host Restricted Mode suite passed', code === 0, `exit code ${code}`);
    check(results, 'the status bar showed "Restricted Mode" while the suite ran', seen.restrictedIndicator, 'no Restricted Mode indicator');
    check(results, `"Debug Scenario" showed "${REFUSAL}" as a notification with "Manage Workspace Trust"`,
      toasts.some((t) => t.includes(REFUSAL) && t.includes('Manage Workspace Trust')), `toasts seen: ${JSON.stringify(toasts)}`);
    check(results, 'F5 made VS Code ask for workspace trust (the workbench logs the prompt it holds back in a test run)',
      seen.trustRequests.length > 0 && seen.dialogs.length === 0, `trust requests: ${JSON.stringify(seen.trustRequests)}; dialogs: ${JSON.stringify(seen.dialogs)}`);
    check(results, '"Manage Workspace Trust" on that notification opened VS Code\'s trust editor, which says debugging is disabled in Restricted Mode',
      /You are in Restricted Mode/.test(seen.trustEditor) && /Debugging is disabled/.test(seen.trustEditor), `trust editor: ${seen.trustEditor.slice(0, 400) || '(never opened)'}`);
    check(results, 'after "Trust", MDL Lab offered the refused "Debug scenario.c" again, and the runner chose it',
      seen.phase === 'done' && toasts.some((t) => t.includes(TRUSTED_AGAIN)), `phase ${seen.phase}; toasts: ${JSON.stringify(toasts)}`);
  } catch (e) {
    check(results, 'the Restricted Mode run finished', false, e.message);
  } finally {
    await watcher?.stop().catch(() => undefined);
    await browser.close().catch(() => undefined);
    server.dispose();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`  ${passed} passing`);
  if (failed) console.log(`  ${failed} failing`);
  console.log(`  Restricted Mode run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { passed, failed };
}
