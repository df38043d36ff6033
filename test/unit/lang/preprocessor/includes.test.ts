// #include: <name> only from the built-in headers, "name" only through the host (never an
// absolute path), include guards, #pragma once, and computed includes.
import { strict as assert } from 'node:assert';
import { preprocess } from '../../../../src/lang/preprocessor/index';
import { diags, errors, memoryHost, pp, text } from './helpers';

describe('preprocessor: #include', () => {
  it('includes a scenario\'s own header through the host, relative to the including file', () => {
    const files = { 'lab/main.c': '#include "inc/defs.h"\nint x = VALUE;', 'lab/inc/defs.h': '#include "more.h"\n#define VALUE MORE', 'lab/inc/more.h': '#define MORE 42' };
    const r = preprocess('lab/main.c', memoryHost(files));
    assert.deepEqual(diags(r), []);
    assert.equal(text(r), 'int x = 42 ;');
    assert.deepEqual(r.files, ['lab/main.c', 'lab/inc/defs.h', 'lab/inc/more.h']);
  });

  it('refuses an absolute path without asking the host', () => {
    const calls: string[] = [];
    const files = { 'main.c': '#include "/etc/passwd"\n#include "C:\\\\Windows\\\\win.ini"\n#include "\\\\\\\\server\\\\share\\\\x.h"', '/etc/passwd': 'root' };
    const r = preprocess('main.c', memoryHost(files, calls));
    assert.deepEqual(calls, []);
    assert.equal(errors(r).length, 3);
    assert.match(errors(r)[0], /^main\.c:1:10: error: cannot open include file "\/etc\/passwd": absolute paths are not allowed/);
  });

  it('a path that climbs out of the scenario folder is refused unless the host resolves it', () => {
    const calls: string[] = [];
    const r = preprocess('main.c', memoryHost({ 'main.c': '#include "../../etc/passwd"' }, calls));
    assert.deepEqual(calls, ['../../etc/passwd']);
    assert.deepEqual(errors(r), ['main.c:1:10: error: cannot open include file "../../etc/passwd": no such file next to main.c']);
  });

  it('<name> only names built-in headers and says which exist', () => {
    const r = pp('#include <windows.h>', { 'windows.h': 'int evil;' });
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0], /^main\.c:1:10: error: cannot open include file <windows\.h>: it is not one of the built-in headers \(<ntifs\.h>, <ntddk\.h>, <wdm\.h>/);
    assert.equal(text(r), '');
  });

  it('"ntifs.h" falls back to the built-in header when there is no such local file, as with an include path', () => {
    const r = pp('#include "ntifs.h"\nMDL_PAGES_LOCKED');
    assert.deepEqual(diags(r), []);
    assert.equal(text(r).split(' ').slice(-1)[0], '0x0002');
    assert.ok(r.files.includes('<ntifs.h>'));
  });

  it('an include guard makes the second inclusion a no-op', () => {
    const guarded = '#ifndef DEFS_H\n#define DEFS_H\nstruct S { int a; };\n#endif\n';
    const r = pp('#include "defs.h"\n#include "defs.h"\n', { 'defs.h': guarded });
    assert.equal(text(r), 'struct S { int a ; } ;');
  });

  it('#pragma once makes the second inclusion a no-op and is not reported', () => {
    const r = pp('#include "once.h"\n#include "once.h"\n', { 'once.h': '#pragma once\nint once;' });
    assert.deepEqual(diags(r), []);
    assert.equal(text(r), 'int once ;');
  });

  it('a header that includes itself forever stops with an error instead of overflowing', () => {
    const r = pp('#include "loop.h"\n', { 'loop.h': '#include "loop.h"\n' });
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0], /^loop\.h:1:10: error: #include nested too deeply/);
  });

  it('a macro can name the header (computed include)', () => {
    const r = pp('#define HDR <mdlab.h>\n#define LOCAL "local.h"\n#include HDR\n#include LOCAL\nLOCAL_OK', { 'local.h': '#define LOCAL_OK 1' });
    assert.deepEqual(diags(r), []);
    assert.ok(r.files.includes('<mdlab.h>'));
    assert.equal(text(r).split(' ').slice(-1)[0], '1');
  });

  it('__has_include tells whether #include would find a built-in header or a local file', () => {
    const r = pp('#ifdef __has_include\n#if __has_include(<ntifs.h>) && __has_include("local.h") && !__has_include(<windows.h>) && !__has_include("absent.h")\nall_found\n#endif\n#endif', { 'local.h': '' });
    assert.deepEqual(diags(r), []);
    assert.equal(text(r), 'all_found');
  });

  it('a malformed #include and an unreadable main file are errors, not exceptions', () => {
    assert.deepEqual(errors(pp('#include\n#include foo\n#include <>')), [
      'main.c:1:2: error: #include expects "FILENAME" or <FILENAME>',
      'main.c:2:10: error: #include expects "FILENAME" or <FILENAME>',
      'main.c:3:10: error: empty file name in #include',
    ]);
    const r = preprocess('missing.c', memoryHost({}));
    assert.deepEqual(errors(r), ["missing.c:1:1: error: cannot open source file 'missing.c'"]);
    assert.equal(r.tokens[r.tokens.length - 1].kind, 'eof');
  });
});
