// Routine table: the <mdlab.h> harness — processes, user memory, expectations, trimming, Driver
// Verifier, system PTE limits and the DMA device that works on physical frames only.
import type { Kernel } from '../kernel';
import { define, ptr, size, ulong, bool, readCString } from './define';
import { MDL_PAGES_LOCKED, MDL_SOURCE_IS_NONPAGED_POOL, MDL_PARTIAL, MDL_IO_PAGE_READ, PAGE_SIZE, PFN_SENTINEL } from '../constants';
import { PFN_MODIFIED, PageLocation, PAGE_STATE_NAMES } from '../pfnDatabase';
import { hex64 } from '../u64';

const H = 'mdlab.h' as const;

/**
 * Device DMA through the MDL's PFN array (physical addresses, never virtual): a stale MDL
 * corrupts whatever frame holds that PFN now. `toMemory`: the device writes into the frames.
 */
export function deviceDma(k: Kernel, mdl: number, offset: number, buffer: number, length: number, toMemory: boolean): void {
  const f = k.mdl.read(mdl);
  const what = toMemory ? 'LabDeviceWrite' : 'LabDeviceRead';
  if (!(f.flags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL | MDL_IO_PAGE_READ))) {
    k.verifierReport(`Driver Verifier: ${what} through the MDL at ${hex64(mdl)}, whose pages are not locked: its PFN array is stale`, mdl);
  }
  if (offset + length > f.byteCount) {
    k.verifierReport(`Driver Verifier: ${what} of 0x${length.toString(16)} bytes at offset 0x${offset.toString(16)} runs past the MDL's ByteCount 0x${f.byteCount.toString(16)}`, mdl);
  }
  const d = k.mm.pfn;
  const touched = new Set<number>();
  let pos = 0;
  while (pos < length) {
    const abs = f.byteOffset + offset + pos;
    const slot = Math.floor(abs / PAGE_SIZE);
    const pageOff = abs % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - pageOff, length - pos);
    const pfn = k.mdl.pfnAt(mdl, slot);
    if (pfn === PFN_SENTINEL || !d.isRam(pfn)) {
      k.event('dma', `${what}: slot ${slot} of ${hex64(mdl)} names no RAM (0x${pfn.toString(16)}); the device's bytes go nowhere`, mdl);
    } else if (toMemory) {
      // the source is read first: faulting it in may repurpose frames, and the device writes what is in pfn then
      const bytes = k.memory.readBytes(buffer + pos, n);
      k.mm.phys.writable(pfn).set(bytes, pageOff);
      if (pfn < d.watermark) d.flags[pfn] |= PFN_MODIFIED;
      touched.add(pfn);
    } else {
      k.memory.writeBytes(buffer + pos, k.mm.phys.view(pfn).slice(pageOff, pageOff + n));
      touched.add(pfn);
    }
    pos += n;
  }
  for (const pfn of touched) {
    const locked = pfn < d.watermark && d.lockCount[pfn] > 0;
    const state = pfn < d.watermark ? PAGE_STATE_NAMES[d.state[pfn]] : 'Zeroed';
    if (pfn === k.dummyPfn) {
      // Reference 5.1: the dummy page is shared by every paging read; its contents change at any time.
      if (toMemory) k.mm.phys.writable(pfn).fill(0xd0 + (k.core.eventSeq % 16));
    } else if (!locked && !(f.flags & MDL_SOURCE_IS_NONPAGED_POOL)) {
      const owner = pfn < d.watermark && d.ownerSpace[pfn] >= 0
        ? k.procs.bySpace(d.ownerSpace[pfn])?.name ?? 'system space'
        : pfn < d.watermark && d.state[pfn] === PageLocation.Standby ? 'the file cache' : 'nobody';
      k.event('dma', `${what} touched frame 0x${pfn.toString(16)}, which is not locked (state ${state}, now used by ${owner})`, mdl);
    }
  }
  k.event('dma', `${what}: 0x${length.toString(16)} bytes at offset 0x${offset.toString(16)} of ${hex64(mdl)} through ${touched.size} frame${touched.size === 1 ? '' : 's'}`, mdl);
}

