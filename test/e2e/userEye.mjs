// The user's-eye test: playwright-core on Debian's chromium drives the real workbench the way a
// student does — open the sample, press F5, look at the stop, the Variables view and the MDL panel,
// then run a lab exercise into its bug check — asserting only on what is on screen, and saving a
// screenshot of each step under test-results/screenshots/.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { shimExecutable } from '../../scripts/setup-test-web.mjs';
import { freePort, quietWorkbenchLogs, withTimeout } from './webTools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shots = join(root, 'test-results', 'screenshots');

/** A lab whose exercise ends in a bug check (lab.json says which), lab 08 when it still does. */
function bugCheckingExercise(workspace) {
  const labs = join(workspace, 'labs');
  const found = readdirSync(labs).sort().flatMap((id) => {
    try {
      const manifest = JSON.parse(readFileSync(join(labs, id, 'lab.json'), 'utf8'));
      return manifest.exercise?.bugcheck ? [{ id, code: String(manifest.exercise.bugcheck) }] : [];
    } catch {
      return [];
    }
  });
  const lab = found.find((l) => l.id.startsWith('08-')) ?? found[0];
  if (!lab) throw new Error('no lab exercise in labs/*/lab.json ends in a bug check');
  return lab;
}

/** One step of the walk-through, reported like a mocha test so that `npm test` counts it. */
function reporter() {
  const results = [];
  return {
    results,
    async step(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        console.log(`    ✔ ${name} (${Date.now() - t0}ms)`);
        return true;
      } catch (e) {
        results.push({ name, ok: false, error: e });
        console.log(`    ✘ ${name}\n      ${String(e.message ?? e).split('\n').slice(0, 6).join('\n      ')}`);
        return false;
      }
    },
  };
}

async function showExplorer(page) {
  // Shows (never toggles off) the Explorer, wherever the focus is.
  if (await page.locator('.sidebar .explorer-folders-view').isVisible()) return;
  await runCommand(page, 'View: Show Explorer');
  await page.locator('.sidebar .explorer-folders-view').waitFor({ timeout: 5000 });
}

async function openInExplorer(page, ...names) {
  await showExplorer(page);
  for (const name of names) {
    const item = page.getByRole('treeitem', { name, exact: true }).first();
    await item.waitFor({ timeout: 10000 });
    // Folders expand on click; a file opens in the editor.
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
  }
  await page.locator(`.tab[aria-label^="${names[names.length - 1]}"]`).first().waitFor({ timeout: 10000 });
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 5000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 5000 });
  await page.keyboard.press('Enter');
}

