// File-backed sections with a page cache and read clustering (reference 3.4, 5.1): LabCreateFile,
// LabMapViewOfFile (pages not resident until touched), LabEvictFromCache, the emulated file
// system at the bottom of the file's device stack, and the hard fault on a mapped file page that
// builds a paging-read cluster MDL (MDL_IO_PAGE_READ on an IRP_PAGING_IO read) in which the slots
// of pages already resident name the system-wide dummy page.
import { GuestCallFault, SehException, type GuestCallRequest, type NativeResult } from '../contract';
import type { Kernel } from '../kernel';
import type { PageTables } from '../pageTables';
import { vpnOf, vaOfVpn, makeValidPte, makeTransitionPte, pteFrame, PTE_VALID, PTE_DIRTY, PTE_TRANSITION, PTE_PAGEFILE } from '../pageTables';
import { IRP, IO_STACK_LOCATION as SL, MDL as M, DEVICE_OBJECT as DEV, DRIVER_OBJECT as DRV } from '../layouts';
import { PAGE_SIZE, STATUS, KernelMode, MDL_PAGES_LOCKED, MDL_IO_PAGE_READ, MDL_MAPPED_TO_SYSTEM_VA, ntStatusName } from '../constants';
import { PFN_MODIFIED, PFN_DELETED, PageLocation } from '../pfnDatabase';
import { tagValue } from '../pool';
import { hex64 } from '../u64';
import { asLong, isGuestCall, then } from './cps';
import {
  type IoManager, IO_TYPE_FILE, IRP_PAGING_IO, IRP_NOCACHE, IRP_SYNCHRONOUS_PAGING_IO, IRP_MJ_READ, IRP_MJ_CREATE, IRP_MJ_CLOSE,
  DO_DIRECT_IO, DO_DEVICE_INITIALIZING,
} from './ioManager';
import { allocateIrp, callDriver, completeRequest } from './irp';
import { createDriverObject, createDevice, relatedDeviceObject, FILE_OBJECT } from './devices';

/** A not-present PTE of a mapped file page: bit 1 marks it (the "prototype" PTE), view index above. */
const FILE_PTE_MARK = 0x2;
const MM_READWRITE = 4;
/** Read clusters never cross a 64 KB boundary of the file. */
export const CLUSTER_PAGES = 16;
const FILE_TAG = tagValue('File');
const FILE_DEVICE_DISK_FILE_SYSTEM = 0x08;

interface View {
  eprocess: number;
  spaceId: number;
  base: number;
}

interface FileRecord {
  fileObject: number;
  name: string;
  size: number;
  pages: number;
  seed: number;
  /** What the disk holds, page by page, once written (otherwise the deterministic pattern). */
  disk: Map<number, Uint8Array>;
  /** Resident pages of the file: the cache's frames (each holding one reference for the cache). */
  cache: Map<number, number>;
  views: View[];
}

function filePte(viewIndex: number): number {
  return (viewIndex + 1) * PAGE_SIZE + (MM_READWRITE << 5) + FILE_PTE_MARK;
}

export function isFilePte(pte: number): boolean {
  return pte !== 0 && (pte % 4096 & (PTE_VALID | FILE_PTE_MARK | PTE_TRANSITION | PTE_PAGEFILE)) === FILE_PTE_MARK;
}

interface FileCacheState {
  files: Map<number, FileRecord>;
  /** Every view of every file, indexed by the number its not-present PTEs carry. */
  views: { file: FileRecord; view: View }[];
  fsDevice: number;
}

export class FileCache {
  private st: FileCacheState = { files: new Map(), views: [], fsDevice: 0 };
  private readonly k: Kernel;
  private fsDispatch = 0;

  constructor(private readonly io: IoManager, private readonly invalidRequest: number) {
    this.k = io.k;
    this.k.mm.prototypeFault = (space, vpn, pte, va, write) => this.fault(space, vpn, pte, va, write);
    this.k.checkpointParts.set('io.fileCache', { save: () => structuredClone(this.st), restore: (s) => { this.st = structuredClone(s as FileCacheState); } });
  }

