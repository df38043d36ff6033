// A filter whose IRP_MJ_READ entry holds a device object instead of a routine (the shape fuzzing
// found when a dispatch assignment swallowed the next line). A paging read of a mapped file reaches
// the filter, and the I/O manager calls through the garbage pointer: an access violation raised in
// the kernel's frame, reported as unhandled, never an exception of the host.
#include <ntifs.h>
#include <mdlab.h>

PDEVICE_OBJECT g_Filter;
PVOID g_File;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    if (!NT_SUCCESS(IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_Filter))) return STATUS_UNSUCCESSFUL;
    // the entry gets the attached-to device object, not a routine
    DriverObject->MajorFunction[IRP_MJ_READ] = (PDRIVER_DISPATCH)IoAttachDeviceToDeviceStack(g_Filter, IoGetRelatedDeviceObject((PFILE_OBJECT)g_File));
    g_Filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

VOID LabMain(VOID)
{
    g_File = LabCreateFile("\\data.bin", 2 * PAGE_SIZE);
    LabLoadDriver(DriverEntry);
    PEPROCESS app = LabCreateProcess("reader.exe");
    LabEnterProcess(app);
    PUCHAR view = (PUCHAR)LabMapViewOfFile(app, g_File);
    view[0] = 'A';
    LabEvictFromCache(g_File);
    DbgPrint("%c\n", view[0]);   // the paging read
}
