// Windows constants the emulator, the panels and the debugger share: MDL flags, NTSTATUS and
// bug-check names, IRQLs, protections, pool types and the emulated address-space layout.

export const PAGE_SIZE = 0x1000;
export const PAGE_SHIFT = 12;
export const PAGE_MASK = 0xfff;

/** x64 user-space limits (reference, conventions). */
export const MM_HIGHEST_USER_ADDRESS = 0x7ffffffeffff;
export const MM_USER_PROBE_ADDRESS = 0x7fffffff0000;

export interface MdlFlagInfo {
  name: string;
  value: number;
  /** One line on what the bit means (reference 1.4). */
  explanation: string;
  /** Second name of the same bit in newer headers. */
  alias?: string;
}

/** The MDL_* bits in the order of their values (reference 1.4). */
export const MDL_FLAGS: readonly MdlFlagInfo[] = [
  { name: 'MDL_MAPPED_TO_SYSTEM_VA', value: 0x0001, explanation: 'MappedSystemVa holds a system-space mapping of the pages.' },
  { name: 'MDL_PAGES_LOCKED', value: 0x0002, explanation: 'The physical pages are locked (MmProbeAndLockPages or MmAllocatePagesForMdlEx); the PFN array is valid.' },
  { name: 'MDL_SOURCE_IS_NONPAGED_POOL', value: 0x0004, explanation: 'Built by MmBuildMdlForNonPagedPool: already mapped, never locked or unlocked.' },
  { name: 'MDL_ALLOCATED_FIXED_SIZE', value: 0x0008, explanation: 'IoAllocateMdl took it from the fixed-size MDL lookaside list (up to 23 pages).' },
  { name: 'MDL_PARTIAL', value: 0x0010, explanation: 'Built by IoBuildPartialMdl: a slice of another MDL, holding no page references of its own.' },
  { name: 'MDL_PARTIAL_HAS_BEEN_MAPPED', value: 0x0020, explanation: 'A partial MDL that got its own system mapping; MmPrepareMdlForReuse or IoFreeMdl releases it.' },
  { name: 'MDL_IO_PAGE_READ', value: 0x0040, explanation: 'A paging-read MDL built by the memory manager; may name the dummy page.' },
  { name: 'MDL_WRITE_OPERATION', value: 0x0080, explanation: 'Locked for IoWriteAccess or IoModifyAccess.' },
  { name: 'MDL_LOCKED_PAGE_TABLES', value: 0x0100, alias: 'MDL_PARENT_MAPPED_SYSTEM_VA', explanation: 'Partial MDL whose system mapping belongs to its parent (must not be unmapped itself).' },
  { name: 'MDL_FREE_EXTRA_PTES', value: 0x0200, explanation: 'The mapping reserved extra system PTEs, released by MmUnmapLockedPages.' },
  { name: 'MDL_DESCRIBES_AWE', value: 0x0400, explanation: 'Describes AWE (physical VAD) memory.' },
  { name: 'MDL_IO_SPACE', value: 0x0800, explanation: 'Some frame has no PFN-database entry (device memory).' },
  { name: 'MDL_NETWORK_HEADER', value: 0x1000, explanation: 'Used by the network stack; not interpreted by the memory manager.' },
  { name: 'MDL_MAPPING_CAN_FAIL', value: 0x2000, explanation: 'Mapping returns NULL instead of bug-checking, even with BugCheckOnFailure.' },
  { name: 'MDL_PAGE_CONTENTS_INVARIANT', value: 0x4000, alias: 'MDL_ALLOCATED_MUST_SUCCEED', explanation: 'Caller promises the page contents do not change (formerly: must-succeed pool).' },
  { name: 'MDL_INTERNAL', value: 0x8000, explanation: 'Reserved to the system.' },
];

