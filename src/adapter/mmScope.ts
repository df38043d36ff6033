// The "Memory Manager" scope: live MDLs, processes, the PFN summary, IRPs and pool, from the snapshot.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Snapshot } from '../engine/snapshot';

export type MmList = 'mdls' | 'processes' | 'pages' | 'irps' | 'pool' | 'events';

type MakeRef = (node: { list: MmList; index?: number }) => number;

const v = (name: string, value: string, variablesReference = 0, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable => ({
  name,
  value,
  variablesReference,
  ...extra,
});

/** Children of the scope (list undefined) or of one of its lists. */
export function memoryManagerChildren(s: Snapshot, list: MmList | undefined, _index: number | undefined, ref: MakeRef, mdlRef: (address: number) => number): DebugProtocol.Variable[] {
  switch (list) {
    case undefined: {
      const active = s.pageLists.Active ?? 0;
      return [
        v('MDLs', `${s.mdls.length} live`, s.mdls.length ? ref({ list: 'mdls' }) : 0),
        v('Processes', `${s.processes.filter((p) => p.alive).length} alive`, s.processes.length ? ref({ list: 'processes' }) : 0),
        v('PFN database', `${s.physicalPages} pages, ${active} active`, ref({ list: 'pages' })),
        v('IRPs', `${s.irps.length}`, s.irps.length ? ref({ list: 'irps' }) : 0),
        v('Pool', `${s.pool.length} tags`, s.pool.length ? ref({ list: 'pool' }) : 0),
        v('System PTEs', `${s.systemPtes.used} of ${s.systemPtes.total} in use`),
        v('Recent events', `${s.events.length}`, s.events.length ? ref({ list: 'events' }) : 0),
        ...(s.bugcheck ? [v('Bug check', `${s.bugcheck.codeHex} ${s.bugcheck.name} (${s.bugcheck.params.join(', ')})`)] : []),
      ];
    }
    case 'mdls':
      return s.mdls.map((m) =>
        v(m.address, `${m.flagNames.join(' | ') || 'no flags'}, ${m.pageCount} page${m.pageCount === 1 ? '' : 's'}, ${m.processName ?? 'system'}`, mdlRef(Number(BigInt.asIntN(64, BigInt(m.address)))), {
          type: 'PMDL',
          memoryReference: m.address,
          __vscodeVariableMenuContext: 'mdl',
        } as Partial<DebugProtocol.Variable>),
      );
    case 'processes':
      return s.processes.map((p) => v(p.name, `pid ${p.pid}, ${p.alive ? 'alive' : 'exited'}, working set ${p.workingSetPages} pages, ${p.lockedPages} locked, ${p.committedPages} committed`, 0, { type: 'PEPROCESS', memoryReference: p.address }));
    case 'pages':
      return [
        v('Physical pages', String(s.physicalPages)),
        ...Object.entries(s.pageLists).map(([state, count]) => v(state, String(count))),
        v('Dummy page', `PFN 0x${s.dummyPfn.toString(16)}`),
        ...s.frames.map((f) => v(`PFN 0x${f.pfn.toString(16)}`, `${f.state}, ref ${f.referenceCount}, share ${f.shareCount}, lock ${f.lockCount}${f.mappedBy.length ? `, mapped by ${f.mappedBy.map((m) => `${m.process ?? 'system'} ${m.va}`).join(', ')}` : ''}`)),
      ];
    case 'irps':
      return s.irps.map((i) => v(i.address, `${i.majorFunction}, ${i.requestorMode}, ${i.completed ? 'completed' : 'pending'}${i.master ? `, associated with ${i.master}` : ''}${i.associatedIrpCount !== undefined ? `, ${i.associatedIrpCount} associated to complete` : ''}, MDLs: ${i.mdlChain.join(' → ') || 'none'}`, 0, { type: 'PIRP', memoryReference: i.address }));
    case 'pool':
      return s.pool.map((p) => v(`'${p.tag}'`, `${p.poolType}, ${p.allocations} allocations, ${p.bytes} bytes`));
    case 'events':
      return s.events.slice(-50).map((e) => v(`#${e.seq}`, `${e.kind}: ${e.text}${e.location ? ` (line ${e.location.line})` : ''}`));
  }
}
