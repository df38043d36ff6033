// Scopes and variables as a driver developer reads them: typed C values, pointers to their target,
// PMDL expanded into MDL fields with decoded flags and a paged PFN array, and the Memory Manager.
import { Handles, Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugEngine } from '../engine/engine';
import { EngineError } from '../engine/events';
import { describeMdlFlags } from '../engine/mdlFlags';
import type { ValueView } from '../lang/contract';
import { hex64 } from '../emulator/u64';
import type { U64 } from '../emulator/contract';
import { MDL } from '../emulator/layouts';
import { isMdlPointerType, isMdlType, readMdl, readPfns } from './mdlView';
import { memoryManagerChildren, type MmList } from './mmScope';

type Node =
  | { kind: 'locals'; frame: number }
  | { kind: 'globals' }
  | { kind: 'context' }
  | { kind: 'mm'; list?: MmList; index?: number }
  | { kind: 'value'; view: ValueView; expr: string | null }
  | { kind: 'mdl'; address: number; expr: string | null }
  | { kind: 'pfns'; address: number; count: number };

const PFN_CHUNK = 1000;

export class VariableStore {
  private handles = new Handles<Node>();

  constructor(private readonly engine: DebugEngine) {}

  /** References are only valid for one stop. */
  reset(): void {
    this.handles.reset();
  }

  scopes(displayedFrame: number): DebugProtocol.Scope[] {
    const machineFrame = this.engine.machineFrame(displayedFrame);
    const scopes: DebugProtocol.Scope[] = [];
    if (machineFrame !== null) {
      const locals = new Scope('Locals', this.handles.create({ kind: 'locals', frame: machineFrame }), false) as DebugProtocol.Scope;
      locals.presentationHint = 'locals';
      scopes.push(locals);
    }
    scopes.push(new Scope('Globals', this.handles.create({ kind: 'globals' }), false));
    const ctx = new Scope('Context', this.handles.create({ kind: 'context' }), false) as DebugProtocol.Scope;
    ctx.presentationHint = 'registers';
    scopes.push(ctx);
    scopes.push(new Scope('Memory Manager', this.handles.create({ kind: 'mm' }), true));
    return scopes;
  }

  variables(ref: number, args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    const node = this.handles.get(ref);
    if (!node) throw new EngineError(`no variables with reference ${ref} at this stop`);
    const hex = args.format?.hex ?? false;
    const m = this.engine.machine;
    switch (node.kind) {
      case 'locals':
        return m.locals(node.frame, hex).map((v) => this.toVariable(v, v.name, hex));
      case 'globals':
        return m.globals(hex).map((v) => this.toVariable(v, v.name, hex));
      case 'context':
        return this.contextVariables();
      case 'mm':
        return memoryManagerChildren(this.engine.snapshot(), node.list, node.index, (n) => this.handles.create({ kind: 'mm', ...n }), (address) => this.handles.create({ kind: 'mdl', address, expr: null }));
      case 'value': {
        const start = args.start ?? 0;
        const count = args.count ?? undefined;
        const kids = args.filter === 'indexed' || count !== undefined ? node.view.children(start, count) : node.view.children();
        return kids.map((c) => this.toVariable(c, childExpr(node.expr, node.view.type, c.name), hex));
      }
      case 'mdl':
        return this.mdlFields(node.address, node.expr, hex);
      case 'pfns': {
        const start = Math.max(0, args.start ?? 0);
        const count = Math.min(args.count ?? node.count, node.count - start, 100_000);
        return readPfns(this.engine.kernel, node.address, start, Math.max(0, count)).map((pfn, i) => ({
          name: `[${start + i}]`,
          value: `0x${pfn.toString(16)}`,
          type: 'PFN_NUMBER',
          variablesReference: 0,
        }));
      }
    }
  }

