// Routine table: memory copy/fill/compare (CRT intrinsics and their Rtl names) and DbgPrint.
import type { Kernel } from '../kernel';
import { define, ddiUrl, ptr, size, ulong, readCString, readWString, readCountedString } from './define';
import { formatPrintf } from '../printf';

const CHUNK = 0x10000;

function copy(k: Kernel, dst: number, src: number, n: number): void {
  // memmove semantics: correct for overlapping ranges (memcpy on Windows x64 behaves the same)
  if (n <= 0) return;
  if (dst > src && dst < src + n) {
    for (let off = n; off > 0; off -= CHUNK) {
      const len = Math.min(CHUNK, off);
      k.memory.writeBytes(dst + off - len, k.memory.readBytes(src + off - len, len));
    }
  } else {
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off);
      k.memory.writeBytes(dst + off, k.memory.readBytes(src + off, len));
    }
  }
}

function compare(k: Kernel, a: number, b: number, n: number): { equal: number; diff: number } {
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const x = k.memory.readBytes(a + off, len);
    const y = k.memory.readBytes(b + off, len);
    for (let i = 0; i < len; i++) if (x[i] !== y[i]) return { equal: off + i, diff: x[i] - y[i] };
  }
  return { equal: n, diff: 0 };
}

export function registerMemRoutines(k: Kernel): void {
  const crt = (name: string) => `https://learn.microsoft.com/en-us/cpp/c-runtime-library/reference/${name}`;
  // CRT intrinsics run inline in the driver: their faults are the driver's own (0xD1, not 0x0A).
  define(k, {
    name: 'memcpy', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'void *memcpy(void *dest, const void *src, size_t count);',
    summary: 'Copies count bytes; RtlCopyMemory is a macro over it.',
    details: 'Each byte goes through the page tables of the current context: a user address is read in the current process; a page that is not resident faults in at PASSIVE/APC level and bug-checks 0xD1 at DISPATCH_LEVEL.',
    docUrl: crt('memcpy-wmemcpy'),
  }, (a) => { copy(k, ptr(a[0]), ptr(a[1]), size(a[2])); return ptr(a[0]); }, true);
  define(k, {
    name: 'memmove', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'void *memmove(void *dest, const void *src, size_t count);',
    summary: 'Copies count bytes, correct for overlapping buffers; RtlMoveMemory is a macro over it.',
    details: 'See memcpy.', docUrl: crt('memmove-wmemmove'),
  }, (a) => { copy(k, ptr(a[0]), ptr(a[1]), size(a[2])); return ptr(a[0]); }, true);
  define(k, {
    name: 'memset', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'void *memset(void *dest, int c, size_t count);',
    summary: 'Fills count bytes with c; RtlZeroMemory and RtlFillMemory are macros over it.',
    details: 'See memcpy.', docUrl: crt('memset-wmemset'),
  }, (a) => { k.memory.fill(ptr(a[0]), size(a[2]), ulong(a[1]) & 0xff); return ptr(a[0]); }, true);
  define(k, {
    name: 'memcmp', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'int memcmp(const void *buffer1, const void *buffer2, size_t count);',
    summary: 'Compares count bytes: < 0, 0 or > 0.',
    details: 'See memcpy.', docUrl: crt('memcmp-wmemcmp'),
  }, (a) => Math.sign(compare(k, ptr(a[0]), ptr(a[1]), size(a[2])).diff), true);

  const wdm = (n: string) => ddiUrl('wdm', n);
  define(k, {
    name: 'RtlCopyMemory', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'VOID RtlCopyMemory(void *Destination, const void *Source, size_t Length);',
    summary: 'Copies Length bytes (a macro over memcpy in wdm.h).', details: 'See memcpy.', docUrl: wdm('RtlCopyMemory'),
  }, (a) => { copy(k, ptr(a[0]), ptr(a[1]), size(a[2])); }, true);
  define(k, {
    name: 'RtlMoveMemory', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'VOID RtlMoveMemory(void *Destination, const void *Source, size_t Length);',
    summary: 'Copies Length bytes between possibly overlapping buffers (a macro over memmove).', details: 'See memcpy.', docUrl: wdm('RtlMoveMemory'),
  }, (a) => { copy(k, ptr(a[0]), ptr(a[1]), size(a[2])); }, true);
  define(k, {
    name: 'RtlZeroMemory', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'VOID RtlZeroMemory(void *Destination, size_t Length);',
    summary: 'Zeroes Length bytes (a macro over memset in wdm.h).', details: 'See memcpy.', docUrl: wdm('RtlZeroMemory'),
  }, (a) => { k.memory.fill(ptr(a[0]), size(a[1]), 0); }, true);
  define(k, {
    name: 'RtlFillMemory', header: 'wdm.h', irql: 'Any level (the memory must be resident at DISPATCH_LEVEL and above)',
    prototype: 'VOID RtlFillMemory(void *Destination, size_t Length, int Fill);',
    summary: 'Fills Length bytes with Fill (a macro over memset in wdm.h).', details: 'See memcpy.', docUrl: wdm('RtlFillMemory'),
  }, (a) => { k.memory.fill(ptr(a[0]), size(a[1]), ulong(a[2]) & 0xff); }, true);
  define(k, {
    name: 'RtlCompareMemory', header: 'wdm.h', irql: '<= APC_LEVEL for pageable memory, any level for nonpaged',
    prototype: 'SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);',
    summary: 'Number of leading bytes that match (Length when the buffers are equal).',
    details: 'Unlike memcmp it returns a count, not an ordering: compare the result with Length.', docUrl: wdm('RtlCompareMemory'),
  }, (a) => compare(k, ptr(a[0]), ptr(a[1]), size(a[2])).equal);

  const reader = {
    cString: (va: number, max?: number) => readCString(k, va, max),
    wString: (va: number, max?: number) => readWString(k, va, max),
    countedString: (va: number, wide: boolean) => readCountedString(k, va, wide),
  };
  const print = (text: string) => {
    const lines = text.replace(/\r/g, '').split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) k.print(line, 'dbgprint');
  };
  define(k, {
    name: 'DbgPrint', header: 'wdm.h', irql: 'Any level (%wZ, %ws and %S only at PASSIVE_LEVEL)',
    prototype: 'ULONG DbgPrint(PCSTR Format, ...);',
    summary: 'Prints a printf-style message to the kernel debugger.',
    details: 'Formats: `%d %i %u %x %X %o %c %s %p %%`, width/precision/flags (`-+ #0`, `*`), sizes `h hh l ll I I32 I64 z`, wide strings `%S %ws %ls`, `%wZ` (PUNICODE_STRING), `%Z` (PANSI_STRING). Strings are read from emulated memory in the current context. Returns STATUS_SUCCESS.',
    docUrl: ddiUrl('wdm', 'DbgPrint'),
  }, (a) => { print(formatPrintf(readCString(k, ptr(a[0])), a.slice(1), reader)); return 0; });
  define(k, {
    name: 'DbgPrintEx', header: 'wdm.h', irql: 'Any level (%wZ, %ws and %S only at PASSIVE_LEVEL)',
    prototype: 'ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);',
    summary: 'DbgPrint with a component and a level (all levels are shown here).',
    details: 'See DbgPrint.', docUrl: ddiUrl('wdm', 'DbgPrintEx'),
  }, (a) => { print(formatPrintf(readCString(k, ptr(a[2])), a.slice(3), reader)); return 0; });
}
