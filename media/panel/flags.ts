// The MDL_* flag bits (wdm.h values) with a one-line explanation each, as the inspector shows them.

export interface MdlFlagInfo {
  bit: number;
  name: string;
  /** What the bit tells a driver developer, in one line. */
  meaning: string;
  /** A codicon for the chip, where one reads naturally. */
  icon?: string;
}

export const MDL_FLAGS: readonly MdlFlagInfo[] = [
  { bit: 0x0001, name: 'MDL_MAPPED_TO_SYSTEM_VA', meaning: 'MappedSystemVa is a live system mapping of these frames.', icon: 'link' },
  { bit: 0x0002, name: 'MDL_PAGES_LOCKED', meaning: 'MmProbeAndLockPages pinned the frames; the PFN array is valid until MmUnlockPages.', icon: 'lock' },
  { bit: 0x0004, name: 'MDL_SOURCE_IS_NONPAGED_POOL', meaning: 'Built by MmBuildMdlForNonPagedPool: already mapped; never lock, unlock or map it.', icon: 'pinned' },
  { bit: 0x0008, name: 'MDL_ALLOCATED_FIXED_SIZE', meaning: 'IoAllocateMdl took it from the fixed-size lookaside; IoFreeMdl returns it there.' },
  { bit: 0x0010, name: 'MDL_PARTIAL', meaning: 'Built by IoBuildPartialMdl: borrows its parent\'s frames; must not outlive it.' },
  { bit: 0x0020, name: 'MDL_PARTIAL_HAS_BEEN_MAPPED', meaning: 'This partial MDL has its own system mapping; unmap it before reuse or free.' },
  { bit: 0x0040, name: 'MDL_IO_PAGE_READ', meaning: 'A paging-read MDL: slots may name the shared dummy page; never trust the data in place.', icon: 'file' },
  { bit: 0x0080, name: 'MDL_WRITE_OPERATION', meaning: 'Locked for IoWriteAccess/IoModifyAccess: the device or driver may write the pages.', icon: 'edit' },
  { bit: 0x0100, name: 'MDL_PARENT_MAPPED_SYSTEM_VA', meaning: 'Partial MDL whose system mapping belongs to its parent (also MDL_LOCKED_PAGE_TABLES).' },
  { bit: 0x0200, name: 'MDL_FREE_EXTRA_PTES', meaning: 'The mapping reserved extra PTEs, released when it is unmapped.' },
  { bit: 0x0400, name: 'MDL_DESCRIBES_AWE', meaning: 'Describes AWE (physical VAD) pages.' },
  { bit: 0x0800, name: 'MDL_IO_SPACE', meaning: 'Frames without PFN-database entries (device memory); mapped with I/O cache attributes.' },
  { bit: 0x1000, name: 'MDL_NETWORK_HEADER', meaning: 'Used by the network stack; the memory manager does not interpret it.' },
  { bit: 0x2000, name: 'MDL_MAPPING_CAN_FAIL', meaning: 'Mapping returns NULL on failure instead of bug-checking.' },
  { bit: 0x4000, name: 'MDL_PAGE_CONTENTS_INVARIANT', meaning: 'The caller promises the page contents do not change (also MDL_ALLOCATED_MUST_SUCCEED).' },
  { bit: 0x8000, name: 'MDL_INTERNAL', meaning: 'Reserved to the system.' },
];

/** The set flags of a MdlFlags value, lowest bit first; bits outside the table come back unnamed. */
export function decodeMdlFlags(flags: number): { known: MdlFlagInfo[]; unknownBits: number } {
  const v = flags & 0xffff;
  const known = MDL_FLAGS.filter((f) => (v & f.bit) !== 0);
  const covered = known.reduce((a, f) => a | f.bit, 0);
  return { known, unknownBits: v & ~covered };
}
