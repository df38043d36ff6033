// The MDL inspector in headless Chromium: the sample's MDL at its breakpoints, as fields with x64
// offsets, decoded MdlFlags and the PFN array, following each stop.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, loadFixture, openPanel, screenshotPath, type PanelPage } from './harness';

describe('MDL inspector', function () {
  let browser: Browser;
  let p: PanelPage;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    p = await openPanel(browser, 'dark');
  });
  afterEach(async () => p.page.close());

  it('shows every MDL field at its x64 offset with the locked MDL\'s values', async () => {
    await p.snapshot(loadFixture('locked'));
    const rows = await p.page.$$eval('table.fields tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)));
    const byName = Object.fromEntries(rows.map((r) => [r[1], r]));
    assert.deepEqual(rows.map((r) => r[0]), ['+0x000', '+0x008', '+0x00a', '+0x010', '+0x018', '+0x020', '+0x028', '+0x02c', '+0x030']);
    assert.equal(byName.MdlFlags[3], '0xa');
    assert.equal(byName.StartVa[3], '00000000`001f0000');
    assert.equal(byName.ByteCount[3], '0x3000');
    assert.equal(byName.ByteOffset[3], '0x200');
    assert.equal(byName.Size[3], '0x50', 'Size is 0x30 + 4 PFNs × 8');
  });

  it('decodes MdlFlags 0xa into MDL_PAGES_LOCKED and MDL_ALLOCATED_FIXED_SIZE chips, each explained', async () => {
    await p.snapshot(loadFixture('locked'));
    const flags = await p.page.$$eval('ul.flags li.flag', (lis) => lis.map((li) => [li.getAttribute('data-flag'), li.querySelector('.flag-meaning')?.textContent ?? '']));
    assert.deepEqual(flags.map((f) => f[0]), ['MDL_PAGES_LOCKED', 'MDL_ALLOCATED_FIXED_SIZE']);
    for (const [, meaning] of flags) assert.ok((meaning ?? '').length > 20, 'every flag has a one-line explanation');
  });

  it('lists the PFN array with each slot\'s user VA and frame state', async () => {
    await p.snapshot(loadFixture('locked'));
    const rows = await p.page.$$eval('.pfns .vlist .pfn-row', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.map((r) => r[2]), ['02a1c', '02a1d', '01b07', '03c40']);
    assert.deepEqual(rows.map((r) => r[1]), ['00000000`001f0000', '00000000`001f1000', '00000000`001f2000', '00000000`001f3000']);
    assert.ok(rows.every((r) => r[4] === 'Active'));
  });

  it('follows the next stop and highlights what MmGetSystemAddressForMdlSafe changed', async () => {
    await p.snapshot(loadFixture('locked'));
    await p.snapshot(loadFixture('locked-and-mapped'));
    const changed = await p.page.$$eval('table.fields tr.changed', (trs) => trs.map((tr) => tr.getAttribute('data-field')));
    assert.deepEqual(changed, ['MdlFlags', 'MappedSystemVa']);
    const chips = await p.page.$$eval('ul.flags li.flag', (lis) => lis.map((li) => li.getAttribute('data-flag')));
    assert.ok(chips.includes('MDL_MAPPED_TO_SYSTEM_VA'));
    const mapped = await p.page.$eval('tr[data-field="MappedSystemVa"] td.value', (td) => td.firstChild?.textContent);
    assert.equal(mapped, 'fffff805`12346200');
    await p.page.screenshot({ path: screenshotPath('inspector-dark'), fullPage: true });
  });

  it('does not compare the first stop of a new session with the last stop of the one before', async () => {
    await p.snapshot(loadFixture('locked'));
    await p.send({ type: 'session', state: 'ended', name: 'sample' });
    await p.send({ type: 'session', state: 'running', name: 'sample' });
    await p.snapshot(loadFixture('locked-and-mapped'));
    assert.equal(await p.page.$$eval('table.fields tr.changed', (trs) => trs.length), 0);
    assert.equal(await p.page.$$eval('.badge', (b) => b.length), 0);
  });

  it('marks a locked MDL\'s MappedSystemVa as meaningless while it is not mapped', async () => {
    await p.snapshot(loadFixture('locked'));
    const note = await p.page.$eval('tr[data-field="MappedSystemVa"]', (tr) => [tr.className, tr.querySelector('.note')?.textContent]);
    assert.match(note[0]!, /warn/);
    assert.match(note[1]!, /not mapped/);
  });

  it('posts ready on load and remembers the selected MDL with setState', async () => {
    assert.deepEqual((await p.posted())[0], { type: 'ready' });
    await p.snapshot(loadFixture('irp-chain'));
    await p.page.click('.mdl-item[data-address="0xffffa38b1c2d7010"]');
    const state = await p.page.evaluate(() => (window as any).__state);
    assert.equal(state.selectedMdl, '0xffffa38b1c2d7010');
    assert.equal(await p.page.$eval('.mdl-title .mono', (e) => e.textContent), 'MDL ffffa38b`1c2d7010');
  });
});

describe('MDL inspector with the packed transport', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('renders a packed snapshot exactly as the plain one (fields, flags, PFNs, stale and dummy marks)', async () => {
    const text = async (fixture: string, packed: boolean) => {
      const p = await openPanel(browser, 'dark');
      await (packed ? p.packedSnapshot(loadFixture(fixture)) : p.snapshot(loadFixture(fixture)));
      await p.page.waitForTimeout(20);
      const t = await p.page.$eval('.view', (e) => e.textContent);
      await p.page.close();
      return t;
    };
    for (const f of ['stale-after-trim', 'paging-read', 'locked-and-mapped']) {
      const plain = await text(f, false);
      assert.ok(plain && plain.length > 200);
      assert.equal(await text(f, true), plain, f);
    }
  });
});

describe('MDL inspector pointers', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('follows Next to the next MDL of an IRP chain when the pointer is clicked', async () => {
    const p = await openPanel(browser, 'dark');
    await p.snapshot(loadFixture('irp-chain'));
    await p.page.click('tr[data-field="Next"] button.link');
    assert.equal(await p.page.$eval('.mdl-title .mono', (e) => e.textContent), 'MDL ffffa38b`1c2d7010');
    assert.equal(await p.page.$eval('tr[data-field="Next"] .note', (e) => e.textContent), 'end of chain');
    await p.page.close();
  });
});

describe('MDL inspector beside an editor', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  for (const width of [660, 520]) {
    it(`fits a ${width} px wide panel without horizontal scrolling`, async () => {
      const p = await openPanel(browser, 'dark', undefined, { width, height: 800 });
      await p.snapshot(loadFixture('locked'));
      await p.snapshot(loadFixture('locked-and-mapped'));
      const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${overflow} px of horizontal overflow`);
      assert.equal(await p.page.$$eval('.pfns .vlist .pfn-row', (r) => r.length), 4);
      await p.page.screenshot({ path: screenshotPath(`inspector-narrow-${width}-dark`), fullPage: true });
      await p.page.close();
    });
  }
});
