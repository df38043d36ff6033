// __declspec(align(N)) as MSVC x64 lays it out: on a struct definition it raises the type's alignment
// and rounds its size; on a variable, a member or a typedef it raises the alignment and keeps the
// size; addresses of globals and locals honour it. Other __declspec attributes are ignored with a note.
import assert from 'node:assert/strict';
import { suite, program } from './harness';
import { compileC } from '../unit/lang/helpers/runC';

suite('__declspec(align(N)) and _Alignas', [
  {
    name: 'a struct defined with __declspec(align(32)) is 32-aligned and its size is rounded up to 32',
    c: `typedef __declspec(align(32)) struct { int a; } S32;
        struct __declspec(align(16)) A16 { char c; };
        __declspec(align(16)) struct B16 { char c; int x; };
        VOID LabMain(VOID) {
          DbgPrint("%d %d|%d %d|%d %d", (int)sizeof(S32), (int)__alignof(S32), (int)sizeof(struct A16), (int)__alignof(struct A16),
                   (int)sizeof(struct B16), (int)__alignof(struct B16));
        }`,
    out: '32 32|16 16|16 16',
  },
  {
    name: 'a size larger than the alignment is rounded up to the next multiple (int[12] aligned 32 takes 64 bytes)',
    c: `typedef __declspec(align(32)) struct { int a[12]; } T; DbgPrint("%d", (int)sizeof(T));`,
    out: '64',
  },
  {
    name: 'an aligned member starts at a multiple of its alignment and passes it to the struct; the members after it follow it',
    c: `struct M { int a; __declspec(align(16)) int b; int c; };
        VOID LabMain(VOID) {
          DbgPrint("%d %d %d %d", (int)FIELD_OFFSET(struct M, b), (int)FIELD_OFFSET(struct M, c), (int)sizeof(struct M), (int)__alignof(struct M));
        }`,
    out: '16 20 32 16',
  },
  {
    name: 'a struct holding an aligned struct places it at that alignment, and arrays of aligned structs step by the rounded size',
    c: `typedef __declspec(align(32)) struct { int a; } S32;
        struct Outer { char c; S32 s; };
        S32 arr[3];
        VOID LabMain(VOID) {
          DbgPrint("%d %d %d %d", (int)FIELD_OFFSET(struct Outer, s), (int)sizeof(struct Outer),
                   (int)((PUCHAR)&arr[2] - (PUCHAR)&arr[0]), (int)((ULONG_PTR)&arr[1] & 31));
        }`,
    out: '32 64 64 0',
  },
  {
    name: 'a typedef of a scalar keeps its size and raises its alignment; an alignment below the natural one changes nothing',
    c: `typedef __declspec(align(16)) ULONG AULONG;
        typedef __declspec(align(2)) LONGLONG LL2;
        struct P { char c; AULONG v; };
        VOID LabMain(VOID) {
          DbgPrint("%d %d %d %d %d", (int)sizeof(AULONG), (int)__alignof(AULONG), (int)FIELD_OFFSET(struct P, v), (int)sizeof(struct P), (int)__alignof(LL2));
        }`,
    out: '4 16 16 32 8',
  },
  {
    name: 'an array of a type whose alignment exceeds its size is refused (its elements could not all be aligned)',
    c: `typedef __declspec(align(16)) ULONG AULONG; AULONG many[4];`,
    error: /array of 'AULONG': its alignment \(16\) is larger than its size \(4\)/,
  },
  {
    name: 'global variables are placed at their alignment, and sizeof a variable is not changed by it (DECLSPEC_CACHEALIGN is 64)',
    c: `UCHAR before;
        __declspec(align(64)) UCHAR g64[3];
        UCHAR between;
        DECLSPEC_CACHEALIGN ULONG counter;
        DECLSPEC_ALIGN(4096) UCHAR page[16];
        VOID LabMain(VOID) {
          DbgPrint("%d %d %d %d %d", (int)((ULONG_PTR)g64 & 63), (int)sizeof(g64), (int)((ULONG_PTR)&counter & 63),
                   (int)((ULONG_PTR)page & 0xFFF), (int)__alignof(g64));
        }`,
    out: '0 3 0 0 64',
  },
  {
    name: 'locals are placed at their alignment at every call depth, also below a variadic call that spilled an odd number of arguments',
    c: `static int Probe(int depth) {
          __declspec(align(64)) UCHAR line[3];
          __declspec(align(16)) UCHAR xmm[3];
          UCHAR c = 0;
          if (((ULONG_PTR)line & 63) != 0 || ((ULONG_PTR)xmm & 15) != 0) DbgPrint("misaligned at depth %d ", depth);
          (void)c;
          return depth ? Probe(depth - 1) : 0;
        }
        static void Spill(int n, ...) { Probe(2); }
        VOID LabMain(VOID) { Probe(4); Spill(1, 2); Spill(2, 3, 4); DbgPrint("done"); }`,
    out: 'done',
  },
  {
    name: '_Alignas takes a constant or a type, as C11 says',
    c: `_Alignas(32) UCHAR a[5];
        VOID LabMain(VOID) {
          _Alignas(LONGLONG) UCHAR b[8];
          _Alignas(16) int c;
          DbgPrint("%d %d %d", (int)((ULONG_PTR)a & 31), (int)((ULONG_PTR)b & 7), (int)((ULONG_PTR)&c & 15));
        }`,
    out: '0 0 0',
  },
  {
    name: 'an alignment that is not a power of two is a compile error at the value',
    c: `typedef __declspec(align(24)) struct { int a; } Bad;`,
    error: /alignment must be a power of two from 1 to 8192 \(found 24\)/,
  },
]);

describe('__declspec attributes other than align', () => {
  it('are ignored with a note at the attribute, and the program still compiles', () => {
    const r = compileC(program(`__declspec(noinline) static int Helper(void) { return 1; }
      __declspec(selectany) int shared = 2;
      VOID LabMain(VOID) { DbgPrint("%d", Helper() + shared); }`), 'test.c');
    assert.ok(r.program, r.diagnostics.map((d) => d.message).join('\n'));
    const notes = r.diagnostics.filter((d) => d.severity === 'note').map((d) => `${d.line - 2}:${d.col} ${d.message}`);
    assert.deepEqual(notes, [
      '1:12 __declspec(noinline) has no effect in the emulator and is ignored',
      '2:18 __declspec(selectany) has no effect in the emulator and is ignored',
    ]);
  });

  it('written in the built-in headers (DECLSPEC_NORETURN, DECLSPEC_ALIGN) give no note', () => {
    const r = compileC(program(`VOID LabMain(VOID) { }`), 'test.c');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'error' && d.file === 'test.c'), []);
    assert.deepEqual(r.diagnostics.filter((d) => d.file.startsWith('<')), []);
  });
});