export const MDL_MAPPED_TO_SYSTEM_VA = 0x0001;
export const MDL_PAGES_LOCKED = 0x0002;
export const MDL_SOURCE_IS_NONPAGED_POOL = 0x0004;
export const MDL_ALLOCATED_FIXED_SIZE = 0x0008;
export const MDL_PARTIAL = 0x0010;
export const MDL_PARTIAL_HAS_BEEN_MAPPED = 0x0020;
export const MDL_IO_PAGE_READ = 0x0040;
export const MDL_WRITE_OPERATION = 0x0080;
export const MDL_PARENT_MAPPED_SYSTEM_VA = 0x0100;
export const MDL_FREE_EXTRA_PTES = 0x0200;
export const MDL_IO_SPACE = 0x0800;
export const MDL_MAPPING_CAN_FAIL = 0x2000;
export const MDL_ALLOCATED_MUST_SUCCEED = 0x4000;

/** Names of the bits set in an MdlFlags value, in the order of bit values. */
export function mdlFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (const f of MDL_FLAGS) if (flags & f.value) names.push(f.name);
  return names;
}

/** Sentinel ReactOS writes into unused/failed PFN slots (all ones). */
export const PFN_SENTINEL = -1;

export const KernelMode = 0;
export const UserMode = 1;
export const IoReadAccess = 0;
export const IoWriteAccess = 1;
export const IoModifyAccess = 2;

export const PASSIVE_LEVEL = 0;
export const APC_LEVEL = 1;
export const DISPATCH_LEVEL = 2;
export const HIGH_LEVEL = 15;

export function irqlName(irql: number): string {
  switch (irql) {
    case 0: return 'PASSIVE_LEVEL';
    case 1: return 'APC_LEVEL';
    case 2: return 'DISPATCH_LEVEL';
    case 13: return 'CLOCK_LEVEL';
    case 14: return 'IPI_LEVEL';
    case 15: return 'HIGH_LEVEL';
    default: return `DIRQL ${irql}`;
  }
}

/** NTSTATUS values the emulator raises or returns (unsigned 32-bit). */
export const STATUS = {
  SUCCESS: 0x00000000,
  ACCESS_VIOLATION: 0xc0000005,
  IN_PAGE_ERROR: 0xc0000006,
  INVALID_PARAMETER: 0xc000000d,
  NO_MEMORY: 0xc0000017,
  CONFLICTING_ADDRESSES: 0xc0000018,
  DATATYPE_MISALIGNMENT: 0x80000002,
  INSUFFICIENT_RESOURCES: 0xc000009a,
  WORKING_SET_QUOTA: 0xc00000a1,
  INVALID_ADDRESS: 0xc0000141,
  PROCESS_IS_TERMINATING: 0xc000010a,
  UNSUCCESSFUL: 0xc0000001,
  NOT_IMPLEMENTED: 0xc0000002,
  INVALID_DEVICE_REQUEST: 0xc0000010,
  BUFFER_TOO_SMALL: 0xc0000023,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  PENDING: 0x00000103,
  BUFFER_OVERFLOW: 0x80000005,
  END_OF_FILE: 0xc0000011,
  NOT_SUPPORTED: 0xc00000bb,
  DEVICE_NOT_READY: 0xc00000a3,
  CANCELLED: 0xc0000120,
  QUOTA_EXCEEDED: 0xc0000044,
} as const;

/** NTSTATUS value → name, for the debugger, DbgPrint readers and reports. */
export const NTSTATUS_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(STATUS).map(([k, v]) => [v, `STATUS_${k}`]),
);

