// The I/O manager under real driver C: fixtures in test/fixtures/io run through the interpreter
// on the real emulator, with the WDK header inlines (IoSetCompletionRoutine,
// IoCopyCurrentIrpStackLocationToNext, IoMarkIrpPending) working on the emulator's IRPs.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKernel } from '../../../../src/emulator/index';
import { driverC } from '../../../../src/lang/index';
import { compileC } from '../../lang/helpers/runC';

function runFixture(name: string, source?: string) {
  const text = source ?? readFileSync(join(__dirname, '../../../fixtures/io', name), 'utf8');
  const expects: { ok: boolean; what: string }[] = [];
  const k = createKernel({
    physicalMemory: 64 * 1024 * 1024,
    output: (line, kind) => { if (kind === 'expect-pass' || kind === 'expect-fail') expects.push({ ok: kind === 'expect-pass', what: line }); },
  });
  const r = compileC(text, name, {}, k);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n'));
  const m = driverC.createMachine(r.program!, k);
  let o = m.run(5_000_000);
  while (o.kind === 'break') o = m.run(5_000_000);
  if (o.kind === 'exited') k.terminateAllProcesses();
  return { outcome: o, expects, k };
}

describe('The I/O manager under driver C', () => {
  it('a filter with a completion routine, direct-I/O reads and every IOCTL method behave as on Windows (§4.2, §4.3)', () => {
    const { outcome, expects } = runFixture('filter-stack.c');
    assert.equal(outcome.kind, 'exited', outcome.kind === 'bugcheck' ? outcome.bugcheck.message : '');
    assert.deepEqual(expects.filter((e) => !e.ok).map((e) => e.what), []);
    assert.ok(expects.length >= 10);
  });

  it('IoCompleteRequest twice in a dispatch routine is bug check 0x44 with the IRP (§4.3 step 1)', () => {
    const source = readFileSync(join(__dirname, '../../../fixtures/io/filter-stack.c'), 'utf8')
      .replace('    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    return status;\n}', '    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    return status;\n}');
    const { outcome } = runFixture('double.c', source);
    assert.equal(outcome.kind, 'bugcheck');
    if (outcome.kind === 'bugcheck') {
      assert.equal(outcome.bugcheck.code, 0x44);
      assert.equal(outcome.bugcheck.bugCheckName, 'MULTIPLE_IRP_COMPLETE_REQUESTS');
    }
  });

  it('a mapped file from C: first touch, write, eviction and locking a view (§3.4, §5.1)', () => {
    const { outcome, expects } = runFixture('mapped-file.c');
    assert.equal(outcome.kind, 'exited', outcome.kind === 'bugcheck' ? outcome.bugcheck.message : '');
    assert.deepEqual(expects.filter((e) => !e.ok).map((e) => e.what), []);
    assert.ok(expects.length >= 9);
  });
});
