// Lab 10 exercise — StopSharing is called from the device's completion DPC. Find why that is not allowed.
// (The scenario: mapping into user space and back with MmMapLockedPagesSpecifyCache(UserMode).)
// A driver shares a page of its own nonpaged memory with one application: it maps the page into
// that process's address space and, when done, unmaps it — in the same process, at PASSIVE or
// APC level — before the MDL and the pool go. The MDL never records a user mapping: each call
// makes a new one in the current process, and only the driver knows to undo it.
#include <ntifs.h>
#include <mdlab.h>

#define TAG 'sUdM'
#define SHARED_BYTES PAGE_SIZE   // whole pages only: nothing else of the pool is exposed

typedef struct _SHARED_SECTION {
    PVOID KernelVa;
    PMDL Mdl;
    PVOID UserVa;
    PEPROCESS Owner;
} SHARED_SECTION, *PSHARED_SECTION;

SHARED_SECTION g_Shared;

// Called in the application's context (a dispatch routine of a top-level driver).
NTSTATUS ShareWithCurrentProcess(VOID)
{
    g_Shared.KernelVa = ExAllocatePool2(POOL_FLAG_NON_PAGED, SHARED_BYTES, TAG);   // zeroed
    if (!g_Shared.KernelVa) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_Shared.Mdl = IoAllocateMdl(g_Shared.KernelVa, SHARED_BYTES, FALSE, FALSE, NULL);
    if (!g_Shared.Mdl) {
        ExFreePoolWithTag(g_Shared.KernelVa, TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(g_Shared.Mdl);

    // A user-mode mapping raises on failure instead of returning NULL.
    __try {
        g_Shared.UserVa = MmMapLockedPagesSpecifyCache(g_Shared.Mdl, UserMode, MmCached, NULL, FALSE,
                                                       NormalPagePriority | MdlMappingNoExecute);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        g_Shared.UserVa = NULL;
    }
    if (!g_Shared.UserVa) {
        IoFreeMdl(g_Shared.Mdl);
        ExFreePoolWithTag(g_Shared.KernelVa, TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_Shared.Owner = PsGetCurrentProcess();
    return STATUS_SUCCESS;
}

// Called in the owner's context, at PASSIVE_LEVEL, before the owner exits.
VOID StopSharing(VOID)
{
    MmUnmapLockedPages(g_Shared.UserVa, g_Shared.Mdl);
    g_Shared.UserVa = NULL;
    IoFreeMdl(g_Shared.Mdl);
    ExFreePoolWithTag(g_Shared.KernelVa, TAG);
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("monitor.exe");
    LabEnterProcess(app);

    NTSTATUS status = ShareWithCurrentProcess();
    LabExpect(NT_SUCCESS(status), "the page is mapped into monitor.exe");
    if (!NT_SUCCESS(status)) {
        return;
    }
    PUCHAR userView = (PUCHAR)g_Shared.UserVa;
    PUCHAR kernelView = (PUCHAR)g_Shared.KernelVa;
    DbgPrint("kernel %p and user %p name the same frame\n", kernelView, userView);

    // The driver writes through its pool address; the application reads through its own VA.
    kernelView[0] = 0x42;
    LabExpect(userView[0] == 0x42, "the application sees the driver's write");
    // And the other way round.
    userView[1] = 0x24;
    LabExpect(kernelView[1] == 0x24, "the driver sees the application's write");

    // "Sharing ends when the device says so": the device's completion DPC tears it down.
    // (Raising the IRQL here stands in for the DPC dispatcher; monitor.exe is still current.)
    KIRQL oldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    StopSharing();
    KeLowerIrql(oldIrql);
    LabExpect(!MmIsAddressValid(userView), "after unmapping, the user VA is gone");
    LabTerminateProcess(app);
}
