// Builds the standalone adapter and the CLI once per test process (the same bundles esbuild.mjs makes).
import { buildSync } from 'esbuild';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');
export const adapterPath = resolve(root, 'dist/adapter.js');
export const cliPath = resolve(root, 'dist/cli.js');

let built = false;

export function ensureBuilt(): void {
  if (built) return;
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, sourcemap: true, target: 'es2022', logLevel: 'warning' as const, absWorkingDir: root };
  buildSync({ ...common, entryPoints: ['src/adapter/stdio.ts'], outfile: adapterPath });
  buildSync({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cliPath, banner: { js: '#!/usr/bin/env node' } });
  built = true;
}
