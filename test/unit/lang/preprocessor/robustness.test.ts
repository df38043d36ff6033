// Bad input never takes the host down: random bytes and random directive soups are preprocessed
// to a token list ending in eof, with problems reported as diagnostics, never thrown.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { preprocess } from '../../../../src/lang/preprocessor/index';
import { memoryHost } from './helpers';

const PIECES = ['#', '##', '#define ', '#undef ', '#if ', '#ifdef ', '#elif ', '#else', '#endif', '#include ', '#line ', '#pragma ', '(', ')', ',', '...', '__VA_ARGS__', '__VA_OPT__', 'defined', 'f', 'g', 'x', 'f(', '"', "'", '<ntifs.h>', '"self.c"', '0x', '1', '/', '*', '\\', '\n', ' ', '__LINE__', '_Pragma(', 'L"', '/*', '*/', '//'];

function check(source: string): ReturnType<typeof preprocess> {
  const r = preprocess('self.c', memoryHost({ 'self.c': source }));
  const last = r.tokens[r.tokens.length - 1];
  assert.equal(last.kind, 'eof');
  for (const d of r.diagnostics) {
    assert.ok(d.line >= 1 && d.col >= 1 && d.message.length > 0, JSON.stringify(d));
  }
  return r;
}

describe('preprocessor: robustness', () => {
  it('random bytes never throw', function () {
    this.timeout(60000);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        check(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });

  it('random mixes of directives, macros and punctuation never throw, even when the file includes itself', function () {
    this.timeout(60000);
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }), (parts) => {
      check(parts.join(''));
    }), { numRuns: 400 });
  });

  it('a macro whose expansion doubles at every level stops with an error instead of exhausting memory', function () {
    this.timeout(60000);
    const r = check(`#define twice(x) x x\n${'twice('.repeat(40)}1${')'.repeat(40)}`);
    assert.deepEqual(r.diagnostics.map((d) => d.message), ['macro expansion produced more than 1000000 tokens; no further macros are expanded']);
  });

  it('deeply nested parentheses and macro calls end with a diagnostic, not a crash', function () {
    this.timeout(20000);
    const depth = 5000;
    const parens = check(`#if ${'('.repeat(depth)}1${')'.repeat(depth)}\n#endif`);
    assert.deepEqual(parens.diagnostics.map((d) => d.message), ['#if expression nests more than 256 parentheses deep']);
    const calls = check(`#define f(x) x\n${'f('.repeat(depth)}1${')'.repeat(depth)}`);
    assert.equal(calls.diagnostics[0].message, 'macro arguments nest more than 200 levels deep; inner ones are not expanded');
  });
});
