// The I/O manager's state beside the kernel: the built-in drivers (the emulated file system and
// the invalid-request routine) whose dispatch routines are TypeScript, the files with their page
// caches, and the IRP views of the snapshot. IRPs, driver and device objects themselves live in
// emulated nonpaged memory, so checkpoints of the kernel cover them.
import type { Kernel } from '../kernel';
import type { NativeResult, U64 } from '../contract';
import type { IrpStackView, IrpView } from '../snapshotTypes';
import { IRP, IO_STACK_LOCATION as SL } from '../layouts';
import { LAYOUT, ntStatusName } from '../constants';
import { tagValue } from '../pool';
import { hex64 } from '../u64';

export const IRP_TAG = tagValue('Irp ');
export const IO_TYPE_DEVICE = 3;
export const IO_TYPE_DRIVER = 4;
export const IO_TYPE_FILE = 5;
export const IO_TYPE_IRP = 6;

export const IRP_NOCACHE = 0x1;
export const IRP_PAGING_IO = 0x2;
export const IRP_SYNCHRONOUS_API = 0x4;
export const IRP_ASSOCIATED_IRP = 0x8;
export const IRP_BUFFERED_IO = 0x10;
export const IRP_DEALLOCATE_BUFFER = 0x20;
export const IRP_INPUT_OPERATION = 0x40;
export const IRP_SYNCHRONOUS_PAGING_IO = 0x40;
export const IRP_READ_OPERATION = 0x100;
export const IRP_WRITE_OPERATION = 0x200;
export const IRP_CLOSE_OPERATION = 0x400;
export const IRP_DEFER_IO_COMPLETION = 0x800;

export const SL_PENDING_RETURNED = 0x01;
export const SL_INVOKE_ON_CANCEL = 0x20;
export const SL_INVOKE_ON_SUCCESS = 0x40;
export const SL_INVOKE_ON_ERROR = 0x80;

export const DO_BUFFERED_IO = 0x4;
export const DO_EXCLUSIVE = 0x8;
export const DO_DIRECT_IO = 0x10;
export const DO_DEVICE_INITIALIZING = 0x80;

export const IRP_MJ_CREATE = 0x00;
export const IRP_MJ_CLOSE = 0x02;
export const IRP_MJ_READ = 0x03;
export const IRP_MJ_WRITE = 0x04;
export const IRP_MJ_DEVICE_CONTROL = 0x0e;

const MAJOR_NAMES = [
  'IRP_MJ_CREATE', 'IRP_MJ_CREATE_NAMED_PIPE', 'IRP_MJ_CLOSE', 'IRP_MJ_READ', 'IRP_MJ_WRITE', 'IRP_MJ_QUERY_INFORMATION',
  'IRP_MJ_SET_INFORMATION', 'IRP_MJ_QUERY_EA', 'IRP_MJ_SET_EA', 'IRP_MJ_FLUSH_BUFFERS', 'IRP_MJ_QUERY_VOLUME_INFORMATION',
  'IRP_MJ_SET_VOLUME_INFORMATION', 'IRP_MJ_DIRECTORY_CONTROL', 'IRP_MJ_FILE_SYSTEM_CONTROL', 'IRP_MJ_DEVICE_CONTROL',
  'IRP_MJ_INTERNAL_DEVICE_CONTROL', 'IRP_MJ_SHUTDOWN', 'IRP_MJ_LOCK_CONTROL', 'IRP_MJ_CLEANUP', 'IRP_MJ_CREATE_MAILSLOT',
  'IRP_MJ_QUERY_SECURITY', 'IRP_MJ_SET_SECURITY', 'IRP_MJ_POWER', 'IRP_MJ_SYSTEM_CONTROL', 'IRP_MJ_DEVICE_CHANGE',
  'IRP_MJ_QUERY_QUOTA', 'IRP_MJ_SET_QUOTA', 'IRP_MJ_PNP',
];

/** Irp->Flags bits in value order; 0x40 is IRP_INPUT_OPERATION (IRP_SYNCHRONOUS_PAGING_IO on paging IRPs). */
const IRP_FLAG_NAMES: [number, string][] = [
  [IRP_NOCACHE, 'IRP_NOCACHE'], [IRP_PAGING_IO, 'IRP_PAGING_IO'], [IRP_SYNCHRONOUS_API, 'IRP_SYNCHRONOUS_API'],
  [IRP_ASSOCIATED_IRP, 'IRP_ASSOCIATED_IRP'], [IRP_BUFFERED_IO, 'IRP_BUFFERED_IO'], [IRP_DEALLOCATE_BUFFER, 'IRP_DEALLOCATE_BUFFER'],
  [IRP_INPUT_OPERATION, 'IRP_INPUT_OPERATION'], [IRP_READ_OPERATION, 'IRP_READ_OPERATION'], [IRP_WRITE_OPERATION, 'IRP_WRITE_OPERATION'],
  [IRP_CLOSE_OPERATION, 'IRP_CLOSE_OPERATION'], [IRP_DEFER_IO_COMPLETION, 'IRP_DEFER_IO_COMPLETION'],
];

export function majorName(mj: number): string {
  return MAJOR_NAMES[mj] ?? `IRP_MJ 0x${mj.toString(16)}`;
}

/** A dispatch routine written in TypeScript (the emulated file system, IopInvalidDeviceRequest). */
export type BuiltinDispatch = (device: number, irp: number) => NativeResult;

/**
 * Code addresses of the built-in routines: inside the driver-image range but far above anything
 * the scenario's image uses, never mapped (they are compared, not executed).
 */
const BUILTIN_BASE = LAYOUT.imageBase + 0x7f000000;

