// The parser starts each compile from its cached state after the `#include <ntifs.h>` / `<mdlab.h>`
// prologue: what it produces must be exactly what parsing every token gives, and nothing one
// scenario declares may reach the next one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { preprocess } from '../../../src/lang/preprocessor/index';
import { Parser, type ParsedUnit } from '../../../src/lang/parser';
import { compileTokens } from '../../../src/lang/program';
import { clearParserPrologueCache, parserPrologueCacheStats } from '../../../src/lang/parserCache';
import type { SourceHost } from '../../../src/lang/contract';

const ROOT = join(__dirname, '../../..');

function hostFor(files: Record<string, string>): SourceHost {
  return { readFile: (p) => files[p], resolveInclude: (_from, name) => (name in files ? name : undefined) };
}

/** The scenario files of the labs and samples (exercise.c repeats its scenario.c), with the quoted headers beside them. */
function scenarios(): { name: string; host: SourceHost; main: string }[] {
  const out: { name: string; host: SourceHost; main: string }[] = [];
  for (const top of ['labs', 'samples']) {
    for (const d of readdirSync(join(ROOT, top), { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      const dir = join(ROOT, top, d.name);
      for (const f of ['scenario.c']) {
        if (!existsSync(join(dir, f))) continue;
        const main = join(dir, f);
        out.push({
          name: `${top}/${d.name}/${f}`, main,
          host: {
            readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
            resolveInclude: (from, name) => { const p = join(dirname(from), name); return existsSync(p) ? p : undefined; },
          },
        });
      }
    }
  }
  return out;
}

const isToken = (o: object): boolean => 'kind' in o && 'text' in o && 'line' in o && 'col' in o && 'file' in o;
/**
 * What lowering writes into the tree (frame places of locals, the variadic spill offset). The header's
 * inline functions are shared, so an earlier compile has lowered them already (to the same values,
 * lowering being deterministic); a bare parse is compared without these, a compile with them.
 */
const LOWERED = new Set(['slot', 'offset', 'pcStart', 'pcEnd', 'vaOffset']);
const loweredField = (o: object, k: string) => LOWERED.has(k) && ((o as { kind?: string }).kind === 'var' || k === 'vaOffset');

/**
 * Both graphs have the same shape: same values, and an object shared in one is shared in the other
 * (a symbol named in two places is one symbol in both). Tokens compare by value: the cached state
 * holds the prologue tokens of the compile that built it.
 */
function sameGraph(a: unknown, b: unknown, path: string, parseOnly: boolean, fwd = new Map<object, object>(), back = new Map<object, object>()): void {
  if (typeof a === 'function' || typeof b === 'function') assert.fail(`${path}: a function in the tree`);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    assert.equal(a, b, path);
    return;
  }
  if (isToken(a)) {
    const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
    for (const k of ['kind', 'text', 'file', 'line', 'col', 'length', 'fromMacro']) assert.equal(x[k], y[k], `${path}.${k}`);
    return;
  }
  if (fwd.has(a) || back.has(b)) {
    assert.ok(fwd.get(a) === b && back.get(b) === a, `${path}: shared differently`);
    return;
  }
  fwd.set(a, b);
  back.set(b, a);
  if (ArrayBuffer.isView(a)) {
    assert.deepEqual(a, b, path);
  } else if (a instanceof Map) {
    assert.ok(b instanceof Map, path);
    const ea = [...a], eb = [...b];
    assert.equal(ea.length, eb.length, `${path}: size`);
    ea.forEach(([k, v], i) => { sameGraph(k, eb[i][0], `${path}<key ${i}>`, parseOnly, fwd, back); sameGraph(v, eb[i][1], `${path}<${String(typeof k === 'string' ? k : i)}>`, parseOnly, fwd, back); });
  } else if (Array.isArray(a)) {
    assert.ok(Array.isArray(b), path);
    assert.equal(a.length, b.length, `${path}: length`);
    a.forEach((x, i) => sameGraph(x, b[i], `${path}[${i}]`, parseOnly, fwd, back));
  } else {
    const keep = (o: object) => Object.keys(o).filter((k) => !(parseOnly && loweredField(o, k))).sort();
    const ka = keep(a), kb = keep(b);
    assert.deepEqual(ka, kb, `${path}: keys`);
    for (const k of ka) sameGraph((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, parseOnly, fwd, back);
  }
}

function parse(tokens: Parameters<typeof compileTokens>[0], cache: boolean): { unit: ParsedUnit; parser: Parser } {
  const parser = new Parser(tokens, { prologueCache: cache });
  return { unit: parser.parseUnit(), parser };
}

function assertSameParse(x: { unit: ParsedUnit; parser: Parser }, y: { unit: ParsedUnit; parser: Parser }, name: string): void {
  sameGraph([x.unit, x.parser.globalScope(), x.parser.globalTags()], [y.unit, y.parser.globalScope(), y.parser.globalTags()], name, true);
}

function compileWith(main: string, host: SourceHost, cache: boolean) {
  const pp = preprocess(main, host);
  const tokens = cache ? pp.tokens : [...pp.tokens]; // a copy has no prologue and is parsed from its first token
  return compileTokens(tokens, main, pp.diagnostics, pp.macros, { routines: () => true });
}

function diagnostics(main: string, host: SourceHost, cache: boolean): string[] {
  return compileWith(main, host, cache).diagnostics.map((d) => `${d.file}:${d.line}:${d.col}-${d.endLine}:${d.endCol} ${d.severity}: ${d.message}`);
}

describe('the parser starts from its cached state after the built-in prologue', () => {
  beforeEach(() => clearParserPrologueCache());

  it('gives every lab and sample scenario the same tree, types, scopes and diagnostics as a full parse', () => {
    const all = scenarios();
    assert.ok(all.length >= 12, 'the eleven labs and the sample are found');
    for (const s of all) {
      const pp = preprocess(s.main, s.host);
      assert.ok(pp.builtinPrologue, `${s.name} begins with built-in includes`);
      const full = parse(pp.tokens, false);
      const first = parse(pp.tokens, true); // builds the state
      const pp2 = preprocess(s.main, s.host);
      const again = parse(pp2.tokens, true); // starts from it
      assertSameParse(first, full, `${s.name} (parse that built the state)`);
      assertSameParse(again, full, `${s.name} (cached)`);
      // compiled (so lowered) both ways: the same diagnostics, and every field of the tree counts
      const cached = compileTokens(pp2.tokens, s.main, pp2.diagnostics, pp2.macros, { routines: () => true });
      const uncached = compileTokens([...pp.tokens], s.main, pp.diagnostics, pp.macros, { routines: () => true });
      assert.deepEqual(cached.diagnostics, uncached.diagnostics, s.name);
      assert.ok(cached.program && uncached.program, `${s.name} compiles`);
      const unit = (r: typeof cached) => (r.program as unknown as { unit: ParsedUnit }).unit;
      sameGraph(unit(cached), unit(uncached), `${s.name} (compiled)`, false);
    }
    const st = parserPrologueCacheStats();
    assert.ok(st.hits >= all.length, `the cached path was taken (${st.hits} hits)`);
    assert.equal(st.conflicts, 0);
  });

  it('a scenario that redefines header names does not change what the next scenario sees', () => {
    const poison = hostFor({
      'a.c': [
        '#include <ntifs.h>', '#include <mdlab.h>',
        'typedef int PMDL;', // shadows a header typedef at file scope
        'struct _EPROCESS { int Fake; };', // completes a header's opaque struct
        'int LowPagePriority = 5;', // an enum constant's name
        'VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList) { }', // a body for a routine's prototype
        'VOID LabMain(VOID) { PEPROCESS p = NULL; (void)p; }',
      ].join('\n'),
    });
    const clean = hostFor({
      'b.c': [
        '#include <ntifs.h>', '#include <mdlab.h>',
        'VOID LabMain(VOID) {',
        '    PMDL m = IoAllocateMdl(NULL, 4096, FALSE, FALSE, NULL);',
        '    ULONG n = m->ByteCount;',
        '    PEPROCESS p = NULL;',
        '    int f = p->Fake;',
        '    MmBuildMdlForNonPagedPool(m);',
        '    (void)n; (void)f;',
        '}',
      ].join('\n'),
    });
    const before = diagnostics('b.c', clean, false);
    assert.ok(before.some((d) => /b\.c:7:.*(incomplete|no member)/.test(d)), `the uncached parse refuses p->Fake: ${before.join('\n')}`);
    diagnostics('a.c', poison, true);
    diagnostics('a.c', poison, true);
    assert.deepEqual(diagnostics('b.c', clean, true), before);
    const b = parse(preprocess('b.c', clean).tokens, true).unit;
    assert.equal(b.funcSyms.get('MmBuildMdlForNonPagedPool')!.def, null, "a.c's body is not b.c's");
    assert.ok(parserPrologueCacheStats().hits > 0);
  });

  it('completing a header struct or defining a function a header inline function calls falls back to a full parse with the same result', () => {
    const host = hostFor({
      'c.c': [
        '#include <ntifs.h>', '#include <mdlab.h>',
        'struct _EPROCESS { int Fake; };',
        'PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) { return NULL; }',
        'VOID LabMain(VOID) { PEPROCESS p = NULL; PVOID q = ExAllocatePoolZero(NonPagedPoolNx, 16, 1); (void)p->Fake; (void)q; }',
      ].join('\n'),
    });
    const pp = preprocess('c.c', host);
    const full = parse(pp.tokens, false);
    assertSameParse(parse(pp.tokens, true), full, 'first');
    assertSameParse(parse(preprocess('c.c', host).tokens, true), full, 'again');
    assert.ok(parserPrologueCacheStats().conflicts >= 2, 'both parses started over');
    // the shared state was not touched: a scenario without those definitions still sees the header's
    const other = hostFor({ 'd.c': '#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID) { PEPROCESS p = NULL; (void)p->Fake; }\n' });
    assert.deepEqual(diagnostics('d.c', other, true), diagnostics('d.c', other, false));
    assert.equal(parse(preprocess('c.c', host).tokens, true).unit.funcSyms.get('ExAllocatePoolWithTag')!.def !== null, true);
  });

  it("an error inside a scenario's own header still points at that header's line and column", () => {
    const host = hostFor({
      'e.c': '#include <ntifs.h>\n#include <mdlab.h>\n#include "local.h"\nVOID LabMain(VOID) { Helper(); }\n',
      'local.h': '// helpers\nVOID Helper(VOID)\n{\n    ULONG x = ;\n}\n',
    });
    const expected = diagnostics('e.c', host, false);
    assert.ok(expected.some((d) => d.startsWith('local.h:4:15-4:16 error: expected an expression')), expected.join('\n'));
    diagnostics('e.c', host, true);
    assert.deepEqual(diagnostics('e.c', host, true), expected);
    assert.ok(parserPrologueCacheStats().hits > 0);
  });

  it('a different macro setting before the includes is a different prologue', () => {
    const a = hostFor({ 'f.c': '#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID) { }\n' });
    const b = hostFor({ 'f.c': '#undef DBG\n#define DBG 0\n#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID) { ASSERT(0); }\n' });
    diagnostics('f.c', a, true);
    const ka = preprocess('f.c', a).builtinPrologue!.key;
    const pb = preprocess('f.c', b);
    assert.notEqual(pb.builtinPrologue?.key, ka);
    assertSameParse(parse(pb.tokens, true), parse(pb.tokens, false), 'DBG 0');
  });
});
