#include <ntifs.h> // kernel defs, depends on WDK/Visual Studio setup

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

    // At this point, the pages described by MDL are pinned in memory.
    // We can safely access them via MmGetSystemAddressForMdlSafe:
    PVOID sysVa = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (!sysVa) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    // Now sysVa points to a non-paged, system space mapping of the user buffer’s memory.
    // We can safely read/write the memory here.
    // Example: Zero out the buffer:
    RtlZeroMemory(sysVa, Length);

    // Once done:
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);

    return status;
}
