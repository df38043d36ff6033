// A page fault that only driver code can resolve (a paging read of a mapped file through the
// scenario's filter) interrupts the C statement that touched the page; the statement runs again
// once the page is in. Whatever it had done before the fault (a post-increment, a store through a
// pointer, a write to memory) must not happen twice: the retried statement has C's meaning.
import assert from 'node:assert/strict';
import { sameAsClosureForm } from './helpers/generatedMachine';

const FILTERED = `
#include <ntifs.h>
PDEVICE_OBJECT g_Filter, g_Lower;
PVOID g_File;
ULONG g_Reads;
UCHAR g_Out[8];
NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    g_Reads++;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(g_Lower, Irp);
}
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_Filter);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) DriverObject->MajorFunction[i] = Read;
    g_Lower = IoAttachDeviceToDeviceStack(g_Filter, IoGetRelatedDeviceObject((PFILE_OBJECT)g_File));
    g_Filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
VOID LabMain(VOID)
{
    g_File = LabCreateFile("\\\\data.bin", 20 * PAGE_SIZE);
    LabLoadDriver(DriverEntry);
    PEPROCESS app = LabCreateProcess("reader.exe");
    LabEnterProcess(app);
    PUCHAR view = (PUCHAR)LabMapViewOfFile(app, g_File);
    for (ULONG p = 0; p < 20; p++) view[p * PAGE_SIZE] = (UCHAR)('A' + p);
    LabEvictFromCache(g_File);
    ULONG i = 0, sum = 0, n = 0, before;
    ULONG count = 0;
    PULONG counter = &count;
    before = g_Reads;
    sum += view[i++ * PAGE_SIZE];
    DbgPrint("i=%u sum=%c reads=%u\\n", i, sum, g_Reads - before);
    LabEvictFromCache(g_File);
    before = g_Reads;
    n++, g_Out[0] = view[7 * PAGE_SIZE];
    DbgPrint("n=%u out=%c reads=%u\\n", n, g_Out[0], g_Reads - before);
    LabEvictFromCache(g_File);
    before = g_Reads;
    *counter += 1, sum = view[3 * PAGE_SIZE];
    DbgPrint("count=%u sum=%c reads=%u\\n", count, sum, g_Reads - before);
}`;

describe('a statement interrupted by a paging read through the scenario\'s driver', () => {
  it('runs again once the page is in, with what it had done before the fault undone: i++, a store through a pointer and an array index count once', () => {
    // the closure form and the generated form (which hands such statements to the machine) agree, for any slice size
    const { ref } = sameAsClosureForm(FILTERED, [1, 5, 1_000_000]);
    assert.deepEqual(ref.out.map((l) => l.trim()), [
      'i=1 sum=A reads=1',
      'n=1 out=H reads=1',
      'count=1 sum=D reads=1',
    ]);
  });
});
