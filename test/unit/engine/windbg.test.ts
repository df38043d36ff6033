// WinDbg commands in the Debug Console, on the real interpreter and emulator at a stop in the
// probe-and-lock sample: the output a kernel developer expects to read.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DebugEngine } from '../../../src/engine/engine';
import { defaultEngineDeps } from '../../../src/engine/defaultDeps';
import { isStop } from '../../../src/engine/events';
import { MemoryFileHost } from '../../../src/engine/host';
import { isWindbgCommand, runWindbgCommand } from '../../../src/engine/windbg/commands';

const SAMPLE = 'samples/01-probe-and-lock/scenario.c';

async function atFirstLabBreak(): Promise<DebugEngine> {
  const text = readFileSync(resolve(__dirname, '../../..', SAMPLE), 'utf8');
  const e = new DebugEngine(defaultEngineDeps, new MemoryFileHost({ [SAMPLE]: text }));
  const r = await e.load(SAMPLE);
  assert.ok(r.ok);
  const s = await e.start();
  assert.ok(isStop(s) && s.kind === 'LabBreak');
  return e;
}

describe('WinDbg commands in the Debug Console', function () {
  this.timeout(30000);
  let e: DebugEngine;
  let mdlAddress: string;
  before(async () => {
    e = await atFirstLabBreak();
    mdlAddress = e.snapshot().mdls[0].address;
  });
  const run = (cmd: string) => runWindbgCommand(e, cmd);

  it('tells WinDbg commands from C expressions', () => {
    for (const c of ['!mdl mdl', 'dt _MDL mdl', 'db buf', 'dq 0x10', 'k', '.bugcheck', '!process 0 0']) assert.ok(isWindbgCommand(c), c);
    for (const c of ['mdl->MdlFlags', 'dt', 'kernelVar', 'Length * 2']) assert.equal(isWindbgCommand(c), c === 'dt', c);
  });

  it('!mdl takes an address in WinDbg form (backtick halves) or a C expression', () => {
    const hex = BigInt(mdlAddress).toString(16).padStart(16, '0');
    const a = run(`!mdl ${hex.slice(0, 8)}\`${hex.slice(8)}`);
    const b = run('!mdl mdl');
    assert.equal(a, b);
    assert.match(a, /MdlFlags\s+000a MDL_PAGES_LOCKED MDL_ALLOCATED_FIXED_SIZE/);
    assert.match(a, /Process\s+ffffe\w{3}`\w{8}\s+\(notepad\.exe\)/);
  });

  it('dt _MDL without an address prints the layout with wdm.h offsets', () => {
    const out = run('dt _MDL');
    assert.match(out, /^nt!_MDL$/m);
    assert.match(out, /\+0x00a MdlFlags/);
    assert.match(out, /\+0x02c ByteOffset/);
  });

  it('dt _MDL ADDR reads every field from memory, AllocationProcessorNumber and Reserved included', () => {
    const out = run('dt _MDL mdl');
    const reserved = run('dw (PUCHAR)mdl + 0xe L1').split(/\s+/)[1];
    assert.match(out, new RegExp(`\\+0x00e Reserved\\s+: 0x${parseInt(reserved, 16).toString(16)}$`, 'm'));
    assert.match(out, /\+0x018 MappedSystemVa\s+: 0x[0-9a-f]{8}`[0-9a-f]{8} Void/);
  });

  it('!pfn of a locked page shows its reference and lock counts and who maps it', () => {
    const pfn = e.snapshot().mdls[0].pfns[0];
    const out = run(`!pfn ${pfn.toString(16)}`);
    assert.match(out, /ReferenceCount 0002/);
    assert.match(out, /LockCount 1/);
    assert.match(out, /PageLocation\s+Active/);
    assert.match(out, /mapped by notepad\.exe at 000001e0`00000000 \(user\)/);
  });

  it('!vtop and !pte translate the user buffer to the frame the MDL names', () => {
    const pfn = e.snapshot().mdls[0].pfns[0];
    const vtop = run('!vtop UserBuffer');
    assert.match(vtop, new RegExp(`Phys 0*${pfn.toString(16)}200\\b`));
    assert.match(run('!pte UserBuffer'), new RegExp(`pfn ${pfn.toString(16)}\\b`));
  });

  it('dd and dq lay out memory as WinDbg does', () => {
    assert.match(run('dd UserBuffer L4'), /^[0-9a-f]{8}`[0-9a-f]{8}  abababab abababab abababab abababab$/);
    assert.match(run('dq UserBuffer L2'), /^[0-9a-f]{8}`[0-9a-f]{8}  abababab`abababab abababab`abababab$/);
    assert.match(run('dw (PUCHAR)mdl + 8 L1'), /^[0-9a-f]{8}`[0-9a-f]{8}  0050$/);
  });

  it('!process lists the scenario process as current, k the C stack, .bugcheck says none happened', () => {
    assert.match(run('!process'), /Image: notepad\.exe/);
    assert.match(run('!process 0 0'), /\(current\)/);
    assert.match(run('k'), /00 scenario!ProcessBuffer \[samples\/01-probe-and-lock\/scenario\.c @ 29\]/);
    assert.equal(run('.bugcheck'), 'No bug check has occurred.');
    assert.match(run('!verifier'), /Reports so far: 0/);
  });

  it('bad arguments get a sentence, not an exception from deep inside', () => {
    assert.throws(() => run('!mdl'), /expected an MDL address/);
    assert.throws(() => run('db nosuchvariable'), /neither an address nor a C expression/);
    assert.throws(() => run('db UserBuffer L0'), /length after L/);
    assert.throws(() => run('!frobnicate'), /unknown command !frobnicate/);
    assert.match(run('!mdl 0x10'), /memory not valid/);
  });
});

describe('!irp on associated IRPs (lab 11)', function () {
  this.timeout(30000);
  it('names an associated IRP\'s master, and the master\'s count of associated IRPs still out (§4.3 step 3)', async () => {
    const file = 'labs/11-associated-irps/scenario.c';
    const text = readFileSync(resolve(__dirname, '../../..', file), 'utf8');
    const e = new DebugEngine(defaultEngineDeps, new MemoryFileHost({ [file]: text }));
    assert.ok((await e.load(file)).ok);
    const line = text.split('\n').findIndex((l) => l.includes('IoCallDriver(g_Disk, piece);')) + 1;
    e.breakpoints.setLineBreakpoints(file, [{ line }], e.loadedProgram);
    const s = await e.start();
    assert.ok(isStop(s) && s.kind === 'breakpoint', 'stopped before sending the first piece');
    const irps = e.snapshot().irps;
    const piece = irps.find((i) => i.master !== undefined)!;
    const master = irps.find((i) => i.address === piece.master)!;
    assert.match(runWindbgCommand(e, `!irp ${piece.address}`), /Associated Irp: its master is /);
    assert.match(runWindbgCommand(e, `!irp ${master.address}`), /AssociatedIrp\.IrpCount = 2 associated IRPs still to complete/);
  });
});