export function registerHarness(k: Kernel): void {
  define(k, {
    name: 'LabCreateProcess', header: H, irql: 'PASSIVE_LEVEL', prototype: 'PEPROCESS LabCreateProcess(PCSTR ImageName);',
    summary: 'Creates a user process with its own address space and returns its EPROCESS.',
    details: 'The scenario thread stays where it is; use LabEnterProcess to run in the new process\'s context.',
  }, (a) => k.procs.create(readCString(k, ptr(a[0]), 64)).eprocess);
  define(k, {
    name: 'LabEnterProcess', header: H, irql: 'PASSIVE_LEVEL', prototype: 'VOID LabEnterProcess(PEPROCESS Process);',
    summary: 'The scenario thread now runs in this process\'s context: user addresses resolve in its address space.',
    details: 'Like a thread of that process calling into the driver (e.g. through DeviceIoControl). Pass the System process back with LabEnterProcess(PsInitialSystemProcess-like value) or another LabCreateProcess result.',
  }, (a) => { k.procs.enter(ptr(a[0])); });
  define(k, {
    name: 'LabUserAlloc', header: H, irql: 'PASSIVE_LEVEL', prototype: 'PVOID LabUserAlloc(PEPROCESS Process, SIZE_T Size, ULONG Protect);',
    summary: 'Commits page-aligned, demand-zero user memory in a process (like VirtualAlloc with MEM_COMMIT).',
    details: 'Protect is a PAGE_* value (PAGE_READWRITE, PAGE_READONLY, PAGE_NOACCESS…). No frame is used until a page is touched. Returns NULL for a zero size or an unknown protection.',
  }, (a) => k.procs.userAlloc(k.procs.require(ptr(a[0]), 'LabUserAlloc'), size(a[1]), ulong(a[2])));
  define(k, {
    name: 'LabExpect', header: H, irql: 'Any level', prototype: 'VOID LabExpect(BOOLEAN Condition, PCSTR What);',
    summary: 'Records an expectation: prints PASSED or FAILED with the line; a failure does not stop the run.',
    details: 'The run ends with exit code 1 if any expectation failed.',
  }, (a) => { k.expect(bool(a[0]), readCString(k, ptr(a[1]), 512)); });
  define(k, {
    name: 'LabBreak', header: H, irql: 'Any level', prototype: 'VOID LabBreak(VOID);',
    summary: 'A hard-coded breakpoint: the debugger (and mdl-lab demo) stops here and shows the MDL state.',
    details: 'Like DbgBreakPoint.',
  }, () => undefined);
  define(k, {
    name: 'LabTrimWorkingSet', header: H, irql: 'PASSIVE_LEVEL', prototype: 'VOID LabTrimWorkingSet(PEPROCESS Process);',
    summary: 'Memory pressure: pages out every unlocked resident page of the process (NULL: paged pool).',
    details: 'Unlocked pages are written to the page file and their frames repurposed, so the next touch reads them back into a **different** frame. Locked pages keep their frames (that is what locking buys) but their VAs become invalid too (transition PTEs): MmIsAddressValid is FALSE and a touch at DISPATCH_LEVEL bug-checks. Reference 3.3.',
  }, (a) => {
    const p = ptr(a[0]);
    k.procs.trim(p ? k.procs.require(p, 'LabTrimWorkingSet') : null);
  });
  define(k, {
    name: 'LabTerminateProcess', header: H, irql: 'PASSIVE_LEVEL', prototype: 'VOID LabTerminateProcess(PEPROCESS Process);',
    summary: 'The process exits, with the checks Windows makes there.',
    details: 'Pages still locked by an MDL: bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0xCB DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS with Driver Verifier (naming the MDL). A user mapping of an MDL never unmapped is reported. Every process still alive when LabMain returns exits this way. Reference 6.5.',
  }, (a) => { k.procs.terminate(k.procs.require(ptr(a[0]), 'LabTerminateProcess')); });
  define(k, {
    name: 'LabSetVerifier', header: H, irql: 'Any level', prototype: 'VOID LabSetVerifier(BOOLEAN On);',
    summary: 'Turns Driver Verifier on (the default) or off.',
    details: 'On: misuse bug-checks at the faulting call (0xC4 and friends). Off: the emulator behaves like plain Windows — silent damage, and only the bug checks Windows raises by itself (0x76 at process exit, 0x4E, 0x1A…).',
  }, (a) => { k.verifier = bool(a[0]); k.event('verifier', `Driver Verifier ${k.verifier ? 'on' : 'off'}`); });
  define(k, {
    name: 'LabSetSystemPteLimit', header: H, irql: 'Any level', prototype: 'VOID LabSetSystemPteLimit(ULONG Total);',
    summary: 'Resizes the system PTE space, so a scenario can run out of mappings quickly.',
    details: 'With few PTEs left, MmGetSystemAddressForMdlSafe returns NULL (LowPagePriority first) and MmMapLockedPages bug-checks 0x3F NO_MORE_SYSTEM_PTES.',
  }, (a) => { k.ptes.setTotal(ulong(a[0])); });
  define(k, {
    name: 'LabDeviceWrite', header: H, irql: 'Any level', prototype: 'VOID LabDeviceWrite(PMDL Mdl, ULONG Offset, const VOID *Source, ULONG Length);',
    summary: 'The DMA device writes Length bytes from Source into the MDL\'s buffer at Offset, through the PFN array.',
    details: 'Physical: the bytes land in whatever frames the MDL\'s PFN slots name **now**. If the MDL is not locked (unlocked, freed, or built from pageable memory that moved), another process\'s page or a free page is overwritten.',
  }, (a) => { deviceDma(k, ptr(a[0]), ulong(a[1]), ptr(a[2]), ulong(a[3]), true); });
  define(k, {
    name: 'LabDeviceRead', header: H, irql: 'Any level', prototype: 'VOID LabDeviceRead(PMDL Mdl, ULONG Offset, PVOID Destination, ULONG Length);',
    summary: 'The DMA device reads Length bytes of the MDL\'s buffer at Offset (through the PFN array) into Destination.',
    details: 'Physical, like LabDeviceWrite: a stale MDL reads someone else\'s data.',
  }, (a) => { deviceDma(k, ptr(a[0]), ulong(a[1]), ptr(a[2]), ulong(a[3]), false); });
  define(k, {
    name: 'LabGetSystemProcess', header: H, irql: 'Any level', prototype: 'PEPROCESS LabGetSystemProcess(VOID);',
    summary: 'The System process (the context the scenario starts in).',
    details: 'Pass it to LabEnterProcess to leave a user process\'s context.',
  }, () => k.procs.system.eprocess);
  define(k, {
    name: 'PsGetCurrentProcess', header: 'wdm.h', irql: 'Any level', prototype: 'PEPROCESS PsGetCurrentProcess(VOID);',
    summary: 'The process whose address space is current (the one user addresses resolve in).',
    details: 'Changes with LabEnterProcess and KeStackAttachProcess.',
    docUrl: 'https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetcurrentprocess',
  }, () => k.procs.current.eprocess);
  define(k, {
    name: 'IoGetCurrentProcess', header: 'wdm.h', irql: 'Any level', prototype: 'PEPROCESS IoGetCurrentProcess(VOID);',
    summary: 'The process whose address space is current.', details: 'Same as PsGetCurrentProcess.',
    docUrl: 'https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetcurrentprocess',
  }, () => k.procs.current.eprocess);
}
