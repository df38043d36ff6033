// Driver and device objects in nonpaged pool: LabLoadDriver (a DRIVER_OBJECT whose MajorFunction
// table starts out as IopInvalidDeviceRequest, then DriverEntry through a guest call), IoCreateDevice
// with its extension, IoDeleteDevice, device stacks (IoAttachDeviceToDeviceStack, IoDetachDevice,
// IoGetAttachedDevice, IoGetRelatedDeviceObject).
import type { NativeResult } from '../contract';
import { DEVICE_OBJECT as DEV, DRIVER_OBJECT as DRV, IRP, IRP_MJ_MAXIMUM_FUNCTION, UNICODE_STRING as US } from '../layouts';
import { STATUS, ntStatusName } from '../constants';
import { tagValue } from '../pool';
import { hex64 } from '../u64';
import { asLong, callGuest, ntStatus, ntSuccess, then } from './cps';
import { type IoManager, type BuiltinDispatch, IO_TYPE_DEVICE, IO_TYPE_DRIVER, DO_DEVICE_INITIALIZING, DO_EXCLUSIVE } from './ioManager';
import { completeRequest } from './irp';

const DRIVER_TAG = tagValue('Driv');
const DEVICE_TAG = tagValue('Devi');
/** DEVOBJ_EXTENSION (x64): Type, Size, DeviceObject at +8, AttachedTo at +0x30. */
const DEVOBJ_EXT = { Type: 0x00, Size: 0x02, DeviceObject: 0x08, AttachedTo: 0x30, sizeof: 0x40 } as const;
const IO_TYPE_DEVICE_OBJECT_EXTENSION = 13;
const DRIVER_EXTENSION_SIZE = 0x30;
const FILE_DEVICE_DISK = 0x07;
const FILE_DEVICE_DISK_FILE_SYSTEM = 0x08;

/** FILE_OBJECT (x64) fields the emulator uses. */
export const FILE_OBJECT = { Type: 0x00, Size: 0x02, DeviceObject: 0x08, Vpb: 0x10, FsContext: 0x18, FileName: 0x58, sizeof: 0xd8 } as const;

function writeUnicode(io: IoManager, us: number, buffer: number, text: string): void {
  const m = io.k.memory;
  for (let i = 0; i < text.length; i++) m.write16(buffer + 2 * i, text.charCodeAt(i));
  m.write16(buffer + 2 * text.length, 0);
  m.write16(us + US.Length, 2 * text.length);
  m.write16(us + US.MaximumLength, 2 * text.length + 2);
  m.write64(us + US.Buffer, buffer);
}

/** A DRIVER_OBJECT (with its extension, name and registry path in the same block) and the RegistryPath. */
export function createDriverObject(io: IoManager, name: string, dispatchDefault: number): { driver: number; registryPath: number } {
  const k = io.k;
  const regText = `\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\${name.replace(/^.*\\/, '')}`;
  const size = DRV.sizeof + DRIVER_EXTENSION_SIZE + US.sizeof + 2 * (name.length + 1) + 2 * (regText.length + 1);
  const drv = k.pool.allocate('NonPaged', size, DRIVER_TAG, false);
  if (!drv) k.bugCheck(0x1a, [0x41201, 0, 0, 0], 'no nonpaged pool for a DRIVER_OBJECT');
  const m = k.memory;
  m.fill(drv, size, 0);
  m.write16(drv + DRV.Type, IO_TYPE_DRIVER);
  m.write16(drv + DRV.Size, DRV.sizeof);
  const ext = drv + DRV.sizeof;
  m.write64(ext, drv); // DRIVER_EXTENSION.DriverObject
  m.write64(drv + DRV.DriverExtension, ext);
  const regPath = ext + DRIVER_EXTENSION_SIZE;
  const nameBuf = regPath + US.sizeof;
  const regBuf = nameBuf + 2 * (name.length + 1);
  writeUnicode(io, drv + DRV.DriverName, nameBuf, name);
  writeUnicode(io, regPath, regBuf, regText);
  for (let i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) m.write64(drv + DRV.MajorFunction + 8 * i, dispatchDefault);
  return { driver: drv, registryPath: regPath };
}

