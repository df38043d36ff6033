// Sample 1 — describe, lock, map, free.
// The ProcessBuffer routine below is the classic pattern for touching a user buffer from a
// driver: describe it with an MDL, probe and lock its pages, map them into system space, use the
// system mapping, then unlock and free. Run it with `npm run demo`, or press F5 and step through.
#include <ntifs.h>
#include <mdlab.h>

NTSTATUS ProcessBuffer(PVOID UserBuffer, SIZE_T Length) {
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = NULL;

    // Allocate MDL for user buffer
    mdl = IoAllocateMdl(UserBuffer, (ULONG)Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        // Probe and lock pages to ensure they remain in memory
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    LabBreak();   // the pages are locked: see the PFN array and MDL_PAGES_LOCKED

    // At this point, the pages described by MDL are pinned in memory.
    // We can safely access them via MmGetSystemAddressForMdlSafe:
    PVOID sysVa = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (!sysVa) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    LabBreak();   // mapped: MDL_MAPPED_TO_SYSTEM_VA, MappedSystemVa names the same frames

    // Now sysVa points to a non-paged, system space mapping of the user buffer's memory.
    // We can safely read/write the memory here.
    // Example: Zero out the buffer:
    RtlZeroMemory(sysVa, Length);

    // Once done:
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);

    return status;
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("notepad.exe");
    LabEnterProcess(app);

    // 3 pages' worth of user buffer, starting 0x200 bytes into a page, so the MDL spans 4 pages.
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, 4 * PAGE_SIZE, PAGE_READWRITE);
    PUCHAR start = buffer + 0x200;
    SIZE_T length = 3 * PAGE_SIZE;
    RtlFillMemory(start, length, 0xAB);

    NTSTATUS status = ProcessBuffer(start, length);
    DbgPrint("ProcessBuffer returned 0x%08X\n", status);

    LabExpect(NT_SUCCESS(status), "ProcessBuffer succeeds");
    LabExpect(start[0] == 0 && start[length - 1] == 0, "the buffer was zeroed through the system mapping");
}
