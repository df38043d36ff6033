// The fuzzer's seeds: every sample, lab and test scenario in the repository.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function loadSeeds(roots = ['samples', 'labs', 'test/fixtures/scenarios']): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.c')) {
        const text = readFileSync(p, 'utf8');
        // Scenarios with quoted includes need their neighbours; the fuzzer runs single files.
        if (!/#\s*include\s*"/.test(text)) out.push(text);
      }
    }
  };
  roots.forEach(walk);
  return out;
}
