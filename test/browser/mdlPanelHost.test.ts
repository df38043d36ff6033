// The extension-host side of the panel (MdlPanel) against a stand-in `vscode` module: resource
// roots, the CSP'd HTML, queueing until the webview is ready, packed snapshots to every panel,
// validation of what the webview sends, and the debugger requests it turns into.
import assert from 'node:assert/strict';
import Module from 'node:module';
import { join } from 'node:path';
import { loadFixture } from './harness';

// Route `import 'vscode'` to the stand-in before the panel code loads.
const fakePath = join(__dirname, 'fakes/vscode.ts');
const M = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
const resolve = M._resolveFilename;
M._resolveFilename = (req: string, ...rest: unknown[]) => (req === 'vscode' ? resolve.call(Module, fakePath, ...rest) : resolve.call(Module, req, ...rest));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('./fakes/vscode') as typeof import('./fakes/vscode');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MdlPanel } = require('../../src/extension/panels/mdlPanel') as typeof import('../../src/extension/panels/mdlPanel');

const ext = new vscode.Uri('/ext');
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('MdlPanel on the extension host', () => {
  afterEach(() => {
    MdlPanel.disposeAll();
    MdlPanel.setSessionState('none');
    vscode.created.length = 0;
  });

  it('limits the webview to media/ and dist/ and loads the bundle with a nonce under a strict CSP', () => {
    MdlPanel.createOrShow(ext as never);
    const p = vscode.created[0];
    assert.deepEqual((p.options.localResourceRoots as { path: string }[]).map((u) => u.path), ['/ext/media', '/ext/dist']);
    assert.equal(p.options.enableScripts, true);
    const html = p.webview.html;
    const nonce = /script-src 'nonce-([A-Za-z0-9]+)'/.exec(html)?.[1];
    assert.ok(nonce && nonce.length >= 32);
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="file://webview/ext/dist/media/panel.js">`));
    assert.match(html, /default-src 'none'/);
  });

  it('holds messages until the webview is ready, then sends the session, the latest snapshot packed, and the selection', async () => {
    MdlPanel.setSessionState('running', 'sample');
    MdlPanel.updateAll(loadFixture('locked') as never);
    MdlPanel.selectMdl(ext as never, '0xffffa38b1c2d5010');
    const p = vscode.created[0];
    assert.deepEqual(p.posted, []);
    p.received.fire({ type: 'ready' });
    await tick();
    assert.deepEqual(p.posted.map((m: any) => m.type), ['session', 'packedSnapshot', 'showView', 'selectMdl']);
    const packed = (p.posted[1] as any).snapshot;
    assert.ok(packed.mdls[0].pfns instanceof Float64Array);
  });

  it('sends each new stop to every open panel, packed once', async () => {
    MdlPanel.createOrShow(ext as never);
    MdlPanel.createOrShow(ext as never, { newPanel: true });
    for (const p of vscode.created) p.received.fire({ type: 'ready' });
    MdlPanel.updateAll(loadFixture('locked-and-mapped') as never);
    await tick();
    const last = vscode.created.map((p) => p.posted[p.posted.length - 1] as any);
    assert.equal(last[0].type, 'packedSnapshot');
    assert.equal(last[0], last[1], 'the same packed message object goes to both panels');
    assert.equal(MdlPanel.openPanels, 2);
  });

  it('turns timeline clicks and physical-map requests into debugger requests, and ignores malformed messages', async () => {
    const calls: string[] = [];
    MdlPanel.setHost({
      gotoStep: async (step) => calls.push(`goto ${step}`),
      physicalMap: async (step) => {
        calls.push(`map ${step}`);
        return { states: ['Zeroed', 'Active'], runs: [[0, 10], [1, 6]] as [number, number][] };
      },
    });
    const rejected: string[] = [];
    const sub = MdlPanel.onDidRejectMessage((e) => rejected.push(e));
    try {
      const snap = loadFixture('locked');
      MdlPanel.updateAll(snap as never);
      MdlPanel.createOrShow(ext as never);
      const p = vscode.created[0];
      p.received.fire({ type: 'ready' });
      p.received.fire({ type: 'gotoStep', step: 14 });
      p.received.fire({ type: 'gotoStep', step: 'rm -rf' });
      p.received.fire({ type: 'requestPhysicalMap', step: snap.step });
      p.received.fire({ type: 'requestPhysicalMap', step: snap.step - 1 });
      p.received.fire({ type: 'openExternal', url: 'https://example.com' });
      await tick();
      await tick();
      assert.deepEqual(calls, ['goto 14', `map ${snap.step}`, `map ${snap.step - 1}`]);
      const maps = p.posted.filter((m: any) => m.type === 'physicalMap') as any[];
      assert.equal(maps.length, 1, 'a map for a stop that is no longer current is not sent');
      assert.deepEqual(maps[0].map, { step: snap.step, states: ['Zeroed', 'Active'], runs: [[0, 10], [1, 6]] });
      assert.equal(rejected.length, 2);
    } finally {
      sub.dispose();
      MdlPanel.setHost((require('../../src/extension/panels/mdlPanel') as typeof import('../../src/extension/panels/mdlPanel')).debugSessionHost);
    }
  });

  it('forwards the address space view\'s page-table requests to the debugger and answers with the walk, or with why not', async () => {
    const asked: unknown[] = [];
    const walk = { process: 'app.exe', rows: [] };
    MdlPanel.setHost({
      gotoStep: async () => undefined,
      physicalMap: async () => undefined,
      pageTables: async (args) => {
        asked.push(args);
        if (args.start === '0x10000') throw new Error('the run has ended');
        return walk as never;
      },
    });
    try {
      const snap = loadFixture('locked');
      MdlPanel.updateAll(snap as never);
      MdlPanel.createOrShow(ext as never);
      const p = vscode.created[0];
      p.received.fire({ type: 'ready' });
      const q = { step: snap.step, process: '0xffffe00000001000', start: '0x1e000000000', length: 0x10000 };
      p.received.fire({ type: 'requestPageTables', ...q });
      p.received.fire({ type: 'requestPageTables', ...q, start: '0x10000' });
      p.received.fire({ type: 'requestPageTables', ...q, start: 'javascript:1' });
      await tick();
      await tick();
      assert.deepEqual(asked, [{ process: q.process, start: q.start, length: q.length }, { process: q.process, start: '0x10000', length: q.length }]);
      const answers = p.posted.filter((m: any) => m.type === 'pageTables') as any[];
      assert.deepEqual(answers[0], { type: 'pageTables', query: q, walk });
      assert.deepEqual(answers[1], { type: 'pageTables', query: { ...q, start: '0x10000' }, error: 'the run has ended' });
      assert.equal(answers.length, 2, 'the malformed request reached nobody');
    } finally {
      MdlPanel.setHost((require('../../src/extension/panels/mdlPanel') as typeof import('../../src/extension/panels/mdlPanel')).debugSessionHost);
    }
  });

  it('revives a restored panel with its saved view and forgets disposed panels', () => {
    const restored = new vscode.FakeWebviewPanel('mdlLab.mdlView', 'MDL Lab', {});
    MdlPanel.revive(restored as never, ext as never, { view: 'timeline', selectedMdl: '0x1', processFilter: null });
    assert.match(restored.webview.html, /panel\.js/);
    assert.equal(MdlPanel.openPanels, 1);
    restored.dispose();
    assert.equal(MdlPanel.openPanels, 0);
  });
});