export class IoManager {
  private readonly builtins = new Map<number, { name: string; fn: BuiltinDispatch }>();
  private nextBuiltin = BUILTIN_BASE;
  /** Scenario drivers loaded so far (for their default names). */
  driversLoaded = 0;

  constructor(readonly k: Kernel) {}

  // ---- small typed accessors over emulated memory ----------------------------------------------

  p64(va: number): number {
    return Number(this.k.memory.read64(va));
  }

  char(va: number): number {
    return (this.k.memory.read8(va) << 24) >> 24;
  }

  /** Register a TypeScript dispatch routine and give it a code address for MajorFunction tables. */
  builtin(name: string, fn: BuiltinDispatch): number {
    const addr = this.nextBuiltin;
    this.nextBuiltin += 0x10;
    this.builtins.set(addr, { name, fn });
    return addr;
  }

  builtinAt(addr: number): { name: string; fn: BuiltinDispatch } | undefined {
    return this.builtins.get(addr);
  }

  /** The IRP allocations alive in nonpaged pool, read without faults for the snapshot. */
  irpViews(): IrpView[] {
    const out: IrpView[] = [];
    /** The low 32 bits of each IRP's AssociatedIrp union: a master's IrpCount. */
    const unionLow = new Map<string, number>();
    for (const a of this.k.pool.liveWithTag(IRP_TAG, 'NonPaged')) {
      const head = this.k.peek(a.va, IRP.sizeof);
      if (!head) continue;
      const dv = new DataView(head.buffer);
      if (dv.getInt16(IRP.Type, true) !== IO_TYPE_IRP) continue;
      const count = dv.getInt8(IRP.StackCount);
      const cur = dv.getInt8(IRP.CurrentLocation);
      const spVa = Number(dv.getBigInt64(IRP.TailOverlayCurrentStackLocation, true));
      // Before IoCallDriver the request is described in the next location; after, in the current one.
      const sp = cur > count ? spVa - SL.sizeof : spVa;
      const mj = cur > count + 1 ? -1 : this.k.peek(sp, 1)?.[0] ?? -1;
      const chain: string[] = [];
      let mdl = Number(dv.getBigInt64(IRP.MdlAddress, true));
      for (let i = 0; mdl && i < 64; i++) {
        chain.push(hex64(mdl));
        const next = this.k.peek(mdl, 8);
        if (!next) break;
        mdl = Number(new DataView(next.buffer).getBigInt64(0, true));
      }
      const flags = dv.getUint32(IRP.Flags, true);
      const requestor = Number(dv.getBigInt64(IRP.Overlay, true));
      const stack: IrpStackView[] = [];
      let sent = false; // IoCallDriver sets a location's DeviceObject
      const locations = this.k.peek(a.va + IRP.sizeof, Math.max(0, count) * SL.sizeof);
      if (locations) {
        const sv = new DataView(locations.buffer);
        for (let i = 0; i < count; i++) {
          const o = i * SL.sizeof;
          const device = sv.getBigInt64(o + SL.DeviceObject, true);
          if (device !== 0n) sent = true;
          stack.push({
            majorFunction: majorName(sv.getUint8(o + SL.MajorFunction)),
            minorFunction: sv.getUint8(o + SL.MinorFunction),
            control: sv.getUint8(o + SL.Control),
            deviceObject: hex64(device),
            completionRoutine: hex64(sv.getBigInt64(o + SL.CompletionRoutine, true)),
            context: hex64(sv.getBigInt64(o + SL.Context, true)),
            current: a.va + IRP.sizeof + o === spVa,
          });
        }
      }
      out.push({
        address: hex64(a.va),
        majorFunction: mj < 0 ? '(completed)' : majorName(mj),
        mdlChain: chain,
        // past the top location, or back at it after the request was sent: a new IRP the driver is
        // still filling in sits one past its last location too, and is not completed
        completed: cur > count + 1 || (cur > count && sent),
        requestorMode: dv.getUint8(IRP.RequestorMode) === 1 ? 'UserMode' : 'KernelMode',
        flags,
        flagNames: IRP_FLAG_NAMES.filter(([v]) => flags & v).map(([v, n]) => (v === IRP_INPUT_OPERATION && flags & IRP_PAGING_IO ? 'IRP_SYNCHRONOUS_PAGING_IO' : n)),
        stackCount: count,
        currentLocation: cur,
        status: ntStatusName(dv.getUint32(IRP.IoStatus, true)),
        information: Number(dv.getBigUint64(IRP.IoStatus + 8, true)),
        // the AssociatedIrp union: MasterIrp of an associated IRP, else SystemBuffer (IrpCount of a master: below)
        ...(flags & IRP_ASSOCIATED_IRP ? { master: hex64(dv.getBigInt64(IRP.AssociatedIrp, true)) } : { systemBuffer: hex64(dv.getBigInt64(IRP.AssociatedIrp, true)) }),
        userBuffer: hex64(dv.getBigInt64(IRP.UserBuffer, true)),
        requestor: requestor ? this.k.procs.byEprocess(requestor)?.name ?? null : null,
        stack,
      });
      unionLow.set(out[out.length - 1].address, dv.getInt32(IRP.AssociatedIrp, true));
    }
    // A master IRP is one an associated IRP names: its union holds the IrpCount still to complete.
    const masters = new Set(out.filter((v) => v.master !== undefined).map((v) => v.master!));
    for (const v of out) {
      if (!masters.has(v.address)) continue;
      v.associatedIrpCount = unionLow.get(v.address);
      delete v.systemBuffer;
    }
    return out;
  }

  /** Event of kind 'irp' (with the first MDL of the chain, if any, so panels can link them). */
  irpEvent(text: string, mdl: number | null = null): void {
    this.k.event('irp', text, mdl);
  }
}

export function u64(v: U64 | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : Number(BigInt.asIntN(64, v));
}
