// Compile errors a driver developer can act on: exact file:line:col, what was expected, every
// error of the file (recovery at statement and declaration boundaries), unsupported features named.
import assert from 'node:assert/strict';
import { compileC } from './helpers/runC';
import { FakeKernel } from './helpers/fakeKernel';
import { compileTokens, driverC, LinkError, tokenize } from '../../../src/lang/index';

function errors(src: string, extra: Record<string, string> = {}) {
  const r = compileC(src, 'scenario.c', extra);
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
}

describe('driver C compile errors', () => {
  it('a missing semicolon is reported at the next token with what was expected', () => {
    const e = errors('#include <ntddk.h>\nVOID LabMain(VOID) {\n    ULONG x = 1\n    x++;\n}\n');
    assert.deepEqual(e, ["scenario.c:4:5: expected ';' after the declaration but found 'x'"]);
  });

  it('several errors in one file are all reported, each at its place', () => {
    const e = errors('#include <ntddk.h>\nVOID LabMain(VOID) {\n    ULONG a = ;\n    Frob(1);\n    a = b;\n}\nint f(void) { return 1 }\n');
    assert.equal(e.length, 4, e.join('\n'));
    assert.match(e[0], /^scenario\.c:3:15: expected an expression but found ';'/);
    assert.match(e[1], /^scenario\.c:4:5: 'Frob' is not declared/);
    assert.match(e[2], /^scenario\.c:5:9: 'b' is not declared/);
    assert.match(e[3], /^scenario\.c:7:24: expected ';'/);
  });

  it('errors in an included local header name that header', () => {
    const e = errors('#include "local.h"\nvoid LabMain(void) { }\n', { 'local.h': 'typedef struct { int a; } T;\nT broken(void) { return 3; }\n' });
    assert.equal(e.length, 1);
    assert.match(e[0], /^local\.h:2:18: cannot convert 'int' to 'T'/);
  });

  it('unsupported C features are named', () => {
    assert.match(errors('void LabMain(void) { int n = 2; int v[n]; }')[0], /variable-length arrays are not supported/);
    assert.match(errors('int f(a) int a; { return a; }')[0], /K&R/);
    assert.match(errors('_Thread_local int t;')[0], /thread-local storage\) is not supported/);
    assert.match(errors('void LabMain(void) { __asm { nop } }')[0], /inline assembly is not supported/);
  });

  it('type errors say which types were involved', () => {
    const e = errors('#include <ntddk.h>\nVOID LabMain(VOID) { MDL m; PMDL p = &m; int x = m + 1; p->NoSuch = 0; }');
    assert.ok(e.some((x) => /invalid operands to binary '\+' \('MDL' and 'int'\)/.test(x)), e.join('\n'));
    assert.ok(e.some((x) => /'struct _MDL' has no member named 'NoSuch'/.test(x)), e.join('\n'));
    assert.equal(e.length, 2, 'an error does not cascade into more errors: ' + e.join('\n'));
  });

  it('a warning does not stop compilation (signed/unsigned comparison)', () => {
    const r = compileC('#include <ntddk.h>\nVOID LabMain(VOID) { LONG a = -1; ULONG b = 1; if (a < b) { } }', 'scenario.c');
    assert.ok(r.program);
    assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && /signed\/unsigned mismatch/.test(d.message)));
  });

  it('executable lines are where statements start', () => {
    const r = compileC('void LabMain(void)\n{\n    int a = 1;\n\n    a++;\n    if (a)\n        a--;\n}\n', 'scenario.c');
    assert.deepEqual(r.program!.executableLines('scenario.c'), [3, 5, 6, 7, 8]);
    assert.deepEqual(r.program!.functionNames(), ['LabMain']);
  });

  it('garbage input gets diagnostics, never a host exception', () => {
    for (const src of ['}}}}', 'int (((((', 'struct { int a', '"unterminated', 'void LabMain(void) { switch }', '#include <ntddk.h>\nint x = sizeof(struct nothing);']) {
      const r = compileC(src, 'scenario.c');
      assert.equal(r.program, null, src);
      assert.ok(r.diagnostics.length > 0, src);
    }
  });
});

describe('unresolved external symbols', () => {
  const header = 'int Missing(void);\nint helper(void) { return Missing(); }\n';
  const tokensOf = (scenario: string) => [...tokenize(header, '<fake.h>').slice(0, -1), ...tokenize(scenario, 'scenario.c')];

  it('an inline function of a built-in header that names a missing routine blocks nothing while unused', () => {
    const r = compileTokens(tokensOf('void LabMain(void) { }'), 'scenario.c', [], new Map(), { routines: () => false });
    assert.ok(r.program, r.diagnostics.map((d) => d.message).join('\n'));
    assert.doesNotThrow(() => driverC.createMachine(r.program!, new FakeKernel()));
  });

  it('once the scenario calls that function, the missing routine is an error at its use', () => {
    const r = compileTokens(tokensOf('void LabMain(void) { helper(); }'), 'scenario.c', [], new Map(), { routines: () => false });
    assert.equal(r.program, null);
    assert.match(r.diagnostics[0].message, /unresolved external symbol 'Missing'/);
    assert.equal(r.diagnostics[0].file, '<fake.h>');
    const r2 = compileTokens(tokensOf('void LabMain(void) { helper(); }'), 'scenario.c');
    assert.throws(() => driverC.createMachine(r2.program!, new FakeKernel()), (e: Error) => e instanceof LinkError && /<fake\.h>:2:27: error: unresolved external symbol 'Missing'/.test(e.message));
  });
});

describe('recovery from a forgotten semicolon', () => {
  it('goes on with the next line, so an error there is reported too', () => {
    const e = errors('#include <ntddk.h>\nVOID LabMain(VOID) {\n  int x = 1\n  Frob(x);\n}\n');
    assert.deepEqual(e, ["scenario.c:4:3: expected ';' after the declaration but found 'Frob'", "scenario.c:4:3: 'Frob' is not declared (calling an undeclared function is an error; is a header or prototype missing?)"]);
  });
});
