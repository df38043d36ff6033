// The built-in include cache: a replayed `#include <…>` must hand out exactly what running the
// header's directives does (tokens with file:line:col and fromMacro, diagnostics, the macro table,
// files read, include guards and #pragma once), and a scenario's own macros must change the key.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { SourceHost } from '../../../../src/lang/contract';
import { builtinHeaderNames } from '../../../../src/lang/headers/index';
import { builtinIncludeCacheStats, clearBuiltinIncludeCache, preprocess } from '../../../../src/lang/preprocessor/index';
import type { PreprocessResult } from '../../../../src/lang/tokens';
import { memoryHost, text } from './helpers';
import { loadSeeds } from '../../../fuzz/seeds';
import { mutate, Rng } from '../../../fuzz/mutator';

const ROOT = join(__dirname, '../../../..');

/** The whole result as plain data (Map entries in order), so deepEqual compares every field. */
function plain(r: PreprocessResult): unknown {
  return { tokens: r.tokens, diagnostics: r.diagnostics, macros: [...r.macros], files: r.files, builtinPrologue: r.builtinPrologue };
}

/** Uncached, then cold (recording) and warm (replaying): all three must be identical. */
function assertCacheTransparent(main: string, host: SourceHost): { uncached: PreprocessResult; warm: PreprocessResult; hits: number } {
  const uncached = preprocess(main, host, { builtinCache: false });
  clearBuiltinIncludeCache();
  const cold = preprocess(main, host);
  const before = builtinIncludeCacheStats().hits;
  const warm = preprocess(main, host);
  const hits = builtinIncludeCacheStats().hits - before;
  assert.deepStrictEqual(plain(cold), plain(uncached), `${main}: recording run differs from an uncached run`);
  assert.deepStrictEqual(plain(warm), plain(uncached), `${main}: replayed run differs from an uncached run`);
  return { uncached, warm, hits };
}

function cFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cFiles(p));
    else if (name.endsWith('.c')) out.push(p);
  }
  return out.sort();
}

