// A short fuzzing run on every `npm test`: mutated scenarios end cleanly — a compile error with
// file:line:col, a normal end, an SEH exception, a bug check or the step limit — never a host
// exception. The long run is scripts/fuzz.mjs; its figures are in docs/robustness.md.
import { strict as assert } from 'node:assert';
import { loadSeeds } from '../../fuzz/seeds';
import { runCampaign } from '../../fuzz/campaign';
import { runScenarioText } from '../../fuzz/runner';
import { readFileSync } from 'node:fs';
import { language } from '../../../src/lang/index';
import { createKernel } from '../../../src/emulator/index';

describe('fuzzing the whole pipeline with mutated scenarios', function () {
  this.timeout(240_000);
  const seeds = loadSeeds();

  it('the seeds are the repository\'s scenarios, and they run', () => {
    assert.ok(seeds.length >= 10, `found ${seeds.length} seed scenarios`);
    const outcome = runScenarioText(seeds[0], { maxSteps: 200_000, physicalMemory: 64 << 20 });
    assert.notEqual(outcome.kind, 'host-failure', JSON.stringify(outcome));
  });

  it('200 mutants: every outcome is a clean compile error, end, exception, bug check or step limit', () => {
    const r = runCampaign(seeds, 200, 1, { maxSteps: 20_000, physicalMemory: 64 << 20 });
    const detail = r.failures.map((f) => `seed ${f.seed}: ${JSON.stringify(f.outcome)}`).join('\n');
    assert.equal(r.counts['host-failure'], 0, detail);
    assert.equal(r.compileErrorsWithoutPosition, 0, detail);
    // The mutants really reach the deeper stages (run, bug check, teardown), not only the parser.
    const ran = r.counts.exited + r.counts.bugcheck + r.counts['unhandled-exception'] + r.counts['step-limit'];
    assert.ok(ran >= r.runs / 20, `only ${ran} of ${r.runs} mutants ran: ${JSON.stringify(r.counts)}`);
  });

  it('a runaway loop ends at the step limit and an unbounded recursion in the kernel-stack-overflow bug check', () => {
    const loop = '#include <ntifs.h>\nVOID LabMain(VOID) { volatile ULONG n = 0; for (;;) n++; }\n';
    assert.deepEqual(runScenarioText(loop, { maxSteps: 50_000, physicalMemory: 64 << 20 }), { kind: 'step-limit' });
    const recursion = '#include <ntifs.h>\nULONG Deep(ULONG n) { volatile UCHAR pad[256]; pad[0] = (UCHAR)n; return Deep(n + 1) + pad[0]; }\nVOID LabMain(VOID) { Deep(0); }\n';
    assert.deepEqual(runScenarioText(recursion, { maxSteps: 1_000_000, physicalMemory: 64 << 20 }), { kind: 'bugcheck', code: 0x7f });
  });

  it('a driver image whose globals do not fit in physical memory ends in a bug check, not a host exception (found by fuzzing)', () => {
    const big = '#include <ntifs.h>\nUCHAR big[0x8000000];\nVOID LabMain(VOID) { big[0] = 1; }\n';
    const outcome = runScenarioText(big, { maxSteps: 1000, physicalMemory: 64 << 20 });
    assert.equal(outcome.kind, 'bugcheck', JSON.stringify(outcome));
  });
  it('an endless allocate-lock-trim loop ends at the step limit with its page file bounded by the commit limit (found by fuzzing: the page file grew without end)', () => {
    const endless = `#include <ntifs.h>
#include <mdlab.h>
VOID LabMain(VOID) {
    PEPROCESS app = LabCreateProcess("encoder.exe");
    LabEnterProcess(app);
    ULONG refused = 0;
    for (SIZE_T size = 16 * 1024 * 1024;; size *= 1) {
        PUCHAR buffer = (PUCHAR)LabUserAlloc(app, size, PAGE_READWRITE);
        if (!buffer) { refused++; continue; }
        PMDL mdl = IoAllocateMdl(buffer, (ULONG)size, FALSE, FALSE, NULL);
        __try { MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); MmUnlockPages(mdl); }
        __except (EXCEPTION_EXECUTE_HANDLER) { }
        IoFreeMdl(mdl);
        LabTrimWorkingSet(app);
    }
}
`;
    const before = process.memoryUsage().rss;
    assert.deepEqual(runScenarioText(endless, { maxSteps: 20_000, physicalMemory: 64 << 20 }), { kind: 'step-limit' });
    // RAM plus a three-times page file is 256 MiB here; without the limit this run held gigabytes.
    const grew = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grew < 1024, `host memory grew by ${grew.toFixed(0)} MiB`);
  });
  it('a global whose initializer reads memory is a compile error at the variable, not a fault of no statement (found by fuzzing: mutant 27947)', () => {
    // the mutant moved `UCHAR first = ((PUCHAR)g_Request.UserVa)[0];` of lab 8 to file scope
    const src = '#include <ntifs.h>\nPUCHAR g_Buffer;\nUCHAR g_First = g_Buffer[0];\nVOID LabMain(VOID) { }\n';
    const r = language.compile('bad.c', { readFile: (p) => (p === 'bad.c' ? src : undefined), resolveInclude: () => undefined });
    assert.ok(r.program, 'the parser accepts it; the linker evaluates the initializer');
    assert.deepEqual(runScenarioText(src, { maxSteps: 1000, physicalMemory: 64 << 20 }), { kind: 'compile-error', positionsOk: true });
    assert.throws(() => language.createMachine(r.program!, createKernel({ physicalMemory: 64 << 20, output: () => undefined }), 'LabMain'),
      (e: Error & { diagnostics?: { file: string; line: number; col: number; message: string }[] }) => {
        const d = e.diagnostics?.[0];
        assert.ok(d, e.message);
        assert.deepEqual([d.file, d.line, d.col], ['bad.c', 3, 7]);
        assert.match(d.message, /initializer of 'g_First' is not a constant expression/);
        return true;
      });
  });

  it('a paging read that reaches a garbage MajorFunction pointer raises an access violation in the kernel, not a host exception (found by fuzzing)', () => {
    const text = readFileSync('test/fuzz/regressions/garbage-read-dispatch.c', 'utf8');
    assert.deepEqual(runScenarioText(text, { maxSteps: 20_000, physicalMemory: 64 << 20 }), { kind: 'unhandled-exception', status: 0xc0000005 });
  });
});
