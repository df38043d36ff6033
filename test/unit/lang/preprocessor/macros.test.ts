// Macro definition and expansion (C17 6.10.3): object-like and function-like macros, # and ##,
// variadic macros, rescanning and the rule that a macro never expands inside its own expansion.
import { strict as assert } from 'node:assert';
import { diags, errors, pp, text } from './helpers';

describe('preprocessor: macro expansion', () => {
  it('replaces an object-like macro and rescans the replacement', () => {
    assert.equal(text(pp('#define PAGE 0x1000\n#define TWO_PAGES (2 * PAGE)\nx = TWO_PAGES;')), 'x = ( 2 * 0x1000 ) ;');
  });

  it('invokes a function-like macro only when its name is followed by (', () => {
    assert.equal(text(pp('#define sq(v) ((v) * (v))\nint sq = sq(3) + sq;')), 'int sq = ( ( 3 ) * ( 3 ) ) + sq ;');
  });

  it('collects arguments across lines and keeps commas inside parentheses in one argument', () => {
    assert.equal(text(pp('#define first(a, b) a\nfirst((1, 2),\n  3)')), '( 1 , 2 )');
  });

  it('a macro that names itself stays unexpanded instead of recursing forever', () => {
    assert.equal(text(pp('#define Length Length + 1\nLength')), 'Length + 1');
  });

  it('mutually recursive macros stop at the name that is already being expanded', () => {
    assert.equal(text(pp('#define ping pong\n#define pong ping\nping pong')), 'ping pong');
  });

  it('a name painted during rescanning is never expanded later, even when followed by (', () => {
    // twice(1) yields `1 again`; again becomes `twice`, which was hidden by the first expansion.
    assert.equal(text(pp('#define twice(x) x again\n#define again twice\ntwice(1)(2)')), '1 twice ( 2 )');
  });

  it('an object-like macro can expand to the name of a function-like macro whose ( comes from the source', () => {
    assert.equal(text(pp('#define wrap(x) [x]\n#define alias wrap\nalias(7)')), '[ 7 ]');
  });

  it('arguments are fully expanded before substitution, except next to # and ##', () => {
    const r = pp('#define PAGES 4\n#define str(s) #s\n#define xstr(s) str(s)\n#define cat(a, b) a ## b\nstr(PAGES) xstr(PAGES) cat(PAGES, _X)');
    assert.equal(text(r), '"PAGES" "4" PAGES_X');
  });

  it('stringizing collapses white space and escapes quotes and backslashes in literals', () => {
    const r = pp('#define str(s) #s\nstr(  a   +\tb  ) str("x\\n" \'"\') str()');
    assert.equal(text(r), '"a + b" "\\"x\\\\n\\" \'\\"\'" ""');
  });

  it('pasting builds a new token that is rescanned as a macro name', () => {
    assert.equal(text(pp('#define cat(a, b) a ## b\n#define MdlFlags 0x2\ncat(Mdl, Flags) cat(0x, 1F) cat(L, "wide")')), '0x2 0x1F L"wide"');
  });

  it('an empty argument next to ## acts as a placemarker and disappears', () => {
    assert.equal(text(pp('#define cat(a, b) a ## b\n[cat(, y)] [cat(x, )] [cat(, )]')), '[ y ] [ x ] [ ]');
  });

  it('pasting two tokens that do not form one token is an error at the left operand', () => {
    const r = pp('#define cat(a, b) a ## b\nint x = cat(+, /);');
    assert.deepEqual(errors(r), ['main.c:2:13: error: pasting "+" and "/" does not give a valid preprocessing token']);
  });

  it('## between # and a parameter forms the token ## inside a string', () => {
    const r = pp('#define hash_hash # ## #\n#define mkstr(a) # a\n#define in_between(a) mkstr(a)\n#define join(c, d) in_between(c hash_hash d)\njoin(left, right)');
    assert.equal(text(r), '"left ## right"');
  });

  it('__VA_ARGS__ receives the variable arguments with their commas', () => {
    const r = pp('#define LOG(fmt, ...) DbgPrint(fmt, __VA_ARGS__)\nLOG("%d %d\\n", a, (b, c));');
    assert.equal(text(r), 'DbgPrint ( "%d %d\\n" , a , ( b , c ) ) ;');
  });

  it('a comma before an empty __VA_ARGS__ is dropped, as MSVC and GNU , ## __VA_ARGS__ do', () => {
    const r = pp('#define LOG(fmt, ...) DbgPrint(fmt, __VA_ARGS__)\n#define LOG2(fmt, ...) DbgPrint(fmt, ## __VA_ARGS__)\nLOG("a"); LOG2("b"); LOG2("c", 1);');
    assert.equal(text(r), 'DbgPrint ( "a" ) ; DbgPrint ( "b" ) ; DbgPrint ( "c" , 1 ) ;');
  });

  it('__VA_OPT__ keeps its contents only when there are variable arguments', () => {
    const r = pp('#define CALL(f, ...) f(0 __VA_OPT__(,) __VA_ARGS__)\nCALL(g) CALL(h, 1, 2)');
    assert.equal(text(r), 'g ( 0 ) h ( 0 , 1 , 2 )');
  });

  it('calling a macro with the wrong number of arguments is an error naming the macro', () => {
    const r = pp('#define two(a, b) a + b\nx = two(1);\ny = two(1, 2, 3);');
    assert.deepEqual(errors(r), [
      'main.c:2:5: error: macro "two" requires 2 arguments, but only 1 given',
      'main.c:3:5: error: macro "two" passed 3 arguments, but takes just 2',
    ]);
  });

  it('an argument list that never closes is reported at the macro name', () => {
    const r = pp('#define f(x) x\nint a = f(1, \n');
    assert.deepEqual(errors(r), ['main.c:2:9: error: unterminated argument list invoking macro "f"']);
  });

  it('#undef removes a macro and the name is an ordinary identifier again', () => {
    assert.equal(text(pp('#define N 1\nN\n#undef N\nN')), '1 N');
  });

  it('an identical redefinition is allowed silently, a different one is a warning with the first place', () => {
    const r = pp('#define A (1 + 2)\n#define A (1 + 2)\n#define A (1+2)\nA');
    assert.deepEqual(diags(r), ['main.c:3:9: warning: "A" redefined (previous definition at main.c:1:9)']);
    assert.equal(text(r), '( 1 + 2 )');
  });

  it('reports malformed #define directives with their exact column', () => {
    const r = pp('#define\n#define 3 x\n#define f(a, a) a\n#define g(a) #b\n#define h(a) ## a\n#define k(a, ...) __VA_ARGS__\n#define m(a) __VA_ARGS__');
    assert.deepEqual(errors(r), [
      'main.c:1:2: error: macro name missing after #define',
      'main.c:2:9: error: macro names must be identifiers, not \'3\'',
      'main.c:3:14: error: duplicate macro parameter "a"',
      'main.c:4:14: error: \'#\' is not followed by a macro parameter in macro "g"',
      'main.c:5:14: error: \'##\' cannot appear at either end of a macro expansion',
      'main.c:7:14: error: __VA_ARGS__ can only appear in the expansion of a variadic macro',
    ]);
  });

  it('records every macro with where it was defined, its parameters and its body', () => {
    const r = pp('\n  #define MAP(m, ...)  Map(m,   __VA_ARGS__)\n');
    assert.deepEqual(r.macros.get('MAP'), { file: 'main.c', line: 2, col: 11, params: ['m', '...'], body: 'Map(m, __VA_ARGS__)' });
    assert.equal(r.macros.get('_WIN64')?.file, '<built-in>');
  });
});
