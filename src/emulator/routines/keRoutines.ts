// Routine table: IRQL, process context, probing, address queries, exceptions and pool.
import type { Kernel } from '../kernel';
import { SehException } from '../contract';
import { define, ddiUrl, ptr, size, ulong, uchar } from './define';
import {
  DISPATCH_LEVEL, MM_USER_PROBE_ADDRESS, PAGE_SIZE, STATUS, irqlName,
  PagedPool, POOL_FLAG_NON_PAGED, POOL_FLAG_PAGED, POOL_FLAG_UNINITIALIZED, POOL_FLAG_RAISE_ON_FAILURE,
} from '../constants';
import { tagString } from '../pool';
import { hex64 } from '../u64';

export function raiseIrql(k: Kernel, newIrql: number): number {
  const old = k.irql;
  if (newIrql < old) {
    // DV 0xC4/0x30; plain Windows: IRQL_NOT_GREATER_OR_EQUAL.
    k.verifierCheck(0x30, old, newIrql, 0, `KeRaiseIrql to ${irqlName(newIrql)}, below the current ${irqlName(old)}`);
    k.bugCheck(0x09, [old, newIrql, 0, 0], `KeRaiseIrql to ${irqlName(newIrql)}, below the current ${irqlName(old)}`);
  }
  k.irql = newIrql;
  if (k.verifier && old < DISPATCH_LEVEL && newIrql >= DISPATCH_LEVEL) {
    // Driver Verifier's IRQL checking trims pageable memory on a raise, so that touching
    // pageable memory at DISPATCH_LEVEL fails every time, not only under memory pressure (6.7).
    const cur = k.procs.current;
    let n = 0;
    if (cur !== k.procs.system && cur.alive) n += k.procs.trim(cur, false).trimmed;
    n += k.procs.trim(null, false).trimmed;
    if (n) k.event('page-out', `Driver Verifier (IRQL checking) trimmed ${n} pageable pages on the raise to ${irqlName(newIrql)}`);
  }
  return old;
}

export function lowerIrql(k: Kernel, newIrql: number): void {
  if (newIrql > k.irql) k.verifierCheck(0x31, k.irql, newIrql, 0, `KeLowerIrql to ${irqlName(newIrql)}, above the current ${irqlName(k.irql)}`);
  k.irql = newIrql;
}

function probe(k: Kernel, address: number, length: number, alignment: number, write: boolean): void {
  if (length === 0) return;
  if (alignment > 1 && address % alignment !== 0) throw new SehException(STATUS.DATATYPE_MISALIGNMENT, `${write ? 'ProbeForWrite' : 'ProbeForRead'}: ${hex64(address)} is not aligned on ${alignment}`);
  const end = address + length;
  if (address < 0 || end > MM_USER_PROBE_ADDRESS || end < address) {
    throw new SehException(STATUS.ACCESS_VIOLATION, `${write ? 'ProbeForWrite' : 'ProbeForRead'}: ${hex64(address)} + 0x${length.toString(16)} is not in user space`, address, write);
  }
  if (write) {
    for (let va = address - (address % PAGE_SIZE); va < end; va += PAGE_SIZE) {
      const at = Math.max(va, address);
      k.memory.write8(at, k.memory.read8(at));
    }
  }
}

