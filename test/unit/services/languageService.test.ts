// Editor features on real scenario files: what a driver developer sees while typing.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { LanguageService } from '../../../src/lang/services';
import type { SourceHost } from '../../../src/lang/contract';

const SAMPLE = 'samples/01-probe-and-lock/scenario.c';

function hostWith(files: Record<string, string>): SourceHost {
  return {
    readFile: (p) => files[p],
    resolveInclude: (_from, name) => (files[name] !== undefined ? name : undefined),
  };
}

function posOf(text: string, needle: string, delta = 0): { line: number; col: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `"${needle}" is in the text`);
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length;
  const col = i + delta - before.lastIndexOf('\n');
  return { line, col };
}

describe('language services for scenario files', () => {
  const sample = readFileSync(SAMPLE, 'utf8');
  const host = hostWith({ [SAMPLE]: sample });

  it('the bundled sample checks clean: no diagnostics before F5', () => {
    const ls = new LanguageService();
    assert.deepEqual(ls.check(SAMPLE, host).filter((d) => d.severity === 'error'), []);
  });

  it('a syntax error is reported at its line and column', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID LabMain(VOID)\n{\n    ULONG x = 1\n    x++;\n}\n';
    const diags = ls.check('bad.c', hostWith({ 'bad.c': text }));
    const err = diags.find((d) => d.severity === 'error');
    assert.ok(err, 'an error is reported');
    assert.equal(err.file, 'bad.c');
    assert.ok(err.line === 4 || err.line === 5, `error on line 4 or 5, got ${err.line}`);
    assert.match(err.message, /;|expected/);
  });

  it('calling a routine the emulator does not have is an error before the run', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID MmNoSuchRoutine(PVOID p);\nVOID LabMain(VOID) { MmNoSuchRoutine(NULL); }\n';
    const diags = ls.check('u.c', hostWith({ 'u.c': text }));
    assert.ok(diags.some((d) => d.severity === 'error' && /MmNoSuchRoutine/.test(d.message) && d.line === 3));
  });

  it('hovering MmProbeAndLockPages shows its prototype, IRQL rule and a link to Microsoft\'s page', () => {
    const ls = new LanguageService();
    ls.check(SAMPLE, host);
    const h = ls.hover(SAMPLE, sample, posOf(sample, 'MmProbeAndLockPages(mdl', 3));
    assert.ok(h);
    assert.match(h, /VOID MmProbeAndLockPages\(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation\)/);
    assert.match(h, /IRQL/);
    assert.match(h, /learn\.microsoft\.com/);
  });

  it('hovering an MDL_* flag explains the bit', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID LabMain(VOID) { ULONG f = MDL_PAGES_LOCKED; }\n';
    const h = ls.hover('f.c', text, posOf(text, 'MDL_PAGES_LOCKED', 2), hostWith({ 'f.c': text }));
    assert.ok(h);
    assert.match(h, /0x0002/);
    assert.match(h, /lock/i);
  });

  it('hovering a local shows its C type', () => {
    const ls = new LanguageService();
    ls.check(SAMPLE, host);
    const h = ls.hover(SAMPLE, sample, posOf(sample, 'sysVa = ', 1));
    assert.ok(h);
    assert.match(h, /PVOID sysVa/);
  });

  it('hovering mdl->MdlFlags shows the field with its x64 offset', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID F(PMDL mdl) {\n    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);\n}\nVOID LabMain(VOID) {}\n';
    const h = ls.hover('m.c', text, posOf(text, 'MdlFlags', 2), hostWith({ 'm.c': text }));
    assert.ok(h);
    assert.match(h, /MdlFlags; \/\/ \+0x00a in struct _MDL/);
  });

  it('completion after "mdl->" lists the MDL\'s fields with their offsets', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID F(PMDL mdl) {\n    mdl->\n}\nVOID LabMain(VOID) {}\n';
    const items = ls.complete('c.c', text, posOf(text, 'mdl->', 5), hostWith({ 'c.c': text }));
    const labels = items.map((i) => i.label);
    for (const f of ['Next', 'Size', 'MdlFlags', 'Process', 'MappedSystemVa', 'StartVa', 'ByteCount', 'ByteOffset']) assert.ok(labels.includes(f), `${f} offered`);
    assert.equal(items.find((i) => i.label === 'ByteCount')?.detail, '+0x028 ULONG');
  });

  it('completion through nested members: Irp->Tail.Overlay. offers CurrentStackLocation', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID F(PIRP Irp) {\n    Irp->Tail.Overlay.\n}\nVOID LabMain(VOID) {}\n';
    const items = ls.complete('i.c', text, posOf(text, 'Overlay.', 8), hostWith({ 'i.c': text }));
    assert.ok(items.some((i) => i.label === 'CurrentStackLocation'), items.map((i) => i.label).join(','));
  });

  it('completion at statement level offers emulated routines, MDL flags and locals', () => {
    const ls = new LanguageService();
    ls.check(SAMPLE, host);
    const items = ls.complete(SAMPLE, sample, posOf(sample, 'RtlZeroMemory(sysVa', 0));
    const byLabel = new Map(items.map((i) => [i.label, i]));
    assert.equal(byLabel.get('IoAllocateMdl')?.kind, 'routine');
    assert.equal(byLabel.get('MDL_MAPPED_TO_SYSTEM_VA')?.kind, 'flag');
    assert.equal(byLabel.get('mdl')?.kind, 'variable');
    assert.equal(byLabel.get('ProcessBuffer')?.kind, 'function');
  });

  it('while the scenario has a syntax error, hover and completion still know its functions and locals', () => {
    const ls = new LanguageService();
    const broken = sample.replace('RtlZeroMemory(sysVa', 'ULONG oops = ;\n    RtlZeroMemory(sysVa');
    const h = hostWith({ [SAMPLE]: broken });
    assert.ok(ls.check(SAMPLE, h).some((d) => d.severity === 'error'), 'the error is reported');
    const byLabel = new Map(ls.complete(SAMPLE, broken, posOf(broken, 'RtlZeroMemory(sysVa', 0)).map((i) => [i.label, i]));
    assert.equal(byLabel.get('mdl')?.kind, 'variable');
    assert.equal(byLabel.get('ProcessBuffer')?.kind, 'function');
    assert.match(ls.hover(SAMPLE, broken, posOf(broken, 'sysVa = ', 1)) ?? '', /PVOID sysVa/);
  });

  it('signature help inside IoAllocateMdl( points at the argument being typed', () => {
    const ls = new LanguageService();
    const text = '#include <ntifs.h>\nVOID LabMain(VOID) { IoAllocateMdl(NULL, 10, \n';
    const sig = ls.signatureHelp('s.c', text, { line: 2, col: 47 }, hostWith({ 's.c': text }));
    assert.ok(sig);
    assert.equal(sig.parameters.length, 5);
    assert.equal(sig.activeParameter, 2);
    assert.match(sig.parameters[2], /SecondaryBuffer/);
  });

  it('go to definition finds the scenario\'s own function and a WDK routine in its built-in header', () => {
    const ls = new LanguageService();
    ls.check(SAMPLE, host);
    const own = ls.definition(SAMPLE, sample, posOf(sample, 'ProcessBuffer(start', 2));
    assert.deepEqual(own && { file: own.file, line: own.line }, { file: SAMPLE, line: posOf(sample, 'NTSTATUS ProcessBuffer').line });
    const wdk = ls.definition(SAMPLE, sample, posOf(sample, 'IoFreeMdl(mdl);', 2));
    assert.ok(wdk && /^<.*\.h>$/.test(wdk.file), `a built-in header, got ${wdk?.file}`);
  });

  it('a definition in a local header next to the scenario is found', () => {
    const ls = new LanguageService();
    const main = '#include <ntifs.h>\n#include "local.h"\nVOID LabMain(VOID) { ULONG n = BUFFER_PAGES; }\n';
    const local = '#define BUFFER_PAGES 4\n';
    const h = hostWith({ 'main.c': main, 'local.h': local });
    const def = ls.definition('main.c', main, posOf(main, 'BUFFER_PAGES', 1), h);
    assert.deepEqual(def && { file: def.file, line: def.line }, { file: 'local.h', line: 1 });
  });

  it('a code lens stands above LabMain', () => {
    const ls = new LanguageService();
    const lenses = ls.codeLenses(SAMPLE, host);
    assert.deepEqual(lenses.map((l) => l.function), ['LabMain']);
    assert.equal(lenses[0].line, posOf(sample, 'VOID LabMain').line);
  });
});
