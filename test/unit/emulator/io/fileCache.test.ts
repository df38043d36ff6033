// File-backed views, the page cache and paging-read cluster MDLs with the dummy page (reference
// 3.4, 4.3 step 4, 5.1, 6.16): what a filter above the file system receives and why a checksum
// through the system MDL goes wrong while a private copy works.
import { strict as assert } from 'node:assert';
import { ioBoot, complete, IRP, SL, type IoLab } from './ioHelpers';
import { MDL } from '../../../../src/emulator/layouts';
import { fileCacheOf } from '../../../../src/emulator/io/routines';
import { STATUS } from '../../../../src/emulator/constants';

const PAGE = 0x1000;
const IRP_PAGING_IO = 2;

interface Seen { flags: number; mdlFlags: number; pfns: number[]; offset: number; length: number; origin: string; irpOfMdl: string | null; slots: (boolean | null)[]; irpFlags: string[] }

/** A filter above the file system; `onRead` runs on each paging read before it is passed down. */
function filtered(lab: IoLab, file: number, onRead: (irp: number) => { after?: (irp: number) => void } | void): { seen: Seen[]; below: () => number } {
  const seen: Seen[] = [];
  let below = 0;
  let afterFn: ((irp: number) => void) | undefined;
  const done = lab.fn((_d, irp) => { afterFn?.(irp); return 0; });
  lab.driver((_d, irp) => {
    const sp = lab.sp(irp);
    const m = lab.k.memory;
    if (m.read8(sp) === 3 && m.read32(irp + IRP.Flags) & IRP_PAGING_IO) {
      const mdl = lab.p64(irp + IRP.MdlAddress);
      const count = m.read32(sp + SL.ReadLength) / PAGE;
      const view = lab.k.snapshot().mdls.find((v) => BigInt(v.address) === BigInt.asUintN(64, BigInt(mdl)))!;
      seen.push({
        flags: m.read32(irp + IRP.Flags), mdlFlags: m.read16(mdl + MDL.MdlFlags),
        pfns: Array.from({ length: count }, (_, i) => lab.p64(mdl + MDL.PfnArray + 8 * i)),
        offset: lab.p64(sp + SL.ReadByteOffset), length: m.read32(sp + SL.ReadLength), origin: view.origin, irpOfMdl: view.irp,
        slots: view.slotMatchesPageTables, irpFlags: lab.k.snapshot().irps.find((v) => v.address === view.irp)?.flagNames ?? [],
      });
      afterFn = onRead(irp)?.after;
      // IoCopyCurrentIrpStackLocationToNext + IoSetCompletionRoutine
      const next = sp - SL.sizeof;
      m.writeBytes(next, m.readBytes(sp, SL.CompletionRoutine));
      m.write8(next + SL.Control, 0xe0);
      m.write64(next + SL.CompletionRoutine, done);
    } else {
      m.write8(irp + IRP.CurrentLocation, m.read8(irp + IRP.CurrentLocation) + 1);
      m.write64(irp + IRP.TailOverlayCurrentStackLocation, sp + SL.sizeof);
    }
    return lab.run('IoCallDriver', below, irp);
  }).devices.forEach((dev) => { below = lab.run('IoAttachDeviceToDeviceStack', dev, lab.run('IoGetRelatedDeviceObject', file)); });
  return { seen, below: () => below };
}

/** Seal of a page: sum over its data, mixed with its index (as in lab 6). */
function seal(bytes: Uint8Array, index: number): number {
  let sum = 0;
  for (let i = 0; i < PAGE - 4; i++) sum = (Math.imul(sum, 31) + bytes[i]) >>> 0;
  return (sum ^ Math.imul(index, 0x9e3779b1)) >>> 0;
}

function sealedFile(lab: IoLab) {
  const file = lab.run('LabCreateFile', lab.str('\\sealed.dat'), 4 * PAGE);
  return file;
}

function writeSealed(lab: IoLab, view: number) {
  for (let p = 0; p < 4; p++) {
    const page = new Uint8Array(PAGE);
    for (let i = 0; i < PAGE - 4; i++) page[i] = 'AYZB'.charCodeAt(p) + (i % 7);
    new DataView(page.buffer).setUint32(PAGE - 4, seal(page, p), true);
    lab.write8(view + p * PAGE, page[0]);
    lab.k.memory.writeBytes(view + p * PAGE, page);
  }
}

