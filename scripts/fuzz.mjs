// The long fuzzing run: N mutated scenarios (default 100,000) through the whole pipeline, with
// outcome counts, peak memory and throughput. Failures are written to test-results/fuzz/ as
// scenario files named by their seed, ready to become regression tests.
// Run: node scripts/fuzz.mjs [N] [firstSeed]
import { spawnSync } from 'node:child_process';

const n = Number(process.argv[2] ?? 100_000);
const first = Number(process.argv[3] ?? 1);
const code = `
  const { loadSeeds } = require('./test/fuzz/seeds');
  const { runCampaign } = require('./test/fuzz/campaign');
  const { mkdirSync, writeFileSync } = require('node:fs');
  const seeds = loadSeeds();
  const r = runCampaign(seeds, ${n}, ${first}, { maxSteps: 20000, physicalMemory: 64 << 20 }, (i) => {
    if (i % 5000 === 0) process.stderr.write('  ' + i + ' mutants\\n');
  });
  mkdirSync('test-results/fuzz', { recursive: true });
  for (const f of r.failures) writeFileSync('test-results/fuzz/seed-' + f.seed + '.c', '// ' + JSON.stringify(f.outcome).slice(0, 500) + '\\n' + f.text);
  const { failures, ...figures } = r;
  console.log(JSON.stringify({ seeds: seeds.length, firstSeed: ${first}, ...figures, failures: failures.map((f) => f.seed) }, null, 2));
  process.exit(r.counts['host-failure'] || r.compileErrorsWithoutPosition ? 1 : 0);
`;
const r = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', '-e', code], { stdio: 'inherit' });
process.exit(r.status ?? 1);
