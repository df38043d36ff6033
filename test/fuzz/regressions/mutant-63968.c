// Lab 6 — The dummy page: what is really in a paging-read MDL.
// A filter above the file system verifies a checksum on every page read from a "sealed" file.
// The memory manager reads in clusters: when the application touches page A of the file, pages
// A, Y, Z, B are read in one I/O, but Y and Z are already resident, so their MDL slots all name
// one system-wide dummy page. Verifying through the system MDL would check the dummy page's
// contents instead of Y's and Z's. The fix from "What Is Really in That MDL?": read into a private
// buffer described by a temporary MDL over nonpaged pool, verify there, then copy into the
// system MDL.
#include <ntifs.h>
#include <mdlab.h>

#define TAG 'yDdM'
#ifndef STATUS_CONTINUE_COMPLETION
#define STATUS_CONTINUE_COMPLETION STATUS_SUCCESS   // as wdm.h defines it
#endif
#define FILE_PAGES 4
#define DATA_BYTES (PAGE_SIZE - sizeof(ULONG))   // each page ends with its seal

typedef struct _READ_CONTEXT {
    PMDL SystemMdl;       // the memory manager's paging-read MDL
    PMDL TemporaryMdl;    // ours, over nonpaged pool
    PUCHAR Private;
    ULONG64 FileOffset;
} READ_CONTEXT, *PREAD_CONTEXT;

PDEVICE_OBJECT g_Filter;
PDEVICE_OBJECT g_FileSystem;   // the device below us
PVOID g_File;                  // sealed.dat
BOOLEAN g_Armed;               // verify reads only once the file is sealed
ULONG g_PagesVerified;
ULONG g_PagesBad;
ULONG g_PagingReads;
READ_CONTEXT g_Read;

// The seal of a page: a sum over its data mixed with the page's index in the file, so a page
// shown at the wrong offset fails as surely as a damaged one.
ULONG Seal(PUCHAR Page, ULONG64 PageIndex)
{
    ULONG sum = 0;
    for (ULONG i = 0; i < DATA_BYTES; i++) {
        sum = sum * 31 + Page[i];
    }
    return sum ^ (ULONG)(PageIndex * 0x9E3779B1);
}

VOID VerifyPages(PUCHAR Data, ULONG Length, ULONG64 FileOffset)
{
    for (ULONG off = 0; off + PAGE_SIZE <= Length; off += PAGE_SIZE) {
        ULONG64 index = (FileOffset + off) / PAGE_SIZE;
        ULONG stored = *(ULONG UNALIGNED *)(Data + off + DATA_BYTES);
        if (stored == Seal(Data + off, index)) {
            g_PagesVerified++;
        } else {
            g_PagesBad++;
            DbgPrint("page %I64u of the file fails its seal\n", index);
        }
    }
}

NTSTATUS ReadComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PREAD_CONTEXT ctx = (PREAD_CONTEXT)Context;
    if (Irp->PendingReturned) {
        IoMarkIrpPending(Irp);
    }
    ULONG length = MmGetMdlByteCount(ctx->SystemMdl);
    if (NT_SUCCESS(Irp->IoStatus.Status)) {
        // Verify our private copy: nothing else can write into it.
        VerifyPages(ctx->Private, length, ctx->FileOffset);
        // Then hand the data to the memory manager through its own MDL. Writes that land on
        // dummy-page slots are harmless: that page is never shown to anyone.
        PUCHAR target = (PUCHAR)MmGetSystemAddressForMdlSafe(ctx->SystemMdl, NormalPagePriority | MdlMappingNoExecute);
        __try {
            if (target) {
                RtlCopyMemory(target, ctx->Private, length);
            } else {
                Irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            }
        } __except(EXCEPTION_EXECUTE_HANDLER) {
            Irp->IoStatus.Status = GetExceptionCode();
        }
    }
    Irp->MdlAddress = ctx->SystemMdl;   // the IRP leaves with the MDL it came with
    IoFreeMdl(ctx->TemporaryMdl);
    ExFreePoolWithTag(ctx->Private, TAG);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS FilterRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (!g_Armed || !(Irp->Flags & IRP_PAGING_IO) || Irp->MdlAddress == NULL) {
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(g_FileSystem, Irp);
    }
    g_PagingReads++;
    PREAD_CONTEXT ctx = &g_Read;
    ctx->SystemMdl = Irp->MdlAddress;
    ctx->FileOffset = (ULONG64)stack->Parameters.Read.ByteOffset.QuadPart;
    DbgPrint("paging read: offset 0x%I64X, 0x%X bytes, MdlFlags 0x%04X\n", ctx->FileOffset,
             MmGetMdlByteCount(ctx->SystemMdl), (ULONG)(USHORT)ctx->SystemMdl->MdlFlags);

    // The temporary MDL, step by step, as the article lists it.
    // 1. Base address and length of the system-supplied MDL.
    ULONG length = MmGetMdlByteCount(ctx->SystemMdl);
    // 2. A nonpaged buffer of that length, rounded up to whole pages.
    ctx->Private = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, ROUND_TO_PAGES(length), TAG);
    // 3. An MDL for the buffer.
    ctx->TemporaryMdl = ctx->Private ? IoAllocateMdl(ctx->Private, length, FALSE, FALSE, NULL) : NULL;
    if (!ctx->TemporaryMdl) {
        if (ctx->Private) {
            ExFreePoolWithTag(ctx->Private, TAG);
        }
        Irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    // 4. Describe the buffer's own frames: none of them can be a dummy page.
    MmBuildMdlForNonPagedPool(ctx->TemporaryMdl);

    // The read below us goes into the temporary MDL.
    Irp->MdlAddress = ctx->TemporaryMdl;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, ReadComplete, ctx, TRUE, TRUE, TRUE);
    return IoCallDriver(g_FileSystem, Irp);
}