describe('File-backed views, the page cache and the dummy page', () => {
  it('a mapped file is not resident until touched; its contents are derived from the offset (§3.4)', () => {
    const lab = ioBoot();
    const file = lab.run('LabCreateFile', lab.str('\\data.bin'), 3 * PAGE);
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    assert.equal(lab.run('MmIsAddressValid', view), 0);
    const a = lab.touch8(view + 5);
    const b = lab.touch8(view + 2 * PAGE + 5);
    assert.equal(lab.run('MmIsAddressValid', view), 1);
    const f = fileCacheOf(lab.k)!.file(file)!;
    assert.equal(a, fileCacheOf(lab.k)!.diskPage(f, 0)[5]);
    assert.equal(b, fileCacheOf(lab.k)!.diskPage(f, 2)[5]);
    assert.notEqual(a, b);
    assert.equal(lab.guestFaults, 0, 'no scenario driver on the stack: the read runs inside the fault');
  });

  it('a fault reads a cluster: one paging read brings in the neighbouring pages, which later come back with soft faults (§5.1)', () => {
    const lab = ioBoot();
    const file = lab.run('LabCreateFile', lab.str('\\big.bin'), 6 * PAGE);
    const { seen } = filtered(lab, file, () => undefined);
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    lab.touch8(view + 2 * PAGE);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].offset, 0);
    assert.equal(seen[0].length, 6 * PAGE, 'the whole 64 KB window of this small file');
    for (let p = 0; p < 6; p++) lab.touch8(view + p * PAGE);
    assert.equal(seen.length, 1, 'every other page was already in the cache');
    assert.equal(lab.guestFaults, 1);
  });

  it('the paging read a filter receives: IRP_PAGING_IO, MDL_PAGES_LOCKED | MDL_IO_PAGE_READ, and the dummy page in the slots of resident pages (§5.1)', () => {
    const lab = ioBoot();
    const file = sealedFile(lab);
    const { seen } = filtered(lab, file, () => undefined);
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    writeSealed(lab, view);
    lab.run('LabEvictFromCache', file);
    assert.equal(lab.touch8(view + PAGE), 'Y'.charCodeAt(0));
    assert.equal(lab.touch8(view + 2 * PAGE), 'Z'.charCodeAt(0));
    assert.equal(seen.length, 1, 'Y and Z stayed in the cache: soft faults');
    assert.equal(lab.touch8(view), 'A'.charCodeAt(0));
    assert.equal(seen.length, 2);
    const read = seen[1];
    const dummy = lab.k.dummyPfn;
    assert.equal(read.flags & IRP_PAGING_IO, IRP_PAGING_IO);
    assert.equal(read.mdlFlags, 0x42);
    assert.equal(read.origin, 'paging read');
    assert.ok(read.irpOfMdl);
    assert.deepEqual([read.pfns[1], read.pfns[2]], [dummy, dummy]);
    assert.deepEqual(read.slots, [true, null, null, true], 'the new frames are what the view\'s (transition) PTEs name; dummy slots name nothing');
    assert.deepEqual(read.irpFlags, ['IRP_NOCACHE', 'IRP_PAGING_IO', 'IRP_SYNCHRONOUS_PAGING_IO']);
    assert.ok(read.pfns[0] !== dummy && read.pfns[3] !== dummy && read.pfns[0] !== read.pfns[3]);
    assert.equal(lab.touch8(view + 3 * PAGE), 'B'.charCodeAt(0));
    assert.equal(lab.touch8(view + PAGE), 'Y'.charCodeAt(0), 'the data read into the dummy page never reaches anyone');
    const snap = lab.k.snapshot();
    assert.equal(snap.dummyPfn, dummy);
    assert.ok(snap.frames.find((f) => f.pfn === dummy)!.dummy);
    assert.ok(!snap.mdls.some((m) => m.origin === 'paging read'), 'the memory manager released its MDL after the read');
  });

  it('a checksum computed through the system mapping of the paging-read MDL fails on the dummy slots (§6.16)', () => {
    const lab = ioBoot();
    const file = sealedFile(lab);
    const bad: number[] = [];
    filtered(lab, file, () => ({
      after: (irp) => {
        const mdl = lab.p64(irp + IRP.MdlAddress);
        const va = lab.run('MmGetSystemAddressForMdlSafe', mdl, 16);
        const offset = lab.p64(irp + IRP.sizeof + SL.ReadByteOffset);
        const pages = lab.k.memory.read32(mdl + MDL.ByteCount) / PAGE;
        for (let p = 0; p < pages; p++) {
          const bytes = lab.k.memory.readBytes(va + p * PAGE, PAGE);
          const index = offset / PAGE + p;
          if (new DataView(bytes.buffer).getUint32(PAGE - 4, true) !== seal(bytes, index)) bad.push(index);
        }
      },
    }));
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    writeSealed(lab, view);
    lab.run('LabEvictFromCache', file);
    lab.touch8(view + PAGE);
    lab.touch8(view + 2 * PAGE);
    bad.length = 0;
    assert.equal(lab.touch8(view), 'A'.charCodeAt(0), 'the application still sees the right data');
    assert.deepEqual(bad, [1, 2]);
  });

  it('the article\'s fix works: a temporary MDL over nonpaged pool, verify there, copy into the system MDL (§5.1)', () => {
    const lab = ioBoot();
    const file = sealedFile(lab);
    const bad: number[] = [];
    const filter = filtered(lab, file, (irp) => {
      const system = lab.p64(irp + IRP.MdlAddress);
      const length = lab.k.memory.read32(system + MDL.ByteCount);
      const priv = lab.run('ExAllocatePoolWithTag', 0x200, length, 0x79446444);
      const temp = lab.run('IoAllocateMdl', priv, length, 0, 0, 0);
      lab.run('MmBuildMdlForNonPagedPool', temp);
      lab.k.memory.write64(irp + IRP.MdlAddress, temp);
      return {
        after: (i) => {
          const offset = lab.p64(i + IRP.sizeof + SL.ReadByteOffset);
          for (let p = 0; p < length / PAGE; p++) {
            const bytes = lab.k.memory.readBytes(priv + p * PAGE, PAGE);
            if (new DataView(bytes.buffer).getUint32(PAGE - 4, true) !== seal(bytes, offset / PAGE + p)) bad.push(offset / PAGE + p);
          }
          const target = lab.run('MmGetSystemAddressForMdlSafe', system, 16);
          lab.k.memory.writeBytes(target, lab.k.memory.readBytes(priv, length));
          lab.k.memory.write64(i + IRP.MdlAddress, system);
          lab.run('IoFreeMdl', temp);
          lab.run('ExFreePoolWithTag', priv, 0x79446444);
        },
      };
    });
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    writeSealed(lab, view);
    lab.run('LabEvictFromCache', file);
    lab.touch8(view + PAGE);
    lab.touch8(view + 2 * PAGE);
    bad.length = 0; // the first read, while the application was still writing, saw unsealed pages
    assert.equal(lab.touch8(view), 'A'.charCodeAt(0));
    assert.equal(lab.touch8(view + 3 * PAGE + 1), 'B'.charCodeAt(0) + 1);
    assert.deepEqual(bad, []);
    assert.equal(filter.seen.length, 2);
  });

  it('a paging read the file system fails makes the touch raise STATUS_IN_PAGE_ERROR, and the frames go back', () => {
    const lab = ioBoot();
    const file = lab.run('LabCreateFile', lab.str('\\bad.bin'), 2 * PAGE);
    let frames: number[] = [];
    const { devices: [dev] } = lab.driver((_d, irp) => {
      const mdl = lab.p64(irp + IRP.MdlAddress);
      frames = [lab.p64(mdl + MDL.PfnArray), lab.p64(mdl + MDL.PfnArray + 8)];
      return complete(lab, irp, STATUS.DEVICE_NOT_READY);
    });
    lab.run('IoAttachDeviceToDeviceStack', dev, lab.run('IoGetRelatedDeviceObject', file));
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    assert.throws(() => lab.touch8(view), (e: { status?: number }) => e.status === STATUS.IN_PAGE_ERROR);
    assert.equal(frames.length, 2);
    for (const pfn of frames) assert.equal(lab.k.pfnEntry(pfn).state, 'Free');
  });

  it('a checkpoint taken before a paging read restores the file cache with the frames: the read happens again after a step back', () => {
    const lab = ioBoot();
    const file = lab.run('LabCreateFile', lab.str('\\tt.bin'), 2 * PAGE);
    const { seen } = filtered(lab, file, () => undefined);
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    const cp = lab.k.checkpoint();
    const first = lab.touch8(view + PAGE + 9);
    assert.equal(seen.length, 1);
    lab.k.restore(cp);
    assert.equal(lab.run('MmIsAddressValid', view + PAGE), 0);
    assert.equal(lab.touch8(view + PAGE + 9), first);
    assert.equal(seen.length, 2, 'restored to before the read: the fault reads the cluster again');
  });

  it('what the application wrote through a view survives trimming, eviction, locking and the exit of the process (§3.3, §3.4)', () => {
    const lab = ioBoot();
    const file = lab.run('LabCreateFile', lab.str('\\kept.bin'), 8 * PAGE);
    const view = lab.run('LabMapViewOfFile', lab.proc, file);
    const a = lab.touch8(view + 0x3005);
    lab.write8(view + 0x2000, 0x99);
    lab.run('LabTrimWorkingSet', lab.proc);
    assert.equal(lab.touch8(view + 0x3005), a);
    assert.equal(lab.touch8(view + 0x2000), 0x99);
    lab.run('LabEvictFromCache', file);
    assert.equal(lab.touch8(view + 0x2000), 0x99, 'written to the file before the page left the cache');
    const m = lab.run('IoAllocateMdl', view, 8 * PAGE, 0, 0, 0);
    lab.run('MmProbeAndLockPages', m, 1, 1);
    lab.run('MmUnlockPages', m);
    lab.run('IoFreeMdl', m);
    lab.run('LabTerminateProcess', lab.proc);
    const other = lab.run('LabCreateProcess', lab.str('b.exe'));
    lab.run('LabEnterProcess', other);
    const v2 = lab.run('LabMapViewOfFile', other, file);
    assert.equal(lab.touch8(v2 + 0x2000), 0x99);
    lab.run('LabEvictFromCache', file);
    assert.equal(lab.touch8(v2 + 0x2000), 0x99);
  });
});
