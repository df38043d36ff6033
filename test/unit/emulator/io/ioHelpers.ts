// Test helpers for the I/O manager: "guest" functions written in TypeScript stand in for the
// scenario's C (dispatch routines, completion routines, DriverEntry) and a small runner answers
// the emulator's GuestCallRequests the way the interpreter does, including GuestCallFault.
import { GuestCallFault, type GuestCallRequest, type NativeResult, type U64 } from '../../../../src/emulator/contract';
import { boot, type Lab } from '../helpers';
import { DRIVER_OBJECT as DRV, IRP, IO_STACK_LOCATION as SL, DEVICE_OBJECT as DEV } from '../../../../src/emulator/layouts';
import type { KernelExtraOptions } from '../../../../src/emulator/index';

export type GuestFn = (...args: number[]) => U64 | void;

export interface IoLab extends Lab {
  /** Register a TypeScript function as guest code; returns its "code address". */
  fn(f: GuestFn): number;
  /** Call a native routine and run every guest call it makes, like the interpreter. */
  run(name: string, ...args: U64[]): number;
  /** Read a byte of guest memory; a fault that needs guest code runs it, then the access is retried. */
  touch8(va: number): number;
  write8(va: number, v: number): void;
  p64(va: number): number;
  /** Load a driver whose DriverEntry sets every MajorFunction entry to `dispatch` and creates `devices` devices. */
  driver(dispatch: GuestFn, devices?: number, flags?: number): { driver: number; devices: number[] };
  /** The current stack location of an IRP. */
  sp(irp: number): number;
  guestFaults: number;
}

const isCall = (r: NativeResult): r is GuestCallRequest => r !== null && typeof r === 'object' && (r as GuestCallRequest).kind === 'call-guest';

export function ioBoot(options: KernelExtraOptions = {}): IoLab {
  const lab = boot({ physicalMemory: 64 * 1024 * 1024, ...options }) as IoLab;
  const { k } = lab;
  const guests = new Map<number, GuestFn>();
  const resolve = (r: NativeResult): number => {
    while (isCall(r)) {
      const g = guests.get(r.target);
      if (!g) throw new Error(`no guest function at ${r.target}`);
      const rv = g(...r.args.map((a) => Number(a)));
      r = r.resume((rv ?? 0) as U64);
    }
    return typeof r === 'number' ? r : typeof r === 'bigint' ? Number(r) : 0;
  };
  const withFaults = <T>(access: () => T): T => {
    for (let i = 0; i < 4; i++) {
      try {
        return access();
      } catch (e) {
        if (!(e instanceof GuestCallFault)) throw e;
        lab.guestFaults++;
        resolve(e.request);
      }
    }
    throw new Error('the fault kept asking for guest code');
  };
  lab.guestFaults = 0;
  lab.fn = (f) => {
    const addr = k.allocateImage(16, 16);
    guests.set(addr, f);
    return addr;
  };
  lab.run = (name, ...args) => {
    const r = k.routine(name);
    if (!r) throw new Error(`no routine ${name}`);
    return withFaults(() => resolve(r.impl(args)));
  };
  lab.touch8 = (va) => withFaults(() => k.memory.read8(va));
  lab.write8 = (va, v) => withFaults(() => k.memory.write8(va, v));
  lab.p64 = (va) => Number(k.memory.read64(va));
  lab.sp = (irp) => lab.p64(irp + IRP.TailOverlayCurrentStackLocation);
  lab.driver = (dispatch, count = 1, flags = 0) => {
    const devices: number[] = [];
    let driver = 0;
    const d = lab.fn(dispatch);
    const entry = lab.fn((drv) => {
      driver = drv;
      for (let i = 0; i <= 0x1b; i++) k.memory.write64(drv + DRV.MajorFunction + 8 * i, d);
      const slot = k.allocateImage(8, 8);
      for (let i = 0; i < count; i++) {
        lab.run('IoCreateDevice', drv, 0x20, 0, 0x22, 0, 0, slot);
        const dev = lab.p64(slot);
        k.memory.write32(dev + DEV.Flags, (k.memory.read32(dev + DEV.Flags) | flags) & ~0x80);
        devices.push(dev);
      }
      return 0;
    });
    lab.run('LabLoadDriver', entry);
    return { driver, devices };
  };
  return lab;
}

/** Complete an IRP from a dispatch routine with a status and Information. */
export function complete(lab: IoLab, irp: number, status: number, information = 0): number {
  lab.k.memory.write32(irp + IRP.IoStatus, status >>> 0);
  lab.k.memory.write64(irp + IRP.IoStatus + 8, information);
  lab.run('IoCompleteRequest', irp, 0);
  return status | 0;
}

export { IRP, SL, DRV, DEV };
