// What the debugger sees: locals, globals, expressions, typed formatting and paged children.
import assert from 'node:assert/strict';
import { driverC, type CMachine } from '../../../src/lang/index';
import { compileC, PRELUDE } from './helpers/runC';
import { FakeKernel } from './helpers/fakeKernel';

function stopped(src: string): CMachine {
  const r = compileC(PRELUDE + src);
  assert.ok(r.program, r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  const m = driverC.createMachine(r.program!, new FakeKernel()) as CMachine;
  assert.equal(m.run(100_000).kind, 'break');
  return m;
}

const SRC = `
typedef struct _ITEM { ULONG Id; USHORT Flags; struct _ITEM *Next; UCHAR Name[8]; } ITEM, *PITEM;
ULONG gCount = 7;
ITEM gItems[3];
VOID LabMain(VOID) {
  ITEM local = { 5, 0x12, NULL, "abc" };
  PITEM p = &local;
  ULONG big[1000];
  LONG neg = -2;
  ULONG64 wide = 0xFFFFE00012340000ULL;
  PCSTR text = "hello";
  for (int i = 0; i < 1000; i++) big[i] = i * 3;
  gItems[1].Id = 42;
  LabBreak();
}`;

describe('debugger views of driver C values', () => {
  it('locals have their C types as written and values formatted per hex/decimal', () => {
    const m = stopped(SRC);
    const byName = new Map(m.locals(0).map((v) => [v.name, v]));
    assert.equal(byName.get('neg')!.type, 'LONG');
    assert.equal(byName.get('neg')!.value, '-2');
    assert.equal(new Map(m.locals(0, true).map((v) => [v.name, v])).get('neg')!.value, '0xfffffffe');
    assert.equal(byName.get('p')!.type, 'PITEM');
    assert.equal(byName.get('wide')!.value, '18446708889642860544');
    assert.equal(byName.get('text')!.value.endsWith('"hello"'), true);
    assert.ok(!byName.has('i'), 'a loop variable out of scope is not listed');
  });

  it('pointers are shown WinDbg style with a backtick between the halves', () => {
    const m = stopped(SRC);
    const p = m.evaluate('p');
    assert.match(p.value, /^0xffffd000`0000[0-9a-f]{4}$/);
    assert.equal(typeof p.raw, 'number');
  });

  it('a pointer to a struct expands to the struct fields, read from emulated memory', () => {
    const m = stopped(SRC);
    const p = m.evaluate('p');
    assert.equal(p.namedChildren, 4);
    const kids = p.children();
    assert.deepEqual(kids.map((k) => k.name), ['Id', 'Flags', 'Next', 'Name']);
    assert.equal(kids[0].value, '5');
    assert.equal(kids[2].value, '0x00000000`00000000');
    assert.equal(kids[3].value, '"abc"');
    assert.equal(kids[1].address, (p.raw as number) + 4);
  });

  it('arrays have indexed children read only as far as asked (paging)', () => {
    const m = stopped(SRC);
    const big = m.evaluate('big');
    assert.equal(big.indexedChildren, 1000);
    const page = big.children(500, 3);
    assert.deepEqual(page.map((c) => [c.name, c.value]), [['[500]', '1500'], ['[501]', '1503'], ['[502]', '1506']]);
    assert.equal(big.size, 4000);
  });

  it('expressions: member access, indexing, casts, sizeof, arithmetic and macros', () => {
    const m = stopped(SRC);
    assert.equal(m.evaluate('p->Id + big[10]').value, '35');
    assert.equal(m.evaluate('(UCHAR)(neg)').value, '254');
    assert.equal(m.evaluate('sizeof(ITEM)').value, '24');
    assert.equal(m.evaluate('gItems[1].Id').value, '42');
    assert.equal(m.evaluate('gCount * 2', { hex: true }).value, '0x0000000e');
    assert.equal(m.evaluate('&big[1] - &big[0]').type, 'ptrdiff_t');
    assert.equal(m.evaluate('STATUS_SUCCESS').value, '0x00000000 (STATUS_SUCCESS)');
    assert.equal(m.evaluate('NT_SUCCESS(neg)').value, '0');
  });

  it('side effects are refused unless asked for; assign() writes through', () => {
    const m = stopped(SRC);
    assert.throws(() => m.evaluate('neg = 5'), /side effects/);
    assert.throws(() => m.evaluate('gCount++'), /side effects/);
    assert.throws(() => m.evaluate('DbgPrint("x")'), /side effects/);
    assert.equal(m.evaluate('neg').value, '-2');
    assert.equal(m.assign('neg', '40 + 2').value, '42');
    assert.equal(m.evaluate('neg').value, '42');
    assert.equal(m.assign('p->Flags', '0xFFFF').value, '65535');
    assert.equal(m.evaluate('local.Flags').value, '65535');
    assert.equal(m.evaluate('gCount = 9', { allowSideEffects: true }).value, '9');
    assert.equal(m.globals().find((g) => g.name === 'gCount')!.value, '9');
  });

  it('bad expressions and bad pointers give clear errors, not exceptions from the host', () => {
    const m = stopped(SRC);
    assert.throws(() => m.evaluate('nosuch + 1'), /'nosuch' is not declared/);
    assert.throws(() => m.evaluate('p->Bogus'), /no member named 'Bogus'/);
    assert.throws(() => m.evaluate('1 +'), /expected an expression/);
    const bad = m.evaluate('*(PULONG)0x10');
    assert.match(bad.value, /cannot read memory/);
  });

  it('globals lists the scenario globals with addresses in the driver image', () => {
    const m = stopped(SRC);
    const g = m.globals();
    const items = g.find((v) => v.name === 'gItems')!;
    assert.equal(items.type, 'ITEM[3]');
    assert.equal(items.indexedChildren, 3);
    assert.equal(items.children(1, 1)[0].children()[0].value, '42');
    assert.ok(items.address !== undefined && items.address < 0, 'the image is in kernel space');
  });

  it('evaluation in an outer frame sees that frame\'s locals', () => {
    const m = stopped('int inner(int a) { int z = a + 1; LabBreak(); return z; }\nVOID LabMain(VOID) { int outer = 11; inner(outer); }');
    assert.equal(m.evaluate('z').value, '12');
    assert.equal(m.evaluate('outer', { frame: 1 }).value, '11');
    assert.throws(() => m.evaluate('outer', { frame: 0 }), /not declared/);
  });
});

describe('a large PFN array in the debugger', () => {
  it('a 262,144-entry PFN array is shown as indexed children and a page of it reads only that page', () => {
    const m = stopped('VOID LabMain(VOID) {\n PMDL mdl = (PMDL)ExAllocatePoolWithTag(NonPagedPool, sizeof(MDL) + 262144 * sizeof(PFN_NUMBER), \'ldM \');\n PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);\n pfn[200000] = 0x1234; pfn[200001] = 0x1235;\n LabBreak();\n}');
    const k = m.kernel as FakeKernel;
    let bytesRead = 0;
    const peek = k.peek.bind(k);
    k.peek = (va: number, n: number) => { bytesRead += n; return peek(va, n); };
    const arr = m.evaluate('*(PFN_NUMBER (*)[262144])MmGetMdlPfnArray(mdl)', { hex: true });
    assert.equal(arr.indexedChildren, 262144);
    const page = arr.children(200000, 2);
    assert.deepEqual(page.map((c) => [c.name, c.value]), [['[200000]', '0x0000000000001234'], ['[200001]', '0x0000000000001235']]);
    assert.equal(page[1].address, (arr.address as number) + 200001 * 8);
    assert.ok(bytesRead < 256, `only the asked entries are read (${bytesRead} bytes)`);
  });
});

describe('evaluation after a bug check in an emulated routine', () => {
  it('without a frame index, expressions are evaluated in the innermost C frame, below nt!Routine', () => {
    const r = compileC(PRELUDE + 'VOID KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);\nVOID LabMain(VOID) { ULONG code = 0xC4; KeBugCheckEx(code, 0x7C, 0, 0, 0); }');
    const m = driverC.createMachine(r.program!, new FakeKernel()) as CMachine;
    assert.equal(m.run(100).kind, 'bugcheck');
    assert.equal(m.frames()[0].function, 'nt!KeBugCheckEx');
    assert.equal(m.evaluate('code', { hex: true }).value, '0x000000c4');
    assert.throws(() => m.evaluate('code', { frame: 0 }), /emulated routine KeBugCheckEx/);
    assert.deepEqual(m.locals(1).map((v) => v.name), ['code']);
  });
});

describe('NTSTATUS values in the debugger', () => {
  it('an NTSTATUS shows as its hex code with the status name', () => {
    const m = stopped('VOID LabMain(VOID) { NTSTATUS s = STATUS_ACCESS_VIOLATION; NTSTATUS ok = STATUS_SUCCESS; NTSTATUS odd = 0xE0001234; LabBreak(); }');
    const v = new Map(m.locals(0).map((x) => [x.name, x.value]));
    assert.equal(v.get('s'), '0xc0000005 (STATUS_ACCESS_VIOLATION)');
    assert.equal(v.get('ok'), '0x00000000 (STATUS_SUCCESS)');
    assert.equal(v.get('odd'), '0xe0001234');
  });
});
