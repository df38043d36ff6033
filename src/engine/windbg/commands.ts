// The WinDbg commands a kernel developer types in the Debug Console (and the CLI's demo prints):
// !mdl, !pfn, !pte, !vtop, dt, db/dw/dd/dq, !irp, !process, k, !verifier, .bugcheck.
import type { DebugEngine } from '../engine';
import { MDL, IRP } from '../../emulator/layouts';
import { toU64, windbgHex } from '../../emulator/u64';
import type { U64 } from '../../emulator/contract';
import { bugCheckCodeHex } from '../describe';
import { describeMdlFlags, mdlFlagNames } from '../mdlFlags';
import { addr, dtLine, hexN, parseNumber } from './format';
import { bangMdl, bangPfn, dtMdl, findMdl } from './mdl';
import { dumpMemory } from './memoryDump';
import type { DumpUnit } from './memoryDump';

export const WINDBG_COMMANDS = ['!mdl', '!pfn', '!pte', '!vtop', 'dt', 'db', 'dw', 'dd', 'dq', '!irp', '!process', 'k', '!verifier', '.bugcheck', 'help'];

/** True when the Debug Console input is a WinDbg command rather than a C expression. */
export function isWindbgCommand(text: string): boolean {
  const t = text.trim();
  return /^[!.]/.test(t) || /^(dt|db|dw|dd|dq|k|kb|kn|help)(\s|$)/.test(t);
}

/** Runs one command; throws an Error with a sentence for unknown commands or bad arguments. */
export function runWindbgCommand(engine: DebugEngine, text: string): string {
  const [cmd, ...args] = text.trim().split(/\s+/);
  switch (cmd.toLowerCase()) {
    case '!mdl':
      return mdlCommand(engine, args);
    case '!pfn':
      return pfnCommand(engine, args);
    case '!pte':
    case '!vtop':
      return pteCommand(engine, args, cmd === '!vtop');
    case 'dt':
      return dtCommand(engine, args);
    case 'db':
      return dump(engine, args, 1);
    case 'dw':
      return dump(engine, args, 2);
    case 'dd':
      return dump(engine, args, 4);
    case 'dq':
      return dump(engine, args, 8);
    case '!irp':
      return irpCommand(engine, args);
    case '!process':
      return processCommand(engine);
    case 'k':
    case 'kb':
    case 'kn':
      return stackCommand(engine);
    case '!verifier':
      return verifierCommand(engine);
    case '.bugcheck':
      return bugcheckCommand(engine);
    case 'help':
    case '?':
      return `WinDbg commands: ${WINDBG_COMMANDS.join(', ')}. Anything else is evaluated as a C expression.`;
    default:
      throw new Error(`unknown command ${cmd} (try: ${WINDBG_COMMANDS.join(', ')})`);
  }
}

/** An address argument: a number in WinDbg syntax, or else a C expression (`mdl`, `&buffer[4]`). */
export function addressArg(engine: DebugEngine, text: string | undefined, what = 'an address'): number {
  if (!text) throw new Error(`expected ${what}`);
  const n = parseNumber(text);
  let v: U64 | undefined = n ?? undefined;
  if (v === undefined) {
    try {
      v = engine.machine.evaluate(text, { frame: 0 }).raw;
    } catch (e) {
      throw new Error(`"${text}" is neither ${what} nor a C expression: ${(e as Error).message}`);
    }
  }
  if (v === undefined || typeof v === 'bigint') throw new Error(`"${text}" is not ${what}`);
  return v;
}

function mdlCommand(engine: DebugEngine, args: string[]): string {
  const a = addressArg(engine, args[0], 'an MDL address');
  const s = engine.snapshot();
  const m = findMdl(s, BigInt(a));
  if (m) return bangMdl(m, s.frames).join('\n');
  // Not a live MDL the emulator tracks (freed, or a pointer into one): decode the memory as is.
  const bytes = engine.kernel.peek(a, MDL.sizeof);
  if (!bytes) return `Mdl ${windbgHex(a)}: memory not valid (no translation)`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const flags = dv.getUint16(MDL.MdlFlags, true);
  return [
    `Mdl ${windbgHex(a)}  (not a live MDL; decoded from memory)`,
    `    Size           ${hexN(dv.getUint16(MDL.Size, true), 4)}`,
    `    MdlFlags       ${describeMdlFlags(flags, mdlFlagNames(flags)).replace(/^0x/, '').replace(/ \| /g, ' ')}`,
    `    StartVa        ${windbgHex(toU64(dv.getBigInt64(MDL.StartVa, true)))}`,
    `    ByteCount      ${hexN(dv.getUint32(MDL.ByteCount, true), 8)}`,
    `    ByteOffset     ${hexN(dv.getUint32(MDL.ByteOffset, true), 8)}`,
  ].join('\n');
}

