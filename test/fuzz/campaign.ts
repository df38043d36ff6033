// A fuzzing campaign: N mutants from a seed, each run with bounds, outcomes counted, failures kept.
import { mutate, Rng } from './mutator';
import { runScenarioText, type Outcome, type RunLimits } from './runner';

export interface CampaignResult {
  runs: number;
  counts: Record<Outcome['kind'], number>;
  compileErrorsWithoutPosition: number;
  failures: { seed: number; text: string; outcome: Outcome }[];
  maxRssMiB: number;
  seconds: number;
}

export function runCampaign(seeds: string[], n: number, firstSeed: number, limits: RunLimits, onProgress?: (done: number) => void): CampaignResult {
  const counts = { 'compile-error': 0, exited: 0, bugcheck: 0, 'unhandled-exception': 0, 'step-limit': 0, 'host-failure': 0 };
  const failures: CampaignResult['failures'] = [];
  let compileErrorsWithoutPosition = 0;
  let maxRss = 0;
  const start = Date.now();
  for (let i = 0; i < n; i++) {
    const seed = firstSeed + i;
    const text = mutate(seeds, new Rng(seed));
    const outcome = runScenarioText(text, limits);
    counts[outcome.kind]++;
    if (outcome.kind === 'compile-error' && !outcome.positionsOk) compileErrorsWithoutPosition++;
    if (outcome.kind === 'host-failure' || (outcome.kind === 'compile-error' && !outcome.positionsOk)) {
      if (failures.length < 50) failures.push({ seed, text, outcome });
    }
    if (i % 100 === 0) {
      // With --expose-gc, measure what is live rather than what the collector has not yet reclaimed.
      (globalThis as { gc?: () => void }).gc?.();
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      onProgress?.(i);
    }
  }
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  return { runs: n, counts, compileErrorsWithoutPosition, failures, maxRssMiB: Math.round(maxRss / 2 ** 20), seconds: (Date.now() - start) / 1000 };
}
