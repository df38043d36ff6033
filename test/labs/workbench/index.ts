// Entry of the lab commands' workbench check, bundled by run.mjs and run by @vscode/test-web.
import '../../../node_modules/mocha/mocha.js';

declare const mocha: {
  setup(options: { ui: string; reporter: string; timeout: number; color: boolean }): void;
  run(done: (failures: number) => void): void;
};

function run(): Promise<void> {
  mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 60000, color: false });
  require('./openLab.e2e');
  return new Promise((resolve, reject) => {
    mocha.run((failures: number) => (failures > 0 ? reject(new Error(`${failures} lab workbench tests failed`)) : resolve()));
  });
}

module.exports = { run };
