// Windows x64 layouts of the kernel structures that both the emulator (TypeScript) and scenario C
// code read and write in emulated memory. The built-in C headers declare the same structures; a
// test checks that FIELD_OFFSET/sizeof in C agree with these numbers, so the two can never drift.

export const PAGE_SIZE = 0x1000;
export const PAGE_SHIFT = 12;
export const POINTER_SIZE = 8;

/** struct _MDL (wdm.h), sizeof 0x30, followed by the PFN_NUMBER array. */
export const MDL = {
  Next: 0x00,
  Size: 0x08,
  MdlFlags: 0x0a,
  AllocationProcessorNumber: 0x0c,
  Reserved: 0x0e,
  Process: 0x10,
  MappedSystemVa: 0x18,
  StartVa: 0x20,
  ByteCount: 0x28,
  ByteOffset: 0x2c,
  PfnArray: 0x30,
  sizeof: 0x30,
} as const;

/** struct _IO_STATUS_BLOCK, sizeof 0x10. */
export const IO_STATUS_BLOCK = { Status: 0x00, Pointer: 0x00, Information: 0x08, sizeof: 0x10 } as const;

/** struct _UNICODE_STRING, sizeof 0x10. */
export const UNICODE_STRING = { Length: 0x00, MaximumLength: 0x02, Buffer: 0x08, sizeof: 0x10 } as const;

/** struct _LIST_ENTRY, sizeof 0x10. */
export const LIST_ENTRY = { Flink: 0x00, Blink: 0x08, sizeof: 0x10 } as const;

/** struct _IRP (wdm.h), sizeof 0xD0. Stack locations follow the IRP in the same allocation. */
export const IRP = {
  Type: 0x00,
  Size: 0x02,
  AllocationProcessorNumber: 0x04,
  Reserved: 0x06,
  MdlAddress: 0x08,
  Flags: 0x10,
  AssociatedIrp: 0x18, // union { MasterIrp; IrpCount; SystemBuffer }
  ThreadListEntry: 0x20,
  IoStatus: 0x30,
  RequestorMode: 0x40,
  PendingReturned: 0x41,
  StackCount: 0x42,
  CurrentLocation: 0x43,
  Cancel: 0x44,
  CancelIrql: 0x45,
  ApcEnvironment: 0x46,
  AllocationFlags: 0x47,
  UserIosb: 0x48,
  UserEvent: 0x50,
  Overlay: 0x58, // union { AsynchronousParameters (0x10); AllocationSize (LARGE_INTEGER) }
  CancelRoutine: 0x68,
  UserBuffer: 0x70,
  Tail: 0x78, // union { Overlay; Apc (KAPC 0x58); CompletionKey }
  TailOverlayDriverContext: 0x78, // PVOID DriverContext[4]
  TailOverlayThread: 0x98,
  TailOverlayAuxiliaryBuffer: 0xa0,
  TailOverlayListEntry: 0xa8,
  TailOverlayCurrentStackLocation: 0xb8,
  TailOverlayOriginalFileObject: 0xc0,
  sizeof: 0xd0,
} as const;

/** struct _IO_STACK_LOCATION (wdm.h), sizeof 0x48. Parameters is a 0x20-byte union at 0x08. */
export const IO_STACK_LOCATION = {
  MajorFunction: 0x00,
  MinorFunction: 0x01,
  Flags: 0x02,
  Control: 0x03,
  Parameters: 0x08,
  // Parameters.Read / Parameters.Write
  ReadLength: 0x08,
  ReadKey: 0x10,
  ReadFlags: 0x14,
  ReadByteOffset: 0x18,
  // Parameters.DeviceIoControl
  OutputBufferLength: 0x08,
  InputBufferLength: 0x10,
  IoControlCode: 0x18,
  Type3InputBuffer: 0x20,
  DeviceObject: 0x28,
  FileObject: 0x30,
  CompletionRoutine: 0x38,
  Context: 0x40,
  sizeof: 0x48,
} as const;

/** struct _DRIVER_OBJECT (wdm.h), sizeof 0x150. */
export const DRIVER_OBJECT = {
  Type: 0x00,
  Size: 0x02,
  DeviceObject: 0x08,
  Flags: 0x10,
  DriverStart: 0x18,
  DriverSize: 0x20,
  DriverSection: 0x28,
  DriverExtension: 0x30,
  DriverName: 0x38,
  HardwareDatabase: 0x48,
  FastIoDispatch: 0x50,
  DriverInit: 0x58,
  DriverStartIo: 0x60,
  DriverUnload: 0x68,
  MajorFunction: 0x70, // PDRIVER_DISPATCH[IRP_MJ_MAXIMUM_FUNCTION + 1] = [28]
  sizeof: 0x150,
} as const;

/** struct _DEVICE_OBJECT (wdm.h), sizeof 0x150. */
export const DEVICE_OBJECT = {
  Type: 0x00,
  Size: 0x02,
  ReferenceCount: 0x04,
  DriverObject: 0x08,
  NextDevice: 0x10,
  AttachedDevice: 0x18,
  CurrentIrp: 0x20,
  Timer: 0x28,
  Flags: 0x30,
  Characteristics: 0x34,
  Vpb: 0x38,
  DeviceExtension: 0x40,
  DeviceType: 0x48,
  StackSize: 0x4c,
  Queue: 0x50,
  AlignmentRequirement: 0x98,
  DeviceQueue: 0xa0,
  Dpc: 0xc8,
  ActiveThreadCount: 0x108,
  SecurityDescriptor: 0x110,
  DeviceLock: 0x118,
  SectorSize: 0x130,
  Spare1: 0x132,
  DeviceObjectExtension: 0x138,
  Reserved: 0x140,
  sizeof: 0x150,
} as const;

export const IRP_MJ_MAXIMUM_FUNCTION = 0x1b;
