// Compile diagnostics as the CLI prints them: `FILE:LINE:COL: error: message`, the source line and
// a caret under the range, for scenario files and for the built-in headers.
import { strict as assert } from 'node:assert';
import type { Diagnostic } from '../../../../src/lang/contract';
import { diagnosticHeadline, formatDiagnostic, formatDiagnostics, sortDiagnostics, summarize } from '../../../../src/lang/format/index';
import { pp } from '../preprocessor/helpers';

const SOURCE = 'VOID LabMain(VOID)\n{\n\tPMDL mdl = IoAllocateMdl(buf, len, FALSE, FALSE, NULL)\n}\n';
const read = (f: string) => (f === 'main.c' ? SOURCE : undefined);
const diag = (line: number, col: number, endCol: number, message: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({ file: 'main.c', line, col, endLine: line, endCol, severity, message });

describe('diagnostic formatting for the CLI', () => {
  it('the first line is FILE:LINE:COL: error: message, as the CLI contract says', () => {
    assert.equal(diagnosticHeadline(diag(3, 57, 58, "expected ';' after the declaration")), "main.c:3:57: error: expected ';' after the declaration");
  });

  it('shows the source line with the line number and underlines the range, keeping tabs so the caret lines up', () => {
    const out = formatDiagnostic(diag(3, 13, 26, 'call to IoAllocateMdl'), read);
    assert.equal(out, 'main.c:3:13: error: call to IoAllocateMdl\n 3 | \tPMDL mdl = IoAllocateMdl(buf, len, FALSE, FALSE, NULL)\n   | \t           ^~~~~~~~~~~~~');
  });

  it('a range that continues on later lines is underlined to the end of its first line', () => {
    const d: Diagnostic = { file: 'main.c', line: 1, col: 6, endLine: 4, endCol: 2, severity: 'warning', message: 'LabMain never returns a value' };
    assert.equal(formatDiagnostic(d, read).split('\n')[2], '   |      ^~~~~~~~~~~~~');
  });

  it('an error in a built-in header shows the header line without any reader', () => {
    const r = pp('#include <wdm.h>\n');
    assert.equal(r.diagnostics.length, 0);
    const d: Diagnostic = { file: '<wdm.h>', line: 3, col: 1, endLine: 3, endCol: 9, severity: 'note', message: 'declared here' };
    const lines = formatDiagnostic(d).split('\n');
    assert.equal(lines[0], '<wdm.h>:3:1: note: declared here');
    assert.equal(lines[1], ' 3 | #define _MDLAB_WDM_H');
    assert.equal(lines[2], '   | ^~~~~~~~');
  });

  it('without the file text, or past its end, only the headline is printed', () => {
    assert.equal(formatDiagnostic({ ...diag(1, 1, 2, 'x'), file: 'gone.c' }, read), 'gone.c:1:1: error: x');
    assert.equal(formatDiagnostic(diag(99, 1, 2, 'x'), read), 'main.c:99:1: error: x');
  });

  it('prints every diagnostic and a summary; maxErrors leaves the rest out with a count', () => {
    const ds = [diag(3, 57, 58, 'first'), diag(4, 1, 2, 'unused', 'warning'), diag(4, 1, 2, 'second'), diag(4, 1, 2, 'third')];
    const all = formatDiagnostics(ds, read, { excerpt: false });
    assert.equal(all, 'main.c:3:57: error: first\nmain.c:4:1: warning: unused\nmain.c:4:1: error: second\nmain.c:4:1: error: third\n3 errors, 1 warning');
    const two = formatDiagnostics(ds, read, { excerpt: false, maxErrors: 2 });
    assert.equal(two, 'main.c:3:57: error: first\nmain.c:4:1: warning: unused\nmain.c:4:1: error: second\nnote: 1 more error not shown\n3 errors, 1 warning');
    assert.equal(summarize([]), '');
  });

  it('preprocessor errors come out formatted with their excerpt', () => {
    const source = '#include <ntifs.h>\n#if 1 +\n#endif\n';
    const r = pp(source);
    assert.equal(formatDiagnostics(r.diagnostics, () => source), 'main.c:2:7: error: #if expression ends where a value was expected\n 2 | #if 1 +\n   |       ^\n1 error');
  });

  it('sorts by file, line and column, keeping the order of equal positions', () => {
    const ds = [diag(4, 1, 2, 'b'), diag(3, 9, 10, 'a2'), diag(3, 2, 3, 'a1'), diag(4, 1, 2, 'c')];
    assert.deepEqual(sortDiagnostics(ds).map((d) => d.message), ['a1', 'a2', 'b', 'c']);
  });
});