export function registerKeRoutines(k: Kernel): void {
  const wdm = (n: string) => ddiUrl('wdm', n);
  define(k, {
    name: 'KeGetCurrentIrql', header: 'wdm.h', irql: 'Any level', prototype: 'KIRQL KeGetCurrentIrql(VOID);',
    summary: 'The current IRQL of the processor.', details: 'PASSIVE_LEVEL 0, APC_LEVEL 1, DISPATCH_LEVEL 2.', docUrl: wdm('KeGetCurrentIrql'),
  }, () => k.irql);
  define(k, {
    name: 'KeRaiseIrql', header: 'wdm.h', irql: '>= current IRQL', prototype: 'VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);',
    summary: 'Raises the IRQL and stores the previous one in *OldIrql (a macro over KfRaiseIrql on x64).',
    details: 'At DISPATCH_LEVEL and above no page fault can be resolved: touching pageable memory (user buffers, paged pool, a locked buffer\'s trimmed original VA) bug-checks 0xD1. With Driver Verifier on, pageable memory is trimmed on the raise so the bug shows every time. Raising to a lower IRQL: 0xC4/0x30 or 0x09.',
    docUrl: wdm('KeRaiseIrql'),
  }, (a) => { const old = raiseIrql(k, uchar(a[0])); k.memory.write8(ptr(a[1]), old); });
  define(k, {
    name: 'KfRaiseIrql', header: 'wdm.h', irql: '>= current IRQL', prototype: 'KIRQL KfRaiseIrql(KIRQL NewIrql);',
    summary: 'Raises the IRQL and returns the previous one.', details: 'See KeRaiseIrql.', docUrl: wdm('KeRaiseIrql'),
  }, (a) => raiseIrql(k, uchar(a[0])));
  define(k, {
    name: 'KeRaiseIrqlToDpcLevel', header: 'wdm.h', irql: '<= DISPATCH_LEVEL', prototype: 'KIRQL KeRaiseIrqlToDpcLevel(VOID);',
    summary: 'Raises to DISPATCH_LEVEL and returns the previous IRQL.', details: 'See KeRaiseIrql.', docUrl: wdm('KeRaiseIrqlToDpcLevel'),
  }, () => raiseIrql(k, DISPATCH_LEVEL));
  define(k, {
    name: 'KeLowerIrql', header: 'wdm.h', irql: '<= current IRQL', prototype: 'VOID KeLowerIrql(KIRQL NewIrql);',
    summary: 'Restores the IRQL saved by KeRaiseIrql.', details: 'Lowering to a higher IRQL is Driver Verifier 0xC4/0x31.', docUrl: wdm('KeLowerIrql'),
  }, (a) => { lowerIrql(k, uchar(a[0])); });
  define(k, {
    name: 'KeBugCheckEx', header: 'wdm.h', irql: 'Any level',
    prototype: 'VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4);',
    summary: 'Stops the system with the given bug check code and parameters: what a driver calls when it finds its own state corrupt.',
    details: 'Never returns. The debugger stops with the code, its name and the four parameters, as WinDbg shows them after a crash.',
    docUrl: wdm('KeBugCheckEx'),
  }, (a) => k.bugCheck(ulong(a[0]), [a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0], 'the driver called KeBugCheckEx'));
  define(k, {
    name: 'KeStackAttachProcess', header: 'ntifs.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState);',
    summary: 'Attaches the thread to another process\'s address space; user addresses now resolve there.',
    details: 'Saves the previous context in the caller\'s KAPC_STATE; undo with KeUnstackDetachProcess (same ApcState, innermost first, else bug check 0x06). Lock user buffers of another process only while attached (or with MmProbeAndLockProcessPages). Reference 6.6.',
    docUrl: ddiUrl('ntifs', 'KeStackAttachProcess'),
  }, (a) => {
    if (k.irql > DISPATCH_LEVEL) k.bugCheck(0x05, [ptr(a[0]), 0, 0, k.irql], 'KeStackAttachProcess above DISPATCH_LEVEL');
    k.procs.attach(ptr(a[0]), ptr(a[1]));
  });
  define(k, {
    name: 'KeUnstackDetachProcess', header: 'ntifs.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState);',
    summary: 'Returns to the process context saved by KeStackAttachProcess.',
    details: 'ApcState must be the one of the innermost attach (bug check 0x06 otherwise).', docUrl: ddiUrl('ntifs', 'KeUnstackDetachProcess'),
  }, (a) => { k.procs.detach(ptr(a[0])); });
  define(k, {
    name: 'ProbeForRead', header: 'wdm.h', irql: '<= APC_LEVEL', prototype: 'VOID ProbeForRead(volatile VOID *Address, SIZE_T Length, ULONG Alignment);',
    summary: 'Checks that a user buffer lies in user space and is aligned; raises otherwise.',
    details: 'Raises STATUS_ACCESS_VIOLATION when the range reaches MM_USER_PROBE_ADDRESS or wraps, STATUS_DATATYPE_MISALIGNMENT when misaligned. Does not make the buffer valid for later: it can be freed or changed at any time. Call inside __try.',
    docUrl: wdm('ProbeForRead'),
  }, (a) => { probe(k, ptr(a[0]), size(a[1]), ulong(a[2]), false); });
  define(k, {
    name: 'ProbeForWrite', header: 'wdm.h', irql: '<= APC_LEVEL', prototype: 'VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment);',
    summary: 'Checks that a user buffer lies in user space, is aligned and writable; raises otherwise.',
    details: 'Like ProbeForRead, and touches each page for write (a read-only or uncommitted page raises STATUS_ACCESS_VIOLATION).',
    docUrl: wdm('ProbeForWrite'),
  }, (a) => { probe(k, ptr(a[0]), size(a[1]), ulong(a[2]), true); });
  define(k, {
    name: 'MmIsAddressValid', header: 'ntddk.h', irql: '<= DISPATCH_LEVEL', prototype: 'BOOLEAN MmIsAddressValid(PVOID VirtualAddress);',
    summary: 'TRUE if touching the address right now would not page-fault.',
    details: 'A snapshot only: a locked buffer\'s original VA becomes invalid after trimming even though the frame is locked (reference 3.3). Not a substitute for probing.',
    docUrl: ddiUrl('ntddk', 'MmIsAddressValid'),
  }, (a) => (k.mm.isAddressValid(ptr(a[0])) ? 1 : 0));
  define(k, {
    name: 'MmGetPhysicalAddress', header: 'ntddk.h', irql: 'Any level', prototype: 'PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);',
    summary: 'The physical address currently behind a resident virtual address (0 if not resident).',
    details: 'Only meaningful while the page is locked: an unlocked page can be paged out and come back in a different frame. Returned as the 64-bit QuadPart.',
    docUrl: ddiUrl('ntddk', 'MmGetPhysicalAddress'),
  }, (a) => Math.max(0, k.mm.peekTranslate(ptr(a[0]))));
  define(k, {
    name: 'ExRaiseStatus', header: 'wdm.h', irql: '<= DISPATCH_LEVEL', prototype: 'VOID ExRaiseStatus(NTSTATUS Status);',
    summary: 'Raises a structured exception with the given status (handled by __try/__except).',
    details: 'Unhandled in a driver it ends in a bug check (0x1E/0x7E).', docUrl: wdm('ExRaiseStatus'),
  }, (a) => { throw new SehException(ulong(a[0]), `ExRaiseStatus(0x${ulong(a[0]).toString(16).toUpperCase()})`); });
  define(k, {
    name: 'DbgBreakPoint', header: 'wdm.h', irql: 'Any level', prototype: 'VOID DbgBreakPoint(VOID);',
    summary: 'Breaks into the debugger (the debugger stops here).', details: 'Handled by the interpreter; here it does nothing.', docUrl: wdm('DbgBreakPoint'),
  }, () => undefined);

  // ---- pool ----
  const alloc = (kind: 'NonPaged' | 'Paged', bytes: number, tag: number, zero: boolean, raise: boolean) => {
    const va = k.pool.allocate(kind, bytes, tag);
    if (!va && raise) throw new SehException(STATUS.INSUFFICIENT_RESOURCES, `pool allocation of ${bytes} bytes failed`);
    if (va && zero) k.memory.fill(va, bytes, 0);
    if (va) k.event('pool', `${kind} pool: ${bytes} bytes tagged '${tagString(tag)}' at ${hex64(va)}`);
    return va;
  };
  const poolKind = (t: number): 'NonPaged' | 'Paged' => ((t & 1) === PagedPool ? 'Paged' : 'NonPaged');
  define(k, {
    name: 'ExAllocatePoolWithTag', header: 'wdm.h', irql: '<= DISPATCH_LEVEL (paged pool: <= APC_LEVEL)',
    prototype: 'PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);',
    summary: 'Allocates tagged pool (contents not initialised). Deprecated in favour of ExAllocatePool2.',
    details: 'NonPagedPool memory is resident and may be touched at DISPATCH_LEVEL; PagedPool memory is pageable (trimmed by LabTrimWorkingSet(NULL)). Returns NULL on failure. With Driver Verifier on, small allocations come from special pool: alone at the end of a page, and touching them after ExFreePool is bug check 0xD5. Free with ExFreePoolWithTag and the same tag (0xC2 otherwise).',
    docUrl: wdm('ExAllocatePoolWithTag'),
  }, (a) => alloc(poolKind(ulong(a[0])), size(a[1]), ulong(a[2]), false, false));
  define(k, {
    name: 'ExAllocatePool', header: 'wdm.h', irql: '<= DISPATCH_LEVEL (paged pool: <= APC_LEVEL)',
    prototype: 'PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);',
    summary: 'Obsolete: ExAllocatePoolWithTag with the tag \'None\'.', details: 'See ExAllocatePoolWithTag.', docUrl: wdm('ExAllocatePool'),
  }, (a) => alloc(poolKind(ulong(a[0])), size(a[1]), 0x656e6f4e, false, false));
  define(k, {
    name: 'ExAllocatePool2', header: 'wdm.h', irql: '<= DISPATCH_LEVEL (paged pool: <= APC_LEVEL)',
    prototype: 'PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);',
    summary: 'Allocates tagged pool, zeroed unless POOL_FLAG_UNINITIALIZED.',
    details: 'POOL_FLAG_NON_PAGED (0x40) or POOL_FLAG_PAGED (0x100) selects the pool; POOL_FLAG_RAISE_ON_FAILURE (0x20) raises STATUS_INSUFFICIENT_RESOURCES instead of returning NULL.',
    docUrl: wdm('ExAllocatePool2'),
  }, (a) => {
    const flags = Number(BigInt.asUintN(64, BigInt(a[0] ?? 0)) & 0xffffffffn);
    const kind = flags & POOL_FLAG_PAGED ? 'Paged' : 'NonPaged';
    if (!(flags & (POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED))) return 0;
    return alloc(kind, size(a[1]), ulong(a[2]), !(flags & POOL_FLAG_UNINITIALIZED), (flags & POOL_FLAG_RAISE_ON_FAILURE) !== 0);
  });
  define(k, {
    name: 'ExFreePoolWithTag', header: 'wdm.h', irql: '<= DISPATCH_LEVEL (paged pool: <= APC_LEVEL)',
    prototype: 'VOID ExFreePoolWithTag(PVOID P, ULONG Tag);',
    summary: 'Frees pool allocated with the same tag.',
    details: 'Double free: 0xC2 (P1 = 7). Wrong tag: 0xC2 (P1 = 0x0A). An address no allocation returned: Driver Verifier 0xC4/0x10, else 0xC2. The memory must not be used afterwards (special pool: 0xD5).',
    docUrl: wdm('ExFreePoolWithTag'),
  }, (a) => { k.pool.free(ptr(a[0]), ulong(a[1])); k.event('pool', `freed pool at ${hex64(ptr(a[0]))}`); });
  define(k, {
    name: 'ExFreePool', header: 'wdm.h', irql: '<= DISPATCH_LEVEL (paged pool: <= APC_LEVEL)',
    prototype: 'VOID ExFreePool(PVOID P);',
    summary: 'Frees pool without checking the tag.', details: 'See ExFreePoolWithTag.', docUrl: wdm('ExFreePool'),
  }, (a) => { k.pool.free(ptr(a[0]), null); k.event('pool', `freed pool at ${hex64(ptr(a[0]))}`); });
}