export function ntStatusName(status: number): string {
  return NTSTATUS_NAMES.get(status >>> 0) ?? `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Bug-check codes the emulator raises (reference 6.0) plus the few the interpreter raises. */
export const BUGCHECK_NAMES: ReadonlyMap<number, string> = new Map([
  [0x05, 'INVALID_PROCESS_ATTACH_ATTEMPT'],
  [0x06, 'INVALID_PROCESS_DETACH_ATTEMPT'],
  [0x09, 'IRQL_NOT_GREATER_OR_EQUAL'],
  [0x0a, 'IRQL_NOT_LESS_OR_EQUAL'],
  [0x19, 'BAD_POOL_HEADER'],
  [0x1a, 'MEMORY_MANAGEMENT'],
  [0x1e, 'KMODE_EXCEPTION_NOT_HANDLED'],
  [0x35, 'NO_MORE_IRP_STACK_LOCATIONS'],
  [0x3f, 'NO_MORE_SYSTEM_PTES'],
  [0x44, 'MULTIPLE_IRP_COMPLETE_REQUESTS'],
  [0x4e, 'PFN_LIST_CORRUPT'],
  [0x50, 'PAGE_FAULT_IN_NONPAGED_AREA'],
  [0x76, 'PROCESS_HAS_LOCKED_PAGES'],
  [0x7e, 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED'],
  [0x7f, 'UNEXPECTED_KERNEL_MODE_TRAP'],
  [0x8e, 'KERNEL_MODE_EXCEPTION_NOT_HANDLED'],
  [0xbe, 'ATTEMPTED_WRITE_TO_READONLY_MEMORY'],
  [0xc1, 'SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION'],
  [0xc2, 'BAD_POOL_CALLER'],
  [0xc4, 'DRIVER_VERIFIER_DETECTED_VIOLATION'],
  [0xcb, 'DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS'],
  [0xcc, 'PAGE_FAULT_IN_FREED_SPECIAL_POOL'],
  [0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL'],
  [0xd5, 'DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL'],
  [0xd8, 'DRIVER_USED_EXCESSIVE_PTES'],
  [0xd9, 'LOCKED_PAGES_TRACKER_CORRUPTION'],
  [0xda, 'SYSTEM_PTE_MISUSE'],
  [0xe2, 'MANUALLY_INITIATED_CRASH'],
]);

export function bugCheckName(code: number): string {
  return BUGCHECK_NAMES.get(code) ?? 'UNKNOWN_BUGCHECK';
}

/** Win32 page protections (PAGE_*), as LabUserAlloc and MmMapLockedPagesSpecifyCache take them. */
export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;

/** POOL_TYPE values (wdm.h) and ExAllocatePool2's POOL_FLAGS. */
export const NonPagedPool = 0;
export const PagedPool = 1;
export const NonPagedPoolNx = 0x200;
export const POOL_FLAG_UNINITIALIZED = 0x2;
export const POOL_FLAG_NON_PAGED = 0x40;
export const POOL_FLAG_PAGED = 0x100;
export const POOL_FLAG_RAISE_ON_FAILURE = 0x20;

/** MM_PAGE_PRIORITY modifiers (Windows 8+). */
export const MdlMappingNoWrite = 0x80000000;
export const MdlMappingNoExecute = 0x40000000;
export const LowPagePriority = 0;
export const NormalPagePriority = 16;
export const HighPagePriority = 32;

/** MM_ALLOCATE_* flags for MmAllocatePagesForMdlEx. */
export const MM_DONT_ZERO_ALLOCATION = 0x1;
export const MM_ALLOCATE_FULLY_REQUIRED = 0x4;
export const MM_ALLOCATE_VALID_FLAGS = 0x7f;

/** Where things live in the emulated x64 address space (canonical; kernel addresses are negative). */
export const LAYOUT = {
  userAllocBase: 0x000001e000000000,
  userMappingBase: 0x000001f000000000,
  systemPteBase: -0x500000000000, // 0xFFFFB000`00000000: MDL mappings and reserved mappings
  pagedPoolBase: -0x400000000000, // 0xFFFFC000`00000000
  kernelStackBase: -0x300000000000, // 0xFFFFD000`00000000
  nonPagedPoolBase: -0x200000000000, // 0xFFFFE000`00000000
  imageBase: -0x80000000000, // 0xFFFFF800`00000000: the scenario's driver image
} as const;
