// Lab 7 — Direct I/O: a METHOD_OUT_DIRECT IOCTL from a user process.
// The I/O manager, in the caller's context, copies the small input buffer into
// Irp->AssociatedIrp.SystemBuffer, and describes the output buffer with an MDL that it probes and
// locks for write access: Irp->MdlAddress. The driver maps that MDL, fills it, and completes the
// IRP. The MDL is the I/O manager's: IoCompleteRequest unlocks it and frees it, not the driver.
#include <ntifs.h>
#include <mdlab.h>

#define IOCTL_MDLLAB_FILL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)

typedef struct _FILL_REQUEST {
    UCHAR Pattern;
    ULONG Step;
} FILL_REQUEST, *PFILL_REQUEST;

PDEVICE_OBJECT g_Device;

NTSTATUS DispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR written = 0;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_MDLLAB_FILL) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    } else if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(FILL_REQUEST) ||
               Irp->MdlAddress == NULL) {
        status = STATUS_INVALID_PARAMETER;
    } else {
        // The input was copied into nonpaged pool by the I/O manager (METHOD_*_DIRECT input is buffered).
        PFILL_REQUEST request = (PFILL_REQUEST)Irp->AssociatedIrp.SystemBuffer;
        // The output buffer: locked for us, described by Irp->MdlAddress. Map it.
        ULONG length = stack->Parameters.DeviceIoControl.OutputBufferLength;
        PUCHAR out = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        if (!out) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            for (ULONG i = 0; i < length; i++) {
                out[i] = (UCHAR)(request->Pattern + i * request->Step);
            }
            written = length;
        }
    }

    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = written;
    // Completion: the I/O manager unlocks the MDL (which also drops our system mapping) and frees it.
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                                     FALSE, &g_Device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    g_Device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

VOID LabMain(VOID)
{
    LabLoadDriver(DriverEntry);   // the I/O manager calls DriverEntry with a real DRIVER_OBJECT
    LabExpect(g_Device != NULL, "the driver is loaded and its device created");
    if (g_Device == NULL) {
        return;
    }

    PEPROCESS app = LabCreateProcess("viewer.exe");
    LabEnterProcess(app);
    ULONG length = 2 * PAGE_SIZE + 0x100;
    PUCHAR output = (PUCHAR)LabUserAlloc(app, 3 * PAGE_SIZE, PAGE_READWRITE);
    FILL_REQUEST request;
    request.Pattern = 0x10;
    request.Step = 3;

    // DeviceIoControl(handle, IOCTL_MDLLAB_FILL, &request, sizeof request, output, length, ...)
    NTSTATUS status = LabDeviceIoControl(app, g_Device, IOCTL_MDLLAB_FILL, &request, sizeof(request), output, length);
    DbgPrint("DeviceIoControl returned 0x%08X\n", status);

    LabExpect(NT_SUCCESS(status), "the IOCTL succeeds");
    LabExpect(output[0] == 0x10 && output[1] == 0x13 && output[length - 1] == (UCHAR)(0x10 + (length - 1) * 3),
              "the output buffer holds what the driver wrote through the MDL");
    LabExpect(output[length] == 0, "nothing beyond OutputBufferLength was written");
    // viewer.exe exits: had anyone left its pages locked, this is where Windows would say so.
    LabTerminateProcess(app);
}
