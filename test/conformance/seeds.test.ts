// The C examples of the seed documents run unchanged on the real emulator (their text is kept
// verbatim in test/conformance/seeds/), each driven from a small LabMain.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { driverC } from '../../src/lang/index';
import { makeKernel } from './harness';

const seed = (name: string) => readFileSync(join(__dirname, 'seeds', name), 'utf8');

function run(files: Record<string, string>) {
  const r = driverC.compile('scenario.c', { readFile: (p) => files[p], resolveInclude: (_f, n) => (n in files ? n : undefined) });
  assert.ok(r.program, r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('\n'));
  const k = makeKernel();
  const m = driverC.createMachine(r.program!, k);
  let o = m.run(1_000_000);
  while (o.kind === 'break') o = m.run(1_000_000);
  return { o, k };
}

describe('the seeds\' C examples', () => {
  it('ProcessBuffer (mdl-overview.md) locks, maps and zeroes a user buffer, and returns the probe failure from its __except', () => {
    const { o, k } = run({
      'process-buffer.c': seed('process-buffer.c'),
      'scenario.c': `#include "process-buffer.c"
#include <mdlab.h>
VOID LabMain(VOID) {
    PEPROCESS app = LabCreateProcess("app.exe");
    LabEnterProcess(app);
    PUCHAR buf = (PUCHAR)LabUserAlloc(app, 3 * PAGE_SIZE, PAGE_READWRITE);
    RtlFillMemory(buf, 3 * PAGE_SIZE, 0xCD);
    NTSTATUS s = ProcessBuffer(buf + 0x10, 2 * PAGE_SIZE);
    DbgPrint("%08X ", s);
    LabExpect(buf[0x10] == 0 && buf[0x200F] == 0 && buf[0x2010] == 0xCD && buf[0xF] == 0xCD, "exactly the described bytes were zeroed");
    s = ProcessBuffer((PVOID)0x10, PAGE_SIZE);
    DbgPrint("%08X", s);
}`,
    });
    assert.equal(o.kind, 'exited', o.kind === 'bugcheck' ? o.bugcheck.message : '');
    assert.deepEqual(k.expects.filter((e) => !e.ok), []);
    assert.equal(k.out.join(''), '00000000 C0000005');
  });

  it('MyFreeMdl (using-mdls.md) unlocks the locked MDLs of a chain and frees them all', () => {
    const { o, k } = run({
      'my-free-mdl.c': seed('my-free-mdl.c'),
      'scenario.c': `#include <ntifs.h>
#include <mdlab.h>
#include "my-free-mdl.c"
VOID LabMain(VOID) {
    PEPROCESS app = LabCreateProcess("app.exe");
    LabEnterProcess(app);
    PVOID buf = LabUserAlloc(app, 2 * PAGE_SIZE, PAGE_READWRITE);
    PMDL first = IoAllocateMdl(buf, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL second = IoAllocateMdl((PUCHAR)buf + PAGE_SIZE, PAGE_SIZE, FALSE, FALSE, NULL);
    first->Next = second;
    MmProbeAndLockPages(first, KernelMode, IoWriteAccess);
    LabExpect((first->MdlFlags & MDL_PAGES_LOCKED) != 0 && (second->MdlFlags & MDL_PAGES_LOCKED) == 0, "only the first MDL is locked");
    MyFreeMdl(first);
    DbgPrint("freed");
}`,
    });
    assert.equal(o.kind, 'exited', o.kind === 'bugcheck' ? o.bugcheck.message : '');
    assert.deepEqual(k.expects.filter((e) => !e.ok), []);
    assert.equal(k.out.join(''), 'freed');
    (k as unknown as { terminateAllProcesses(): void }).terminateAllProcesses();
  });
});
