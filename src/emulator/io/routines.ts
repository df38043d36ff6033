// Routine table of the I/O manager: IRPs, drivers and devices, the user request path, files and
// the page cache, each with its WDK prototype and what it does to IRPs, MDLs and frames.
import type { Kernel } from '../kernel';
import { define, ddiUrl, ptr, size, ulong, bool, readCString } from '../routines/define';
import { IoManager } from './ioManager';
import { allocateIrp, callDriver, completeRequest, freeIrp, makeAssociatedIrp } from './irp';
import {
  attachToStack, attachedTop, createDevice, deleteDevice, detachDevice, invalidDeviceRequest, loadDriver, relatedDeviceObject,
} from './devices';
import { deviceIoControl, readWrite } from './requests';
import { FileCache } from './fileCache';
import { IRP } from '../layouts';

const managers = new WeakMap<Kernel, IoManager>();
const caches = new WeakMap<Kernel, FileCache>();

/** The I/O manager of a kernel (created by registerIoRoutines). */
export function ioManagerOf(k: Kernel): IoManager | undefined {
  return managers.get(k);
}

export function fileCacheOf(k: Kernel): FileCache | undefined {
  return caches.get(k);
}

export function registerIoRoutines(k: Kernel): void {
  const io = new IoManager(k);
  managers.set(k, io);
  k.irpProvider = () => io.irpViews();
  k.checkpointParts.set('io.manager', { save: () => io.driversLoaded, restore: (n) => { io.driversLoaded = n as number; } });
  const invalid = io.builtin('nt!IopInvalidDeviceRequest', invalidDeviceRequest(io));
  const files = new FileCache(io, invalid);
  caches.set(k, files);
  const wdm = (n: string) => ddiUrl('wdm', n);
  const H = 'mdlab.h' as const;

  define(k, {
    name: 'IoAllocateIrp', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota);',
    summary: 'Allocates an IRP with StackSize I/O stack locations after it, from nonpaged memory.',
    details: '`CurrentLocation = StackSize + 1`: the caller fills `IoGetNextIrpStackLocation(Irp)` and sends it with `IoCallDriver`. A driver that allocates an IRP owns it: it frees the MDL chain and the IRP itself, typically in a completion routine that returns `STATUS_MORE_PROCESSING_REQUIRED` (reference 4.1). Returns NULL when pool is exhausted.',
    docUrl: wdm('IoAllocateIrp'),
  }, (a) => allocateIrp(io, ulong(a[0]) & 0xff));

  define(k, {
    name: 'IoFreeIrp', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID IoFreeIrp(PIRP Irp);',
    summary: 'Frees an IRP the driver allocated with IoAllocateIrp.',
    details: 'Does not touch `Irp->MdlAddress`: an MDL chain still attached leaks, and its locked pages stay locked (Driver Verifier reports it; the process exit then bug-checks 0x76/0xCB). Freeing twice: 0xC2. Reference 4.1, 6.1.',
    docUrl: wdm('IoFreeIrp'),
  }, (a) => { freeIrp(io, ptr(a[0])); });

  define(k, {
    name: 'IoMakeAssociatedIrp', header: 'ntddk.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PIRP IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize);',
    summary: 'Allocates an IRP associated with a master IRP, so a highest-level driver can split the request among several lower requests.',
    details: 'The new IRP has `IRP_ASSOCIATED_IRP` in `Flags` and `AssociatedIrp.MasterIrp = Irp`; the caller sets the master\'s `AssociatedIrp.IrpCount` to the number of associated IRPs it sends. When one completes, the I/O manager counts the master down, frees the associated IRP\'s MDLs **without unlocking them** (typically partial MDLs of the master\'s locked buffer, from `IoBuildPartialMdl`), frees the IRP, and completes the master when the count reaches zero — which unlocks and frees the master\'s own MDL. A completion routine that returns `STATUS_MORE_PROCESSING_REQUIRED` on an associated IRP takes all of that over. Reference 4.3 step 3.',
    docUrl: ddiUrl('ntddk', 'IoMakeAssociatedIrp'),
  }, (a) => makeAssociatedIrp(io, ptr(a[0]), ulong(a[1]) & 0xff));

  define(k, {
    name: 'IoCallDriver', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'NTSTATUS IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);',
    summary: 'Sends an IRP to a driver: moves to the next stack location and calls the driver\'s dispatch routine.',
    details: '`CurrentLocation` and `Tail.Overlay.CurrentStackLocation` step down one location, its `DeviceObject` is set, and `DriverObject->MajorFunction[stack->MajorFunction]` runs with `(DeviceObject, Irp)`. Returns what the dispatch routine returns. No location left: bug check 0x35 NO_MORE_IRP_STACK_LOCATIONS.',
    docUrl: wdm('IoCallDriver'),
  }, (a) => callDriver(io, ptr(a[0]), ptr(a[1])));

  define(k, {
    name: 'IoCompleteRequest', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost);',
    summary: 'Completes an IRP: completion routines upward, then the I/O manager unlocks and frees the MDL chain.',
    details: 'In this order (reference 4.3): a second completion is bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS; each stack location\'s completion routine runs from the bottom up (`STATUS_MORE_PROCESSING_REQUIRED` stops everything: the IRP belongs to that driver again); a paging I/O IRP leaves its MDLs to the memory manager; otherwise `MmUnlockPages` on **every** MDL of `Irp->MdlAddress`\'s chain — an MDL that is not locked (built by `MmBuildMdlForNonPagedPool`, partial, already unlocked) is a Driver Verifier 0xC4 — then, in the requester\'s context, the buffered copy-back of `IoStatus.Information` bytes, `IoFreeMdl` on every MDL, and the IRP is freed. After it returns the driver must not touch the IRP, its MDLs or their mappings (reference 6.15).',
    docUrl: wdm('IoCompleteRequest'),
  }, (a) => completeRequest(io, ptr(a[0])));

  define(k, {
    name: 'IoCreateDevice', header: 'wdm.h', irql: 'PASSIVE_LEVEL',
    prototype: 'NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject);',
    summary: 'Creates a DEVICE_OBJECT (with its zeroed extension) for the driver.',
    details: 'The device starts with `StackSize = 1` and `DO_DEVICE_INITIALIZING`; the driver chooses the transfer method by setting `DO_BUFFERED_IO` or `DO_DIRECT_IO` in `Flags` itself (reference 4.2) and clears `DO_DEVICE_INITIALIZING`. `DeviceExtension` points just after the object (NULL for size 0).',
    docUrl: wdm('IoCreateDevice'),
  }, (a) => createDevice(io, ptr(a[0]), ulong(a[1]), ulong(a[3]), ulong(a[4]), bool(a[5]), ptr(a[6])));

  define(k, {
    name: 'IoDeleteDevice', header: 'wdm.h', irql: 'PASSIVE_LEVEL',
    prototype: 'VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject);',
    summary: 'Removes a device object from its driver and frees it.',
    details: 'Detach it first (IoDetachDevice) if it is attached to a stack.',
    docUrl: wdm('IoDeleteDevice'),
  }, (a) => { deleteDevice(io, ptr(a[0])); });

  define(k, {
    name: 'IoAttachDeviceToDeviceStack', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PDEVICE_OBJECT IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice);',
    summary: 'Attaches SourceDevice at the top of the stack TargetDevice belongs to; returns the device it now sits on.',
    details: 'Requests sent to any device of the stack now reach SourceDevice first; it passes them on with `IoCallDriver` to the returned device. `SourceDevice->StackSize` becomes that device\'s StackSize + 1.',
    docUrl: wdm('IoAttachDeviceToDeviceStack'),
  }, (a) => attachToStack(io, ptr(a[0]), ptr(a[1])));

  define(k, {
    name: 'IoDetachDevice', header: 'wdm.h', irql: 'PASSIVE_LEVEL',
    prototype: 'VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice);',
    summary: 'Detaches whatever device is attached above TargetDevice.',
    details: 'Pass the device returned by IoAttachDeviceToDeviceStack.',
    docUrl: wdm('IoDetachDevice'),
  }, (a) => { detachDevice(io, ptr(a[0])); });

  define(k, {
    name: 'IoGetRelatedDeviceObject', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PDEVICE_OBJECT IoGetRelatedDeviceObject(PFILE_OBJECT FileObject);',
    summary: 'The device at the top of the stack that serves a file (for a LabCreateFile file: the emulated file system\'s volume, or a filter above it).',
    details: 'A filter attaches above the file system with `IoAttachDeviceToDeviceStack(filter, IoGetRelatedDeviceObject(file))`; paging reads of the file then reach it first (reference 5.1).',
    docUrl: wdm('IoGetRelatedDeviceObject'),
  }, (a) => relatedDeviceObject(io, ptr(a[0])));

  define(k, {
    name: 'IoGetAttachedDevice', header: 'ntifs.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PDEVICE_OBJECT IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject);',
    summary: 'The highest device in the stack above DeviceObject (DeviceObject itself when nothing is attached).',
    details: 'Follows `AttachedDevice` up the stack. A request for this stack goes to the device it returns; a filter that attaches later changes the answer. Takes no reference (use `IoGetAttachedDeviceReference` when the device must stay).',
    docUrl: ddiUrl('ntifs', 'IoGetAttachedDevice'),
  }, (a) => attachedTop(io, ptr(a[0])));

  define(k, {
    name: 'IoGetAttachedDeviceReference', header: 'wdm.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject);',
    summary: 'The highest device in the stack above DeviceObject, referenced for the caller.',
    details: 'As `IoGetAttachedDevice`; on Windows the caller releases the reference with `ObDereferenceObject`. Device objects have no reference count in MDL Lab, so the reference is not tracked.',
    docUrl: wdm('IoGetAttachedDeviceReference'),
  }, (a) => attachedTop(io, ptr(a[0])));

  define(k, {
    name: 'IoGetRequestorProcess', header: 'ntifs.h', irql: '<= DISPATCH_LEVEL',
    prototype: 'PEPROCESS IoGetRequestorProcess(PIRP Irp);',
    summary: 'The process that issued the request (NULL for an IRP a driver or the memory manager built).',
    details: 'User buffers of a METHOD_NEITHER request are valid only in this process\'s context (reference 4.2, 6.6).',
  }, (a) => io.p64(ptr(a[0]) + IRP.Overlay));

  define(k, {
    name: 'LabLoadDriver', header: H, irql: 'PASSIVE_LEVEL',
    prototype: 'NTSTATUS LabLoadDriver(PDRIVER_INITIALIZE DriverEntry);',
    summary: 'Loads the scenario\'s driver: creates a DRIVER_OBJECT and calls DriverEntry(DriverObject, RegistryPath).',
    details: 'Every `MajorFunction` entry starts as the I/O manager\'s invalid-request routine (completes with `STATUS_INVALID_DEVICE_REQUEST`); DriverEntry fills the ones it handles and creates its devices with IoCreateDevice. Returns what DriverEntry returns.',
  }, (a) => loadDriver(io, ptr(a[0]), invalid));

  define(k, {
    name: 'LabDeviceIoControl', header: H, irql: 'PASSIVE_LEVEL',
    prototype: 'NTSTATUS LabDeviceIoControl(PEPROCESS Process, PDEVICE_OBJECT Device, ULONG Ioctl, PVOID In, ULONG InLen, PVOID Out, ULONG OutLen);',
    summary: 'DeviceIoControl from a user process: the I/O manager builds the IRP the way the IOCTL\'s transfer method says and sends it to the top of Device\'s stack.',
    details: 'In Process\'s context, with `RequestorMode = UserMode` (reference 4.2). `METHOD_BUFFERED`: a nonpaged `SystemBuffer` of max(InLen, OutLen) bytes with the input copied in; at completion `IoStatus.Information` bytes are copied back to Out. `METHOD_IN_DIRECT` / `METHOD_OUT_DIRECT`: the input is buffered, the output is described by `Irp->MdlAddress`, probed and locked for read / write access — a probe failure fails the request before the driver sees it. `METHOD_NEITHER`: `Parameters.DeviceIoControl.Type3InputBuffer` = In and `Irp->UserBuffer` = Out, raw user addresses. Returns the final status (STATUS_PENDING if the driver has not completed the IRP yet). In may also be a kernel address (the scenario\'s own data) and is then copied as it is.',
  }, (a) => deviceIoControl(io, ptr(a[0]), ptr(a[1]), ulong(a[2]), ptr(a[3]), ulong(a[4]), ptr(a[5]), ulong(a[6])));

  define(k, {
    name: 'LabReadFile', header: H, irql: 'PASSIVE_LEVEL',
    prototype: 'NTSTATUS LabReadFile(PEPROCESS Process, PDEVICE_OBJECT Device, PVOID Buffer, ULONG Length, ULONG64 Offset);',
    summary: 'ReadFile from a user process: an IRP_MJ_READ built for the top device\'s transfer method.',
    details: '`DO_DIRECT_IO`: `Irp->MdlAddress` describes Buffer, locked with IoWriteAccess (the device writes into it). `DO_BUFFERED_IO`: a SystemBuffer copied back at completion. Neither: `Irp->UserBuffer` only. Reference 4.2.',
  }, (a) => readWrite(io, false, ptr(a[0]), ptr(a[1]), ptr(a[2]), ulong(a[3]), size(a[4])));

  define(k, {
    name: 'LabWriteFile', header: H, irql: 'PASSIVE_LEVEL',
    prototype: 'NTSTATUS LabWriteFile(PEPROCESS Process, PDEVICE_OBJECT Device, PVOID Buffer, ULONG Length, ULONG64 Offset);',
    summary: 'WriteFile from a user process: an IRP_MJ_WRITE built for the top device\'s transfer method.',
    details: '`DO_DIRECT_IO`: `Irp->MdlAddress` describes Buffer, locked with IoReadAccess. `DO_BUFFERED_IO`: the data is copied into a SystemBuffer first. Neither: `Irp->UserBuffer` only. Reference 4.2.',
  }, (a) => readWrite(io, true, ptr(a[0]), ptr(a[1]), ptr(a[2]), ulong(a[3]), size(a[4])));

  define(k, {
    name: 'LabCreateFile', header: H, irql: 'PASSIVE_LEVEL', prototype: 'PVOID LabCreateFile(PCSTR Name, SIZE_T Size);',
    summary: 'Creates a file on the emulated file system and returns its FILE_OBJECT.',
    details: 'Its contents are deterministic (each byte derived from its offset) until written through a view. `IoGetRelatedDeviceObject` on the returned pointer gives the top of the file system\'s device stack, where a filter attaches (reference 5.1).',
  }, (a) => files.createFile(readCString(k, ptr(a[0]), 260), size(a[1])));

  define(k, {
    name: 'LabMapViewOfFile', header: H, irql: 'PASSIVE_LEVEL', prototype: 'PVOID LabMapViewOfFile(PEPROCESS Process, PVOID File);',
    summary: 'Maps the whole file into the process (read/write) and returns the view\'s address; nothing is resident until touched.',
    details: 'A touch of a page the file cache holds is a soft fault; otherwise the memory manager reads a cluster (the 64 KB window around the page, trimmed of resident pages at both ends) with one paging read down the file\'s device stack: an `IRP_PAGING_IO` IRP_MJ_READ whose MDL has `MDL_PAGES_LOCKED | MDL_IO_PAGE_READ` and names the **dummy page** for every page inside the cluster that is already resident (reference 5.1).',
  }, (a) => files.mapView(ptr(a[0]), ptr(a[1])));

  define(k, {
    name: 'LabEvictFromCache', header: H, irql: 'PASSIVE_LEVEL', prototype: 'VOID LabEvictFromCache(PVOID File);',
    summary: 'Memory pressure on the file: modified pages are written to the file, every page leaves the views, and the cache drops some pages.',
    details: 'Dropped: the first and the last page of every group of four (pages 0 and 3, 4 and 7, …); the middle two stay in the cache, so touching them is a soft fault, and a later fault on a dropped page reads a cluster across them — their slots name the dummy page (reference 5.1).',
  }, (a) => { files.evict(ptr(a[0])); });
}
