// The panel's codicons: the bundled font loads from the webview's own origin under the strict CSP
// (font-src and style-src name only that origin, no unsafe-inline), the tabs, toolbar and flag
// chips draw glyphs in it, and the .vsix keeps the files the webview loads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { contentSecurityPolicy } from '../../src/extension/panels/html';
import { launchChromium, loadFixture, openPanel, ORIGIN, ROOT } from './harness';

describe('MDL panel codicons', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('loads the codicon font from the webview origin, with no CSP violation and nothing remote', async () => {
    const p = await openPanel(browser, 'dark');
    await p.page.evaluate(() => {
      (window as any).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await p.snapshot(loadFixture('locked-and-mapped'));
    const loaded = await p.page.evaluate(async () => {
      await document.fonts.ready;
      const faces = await document.fonts.load('16px codicon');
      return { faces: faces.length, check: document.fonts.check('16px codicon') };
    });
    assert.ok(loaded.faces >= 1 && loaded.check, `codicon font faces: ${JSON.stringify(loaded)}`);
    const fontRequests = await p.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('codicon.ttf')));
    assert.ok(fontRequests.length >= 1 && fontRequests.every((u) => u.startsWith(`${ORIGIN}/dist/media/codicons/`)), `font requests: ${fontRequests}`);
    assert.deepEqual(await p.page.evaluate(() => (window as any).__violations), []);
    assert.deepEqual(p.foreignRequests, []);
    const csp = contentSecurityPolicy(ORIGIN, 'abcdefghijklmnopABCDEF0123456789');
    assert.match(csp, new RegExp(`font-src ${ORIGIN}(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!mdl-panel\.test)/);
    await p.page.close();
  });

  it('draws a glyph before each tab title, in the session state and on the MDL_PAGES_LOCKED chip', async () => {
    const p = await openPanel(browser, 'light');
    await p.snapshot(loadFixture('locked-and-mapped'));
    await p.page.evaluate(() => document.fonts.ready);
    const glyphs = await p.page.$$eval('.tab .codicon, .hdr-session .codicon, li.flag[data-flag="MDL_PAGES_LOCKED"] .codicon', (els) => els.map((e) => {
      const before = getComputedStyle(e, '::before');
      return { font: getComputedStyle(e).fontFamily, content: before.content, width: e.getBoundingClientRect().width, hidden: e.getAttribute('aria-hidden') };
    }));
    assert.equal(glyphs.length, 6 + 1 + 1);
    for (const g of glyphs) {
      assert.match(g.font, /codicon/);
      assert.ok(g.content !== 'none' && g.content !== '""', `a glyph: ${g.content}`);
      assert.ok(g.width >= 12, `drawn ${g.width}px wide`);
      assert.equal(g.hidden, 'true', 'decorative: hidden from screen readers');
    }
    const tabText = await p.page.$$eval('.tab', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual(tabText, ['MDL', 'Mapping', 'Chains', 'Physical memory', 'Address space', 'Timeline'], 'tab names read the same to a screen reader');
    await p.page.close();
  });

  it('ships the font and stylesheet in the .vsix: copied into dist/media/codicons, which .vscodeignore keeps', () => {
    for (const f of ['codicon.css', 'codicon.ttf']) assert.ok(existsSync(join(ROOT, 'dist/media/codicons', f)), `dist/media/codicons/${f}`);
    const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const excludes = (path: string) => ignore.filter((l) => !l.startsWith('!')).some((pattern) => globMatch(pattern, path)) && !ignore.filter((l) => l.startsWith('!')).some((pattern) => globMatch(pattern.slice(1), path));
    for (const f of ['dist/media/panel.js', 'dist/media/panel.css', 'dist/media/codicons/codicon.css', 'dist/media/codicons/codicon.ttf']) {
      assert.equal(excludes(f), false, `${f} is packaged`);
    }
    assert.equal(excludes('node_modules/@vscode/codicons/dist/codicon.ttf'), true, 'node_modules stays out');
    const esbuild = readFileSync(join(ROOT, 'esbuild.mjs'), 'utf8');
    assert.match(esbuild, /dist\/media\/codicons/);
  });
});

/** The subset of .vscodeignore globs it uses: `**`, `*` and literal paths. */
function globMatch(pattern: string, path: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0001').replace(/\*\*/g, '\u0002').replace(/\*/g, '[^/]*')
    .replace(/\u0001/g, '(?:.*/)?').replace(/\u0002/g, '.*');
  return new RegExp(`^${re}$`).test(path);
}
