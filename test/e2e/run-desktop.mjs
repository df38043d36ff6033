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
/**
 * Without desktop VS Code, at least load the Node entry (dist/extension.js) in Node against a
 * recording stand-in for the `vscode` module and run activate(): proves the bundle's requires
 * resolve in Node and lists what it registers. Not a substitute for the real host.
 */
async function smokeLoadNodeEntry() {
  const { createRequire } = await import('node:module');
  const Module = (await import('node:module')).default;
  const registered = [];
  const any = new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => '' : any),
    apply: () => any,
    construct: () => any,
    set: () => true,
  });
  // The bundle copies the module's own properties (esbuild's __toESM), so name every member it uses.
  const { readFileSync } = await import('node:fs');
  const bundle = readFileSync(join(root, 'dist/extension.js'), 'utf8');
  const members = new Set([...bundle.matchAll(/\bvscode\d*\.([A-Za-z_]\w*)/g)].map((m) => m[1]));
  const vscodeLazy = new Proxy({}, {
    // Each namespace (debug, window…) or class (EventEmitter, Uri…) is callable, constructible and
    // has members; register* calls are recorded.
    get: (_t, ns) => new Proxy(function () {}, {
      apply: () => any,
      construct: () => any,
      get: (_n, fn) => (typeof fn === 'string' && fn.startsWith('register')
        ? (id) => { registered.push(`${String(ns)}.${fn}(${typeof id === 'string' ? id : typeof id === 'object' && id?.language ? id.language : ''})`); return { dispose() {} }; }
        : any),
    }),
  });
  const vscode = Object.fromEntries([...members].map((name) => [name, vscodeLazy[name]]));
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : original.call(this, request, ...rest);
  };
  try {
    const entry = createRequire(import.meta.url)(join(root, 'dist/extension.js'));
    const context = { subscriptions: [], extensionUri: any, globalState: any, workspaceState: any };
    entry.activate(context);
    return registered;
  } finally {
    Module._load = original;
  }
}

if (typeof exe !== 'string') {
  console.log(`SKIPPED desktop end-to-end tests: ${exe.skip}.`);
  try {
    const registered = await smokeLoadNodeEntry();
    console.log(`dist/extension.js loads in Node and activate() registers ${registered.length} things: ${registered.join(', ')}`);
  } catch (e) {
    console.error(`dist/extension.js failed to load or activate in Node: ${e.stack ?? e}`);
    process.exit(1);
  }
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
    // The folder must be trusted for this suite (it debugs); desktop VS Code would otherwise open a
    // fresh profile's folder in Restricted Mode. Restricted Mode has its own run (restricted.mjs).
    launchArgs: [join(root, 'samples'), '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`desktop end-to-end tests failed: ${e.message ?? e}`);
  process.exit(1);
}
