// The panel on snapshots the real engine produces for the bundled sample (mdl-lab snapshot FILE.c
// --line N): they pass the panel's schema, and the inspector and mapping show the sample's MDL
// locked at the first LabBreak and mapped at the second.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { validateSnapshot } from '../../media/panel/schema';
import { pfnText } from '../../media/panel/format';
import { ROOT, launchChromium, openPanel, screenshotPath } from './harness';

const SAMPLE = 'samples/01-probe-and-lock/scenario.c';

/** Runs the CLI from source, so the test needs no prior build. */
function engineSnapshot(line: number, file = SAMPLE): any {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'snapshot', file, '--line', String(line)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `mdl-lab snapshot ${file} --line ${line} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('MDL panel on the engine\'s snapshots of sample 01', function () {
  this.timeout(120000);
  let browser: Browser;
  let locked: any;
  let mapped: any;
  before(async () => {
    locked = engineSnapshot(25); // the LabBreak after MmProbeAndLockPages
    mapped = engineSnapshot(35); // the LabBreak after MmGetSystemAddressForMdlSafe
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('the engine\'s snapshots satisfy the schema the webview checks', () => {
    assert.equal(validateSnapshot(locked), null);
    assert.equal(validateSnapshot(mapped), null);
  });

  it('shows the locked MDL\'s flags and every PFN the engine reports, then MDL_MAPPED_TO_SYSTEM_VA at the next stop', async () => {
    const p = await openPanel(browser, 'dark');
    await p.packedSnapshot(locked);
    const mdl = locked.mdls.find((m: any) => m.flagNames.includes('MDL_PAGES_LOCKED'));
    assert.ok(mdl, 'the engine reports a locked MDL at the first LabBreak');
    await p.send({ type: 'selectMdl', address: mdl.address });
    const flags = await p.page.$$eval('ul.flags li.flag', (lis) => lis.map((li) => li.getAttribute('data-flag')));
    assert.deepEqual([...flags].sort(), [...mdl.flagNames].sort());
    const pfns = await p.page.$$eval('.pfns .vlist .c-pfn', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(pfns, mdl.pfns.map(pfnText));

    await p.packedSnapshot(mapped);
    const after = mapped.mdls.find((m: any) => m.address === mdl.address);
    assert.ok(after.flagNames.includes('MDL_MAPPED_TO_SYSTEM_VA'));
    const chips = await p.page.$$eval('ul.flags li.flag', (lis) => lis.map((li) => li.getAttribute('data-flag')));
    assert.ok(chips.includes('MDL_MAPPED_TO_SYSTEM_VA'));
    const changed = await p.page.$$eval('table.fields tr.changed', (trs) => trs.map((tr) => tr.getAttribute('data-field')));
    assert.ok(changed.includes('MdlFlags') && changed.includes('MappedSystemVa'), `changed: ${changed}`);
    await p.page.screenshot({ path: screenshotPath('engine-sample01-inspector-dark'), fullPage: true });

    await p.send({ type: 'showView', view: 'mapping' });
    const sysPages = await p.page.$$eval('svg.mapping g.sys', (gs) => gs.length);
    assert.equal(sysPages, after.pfns.length, 'one system page per PFN');
    await p.page.screenshot({ path: screenshotPath('engine-sample01-mapping-dark'), fullPage: true });
    await p.page.close();
  });
});

describe('MDL panel on the engine\'s snapshots of the labs', function () {
  this.timeout(180000);
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('lab 4: draws the IRP\'s MdlAddress chain in the order the engine reports it (seed: using MDLs)', async () => {
    const snap = engineSnapshot(47, 'labs/04-irp-mdl-chain/scenario.c'); // inside SendChain, the chain built
    assert.equal(validateSnapshot(snap), null);
    const irp = snap.irps.find((i: any) => i.mdlChain.length > 1);
    assert.ok(irp, 'the engine reports an IRP with an MDL chain');
    const p = await openPanel(browser, 'dark');
    await p.packedSnapshot(snap);
    await p.send({ type: 'showView', view: 'chains' });
    const drawn = await p.page.$$eval('.chain:has(.node-irp) button.node-mdl', (bs) => bs.map((b) => b.getAttribute('data-address')));
    assert.deepEqual(drawn, irp.mdlChain);
    await p.page.screenshot({ path: screenshotPath('engine-lab04-chains-dark'), fullPage: true });
    await p.page.close();
  });

  it('lab 5: hangs the partial MDL under the MDL it was built from', async () => {
    const snap = engineSnapshot(21, 'labs/05-partial-mdls/scenario.c'); // after IoBuildPartialMdl
    assert.equal(validateSnapshot(snap), null);
    const child = snap.mdls.find((m: any) => m.parent);
    assert.ok(child, 'the engine reports a partial MDL with its parent');
    const p = await openPanel(browser, 'light');
    await p.packedSnapshot(snap);
    await p.send({ type: 'showView', view: 'chains' });
    const family = await p.page.$eval('.family', (f) => ({
      parent: f.querySelector(':scope > .node-mdl')?.getAttribute('data-address'),
      child: f.querySelector('.family-child .node-mdl')?.getAttribute('data-address'),
    }));
    assert.deepEqual(family, { parent: child.parent, child: child.address });
    await p.page.screenshot({ path: screenshotPath('engine-lab05-chains-light'), fullPage: true });
    await p.page.close();
  });

  it('lab 11: says which IRP is associated with which master, and how many the master still waits for (§4.3 step 3)', async () => {
    const snap = engineSnapshot(58, 'labs/11-associated-irps/scenario.c'); // before the first piece is sent
    assert.equal(validateSnapshot(snap), null);
    const piece = snap.irps.find((i: any) => i.master);
    assert.ok(piece, 'the engine reports an associated IRP');
    const p = await openPanel(browser, 'dark');
    await p.packedSnapshot(snap);
    await p.send({ type: 'showView', view: 'chains' });
    const rows = await p.page.$$eval('.chain .node-irp', (ns) => ns.map((n) => n.textContent ?? ''));
    assert.ok(rows.some((t) => t.includes('associated with master IRP')), rows.join(' | '));
    assert.ok(rows.some((t) => t.includes('master: 2 associated IRPs to complete')), rows.join(' | '));
    await p.page.screenshot({ path: screenshotPath('engine-lab11-chains-dark'), fullPage: true });
    await p.page.close();
  });

  it('lab 6: marks the paging read\'s dummy-page slots, drawn into one dummy frame (seed: what is really in that MDL)', async () => {
    const snap = engineSnapshot(124, 'labs/06-dummy-page/scenario.c'); // the filter holds the paging-read MDL
    assert.equal(validateSnapshot(snap), null);
    const read = snap.mdls.find((m: any) => m.flagNames.includes('MDL_IO_PAGE_READ'));
    assert.ok(read, 'the engine reports the paging-read MDL');
    const dummySlots = read.pfns.filter((x: number) => x === snap.dummyPfn).length;
    assert.ok(dummySlots >= 1, 'some slots name the dummy page');
    const p = await openPanel(browser, 'high-contrast');
    await p.packedSnapshot(snap);
    await p.send({ type: 'selectMdl', address: read.address });
    assert.equal(await p.page.$$eval('.pfns .pfn-row.dummy', (r) => r.length), dummySlots);
    await p.page.screenshot({ path: screenshotPath('engine-lab06-inspector-high-contrast'), fullPage: true });
    await p.send({ type: 'showView', view: 'mapping' });
    assert.equal(await p.page.$$eval('svg.mapping g.frame.dummy', (g) => g.length), 1);
    assert.equal(await p.page.$$eval('svg.mapping line.link.dummy', (l) => l.length), dummySlots);
    await p.page.screenshot({ path: screenshotPath('engine-lab06-mapping-high-contrast'), fullPage: true });
    await p.page.close();
  });
});
