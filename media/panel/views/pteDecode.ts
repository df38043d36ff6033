// A page-table row decoded the way WinDbg's `!pte` prints it: the entry at each level with its
// contents and flag letters (---DA--UWEV), and for a PTE that is not valid, what its software
// format says (transition frame, page-file slot, demand zero, protection).
import type { PageDirectoryEntries, PageTableRow, PageTableWalk } from '../../../src/engine/pageTableQuery';
import { addr64, hexDigits } from '../format';

export const STATE_LABELS: Record<PageTableRow['state'], string> = {
  valid: 'valid',
  transition: 'transition',
  'paged-out': 'paged out',
  'demand-zero': 'demand zero',
  prototype: 'prototype',
  'no-access': 'no access',
  'no-pte': 'no PTE',
};

export const STATE_HELP: Record<PageTableRow['state'], string> = {
  valid: 'resident: the PTE maps a frame',
  transition: 'trimmed from the working set; the frame still holds the data (a locked page stays in its frame)',
  'paged-out': 'the contents are in the page file; a touch reads them into a new frame',
  'demand-zero': 'committed, never touched: the first touch gets a zeroed frame',
  prototype: 'a view of a file: resolved through the section\'s prototype PTE',
  'no-access': 'committed with no access, or decommitted',
  'no-pte': 'no PTE (or no page table): not committed',
};

/** WinDbg's !pte flag letters for a valid entry's low bits (this emulator keeps NX in bit 9). */
export function pteFlagLetters(low: number): string {
  if (!(low & 1)) return 'not valid';
  return ['-', '-', '-', low & 0x40 ? 'D' : '-', low & 0x20 ? 'A' : '-', '-', '-', low & 0x4 ? 'U' : 'K', low & 0x2 ? 'W' : 'R', low & 0x200 ? '-' : 'E', 'V'].join('');
}

function contains(hex: string): string {
  return hex.replace(/^0x/i, '').toUpperCase().padStart(16, '0');
}

function level(name: string, hex: string): string {
  const v = BigInt(hex);
  const low = Number(v & 0xfffn);
  const pfn = v >> 12n;
  return `${name} contains ${contains(hex)}  ${low & 1 ? `pfn ${pfn.toString(16)}  ${pteFlagLetters(low)}` : 'not valid'}`;
}

/** Directory entries by 2 MiB block (VA >> 21), built once per walk. */
export function tablesByBlock(walk: PageTableWalk): Map<bigint, PageDirectoryEntries> {
  return new Map(walk.tables.map((t) => [BigInt(t.va) >> 21n, t]));
}

/** The whole `!pte` text of one row. */
export function decodePte(row: PageTableRow, walk: PageTableWalk, tables: Map<bigint, PageDirectoryEntries>): string {
  const where = walk.process ? walk.process : 'system space';
  const lines = [`VA ${addr64(row.va)}${row.pages > 1 ? ` and the ${row.pages - 1} pages after it` : ''}  (${where})`];
  const t = tables.get(BigInt(row.va) >> 21n);
  if (t) lines.push(level('PXE', t.pxe), level('PPE', t.ppe), level('PDE', t.pde));
  else lines.push('no page table maps this VA (a higher-level entry is not present)');
  switch (row.state) {
    case 'valid':
      lines.push(level('PTE', row.pte));
      lines.push(`${row.protection}${row.dirty ? ', dirty' : ''}${row.accessed ? ', accessed' : ''}, ${row.user ? 'user' : 'kernel'} page`);
      break;
    case 'transition':
      lines.push(`PTE contains ${contains(row.pte)}`, 'not valid', ` Transition: ${hexDigits(row.pfn ?? 0)}`, ` Protect: ${row.protection}`);
      break;
    case 'paged-out':
      lines.push(`PTE contains ${contains(row.pte)}`, 'not valid', ' PageFile: 0', ` Offset: ${hexDigits(row.pageFileSlot ?? 0)}`, ` Protect: ${row.protection}`);
      break;
    case 'demand-zero':
      lines.push(`PTE contains ${contains(row.pte)}`, 'not valid', ' DemandZero', ` Protect: ${row.protection}`);
      break;
    case 'prototype':
      lines.push(`PTE contains ${contains(row.pte)}`, 'not valid', ' Proto: a mapped file page (prototype PTE)', ` Protect: ${row.protection}`);
      break;
    case 'no-access':
      lines.push(`PTE contains ${contains(row.pte)}`, 'not valid', ` Protect: ${row.protection || '0 - NoAccess'}`);
      break;
    case 'no-pte':
      if (t) lines.push(`PTE contains ${contains(row.pte)}`, 'not valid (not committed)');
      break;
  }
  if (row.pfn !== null) lines.push(`Frame ${hexDigits(row.pfn)}: ${row.frameState ?? 'no PFN entry'}, lock count ${row.lockCount}${row.locked ? ' (locked: pinned until MmUnlockPages)' : ''}`);
  if (row.mdls.length) lines.push(`Described by MDL ${row.mdls.map(addr64).join(', ')}`);
  return lines.join('\n');
}