function pfnCommand(engine: DebugEngine, args: string[]): string {
  const pfn = addressArg(engine, args[0], 'a page frame number');
  const k = engine.kernel;
  const f = k.pfnEntry ? k.pfnEntry(pfn) : engine.snapshot().frames.find((x) => x.pfn === pfn);
  if (!f) return `PFN ${hexN(pfn, 8)} is not named by any MDL (this emulator build shows only those frames)`;
  return bangPfn(f).join('\n');
}

function pteCommand(engine: DebugEngine, args: string[], vtop: boolean): string {
  const va = addressArg(engine, args[args.length - 1], 'a virtual address');
  const k = engine.kernel;
  if (!k.translate) return 'address translation is not available in this emulator build';
  const pa = k.translate(va, null);
  const s = engine.snapshot();
  const where = `${va < 0 ? 'system space' : `process ${s.process ?? 'System'}`}`;
  if (pa < 0) return `${vtop ? 'Virtual address' : 'VA'} ${windbgHex(va)} (${where})\n    PTE not valid: the page is not resident (demand zero, paged out, in transition, or not committed)`;
  const pfn = Math.floor(pa / 0x1000);
  if (vtop) return `Amd64VtoP: Virt ${windbgHex(va)}, ${where}\nAmd64VtoP: Phys ${hexN(pa, 12)}\nVirtual address ${windbgHex(va)} translates to physical address ${hexN(pa, 12)}.`;
  return `                                           VA ${windbgHex(va)}  (${where})\ncontains ${hexN(pfn, 10)}  pfn ${pfn.toString(16)}  ---DA--KW-V (valid)`;
}

function dtCommand(engine: DebugEngine, args: string[]): string {
  if (args.length === 0) throw new Error('usage: dt TYPE [ADDRESS]');
  const type = args[0].replace(/^nt!/i, '');
  if (/^_?MDL$/i.test(type)) {
    if (args.length < 2) {
      return ['nt!_MDL', ...Object.entries(MDL).filter(([k]) => k !== 'sizeof' && k !== 'PfnArray').map(([k, off]) => dtLine(off, k, ''))].join('\n');
    }
    const a = addressArg(engine, args[1], 'an MDL address');
    const s = engine.snapshot();
    const m = findMdl(s, BigInt(a));
    if (m) return dtMdl(m, engine.kernel.peek(a, 0x10)).join('\n');
    return mdlCommand(engine, [String(a)]);
  }
  if (args.length < 2) throw new Error(`usage: dt ${type} ADDRESS`);
  const a = addressArg(engine, args[1]);
  const expr = `*(${type.startsWith('_') ? `struct ${type}` : type} *)${a < 0 ? `0x${BigInt.asUintN(64, BigInt(a)).toString(16)}` : a}`;
  let view;
  try {
    view = engine.machine.evaluate(expr, { frame: 0, hex: true });
  } catch (e) {
    throw new Error(`no type ${type} (${(e as Error).message})`);
  }
  const lines = [`nt!${type}`];
  for (const c of view.children()) {
    const off = c.address !== undefined ? c.address - a : 0;
    lines.push(dtLine(off, c.name, c.value));
  }
  return lines.join('\n');
}

function dump(engine: DebugEngine, args: string[], unit: DumpUnit): string {
  if (args.length === 0) throw new Error('usage: d[b|w|d|q] ADDRESS [L count]');
  let count = Math.floor(0x80 / unit);
  const lIndex = args.findIndex((a) => /^l/i.test(a));
  if (lIndex > 0) {
    const n = parseNumber(args[lIndex].length > 1 ? args[lIndex].slice(1) : args[lIndex + 1] ?? '');
    if (n === null || typeof n === 'bigint' || n <= 0 || n > 0x10000) throw new Error('the length after L must be between 1 and 0x10000');
    count = n;
  }
  const addrText = (lIndex > 0 ? args.slice(0, lIndex) : args).join(' ');
  const start = addressArg(engine, addrText);
  return dumpMemory(start, count, unit, (va, len) => engine.kernel.peek(va, len)).join('\n');
}

