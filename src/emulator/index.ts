// Public surface of the memory-manager emulator: the kernel factory and class, and the tables the
// debugger, the panels and the I/O manager decode with (MDL flags, bug checks, NTSTATUS names).
export { createKernel, Kernel, MAX_PHYSICAL_MEMORY, type KernelExtraOptions, type OutputKind } from './kernel';
export {
  MDL_FLAGS, mdlFlagNames, BUGCHECK_NAMES, bugCheckName, NTSTATUS_NAMES, ntStatusName, STATUS, irqlName, LAYOUT,
  type MdlFlagInfo,
} from './constants';
export * from './contract';
export { hex64, toU64, windbgHex, parseHex64, toUnsignedBig } from './u64';
export { PfnDatabase, PageLocation, PAGE_STATE_NAMES } from './pfnDatabase';
export { PageTables, describePte, vpnOf, vaOfVpn } from './pageTables';
export { MemoryManager } from './memoryManager';
export { SystemPtes } from './systemPtes';
export { Pool, tagString, tagValue, type PoolAllocation } from './pool';
export { Processes, EPROCESS, type ProcessRecord, type Vad } from './processes';
export { MdlManager, spanPages, mmSizeOfMdl, type MdlRecord, type MdlFields } from './mdl';
export { type MappingRecord } from './mdlMap';
export { formatPrintf } from './printf';
export { frameView, mdlView, buildSnapshot, clearSnapshotCache } from './snapshot';
export { deviceDma } from './routines/harness';
export { define, ddiUrl } from './routines/define';
