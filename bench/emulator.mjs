// Emulator benchmark: allocate, probe-and-lock, map, unlock and free an MDL over a 1 GiB user
// buffer (262,144 pages, first touched by the probe), beside a minimal typed-array loop doing only
// the unavoidable work for the same pages (take a frame from a free list, write a PTE, bump a
// reference count, store the PFN in the MDL's array), measured in the same run. Also the MM
// snapshot with 10,000 live MDLs (at a stop after a step, and cold) beside a reference, and one with a 1 GiB MDL.
// Run: node bench/emulator.mjs   (goals: under 50 ms and within 5x of the minimal loop; snapshot under 10 ms)
import * as esbuild from 'esbuild';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = (await esbuild.build({
  entryPoints: ['src/emulator/index.ts'], bundle: true, format: 'esm', platform: 'node', target: 'es2022', write: false,
})).outputFiles[0].text;
const dir = mkdtempSync(join(tmpdir(), 'mdl-bench-'));
const file = join(dir, 'emulator.mjs');
writeFileSync(file, out);
const { createKernel, clearSnapshotCache } = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

const PAGES = 262144;
// CPU time of this process (ms): steadier than wall time on a shared machine.
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const GIB = 2 ** 30;

/** A 4 GiB machine with a process in context and a 1 GiB buffer committed but never touched. */
function benchKernel() {
  const k = createKernel({ physicalMemory: 4 * GIB });
  const call = (name, ...args) => k.routine(name).impl(args);
  const name = k.allocateImage(16);
  k.memory.writeBytes(name, new TextEncoder().encode('bench.exe\0'));
  const proc = call('LabCreateProcess', name);
  call('LabEnterProcess', proc);
  const buf = call('LabUserAlloc', proc, GIB, 4);
  return { k, call, buf };
}

function emulatorRun() {
  const { call, buf } = benchKernel();
  const t0 = now();
  const mdl = call('IoAllocateMdl', buf, GIB, 0, 0, 0);
  const ta = now();
  call('MmProbeAndLockPages', mdl, 1, 1);
  const tb = now();
  const sva = call('MmGetSystemAddressForMdlSafe', mdl, 16);
  const tc = now();
  call('MmUnlockPages', mdl);
  const td = now();
  call('IoFreeMdl', mdl);
  const t1 = now();
  if (!mdl || !sva) throw new Error('the emulator run failed');
  phases.push([tb - ta, tc - tb, td - tc, ta - t0 + t1 - td]);
  return t1 - t0;
}
/** Per emulator run: lock, map, unlock, allocate + free (ms). */
const phases = [];

function minimalRun() {
  const free = new Int32Array(PAGES + 16);
  for (let i = 0; i < free.length; i++) free[i] = free.length - 1 - i;
  let top = free.length - 1;
  const pte = new Float64Array(PAGES);
  const ref = new Int32Array(free.length);
  const mdlPfns = new Float64Array(PAGES);
  const t0 = now();
  for (let i = 0; i < PAGES; i++) {
    const pfn = free[top--];
    pte[i] = pfn * 4096 + 0x67;
    ref[pfn]++;
    mdlPfns[i] = pfn;
  }
  const t1 = now();
  if (mdlPfns[PAGES - 1] < 0) throw new Error('unreachable');
  return t1 - t0;
}

function tenThousandMdls() {
  const k = createKernel({ physicalMemory: GIB });
  const call = (name, ...args) => k.routine(name).impl(args);
  const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x74736542);
  const mdls = [];
  for (let i = 0; i < 10000; i++) {
    const m = call('IoAllocateMdl', pool + (i % 64) * 64, 64, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
    mdls.push(m);
  }
  return { k, call, mdls };
}

// A debugger stop: the previous stop's snapshot exists, a few statements ran (one MDL changed, one
// came and went), and a new snapshot is taken. The cold figure is a build with nothing kept from
// an earlier stop (the first stop of a session, or after time travel).
function snapshotRun(cold) {
  const { k, call, mdls } = tenThousandMdls();
  k.snapshot();
  const extra = call('IoAllocateMdl', 0x10000, 0x1000, 0, 0, 0);
  call('IoFreeMdl', extra);
  k.memory.write64(mdls[5000], mdls[5001]); // MDL 5000's Next now links MDL 5001
  if (cold) clearSnapshotCache(k);
  const t0 = now();
  const s = k.snapshot();
  const t1 = now();
  if (s.mdls.length !== 10000) throw new Error(`expected 10000 MDLs, got ${s.mdls.length}`);
  return t1 - t0;
}

