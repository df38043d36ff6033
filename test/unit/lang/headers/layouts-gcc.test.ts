// The built-in headers' structures, compiled by a real C compiler, have exactly the x64 offsets
// of src/emulator/layouts.ts (the numbers the emulator reads and writes). Needs gcc on PATH.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as layouts from '../../../../src/emulator/layouts';
import { preprocess } from '../../../../src/lang/preprocessor/index';

/** Layout keys that are not plain member names, as C member designators. */
const PATHS: Record<string, Record<string, string>> = {
  IRP: {
    TailOverlayDriverContext: 'Tail.Overlay.DriverContext',
    TailOverlayThread: 'Tail.Overlay.Thread',
    TailOverlayAuxiliaryBuffer: 'Tail.Overlay.AuxiliaryBuffer',
    TailOverlayListEntry: 'Tail.Overlay.ListEntry',
    TailOverlayCurrentStackLocation: 'Tail.Overlay.CurrentStackLocation',
    TailOverlayOriginalFileObject: 'Tail.Overlay.OriginalFileObject',
  },
  IO_STACK_LOCATION: {
    ReadLength: 'Parameters.Read.Length',
    ReadKey: 'Parameters.Read.Key',
    ReadFlags: 'Parameters.Read.Flags',
    ReadByteOffset: 'Parameters.Read.ByteOffset',
    OutputBufferLength: 'Parameters.DeviceIoControl.OutputBufferLength',
    InputBufferLength: 'Parameters.DeviceIoControl.InputBufferLength',
    IoControlCode: 'Parameters.DeviceIoControl.IoControlCode',
    Type3InputBuffer: 'Parameters.DeviceIoControl.Type3InputBuffer',
  },
  MDL: { PfnArray: '' },
};

const STRUCTS = ['MDL', 'IO_STATUS_BLOCK', 'UNICODE_STRING', 'LIST_ENTRY', 'IRP', 'IO_STACK_LOCATION', 'DRIVER_OBJECT', 'DEVICE_OBJECT'] as const;

function assertions(): string[] {
  const out: string[] = [];
  for (const s of STRUCTS) {
    for (const [key, value] of Object.entries((layouts as unknown as Record<string, Record<string, number>>)[s])) {
      if (key === 'sizeof') {
        out.push(`_Static_assert(sizeof(${s}) == ${value}, "sizeof(${s}) == ${value}");`);
        continue;
      }
      const path = PATHS[s]?.[key] ?? key;
      if (!path) continue;
      out.push(`_Static_assert(__builtin_offsetof(${s}, ${path}) == ${value}, "FIELD_OFFSET(${s}, ${path}) == ${value}");`);
    }
  }
  return out;
}

/** Token text, one source line per line, with Windows' 32-bit `long` spelled `int` for an LP64 compiler. */
function toGccSource(tokens: { kind: string; text: string; file: string; line: number }[]): string {
  let s = '';
  let last = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'eof') break;
    const where = `${t.file}:${t.line}`;
    if (where !== last && s) s += '\n';
    last = where;
    let text = t.text;
    if (text === 'long') {
      const prev = tokens[i - 1]?.text;
      const next = tokens[i + 1]?.text;
      if (prev !== 'long' && next !== 'long') text = 'int';
    }
    s += text + ' ';
  }
  return s + '\n';
}

describe('built-in header layouts checked by a C compiler', function () {
  it('MDL, IRP, IO_STACK_LOCATION, DRIVER_OBJECT, DEVICE_OBJECT… have the offsets and sizes of layouts.ts', function () {
    if (spawnSync('gcc', ['--version']).status !== 0) this.skip();
    const source = `#include <ntifs.h>\n#include <mdlab.h>\n#include <ntstrsafe.h>\n${assertions().join('\n')}\n_Static_assert(sizeof(KAPC_STATE) == 0x30, "KAPC_STATE");\n_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");\n_Static_assert(sizeof(LONG) == 4 && sizeof(ULONG_PTR) == 8 && sizeof(WCHAR) == 2, "widths");\n`;
    const r = preprocess('layout.c', { readFile: () => source, resolveInclude: () => undefined });
    assert.deepEqual(r.diagnostics, []);
    const dir = mkdtempSync(join(tmpdir(), 'mdlab-layout-'));
    try {
      const file = join(dir, 'layout.c');
      writeFileSync(file, toGccSource(r.tokens));
      const cc = spawnSync('gcc', ['-fsyntax-only', '-std=gnu17', '-w', file], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