  private get files(): Map<number, FileRecord> {
    return this.st.files;
  }

  private get views(): { file: FileRecord; view: View }[] {
    return this.st.views;
  }

  /** The emulated file system's volume device (created with the first file). */
  fileSystemDevice(): number {
    if (this.st.fsDevice) return this.st.fsDevice;
    const io = this.io;
    // The routine's address stays the same across checkpoints (restoring may go back before the device).
    if (!this.fsDispatch) this.fsDispatch = io.builtin('LabFs!FsdDispatch', (dev, irp) => this.dispatch(dev, irp));
    const dispatch = this.fsDispatch;
    const { driver } = createDriverObject(io, '\\FileSystem\\LabFs', this.invalidRequest);
    const m = this.k.memory;
    for (const mj of [IRP_MJ_CREATE, IRP_MJ_CLOSE, IRP_MJ_READ]) m.write64(driver + DRV.MajorFunction + 8 * mj, dispatch);
    const slot = this.k.pool.allocate('NonPaged', 8, FILE_TAG, false);
    createDevice(io, driver, 0, FILE_DEVICE_DISK_FILE_SYSTEM, 0, false, slot);
    const dev = io.p64(slot);
    this.k.pool.free(slot, null);
    m.write32(dev + DEV.Flags, (m.read32(dev + DEV.Flags) | DO_DIRECT_IO) & ~DO_DEVICE_INITIALIZING);
    this.st.fsDevice = dev;
    return dev;
  }

  file(fileObject: number): FileRecord | undefined {
    return this.files.get(fileObject);
  }

  createFile(name: string, size: number): number {
    const k = this.k;
    if (!(size > 0) || size > 2 ** 32) return 0;
    const fs = this.fileSystemDevice();
    const fo = k.pool.allocate('NonPaged', FILE_OBJECT.sizeof + 2 * (name.length + 1), FILE_TAG, false);
    if (!fo) return 0;
    const m = k.memory;
    m.fill(fo, FILE_OBJECT.sizeof, 0);
    m.write16(fo + FILE_OBJECT.Type, IO_TYPE_FILE);
    m.write16(fo + FILE_OBJECT.Size, FILE_OBJECT.sizeof);
    m.write64(fo + FILE_OBJECT.DeviceObject, fs);
    const buf = fo + FILE_OBJECT.sizeof;
    for (let i = 0; i < name.length; i++) m.write16(buf + 2 * i, name.charCodeAt(i));
    m.write16(fo + FILE_OBJECT.FileName, 2 * name.length);
    m.write16(fo + FILE_OBJECT.FileName + 2, 2 * name.length + 2);
    m.write64(fo + FILE_OBJECT.FileName + 8, buf);
    let seed = 0;
    for (let i = 0; i < name.length; i++) seed = (seed * 31 + name.charCodeAt(i)) & 0xff;
    const pages = Math.ceil(size / PAGE_SIZE);
    this.files.set(fo, { fileObject: fo, name, size, pages, seed, disk: new Map(), cache: new Map(), views: [] });
    k.event('page-in', `LabCreateFile("${name}", 0x${size.toString(16)}): FILE_OBJECT ${hex64(fo)} on the file system volume ${hex64(fs)}`);
    return fo;
  }

  /** The bytes the disk holds for one page of the file. */
  diskPage(f: FileRecord, page: number): Uint8Array {
    const written = f.disk.get(page);
    if (written) return written;
    const out = new Uint8Array(PAGE_SIZE);
    const base = page * PAGE_SIZE;
    for (let i = 0; i < PAGE_SIZE; i++) {
      const o = base + i;
      out[i] = o < f.size ? (o * 7 + page * 13 + f.seed) & 0xff : 0;
    }
    return out;
  }

