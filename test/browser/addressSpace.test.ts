// The address space view on the real debugger: lab 2 runs in the standalone adapter, the panel's
// requestPageTables messages are answered with the adapter's mdlPageTables replies, as the
// extension host does. After the trim the locked buffer is two transition PTEs naming the locked
// frames; at the next stop the panel asks again by itself and the same VAs are valid in the same
// frames (reference 3.3: a lock pins the frame, not the VA).
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { Browser } from 'playwright-core';
import { PAGE_TABLES_REQUEST, SNAPSHOT_REQUEST, type SnapshotResponseBody } from '../../src/adapter/protocol';
import { addr64, pfnText } from '../../media/panel/format';
import { adapterPath, ensureBuilt } from '../dap/build';
import { launchTo } from '../dap/launch';
import { launchChromium, openPanel, screenshotPath, type PanelPage } from './harness';
import type { ThemeName } from './themes';

const LAB2 = resolve(__dirname, '../../labs/02-why-lock/scenario.c');
const DEVICE_WRITE = 76; // after the trim and the memory pressure
const TOUCHED_AGAIN = 82; // recorder.exe has read its buffer again

describe('address space view on the debugger\'s page tables (lab 2)', function () {
  this.timeout(120000);
  let browser: Browser;
  let dc: DebugClient;
  let served = 0;

  async function snapshot(): Promise<any> {
    return ((await dc.customRequest(SNAPSHOT_REQUEST)).body as SnapshotResponseBody).snapshot;
  }

  /** Answers the panel's next page-table request through the adapter; returns the request. */
  async function serve(p: PanelPage): Promise<any> {
    await p.page.waitForFunction((n) => (window as any).__posted.filter((m: any) => m.type === 'requestPageTables').length > n, served);
    const asked = (await p.posted()).filter((m) => m.type === 'requestPageTables')[served++];
    const { type: _t, ...query } = asked;
    const walk = (await dc.customRequest(PAGE_TABLES_REQUEST, { process: query.process, start: query.start, length: query.length })).body;
    await p.send({ type: 'pageTables', query, walk });
    return asked;
  }

  before(async () => {
    ensureBuilt();
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    served = 0;
    dc = new DebugClient('node', adapterPath, 'mdl');
    await dc.start();
    await launchTo(dc, LAB2, [DEVICE_WRITE, TOUCHED_AGAIN], { physicalMemory: '16m' }, 30000);
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
  });

  it('walks recorder.exe around its locked MDL: transition PTEs naming the locked frames, then valid again in the same frames at the next stop (§3.3)', async () => {
    const snap = await snapshot();
    const mdl = snap.mdls.find((m: any) => m.processName === 'recorder.exe' && m.flagNames.includes('MDL_PAGES_LOCKED'));
    const p = await openPanel(browser, 'dark');
    await p.packedSnapshot(snap);
    await p.send({ type: 'selectMdl', address: mdl.address });
    await p.send({ type: 'showView', view: 'addressSpace' });
    await p.page.selectOption('.as select', 'recorder.exe');
    const asked = await serve(p);
    assert.equal(asked.process, snap.processes.find((x: any) => x.name === 'recorder.exe').address);
    assert.equal(asked.step, snap.step);

    const rows = () => p.page.$$eval('.as .vlist .pt-row', (rs) => rs.map((r) => ({
      state: r.getAttribute('data-state'), va: r.getAttribute('data-va'), pfn: r.querySelector('.c-pfn')?.textContent,
      locked: r.classList.contains('locked'), mdls: r.querySelector('.c-mdls')?.textContent, title: r.getAttribute('title'),
    })));
    let drawn = await rows();
    const buffer = drawn.filter((r) => r.mdls);
    assert.deepEqual(buffer.map((r) => r.state), ['transition', 'transition']);
    assert.deepEqual(buffer.map((r) => r.pfn), mdl.pfns.map(pfnText), 'the transition PTEs name the MDL\'s frames');
    assert.ok(buffer.every((r) => r.locked), 'both frames are locked');
    assert.match(buffer[0].title!, new RegExp(`Transition: ${mdl.pfns[0].toString(16)}\\b`));
    assert.match(buffer[0].title!, /PDE contains [0-9A-F]{16}  pfn [0-9a-f]+  [-DA]{5}--UWEV/);
    assert.deepEqual(drawn.filter((r) => !r.mdls).map((r) => r.state), ['no-pte', 'no-pte'], 'uncommitted pages around the buffer fold into runs');
    const legend = await p.page.$$eval('.pte-legend li', (lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-state'), li.querySelector('.count')?.textContent])));
    assert.equal(legend.transition, '2');
    assert.equal(legend.locked, '2');
    assert.equal(legend['no-pte'], '32');

    // keyboard: the list's cursor moves and the !pte pane follows it
    await p.page.focus('.as .vlist');
    await p.page.keyboard.press('ArrowDown');
    assert.match(await p.page.$eval('.pte-detail', (e) => e.textContent ?? ''), /not valid\n Transition: /);
    assert.equal(await p.page.$eval('.as .vlist', (e) => e.getAttribute('aria-activedescendant')?.endsWith('-1')), true);
    await p.page.screenshot({ path: screenshotPath('engine-lab02-address-space-transition-dark'), fullPage: true });

    // the next stop: the panel asks again for the new step, and the VAs are valid in the same frames
    const stopped = dc.waitForEvent('stopped', 30000);
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    const next = await snapshot();
    await p.packedSnapshot(next);
    const again = await serve(p);
    assert.equal(again.step, next.step);
    assert.equal(again.start, asked.start);
    drawn = await rows();
    const after = drawn.filter((r) => r.mdls);
    assert.deepEqual(after.map((r) => r.state), ['valid', 'valid']);
    assert.deepEqual(after.map((r) => r.pfn), mdl.pfns.map(pfnText), 'soft-faulted back to the locked frames');
    await p.page.close();
  });

  it('walks a typed range of hog.exe (paged out by the pressure) and refuses a range that is not canonical', async () => {
    const snap = await snapshot();
    const p = await openPanel(browser, 'dark');
    await p.packedSnapshot(snap);
    await p.send({ type: 'showView', view: 'addressSpace' });
    await p.page.selectOption('.as select', 'hog.exe');
    await p.page.fill('.as input.va-range', '0x1e0`0000_0000 +64k');
    await p.page.press('.as input.va-range', 'Enter');
    const asked = await serve(p);
    assert.deepEqual({ start: asked.start, length: asked.length }, { start: '0x1e000000000', length: 0x10000 });
    const states = await p.page.$$eval('.as .vlist .pt-row', (rs) => rs.map((r) => r.getAttribute('data-state')));
    assert.equal(states.length, 16);
    assert.ok(states.includes('paged-out'), `states: ${states}`);
    assert.ok(states.every((s) => s === 'paged-out' || s === 'valid' || s === 'transition'));

    const before = (await p.posted()).length;
    await p.page.fill('.as input.va-range', '0x8000`0000_0000 +0x1000');
    await p.page.press('.as input.va-range', 'Enter');
    assert.equal(await p.page.$eval('.as input.va-range', (e) => e.getAttribute('aria-invalid')), 'true');
    assert.match(await p.page.$eval('#va-range-error', (e) => e.textContent ?? ''), /not canonical/);
    assert.equal((await p.posted()).slice(before).filter((m) => m.type === 'requestPageTables').length, 0, 'nothing asked for a bad range');
    await p.page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    it(`draws the walk in the ${theme} theme's chart colours`, async () => {
      const snap = await snapshot();
      const mdl = snap.mdls.find((m: any) => m.processName === 'recorder.exe');
      const p = await openPanel(browser, theme, { view: 'addressSpace', selectedMdl: mdl.address, processFilter: 'recorder.exe', vaRange: null });
      await p.packedSnapshot(snap);
      await serve(p);
      const colour = await p.page.evaluate(() => {
        const chip = document.querySelector('.pt-row[data-state="transition"] .pte')!;
        const probe = document.createElement('span');
        probe.style.color = 'var(--vscode-charts-purple)';
        document.body.append(probe);
        return [getComputedStyle(chip).color, getComputedStyle(probe).color];
      });
      assert.equal(colour[0], colour[1], 'transition is drawn in the theme\'s purple');
      await p.page.screenshot({ path: screenshotPath(`engine-lab02-address-space-${theme}`), fullPage: true });
      await p.page.close();
    });
  }
});

describe('address space view in system space (sample 01, mapped)', function () {
  this.timeout(120000);
  const SAMPLE = resolve(__dirname, '../../samples/01-probe-and-lock/scenario.c');
  const MAPPED = 35; // the LabBreak after MmGetSystemAddressForMdlSafe
  let browser: Browser;
  let dc: DebugClient;
  before(async () => {
    ensureBuilt();
    browser = await launchChromium();
    dc = new DebugClient('node', adapterPath, 'mdl');
    await dc.start();
    await launchTo(dc, SAMPLE, [MAPPED], {}, 30000);
  });
  after(async () => {
    await dc?.stop().catch(() => undefined);
    await browser?.close();
  });

  it('follows the MDL to its system mapping: valid kernel PTEs naming the MDL\'s frames', async () => {
    // The sample's own LabBreak() stops first (after the lock); continue to the breakpoint after the mapping.
    let snap = ((await dc.customRequest(SNAPSHOT_REQUEST)).body as SnapshotResponseBody).snapshot as any;
    for (let i = 0; i < 3 && snap.location?.line !== MAPPED; i++) {
      const stopped = dc.waitForEvent('stopped', 30000);
      await dc.continueRequest({ threadId: 1 });
      await stopped;
      snap = ((await dc.customRequest(SNAPSHOT_REQUEST)).body as SnapshotResponseBody).snapshot as any;
    }
    const mdl = snap.mdls.find((m: any) => m.flagNames.includes('MDL_MAPPED_TO_SYSTEM_VA'));
    assert.ok(mdl, 'the sample maps its MDL at this line');
    const p = await openPanel(browser, 'light', { view: 'addressSpace', selectedMdl: mdl.address, processFilter: '', vaRange: null });
    await p.packedSnapshot(snap);
    await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'requestPageTables'));
    const asked = (await p.posted()).filter((m) => m.type === 'requestPageTables').pop();
    assert.equal(asked.process, null, 'system space');
    assert.equal(BigInt(asked.start), (BigInt(mdl.mappedSystemVa) & ~0xfffn) - 16n * 0x1000n);
    const { type: _t, ...query } = asked;
    const walk = (await dc.customRequest(PAGE_TABLES_REQUEST, { process: null, start: query.start, length: query.length })).body;
    await p.send({ type: 'pageTables', query, walk });
    const mapped = await p.page.$$eval('.as .vlist .pt-row[data-state="valid"]', (rs) => rs.map((r) => ({ pfn: r.querySelector('.c-pfn')?.textContent, bits: r.querySelector('.c-prot')?.textContent, mdls: r.querySelector('.c-mdls')?.textContent })));
    assert.ok(mapped.every((r) => r.mdls === addr64(mdl.address)), 'each mapped page names the MDL whose mapping it is');
    assert.deepEqual(mapped.map((r) => r.pfn), mdl.pfns.map(pfnText), 'the system PTEs map the MDL\'s frames, in order');
    assert.ok(mapped.every((r) => / K /.test(` ${r.bits} `)), `kernel pages: ${mapped.map((r) => r.bits)}`);
    await p.page.screenshot({ path: screenshotPath('engine-sample01-address-space-system-light'), fullPage: true });
    await p.page.close();
  });
});