function irpCommand(engine: DebugEngine, args: string[]): string {
  const a = addressArg(engine, args[0], 'an IRP address');
  const s = engine.snapshot();
  const hex = '0x' + BigInt.asUintN(64, BigInt(a)).toString(16);
  const irp = s.irps.find((i) => i.address === hex);
  const bytes = engine.kernel.peek(a, IRP.sizeof);
  if (!bytes) return `Irp ${windbgHex(a)}: memory not valid`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const mdl = toU64(dv.getBigInt64(IRP.MdlAddress, true));
  const lines = [
    `Irp is active with ${dv.getInt8(IRP.StackCount)} stacks ${dv.getInt8(IRP.CurrentLocation)} is current (= ${windbgHex(a)})`,
    ` Mdl=${windbgHex(mdl)}: ${irp ? (irp.completed ? 'Irp is completed.' : 'Irp is pending.') : 'not an IRP the I/O manager tracks.'}  Flags = ${hexN(dv.getUint32(IRP.Flags, true), 8)}`,
    ` RequestorMode ${dv.getUint8(IRP.RequestorMode) ? 'UserMode' : 'KernelMode'}  Cancel ${dv.getUint8(IRP.Cancel)}`,
  ];
  if (irp) lines.push(` MajorFunction ${irp.majorFunction}`, ` MDL chain: ${irp.mdlChain.map(addr).join(' -> ') || '(none)'}`);
  if (irp?.master) lines.push(` Associated Irp: its master is ${addr(irp.master)} (completing it counts the master's IrpCount down)`);
  if (irp?.associatedIrpCount !== undefined) lines.push(` Master Irp: AssociatedIrp.IrpCount = ${irp.associatedIrpCount} associated IRP${irp.associatedIrpCount === 1 ? '' : 's'} still to complete`);
  return lines.join('\n');
}

function processCommand(engine: DebugEngine): string {
  const s = engine.snapshot();
  const lines = ['**** NT ACTIVE PROCESS DUMP ****'];
  for (const p of s.processes) {
    lines.push(`PROCESS ${addr(p.address)}${p.name === s.process ? '  (current)' : ''}`);
    lines.push(`    Cid: ${hexN(p.pid, 4)}    ${p.alive ? 'Active' : 'Exited'}`);
    lines.push(`    Working set: ${p.workingSetPages} pages  Locked: ${p.lockedPages} pages  Committed: ${p.committedPages} pages`);
    lines.push(`    Image: ${p.name}`, '');
  }
  if (s.processes.length === 0) lines.push('(no processes)');
  return lines.join('\n');
}

function stackCommand(engine: DebugEngine): string {
  const frames = engine.frames();
  const lines = [' # Call Site'];
  frames.forEach((f, i) => {
    const name = f.native ? f.function : `scenario!${f.function}`;
    const where = f.location ? ` [${f.location.file} @ ${f.location.line}]` : '';
    lines.push(`${hexN(i, 2)} ${name}${where}`);
  });
  return lines.join('\n');
}

function verifierCommand(engine: DebugEngine): string {
  const s = engine.snapshot();
  const reports = s.events.filter((e) => e.kind === 'verifier');
  const lines = [`Verify Flags Level: ${s.verifier ? '0x00000009 (special pool, I/O verification, MDL checks)' : '0x00000000 (Driver Verifier is off)'}`];
  lines.push(`Reports so far: ${reports.length}`);
  for (const r of reports) lines.push(`  ${r.text}${r.location ? ` [${r.location.file} @ ${r.location.line}]` : ''}`);
  return lines.join('\n');
}

function bugcheckCommand(engine: DebugEngine): string {
  const b = engine.snapshot().bugcheck ?? (engine.currentStop?.bugcheck ? { codeHex: bugCheckCodeHex(engine.currentStop.bugcheck.code), params: engine.currentStop.bugcheck.params.map((p) => '0x' + BigInt.asUintN(64, BigInt(p)).toString(16)), name: engine.currentStop.bugcheck.name } : null);
  if (!b) return 'No bug check has occurred.';
  const code = b.codeHex.replace(/^0x/i, '');
  return `Bugcheck code ${code.padStart(8, '0')}\nArguments ${b.params.map((p) => windbgHex(toU64(BigInt(p)))).join(' ')}\n${b.name}`;
}
