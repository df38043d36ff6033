// Routine table: MDL allocation, locking, mapping and the MDL accessor macros (reference section 2).
import type { Kernel } from '../kernel';
import { define, ddiUrl, ptr, size, ulong, bool } from './define';
import { mmSizeOfMdl } from '../mdl';
import {
  allocateMappingAddress, freeMappingAddress, mapWithReservedMapping, unmapReservedMapping, allocatePagesForMdlEx, freePagesFromMdl,
} from '../mdlMap';
import { MDL as L } from '../layouts';
import { MDL_MAPPED_TO_SYSTEM_VA, MDL_SOURCE_IS_NONPAGED_POOL, KernelMode, HighPagePriority } from '../constants';

export function registerMdlRoutines(k: Kernel): void {
  const wdm = (n: string) => ddiUrl('wdm', n);

  define(k, {
    name: 'IoAllocateMdl', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp);',
    summary: 'Allocates an MDL large enough to describe a buffer; optionally attaches it to an IRP.',
    details: 'Spans of up to 23 pages come from the I/O manager\'s fixed-size lookaside (`MDL_ALLOCATED_FIXED_SIZE`); larger ones from nonpaged pool. Initialised like `MmInitializeMdl`: `Process`, `MappedSystemVa` and the PFN array are **not** initialised (stale values from the block\'s previous use). With an `Irp`: `SecondaryBuffer == FALSE` sets `Irp->MdlAddress` (an existing chain is dropped, not freed); `TRUE` appends at the end of the chain. Returns NULL when Length exceeds 4 GB - PAGE_SIZE or pool is exhausted. Reference 2.1.',
    docUrl: wdm('IoAllocateMdl'),
  }, (a) => k.mdl.ioAllocateMdl(ptr(a[0]), ulong(a[1]), bool(a[2]), bool(a[3]), ptr(a[4])));

  define(k, {
    name: 'IoFreeMdl', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID IoFreeMdl(PMDL Mdl);',
    summary: 'Frees an MDL allocated by IoAllocateMdl.',
    details: 'Releases a partial MDL\'s own mapping (`MDL_PARTIAL_HAS_BEEN_MAPPED`) first. Does **not** unlock pages, does not unmap a non-partial MDL and does not follow `Next`. Still mapped: Driver Verifier 0xC4/0xB8. Still locked: the locks leak (0x76/0xCB when the process exits). Double free: 0xC2. Reference 2.2, 6.1.',
    docUrl: wdm('IoFreeMdl'),
  }, (a) => { k.mdl.ioFreeMdl(ptr(a[0])); });

  define(k, {
    name: 'MmInitializeMdl', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID MmInitializeMdl(PMDL MemoryDescriptorList, PVOID BaseVa, SIZE_T Length);',
    summary: 'Formats caller-supplied nonpaged storage as an MDL for a buffer (a macro in wdm.h).',
    details: 'Sets exactly `Next = NULL`, `Size`, `MdlFlags = 0`, `StartVa = PAGE_ALIGN(BaseVa)`, `ByteOffset`, `ByteCount`; leaves `Process`, `MappedSystemVa` and the PFN array untouched. The storage must hold `MmSizeOfMdl(BaseVa, Length)` bytes; nothing checks it. Reference 1.3.',
    docUrl: wdm('MmInitializeMdl'),
  }, (a) => { k.mdl.initialize(ptr(a[0]), ptr(a[1]), size(a[2])); k.mdl.track(ptr(a[0])); });

  define(k, {
    name: 'MmSizeOfMdl', header: 'wdm.h', irql: 'Any level',
    prototype: 'SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length);',
    summary: 'Number of bytes an MDL for this buffer needs: sizeof(MDL) + 8 per spanned page.',
    details: 'Pure arithmetic: `48 + 8 * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length)`. Reference 1.2.',
    docUrl: wdm('MmSizeOfMdl'),
  }, (a) => mmSizeOfMdl(ptr(a[0]), size(a[1])));

  define(k, {
    name: 'MmCreateMdl', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PMDL MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length);',
    summary: 'Obsolete: allocates (when MemoryDescriptorList is NULL) and initialises an MDL.',
    details: 'Allocates `MmSizeOfMdl` bytes of nonpaged pool when the first argument is NULL, then `MmInitializeMdl`. Returns NULL on pool failure. Use IoAllocateMdl instead. Reference 1.3.',
    docUrl: wdm('MmCreateMdl'),
  }, (a) => k.mdl.mmCreateMdl(ptr(a[0]), ptr(a[1]), size(a[2])));

  define(k, {
    name: 'MmProbeAndLockPages', header: 'wdm.h', irql: '<= APC_LEVEL for pageable memory, <= DISPATCH_LEVEL for nonpaged',
    prototype: 'VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation);',
    summary: 'Makes the pages resident, locks the physical frames and fills the MDL\'s PFN array.',
    details: 'Interprets `StartVa + ByteOffset` in the **current process context**. Each page is touched (faulted in), its frame\'s ReferenceCount goes up by one (the lock) and its PFN is stored. Sets `MDL_PAGES_LOCKED` (and `MDL_WRITE_OPERATION` unless IoReadAccess); `Process` = current EPROCESS for user ranges (NumberOfLockedPages += pages), NULL for kernel ranges. Raises `STATUS_ACCESS_VIOLATION` for invalid or read-only user pages and for UserMode ranges above MM_USER_PROBE_ADDRESS, and `STATUS_WORKING_SET_QUOTA` when too much memory is locked — call it inside `__try/__except`. Locks the frame, not the VA: trimming can still invalidate the original VA. DV: 0xC4/0x70 above DISPATCH, 0xC4/0xB0 on an MDL already locked, mapped, built from nonpaged pool or partial. Reference 2.3.',
    docUrl: wdm('MmProbeAndLockPages'),
  }, (a) => { k.mdl.probeAndLock(ptr(a[0]), ulong(a[1]) & 0xff, ulong(a[2])); });

  define(k, {
    name: 'MmProbeAndLockProcessPages', header: 'wdm.h', irql: '<= APC_LEVEL',
    prototype: 'VOID MmProbeAndLockProcessPages(PMDL MemoryDescriptorList, PEPROCESS Process, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation);',
    summary: 'MmProbeAndLockPages in the context of another process.',
    details: 'Attaches to `Process` (KeStackAttachProcess), probes and locks, and detaches even when the probe raises. `Mdl->Process` is the target process for user ranges. DV 0xC4/0x71, 0xB1. Reference 2.4.',
    docUrl: wdm('MmProbeAndLockProcessPages'),
  }, (a) => {
    const mdl = ptr(a[0]);
    const target = k.procs.require(ptr(a[1]), 'MmProbeAndLockProcessPages');
    const back = k.procs.current;
    k.procs.switchTo(target);
    try {
      k.mdl.probeAndLock(mdl, ulong(a[2]) & 0xff, ulong(a[3]), target.eprocess);
    } finally {
      k.procs.switchTo(back);
    }
  });

  define(k, {
    name: 'MmUnlockPages', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID MmUnlockPages(PMDL MemoryDescriptorList);',
    summary: 'Unlocks the pages locked by MmProbeAndLockPages (and releases the MDL\'s system mapping).',
    details: 'If `MDL_MAPPED_TO_SYSTEM_VA` is set, unmaps first. Drops one lock per frame (ReferenceCount - 1; a trimmed page then goes to standby/modified), reduces the process\'s NumberOfLockedPages, clears `MDL_PAGES_LOCKED`. The PFN array stays in memory but is stale. Misuse: not locked → DV 0xC4/0x7C, plain 0x76 (P1 = 1) or 0x4E (P1 = 7); built from nonpaged pool → 0xC4/0x7D; partial → 0xC4/0xB4. Reference 2.5, 6.2.',
    docUrl: wdm('MmUnlockPages'),
  }, (a) => { k.mdl.unlock(ptr(a[0])); });

  define(k, {
    name: 'MmBuildMdlForNonPagedPool', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);',
    summary: 'Fills the PFN array of an MDL that describes nonpaged memory; takes no locks.',
    details: 'Reads the PFNs straight from the page tables, sets `MappedSystemVa = StartVa + ByteOffset`, `Process = NULL` and `MDL_SOURCE_IS_NONPAGED_POOL`. No reference counts change and `MDL_PAGES_LOCKED` is not set: never lock, unlock or map such an MDL to system space. On pageable memory: DV 0xC4/0x7F; on a kernel-stack buffer 0xC4/0x140; without Verifier the PFNs silently go stale when the pages move. Reference 2.6, 6.8.',
    docUrl: wdm('MmBuildMdlForNonPagedPool'),
  }, (a) => { k.mdl.buildMdlForNonPagedPool(ptr(a[0])); });

  define(k, {
    name: 'MmMapLockedPagesSpecifyCache', header: 'wdm.h', irql: 'KernelMode: <= DISPATCH_LEVEL; UserMode: <= APC_LEVEL',
    prototype: 'PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress, ULONG BugCheckOnFailure, ULONG Priority);',
    summary: 'Maps the locked pages of an MDL into system space (KernelMode) or the current process (UserMode).',
    details: 'KernelMode: takes `SPAN` system PTEs, writes valid PTEs for the MDL\'s frames (read-only with `MdlMappingNoWrite`), sets `MappedSystemVa = base + ByteOffset`, `MDL_MAPPED_TO_SYSTEM_VA` (and `MDL_PARTIAL_HAS_BEEN_MAPPED` for a partial MDL). No PFN counts change. When PTEs run out: NULL (or bug check 0x3F with BugCheckOnFailure). UserMode: a new user mapping in the current process that the MDL does not record; errors are raised. DV: 0xC4/0x82 for BugCheckOnFailure = TRUE, 0xB2 already mapped, 0xB3 / 0x85 pages not locked. Reference 2.8.',
    docUrl: wdm('MmMapLockedPagesSpecifyCache'),
  }, (a) => k.mdl.map(ptr(a[0]), ulong(a[1]) & 0xff, ulong(a[2]), ptr(a[3]), ulong(a[4]) !== 0, ulong(a[5])));

  define(k, {
    name: 'MmGetSystemAddressForMdlSafe', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority);',
    summary: 'A system-space address for the MDL\'s buffer: the existing mapping, or a new one (NULL on failure). A macro in wdm.h.',
    details: 'Tests only `MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL`: if either is set, returns `MappedSystemVa` (even a stale one); otherwise `MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, Priority)`. Always check for NULL. Reference 2.7.',
    docUrl: wdm('MmGetSystemAddressForMdlSafe'),
  }, (a) => {
    const mdl = ptr(a[0]);
    const flags = k.memory.read16(mdl + L.MdlFlags);
    if (flags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) return Number(k.memory.read64(mdl + L.MappedSystemVa));
    return k.mdl.map(mdl, KernelMode, 1, 0, false, ulong(a[1]));
  });

  define(k, {
    name: 'MmMapLockedPages', header: 'wdm.h', irql: 'KernelMode: <= DISPATCH_LEVEL; UserMode: <= APC_LEVEL',
    prototype: 'PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode);',
    summary: 'Obsolete: MmMapLockedPagesSpecifyCache(MmCached, NULL, BugCheckOnFailure = TRUE, HighPagePriority).',
    details: 'Bug-checks (0x3F) instead of returning NULL when the mapping fails. Driver Verifier flags any call: 0xC4/0x81. Reference 2.8.',
    docUrl: wdm('MmMapLockedPages'),
  }, (a) => {
    const mdl = ptr(a[0]);
    k.verifierCheck(0x81, mdl, k.memory.read16(mdl + L.MdlFlags), 0, 'MmMapLockedPages called (use MmMapLockedPagesSpecifyCache with BugCheckOnFailure = FALSE)');
    return k.mdl.map(mdl, ulong(a[1]) & 0xff, 1, 0, !k.verifier, HighPagePriority);
  });

  define(k, {
    name: 'MmUnmapLockedPages', header: 'wdm.h', irql: 'System address: <= DISPATCH_LEVEL; user address: <= APC_LEVEL',
    prototype: 'VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);',
    summary: 'Releases a mapping made by MmMapLockedPagesSpecifyCache.',
    details: 'System address: the PTE range is computed from **BaseAddress** and the MDL\'s span; clears `MDL_MAPPED_TO_SYSTEM_VA` / `MDL_PARTIAL_HAS_BEEN_MAPPED`; `MappedSystemVa` stays stale. With Verifier a wrong address, count or an unmapped MDL is 0xDA (SYSTEM_PTE_MISUSE); without, someone else\'s mapping may be torn down. User address: must run in the process that made the mapping. Reference 2.9, 6.3.',
    docUrl: wdm('MmUnmapLockedPages'),
  }, (a) => { k.mdl.unmap(ptr(a[0]), ptr(a[1])); });

  define(k, {
    name: 'MmAllocateMappingAddress', header: 'wdm.h', irql: '<= APC_LEVEL',
    prototype: 'PVOID MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag);',
    summary: 'Reserves a range of system PTEs for later MmMapLockedPagesWithReservedMapping calls.',
    details: 'No memory is mapped until MmMapLockedPagesWithReservedMapping. Returns NULL when system PTEs run out. Release with MmFreeMappingAddress (same tag).',
    docUrl: wdm('MmAllocateMappingAddress'),
  }, (a) => allocateMappingAddress(k, size(a[0]), ulong(a[1])));

  define(k, {
    name: 'MmFreeMappingAddress', header: 'wdm.h', irql: '<= APC_LEVEL',
    prototype: 'VOID MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag);',
    summary: 'Releases a range reserved by MmAllocateMappingAddress.',
    details: 'The range must be unmapped first (MmUnmapReservedMapping) and the tag must match.',
    docUrl: wdm('MmFreeMappingAddress'),
  }, (a) => { freeMappingAddress(k, ptr(a[0]), ulong(a[1])); });

  define(k, {
    name: 'MmMapLockedPagesWithReservedMapping', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PVOID MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag, PMDL MemoryDescriptorList, MEMORY_CACHING_TYPE CacheType);',
    summary: 'Maps a locked MDL into a range reserved by MmAllocateMappingAddress (cannot run out of PTEs).',
    details: 'Sets `MDL_MAPPED_TO_SYSTEM_VA` and `MappedSystemVa`. Returns NULL if the reservation is smaller than the MDL. Undo with MmUnmapReservedMapping.',
    docUrl: wdm('MmMapLockedPagesWithReservedMapping'),
  }, (a) => mapWithReservedMapping(k, ptr(a[0]), ulong(a[1]), ptr(a[2]), ulong(a[3])));

  define(k, {
    name: 'MmUnmapReservedMapping', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag, PMDL MemoryDescriptorList);',
    summary: 'Unmaps an MDL mapped with MmMapLockedPagesWithReservedMapping; the reservation stays.',
    details: 'Clears `MDL_MAPPED_TO_SYSTEM_VA`. The range can be reused until MmFreeMappingAddress.',
    docUrl: wdm('MmUnmapReservedMapping'),
  }, (a) => { unmapReservedMapping(k, ptr(a[0]), ulong(a[1]), ptr(a[2])); });

  define(k, {
    name: 'IoBuildPartialMdl', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length);',
    summary: 'Makes TargetMdl describe a sub-range of SourceMdl, sharing its frames (no references taken).',
    details: 'The offset is `VirtualAddress - MmGetMdlVirtualAddress(SourceMdl)`: pass `(PCHAR)MmGetMdlVirtualAddress(SourceMdl) + delta`, **never** the address from MmGetSystemAddressForMdlSafe (for a user buffer that gives a huge offset: PFNs copied from outside the source, corruption or a bug check). No range checks. Target gets `MDL_PARTIAL`, the source\'s `MDL_MAPPED_TO_SYSTEM_VA` (with a slice of its mapping), `MDL_SOURCE_IS_NONPAGED_POOL`, `MDL_IO_PAGE_READ`, `MDL_IO_SPACE`. Valid only while the source stays locked. Length 0 means "to the end of the source". Reference 2.10, 5.2, 6.10.',
    docUrl: wdm('IoBuildPartialMdl'),
  }, (a) => { k.mdl.ioBuildPartialMdl(ptr(a[0]), ptr(a[1]), ptr(a[2]), ulong(a[3])); });

  define(k, {
    name: 'MmPrepareMdlForReuse', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID MmPrepareMdlForReuse(PMDL Mdl);',
    summary: 'Releases a partial MDL\'s own system mapping so it can be rebuilt (a macro in wdm.h).',
    details: 'If `MDL_PARTIAL_HAS_BEEN_MAPPED`: `MmUnmapLockedPages(Mdl->MappedSystemVa, Mdl)`. A mapped non-partial MDL is left mapped. Reference 2.11.',
    docUrl: wdm('MmPrepareMdlForReuse'),
  }, (a) => { k.mdl.prepareMdlForReuse(ptr(a[0])); });

  define(k, {
    name: 'MmAllocatePagesForMdlEx', header: 'wdm.h', irql: '<= APC_LEVEL (DISPATCH_LEVEL allowed since Windows Server 2008)',
    prototype: 'PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress, PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes, MEMORY_CACHING_TYPE CacheType, ULONG Flags);',
    summary: 'Allocates physical pages (not mapped anywhere) and an MDL describing them.',
    details: '`StartVa = 0`, `ByteOffset = 0`, `MDL_PAGES_LOCKED`; the frames have ReferenceCount 1 and ShareCount 1 and belong to the MDL. May describe **less** than TotalBytes (check MmGetMdlByteCount) unless `MM_ALLOCATE_FULLY_REQUIRED`. Pages are zeroed unless `MM_DONT_ZERO_ALLOCATION`. Release with MmFreePagesFromMdl and then ExFreePool(Mdl) — not IoFreeMdl. PHYSICAL_ADDRESS arguments are passed as their 64-bit QuadPart. Reference 2.12.',
    docUrl: wdm('MmAllocatePagesForMdlEx'),
  }, (a) => allocatePagesForMdlEx(k, ptr(a[0]), ptr(a[1]), ptr(a[2]), size(a[3]), ulong(a[4]), ulong(a[5])));

  define(k, {
    name: 'MmAllocatePagesForMdl', header: 'wdm.h', irql: '<= APC_LEVEL',
    prototype: 'PMDL MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress, PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes);',
    summary: 'MmAllocatePagesForMdlEx with MmCached and no flags.',
    details: 'See MmAllocatePagesForMdlEx. Reference 2.12.',
    docUrl: wdm('MmAllocatePagesForMdl'),
  }, (a) => allocatePagesForMdlEx(k, ptr(a[0]), ptr(a[1]), ptr(a[2]), size(a[3]), 1, 0));

  define(k, {
    name: 'MmFreePagesFromMdl', header: 'wdm.h', irql: '<= APC_LEVEL (DISPATCH_LEVEL allowed since Windows Server 2008)',
    prototype: 'VOID MmFreePagesFromMdl(PMDL MemoryDescriptorList);',
    summary: 'Frees the pages of an MDL from MmAllocatePagesForMdl(Ex); the MDL itself is not freed.',
    details: 'Releases a system mapping made for it (Windows 7+), frees every frame, writes the all-ones sentinel into each slot and clears `MDL_PAGES_LOCKED`. On a probe-locked MDL: 0x1A/0x1236; a frame still locked by someone else: 0x4E/0x9A. Then call ExFreePool(Mdl). Reference 2.13, 6.13.',
    docUrl: wdm('MmFreePagesFromMdl'),
  }, (a) => { freePagesFromMdl(k, ptr(a[0])); });

  // The accessor macros (reference 2.7), as natives for headers that prefer calls.
  const accessor = (name: string, proto: string, summary: string, fn: (mdl: number) => number) =>
    define(k, { name, header: 'wdm.h', irql: 'Any level', prototype: proto, summary, details: `A macro in wdm.h. ${summary} Reference 2.7.`, docUrl: wdm(name) }, (a) => fn(ptr(a[0])));
  accessor('MmGetMdlVirtualAddress', 'PVOID MmGetMdlVirtualAddress(PMDL Mdl);', 'The original virtual address: StartVa + ByteOffset (a user VA, a kernel VA, or 0).',
    (m) => Number(k.memory.read64(m + L.StartVa)) + k.memory.read32(m + L.ByteOffset));
  accessor('MmGetMdlByteCount', 'ULONG MmGetMdlByteCount(PMDL Mdl);', 'The length in bytes of the described buffer.', (m) => k.memory.read32(m + L.ByteCount));
  accessor('MmGetMdlByteOffset', 'ULONG MmGetMdlByteOffset(PMDL Mdl);', 'The offset of the buffer within its first page.', (m) => k.memory.read32(m + L.ByteOffset));
  accessor('MmGetMdlBaseVa', 'PVOID MmGetMdlBaseVa(PMDL Mdl);', 'The page-aligned StartVa.', (m) => Number(k.memory.read64(m + L.StartVa)));
  accessor('MmGetMdlPfnArray', 'PPFN_NUMBER MmGetMdlPfnArray(PMDL Mdl);', 'The PFN array that follows the MDL header: (PPFN_NUMBER)(Mdl + 1).', (m) => m + L.PfnArray);
}
