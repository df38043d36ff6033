// `mdl-lab demo`: runs a scenario and, at each LabBreak(), prints the MDLs the way a kernel
// developer reads them in WinDbg — dt nt!_MDL with decoded flags, !mdl with the PFN array, frames.
import type { DebugEngine } from '../engine/engine';
import type { StopEvent } from '../engine/events';
import { formatFrames } from '../engine/describe';
import { bangMdl, dtMdl } from '../engine/windbg/mdl';
import { addr } from '../engine/windbg/format';
import type { Snapshot } from '../engine/snapshot';

export function describeStopForDemo(engine: DebugEngine, stop: StopEvent): string[] {
  const s = engine.snapshot();
  const where = s.location ? `${s.location.file}:${s.location.line} in ${s.location.function}` : 'the end of the run';
  const title = stop.kind === 'LabBreak' ? 'LabBreak()' : stop.description;
  const lines = ['', `==== ${title} at ${where} (step ${s.step}) ====`];
  lines.push(`Context: process ${s.process ?? 'System'}, IRQL ${s.irqlName} (${s.irql}), Driver Verifier ${s.verifier ? 'on' : 'off'}`);
  lines.push('Call stack:', ...formatFrames(engine.frames()));
  if (s.mdls.length === 0) lines.push('No live MDLs.');
  for (const m of s.mdls) {
    lines.push('', `kd> dt nt!_MDL ${addr(m.address)}`, ...dtMdl(m, engine.kernel.peek(Number(BigInt.asIntN(64, BigInt(m.address))), 0x10)));
    lines.push('', `kd> !mdl ${addr(m.address)}`, ...bangMdl(m, s.frames));
  }
  lines.push(...frameLines(s));
  if (s.bugcheck) lines.push('', `Bug check ${s.bugcheck.codeHex} ${s.bugcheck.name} (${s.bugcheck.params.join(', ')})`, s.bugcheck.explanation);
  return lines;
}

function frameLines(s: Snapshot): string[] {
  if (s.frames.length === 0) return [];
  const lines = ['', 'Physical frames named by the MDLs:'];
  for (const f of s.frames) {
    const maps = f.mappedBy.map((m) => `${m.process ?? 'system'} ${addr(m.va)}${m.valid ? '' : ' (invalid)'}`).join('; ');
    lines.push(`  PFN 0x${f.pfn.toString(16).padEnd(6)} ${f.state.padEnd(10)} ref ${f.referenceCount} share ${f.shareCount} lock ${f.lockCount}${f.dummy ? ' dummy' : ''}${maps ? `  mapped by ${maps}` : ''}`);
  }
  return lines;
}
