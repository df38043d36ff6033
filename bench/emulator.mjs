// Emulator benchmark: allocate, probe-and-lock, map, unlock and free an MDL over a 1 GiB user
// buffer (262,144 pages, first touched by the probe), beside a minimal typed-array loop doing only
// the unavoidable work for the same pages (take a frame from a free list, write a PTE, bump a
// reference count, store the PFN in the MDL's array), measured in the same run. Also the MM
// snapshot with 10,000 live MDLs.
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
const { createKernel } = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

const PAGES = 262144;
// CPU time of this process (ms): steadier than wall time on a shared machine.
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const GIB = 2 ** 30;

function emulatorRun() {
  const k = createKernel({ physicalMemory: 4 * GIB });
  const call = (name, ...args) => k.routine(name).impl(args);
  const name = k.allocateImage(16);
  k.memory.writeBytes(name, new TextEncoder().encode('bench.exe\0'));
  const proc = call('LabCreateProcess', name);
  call('LabEnterProcess', proc);
  const buf = call('LabUserAlloc', proc, GIB, 4);
  const t0 = now();
  const mdl = call('IoAllocateMdl', buf, GIB, 0, 0, 0);
  call('MmProbeAndLockPages', mdl, 1, 1);
  const sva = call('MmGetSystemAddressForMdlSafe', mdl, 16);
  call('MmUnlockPages', mdl);
  call('IoFreeMdl', mdl);
  const t1 = now();
  if (!mdl || !sva) throw new Error('the emulator run failed');
  return t1 - t0;
}

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

function snapshotRun() {
  const k = createKernel({ physicalMemory: GIB });
  const call = (name, ...args) => k.routine(name).impl(args);
  const pool = call('ExAllocatePoolWithTag', 0, 0x1000, 0x74736542);
  for (let i = 0; i < 10000; i++) {
    const m = call('IoAllocateMdl', pool + (i % 64) * 64, 64, 0, 0, 0);
    call('MmBuildMdlForNonPagedPool', m);
  }
  // A debugger takes one at every stop: time a stop after the first (the first pays for the setup's garbage).
  k.snapshot();
  const t0 = now();
  const s = k.snapshot();
  const t1 = now();
  if (s.mdls.length !== 10000) throw new Error(`expected 10000 MDLs, got ${s.mdls.length}`);
  return t1 - t0;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emu = [];
const min = [];
const snap = [];
for (let i = 0; i < 10; i++) {
  const e = emulatorRun();
  const m = minimalRun();
  const s = snapshotRun();
  if (i >= 3) { emu.push(e); min.push(m); snap.push(s); } // the first runs warm up the JIT
}
const best = (xs) => Math.min(...xs);
const e = median(emu);
const m = median(min);
const s = median(snap);
console.log(`samples (ms): emulator ${emu.map((x) => x.toFixed(0)).join(' ')} / minimal ${min.map((x) => x.toFixed(1)).join(' ')}`);
console.log(`1 GiB probe-lock-map-unlock-free: ${e.toFixed(1)} ms CPU time (median of ${emu.length}; best ${best(emu).toFixed(1)}; goal < 50 ms)`);
console.log(`minimal typed-array loop:         ${m.toFixed(1)} ms (best ${best(min).toFixed(1)})`);
console.log(`ratio:                            ${(e / m).toFixed(1)}x median, ${(best(emu) / best(min)).toFixed(1)}x best (goal within 5x)`);
console.log(`snapshot with 10,000 MDLs:        ${s.toFixed(1)} ms (best ${best(snap).toFixed(1)}; goal < 10 ms)`);
