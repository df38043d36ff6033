// Keyboard and screen-reader use: tabs, the MDL list and the physical map work without a mouse,
// and the widgets carry roles and labels.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, loadFixture, openPanel, type PanelPage } from './harness';

describe('MDL panel from the keyboard', function () {
  let browser: Browser;
  let p: PanelPage;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    p = await openPanel(browser, 'light');
  });
  afterEach(async () => p.page.close());

  it('moves between views with the arrow keys on the tab list', async () => {
    await p.snapshot(loadFixture('irp-chain'));
    await p.page.focus('.tab.selected');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await p.page.$eval('.tab.selected', (e) => e.getAttribute('data-view')), 'mapping');
    await p.page.keyboard.press('End');
    assert.equal(await p.page.$eval('.tab.selected', (e) => e.getAttribute('data-view')), 'timeline');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('data-view')), 'timeline', 'focus follows the selected tab');
    assert.equal(await p.page.$eval('[role=tabpanel]', (e) => e.getAttribute('aria-labelledby')), 'tab-timeline');
  });

  it('selects the next MDL with ArrowDown and keeps focus in the list', async () => {
    await p.snapshot(loadFixture('irp-chain'));
    await p.page.focus('.mdl-list');
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await p.page.$eval('.mdl-item[aria-selected=true]', (e) => e.getAttribute('data-address')), '0xffffa38b1c2d7010');
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('mdl-list')), true);
    await p.page.keyboard.press('ArrowUp');
    assert.equal(await p.page.$eval('.mdl-title .mono', (e) => e.textContent), 'MDL ffffa38b`1c2d6010');
  });

  it('walks the physical map with arrows and reads a frame\'s owner with Enter', async () => {
    const snap = loadFixture('locked');
    await p.snapshot(snap);
    await p.send({ type: 'showView', view: 'physical' });
    await p.page.focus('canvas.phys-canvas');
    await p.page.keyboard.press('ArrowRight');
    assert.match(await p.page.$eval('canvas.phys-canvas', (e) => e.getAttribute('aria-label') ?? ''), /^Frame 02a1d: Active/);
    await p.page.keyboard.press('Enter');
    assert.match(await p.page.$eval('.phys-detail', (e) => e.textContent ?? ''), /maps notepad\.exe 00000000`001f1000/);
  });

  it('labels its widgets for screen readers', async () => {
    await p.snapshot(loadFixture('locked-and-mapped'));
    const labels = await p.page.evaluate(() => ({
      tabs: document.querySelector('[role=tablist]')?.getAttribute('aria-label'),
      list: document.querySelector('[role=listbox]')?.getAttribute('aria-label'),
      grid: document.querySelector('[role=grid]')?.getAttribute('aria-label'),
      rows: document.querySelector('[role=grid]')?.getAttribute('aria-rowcount'),
      flags: document.querySelector('ul.flags')?.getAttribute('aria-label'),
    }));
    assert.deepEqual(labels, {
      tabs: 'MDL Lab views', list: 'Live MDLs (1)', grid: 'PFN array of MDL 0xffffa38b1c2d5010, 4 entries', rows: '4', flags: 'MdlFlags 0xb',
    });
  });
});
