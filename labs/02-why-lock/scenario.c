// Lab 2 — Why lock: a lock pins the physical frame, not the virtual address.
// The driver describes an application's buffer, locks it, and hands the PFNs to a DMA device.
// Before the device writes, the memory manager trims the application's working set and another
// process eats memory. The locked frame survives both; the device's data lands where it belongs.
#include <ntifs.h>
#include <mdlab.h>

#define TRANSFER_BYTES (2 * PAGE_SIZE)
#define PRESSURE_BYTES (24 * 1024 * 1024)

UCHAR g_DeviceData[TRANSFER_BYTES];

// Another process touches more memory than the machine has, so unlocked frames get reused.
VOID ApplyMemoryPressure(PEPROCESS Hog)
{
    LabEnterProcess(Hog);
    PUCHAR p = (PUCHAR)LabUserAlloc(Hog, PRESSURE_BYTES, PAGE_READWRITE);
    for (SIZE_T off = 0; off < PRESSURE_BYTES; off += PAGE_SIZE) {
        p[off] = 0x11;
        if ((off & 0x3FFFFF) == 0x3FF000) {
            LabTrimWorkingSet(Hog);   // every 4 MiB: its own pages go too, frames cycle
        }
    }
    LabTrimWorkingSet(Hog);
}

// The driver side: describe and lock the buffer, in the application's context.
PMDL PrepareTransfer(PVOID UserBuffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(UserBuffer, Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return NULL;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);   // the device will write: write access
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return mdl;
}

VOID FinishTransfer(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("recorder.exe");
    PEPROCESS hog = LabCreateProcess("hog.exe");
    for (ULONG i = 0; i < TRANSFER_BYTES; i++) {
        g_DeviceData[i] = (UCHAR)(0x40 + i % 61);
    }

    LabEnterProcess(app);
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, TRANSFER_BYTES, PAGE_READWRITE);
    RtlFillMemory(buffer, TRANSFER_BYTES, 0xEE);

    PMDL mdl = PrepareTransfer(buffer, TRANSFER_BYTES);
    LabExpect(mdl != NULL, "the buffer is described and locked");
    if (!mdl) {
        return;
    }
    PFN_NUMBER lockedPfn = MmGetMdlPfnArray(mdl)[0];
    DbgPrint("the device is given PFN 0x%I64X for the first page\n", (ULONG64)lockedPfn);

    // The memory manager takes the pages out of recorder.exe's working set...
    LabTrimWorkingSet(app);
    LabExpect(!MmIsAddressValid(buffer), "after trimming, the user VA is no longer valid");
    // ...and hog.exe wants memory.
    ApplyMemoryPressure(hog);

    // The device writes through the PFN array: physical addresses, no virtual address involved.
    LabDeviceWrite(mdl, 0, g_DeviceData, TRANSFER_BYTES);

    // recorder.exe touches its buffer again: a soft fault brings the VA back to the locked frame.
    LabEnterProcess(app);
    LabExpect(RtlCompareMemory(buffer, g_DeviceData, TRANSFER_BYTES) == TRANSFER_BYTES,
              "the application sees the data the device wrote");
    PHYSICAL_ADDRESS pa = MmGetPhysicalAddress(buffer);
    DbgPrint("recorder.exe's first page is now PFN 0x%I64X\n", (ULONG64)(pa.QuadPart >> PAGE_SHIFT));
    LabExpect((PFN_NUMBER)(pa.QuadPart >> PAGE_SHIFT) == lockedPfn, "the VA came back to the locked frame");

    FinishTransfer(mdl);
}
