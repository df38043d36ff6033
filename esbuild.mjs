// Bundles every entry point of MDL Lab. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', target: 'es2022' };

/** Node and browser builds of the same code must not pull Node built-ins into the browser. */
const browserAliases = { path: 'path-browserify', events: 'events', url: 'url' };
const stubNodeBuiltins = {
  name: 'stub-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^(fs|net|child_process|os|crypto|node:.*)$/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const entries = [
  { in: 'src/extension/main.ts', out: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  {
    in: 'src/extension/browser.ts', out: 'dist/web/extension.js', platform: 'browser', format: 'cjs', external: ['vscode'],
    alias: browserAliases, plugins: [stubNodeBuiltins], define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  },
  { in: 'src/adapter/stdio.ts', out: 'dist/adapter.js', platform: 'node', format: 'cjs' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  { in: 'media/panel/main.ts', out: 'dist/media/panel.js', platform: 'browser', format: 'iife' },
  { in: 'test/e2e/suite/index.ts', out: 'dist/test/suite.js', platform: 'browser', format: 'cjs', external: ['vscode', 'mocha'],
    alias: browserAliases, plugins: [stubNodeBuiltins], define: { global: 'globalThis' } },
];

mkdirSync('dist', { recursive: true });
const contexts = [];
for (const e of entries) {
  if (!existsSync(e.in)) continue;
  const { in: entry, out, ...rest } = e;
  const ctx = await esbuild.context({ ...common, ...rest, entryPoints: [entry], outfile: out });
  contexts.push(ctx);
}
if (existsSync('media/panel/panel.css')) {
  mkdirSync('dist/media', { recursive: true });
  cpSync('media/panel/panel.css', 'dist/media/panel.css');
}
// The panel's icon font: codicon.css loads codicon.ttf from beside it, under the webview's own origin.
const codicons = 'node_modules/@vscode/codicons/dist';
if (existsSync(`${codicons}/codicon.css`)) {
  mkdirSync('dist/media/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) cpSync(`${codicons}/${f}`, `dist/media/codicons/${f}`);
  cpSync('node_modules/@vscode/codicons/LICENSE', 'dist/media/codicons/LICENSE');
}
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