/** The routine every MajorFunction entry starts with: completes the IRP with STATUS_INVALID_DEVICE_REQUEST. */
export function invalidDeviceRequest(io: IoManager): BuiltinDispatch {
  return (_device, irp) => {
    io.k.memory.write32(irp + IRP.IoStatus, STATUS.INVALID_DEVICE_REQUEST);
    io.k.memory.write64(irp + IRP.IoStatus + 8, 0);
    return then(completeRequest(io, irp), () => asLong(STATUS.INVALID_DEVICE_REQUEST));
  };
}

export function loadDriver(io: IoManager, driverEntry: number, invalidRequest: number): NativeResult {
  const n = ++io.driversLoaded;
  const { driver, registryPath } = createDriverObject(io, n === 1 ? '\\Driver\\Scenario' : `\\Driver\\Scenario${n}`, invalidRequest);
  io.k.memory.write64(driver + DRV.DriverInit, driverEntry);
  io.k.memory.write64(driver + DRV.DriverStart, driverEntry);
  io.irpEvent(`LabLoadDriver: DRIVER_OBJECT ${hex64(driver)}, calling DriverEntry ${hex64(driverEntry)}`);
  return then(callGuest(driverEntry, [driver, registryPath]), (rv) => {
    const st = ntStatus(rv);
    io.irpEvent(`DriverEntry returned ${ntStatusName(st)}`);
    if (!ntSuccess(st) && io.p64(driver + DRV.DeviceObject)) {
      io.k.verifierReport(`Driver Verifier: DriverEntry failed with ${ntStatusName(st)} but left device objects behind (delete them before failing)`);
    }
    return asLong(st);
  });
}

export function createDevice(io: IoManager, driver: number, extensionSize: number, deviceType: number, characteristics: number, exclusive: boolean, out: number): number {
  const k = io.k;
  const m = k.memory;
  if (!driver || m.read16(driver + DRV.Type) !== IO_TYPE_DRIVER) {
    k.bugCheck(0x1e, [STATUS.ACCESS_VIOLATION, 0, 0, 0], `IoCreateDevice: ${hex64(driver)} is not a DRIVER_OBJECT`);
  }
  const ext = Math.ceil((extensionSize >>> 0) / 16) * 16;
  const size = DEV.sizeof + ext + DEVOBJ_EXT.sizeof;
  const dev = k.pool.allocate('NonPaged', size, DEVICE_TAG, false);
  if (!dev) return asLong(STATUS.INSUFFICIENT_RESOURCES);
  m.fill(dev, size, 0);
  m.write16(dev + DEV.Type, IO_TYPE_DEVICE);
  m.write16(dev + DEV.Size, (DEV.sizeof + (extensionSize >>> 0)) & 0xffff);
  m.write64(dev + DEV.DriverObject, driver);
  m.write64(dev + DEV.NextDevice, io.p64(driver + DRV.DeviceObject));
  m.write64(driver + DRV.DeviceObject, dev);
  m.write32(dev + DEV.Flags, DO_DEVICE_INITIALIZING | (exclusive ? DO_EXCLUSIVE : 0));
  m.write32(dev + DEV.Characteristics, characteristics >>> 0);
  m.write64(dev + DEV.DeviceExtension, extensionSize ? dev + DEV.sizeof : 0);
  m.write32(dev + DEV.DeviceType, deviceType >>> 0);
  m.write8(dev + DEV.StackSize, 1);
  if (deviceType === FILE_DEVICE_DISK || deviceType === FILE_DEVICE_DISK_FILE_SYSTEM) m.write16(dev + DEV.SectorSize, 512);
  const dox = dev + DEV.sizeof + ext;
  m.write16(dox + DEVOBJ_EXT.Type, IO_TYPE_DEVICE_OBJECT_EXTENSION);
  m.write16(dox + DEVOBJ_EXT.Size, DEVOBJ_EXT.sizeof);
  m.write64(dox + DEVOBJ_EXT.DeviceObject, dev);
  m.write64(dev + DEV.DeviceObjectExtension, dox);
  if (out) m.write64(out, dev);
  io.irpEvent(`IoCreateDevice → DEVICE_OBJECT ${hex64(dev)} (extension 0x${(extensionSize >>> 0).toString(16)} bytes, DO_DEVICE_INITIALIZING)`);
  return STATUS.SUCCESS;
}

