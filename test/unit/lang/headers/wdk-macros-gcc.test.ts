// The WDK macros and inline routines of the built-in headers, compiled and run by a real C
// compiler, compute what mm-mdl-semantics.md says they compute (sections 1.2, 1.3, 2.7, 2.11, 4).
import { strict as assert } from 'node:assert';
import { preprocess } from '../../../../src/lang/preprocessor/index';
import { gcc, haveGcc, toGccSource } from './gcc';

const PROGRAM = `#include <ntifs.h>
int printf(const char *format, ...);
static int mapCalls, unmapCalls, asserts;
PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress, ULONG BugCheckOnFailure, ULONG Priority)
{
    mapCalls++;
    return (PVOID)(ULONG_PTR)(0xA000 + Priority + (CacheType == MmCached) + (BugCheckOnFailure * 0x100) + (RequestedAddress != NULL) * 0x200 + AccessMode * 0x400);
}
VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList) { unmapCalls++; }
ULONG DbgPrint(PCSTR Format, ...) { return 0; }
VOID DbgBreakPoint(VOID) { asserts++; }
static NTSTATUS Done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) { return STATUS_SUCCESS; }

int main(void)
{
    /* 1.2 page-span arithmetic */
    printf("span %u %u %u %u\\n", ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 0x1000), ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1FFF, 2),
           ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1800, 0x1000), ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x7000, 0));
    printf("page %llx %x %llx %llu\\n", (ULONG64)PAGE_ALIGN(0x12345678), BYTE_OFFSET(0x12345678), (ULONG64)ROUND_TO_PAGES(0x1001), (ULONG64)BYTES_TO_PAGES(0x1001));

    /* 1.3 MmInitializeMdl sets exactly these fields and leaves Process and MappedSystemVa alone */
    static ULONG_PTR storage[64];
    PMDL mdl = (PMDL)storage;
    mdl->Process = (PEPROCESS)(ULONG_PTR)0xBAD;
    mdl->MappedSystemVa = (PVOID)(ULONG_PTR)0xBEEF;
    mdl->MdlFlags = 0x7;
    MmInitializeMdl(mdl, (PVOID)(ULONG_PTR)0x12345678, 0x3000);
    printf("init %d %d %llx %x %x %llx %llx %llx\\n", mdl->Size, mdl->MdlFlags, (ULONG64)mdl->StartVa, mdl->ByteOffset, mdl->ByteCount,
           (ULONG64)MmGetMdlVirtualAddress(mdl), (ULONG64)mdl->Process, (ULONG64)mdl->MappedSystemVa);
    printf("pfn %lld\\n", (LONG64)((PUCHAR)MmGetMdlPfnArray(mdl) - (PUCHAR)mdl));

    /* 2.7 MmGetSystemAddressForMdlSafe tests only the two flags */
    PVOID a = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    PVOID b = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    mdl->MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    PVOID c = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    printf("sysva %llx %llx %llx %d\\n", (ULONG64)a, (ULONG64)b, (ULONG64)c, mapCalls);

    /* 2.11 MmPrepareMdlForReuse unmaps only a partial MDL's own mapping */
    mdl->MdlFlags = MDL_PARTIAL | MDL_PARTIAL_HAS_BEEN_MAPPED;
    MmPrepareMdlForReuse(mdl);
    mdl->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA;
    MmPrepareMdlForReuse(mdl);
    printf("reuse %d %d\\n", unmapCalls, asserts);

    /* 4: stack locations, completion routines, pending */
    static ULONG_PTR irpStorage[(sizeof(IRP) + 3 * sizeof(IO_STACK_LOCATION)) / sizeof(ULONG_PTR)];
    PIRP irp = (PIRP)irpStorage;
    PIO_STACK_LOCATION first = (PIO_STACK_LOCATION)(irp + 1);
    irp->StackCount = 3;
    irp->CurrentLocation = 2;
    irp->Tail.Overlay.CurrentStackLocation = first + 1;
    IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length = 0x200;
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, Done, (PVOID)(ULONG_PTR)0x77, TRUE, TRUE, FALSE);
    IoMarkIrpPending(irp);
    printf("irp %d %x %x %d %llx %x\\n", first->MajorFunction, first->Parameters.Read.Length, first->Control, first->CompletionRoutine == Done,
           (ULONG64)first->Context, IoGetCurrentIrpStackLocation(irp)->Control);
    IoSkipCurrentIrpStackLocation(irp);
    printf("skip %d %d\\n", irp->CurrentLocation, (int)(IoGetCurrentIrpStackLocation(irp) - first));
    printf("record %d %d\\n", CONTAINING_RECORD(&irp->IoStatus, IRP, IoStatus) == irp, FIELD_OFFSET(IRP, IoStatus.Information));

    /* Lists, statuses, IOCTLs */
    LIST_ENTRY head, x, y;
    InitializeListHead(&head);
    InsertTailList(&head, &x);
    InsertHeadList(&head, &y);
    int headFirst = RemoveHeadList(&head) == &y;
    int tailLast = RemoveTailList(&head) == &x;
    printf("list %d %d %d\\n", headFirst, tailLast, IsListEmpty(&head));
    printf("status %d %d %d %x\\n", NT_SUCCESS(STATUS_PENDING), NT_SUCCESS(STATUS_ACCESS_VIOLATION), NT_ERROR(STATUS_WORKING_SET_QUOTA), (ULONG)STATUS_WORKING_SET_QUOTA);
    printf("ioctl %x %d\\n", CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_IN_DIRECT, FILE_READ_ACCESS | FILE_WRITE_ACCESS),
           METHOD_FROM_CTL_CODE(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_IN_DIRECT, FILE_ANY_ACCESS)));
    UCHAR buf[8];
    RtlFillMemory(buf, sizeof(buf), 0xAB);
    RtlZeroMemory(buf, 4);
    printf("mem %x %x %d\\n", buf[3], buf[4], RtlEqualMemory(buf, buf, 8));
    return 0;
}
`;

const EXPECTED = [
  'span 1 2 2 0',
  'page 12345000 678 2000 2',
  'init 80 0 12345000 678 3000 12345678 bad beef', // 0x678 + 0x3000 spans 4 pages: 48 + 8 * 4
  'pfn 48',
  'sysva 4000a011 beef beef 1', // mapped once: KernelMode, MmCached, NULL, FALSE, the caller's priority bits
  'reuse 1 1', // the mapped non-partial MDL stays mapped; this Debug build's ASSERT breaks in
  'irp 3 200 c0 1 77 1', // SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR; SL_PENDING_RETURNED on the current location
  'skip 3 2',
  'record 1 56',
  'list 1 1 1',
  'status 1 0 1 c00000a1',
  'ioctl 22e005 1',
  'mem 0 ab 1',
];

describe('WDK macros checked by a C compiler', function () {
  it('page arithmetic, MmInitializeMdl, MmGetSystemAddressForMdlSafe, MmPrepareMdlForReuse and the IRP helpers compute what Windows computes', function () {
    if (!haveGcc()) this.skip();
    const r = preprocess('macros.c', { readFile: () => PROGRAM, resolveInclude: () => undefined });
    assert.deepEqual(r.diagnostics, []);
    const result = gcc(toGccSource(r.tokens), true);
    assert.ok(result.ok, result.output);
    assert.deepEqual(result.output.trim().split('\n'), EXPECTED);
  });
});