  mapView(eprocess: number, fileObject: number): number {
    const k = this.k;
    const p = k.procs.require(eprocess, 'LabMapViewOfFile');
    const f = this.files.get(fileObject);
    if (!f || !p.alive) return 0;
    const base = p.nextVa;
    p.nextVa += (f.pages + 16) * PAGE_SIZE;
    const view: View = { eprocess, spaceId: p.spaceId, base };
    f.views.push(view);
    const index = this.views.length;
    this.views.push({ file: f, view });
    const space = k.mm.spaces.get(p.spaceId)!;
    for (let i = 0; i < f.pages; i++) k.mm.setPte(space, vpnOf(base) + i, filePte(index));
    k.event('page-in', `LabMapViewOfFile: "${f.name}" mapped at ${hex64(base)} in ${p.name} (${f.pages} pages, none resident until touched)`);
    return base;
  }

  /** Make a cached frame valid at vpn in a view. */
  private mapCached(space: PageTables, vpn: number, pfn: number): void {
    const d = this.k.mm.pfn;
    d.flags[pfn] &= ~PFN_DELETED;
    d.shareCount[pfn]++;
    d.referenceCount[pfn]++;
    if (d.ownerSpace[pfn] < 0) {
      d.ownerSpace[pfn] = space.spaceId;
      d.ownerVa[pfn] = vaOfVpn(vpn);
    }
    this.k.mm.setPte(space, vpn, makeValidPte(pfn, true, true));
    space.workingSetPages++;
  }

  /** The memory manager's fault on a not-present file PTE: soft from the cache, or a clustered paging read. */
  fault(space: PageTables, vpn: number, pte: number, va: number, write: boolean): number {
    const k = this.k;
    const entry = this.views[pteFrame(pte) - 1];
    if (!entry) k.mm.accessViolation(va, write, 'a file view that no longer exists');
    const { file: f, view } = entry;
    const page = vpn - vpnOf(view.base);
    if (page < 0 || page >= f.pages) k.mm.accessViolation(va, write, 'beyond the end of the file view');
    const cached = f.cache.get(page);
    if (cached !== undefined) {
      this.mapCached(space, vpn, cached);
      k.event('page-in', `soft fault: page ${page} of "${f.name}" is in the file cache (frame 0x${cached.toString(16)}): no I/O`);
      return cached;
    }
    if (k.irql >= 2) k.mm.irqlFault(va, write);
    const mark = k.memory.journalMark();
    const result = this.pagingRead(f, page, space.spaceId, view.eprocess);
    const fo = f.fileObject;
    const finish = (): number => {
      // Looked up again: a checkpoint restored in the middle of the read replaces the records.
      const pfn = this.files.get(fo)?.cache.get(page);
      if (pfn === undefined) throw new SehException(STATUS.IN_PAGE_ERROR, `the paging read of page ${page} of "${f.name}" failed`, va, write);
      this.mapCached(k.mm.spaces.get(space.spaceId)!, vpn, pfn);
      return pfn;
    };
    if (!isGuestCall(result)) return finish();
    // A scenario driver is on the file's stack: its dispatch and completion routines must run first.
    // The faulting instruction runs again afterwards, with its own writes undone; the paging IRP and
    // cluster MDL just written are the kernel's and stay.
    k.memory.forgetJournalFrom(mark);
    throw new GuestCallFault(then(result, () => { finish(); return 0; }) as GuestCallRequest, va, write,
      `page fault at ${hex64(va)} on "${f.name}": the paging read must run through the scenario's driver on the file system stack`);
  }

