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
function engineSnapshot(line: number): any {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'snapshot', SAMPLE, '--line', String(line)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `mdl-lab snapshot --line ${line} failed: ${r.stderr}`);
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