NTSTATUS FilterPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(g_FileSystem, Irp);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_Filter);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        DriverObject->MajorFunction[i] = FilterPassThrough;
    }
DriverObject -> MajorFunction [ IRP_MJ_READ ] = // ;
    // Attach on top of the stack that serves sealed.dat.
    g_FileSystem = IoAttachDeviceToDeviceStack(g_Filter, IoGetRelatedDeviceObject((PFILE_OBJECT)g_File));
    if (!g_FileSystem) {
        IoDeleteDevice(g_Filter);
        return STATUS_NO_SUCH_DEVICE;
    }
    g_Filter->Flags |= g_FileSystem->Flags & (DO_DIRECT_IO | DO_BUFFERED_IO);
    g_Filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

VOID LabMain(VOID)
{
    g_File = LabCreateFile("\\sealed.dat", FILE_PAGES * PAGE_SIZE);
    LabLoadDriver(DriverEntry);
    LabExpect(g_FileSystem != NULL, "the filter is attached above the file system");
    if (!g_FileSystem) {
        return;
    }

    // The application writes a sealed file of four pages, A, Y, Z, B, through a mapped view.
    // Memory pressure on the file (LabEvictFromCache) writes it out and drops A and B from the
    // cache; Y and Z stay cached.
    PEPROCESS app = LabCreateProcess("reader.exe");
    LabEnterProcess(app);
    PUCHAR view = (PUCHAR)LabMapViewOfFile(app, g_File);
    for (ULONG p = 0; p < FILE_PAGES; p++) {
        PUCHAR page = view + p * PAGE_SIZE;
        for (ULONG i = 0; i < DATA_BYTES; i++) {
            page[i] = (UCHAR)("AYZB"[p] + i % 7);
        }
        *(ULONG UNALIGNED *)(page + DATA_BYTES) = Seal(page, p);
    }
    LabEvictFromCache(g_File);
    g_Armed = TRUE;

    // The cache kept Y and Z (the application reads them again: soft faults); A and B are gone.
    UCHAR y = view[1 * PAGE_SIZE];
    UCHAR z = view[2 * PAGE_SIZE];
    LabExpect(y == 'Y' && z == 'Z', "pages Y and Z are resident");

    // Touching A faults; the memory manager reads A, Y, Z, B in one cluster.
    UCHAR a = view[0];
    DbgPrint("paging reads: %u, pages verified: %u, bad: %u\n", g_PagingReads, g_PagesVerified, g_PagesBad);
    LabExpect(g_PagingReads >= 1, "the fault reached the filter as a paging read");
    LabExpect(g_PagesBad == 0, "every page read passes its seal");
    LabExpect(a == 'A' && view[3 * PAGE_SIZE] == 'B' && view[PAGE_SIZE] == 'Y' && view[2 * PAGE_SIZE] == 'Z',
              "the application sees A, Y, Z, B where they belong");
}