  /** A ValueView as a DAP variable; pointers to MDLs expand to the decoded MDL. */
  toVariable(v: ValueView, expr: string | null, hex: boolean): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = { name: v.name, value: v.value, type: v.type, variablesReference: 0, evaluateName: expr ?? undefined };
    const pointer = /\*\s*$/.test(v.type) || /^P[A-Z_0-9]+$/.test(v.type.trim());
    if (pointer && v.raw !== undefined && v.raw !== 0 && v.raw !== 0n) out.memoryReference = hex64(v.raw);
    else if (v.address !== undefined) out.memoryReference = hex64(v.address);
    if (/(^|\.|->)MdlFlags$/.test(expr ?? v.name) && typeof v.raw === 'number') out.value = describeMdlFlags(v.raw);
    if (isMdlPointerType(v.type) && isAddress(v.raw)) {
      const mdl = readMdl(this.engine.kernel, Number(v.raw));
      if (mdl) {
        out.value = `${v.value} {${describeMdlFlags(mdl.mdlFlags)}}`;
        out.variablesReference = this.handles.create({ kind: 'mdl', address: Number(v.raw), expr });
        out.namedVariables = 9;
        out.presentationHint = { kind: 'data' };
        (out as { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext = 'mdl';
        return out;
      }
    }
    if (isMdlType(v.type) && v.address !== undefined) {
      out.variablesReference = this.handles.create({ kind: 'mdl', address: v.address, expr: expr ? `(&${expr})` : null });
      out.namedVariables = 9;
      return out;
    }
    if (v.namedChildren + v.indexedChildren > 0) {
      out.variablesReference = this.handles.create({ kind: 'value', view: v, expr });
      if (v.namedChildren) out.namedVariables = v.namedChildren;
      if (v.indexedChildren) out.indexedVariables = v.indexedChildren;
    }
    void hex;
    return out;
  }

  private mdlFields(address: number, expr: string | null, hex: boolean): DebugProtocol.Variable[] {
    const k = this.engine.kernel;
    const f = readMdl(k, address);
    if (!f) return [{ name: '<unreadable>', value: `no valid mapping at ${hex64(address)}`, variablesReference: 0 }];
    const field = (name: string, off: number, type: string, value: string, raw?: U64): DebugProtocol.Variable => ({
      name,
      value,
      type,
      variablesReference: 0,
      evaluateName: expr ? `${expr}->${name}` : undefined,
      memoryReference: raw !== undefined && raw !== 0 ? hex64(raw) : hex64(address + off),
    });
    const num = (n: number, digits: number) => (hex ? `0x${n.toString(16).padStart(digits, '0')}` : String(n));
    const vars = [
      field('Next', MDL.Next, 'struct _MDL *', hex64(f.next), f.next),
      field('Size', MDL.Size, 'CSHORT', num(f.size, 4)),
      field('MdlFlags', MDL.MdlFlags, 'CSHORT', describeMdlFlags(f.mdlFlags)),
      field('Process', MDL.Process, 'struct _EPROCESS *', hex64(f.process) + processName(this.engine, f.process), f.process),
      field('MappedSystemVa', MDL.MappedSystemVa, 'PVOID', hex64(f.mappedSystemVa), f.mappedSystemVa),
      field('StartVa', MDL.StartVa, 'PVOID', hex64(f.startVa), f.startVa),
      field('ByteCount', MDL.ByteCount, 'ULONG', `0x${f.byteCount.toString(16)}`),
      field('ByteOffset', MDL.ByteOffset, 'ULONG', `0x${f.byteOffset.toString(16)}`),
    ];
    const pfns: DebugProtocol.Variable = {
      name: 'PfnArray',
      value: `PFN_NUMBER[${f.pageCount}]`,
      type: `PFN_NUMBER[${f.pageCount}]`,
      variablesReference: f.pageCount > 0 ? this.handles.create({ kind: 'pfns', address, count: f.pageCount }) : 0,
      indexedVariables: f.pageCount,
      memoryReference: hex64(address + MDL.PfnArray),
    };
    if (f.pageCount > PFN_CHUNK) pfns.value += ` (${f.pageCount} entries, paged)`;
    return [...vars, pfns];
  }

  /** Where a field of an MDL shown in Variables lives (for setVariable and data breakpoints). */
  mdlFieldTarget(ref: number, name: string): { address: number; size: number } | null {
    const node = this.handles.get(ref);
    if (node?.kind !== 'mdl') return null;
    const layout: Record<string, [number, number]> = {
      Next: [MDL.Next, 8], Size: [MDL.Size, 2], MdlFlags: [MDL.MdlFlags, 2], Process: [MDL.Process, 8],
      MappedSystemVa: [MDL.MappedSystemVa, 8], StartVa: [MDL.StartVa, 8], ByteCount: [MDL.ByteCount, 4], ByteOffset: [MDL.ByteOffset, 4],
    };
    const f = layout[name];
    return f ? { address: node.address + f[0], size: f[1] } : null;
  }

  /** The expression that names `name` under variables reference `ref`, when it has one. */
  expressionOf(ref: number, name: string): { expr: string | null; frame: number } {
    const node = this.handles.get(ref);
    if (!node) throw new EngineError(`no variables with reference ${ref} at this stop`);
    if (node.kind === 'locals') return { expr: name, frame: node.frame };
    if (node.kind === 'globals') return { expr: name, frame: 0 };
    if (node.kind === 'value') return { expr: node.expr ? childExpr(node.expr, node.view.type, name) : null, frame: 0 };
    if (node.kind === 'mdl') return { expr: node.expr ? `${node.expr}->${name}` : null, frame: 0 };
    return { expr: null, frame: 0 };
  }

  /** The value view behind a child, for data breakpoints (address and size). */
  childView(ref: number, name: string): ValueView | undefined {
    const node = this.handles.get(ref);
    if (!node) return undefined;
    const m = this.engine.machine;
    if (node.kind === 'locals') return m.locals(node.frame).find((v) => v.name === name);
    if (node.kind === 'globals') return m.globals().find((v) => v.name === name);
    if (node.kind === 'value') return node.view.children().find((v) => v.name === name);
    return undefined;
  }

  private contextVariables(): DebugProtocol.Variable[] {
    const s = this.engine.snapshot();
    const v = (name: string, value: string, type?: string): DebugProtocol.Variable => ({ name, value, type, variablesReference: 0 });
    const current = s.processes.find((p) => p.name === s.process);
    return [
      v('IRQL', `${s.irqlName} (${s.irql})`, 'KIRQL'),
      v('Process', s.process ? `${s.process}${current ? ` (EPROCESS ${current.address}, pid ${current.pid})` : ''}` : 'System', 'PEPROCESS'),
      v('Thread', 'scenario thread (LabMain)', 'PETHREAD'),
      v('Step', String(s.step), 'statement counter'),
      v('Driver Verifier', s.verifier ? 'on' : 'off'),
      ...(s.bugcheck ? [v('Bug check', `${s.bugcheck.codeHex} ${s.bugcheck.name} (${s.bugcheck.params.join(', ')})`)] : []),
    ];
  }
}

function isAddress(raw: U64 | undefined): raw is U64 {
  return raw !== undefined && raw !== 0 && raw !== 0n && typeof raw === 'number';
}

function processName(engine: DebugEngine, process: U64): string {
  if (process === 0) return '';
  try {
    const hex = hex64(process);
    const p = engine.snapshot().processes.find((x) => x.address === hex);
    return p ? ` (${p.name})` : '';
  } catch {
    return '';
  }
}

/** An lvalue for a child shown under `parent`: `a[3]`, `p->f`, `s.f`, `*p`. */
export function childExpr(parent: string | null, parentType: string, child: string): string | null {
  if (!parent) return null;
  if (child.startsWith('[')) return `${parent}${child}`;
  if (child.startsWith('*')) return `*(${parent})`;
  const isPointer = /\*\s*$/.test(parentType) || /^P[A-Z_0-9]+$/.test(parentType.trim());
  return isPointer ? `${parent}->${child}` : `${parent}.${child}`;
}
