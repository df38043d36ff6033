// Lab 5 exercise — DescribeRecord takes a shortcut the documentation warns against. Find it.
// A driver splits one locked user buffer into records and hands each record to a device as its
// own MDL. The partial MDL borrows the parent's PFNs (no lock of its own) and, when the parent is
// mapped, a slice of the parent's system mapping. The address it takes is the parent's original
// virtual address plus an offset: MmGetMdlVirtualAddress, never the system address.
#include <ntifs.h>
#include <mdlab.h>

#define RECORD_BYTES 0x1800
#define RECORD_COUNT 3

// Builds a partial MDL for record Index of Parent. The target MDL is sized for that slice.
PMDL DescribeRecord(PMDL Parent, ULONG Index)
{
    // "The parent is mapped anyway, and a system address is valid in any context."
    PCHAR recordVa = (PCHAR)MmGetSystemAddressForMdlSafe(Parent, NormalPagePriority | MdlMappingNoExecute) + Index * RECORD_BYTES;
    PMDL partial = IoAllocateMdl(recordVa, RECORD_BYTES, FALSE, FALSE, NULL);
    if (!partial) {
        return NULL;
    }
    IoBuildPartialMdl(Parent, partial, recordVa, RECORD_BYTES);
    return partial;
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("logger.exe");
    LabEnterProcess(app);

    // Three records of 0x1800 bytes, starting 0x100 into a page: the records straddle pages.
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, 5 * PAGE_SIZE, PAGE_READWRITE);
    PUCHAR records = buffer + 0x100;
    for (ULONG i = 0; i < RECORD_COUNT; i++) {
        RtlFillMemory(records + i * RECORD_BYTES, RECORD_BYTES, (UCHAR)('A' + i));
    }

    PMDL parent = IoAllocateMdl(records, RECORD_COUNT * RECORD_BYTES, FALSE, FALSE, NULL);
    LabExpect(parent != NULL, "the parent MDL is allocated");
    if (!parent) {
        return;
    }
    __try {
        MmProbeAndLockPages(parent, UserMode, IoModifyAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(parent);
        LabExpect(FALSE, "the buffer can be locked");
        return;
    }

    // 1. A partial MDL of an unmapped parent: it gets a system mapping of its own.
    PMDL second = DescribeRecord(parent, 1);
    LabExpect(second != NULL, "record 1 is described");
    if (!second) {
        MmUnlockPages(parent);
        IoFreeMdl(parent);
        return;
    }
    ULONG firstPage = (ULONG)(((ULONG_PTR)MmGetMdlBaseVa(second) - (ULONG_PTR)MmGetMdlBaseVa(parent)) >> PAGE_SHIFT);
    LabExpect(MmGetMdlPfnArray(second)[0] == MmGetMdlPfnArray(parent)[firstPage],
              "the partial MDL names the parent's frames from the right page on");
    PUCHAR view = (PUCHAR)MmGetSystemAddressForMdlSafe(second, NormalPagePriority | MdlMappingNoExecute);
    LabExpect(view != NULL && view[0] == 'B' && view[RECORD_BYTES - 1] == 'B', "record 1 reads as B through its own mapping");
    LabExpect((second->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED) != 0, "that mapping belongs to the partial MDL");
    // IoFreeMdl releases a partial MDL's own mapping (MmPrepareMdlForReuse would, for reuse).
    IoFreeMdl(second);

    // 2. Map the parent; partial MDLs built now inherit a slice of its mapping.
    PUCHAR parentView = (PUCHAR)MmGetSystemAddressForMdlSafe(parent, NormalPagePriority | MdlMappingNoExecute);
    LabExpect(parentView != NULL, "the parent is mapped into system space");
    if (parentView) {
        for (ULONG i = 0; i < RECORD_COUNT; i++) {
            PMDL record = DescribeRecord(parent, i);
            if (!record) {
                continue;
            }
            PUCHAR slice = (PUCHAR)MmGetSystemAddressForMdlSafe(record, NormalPagePriority | MdlMappingNoExecute);
            DbgPrint("record %u: va %p, MdlFlags 0x%04X, system view %p\n", i, MmGetMdlVirtualAddress(record),
                     (ULONG)(USHORT)record->MdlFlags, slice);
            LabExpect(slice == parentView + i * RECORD_BYTES, "the record's view is a slice of the parent's mapping");
            LabDeviceWrite(record, 0, "OK", 2);   // a device fills each record's first bytes
            IoFreeMdl(record);
        }
    }

    // Partial MDLs go before the parent: they borrow its lock.
    MmUnlockPages(parent);
    IoFreeMdl(parent);
    LabExpect(records[RECORD_BYTES] == 'O' && records[RECORD_BYTES + 1] == 'K' && records[RECORD_BYTES + 2] == 'B',
              "the device wrote exactly the start of record 1");
}