/** The scenario folder as the extension host sees it: quoted includes next to the including file. */
function diskHost(): SourceHost {
  return {
    readFile: (p) => {
      try {
        return readFileSync(join(ROOT, p), 'utf8');
      } catch {
        return undefined;
      }
    },
    resolveInclude: (from, name) => {
      const p = relative(ROOT, join(ROOT, dirname(from), name));
      try {
        return statSync(join(ROOT, p)).isFile() ? p : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

describe('preprocessor: built-in include cache', () => {
  afterEach(() => clearBuiltinIncludeCache());

  for (const header of builtinHeaderNames()) {
    it(`a replayed #include <${header}> gives the same tokens, diagnostics, macros and files as running it`, () => {
      const main = `#include <${header}>\nint after_${header.replace(/\W/g, '_')};\n#include <${header}>\n`;
      const { hits } = assertCacheTransparent('main.c', memoryHost({ 'main.c': main }));
      assert.ok(hits >= 1, 'the second run replays the include');
    });
  }

  const scenarios = [...cFiles(join(ROOT, 'samples')), ...cFiles(join(ROOT, 'labs'))].map((p) => relative(ROOT, p));
  it('finds the sample and lab scenarios to compare', () => assert.ok(scenarios.length >= 2, scenarios.join(', ')));
  for (const file of scenarios) {
    it(`${file} preprocesses identically with the include cache cold and warm`, () => {
      const { warm, hits } = assertCacheTransparent(file, diskHost());
      if (warm.files.includes('<ntifs.h>')) assert.ok(hits >= 1, 'its built-in prologue is replayed');
    });
  }

  it('mutated scenarios from the fuzzer preprocess identically with and without the cache', () => {
    const seeds = loadSeeds();
    for (let seed = 1; seed <= 40; seed++) {
      const main = mutate(seeds, new Rng(seed));
      const host = memoryHost({ 'main.c': main });
      assert.deepStrictEqual(plain(preprocess('main.c', host)), plain(preprocess('main.c', host, { builtinCache: false })), `mutant ${seed}`);
    }
  });

  it('the prologue #include <ntifs.h> / #include <mdlab.h> is replayed include by include', () => {
    const main = '#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID) { PMDL m = NULL; ASSERT(m == NULL); }\n';
    const { hits, warm } = assertCacheTransparent('main.c', memoryHost({ 'main.c': main }));
    assert.equal(hits, 2);
    const assertTok = warm.tokens.find((t) => t.fromMacro === 'ASSERT');
    assert.deepEqual(assertTok && [assertTok.file, assertTok.line, assertTok.col], ['main.c', 3, 37]);
  });

  it('DBG 0 defined before <ntifs.h> is keyed apart from the Debug build: KdPrint expands to nothing', () => {
    const debug = '#include <ntifs.h>\nVOID F(VOID) { KdPrint(("x")); }\n';
    const free = '#undef DBG\n#define DBG 0\n' + debug;
    clearBuiltinIncludeCache();
    preprocess('main.c', memoryHost({ 'main.c': debug }));
    const a = assertCacheTransparent('main.c', memoryHost({ 'main.c': debug }));
    preprocess('main.c', memoryHost({ 'main.c': debug })); // the Debug prologue is in the cache
    const fresh = preprocess('main.c', memoryHost({ 'main.c': free }));
    assert.deepStrictEqual(plain(fresh), plain(preprocess('main.c', memoryHost({ 'main.c': free }), { builtinCache: false })));
    assert.match(text(a.warm), /DbgPrint \( "x" \)/);
    assert.doesNotMatch(text(fresh), /DbgPrint \( "x" \)/);
    assert.equal(fresh.macros.get('DBG')?.body, '0');
  });

  it('a macro defined before the include at another place gives that place in the macro table', () => {
    const at = (blank: string) => `${blank}#define POOL_NX_OPTIN 1\n#include <ntifs.h>\n`;
    assertCacheTransparent('main.c', memoryHost({ 'main.c': at('') }));
    preprocess('main.c', memoryHost({ 'main.c': at('') }));
    const moved = preprocess('main.c', memoryHost({ 'main.c': at('\n\n') }));
    assert.deepStrictEqual(plain(moved), plain(preprocess('main.c', memoryHost({ 'main.c': at('\n\n') }), { builtinCache: false })));
    assert.equal(moved.macros.get('POOL_NX_OPTIN')?.line, 3);
  });

  it('a scenario header that defines NOMINMAX before <ntifs.h> keeps min and max undefined', () => {
    const files = { 'main.c': '#include "config.h"\n#include <ntifs.h>\nint m = min(1, 2);\n', 'config.h': '#define NOMINMAX\n' };
    const { warm } = assertCacheTransparent('main.c', memoryHost(files));
    assert.equal(warm.macros.has('min'), false);
    const plainRun = preprocess('main.c', memoryHost({ ...files, 'config.h': '' }));
    assert.equal(plainRun.macros.has('min'), true);
  });

  it('__COUNTER__ used before an include, #undef of a header macro after it, and a repeated include stay exact', () => {
    const main = 'int c = __COUNTER__;\n#include <wdm.h>\n#undef PAGE_SIZE\n#include <ntifs.h>\n#include <wdm.h>\nint p = PAGE_SIZE;\n#define PAGE_SIZE 4096\n#include <mdlab.h>\n';
    assertCacheTransparent('main.c', memoryHost({ 'main.c': main }));
  });

  it('a redefinition warning inside a replayed header is reported again, at the header line', () => {
    const main = '#define PAGE_SIZE 0x2000\n#include <ntifs.h>\n';
    const { warm } = assertCacheTransparent('main.c', memoryHost({ 'main.c': main }));
    const w = warm.diagnostics.find((d) => d.severity === 'warning' && d.message.includes('"PAGE_SIZE" redefined'));
    assert.ok(w, 'redefinition warning');
    assert.equal(w.file, '<wdm.h>');
    assert.match(w.message, /previous definition at main\.c:1:9/);
  });

  it('near the 500-diagnostic cap, a replay whose diagnostics would not fit runs the header instead', () => {
    const define = '#define PAGE_SIZE 0x2000\n';
    preprocess('main.c', memoryHost({ 'main.c': `${define}#include <wdm.h>\n` })); // recorded with its one warning
    const errors = Array.from({ length: 500 }, (_, i) => `#error e${i}`).join('\n');
    const main = `${define}${errors}\n#include <wdm.h>\n`;
    const host = memoryHost({ 'main.c': main });
    const capped = preprocess('main.c', host);
    assert.deepStrictEqual(plain(capped), plain(preprocess('main.c', host, { builtinCache: false })));
    assert.equal(capped.diagnostics.length, 501);
    assert.match(capped.diagnostics[500].message, /^1 further diagnostics not shown/);
  });

  it('a scenario whose file name starts with < still keys its own #defines', () => {
    const host = (main: string) => ({ readFile: (p: string) => (p === '<scratch>' ? main : undefined), resolveInclude: () => undefined });
    preprocess('<scratch>', host('#include <ntifs.h>\nint a = min(1, 2);\n'));
    const r = preprocess('<scratch>', host('#define NOMINMAX\n#include <ntifs.h>\nint a = min(1, 2);\n'));
    assert.equal(r.macros.has('min'), false);
    assert.match(text(r), /min \( 1 , 2 \)/);
  });

  it('scenarios with the same prologue report the same key and begin with the same prologue tokens', () => {
    const a = preprocess('a.c', memoryHost({ 'a.c': '#include <ntifs.h>\n#include <mdlab.h>\nint a;\n' }));
    const b = preprocess('lab/b.c', memoryHost({ 'lab/b.c': '// another scenario\n#include <ntifs.h>\n\n#include <mdlab.h>\nVOID LabMain(VOID) { }\n' }));
    assert.ok(a.builtinPrologue && b.builtinPrologue);
    assert.equal(a.builtinPrologue.key, b.builtinPrologue.key);
    const n = a.builtinPrologue.count;
    assert.equal(b.builtinPrologue.count, n);
    assert.deepStrictEqual(a.tokens.slice(0, n), b.tokens.slice(0, n));
    assert.ok(a.tokens.slice(0, n).every((t) => t.file.startsWith('<')), 'prologue tokens all come from built-in headers');
    assert.deepEqual([a.tokens[n].text, a.tokens[n].file], ['int', 'a.c']);
    // Uncached runs name the same prologue.
    assert.deepStrictEqual(preprocess('a.c', memoryHost({ 'a.c': '#include <ntifs.h>\n#include <mdlab.h>\nint a;\n' }), { builtinCache: false }).builtinPrologue, a.builtinPrologue);
  });

  it('a macro defined before the includes changes the prologue key; a declaration before them ends the prologue', () => {
    const plainKey = preprocess('a.c', memoryHost({ 'a.c': '#include <ntifs.h>\n' })).builtinPrologue?.key;
    const nx = preprocess('a.c', memoryHost({ 'a.c': '#define POOL_NX_OPTIN 1\n#include <ntifs.h>\n' })).builtinPrologue;
    assert.ok(plainKey !== undefined && nx);
    assert.notEqual(nx.key, plainKey);
    const declFirst = preprocess('a.c', memoryHost({ 'a.c': 'int x;\n#include <ntifs.h>\n' }));
    assert.equal(declFirst.builtinPrologue, undefined);
    const declBetween = preprocess('a.c', memoryHost({ 'a.c': '#include <ntifs.h>\nint x;\n#include <mdlab.h>\n' }));
    assert.equal(declBetween.builtinPrologue?.key, plainKey, 'the prologue stops at the first scenario token');
  });

  it('results handed out do not share token or diagnostic objects with the cache', () => {
    const main = '#define NULL 0\n#include <ntifs.h>\nint x = PAGE_SIZE;\n';
    const host = memoryHost({ 'main.c': main });
    const first = preprocess('main.c', host);
    for (const t of first.tokens) (t as { text: string }).text = 'CLOBBERED';
    for (const d of first.diagnostics) d.message = 'CLOBBERED';
    const again = preprocess('main.c', host);
    assert.deepStrictEqual(plain(again), plain(preprocess('main.c', host, { builtinCache: false })));
    assert.ok(!text(again).includes('CLOBBERED'));
  });

  it('stays bounded however many different states include a header', () => {
    for (let i = 0; i < 100; i++) preprocess('main.c', memoryHost({ 'main.c': `#define V${i} 1\n#include <sal.h>\n` }));
    assert.ok(builtinIncludeCacheStats().entries <= 64);
  });
});
