// Lab 1 exercise — ProcessBuffer with its cleanup cut short. Find what is missing and put it back.
// An application hands the driver a buffer. The driver describes it with an MDL, pins its pages,
// maps them into system space, works through that mapping, and releases everything in reverse.
#include <ntifs.h>
#include <mdlab.h>

// Prints what a driver may legitimately read of an MDL: MdlFlags directly, the rest via macros.
VOID ShowMdl(PCSTR Stage, PMDL Mdl)
{
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), MmGetMdlByteCount(Mdl));
    DbgPrint("%s: MdlFlags=0x%04X va=%p bytes=0x%X offset=0x%X pages=%u\n", Stage,
             (ULONG)(USHORT)Mdl->MdlFlags, MmGetMdlVirtualAddress(Mdl), MmGetMdlByteCount(Mdl),
             MmGetMdlByteOffset(Mdl), pages);
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED) {
        PPFN_NUMBER pfns = MmGetMdlPfnArray(Mdl);
        for (ULONG i = 0; i < pages; i++) {
            DbgPrint("    PFN[%u] = 0x%I64X\n", i, (ULONG64)pfns[i]);
        }
    }
}

NTSTATUS ProcessBuffer(PVOID UserBuffer, SIZE_T Length) {
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = NULL;

    // Allocate MDL for user buffer
    mdl = IoAllocateMdl(UserBuffer, (ULONG)Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ShowMdl("described", mdl);

    __try {
        // Probe and lock pages to ensure they remain in memory
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    ShowMdl("locked", mdl);

    // At this point, the pages described by MDL are pinned in memory.
    // We can safely access them via MmGetSystemAddressForMdlSafe:
    PVOID sysVa = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (!sysVa) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ShowMdl("mapped", mdl);
    DbgPrint("user VA %p and system VA %p name the same bytes\n", UserBuffer, sysVa);

    // Now sysVa points to a non-paged, system space mapping of the user buffer's memory.
    // Example: Zero out the buffer:
    RtlZeroMemory(sysVa, Length);

    // Once done:
    // TODO: the pages are still locked and mapped here. Something must happen before the MDL goes.
    IoFreeMdl(mdl);

    return status;
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("notepad.exe");
    LabEnterProcess(app);

    // Three pages' worth of data starting 0x200 bytes into a page: the MDL spans four pages.
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, 4 * PAGE_SIZE, PAGE_READWRITE);
    PUCHAR start = buffer + 0x200;
    SIZE_T length = 3 * PAGE_SIZE;
    RtlFillMemory(buffer, 4 * PAGE_SIZE, 0xCD);
    RtlFillMemory(start, length, 0xAB);

    NTSTATUS status = ProcessBuffer(start, length);
    DbgPrint("ProcessBuffer returned 0x%08X\n", status);

    LabExpect(NT_SUCCESS(status), "ProcessBuffer succeeds");
    LabExpect(start[0] == 0 && start[length - 1] == 0, "the buffer was zeroed through the system mapping");
    LabExpect(buffer[0x1FF] == 0xCD && start[length] == 0xCD, "bytes outside the described range were not touched");
}
