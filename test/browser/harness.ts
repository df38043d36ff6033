// Loads the built MDL panel in headless Chromium the way a VS Code webview would: the HTML the
// extension renders (same CSP and nonce), served from a webview-like origin, a fake
// acquireVsCodeApi that records what the panel posts, and a theme's CSS variables on the document.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, renderPanelHtml } from '../../src/extension/panels/html';
import { THEMES, type ThemeName } from './themes';

export const ROOT = resolve(__dirname, '../..');
export const ORIGIN = 'https://mdl-panel.test';
const SCRIPT = join(ROOT, 'dist/media/panel.js');
const STYLE = join(ROOT, 'dist/media/panel.css');

let built: Promise<void> | null = null;

/** Bundles only the panel (same entry and output as esbuild.mjs), so others' work in progress cannot break these tests. */
export function buildPanel(): Promise<void> {
  built ??= (async () => {
    mkdirSync(dirname(SCRIPT), { recursive: true });
    await esbuild.build({
      entryPoints: [join(ROOT, 'media/panel/main.ts')], outfile: SCRIPT, bundle: true, format: 'iife', platform: 'browser',
      target: 'es2022', sourcemap: true, logLevel: 'error',
    });
    cpSync(join(ROOT, 'media/panel/panel.css'), STYLE);
    // as esbuild.mjs does: the codicon font and its stylesheet beside the panel
    mkdirSync(join(ROOT, 'dist/media/codicons'), { recursive: true });
    for (const f of ['codicon.css', 'codicon.ttf']) cpSync(join(ROOT, 'node_modules/@vscode/codicons/dist', f), join(ROOT, 'dist/media/codicons', f));
  })();
  return built;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

export function loadFixture(name: string): any {
  return JSON.parse(readFileSync(join(ROOT, 'test/fixtures/snapshots', `${name}.json`), 'utf8'));
}

export interface PanelPage {
  page: Page;
  /** Everything the page requested outside the webview origin (must stay empty). */
  foreignRequests: string[];
  /** Messages the panel posted to the extension. */
  posted(): Promise<any[]>;
  /** Sends a message as the extension would and waits for the panel to render it. */
  send(message: unknown): Promise<void>;
  snapshot(snap: unknown): Promise<void>;
  /** Sends the snapshot packed, as MdlPanel.updateAll does (packing runs in the page). */
  packedSnapshot(snap: unknown): Promise<void>;
  /**
   * Grows MDL 0 of `snap` to `pages` pages inside the page, then sends it packed: a 1 GiB MDL built
   * where it is used, because the test driver's transport would take seconds to carry it.
   */
  hugeMdl(snap: unknown, pages: number): Promise<void>;
}

let packer: Promise<string> | null = null;
/** packSnapshot bundled for the page, so typed arrays are made there (the test driver's transport would flatten them). */
function packerScript(): Promise<string> {
  packer ??= esbuild.build({
    stdin: { contents: "import { packSnapshot } from './media/panel/packing'; (globalThis as any).__packSnapshot = packSnapshot;", resolveDir: ROOT, loader: 'ts' },
    bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false,
  }).then((r) => r.outputFiles[0].text);
  return packer;
}

export async function openPanel(browser: Browser, theme: ThemeName = 'dark', savedState: unknown = undefined, viewport = { width: 1100, height: 800 }): Promise<PanelPage> {
  await buildPanel();
  const page = await browser.newPage({ viewport });
  const foreignRequests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(ORIGIN)) foreignRequests.push(r.url());
  });
  const nonce = makeNonce();
  const html = renderPanelHtml({
    cspSource: ORIGIN, scriptUri: `${ORIGIN}/dist/media/panel.js`, styleUri: `${ORIGIN}/dist/media/panel.css`,
    codiconsUri: `${ORIGIN}/dist/media/codicons/codicon.css`, nonce,
  });
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (url.pathname === '/dist/media/panel.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(SCRIPT) });
    if (url.pathname === '/dist/media/panel.css') return route.fulfill({ contentType: 'text/css', body: readFileSync(STYLE) });
    if (/^\/dist\/media\/codicons\/codicon\.(css|ttf)$/.test(url.pathname)) {
      return route.fulfill({ contentType: url.pathname.endsWith('.css') ? 'text/css' : 'font/ttf', body: readFileSync(join(ROOT, url.pathname)) });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  const t = THEMES[theme];
  // tsx compiles these test files with keepNames, so functions passed to the page call __name.
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.addInitScript(({ vars, bodyClass, saved }) => {
    const w = window as any;
    w.__posted = [];
    w.__state = saved;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => w.__state,
      setState: (s: unknown) => { w.__state = s; },
    });
    // Like VS Code: variables on <html> before the page renders, the theme class on <body>.
    const apply = () => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v as string);
      document.documentElement.style.setProperty('color-scheme', bodyClass === 'vscode-light' ? 'light' : 'dark');
    };
    if (document.documentElement) apply();
    else {
      const mo = new MutationObserver(() => {
        if (!document.documentElement) return;
        mo.disconnect();
        apply();
      });
      mo.observe(document, { childList: true });
    }
    const addClass = () => document.body?.classList.add(bodyClass);
    new MutationObserver((_, mo) => {
      if (document.body) {
        addClass();
        mo.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, { vars: t.vars, bodyClass: t.bodyClass, saved: savedState });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'ready'));
  const send = async (message: unknown) => {
    const before = await page.evaluate(() => Number(document.body.dataset.rendered ?? 0));
    await page.evaluate((m) => window.postMessage(m, '*'), message);
    await page.waitForFunction((n) => Number(document.body.dataset.rendered ?? 0) > n, before);
  };
  const afterRender = async (work: () => Promise<unknown>) => {
    const before = await page.evaluate(() => Number(document.body.dataset.rendered ?? 0));
    await work();
    await page.waitForFunction((n) => Number(document.body.dataset.rendered ?? 0) > n, before);
  };
  return {
    page, foreignRequests, send,
    hugeMdl: async (snap, pages) => {
      await page.evaluate(await packerScript());
      await afterRender(() => page.evaluate(({ s, n }) => {
        const m = (s as any).mdls[0];
        m.pfns = Array.from({ length: n }, (_, i) => 0x10000 + i);
        m.slotMatchesPageTables = new Array(n).fill(true);
        Object.assign(m, { byteCount: n * 4096, byteOffset: 0, pageCount: n });
        window.postMessage({ type: 'packedSnapshot', snapshot: (globalThis as any).__packSnapshot(s) }, '*');
      }, { s: snap, n: pages }));
    },
    posted: () => page.evaluate(() => (window as any).__posted),
    snapshot: (snap) => send({ type: 'snapshot', snapshot: snap }),
    packedSnapshot: async (snap) => {
      await page.evaluate(await packerScript());
      const before = await page.evaluate(() => Number(document.body.dataset.rendered ?? 0));
      await page.evaluate((s) => window.postMessage({ type: 'packedSnapshot', snapshot: (globalThis as any).__packSnapshot(s) }, '*'), snap);
      await page.waitForFunction((n) => Number(document.body.dataset.rendered ?? 0) > n, before);
    },
  };
}

/** Where screenshots go (gitignored). */
export function screenshotPath(name: string): string {
  const dir = join(ROOT, 'test-results/panels');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
