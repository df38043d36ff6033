// MdlFlags bits as wdm.h defines them, for decoding a raw MdlFlags value in Variables, hovers and dt.
// (The snapshot carries its own flagNames, computed by the emulator; this serves raw memory reads.)

export const MDL_FLAG_BITS: readonly [number, string][] = [
  [0x0001, 'MDL_MAPPED_TO_SYSTEM_VA'],
  [0x0002, 'MDL_PAGES_LOCKED'],
  [0x0004, 'MDL_SOURCE_IS_NONPAGED_POOL'],
  [0x0008, 'MDL_ALLOCATED_FIXED_SIZE'],
  [0x0010, 'MDL_PARTIAL'],
  [0x0020, 'MDL_PARTIAL_HAS_BEEN_MAPPED'],
  [0x0040, 'MDL_IO_PAGE_READ'],
  [0x0080, 'MDL_WRITE_OPERATION'],
  [0x0100, 'MDL_LOCKED_PAGE_TABLES'],
  [0x0200, 'MDL_FREE_EXTRA_PTES'],
  [0x0400, 'MDL_DESCRIBES_AWE'],
  [0x0800, 'MDL_IO_SPACE'],
  [0x1000, 'MDL_NETWORK_HEADER'],
  [0x2000, 'MDL_MAPPING_CAN_FAIL'],
  [0x4000, 'MDL_PAGE_CONTENTS_INVARIANT'],
  [0x8000, 'MDL_INTERNAL'],
];

export function mdlFlagNames(flags: number): string[] {
  return MDL_FLAG_BITS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/** `0x000a MDL_PAGES_LOCKED | MDL_ALLOCATED_FIXED_SIZE` */
export function describeMdlFlags(flags: number, names: string[] = mdlFlagNames(flags)): string {
  const hex = '0x' + (flags & 0xffff).toString(16).padStart(4, '0');
  return names.length ? `${hex} ${names.join(' | ')}` : hex;
}