  /** Build the cluster, its MDL and the paging IRP, and send it to the top of the file's stack. */
  pagingRead(f: FileRecord, page: number, spaceId: number, eprocess: number): NativeResult {
    const k = this.k;
    const io = this.io;
    const m = k.memory;
    // The cluster: the 64 KB window around the page, without resident pages at either end.
    const window = Math.floor(page / CLUSTER_PAGES) * CLUSTER_PAGES;
    let first = window;
    let last = Math.min(window + CLUSTER_PAGES, f.pages) - 1;
    while (first < page && f.cache.has(first)) first++;
    while (last > page && f.cache.has(last)) last--;
    const count = last - first + 1;
    const pfns: number[] = [];
    for (let i = 0; i < count; i++) {
      if (f.cache.has(first + i)) {
        pfns.push(k.dummyPfn);
        continue;
      }
      const pfn = k.mm.allocateFrame(false);
      if (pfn < 0) {
        for (const p of pfns) if (p !== k.dummyPfn) k.mm.pfn.setLocation(p, PageLocation.Free);
        throw new SehException(STATUS.NO_MEMORY, `no frame for the paging read of "${f.name}"`);
      }
      // Held for the read (like a lock) until the I/O is done.
      k.mm.pfn.referenceCount[pfn] = 1;
      k.mm.pfn.lockCount[pfn] = 1;
      pfns.push(pfn);
    }
    const view = f.views.find((v) => v.spaceId === spaceId);
    const startVa = view ? view.base + first * PAGE_SIZE : 0;
    const viewIndex = this.views.findIndex((e) => e.view === view);
    const space = k.mm.spaces.get(spaceId);
    if (view && space) {
      // While the read is in progress the view's PTEs are transition PTEs naming the new frames.
      pfns.forEach((pfn, i) => {
        if (pfn === k.dummyPfn) return;
        const vpn = vpnOf(view.base) + first + i;
        if (!isFilePte(space.getPte(vpn))) return;
        k.mm.setPte(space, vpn, makeTransitionPte(pfn, MM_READWRITE));
        k.mm.pfn.ownerSpace[pfn] = spaceId;
        k.mm.pfn.ownerVa[pfn] = vaOfVpn(vpn);
      });
    }
    const mdl = k.pool.allocate('NonPaged', M.sizeof + 8 * count, tagValue('MmIn'), false);
    const iosb = k.pool.allocate('NonPaged', 16, tagValue('MmIn'), false);
    const top = relatedDeviceObject(io, f.fileObject);
    const irp = mdl && iosb ? allocateIrp(io, io.char(top + DEV.StackSize)) : 0;
    if (!irp) throw new SehException(STATUS.INSUFFICIENT_RESOURCES, 'no memory for the paging read');
    k.mdl.initialize(mdl, startVa, count * PAGE_SIZE);
    k.mdl.setFlags(mdl, MDL_PAGES_LOCKED | MDL_IO_PAGE_READ);
    m.write64(mdl + M.Process, eprocess);
    m.write64(mdl + M.MappedSystemVa, 0);
    pfns.forEach((pfn, i) => k.mdl.setPfn(mdl, i, pfn));
    const rec = k.mdl.track(mdl, 'paging read');
    rec.irp = irp;
    m.write32(iosb, STATUS.PENDING);
    m.write64(irp + IRP.MdlAddress, mdl);
    m.write32(irp + IRP.Flags, IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO);
    m.write8(irp + IRP.RequestorMode, KernelMode);
    m.write64(irp + IRP.UserBuffer, startVa);
    m.write64(irp + IRP.UserIosb, iosb);
    m.write64(irp + IRP.TailOverlayOriginalFileObject, f.fileObject);
    const sp = io.p64(irp + IRP.TailOverlayCurrentStackLocation) - SL.sizeof;
    m.write8(sp + SL.MajorFunction, IRP_MJ_READ);
    m.write32(sp + SL.ReadLength, count * PAGE_SIZE);
    m.write64(sp + SL.ReadByteOffset, first * PAGE_SIZE);
    m.write64(sp + SL.FileObject, f.fileObject);
    const dummies = pfns.filter((p) => p === k.dummyPfn).length;
    io.irpEvent(`hard fault on page ${page} of "${f.name}": paging read of pages ${first}..${last} (MDL ${hex64(mdl)}, ${dummies} slot${dummies === 1 ? '' : 's'} naming the dummy page 0x${k.dummyPfn.toString(16)})`, mdl);
    const fo = f.fileObject;
    const viewBase = view ? view.base : 0;
    return then(callDriver(io, top, irp), () => {
      this.finishRead(this.files.get(fo)!, first, mdl, iosb, pfns);
      // The cluster's pages now wait in the cache; only the faulting page becomes valid (in fault()).
      const sp2 = k.mm.spaces.get(spaceId);
      if (viewBase && sp2) {
        pfns.forEach((pfn, i) => {
          const vpn = vpnOf(viewBase) + first + i;
          const pte = sp2.getPte(vpn);
          if (pfn !== k.dummyPfn && pte % 2 === 0 && (pte % 4096) & PTE_TRANSITION && pteFrame(pte) === pfn) k.mm.setPte(sp2, vpn, filePte(viewIndex));
        });
      }
      return 0;
    });
  }

