// The message protocol and the packed transport on their own (no browser): what the host accepts
// from a webview, what the webview accepts from the host, and that packing loses nothing.
import assert from 'node:assert/strict';
import { packSnapshot, unpackSnapshot, validatePacked } from '../../media/panel/packing';
import { parseHostMessage, parsePanelState, parseWebviewMessage } from '../../media/panel/protocol';
import { renderPanelHtml } from '../../src/extension/panels/html';
import { loadFixture } from './harness';

const FIXTURES = ['locked', 'locked-and-mapped', 'irp-chain', 'partial', 'paging-read', 'stale-after-trim', 'bugcheck'];

describe('MDL panel protocol', () => {
  it('every hand-made fixture follows the snapshot contract', () => {
    for (const f of FIXTURES) {
      const r = parseHostMessage({ type: 'snapshot', snapshot: loadFixture(f) });
      assert.ok(r.ok, `${f}: ${!r.ok && r.error}`);
    }
  });

  it('packing a snapshot and unpacking it gives back the same snapshot', () => {
    for (const f of FIXTURES) {
      const snap = loadFixture(f);
      const packed = packSnapshot(snap);
      assert.equal(validatePacked(packed), null, f);
      const round = unpackSnapshot(structuredClone(packed));
      const plain = JSON.parse(JSON.stringify({ ...round, mdls: round.mdls.map((m) => ({ ...m, pfns: Array.from(m.pfns) })) }));
      assert.deepEqual(plain, snap, f);
    }
  });

  it('a packed snapshot arrives as a snapshot message once its columns check out', () => {
    const packed = packSnapshot(loadFixture('paging-read'));
    const r = parseHostMessage({ type: 'packedSnapshot', snapshot: structuredClone(packed) });
    assert.ok(r.ok && r.message.type === 'snapshot' && r.message.snapshot?.mdls[0].pfns[1] === 0x1ff);
  });

  it('rejects packed columns of the wrong type or with indices outside their tables', () => {
    const bad1 = structuredClone(packSnapshot(loadFixture('locked')));
    (bad1.frames as any).pfn = Array.from(bad1.frames.pfn);
    assert.match(validatePacked(bad1)!, /frames\.pfn: expected a Float64Array/);
    const bad2 = structuredClone(packSnapshot(loadFixture('locked')));
    bad2.frames.state[0] = 200;
    assert.match(validatePacked(bad2)!, /frames\.state\[0\]: no such state/);
    const bad3 = structuredClone(packSnapshot(loadFixture('locked')));
    bad3.frames.mapProcess[0] = 99;
    assert.match(validatePacked(bad3)!, /mapProcess\[0\]: no such string/);
    const bad4 = structuredClone(packSnapshot(loadFixture('locked')));
    bad4.frames.mapStart[1] = 0xffffffff;
    assert.match(validatePacked(bad4)!, /mapStart\[1\]: offsets must not decrease/);
  });

  it('the host accepts only the five webview messages, each with a checked shape', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    assert.deepEqual(parseWebviewMessage({ type: 'gotoStep', step: 42 }), { ok: true, message: { type: 'gotoStep', step: 42 } });
    for (const bad of [{ type: 'gotoStep', step: -1 }, { type: 'gotoStep', step: 1.5 }, { type: 'gotoStep', step: '3' }, { type: 'requestPhysicalMap' },
      { type: 'selectionChanged', address: '<b>', view: 'inspector' }, { type: 'selectionChanged', address: null, view: 'nope' }, { type: 'runCommand', command: 'x' }, null, []]) {
      assert.equal(parseWebviewMessage(bad).ok, false, JSON.stringify(bad));
    }
  });

  it('restores a saved panel state field by field, dropping anything malformed', () => {
    assert.deepEqual(parsePanelState({ view: 'timeline', selectedMdl: '0xFFFFA38B1C2D5010', processFilter: 'notepad.exe', vaRange: '0x1e0`00000000 +64k' }),
      { view: 'timeline', selectedMdl: '0xffffa38b1c2d5010', processFilter: 'notepad.exe', vaRange: '0x1e0`00000000 +64k' });
    assert.deepEqual(parsePanelState({ view: 'evil', selectedMdl: 'javascript:1', processFilter: 7, vaRange: 'x'.repeat(300) }), { view: 'inspector', selectedMdl: null, processFilter: null, vaRange: null });
    assert.deepEqual(parsePanelState(undefined), { view: 'inspector', selectedMdl: null, processFilter: null, vaRange: null });
  });

  it('checks page-table requests and answers: hex addresses, bounded lengths, known PTE states', () => {
    const q = { step: 7, process: '0xffffe00000001000', start: '0x1e000000000', length: 0x10000 };
    assert.deepEqual(parseWebviewMessage({ type: 'requestPageTables', ...q }), { ok: true, message: { type: 'requestPageTables', ...q } });
    for (const bad of [{ ...q, start: '1e0' }, { ...q, length: 0 }, { ...q, length: 2 ** 48 }, { ...q, process: 'System' }, { ...q, step: -1 }]) {
      assert.equal(parseWebviewMessage({ type: 'requestPageTables', ...bad }).ok, false, JSON.stringify(bad));
    }
    const row = { va: '0x1e000000000', pages: 1, state: 'valid', pte: '0x1a867', protection: 'ReadWrite', pfn: 0x1a, pageFileSlot: null, writable: true, user: true, dirty: true, accessed: true, noExecute: false, lockCount: 0, locked: false, frameState: 'Active', mdls: [] };
    const counts = { valid: 1, transition: 0, 'paged-out': 0, 'demand-zero': 0, prototype: 0, 'no-access': 0, 'no-pte': 0 };
    const walk = { process: 'app.exe', eprocess: q.process, start: q.start, length: 0x1000, rows: [row], tables: [], counts, lockedPages: 0, describedPages: 0, pagesWalked: 1, truncated: false, nextVa: null };
    assert.equal(parseHostMessage({ type: 'pageTables', query: q, walk }).ok, true);
    assert.equal(parseHostMessage({ type: 'pageTables', query: q, error: 'the run has ended' }).ok, true);
    const bads: [unknown, RegExp][] = [
      [{ ...walk, rows: [{ ...row, state: 'resident' }] }, /rows\[0\]\.state/],
      [{ ...walk, rows: [{ ...row, mdls: ['<img>'] }] }, /rows\[0\]\.mdls/],
      [{ ...walk, rows: new Array(70000).fill(row) }, /at most 65536/],
      [{ ...walk, counts: { valid: 1 } }, /counts/],
    ];
    for (const [w, err] of bads) {
      const r = parseHostMessage({ type: 'pageTables', query: q, walk: w });
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, err);
    }
  });

  it('the panel HTML loads one script, with the nonce, and escapes the URIs it embeds', () => {
    const html = renderPanelHtml({ cspSource: 'https://x.test', scriptUri: 'https://x.test/p.js?a="><script>', styleUri: 'https://x.test/p.css', nonce: 'abcdefghijklmnop0123' });
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /<script nonce="abcdefghijklmnop0123" src="https:\/\/x\.test\/p\.js\?a=&quot;&gt;&lt;script&gt;"><\/script>/);
    assert.throws(() => renderPanelHtml({ cspSource: 'x', scriptUri: 'y', styleUri: 'z', nonce: "' unsafe-inline" }), /nonce/);
  });
});
