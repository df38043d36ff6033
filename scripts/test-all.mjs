// `npm test`: builds, type-checks, and runs every suite (unit, conformance, DAP, labs, browser
// panels, the real VS Code workbench), then prints one closing line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const suites = [
  { name: 'build', cmd: 'node', args: ['esbuild.mjs'], counted: false },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', '.', '--noEmit'], counted: false },
  { name: 'unit, conformance, DAP and labs', cmd: 'npx', args: ['mocha'] },
  { name: 'panels in headless Chromium', cmd: 'npx', args: ['mocha', '--config', 'test/browser/.mocharc.json'], when: 'test/browser/.mocharc.json' },
  { name: 'real VS Code workbench (test-web: suite, user\'s eye, Restricted Mode)', cmd: 'node', args: ['test/e2e/run-web.mjs'], when: 'test/e2e/run-web.mjs' },
];

let passed = 0;
let failed = 0;
let broken = [];
for (const s of suites) {
  if (s.when && !existsSync(s.when)) continue;
  console.log(`\n=== ${s.name}: ${s.cmd} ${s.args.join(' ')}`);
  // One mocha process holds every unit suite (and tsx's compiled sources): give it room to breathe.
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim() };
  const r = spawnSync(s.cmd, s.args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  const out = r.stdout ?? '';
  const p = [...out.matchAll(/^\s*(\d+) passing/gm)].reduce((a, m) => a + Number(m[1]), 0);
  const f = [...out.matchAll(/^\s*(\d+) failing/gm)].reduce((a, m) => a + Number(m[1]), 0);
  passed += p;
  failed += f;
  if (r.status !== 0) {
    broken.push(s.name);
    if (f === 0) failed += 1; // a suite that died without counting still counts as a failure
  }
}
if (broken.length) console.log(`\nsuites that failed: ${broken.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(broken.length ? 1 : 0);