export function deleteDevice(io: IoManager, dev: number): void {
  const k = io.k;
  const m = k.memory;
  if (m.read16(dev + DEV.Type) !== IO_TYPE_DEVICE) {
    k.bugCheck(0x1e, [STATUS.ACCESS_VIOLATION, 0, 0, 0], `IoDeleteDevice: ${hex64(dev)} is not a DEVICE_OBJECT (deleted twice?)`);
  }
  if (io.p64(dev + DEV.AttachedDevice)) {
    k.verifierReport(`Driver Verifier: IoDeleteDevice of ${hex64(dev)} while the device at ${hex64(io.p64(dev + DEV.AttachedDevice))} is still attached above it`);
  }
  const driver = io.p64(dev + DEV.DriverObject);
  let link = driver + DRV.DeviceObject;
  for (let d = io.p64(link); d; d = io.p64(link)) {
    if (d === dev) {
      m.write64(link, io.p64(dev + DEV.NextDevice));
      break;
    }
    link = d + DEV.NextDevice;
  }
  m.write16(dev + DEV.Type, 0);
  k.pool.free(dev, null);
  io.irpEvent(`IoDeleteDevice(${hex64(dev)})`);
}

/** The highest device attached above `dev` (the top of its stack). */
export function attachedTop(io: IoManager, dev: number): number {
  let top = dev;
  for (let i = 0; i < 64; i++) {
    const above = io.p64(top + DEV.AttachedDevice);
    if (!above) break;
    top = above;
  }
  return top;
}

export function attachToStack(io: IoManager, source: number, target: number): number {
  const m = io.k.memory;
  if (!target || m.read16(target + DEV.Type) !== IO_TYPE_DEVICE) return 0;
  const top = attachedTop(io, target);
  m.write64(top + DEV.AttachedDevice, source);
  m.write8(source + DEV.StackSize, io.char(top + DEV.StackSize) + 1);
  m.write32(source + DEV.AlignmentRequirement, m.read32(top + DEV.AlignmentRequirement));
  m.write16(source + DEV.SectorSize, m.read16(top + DEV.SectorSize));
  const dox = io.p64(source + DEV.DeviceObjectExtension);
  if (dox) m.write64(dox + DEVOBJ_EXT.AttachedTo, top);
  // only scenario drivers attach: a paging read may now run their dispatch routines
  io.k.pagingRunsDrivers = true;
  io.irpEvent(`IoAttachDeviceToDeviceStack: ${hex64(source)} attached above ${hex64(top)} (StackSize ${io.char(source + DEV.StackSize)})`);
  return top;
}

export function detachDevice(io: IoManager, target: number): void {
  const above = io.p64(target + DEV.AttachedDevice);
  io.k.memory.write64(target + DEV.AttachedDevice, 0);
  if (above) {
    const dox = io.p64(above + DEV.DeviceObjectExtension);
    if (dox) io.k.memory.write64(dox + DEVOBJ_EXT.AttachedTo, 0);
  }
  io.irpEvent(`IoDetachDevice(${hex64(target)})${above ? `: ${hex64(above)} is no longer attached` : ''}`);
}

/** The device a request for this file goes to: the top of the stack of the file's volume device. */
export function relatedDeviceObject(io: IoManager, fileObject: number): number {
  const dev = io.p64(fileObject + FILE_OBJECT.DeviceObject);
  return dev ? attachedTop(io, dev) : 0;
}
