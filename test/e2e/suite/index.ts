// Entry of the end-to-end suite that runs inside VS Code's extension host (the browser worker under
// @vscode/test-web, the Node host under @vscode/test-electron). Bundled to dist/test/suite.js.
// mocha's browser build is imported by path: esbuild.mjs keeps the bare `mocha` module external.
import '../../../node_modules/mocha/mocha.js';
import * as vscode from 'vscode';

declare const mocha: {
  setup(options: { ui: string; reporter: string; timeout: number; color: boolean }): void;
  run(done: (failures: number) => void): void;
};

function run(): Promise<void> {
  mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 30000, color: false });
  // Registered after setup so that describe/it exist; order is the order a user meets the features.
  // The Restricted Mode run (test/e2e/restricted.mjs) opens a window without a folder, every other
  // run opens the workspace copy; its first test fails unless that window really is untrusted.
  if (!vscode.workspace.workspaceFolders?.length) {
    require('./restricted.e2e');
  } else {
    require('./activation.e2e');
    require('./debugging.e2e');
    require('./bugcheck.e2e');
    require('./labs.e2e');
    require('./editing.e2e');
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures: number) => (failures > 0 ? reject(new Error(`${failures} end-to-end tests failed`)) : resolve()));
  });
}

// mocha.js is a UMD file inside a `"type": "module"` package, so the bundler leaves its
// `module.exports = factory()` pointing at this bundle's exports; claim them back for the runner.
module.exports = { run };
