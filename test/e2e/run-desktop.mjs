// `npm run test:desktop`: the same end-to-end suite (test/e2e/suite/) in desktop VS Code's Node
// extension host, through @vscode/test-electron. Needs either VSCODE_EXECUTABLE_PATH (an installed
// VS Code) or a network route to Microsoft's update server for the download. Where neither exists
// (as on the CI machines, which reach only npm and Debian), it says so and skips with exit code 0.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const suiteOut = join(root, 'dist/test/suite-node.js');

async function buildNodeSuite() {
  // The browser bundle (dist/test/suite.js) stubs Node; the desktop host gets a Node bundle.
  await esbuild.build({
    entryPoints: [join(root, 'test/e2e/suite/index.ts')], outfile: suiteOut, bundle: true, platform: 'node',
    format: 'cjs', external: ['vscode'], sourcemap: true, target: 'es2022', logLevel: 'warning',
  });
}

async function vscodeExecutable(testElectron) {
  if (process.env.VSCODE_EXECUTABLE_PATH) {
    if (!existsSync(process.env.VSCODE_EXECUTABLE_PATH)) throw new Error(`VSCODE_EXECUTABLE_PATH=${process.env.VSCODE_EXECUTABLE_PATH} does not exist`);
    return process.env.VSCODE_EXECUTABLE_PATH;
  }
  try {
    return await testElectron.downloadAndUnzipVSCode({ version: 'stable', timeout: 15_000, cachePath: join(root, '.vscode-test') });
  } catch (e) {
    return { skip: `desktop VS Code could not be downloaded here (${String(e.message ?? e).split('\n')[0]})` };
  }
}

const testElectron = await import('@vscode/test-electron');
const exe = await vscodeExecutable(testElectron);
if (typeof exe !== 'string') {
  console.log(`SKIPPED desktop end-to-end tests: ${exe.skip}.`);
  console.log('Set VSCODE_EXECUTABLE_PATH to an installed VS Code (code / Code.exe) to run them, or run where update.code.visualstudio.com is reachable.');
  console.log('The same suite runs in a real workbench here with `npm run test:web`.');
  process.exit(0);
}
await buildNodeSuite();
try {
  await testElectron.runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: root,
    extensionTestsPath: suiteOut,
    launchArgs: [join(root, 'samples'), '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
  });
} catch (e) {
  console.error(`desktop end-to-end tests failed: ${e.message ?? e}`);
  process.exit(1);
}
