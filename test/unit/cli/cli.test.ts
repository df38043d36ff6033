// `mdl-lab` as a user runs it (dist/cli.js in a child process): exit codes and what it prints.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliPath, ensureBuilt } from '../../dap/build';

const root = resolve(__dirname, '../../..');
const fixture = (name: string) => `test/fixtures/scenarios/${name}`;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mdl-lab command line', function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it('run: a clean scenario prints its DbgPrint lines and exits 0', () => {
    const r = cli('run', fixture('lock-and-print.c'));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'doubled 42\n');
  });

  it('run: a failed LabExpect prints EXPECT FAILED FILE:LINE: What and exits 1, after running to the end', () => {
    const r = cli('run', fixture('expect-fails.c'));
    assert.equal(r.code, 1);
    assert.equal(r.out, `EXPECT FAILED ${fixture('expect-fails.c')}:8: the buffer spans four pages\nstill running\n`);
  });

  it('run: a compile error is FILE:LINE:COL: error: message on stderr with exit 2', () => {
    const r = cli('run', fixture('syntax-error.c'));
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`^${fixture('syntax-error.c').replace(/\./g, '\\.')}:\\d+:\\d+: error: .*';'`, 'm'));
    assert.equal(r.out, '');
  });

  it('run: unlocking an MDL twice is bug check 0xC4 (0x7C) with the C call stack, exit 3', () => {
    const r = cli('run', fixture('unlock-twice.c'));
    assert.equal(r.code, 3);
    assert.match(r.out, /^\*\*\* BUGCHECK 0x000000C4 \(0x7C, 0x[0-9A-F]+, 0x[0-9A-F]+, 0x[0-9A-F]+\) DRIVER_VERIFIER_DETECTED_VIOLATION$/m);
    assert.match(r.out, /nt!MmUnlockPages/);
    assert.match(r.out, /Release \[.*unlock-twice\.c @ 7\]/);
    assert.match(r.out, /LabMain \[.*unlock-twice\.c @ 18\]/);
  });

  it('run: an exception nobody handles is bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED with the raising routine on the stack', () => {
    const r = cli('run', fixture('unhandled-raise.c'));
    assert.equal(r.code, 3);
    assert.match(r.out, /^\*\*\* BUGCHECK 0x0000001E \(0xC000009A, 0x[0-9A-F]+, 0x0, 0x0\) KMODE_EXCEPTION_NOT_HANDLED$/m);
    assert.match(r.out, /#0 nt!ExRaiseStatus\n  #1 Fail \[.*@ 7\]\n  #2 LabMain \[.*@ 13\]/);
  });

  it('run: an exception caught by __except is not a bug check (MmProbeAndLockPages on a bad range)', () => {
    const r = cli('run', fixture('probe-bad-buffer.c'));
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, 'probe status 0xC0000005\n');
  });

  it('run: --max-steps ends an endless loop with a clear message and exit 4', () => {
    const r = cli('run', fixture('endless.c'), '--max-steps', '20000');
    assert.equal(r.code, 4);
    assert.match(r.err, /ran 20000 statements without ending/);
  });

  it('run: --timeout ends an endless loop with exit 4', () => {
    const r = cli('run', fixture('endless.c'), '--timeout', '0.5');
    assert.equal(r.code, 4);
    assert.match(r.err, /without ending \(--timeout\)/);
  });

  it('run: a file that does not exist is reported, not a crash', () => {
    const r = cli('run', fixture('no-such-file.c'));
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read the scenario file/);
  });

  it('usage errors name the problem and exit 64', () => {
    assert.match(cli('run').err, /run needs a scenario file/);
    assert.equal(cli('frobnicate', 'x.c').code, 64);
    assert.match(cli('run', fixture('counting.c'), '--memory', 'lots').err, /not a size/);
    assert.match(cli('snapshot', fixture('counting.c')).err, /needs --line/);
    assert.match(cli('run', fixture('counting.c'), '--verifier', 'maybe').err, /on or off/);
  });

  it('--memory and --verifier reach the emulator (the snapshot shows them)', () => {
    const r = cli('snapshot', fixture('lock-and-print.c'), '--line', '22', '--memory', '256m', '--verifier', 'off');
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.physicalPages, (256 * 1024 * 1024) / 4096);
    assert.equal(s.verifier, false);
  });

  it('snapshot: at the line after MmProbeAndLockPages the MDL is locked with its PFNs (JSON contract)', () => {
    const r = cli('snapshot', fixture('lock-and-print.c'), '--line', '21');
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.deepEqual(s.location, { file: fixture('lock-and-print.c'), line: 21, function: 'LabMain' });
    assert.equal(s.process, 'app.exe');
    assert.equal(s.irql, 0);
    assert.equal(s.bugcheck, null);
    assert.equal(s.mdls.length, 1);
    const m = s.mdls[0];
    assert.match(m.address, /^0x[0-9a-f]+$/);
    assert.ok(m.flagNames.includes('MDL_PAGES_LOCKED'));
    assert.equal(m.byteCount, 8192);
    assert.equal(m.pfns.length, 2);
    for (const pfn of m.pfns) {
      const f = s.frames.find((x: { pfn: number }) => x.pfn === pfn);
      assert.ok(f && f.referenceCount >= 1, `frame ${pfn} is described`);
    }
  });

  it('snapshot --hit K stops on the K-th time the line runs', () => {
    const r = cli('snapshot', fixture('counting.c'), '--line', '11', '--hit', '5');
    assert.equal(r.code, 0, r.err);
    const first = JSON.parse(cli('snapshot', fixture('counting.c'), '--line', '11').out);
    assert.ok(JSON.parse(r.out).step > first.step);
  });

  it('snapshot of a line the run never reaches says so', () => {
    const r = cli('snapshot', fixture('expect-fails.c'), '--line', '9', '--hit', '3');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ended before line 9 was reached 3 times/);
  });

  it('demo prints the MDL as dt and !mdl do, with decoded flags and the PFN array, at each LabBreak', () => {
    const r = cli('demo', 'samples/01-probe-and-lock/scenario.c');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /==== LabBreak\(\) at samples\/01-probe-and-lock\/scenario\.c:\d+ in ProcessBuffer/);
    assert.match(r.out, /\+0x00a MdlFlags\s+: 0n10 \s*\(0x000a MDL_PAGES_LOCKED \| MDL_ALLOCATED_FIXED_SIZE\)/);
    assert.match(r.out, /Physical page array \(4 pages\)/);
    assert.match(r.out, /MDL_MAPPED_TO_SYSTEM_VA/);
    assert.match(r.out, /ProcessBuffer returned 0x00000000/);
    assert.match(r.out, /Result: the scenario ended .* 2 LabExpect passed, 0 failed; exit code 0/);
  });

  it('test grades each scenario and writes JUnit XML; one failure makes the exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-junit-'));
    const junit = join(dir, 'report.xml');
    const r = cli('test', fixture('lock-and-print.c'), fixture('expect-fails.c'), fixture('unlock-twice.c'), '--junit', junit);
    assert.equal(r.code, 1);
    assert.match(r.out, /PASS test\/fixtures\/scenarios\/lock-and-print\.c\n  ok    Twice doubles \(line 23\)/);
    assert.match(r.out, /FAIL test\/fixtures\/scenarios\/expect-fails\.c/);
    assert.match(r.out, /3 scenarios: 1 passed, 2 failed/);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="mdl-lab" tests="\d+" failures="2">/);
    assert.match(xml, /<failure message="\*\*\* BUGCHECK 0x000000C4/);
    assert.equal(cli('test', fixture('lock-and-print.c'), fixture('counting.c')).code, 0);
  });
});
