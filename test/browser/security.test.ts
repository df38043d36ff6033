// Webview hardening (issue 11): the CSP blocks inline script and remote loads, messages are
// schema-checked, and hostile strings or enormous numbers in a snapshot render as text.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { contentSecurityPolicy } from '../../src/extension/panels/html';
import { launchChromium, loadFixture, openPanel, ORIGIN, type PanelPage } from './harness';

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe('MDL panel hardening', function () {
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

  it('has a CSP without unsafe-inline or unsafe-eval and with no remote origin', () => {
    const csp = contentSecurityPolicy(ORIGIN, 'abcdefghijklmnopABCDEF0123456789');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:\/\/(?!mdl-panel\.test)/);
  });

  it('blocks a script injected into the page because it lacks the nonce', async () => {
    const result = await p.page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__inline = true';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return { ran: (window as any).__inline === true, violations };
    });
    assert.equal(result.ran, false);
    assert.ok(result.violations.some((v) => v.startsWith('script-src')), `violations: ${result.violations}`);
  });

  it('renders HTML and script in process names, origins and event texts as text', async () => {
    const snap = loadFixture('locked-and-mapped');
    snap.process = HOSTILE;
    snap.processes[0].name = HOSTILE;
    snap.mdls[0].processName = HOSTILE;
    snap.mdls[0].origin = HOSTILE;
    snap.mdls[0].flagNames = [HOSTILE];
    snap.events[0].text = HOSTILE;
    snap.frames[0].mappedBy[0].process = HOSTILE;
    await p.snapshot(snap);
    for (const view of ['inspector', 'mapping', 'chains', 'physical', 'addressSpace', 'timeline']) {
      await p.send({ type: 'showView', view });
      const found = await p.page.evaluate((h) => ({
        text: document.body.textContent?.includes(h) ?? false,
        imgs: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        pwned: (window as any).__pwned ?? null,
      }), HOSTILE);
      assert.equal(found.imgs, 0, `no <img> in ${view}`);
      assert.equal(found.scripts, 1, `only the panel's own script in ${view}`);
      assert.equal(found.pwned, null);
      if (view !== 'physical') assert.ok(found.text, `the hostile string shows as text in ${view}`);
    }
    assert.deepEqual(p.foreignRequests, []);
  });

  it('renders enormous numbers (2^64 PFNs, a 1e300 ByteCount) without breaking', async () => {
    const snap = loadFixture('locked');
    snap.mdls[0].pfns[1] = 18446744073709552000;
    snap.mdls[0].byteCount = 1e300;
    snap.mdls[0].size = -32768;
    snap.irql = 1e20;
    await p.snapshot(snap);
    const pfns = await p.page.$$eval('.pfns .vlist .c-pfn', (cs) => cs.map((c) => c.textContent));
    assert.equal(pfns[1], '10000000000000000');
    const bc = await p.page.$eval('tr[data-field="ByteCount"] td.value', (td) => td.firstChild?.textContent ?? '');
    assert.match(bc, /^0x[0-9a-f]+$/);
    for (const view of ['mapping', 'chains', 'addressSpace', 'timeline', 'physical']) await p.send({ type: 'showView', view });
    assert.equal(await p.page.$$eval('.error', (e) => e.length), 0);
  });

  it('rejects a snapshot whose address is not hex, says why, and keeps the last good stop', async () => {
    await p.snapshot(loadFixture('locked'));
    const bad = loadFixture('locked-and-mapped');
    bad.mdls[0].startVa = HOSTILE;
    await p.snapshot(bad);
    const err = await p.page.$eval('.error', (e) => e.textContent ?? '');
    assert.match(err, /snapshot\.mdls\[0\]\.startVa: expected a 0x-prefixed hex string/);
    assert.equal(await p.page.$eval('tr[data-field="MdlFlags"] td.value', (td) => td.firstChild?.textContent), '0xa', 'still the previous stop');
  });

  it('rejects messages of unknown type or shape and snapshots with missing fields', async () => {
    for (const m of [null, 42, 'snapshot', { type: 'eval', code: 'alert(1)' }, { type: 'selectMdl', address: 'javascript:alert(1)' },
      { type: 'showView', view: '__proto__' }, { type: 'physicalMap', map: { step: 1, states: ['Active'], runs: [[0, 1e12]] } },
      { type: 'snapshot', snapshot: { version: 1 } }]) {
      await p.send(m);
      assert.ok((await p.page.$eval('.error', (e) => e.textContent ?? '')).startsWith('Ignored a message from the extension'), JSON.stringify(m));
    }
  });
});
