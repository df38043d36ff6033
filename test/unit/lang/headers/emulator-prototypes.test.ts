// The emulator's routine table and the built-in headers describe the same routines the same way:
// every emulated routine is declared (or, where Windows uses a macro, defined as a macro) in the
// header the table names, with the same prototype, so hovers never disagree with what compiles.
import { strict as assert } from 'node:assert';
import { createKernel } from '../../../../src/emulator/index';
import { normalizePrototype, symbolsNamed } from '../../../../src/lang/headers/query';

/** Differences that are known and why; the test fails when one disappears, so the list stays true. */
const KNOWN_PROTOTYPE_DIFFERENCES: Record<string, string> = {
  ProbeForRead: 'the WDK declares Address as `const volatile VOID *`; the routine table leaves out const',
};
const KNOWN_HEADER_DIFFERENCES: Record<string, string> = {
  IoGetCurrentProcess: 'Microsoft documents IoGetCurrentProcess in ntddk.h',
};
/** The C memory routines live in <string.h>, which the routine table's header field cannot name. */
const C_RUNTIME = new Set(['memcpy', 'memmove', 'memset', 'memcmp']);

function parameterCount(prototype: string): number {
  const inner = prototype.slice(prototype.indexOf('(') + 1, prototype.lastIndexOf(')')).trim();
  return inner === '' || /^(VOID|void)$/.test(inner) ? 0 : inner.split(',').length;
}

describe('built-in headers agree with the emulator\'s routine table', function () {
  this.timeout(20000);
  const kernel = createKernel();
  const names = kernel.routineNames();

  it('every emulated routine is declared in a built-in header or defined there as a macro', () => {
    const missing = names.filter((n) => symbolsNamed(n).length === 0);
    assert.deepEqual(missing, []);
  });

  it('a routine declared in a header has the prototype of the routine table', () => {
    for (const name of names) {
      const declared = symbolsNamed(name).find((s) => s.kind === 'routine' || s.kind === 'inline');
      if (!declared) continue;
      const table = normalizePrototype(kernel.routine(name)!.prototype);
      if (KNOWN_PROTOTYPE_DIFFERENCES[name]) assert.notEqual(declared.signature, table, `${name} now agrees: drop it from the known differences`);
      else assert.equal(declared.signature, table, name);
    }
  });

  it('a routine that Windows defines as a macro takes as many arguments as the table says', () => {
    for (const name of names) {
      const symbols = symbolsNamed(name);
      if (symbols.some((s) => s.kind === 'routine' || s.kind === 'inline')) continue;
      const macro = symbols.find((s) => s.kind === 'macro');
      if (!macro) continue;
      assert.equal(macro.params?.length ?? 0, parameterCount(kernel.routine(name)!.prototype), name);
    }
  });

  it('each routine is in the header the table names', () => {
    for (const name of names) {
      if (C_RUNTIME.has(name)) continue;
      const symbol = symbolsNamed(name)[0];
      if (!symbol) continue; // reported by the first test
      const header = kernel.routine(name)!.header;
      if (KNOWN_HEADER_DIFFERENCES[name]) assert.notEqual(symbol.header, header, `${name} now agrees: drop it from the known differences`);
      else assert.equal(symbol.header, header, name);
    }
  });
});
