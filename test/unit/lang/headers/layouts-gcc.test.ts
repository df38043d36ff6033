// The built-in headers' structures, compiled by a real C compiler, have exactly the x64 offsets
// of src/emulator/layouts.ts (the numbers the emulator reads and writes). Needs gcc on PATH.
import { strict as assert } from 'node:assert';
import * as layouts from '../../../../src/emulator/layouts';
import { preprocess } from '../../../../src/lang/preprocessor/index';
import { gcc, haveGcc, toGccSource } from './gcc';

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

describe('built-in header layouts checked by a C compiler', function () {
  it('MDL, IRP, IO_STACK_LOCATION, DRIVER_OBJECT, DEVICE_OBJECT… have the offsets and sizes of layouts.ts', function () {
    if (!haveGcc()) this.skip();
    const source = `#include <ntifs.h>\n#include <mdlab.h>\n#include <ntstrsafe.h>\n${assertions().join('\n')}\n_Static_assert(sizeof(KAPC_STATE) == 0x30, "KAPC_STATE");\n_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");\n_Static_assert(sizeof(LONG) == 4 && sizeof(ULONG_PTR) == 8 && sizeof(WCHAR) == 2, "widths");\n`;
    const r = preprocess('layout.c', { readFile: () => source, resolveInclude: () => undefined });
    assert.deepEqual(r.diagnostics, []);
    const result = gcc(toGccSource(r.tokens), false);
    assert.ok(result.ok, result.output);
  });
});
