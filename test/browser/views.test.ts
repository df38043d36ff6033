// The mapping diagram, chains, physical memory map, address space and timeline views, each
// rendered from a fixture snapshot in headless Chromium.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, loadFixture, openPanel, type PanelPage } from './harness';

describe('MDL panel views', function () {
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

  const show = (view: string) => p.send({ type: 'showView', view });

  describe('mapping diagram', () => {
    it('draws the buffer to scale: ByteOffset 0x200 starts 1/8 into the first page and the last page is partial', async () => {
      await p.snapshot(loadFixture('locked-and-mapped'));
      await show('mapping');
      const covers = await p.page.$$eval('svg.mapping .user .box-cover', (rs) => rs.map((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) })));
      const frames = await p.page.$$eval('svg.mapping .user .box-frame', (rs) => rs.map((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) })));
      assert.equal(covers.length, 4);
      const inner = frames[0].w - 2;
      assert.ok(Math.abs(covers[0].x - (frames[0].x + 1) - inner * (0x200 / 0x1000)) < 0.01, 'first page starts at ByteOffset');
      assert.ok(Math.abs(covers[1].w - inner) < 0.01, 'middle pages are covered entirely');
      assert.ok(Math.abs(covers[3].w - inner * (0x200 / 0x1000)) < 0.01, 'the last page holds the final 0x200 bytes');
      const sysPages = await p.page.$$eval('svg.mapping .sys text', (ts) => ts.map((t) => t.textContent));
      assert.deepEqual(sysPages, ['fffff805`12346000', 'fffff805`12347000', 'fffff805`12348000', 'fffff805`12349000']);
    });

    it('marks the paging read\'s dummy page once, with both discarded slots drawn into it (seed: what is really in that MDL)', async () => {
      await p.snapshot(loadFixture('paging-read'));
      await show('mapping');
      const dummyBoxes = await p.page.$$eval('svg.mapping .frame.dummy text', (ts) => ts.map((t) => t.textContent));
      assert.deepEqual(dummyBoxes, ['001ff dummy']);
      assert.equal(await p.page.$$eval('svg.mapping line.link.dummy', (ls) => ls.length), 2);
      assert.equal(await p.page.$$eval('svg.mapping .frame', (gs) => gs.length), 3, 'A, the dummy page and B');
    });

    it('marks stale slots and says where the page tables map the VA now', async () => {
      await p.snapshot(loadFixture('stale-after-trim'));
      await show('mapping');
      const notes = await p.page.$$eval('svg.mapping .stale-note', (ts) => ts.map((t) => t.textContent));
      assert.deepEqual(notes, ['✕ stale · VA now → 02f77', '✕ stale · VA not resident']);
      assert.equal(await p.page.$$eval('svg.mapping .user.stale', (gs) => gs.length), 2);
    });

    it('shows a 1 GiB MDL a window of pages at a time', async () => {
      await show('mapping');
      await p.hugeMdl(loadFixture('locked'), 262144);
      assert.equal(await p.page.$eval('.pager .mono', (e) => e.textContent?.trim()), 'pages 0–31 of 262144');
      await p.page.click('.pager button[aria-label="Next pages"]');
      assert.equal(await p.page.$eval('.pager .mono', (e) => e.textContent?.trim()), 'pages 32–63 of 262144');
    });

    it('lists all 262,144 PFNs of a 1 GiB MDL in the inspector and reaches the last with End', async () => {
      await p.hugeMdl(loadFixture('locked'), 262144);
      assert.equal(await p.page.$eval('.pfns h3', (e) => e.firstChild?.textContent), 'PFN array · 262144 entries');
      assert.ok((await p.page.$$('.pfns .vlist .pfn-row')).length < 60, 'only the rows in view exist');
      await p.page.focus('.pfns .vlist');
      await p.page.keyboard.press('End');
      await p.page.waitForSelector('.pfns .vlist .pfn-row[data-index="262143"].active');
      assert.equal(await p.page.$eval('.pfn-row[data-index="262143"] .c-pfn', (e) => e.textContent), '4ffff');
    });
  });

  describe('chains and families', () => {
    it('follows the IRP\'s MdlAddress through Next to the end of the chain', async () => {
      await p.snapshot(loadFixture('irp-chain'));
      await show('chains');
      const chain = await p.page.$eval('.chain', (c) => [...c.children].map((n) => (n.classList.contains('arrow') ? `-${n.textContent}-` : n.querySelector('.mono')?.textContent ?? n.textContent)));
      assert.deepEqual(chain, ['IRP ffffa38b`1d4e8010', '-MdlAddress⟶-', 'MDL ffffa38b`1c2d6010', '-Next⟶-', 'MDL ffffa38b`1c2d7010', '-Next⟶-', 'NULL']);
    });

    it('links a partial MDL under its parent with its offset, and clicking it opens the inspector', async () => {
      await p.snapshot(loadFixture('partial'));
      await show('chains');
      assert.equal(await p.page.$eval('.family-child .arrow-label', (e) => e.textContent), 'IoBuildPartialMdl +0x1000');
      await p.page.click('.family-child button.node-mdl');
      assert.equal(await p.page.$eval('.tab.selected', (e) => e.getAttribute('data-view')), 'inspector');
      assert.equal(await p.page.$eval('.mdl-title .mono', (e) => e.textContent), 'MDL ffffa38b`1c2d9010');
      const chips = await p.page.$$eval('ul.flags li.flag', (lis) => lis.map((li) => li.getAttribute('data-flag')));
      assert.ok(chips.includes('MDL_PARTIAL'));
    });
  });

  describe('physical memory', () => {
    it('asks the extension for the PFN map of this stop and colours frames by state, with counts', async () => {
      const snap = loadFixture('locked');
      await p.snapshot(snap);
      await show('physical');
      const req = (await p.posted()).find((m) => m.type === 'requestPhysicalMap');
      assert.deepEqual(req, { type: 'requestPhysicalMap', step: snap.step });
      assert.match(await p.page.$eval('.phys-summary', (e) => e.textContent ?? ''), /waiting for the PFN map/);
      const states = ['Zeroed', 'Free', 'Active', 'Standby'];
      await p.send({ type: 'physicalMap', map: { step: snap.step, states, runs: [[2, 0x1000], [0, 0x2000], [1, 0x800], [3, 0x800]] } });
      const counts = await p.page.$$eval('.phys-legend li', (lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-state'), Number(li.querySelector('.count')?.textContent)])));
      // 4 locked frames and the dummy page are taken out of their runs.
      assert.equal(counts.Locked, 4);
      assert.equal(counts.Dummy, 1);
      assert.equal(counts.Active, 0x1000 - 1);
      assert.equal(counts.Zeroed, 0x2000 - 3);
      assert.equal(counts.Free, 0x800);
      assert.equal(counts.Standby, 0x800 - 1);
    });

    it('shows a frame\'s PFN entry on hover and who maps it on click', async () => {
      const snap = loadFixture('locked-and-mapped');
      await p.snapshot(snap);
      await show('physical');
      await p.send({ type: 'physicalMap', map: { step: snap.step, states: ['Zeroed', 'Active'], runs: [[1, 0x2000], [0, 0x2000]] } });
      const geo = await p.page.$eval('canvas.phys-canvas', (c) => {
        const r = c.getBoundingClientRect();
        return { left: r.left, top: r.top, w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height };
      });
      // The map is square-ish with power-of-two columns: recover the cell size from the canvas area.
      const cell = Math.round(Math.sqrt((geo.w * geo.h) / 0x4000));
      const perRow = geo.w / cell;
      const pfn = 0x2a1c;
      const x = geo.left + 1 + (pfn % perRow) * cell + cell / 2;
      const y = geo.top + 1 + Math.floor(pfn / perRow) * cell + cell / 2;
      await p.page.mouse.move(x, y);
      const card = await p.page.$eval('.phys-card', (e) => e.textContent ?? '');
      assert.match(card, /PFN 02a1c at physical 2a1c000/);
      assert.match(card, /share 2 {2}ref 2 {2}lock 1/);
      await p.page.mouse.click(x, y);
      const detail = await p.page.$eval('.phys-detail', (e) => e.textContent ?? '');
      assert.match(detail, /maps notepad\.exe 00000000`001f0000/);
      assert.match(detail, /maps system fffff805`12346000/);
    });

    it('dims the frames a process does not map when filtered by that process, and colours locked frames in the theme\'s red', async () => {
      const snap = loadFixture('locked-and-mapped');
      await p.snapshot(snap);
      await p.send({ type: 'showView', view: 'physical' });
      await p.send({ type: 'physicalMap', map: { step: snap.step, states: ['Zeroed', 'Active'], runs: [[1, 0x2000], [0, 0x2000]] } });
      const pixel = (pfn: number) => p.page.$eval('canvas.phys-canvas', (c, pfn) => {
        const canvas = c as HTMLCanvasElement;
        const cell = Math.round(Math.sqrt((canvas.width * canvas.height) / 0x4000));
        const cols = canvas.width / cell;
        const d = canvas.getContext('2d')!.getImageData((pfn % cols) * cell + Math.floor(cell / 2), Math.floor(pfn / cols) * cell + Math.floor(cell / 2), 1, 1).data;
        return `rgb(${d[0]}, ${d[1]}, ${d[2]})`;
      }, pfn);
      assert.equal(await pixel(0x2a1c), 'rgb(241, 76, 76)', 'a locked frame is --vscode-charts-red');
      const activeBefore = await pixel(0x100);
      assert.equal(activeBefore, 'rgb(137, 209, 133)', 'an active frame is --vscode-charts-green');
      await p.page.selectOption('.phys select', 'notepad.exe');
      await p.page.waitForFunction(() => document.querySelector('.phys-summary')?.textContent?.includes('mapped by notepad.exe'));
      assert.match(await p.page.$eval('.phys-summary', (e) => e.textContent ?? ''), /4 frame\(s\) mapped by notepad\.exe/);
      assert.equal(await pixel(0x2a1c), 'rgb(241, 76, 76)', 'frames notepad.exe maps keep their colour');
      assert.notEqual(await pixel(0x100), activeBefore, 'other frames are dimmed');
      assert.equal((await p.page.evaluate(() => (window as any).__state)).processFilter, 'notepad.exe');
    });

    it('ignores a PFN map that answers an earlier stop', async () => {
      const snap = loadFixture('locked');
      await p.snapshot(snap);
      await show('physical');
      await p.page.evaluate((m) => window.postMessage(m, '*'), { type: 'physicalMap', map: { step: snap.step - 1, states: ['Active'], runs: [[0, 16384]] } });
      await p.page.waitForTimeout(50);
      assert.match(await p.page.$eval('.phys-summary', (e) => e.textContent ?? ''), /waiting for the PFN map/);
    });
  });

  describe('address space', () => {
    it('shows the trimmed and repaged buffer: valid in a new frame, then not resident', async () => {
      await p.snapshot(loadFixture('stale-after-trim'));
      await show('addressSpace');
      const rows = await p.page.$$eval('.as .vlist .as-row', (rs) => rs.map((r) => [...r.children].slice(0, 3).map((c) => c.textContent)));
      assert.deepEqual(rows, [
        ['00000000`00400000', 'valid', '02500'],
        ['00000000`00401000', 'valid', '02f77'],
        ['00000000`00402000', 'not resident', '—'],
      ]);
    });
  });

  describe('timeline', () => {
    it('lists the MM events with their C line and travels to one on click', async () => {
      const snap = loadFixture('locked-and-mapped');
      await p.snapshot(snap);
      await show('timeline');
      const rows = await p.page.$$eval('.timeline .ev-row', (rs) => rs.map((r) => [r.querySelector('.kind')?.textContent, r.querySelector('.c-loc')?.textContent]));
      assert.deepEqual(rows, [['process', 'scenario.c:57'], ['allocate', 'scenario.c:14'], ['lock', 'scenario.c:20'], ['map', 'scenario.c:29']]);
      await p.page.click('.timeline .ev-row:nth-child(3)');
      const go = (await p.posted()).filter((m) => m.type === 'gotoStep');
      assert.deepEqual(go, [{ type: 'gotoStep', step: snap.events[2].step }]);
    });
  });

  describe('bug check', () => {
    it('shows the bug check line as WinDbg prints it, with its explanation', async () => {
      await p.snapshot(loadFixture('bugcheck'));
      const text = await p.page.$eval('.bugcheck', (e) => e.textContent ?? '');
      assert.match(text, /\*\*\* BUGCHECK 0x000000C4 \(0x7c, 0xffffa38b1c2dc010, 0x8, 0x0\) DRIVER_VERIFIER_DETECTED_VIOLATION/);
      assert.match(text, /unlocking twice/);
    });

    it('selects the MDL that the bug check parameters name', async () => {
      const snap = loadFixture('bugcheck');
      snap.mdls.unshift(loadFixture('irp-chain').mdls[0]);
      await p.snapshot(snap);
      assert.equal(await p.page.$eval('.mdl-title .mono', (e) => e.textContent), 'MDL ffffa38b`1c2dc010');
    });
  });
});