  /** The memory manager's side of the completed read: new frames join the cache, the MDL goes. */
  private finishRead(f: FileRecord, first: number, mdl: number, iosb: number, pfns: number[]): void {
    const k = this.k;
    const d = k.mm.pfn;
    const status = k.memory.read32(iosb);
    const flags = k.mdl.read(mdl).flags;
    if (flags & MDL_MAPPED_TO_SYSTEM_VA) {
      const dummySlots = pfns.map((p, i) => (p === k.dummyPfn ? i : -1)).filter((i) => i >= 0);
      if (dummySlots.length) {
        // Reference 6.16: what was read back through this mapping at those slots was the dummy page.
        this.io.irpEvent(`a driver mapped the paging-read MDL ${hex64(mdl)}: slot${dummySlots.length === 1 ? '' : 's'} ${dummySlots.join(', ')} name the dummy page, so anything read back there was not the file's data (reference 6.16)`, mdl);
      }
      k.mdl.unmap(k.mdl.read(mdl).mappedSystemVa, mdl);
    }
    const ok = status !== STATUS.PENDING && (status >>> 0) < 0x80000000;
    pfns.forEach((pfn, i) => {
      if (pfn === k.dummyPfn) return;
      d.lockCount[pfn] = 0;
      if (ok) f.cache.set(first + i, pfn);
      else {
        d.referenceCount[pfn] = 0;
        d.setLocation(pfn, PageLocation.Free);
      }
    });
    // Other paging reads elsewhere in the system use the dummy page too: its contents move on.
    k.mm.phys.writable(k.dummyPfn).fill(0xd0 + (k.core.eventSeq % 16));
    k.mdl.st.mdls.delete(mdl);
    k.pool.free(mdl, null);
    k.pool.free(iosb, null);
    this.io.irpEvent(`paging read of "${f.name}" done: ${ntStatusName(status)}${ok ? `, ${pfns.filter((p) => p !== k.dummyPfn).length} pages now in the file cache` : ''}`);
  }

  /** The file system's dispatch: IRP_MJ_READ reads the disk into the MDL's frames, like a DMA device. */
  private dispatch(_device: number, irp: number): NativeResult {
    const k = this.k;
    const io = this.io;
    const m = k.memory;
    const sp = io.p64(irp + IRP.TailOverlayCurrentStackLocation);
    const mj = m.read8(sp + SL.MajorFunction);
    let status: number = STATUS.SUCCESS;
    let information = 0;
    if (mj === IRP_MJ_READ) {
      const f = this.files.get(io.p64(sp + SL.FileObject));
      const mdl = io.p64(irp + IRP.MdlAddress);
      if (!f || !mdl) status = STATUS.INVALID_DEVICE_REQUEST;
      else {
        const length = m.read32(sp + SL.ReadLength);
        const offset = io.p64(sp + SL.ReadByteOffset);
        this.readIntoMdl(f, mdl, offset, length);
        information = length;
      }
    }
    m.write32(irp + IRP.IoStatus, status);
    m.write64(irp + IRP.IoStatus + 8, information);
    return then(completeRequest(io, irp), () => asLong(status));
  }

