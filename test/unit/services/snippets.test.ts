// The snippets a driver developer inserts must compile and run as they stand (placeholders filled
// with their defaults), so none of them teaches a pattern the emulator would reject.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { LanguageService } from '../../../src/lang/services';

type Snippet = { prefix: string; body: string[] };
const snippets = JSON.parse(readFileSync('snippets/driver-c.json', 'utf8')) as Record<string, Snippet>;

/** Expands ${1:name} / ${1|a,b|} / $0 to their defaults, as VS Code would on Tab-Tab-Tab. */
function expand(body: string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
    .replace(/\$\d+/g, '');
}

function wrap(prefix: string, code: string): string {
  if (prefix === 'mdl-scenario') return code;
  const params: Record<string, string> = {
    'mdl-probe-lock': 'PVOID UserBuffer, SIZE_T Length',
    'mdl-partial': 'PMDL sourceMdl, ULONG Offset, ULONG Length',
    'mdl-double-buffer': 'PMDL systemMdl',
    'mdl-free-chain': 'PIRP Irp',
  };
  const ret = prefix === 'mdl-free-chain' || prefix === 'mdl-partial' ? 'VOID' : 'NTSTATUS';
  const tail = ret === 'NTSTATUS' ? '\n    return STATUS_SUCCESS;' : '';
  return `#include <ntifs.h>\n#include <mdlab.h>\n${ret} Snippet(${params[prefix]})\n{\n${code}${tail}\n}\nVOID LabMain(VOID) {}\n`;
}

describe('snippets for the canonical MDL patterns', () => {
  for (const [name, s] of Object.entries(snippets)) {
    it(`"${name}" (${s.prefix}) compiles with its placeholders' defaults`, () => {
      const text = wrap(s.prefix, expand(s.body));
      const ls = new LanguageService();
      const errors = ls
        .check('snippet.c', { readFile: () => text, resolveInclude: () => undefined })
        .filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((e) => `${e.line}:${e.col} ${e.message}`), [], text);
    });
  }
});
