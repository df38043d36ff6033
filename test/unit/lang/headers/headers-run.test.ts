// The built-in headers' inline routines and macros, compiled by the driver-C compiler and run on
// the emulator, behave as in a Debug (checked) build of a WDK driver.
import { strict as assert } from 'node:assert';
import { createKernel } from '../../../../src/emulator/index';
import { driverC } from '../../../../src/lang/index';

function run(source: string): { outcome: string; output: string } {
  const compiled = driverC.compile('assert.c', { readFile: () => source, resolveInclude: () => undefined });
  assert.deepEqual(compiled.diagnostics.filter((d) => d.severity === 'error'), []);
  const lines: string[] = [];
  const kernel = createKernel({ output: (text: string) => lines.push(text) });
  const machine = driverC.createMachine(compiled.program!, kernel);
  const outcome = machine.run(1_000_000);
  return { outcome: outcome.kind === 'break' ? `break ${outcome.reason}` : outcome.kind, output: lines.join('\n') };
}

describe('built-in headers running on the emulator', function () {
  this.timeout(20000);

  it('a failed ASSERT prints the checked-build message with the scenario file and line, then breaks in', () => {
    const r = run('#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID)\n{\n    ULONG pages = 3;\n    ASSERT(pages == 3);\n    ASSERT(pages < 2);\n    DbgPrint("not reached\\n");\n}\n');
    assert.equal(r.outcome, 'break DbgBreakPoint');
    assert.match(r.output, /\*\*\* Assertion failed: pages < 2\n\*\*\*   Source File: assert\.c, line 7/);
    assert.doesNotMatch(r.output, /pages == 3|not reached/);
  });

  it('PAGED_CODE() at DISPATCH_LEVEL reports pageable code at the wrong IRQL and breaks in, as a Debug build does', () => {
    const r = run('#include <ntifs.h>\n#include <mdlab.h>\nVOID Pageable(VOID)\n{\n    PAGED_CODE();\n}\nVOID LabMain(VOID)\n{\n    KIRQL old;\n    Pageable();\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    Pageable();\n}\n');
    assert.equal(r.outcome, 'break DbgBreakPoint');
    assert.equal(r.output, 'EX: Pageable code called at IRQL 2\n*** Assertion failed: FALSE\n***   Source File: assert.c, line 5\n');
  });

  it('ExAllocatePoolZero returns zeroed pool and the Interlocked routines update in place', () => {
    const r = run('#include <ntifs.h>\n#include <mdlab.h>\nVOID LabMain(VOID)\n{\n    LONG n = 5;\n    PUCHAR p = (PUCHAR)ExAllocatePoolZero(NonPagedPoolNx, 64, 0x6c62614d);\n    LONG seen = InterlockedCompareExchange(&n, 9, 5);\n    DbgPrint("%d %d %d %d", p[0] + p[63], InterlockedIncrement(&n), seen, InterlockedExchange(&n, 1));\n    ExFreePoolWithTag(p, 0x6c62614d);\n}\n');
    assert.equal(r.outcome, 'exited');
    assert.equal(r.output, '0 10 5 10');
  });

  it('RtlInitUnicodeString counts bytes without the NUL, and the ntstrsafe copy truncates with STATUS_BUFFER_OVERFLOW', () => {
    const r = run([
      '#include <ntifs.h>',
      '#include <ntstrsafe.h>',
      '#include <mdlab.h>',
      'VOID LabMain(VOID)',
      '{',
      '    UNICODE_STRING name; ANSI_STRING ansi; CHAR buf[6]; size_t n = 99;',
      '    RtlInitUnicodeString(&name, L"\\\\Device\\\\MdlLab");',
      '    RtlInitAnsiString(&ansi, "abc");',
      '    NTSTATUS copied = RtlStringCbCopyA(buf, sizeof(buf), "hello, world");',
      '    NTSTATUS measured = RtlStringCchLengthA(buf, sizeof(buf), &n);',
      '    NTSTATUS empty = RtlStringCchCopyA(buf, 0, "x");',
      '    NTSTATUS unterminated = RtlStringCchLengthA("abc", 3, NULL);',
      '    DbgPrint("%u %u %u %u [%s] %x %u %x %x %x", name.Length, name.MaximumLength, ansi.Length, ansi.MaximumLength, buf, copied, (ULONG)n, measured, empty, unterminated);',
      '}',
    ].join('\n'));
    assert.equal(r.outcome, 'exited');
    assert.equal(r.output, '28 30 3 4 [hello] 80000005 5 0 c000000d c000000d');
  });

  it('the list helpers of wdm.h link entries as Windows does', () => {
    const r = run('#include <ntifs.h>\n#include <mdlab.h>\ntypedef struct _ITEM { ULONG Value; LIST_ENTRY Link; } ITEM;\nVOID LabMain(VOID)\n{\n    LIST_ENTRY head; ITEM a, b, c; PLIST_ENTRY e; ULONG sum = 0;\n    a.Value = 1; b.Value = 20; c.Value = 300;\n    InitializeListHead(&head);\n    InsertTailList(&head, &a.Link); InsertTailList(&head, &b.Link); InsertHeadList(&head, &c.Link);\n    for (e = head.Flink; e != &head; e = e->Flink) sum = sum * 1000 + CONTAINING_RECORD(e, ITEM, Link)->Value;\n    RemoveEntryList(&a.Link);\n    DbgPrint("%lu %d %lu\\n", sum, IsListEmpty(&head), CONTAINING_RECORD(RemoveTailList(&head), ITEM, Link)->Value);\n}\n');
    assert.equal(r.outcome, 'exited');
    // c was inserted at the head, a and b at the tail: the walk sees 300, 1, 20.
    assert.equal(r.output, '300001020 0 20');
  });
});