// Reference: the least a snapshot of 10,000 one-page MDLs must do — read each MDL's fields from
// typed arrays and produce one fresh plain object per MDL with its strings and its PFN array.
function snapshotReference() {
  const n = 10000;
  const words = new Float64Array(n * 8);
  for (let i = 0; i < words.length; i++) words[i] = i * 4096 + 0x1000;
  const t0 = now();
  const out = [];
  for (let i = 0; i < n; i++) {
    const w = 8 * i;
    out.push({
      address: '0x' + words[w].toString(16), next: '0x' + words[w + 1].toString(16), size: 56, flags: words[w + 2] & 0xffff,
      process: '0x0', mappedSystemVa: '0x' + words[w + 3].toString(16), startVa: '0x' + words[w + 4].toString(16),
      byteCount: 64, byteOffset: i % 4096, pageCount: 1, pfns: [words[w + 5]], slotMatchesPageTables: [true],
    });
  }
  const t1 = now();
  if (out.length !== n) throw new Error('unreachable');
  return t1 - t0;
}

// One locked 1 GiB MDL (262,144 PFNs and as many frames in the snapshot).
function bigMdlSnapshotRun() {
  const { k, call, buf } = benchKernel();
  const mdl = call('IoAllocateMdl', buf, GIB, 0, 0, 0);
  call('MmProbeAndLockPages', mdl, 1, 1);
  const t0 = now();
  const s = k.snapshot();
  const t1 = now();
  k.memory.write32(buf, 1); // a step at the next stop
  const t2 = now();
  k.snapshot();
  const t3 = now();
  const json = JSON.stringify(s).length;
  if (s.mdls[0].pfns.length !== PAGES) throw new Error('the 1 GiB MDL is missing');
  call('MmUnlockPages', mdl);
  return { ms: t1 - t0, stop: t3 - t2, mb: json / 1e6 };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emu = [];
const min = [];
const snap = [];
const cold = [];
const ref = [];
// The first runs warm up the JIT (and the host's allocator: each run is a new 4 GiB kernel). The
// lock path runs before the snapshots: CPU time is the whole process's, so the garbage of the
// 10,000-MDL kernels would otherwise be swept during it.
const WARM = 5;
for (let i = 0; i < WARM + 10; i++) {
  const e = emulatorRun();
  const m = minimalRun();
  if (i >= WARM) { emu.push(e); min.push(m); }
}
const phase = (j) => median(phases.slice(WARM).map((p) => p[j])).toFixed(1);
for (let i = 0; i < 10; i++) {
  const s = snapshotRun(false);
  const c = snapshotRun(true);
  const r = snapshotReference();
  if (i >= 3) { snap.push(s); cold.push(c); ref.push(r); }
}
const big = [bigMdlSnapshotRun(), bigMdlSnapshotRun(), bigMdlSnapshotRun()];
const best = (xs) => Math.min(...xs);
const e = median(emu);
const m = median(min);
const s = median(snap);
const c = median(cold);
const r = median(ref);
console.log(`samples (ms): emulator ${emu.map((x) => x.toFixed(0)).join(' ')} / minimal ${min.map((x) => x.toFixed(1)).join(' ')}`);
console.log(`1 GiB probe-lock-map-unlock-free: ${e.toFixed(1)} ms CPU time (median of ${emu.length}; best ${best(emu).toFixed(1)}; goal < 50 ms)`);
console.log(`  phases (medians): lock ${phase(0)}, map ${phase(1)}, unlock ${phase(2)}, allocate + free ${phase(3)} ms`);
console.log(`minimal typed-array loop:         ${m.toFixed(1)} ms (best ${best(min).toFixed(1)})`);
console.log(`ratio:                            ${(e / m).toFixed(1)}x median, ${(best(emu) / best(min)).toFixed(1)}x best (goal within 5x)`);
console.log(`snapshot with 10,000 MDLs:        ${s.toFixed(1)} ms at a stop after a step (best ${best(snap).toFixed(1)}; goal < 10 ms), ${c.toFixed(1)} ms cold (best ${best(cold).toFixed(1)})`);
console.log(`  reference (10,000 fresh views): ${r.toFixed(1)} ms (best ${best(ref).toFixed(1)}): stop ${(s / r).toFixed(1)}x, cold ${(c / r).toFixed(1)}x`);
console.log(`snapshot with one 1 GiB MDL:      ${median(big.map((b) => b.ms)).toFixed(0)} ms cold, ${median(big.map((b) => b.stop)).toFixed(0)} ms at the next stop, ${big[0].mb.toFixed(0)} MB of JSON`);
