// Where tokens and diagnostics point: exact file:line:col through line splices, comments and macro
// expansions; the other directives (#error, #warning, #pragma, #line) and the dynamic macros.
import { strict as assert } from 'node:assert';
import { lex } from '../../../../src/lang/preprocessor/lexer';
import { diags, errors, pp, text } from './helpers';

const at = (r: ReturnType<typeof pp>, textOf: string) => {
  const t = r.tokens.find((x) => x.text === textOf)!;
  return `${t.file}:${t.line}:${t.col}+${t.length}${t.fromMacro ? ' from ' + t.fromMacro : ''}`;
};

describe('preprocessor: locations and directives', () => {
  it('tokens carry the physical line and column, across comments, tabs, CRLF and line splices', () => {
    const r = pp('/* a\n comment */ int\tx = /* y */ 1;\r\nULO\\\nNG y = 2; // done\n');
    assert.equal(text(r), 'int x = 1 ; ULONG y = 2 ;');
    assert.equal(at(r, 'int'), 'main.c:2:13+3');
    assert.equal(at(r, 'x'), 'main.c:2:17+1');
    assert.equal(at(r, '1'), 'main.c:2:29+1');
    assert.equal(at(r, 'ULONG'), 'main.c:3:1+5');
    assert.equal(at(r, 'y'), 'main.c:4:4+1');
  });

  it('lexes wide and UTF-8 literals, pp-numbers with suffixes and exponents, and punctuators longest-first', () => {
    const toks = lex('L"wide" u8"utf" L\'w\' 0x1000ULL 1.5e+3f 0x1p-2 a->b<<=c...d', 'f.c').tokens;
    assert.deepEqual(
      toks.map((t) => `${t.kind}:${t.text}`),
      ['string:L"wide"', 'string:u8"utf"', "char:L'w'", 'number:0x1000ULL', 'number:1.5e+3f', 'number:0x1p-2', 'identifier:a', 'punct:->', 'identifier:b', 'punct:<<=', 'identifier:c', 'punct:...', 'identifier:d'],
    );
  });

  it('a quote makes L, u, U and u8 a literal prefix; before anything else they start identifiers', () => {
    const toks = lex("U\"c\" u'd' u8x Lu\"e\" ULONG u8'f'", 'f.c').tokens;
    assert.deepEqual(
      toks.map((t) => `${t.kind}:${t.text}@${t.col}`),
      ['string:U"c"@1', "char:u'd'@6", 'identifier:u8x@11', 'identifier:Lu@15', 'string:"e"@17', 'identifier:ULONG@21', "char:u8'f'@27"],
    );
  });

  it('splices with white space before the line end, and a backslash just before a splice, keep physical places', () => {
    const toks = lex('a \\  \nb \\\\\n\\\nc\r\nd', 'f.c').tokens;
    assert.deepEqual(
      toks.map((t) => `${t.text}@${t.line}:${t.col}`),
      ['a@1:1', 'b@2:1', '\\@2:3', 'c@4:1', 'd@5:1'],
    );
  });

  it('a byte-order mark, lone CR line ends and digraphs are read as a Windows editor and MSVC read them', () => {
    const r = pp('\ufeffint a;\rint b<:2:> = <% 1, 2 %>;\r\n%:define X 3\rX');
    assert.equal(text(r), 'int a ; int b [ 2 ] = { 1 , 2 } ; 3');
    assert.equal(at(r, 'b'), 'main.c:2:5+1');
  });

  it('a line splice inside a directive continues it, and one inside a string keeps the string whole', () => {
    const r = pp('#define LONG_MACRO(a) \\\n  ((a) + \\\n   1)\nLONG_MACRO(2) "ab\\\ncd"');
    assert.equal(text(r), '( ( 2 ) + 1 ) "abcd"');
    assert.equal(at(r, '"abcd"'), 'main.c:4:15+6');
  });

  it('a token produced by a macro points at the macro use and names the macro', () => {
    const r = pp('#define ZERO_IT(p, n) memset((p), 0, (n))\n  ZERO_IT(buf, len);');
    assert.equal(at(r, 'memset'), 'main.c:2:3+7 from ZERO_IT');
    assert.equal(at(r, '0'), 'main.c:2:3+7 from ZERO_IT');
    // Arguments keep the place where the user wrote them.
    assert.equal(at(r, 'buf'), 'main.c:2:11+3');
    assert.equal(at(r, 'len'), 'main.c:2:16+3');
  });

  it('tokens from nested macros point at the outermost use written in the file', () => {
    const r = pp('#define INNER deep\n#define OUTER (INNER)\nx = OUTER;', {});
    assert.equal(at(r, 'deep'), 'main.c:3:5+5 from OUTER');
  });

  it('a macro from a header used in the scenario points at the scenario line', () => {
    const r = pp('#include "h.h"\nint v = TWICE(3);', { 'h.h': '#define TWICE(x) ((x) * 2)' });
    assert.equal(at(r, '*'), 'main.c:2:9+5 from TWICE');
  });

  it('__LINE__ and __FILE__ give the place of use, also through a macro; __COUNTER__ counts', () => {
    const r = pp('#define HERE __LINE__\na = __LINE__;\n\nb = HERE; c = __FILE__; d = __COUNTER__ + __COUNTER__;');
    assert.equal(text(r), 'a = 2 ; b = 4 ; c = "main.c" ; d = 0 + 1 ;');
  });

  it('__FUNCTION__ and __func__ are left for the parser, which knows the enclosing function', () => {
    const r = pp('PCSTR f = __FUNCTION__; PCSTR g = __func__;');
    assert.deepEqual(r.tokens.filter((t) => t.text.startsWith('__')).map((t) => t.kind + ':' + t.text), ['identifier:__FUNCTION__', 'identifier:__func__']);
  });

  it('#line renumbers __LINE__ and renames __FILE__ while tokens keep their physical place', () => {
    const r = pp('#line 100 "gen.c"\nint a = __LINE__; PCSTR f = __FILE__;');
    assert.equal(text(r), 'int a = 100 ; PCSTR f = "gen.c" ;');
    assert.equal(at(r, 'a'), 'main.c:2:5+1');
  });

  it('#error is an error, #warning a warning, both with their text and every one reported', () => {
    const r = pp('#error buffer "too" small\nint x;\n#warning check this\n#error second');
    assert.deepEqual(diags(r), ['main.c:1:2: error: #error buffer "too" small', 'main.c:3:2: warning: #warning check this', 'main.c:4:2: error: #error second']);
    assert.equal(text(r), 'int x ;');
  });

  it('#pragma and _Pragma are ignored with a note', () => {
    const r = pp('#pragma warning(disable: 4201)\n_Pragma("pack(1)") int x; __pragma(warning(push)) int y;');
    assert.deepEqual(diags(r), [
      'main.c:1:2: note: #pragma warning(disable: 4201) ignored: pragmas have no effect in MDL Lab',
      'main.c:2:1: note: _Pragma("pack(1)") ignored: pragmas have no effect in MDL Lab',
      'main.c:2:27: note: __pragma(warning ( push )) ignored: pragmas have no effect in MDL Lab',
    ]);
    assert.equal(text(r), 'int x ; int y ;');
  });

  it('stray characters and unterminated literals are errors at their place; several are all reported', () => {
    const r = pp('int a = 1 @ 2;\nchar *s = "open;\nint b = `;\n/* never closed');
    assert.deepEqual(errors(r), [
      'main.c:4:1: error: unterminated comment: /* has no closing */',
      "main.c:1:11: error: stray '@' in program",
      'main.c:2:11: error: missing terminating " character: unterminated string literal',
      "main.c:3:9: error: stray '`' in program",
    ]);
  });

  it('an unknown directive is an error naming it', () => {
    assert.deepEqual(errors(pp('#defne X 1\n#include_next <wdm.h>')), ['main.c:1:2: error: invalid preprocessing directive #defne', 'main.c:2:2: error: #include_next is not supported: use #include']);
  });

  it('the token list always ends with eof at the end of the main file', () => {
    const r = pp('int a;\nint b;\n');
    const eof = r.tokens[r.tokens.length - 1];
    assert.deepEqual([eof.kind, eof.file, eof.line, eof.col], ['eof', 'main.c', 3, 1]);
  });
});