/** The webview frame of the MDL panel: the inner frame whose document holds the panel's root. */
async function mdlPanelFrame(page, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (!/localhost/.test(f.url()) || f === page.mainFrame()) continue;
      try {
        if (await f.locator('body').getByText('MDL', { exact: false }).count()) {
          if ((await f.locator('[data-view], .mdl-panel, main, #app').count()) > 0) return f;
        }
      } catch {
        // Frames come and go while the webview loads.
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no MDL panel webview frame within ${ms} ms (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
}

/** The Variables view's row whose name is exactly `name`. */
function variablesRow(page, name) {
  return page.locator(`.debug-variables .monaco-list-row[aria-label^="${name}, value"]`).first();
}

/** The Variables view's scope row (Locals, Globals…), expanded. */
async function expandScope(page, scope) {
  const row = page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${scope}"]`).first();
  await row.waitFor({ timeout: 10000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
}

export async function runUserEyeTest(env, workspace) {
  mkdirSync(shots, { recursive: true });
  const { open } = await import('@vscode/test-web');
  const port = await freePort();
  console.log(`\n--- user's-eye test: playwright-core drives the workbench (port ${port})`);
  const { step, results } = reporter();
  const server = await quietWorkbenchLogs(() => open({
    browserType: 'none', quality: 'insider', commit: env.commit, testRunnerDataDir: env.testWebDataDir,
    host: 'localhost', port, extensionDevelopmentPath: root, folderPath: workspace, printServerLog: false,
  }));
  const browser = await chromium.launch({ executablePath: shimExecutable(), headless: true });
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => problems.push(String(e)));
    await withTimeout((async () => {
      const ok = await step('the workbench loads with the workspace in the Explorer', async () => {
        await page.goto(`http://localhost:${port}/`, { waitUntil: 'domcontentloaded', timeout: 90000 });
        await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
        await page.getByRole('treeitem', { name: 'samples', exact: true }).waitFor({ timeout: 40000 });
      });
      if (!ok) return;

      await step('opening the sample shows it as C in the editor', async () => {
        await openInExplorer(page, 'samples', '01-probe-and-lock', 'scenario.c');
        await page.locator('.monaco-editor .view-lines', { hasText: 'MmProbeAndLockPages' }).first().waitFor({ timeout: 10000 });
      });

      let stopLine = 0;
      let stoppedMdl = null;
      const stopped = await step('F5 with no launch.json runs the scenario and stops at its first LabBreak()', async () => {
        await page.locator('.monaco-editor .view-lines').first().click();
        await page.keyboard.press('F5');
        await page.locator('.debug-toolbar').waitFor({ timeout: 20000 });
        // The top stack frame's arrow in the glyph margin and the highlighted line.
        await page.locator('.codicon-debug-stackframe').first().waitFor({ timeout: 20000 });
        const line = page.locator('.monaco-editor .view-overlays .debug-top-stack-frame-line').first();
        await line.waitFor({ timeout: 5000 });
        await page.screenshot({ path: join(shots, '1-editor-stopped.png') });
        const status = await page.locator('.statusbar').innerText();
        const where = /MDL Lab: (\w+):(\d+)/.exec(status);
        if (!where) throw new Error(`the status bar does not show where MDL Lab stopped (${status.replace(/\s+/g, ' ').slice(0, 200)})`);
        stopLine = Number(where[2]);
      });

      if (stopped) {
        await step('the Variables view shows mdl as a PMDL whose MdlFlags decode to MDL_PAGES_LOCKED', async () => {
          await expandScope(page, 'Locals');
          const mdl = variablesRow(page, 'mdl');
          await mdl.waitFor({ timeout: 10000 });
          const label = (await mdl.getAttribute('aria-label')) ?? '';
          const address = /value (0x[0-9a-f`]+)/i.exec(label)?.[1];
          if (!address) throw new Error(`the mdl row reads "${label}"`);
          stoppedMdl = address.replace(/^0x/i, '').toLowerCase();
          if ((await mdl.getAttribute('aria-expanded')) !== 'true') await mdl.click();
          const flags = variablesRow(page, 'MdlFlags');
          await flags.waitFor({ timeout: 10000 });
          const text = await flags.innerText();
          if (!/MDL_PAGES_LOCKED/.test(text)) throw new Error(`MdlFlags reads "${text}"`);
          await variablesRow(page, 'PfnArray').waitFor({ timeout: 5000 });
          await page.screenshot({ path: join(shots, '2-variables-pmdl.png') });
        });

        await step('"MDL Lab: Show MDL View" opens the panel, which shows the locked MDL with its flag names and PFNs', async () => {
          await runCommand(page, 'MDL Lab: Show MDL View');
          const frame = await mdlPanelFrame(page, 20000);
          await frame.getByText('MDL_PAGES_LOCKED').first().waitFor({ timeout: 10000 });
          // The MDL of this stop: the address the Variables view shows for mdl, and this line.
          const body = (await frame.locator('body').innerText()).toLowerCase();
          if (stoppedMdl && !body.includes(stoppedMdl)) throw new Error(`the panel does not show the MDL ${stoppedMdl} that mdl points to`);
          if (!body.includes(`scenario.c:${stopLine}`)) throw new Error(`the panel header does not name the stop (scenario.c:${stopLine})`);
          // Three pages from 0x200 into a page span four frames: four PFN rows, each a frame number.
          const pfns = await frame.locator('.pfns .pfn-row:not(.pfn-head) .c-pfn').allInnerTexts();
          if (pfns.length !== 4 || !pfns.every((t) => /^(0x)?[0-9a-f]+$/i.test(t.trim()))) throw new Error(`the PFN array shows ${JSON.stringify(pfns)}`);
          // Room for the panel: hide the side bar and the bottom panel (focus in the editor, so the keys reach the workbench).
          await page.locator('.tab[aria-label^="scenario.c"]').first().click();
          await page.keyboard.press('Control+B');
          await page.keyboard.press('Control+J');
          await page.waitForTimeout(500);
          await page.screenshot({ path: join(shots, '3-mdl-panel.png') });
          const iframe = page.locator('iframe.webview.ready').first();
          if (await iframe.count()) await iframe.screenshot({ path: join(shots, '3-mdl-panel-only.png') });
        });

        await step('stopping the session ends it and takes MDL Lab out of the status bar', async () => {
          await page.keyboard.press('Shift+F5');
          await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 });
          await page.locator('.statusbar', { hasText: 'MDL Lab:' }).waitFor({ state: 'detached', timeout: 5000 });
        });
      }

      const lab = bugCheckingExercise(workspace);
      await step(`a lab exercise (${lab.id}) run with F5 stops at its bug check ${lab.code}, named in the exception widget`, async () => {
        await openInExplorer(page, 'labs', lab.id, 'exercise.c');
        await page.locator('.monaco-editor .view-lines').first().click();
        await page.keyboard.press('F5');
        const widget = page.locator('.exception-widget').first();
        await widget.waitFor({ timeout: 30000 });
        const text = await widget.innerText();
        // As WinDbg prints it: *** BUGCHECK 0x000000D1 (p1, p2, p3, p4) DRIVER_IRQL_NOT_LESS_OR_EQUAL
        const code = lab.code.replace(/^0x0*/i, '');
        if (!new RegExp(`BUGCHECK 0x0*${code} \\([^)]*\\) [A-Z][A-Z0-9_]{5,}`, 'i').test(text)) {
          throw new Error(`the exception widget does not name bug check ${lab.code}: "${text.slice(0, 300)}"`);
        }
        await page.screenshot({ path: join(shots, '4-bugcheck.png') });
        await page.keyboard.press('Shift+F5');
      });
    })(), 240_000, "the user's-eye test");
  } catch (e) {
    results.push({ name: 'the walk-through finished in time', ok: false, error: e });
    console.log(`    ✘ ${e.message}`);
  } finally {
    await browser.close().catch(() => undefined);
    server.dispose();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (problems.length) console.log(`  page errors seen: ${problems.slice(0, 5).join(' | ')}`);
  console.log(`  ${passed} passing`);
  if (failed) console.log(`  ${failed} failing`);
  console.log(`  screenshots: ${shots}`);
  return { passed, failed };
}