  private readIntoMdl(f: FileRecord, mdl: number, offset: number, length: number): void {
    const k = this.k;
    const fields = k.mdl.read(mdl);
    let pos = 0;
    while (pos < length) {
      const abs = fields.byteOffset + pos;
      const slot = Math.floor(abs / PAGE_SIZE);
      const at = abs % PAGE_SIZE;
      const fileAt = offset + pos;
      const n = Math.min(PAGE_SIZE - at, PAGE_SIZE - (fileAt % PAGE_SIZE), length - pos);
      const pfn = k.mdl.pfnAt(mdl, slot);
      if (k.mm.pfn.isRam(pfn)) {
        const src = this.diskPage(f, Math.floor(fileAt / PAGE_SIZE));
        k.mm.phys.writable(pfn).set(src.subarray(fileAt % PAGE_SIZE, fileAt % PAGE_SIZE + n), at);
        if (pfn === k.dummyPfn) {
          // Reference 5.1: other paging reads share the dummy page; its contents never stay put.
          const noise = 0xd0 + (k.core.eventSeq % 16);
          k.mm.phys.writable(pfn).fill(noise);
          k.event('dma', `the file system's read of offset 0x${fileAt.toString(16)} landed on the dummy page, which another device overwrote at once`, mdl);
        }
      }
      pos += n;
    }
  }

  /** Write modified pages back, take every page out of the views, drop the edge pages of each 4-page group. */
  evict(fileObject: number): void {
    const k = this.k;
    const f = this.files.get(fileObject);
    if (!f) return;
    const d = k.mm.pfn;
    this.views.forEach(({ file, view }, index) => {
      if (file !== f) return;
      const p = k.procs.byEprocess(view.eprocess);
      const space = k.mm.spaces.get(view.spaceId);
      if (!p || !p.alive || !space) return;
      for (let i = 0; i < f.pages; i++) {
        const vpn = vpnOf(view.base) + i;
        const pte = space.getPte(vpn);
        if (pte % 2 === 1 || ((pte % 4096) & PTE_TRANSITION && f.cache.get(i) === pteFrame(pte))) {
          const pfn = pteFrame(pte);
          if ((pte % 4096) & PTE_DIRTY) d.flags[pfn] |= PFN_MODIFIED;
          if (pte % 2 === 1) {
            space.workingSetPages--;
            d.shareCount[pfn] = Math.max(0, d.shareCount[pfn] - 1);
            d.referenceCount[pfn]--;
          }
        }
        if (!isFilePte(pte)) k.mm.setPte(space, vpn, filePte(index));
      }
    });
    let written = 0;
    let dropped = 0;
    for (const [page, pfn] of [...f.cache]) {
      if (d.flags[pfn] & PFN_MODIFIED) {
        f.disk.set(page, k.mm.phys.view(pfn).slice());
        d.flags[pfn] &= ~PFN_MODIFIED;
        written++;
      }
      const edge = page % 4 === 0 || page % 4 === 3;
      if (!edge) continue;
      f.cache.delete(page);
      dropped++;
      d.referenceCount[pfn]--;
      if (d.referenceCount[pfn] <= 0) {
        d.referenceCount[pfn] = 0;
        d.shareCount[pfn] = 0;
        d.ownerSpace[pfn] = -1;
        d.setLocation(pfn, PageLocation.Free);
        k.mm.phys.zero(pfn);
      }
    }
    k.event('page-out', `LabEvictFromCache("${f.name}"): ${written} modified page${written === 1 ? '' : 's'} written to the file, every page out of the views, ${dropped} page${dropped === 1 ? '' : 's'} dropped from the cache (${f.cache.size} kept)`);
  }
}
