// Reads an MDL straight from emulated memory for the Variables view: its fields with offsets, the
// flags decoded, and the PFN array sized as Windows sizes it.
import type { EngineKernel } from '../emulator/contract';
import { MDL, PAGE_SHIFT, PAGE_SIZE } from '../emulator/layouts';
import { toU64 } from '../emulator/u64';
import type { U64 } from '../emulator/contract';

export interface MdlFields {
  next: U64;
  size: number;
  mdlFlags: number;
  process: U64;
  mappedSystemVa: U64;
  startVa: U64;
  byteCount: number;
  byteOffset: number;
  /** ADDRESS_AND_SIZE_TO_SPAN_PAGES(StartVa + ByteOffset, ByteCount), bounded by the MDL's Size. */
  pageCount: number;
}

/** A type name that denotes a pointer to an MDL. */
export function isMdlPointerType(type: string): boolean {
  return /^\s*(PMDL|PMDLX|(struct\s+)?_?MDL\s*\*)\s*$/.test(type);
}

/** A type name that denotes an MDL object itself. */
export function isMdlType(type: string): boolean {
  return /^\s*((struct\s+)?_MDL|MDL)\s*$/.test(type);
}

export function readMdl(kernel: EngineKernel, address: number): MdlFields | null {
  const bytes = kernel.peek(address, MDL.sizeof);
  if (!bytes) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = (off: number) => toU64(dv.getBigInt64(off, true));
  const size = dv.getUint16(MDL.Size, true);
  const byteCount = dv.getUint32(MDL.ByteCount, true);
  const byteOffset = dv.getUint32(MDL.ByteOffset, true);
  const span = Math.ceil(((byteOffset & (PAGE_SIZE - 1)) + byteCount) / PAGE_SIZE);
  const room = size >= MDL.sizeof ? (size - MDL.sizeof) >> 3 : 0;
  return {
    next: q(MDL.Next),
    size,
    mdlFlags: dv.getUint16(MDL.MdlFlags, true),
    process: q(MDL.Process),
    mappedSystemVa: q(MDL.MappedSystemVa),
    startVa: q(MDL.StartVa),
    byteCount,
    byteOffset,
    pageCount: Math.min(span, room),
  };
}

/** PFN array entries [start, start + count) of the MDL at `address`. */
export function readPfns(kernel: EngineKernel, address: number, start: number, count: number): number[] {
  const bytes = kernel.peek(address + MDL.PfnArray + start * 8, count * 8);
  if (!bytes) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number(dv.getBigUint64(i * 8, true)));
  return out;
}

export { PAGE_SHIFT };
