// `!mdl` and `dt _MDL` over the snapshot's view of an MDL, and the PFN entries it names.
import { MDL } from '../../emulator/layouts';
import type { FrameView, MdlView, MmSnapshot } from '../../emulator/snapshotTypes';
import { describeMdlFlags } from '../mdlFlags';
import { addr, dtLine, hexN } from './format';

function ptrOrNull(hex: string, suffix = ''): string {
  return /^0x0*$/.test(hex) ? '(null) ' : `0x${addr(hex)}${suffix}`;
}

/** `dt nt!_MDL ADDR` with the flags decoded after the raw value; `header` is the MDL's first 16 bytes when readable. */
export function dtMdl(m: MdlView, header?: Uint8Array | null): string[] {
  const dv = header && header.length >= 0x10 ? new DataView(header.buffer, header.byteOffset, header.byteLength) : null;
  const apn = dv ? dv.getUint16(MDL.AllocationProcessorNumber, true) : 0;
  const reserved = dv ? dv.getUint16(MDL.Reserved, true) : 0;
  return [
    'nt!_MDL',
    dtLine(MDL.Next, 'Next', ptrOrNull(m.next, ' _MDL')),
    dtLine(MDL.Size, 'Size', `0n${m.size}`),
    dtLine(MDL.MdlFlags, 'MdlFlags', `0n${m.flags}  (${describeMdlFlags(m.flags, m.flagNames)})`),
    dtLine(MDL.AllocationProcessorNumber, 'AllocationProcessorNumber', `0x${apn.toString(16)}`),
    dtLine(MDL.Reserved, 'Reserved', `0x${reserved.toString(16)}`),
    dtLine(MDL.Process, 'Process', ptrOrNull(m.process, ` _EPROCESS${m.processName ? ` (${m.processName})` : ''}`)),
    dtLine(MDL.MappedSystemVa, 'MappedSystemVa', ptrOrNull(m.mappedSystemVa, ' Void')),
    dtLine(MDL.StartVa, 'StartVa', ptrOrNull(m.startVa, ' Void')),
    dtLine(MDL.ByteCount, 'ByteCount', `0x${m.byteCount.toString(16)}`),
    dtLine(MDL.ByteOffset, 'ByteOffset', `0x${m.byteOffset.toString(16)}`),
  ];
}

/** `!mdl ADDR`: the header fields, then the physical page array with each frame's state. */
export function bangMdl(m: MdlView, frames: FrameView[]): string[] {
  const byPfn = new Map(frames.map((f) => [f.pfn, f]));
  const lines = [
    `Mdl ${addr(m.address)}`,
    `    Next           ${addr(m.next)}`,
    `    Size           ${hexN(m.size, 4)}`,
    `    MdlFlags       ${describeMdlFlags(m.flags, m.flagNames).replace(/^0x/, '').replace(/ \| /g, ' ')}`,
    `    Process        ${addr(m.process)}${m.processName ? `  (${m.processName})` : ''}`,
    `    MappedSystemVa ${addr(m.mappedSystemVa)}`,
    `    StartVa        ${addr(m.startVa)}`,
    `    ByteCount      ${hexN(m.byteCount, 8)}`,
    `    ByteOffset     ${hexN(m.byteOffset, 8)}`,
    `    Origin         ${m.origin}${m.parent ? `  (partial of ${addr(m.parent)})` : ''}${m.irp ? `  (IRP ${addr(m.irp)})` : ''}`,
    `    Physical page array (${m.pageCount} page${m.pageCount === 1 ? '' : 's'}):`,
  ];
  m.pfns.forEach((pfn, i) => {
    const f = byPfn.get(pfn);
    const agree = m.slotMatchesPageTables?.[i];
    const state = f ? `${f.state.padEnd(10)} ref ${f.referenceCount} share ${f.shareCount} lock ${f.lockCount}${f.dummy ? ' (dummy page)' : ''}` : '';
    const stale = agree === false ? '  STALE: the page tables now map another frame' : '';
    lines.push(`        [${String(i).padStart(2)}] ${hexN(pfn, 8)}  ${state}${stale}`);
  });
  return lines;
}

/** The MDL at an address in the snapshot (exact match on the MDL's address). */
export function findMdl(s: MmSnapshot, address: bigint): MdlView | undefined {
  return s.mdls.find((m) => BigInt.asUintN(64, BigInt(m.address)) === BigInt.asUintN(64, address));
}

/** `!pfn N` from the snapshot's frame view. */
export function bangPfn(f: FrameView): string[] {
  const lines = [
    `    PFN ${hexN(f.pfn, 8)} at address (PFN database entry)`,
    `    ReferenceCount ${hexN(f.referenceCount, 4)}  ShareCount ${hexN(f.shareCount, 8)}  LockCount ${f.lockCount}`,
    `    PageLocation   ${f.state}${f.modified ? '  Modified' : ''}${f.dummy ? '  (the dummy page)' : ''}`,
  ];
  for (const m of f.mappedBy) lines.push(`    mapped by ${m.process ?? 'system'} at ${addr(m.va)} (${m.kind}${m.valid ? '' : ', invalid PTE'})`);
  if (f.mappedBy.length === 0) lines.push('    not mapped by any page table');
  return lines;
}
