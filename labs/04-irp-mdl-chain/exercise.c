// Lab 4 exercise — MyFreeMdl lost a line on the way. Put it back.
// (The scenario: the IRP's MDL chain, one request, several buffers, each with its own MDL.)
// Part A: the driver builds an IRP itself (a packet = a header in nonpaged pool + two payloads in a
//   user buffer), chains an MDL per buffer with IoAllocateMdl's SecondaryBuffer, sends it down,
//   and, owning the IRP, frees the chain in its completion routine with the documentation's
//   MyFreeMdl, stopping the I/O manager with STATUS_MORE_PROCESSING_REQUIRED.
// Part B: a user request arrives with the I/O manager's MDL; the driver appends a second one;
//   IoCompleteRequest unlocks and frees the whole chain.
#include <ntifs.h>
#include <mdlab.h>

#define TAG 'cIdM'
#define HEADER_BYTES 16
#define IOCTL_MDLLAB_SCATTER CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)

typedef struct _SCATTER_REQUEST {
    PVOID SecondBuffer;   // a second user buffer, described by the driver's own MDL
    ULONG SecondLength;
} SCATTER_REQUEST, *PSCATTER_REQUEST;

PDEVICE_OBJECT g_Upper;   // receives user requests
PDEVICE_OBJECT g_Lower;   // "the wire": sends whatever an IRP's MDL chain describes
UCHAR g_Wire[4 * PAGE_SIZE];
ULONG g_WireBytes;
NTSTATUS g_SendStatus;

// From "Using MDLs": frees an MDL chain, unlocking only what is locked.
VOID MyFreeMdl(PMDL Mdl)
{
    PMDL currentMdl, nextMdl;

    for (currentMdl = Mdl; currentMdl != NULL; currentMdl = nextMdl)
    {
        nextMdl = currentMdl->Next;
        // TODO: "Every MDL on an IRP is locked, isn't it?"
        MmUnlockPages(currentMdl);
        IoFreeMdl(currentMdl);
    }
}

// The lower device: gathers every MDL of the chain, in order, onto the wire.
NTSTATUS SendChain(PIRP Irp)
{
    g_WireBytes = 0;
    for (PMDL mdl = Irp->MdlAddress; mdl != NULL; mdl = mdl->Next) {
        PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        ULONG bytes = MmGetMdlByteCount(mdl);
        if (!va || g_WireBytes + bytes > sizeof(g_Wire)) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        RtlCopyMemory(g_Wire + g_WireBytes, va, bytes);
        g_WireBytes += bytes;
    }
    return STATUS_SUCCESS;
}

// The upper device: fills every MDL of the chain with its index.
NTSTATUS FillChain(PIRP Irp)
{
    UCHAR index = 0;
    for (PMDL mdl = Irp->MdlAddress; mdl != NULL; mdl = mdl->Next, index++) {
        PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (!va) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        RtlFillMemory(va, MmGetMdlByteCount(mdl), (UCHAR)('0' + index));
    }
    return STATUS_SUCCESS;
}

