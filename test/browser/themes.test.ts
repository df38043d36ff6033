// Every view in VS Code's light, dark and high-contrast themes: colours come from the theme's
// variables (nothing hard-coded), and a screenshot of each lands in test-results/panels/.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, loadFixture, openPanel, screenshotPath } from './harness';
import { THEMES, type ThemeName } from './themes';

const SCENES: { view: string; fixture: string; prev?: string; map?: boolean }[] = [
  { view: 'inspector', fixture: 'locked-and-mapped', prev: 'locked' },
  { view: 'mapping', fixture: 'paging-read' },
  { view: 'mapping', fixture: 'stale-after-trim' },
  { view: 'chains', fixture: 'irp-chain' },
  { view: 'chains', fixture: 'partial' },
  { view: 'physical', fixture: 'locked-and-mapped', map: true },
  { view: 'addressSpace', fixture: 'stale-after-trim' },
  { view: 'timeline', fixture: 'locked-and-mapped' },
  { view: 'inspector', fixture: 'bugcheck' },
];

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1, 7), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe('MDL panel themes', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  for (const theme of Object.keys(THEMES) as ThemeName[]) {
    it(`draws every view with the ${theme} theme's colours`, async () => {
      const p = await openPanel(browser, theme);
      const vars = THEMES[theme].vars;
      for (const s of SCENES) {
        if (s.prev) await p.snapshot(loadFixture(s.prev));
        const snap = loadFixture(s.fixture);
        await p.snapshot(snap);
        await p.send({ type: 'showView', view: s.view });
        if (s.map) {
          await p.send({ type: 'physicalMap', map: { step: snap.step, states: ['Zeroed', 'Free', 'Standby', 'Modified', 'Active'], runs: [[4, 600], [0, 9000], [1, 1400], [2, 980], [3, 140], [4, 4264]] } });
        }
        const colours = await p.page.evaluate(() => ({
          bg: getComputedStyle(document.body).backgroundColor,
          fg: getComputedStyle(document.body).color,
          tab: getComputedStyle(document.querySelector('.tab.selected')!).borderBottomColor,
        }));
        assert.equal(colours.bg, rgb(vars['editor-background']), `${s.view} background`);
        assert.equal(colours.fg, rgb(vars.foreground), `${s.view} text`);
        assert.equal(colours.tab, rgb(vars['panelTitle-activeBorder']), `${s.view} selected tab`);
        await p.page.screenshot({ path: screenshotPath(`${s.view}-${s.fixture}-${theme}`), fullPage: true });
      }
      await p.page.close();
    });
  }
});
