// The mdlPageTables custom request (the address space view's query) through the standalone
// adapter, on lab 2 stopped where the device writes: recorder.exe's locked buffer is trimmed to
// transition PTEs that still name the locked frames, hog.exe's pages are paged out (reference 3.3).
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { PAGE_TABLES_REQUEST, SNAPSHOT_REQUEST, type PageTablesResponseBody, type SnapshotResponseBody } from '../../src/adapter/protocol';
import { adapterPath, ensureBuilt } from './build';
import { launchTo } from './launch';

const LAB2 = resolve(__dirname, '../../labs/02-why-lock/scenario.c');
const DEVICE_WRITE = 76; // LabDeviceWrite(mdl, …): after the trim and the memory pressure

describe('the mdlPageTables request', function () {
  this.timeout(60000);
  let dc: DebugClient;
  before(() => ensureBuilt());
  beforeEach(async () => {
    dc = new DebugClient('node', adapterPath, 'mdl');
    await dc.start();
    await launchTo(dc, LAB2, [DEVICE_WRITE], { physicalMemory: '16m' }, 30000);
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
  });

  async function pageTables(args: unknown): Promise<PageTablesResponseBody> {
    return (await dc.customRequest(PAGE_TABLES_REQUEST, args)).body as PageTablesResponseBody;
  }

  it('shows recorder.exe\'s locked buffer as transition PTEs naming the MDL\'s locked frames after the trim (§3.3)', async () => {
    const snap = ((await dc.customRequest(SNAPSHOT_REQUEST)).body as SnapshotResponseBody).snapshot!;
    const recorder = snap.processes.find((p) => p.name === 'recorder.exe')!;
    const mdl = snap.mdls.find((m) => m.processName === 'recorder.exe' && m.flagNames.includes('MDL_PAGES_LOCKED'))!;
    assert.ok(mdl, 'the lab holds a locked MDL over recorder.exe\'s buffer');
    const w = await pageTables({ process: recorder.address, start: mdl.startVa, length: `0x${mdl.byteCount.toString(16)}` });
    assert.equal(w.process, 'recorder.exe');
    assert.deepEqual(w.rows.map((r) => r.state), ['transition', 'transition']);
    assert.deepEqual(w.rows.map((r) => r.pfn), mdl.pfns, 'each transition PTE names the frame in the MDL\'s PFN array');
    assert.ok(w.rows.every((r) => r.locked && r.lockCount >= 1 && r.mdls.includes(mdl.address)));
    assert.equal(w.lockedPages, 2);
  });

  it('shows hog.exe\'s trimmed, unlocked pages as paged out with their page-file slots', async () => {
    const snap = ((await dc.customRequest(SNAPSHOT_REQUEST)).body as SnapshotResponseBody).snapshot!;
    const hog = snap.processes.find((p) => p.name === 'hog.exe')!;
    // hog.exe's allocation is its first one: at the user allocation base
    const w = await pageTables({ process: hog.address, start: '0x1e0`0000_0000', length: 24 * 1024 * 1024, maxRows: 512 });
    assert.equal(w.truncated, true, '6,144 pages do not fit in 512 rows');
    assert.ok(w.counts['paged-out'] > 100, `paged out: ${w.counts['paged-out']}`);
    const out = w.rows.find((r) => r.state === 'paged-out')!;
    assert.ok(out.pageFileSlot !== null && out.pageFileSlot >= 0);
    assert.equal(out.locked, false);
    assert.equal(w.rows.length, 512);
  });

  it('answers a malformed range with an error that says what is wrong, and the session carries on', async () => {
    await assert.rejects(dc.customRequest(PAGE_TABLES_REQUEST, { start: 'zzz', length: 4096 }), /start: "zzz" is not a number/);
    await assert.rejects(dc.customRequest(PAGE_TABLES_REQUEST, { start: '0x7fff_ffff_f000', length: 0x2000 }), /leaves user space/);
    await assert.rejects(dc.customRequest(PAGE_TABLES_REQUEST, { process: '0x1234', start: '0x10000', length: 4096 }), /not a process/);
    const w = await pageTables({ start: '0x10000', length: 4096 });
    assert.equal(w.rows[0].state, 'no-pte');
  });
});
