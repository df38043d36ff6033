// Conditional inclusion (C17 6.10.1): #if/#ifdef/#ifndef/#elif/#else/#endif, `defined`, and
// integer constant expressions evaluated in 64 bits as intmax_t/uintmax_t are on x64 Windows.
import { strict as assert } from 'node:assert';
import { diags, errors, pp, text } from './helpers';

const holds = (expr: string, prelude = '') => text(pp(`${prelude}\n#if ${expr}\nyes\n#else\nno\n#endif`));

describe('preprocessor: conditional inclusion', () => {
  it('keeps exactly the group whose condition holds', () => {
    const r = pp('#if 0\na\n#elif 1\nb\n#elif 1\nc\n#else\nd\n#endif\ne');
    assert.equal(text(r), 'b e');
  });

  it('#ifdef, #ifndef, defined X and defined(X) test whether a macro exists', () => {
    const r = pp('#define ON\n#ifdef ON\na\n#endif\n#ifndef ON\nb\n#endif\n#if defined ON && !defined(OFF)\nc\n#endif\n#ifdef OFF\nd\n#elifdef ON\ne\n#endif');
    assert.equal(text(r), 'a c e');
  });

  it('evaluates in 64 bits: unsigned wins in mixed comparisons, as uintmax_t', () => {
    assert.equal(holds('-1 > 0u'), 'yes');
    assert.equal(holds('0xFFFFFFFFFFFFFFFF == -1'), 'yes');
    assert.equal(holds('0xFFFFFFFF + 1 == 0x100000000'), 'yes', 'no 32-bit wrap-around');
    assert.equal(holds('(1LL << 62) * 2 < 0'), 'yes', 'signed arithmetic wraps at 64 bits');
    assert.equal(holds('-1 >> 1 == -1'), 'yes', 'right shift of a negative value is arithmetic');
    assert.equal(holds('0x8000000000000000ui64 / 2 == 0x4000000000000000'), 'yes', 'MSVC suffixes');
    assert.equal(holds('18446744073709551615 == 0xffffffffffffffff'), 'yes');
  });

  it('supports every operator with C precedence, including ?: and character constants', () => {
    assert.equal(holds('1 + 2 * 3 == 7 && (7 & 3 | 8) == 11 && (5 ^ 1) == 4 && 10 % 4 == 2'), 'yes');
    assert.equal(holds("'A' == 65 && '\\n' == 10 && '\\x41' == 'A' && L'x' == 120 && '\\377' < 0"), 'yes');
    assert.equal(holds('(0 ? 1 : 2) == 2 && ~0 == -1 && !0 == 1 && -(-3) == 3 && 010 == 8 && 0b101 == 5'), 'yes');
  });

  it('treats identifiers that are not macros as 0 and expands macros before evaluating', () => {
    assert.equal(holds('UNDEFINED_THING == 0 && PAGE == 4096', '#define PAGE (1 << SHIFT)\n#define SHIFT 12'), 'yes');
  });

  it('dividing by zero is an error only where the division is evaluated', () => {
    assert.equal(holds('0 && 1 / 0'), 'no');
    assert.equal(holds('1 || 1 % 0'), 'yes');
    assert.deepEqual(errors(pp('#if 2 / (1 - 1)\n#endif')), ['main.c:1:7: error: division by zero in #if']);
  });

  it('reports malformed expressions with the offending token', () => {
    const r = pp('#if 1 +\n#endif\n#if (2\n#endif\n#if 1 2\n#endif\n#if 1.5\n#endif\n#if "s"\n#endif\n#if\n#endif');
    assert.deepEqual(errors(r), [
      'main.c:1:7: error: #if expression ends where a value was expected',
      'main.c:3:5: error: missing \')\' in #if expression',
      'main.c:5:7: error: missing binary operator before \'2\' in #if',
      'main.c:7:5: error: floating constant \'1.5\' in preprocessor expression',
      'main.c:9:5: error: string literal "s" is not allowed in a #if expression',
      'main.c:11:2: error: #if with no expression',
    ]);
  });

  it('skipped groups may hold anything, but their nesting is still followed', () => {
    const r = pp('#if 0\n#error not reported\n#bogus directive\n#if 1/0\n#else\nx\n#endif\ndon\'t care\n#endif\nkept');
    assert.deepEqual(diags(r), []);
    assert.equal(text(r), 'kept');
  });

  it('reports #else and #elif out of order, #endif without #if, and an #if left open', () => {
    const r = pp('#if 1\n#else\n#else\n#elif 1\n#endif\n#endif\n#ifdef X\n');
    assert.deepEqual(errors(r), [
      'main.c:3:2: error: #else after #else',
      'main.c:4:2: error: #elif after #else',
      'main.c:6:2: error: #endif without #if',
      'main.c:7:2: error: unterminated #ifdef: no matching #endif before the end of main.c',
    ]);
  });

  it('the build environment is x64 Windows kernel mode with MSVC', () => {
    const r = pp('#if defined(_WIN64) && defined(_AMD64_) && _M_X64 == 100 && _KERNEL_MODE && _MSC_VER >= 1900 && NTDDI_VERSION >= 0x0A000000\nx64\n#endif');
    assert.equal(text(r), 'x64');
  });

  it('a #if in an included file must end in that file', () => {
    const r = pp('#include "open.h"\n#endif', { 'open.h': '#if 1\nint a;\n' });
    assert.deepEqual(errors(r), ['open.h:1:2: error: unterminated #if: no matching #endif before the end of open.h', 'main.c:2:2: error: #endif without #if']);
  });
});