NTSTATUS AppendUserBuffer(PIRP Irp, PVOID Buffer, ULONG Length)
{
    // SecondaryBuffer = TRUE: the new MDL goes to the end of Irp->MdlAddress's chain.
    PMDL extra = IoAllocateMdl(Buffer, Length, TRUE, FALSE, Irp);
    if (!extra) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(extra, Irp->RequestorMode, IoWriteAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        // Take it off the chain again before freeing it: the I/O manager would unlock it otherwise.
        PMDL m = Irp->MdlAddress;
        while (m->Next != extra) {
            m = m->Next;
        }
        m->Next = NULL;
        IoFreeMdl(extra);
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR information = 0;

    if (DeviceObject == g_Lower && stack->MajorFunction == IRP_MJ_WRITE) {
        status = SendChain(Irp);
        information = g_WireBytes;
    } else if (DeviceObject == g_Upper && stack->MajorFunction == IRP_MJ_DEVICE_CONTROL &&
               stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_MDLLAB_SCATTER &&
               stack->Parameters.DeviceIoControl.InputBufferLength >= sizeof(SCATTER_REQUEST)) {
        PSCATTER_REQUEST request = (PSCATTER_REQUEST)Irp->AssociatedIrp.SystemBuffer;
        status = AppendUserBuffer(Irp, request->SecondBuffer, request->SecondLength);
        if (NT_SUCCESS(status)) {
            status = FillChain(Irp);
        }
    } else if (stack->MajorFunction == IRP_MJ_CREATE || stack->MajorFunction == IRP_MJ_CLOSE) {
        status = STATUS_SUCCESS;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    // For an I/O manager IRP this unlocks every MDL in the chain, then frees them all.
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// Runs when the lower device completes our own IRP. The IRP and its MDLs are ours to free.
NTSTATUS SendComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    g_SendStatus = Irp->IoStatus.Status;
    MyFreeMdl(Irp->MdlAddress);
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;   // the I/O manager must not touch the IRP again
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_Lower);
    if (NT_SUCCESS(status)) {
        status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_Upper);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        DriverObject->MajorFunction[i] = Dispatch;
    }
    g_Lower->Flags &= ~DO_DEVICE_INITIALIZING;
    g_Upper->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// Part A: build a three-MDL packet and send it.
VOID SendPacket(PUCHAR Payload)
{
    PUCHAR header = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, HEADER_BYTES, TAG);
    PIRP irp = IoAllocateIrp(g_Lower->StackSize, FALSE);
    LabExpect(header != NULL && irp != NULL, "a header and an IRP are allocated");
    if (!header || !irp) {
        return;
    }
    RtlFillMemory(header, HEADER_BYTES, 'H');

    PMDL headerMdl = IoAllocateMdl(header, HEADER_BYTES, FALSE, FALSE, irp);   // becomes irp->MdlAddress
    MmBuildMdlForNonPagedPool(headerMdl);
    PMDL first = IoAllocateMdl(Payload, 0x300, TRUE, FALSE, irp);                // appended
    PMDL second = IoAllocateMdl(Payload + PAGE_SIZE - 0x80, 0x100, TRUE, FALSE, irp);  // appended
    __try {
        MmProbeAndLockPages(first, UserMode, IoReadAccess);
        MmProbeAndLockPages(second, UserMode, IoReadAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        LabExpect(FALSE, "the payloads can be locked");
    }

    ULONG count = 0;
    for (PMDL m = irp->MdlAddress; m != NULL; m = m->Next) {
        DbgPrint("chain[%u] = %p: va %p, 0x%X bytes, MdlFlags 0x%04X\n", count++, m,
                 MmGetMdlVirtualAddress(m), MmGetMdlByteCount(m), (ULONG)(USHORT)m->MdlFlags);
    }
    LabExpect(count == 3 && irp->MdlAddress == headerMdl && headerMdl->Next == first && first->Next == second,
              "the chain is header -> first -> second");

    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_WRITE;
    next->Parameters.Write.Length = HEADER_BYTES + 0x300 + 0x100;
    IoSetCompletionRoutine(irp, SendComplete, NULL, TRUE, TRUE, TRUE);
    IoCallDriver(g_Lower, irp);   // irp is gone after this: SendComplete freed it

    ExFreePoolWithTag(header, TAG);
    LabExpect(NT_SUCCESS(g_SendStatus) && g_WireBytes == HEADER_BYTES + 0x400, "the whole chain went out");
    LabExpect(g_Wire[0] == 'H' && g_Wire[HEADER_BYTES] == 'a' && g_Wire[HEADER_BYTES + 0x300] == 'b',
              "in chain order: header, first payload, second payload");
}

VOID LabMain(VOID)
{
    LabLoadDriver(DriverEntry);
    LabExpect(g_Upper != NULL && g_Lower != NULL, "the driver's two devices exist");
    if (!g_Upper || !g_Lower) {
        return;
    }
    PEPROCESS app = LabCreateProcess("netapp.exe");
    LabEnterProcess(app);
    PUCHAR payload = (PUCHAR)LabUserAlloc(app, 2 * PAGE_SIZE, PAGE_READWRITE);
    RtlFillMemory(payload, 0x300, 'a');
    RtlFillMemory(payload + PAGE_SIZE - 0x80, 0x100, 'b');

    SendPacket(payload);

    // Part B: a user request whose MDL chain the I/O manager cleans up.
    PUCHAR output = (PUCHAR)LabUserAlloc(app, PAGE_SIZE, PAGE_READWRITE);
    PUCHAR second = (PUCHAR)LabUserAlloc(app, PAGE_SIZE, PAGE_READWRITE);
    SCATTER_REQUEST request;
    request.SecondBuffer = second + 0x10;
    request.SecondLength = 0x20;
    NTSTATUS status = LabDeviceIoControl(app, g_Upper, IOCTL_MDLLAB_SCATTER, &request, sizeof(request), output, 0x40);
    LabExpect(NT_SUCCESS(status), "the scatter request succeeds");
    LabExpect(output[0] == '0' && output[0x3F] == '0' && output[0x40] == 0, "the I/O manager's MDL got chain index 0");
    LabExpect(second[0x10] == '1' && second[0x2F] == '1' && second[0x30] == 0, "the driver's appended MDL got chain index 1");
    // Both MDLs were unlocked and freed by IoCompleteRequest: netapp.exe exits with no locked pages.
    LabTerminateProcess(app);
}
