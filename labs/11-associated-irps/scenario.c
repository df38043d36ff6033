// Lab 11 — Associated IRPs: a driver splits a read.
// A direct-I/O read reaches the top device with Irp->MdlAddress: the caller's buffer, locked by
// the I/O manager. The driver splits the request in two halves. Each half travels down in an
// associated IRP (IoMakeAssociatedIrp) carrying a partial MDL of the master's MDL
// (IoBuildPartialMdl): no second lock, just a slice of the first. When an associated IRP
// completes, the I/O manager frees its MDLs without unlocking them and counts the master down;
// the last one completes the master, and only then is the caller's buffer unlocked.
#include <ntifs.h>
#include <mdlab.h>

PDEVICE_OBJECT g_Top;    // what the application reads from
PDEVICE_OBJECT g_Disk;   // the device below, which serves one piece at a time

NTSTATUS DiskRead(PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Read.Length;
    ULONG first = (ULONG)stack->Parameters.Read.ByteOffset.QuadPart;
    // The partial MDL has no system mapping yet: it maps itself (MDL_PARTIAL_HAS_BEEN_MAPPED).
    PUCHAR data = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
    if (!data) {
        Irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        Irp->IoStatus.Information = 0;
    } else {
        for (ULONG i = 0; i < length; i++) {
            data[i] = (UCHAR)((first + i) / PAGE_SIZE + 1);   // each page of the "disk" holds its number
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = length;
    }
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS SplitRead(PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Read.Length;
    ULONG half = length / 2;
    PMDL whole = Irp->MdlAddress;              // locked by the I/O manager for the caller's buffer
    PUCHAR base = (PUCHAR)MmGetMdlVirtualAddress(whole);

    // The master completes by itself once both halves are done: say so before sending them.
    Irp->AssociatedIrp.IrpCount = 2;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = length;
    IoMarkIrpPending(Irp);

    for (ULONG i = 0; i < 2; i++) {
        PIRP piece = IoMakeAssociatedIrp(Irp, g_Disk->StackSize);
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(piece);
        next->MajorFunction = IRP_MJ_READ;
        next->Parameters.Read.Length = half;
        next->Parameters.Read.ByteOffset.QuadPart = stack->Parameters.Read.ByteOffset.QuadPart + i * half;
        // A slice of the master's MDL, addressed from MmGetMdlVirtualAddress (reference 5.2).
        PMDL slice = IoAllocateMdl(base + i * half, half, FALSE, FALSE, piece);
        IoBuildPartialMdl(whole, slice, base + i * half, half);
        IoCallDriver(g_Disk, piece);
    }
    return STATUS_PENDING;
}

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return DeviceObject == g_Disk ? DiskRead(Irp) : SplitRead(Irp);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_DISK, 0, FALSE, &g_Disk);
    if (NT_SUCCESS(status)) {
        status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_Top);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    g_Disk->Flags |= DO_DIRECT_IO;
    g_Top->Flags |= DO_DIRECT_IO;
    g_Top->StackSize = g_Disk->StackSize + 1;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    g_Disk->Flags &= ~DO_DEVICE_INITIALIZING;
    g_Top->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

VOID LabMain(VOID)
{
    LabLoadDriver(DriverEntry);
    LabExpect(g_Top != NULL && g_Disk != NULL, "the driver is loaded with both devices");
    if (g_Top == NULL || g_Disk == NULL) {
        return;
    }

    PEPROCESS app = LabCreateProcess("reader.exe");
    LabEnterProcess(app);
    ULONG length = 4 * PAGE_SIZE;
    PUCHAR buffer = (PUCHAR)LabUserAlloc(app, length, PAGE_READWRITE);

    // ReadFile(handle, buffer, length, ...): the I/O manager locks the buffer, the top device splits.
    NTSTATUS status = LabReadFile(app, g_Top, buffer, length, 0);
    DbgPrint("ReadFile returned 0x%08X\n", status);

    LabExpect(NT_SUCCESS(status), "the read succeeds once both halves are done");
    LabExpect(buffer[0] == 1 && buffer[PAGE_SIZE] == 2 && buffer[2 * PAGE_SIZE] == 3 && buffer[length - 1] == 4,
              "each half arrived through its own partial MDL");
    // reader.exe exits: the master's completion unlocked its buffer, so nothing is left locked.
    LabTerminateProcess(app);
}
