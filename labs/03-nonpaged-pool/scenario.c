// Lab 3 — Nonpaged pool: MmBuildMdlForNonPagedPool versus MmProbeAndLockPages.
// Nonpaged pool is resident and mapped for its whole life, so an MDL over it needs no lock: the
// memory manager only copies the PFNs out of the page tables. Paged pool can be paged out like
// user memory, so an MDL over it must be probed and locked, and unlocked afterwards.
#include <ntifs.h>
#include <mdlab.h>

#define TAG 'bLdM'
#define BUFFER_BYTES (2 * PAGE_SIZE)

// Describes a kernel buffer for a device transfer; the caller says which pool it came from.
PMDL DescribeKernelBuffer(PVOID Buffer, ULONG Length, BOOLEAN Pageable)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return NULL;
    }
    if (!Pageable) {
        // Fills the PFN array from the current PTEs and sets MappedSystemVa = Buffer.
        // No PFN reference is taken and MDL_PAGES_LOCKED stays clear.
        MmBuildMdlForNonPagedPool(mdl);
    } else {
        __try {
            // Kernel VA, so KernelMode: no user-range check; each page's lock count goes up.
            MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        } __except(EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return NULL;
        }
    }
    return mdl;
}

VOID ReleaseKernelBuffer(PMDL Mdl)
{
    // Only what was locked is unlocked: an MDL built for nonpaged pool holds no lock.
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED) {
        MmUnlockPages(Mdl);
    }
    IoFreeMdl(Mdl);
}

VOID Transfer(PCSTR Name, PVOID Buffer, BOOLEAN Pageable, UCHAR Pattern)
{
    UCHAR incoming[64];
    RtlFillMemory(incoming, sizeof(incoming), Pattern);

    PMDL mdl = DescribeKernelBuffer(Buffer, BUFFER_BYTES, Pageable);
    LabExpect(mdl != NULL, "the kernel buffer is described");
    if (!mdl) {
        return;
    }
    DbgPrint("%s: MdlFlags=0x%04X\n", Name, (ULONG)(USHORT)mdl->MdlFlags);

    // Either way, the device writes through the PFN array...
    LabDeviceWrite(mdl, PAGE_SIZE - 32, incoming, sizeof(incoming));
    // ...and the driver reads through a system address. For nonpaged pool this is the pool
    // address itself; for paged pool the macro maps the locked pages anew.
    PUCHAR sysVa = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    LabExpect(sysVa != NULL, "a system address for the buffer");
    if (sysVa) {
        DbgPrint("%s: buffer %p, system address %p\n", Name, Buffer, sysVa);
        LabExpect(sysVa[PAGE_SIZE - 32] == Pattern && sysVa[PAGE_SIZE + 31] == Pattern,
                  "the device's bytes arrived across the page boundary");
        LabExpect(((PUCHAR)Buffer)[PAGE_SIZE] == Pattern, "and are visible through the pool address");
    }
    ReleaseKernelBuffer(mdl);
}

VOID LabMain(VOID)
{
    PVOID nonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, BUFFER_BYTES, TAG);
    PVOID paged = ExAllocatePool2(POOL_FLAG_PAGED, BUFFER_BYTES, TAG);
    LabExpect(nonPaged != NULL && paged != NULL, "both pool buffers are allocated");
    if (!nonPaged || !paged) {
        return;
    }

    Transfer("nonpaged pool", nonPaged, FALSE, 0x5A);
    Transfer("paged pool", paged, TRUE, 0xA5);

    ExFreePoolWithTag(paged, TAG);
    ExFreePoolWithTag(nonPaged, TAG);
}
