// Chains and families: each IRP with its MdlAddress chain followed through Next, partial MDLs
// under the MDL they were built from, and pool blocks that MDLs describe. Every MDL node selects
// that MDL in the inspector.
import type { IrpView, MdlView } from '../../../src/engine/snapshot';
import { h } from '../dom';
import { addr64, hex, isNullAddr } from '../format';
import type { PanelContext } from './context';

function mdlNode(ctx: PanelContext, address: string, note?: string): HTMLElement {
  const m = ctx.model.mdl(address);
  const sel = ctx.state.selectedMdl === address.toLowerCase();
  if (!m) {
    return h('span', { class: 'node node-missing', title: 'Not a live MDL at this stop (freed or never an MDL)' },
      h('span', { class: 'mono' }, addr64(address)), h('span', { class: 'node-sub' }, 'not a live MDL'));
  }
  return h('button', {
    class: `node node-mdl${sel ? ' selected' : ''}`, 'data-address': m.address, 'aria-label': `MDL ${m.address}, ${m.flagNames.join(', ') || 'no flags'}. Open in inspector`,
    onclick: () => ctx.select(m.address, 'inspector'),
  },
  h('span', { class: 'mono' }, `MDL ${addr64(m.address)}`),
  h('span', { class: 'node-sub mono' }, `${hex(m.byteCount)} bytes · ${m.pfns.length} PFN${m.pfns.length === 1 ? '' : 's'}`),
  h('span', { class: 'node-sub' }, m.flagNames.map((f) => f.replace(/^MDL_/, '')).join(' ') || 'no flags'),
  note ? h('span', { class: 'node-sub warn-text' }, note) : null);
}

function arrow(label: string): HTMLElement {
  return h('span', { class: 'arrow', 'aria-hidden': 'true' }, h('span', { class: 'arrow-label mono' }, label), '⟶');
}

function irpRow(ctx: PanelContext, irp: IrpView): HTMLElement {
  const row = h('div', { class: 'chain', role: 'group', 'aria-label': `IRP ${irp.address} ${irp.majorFunction}, ${irp.mdlChain.length} MDLs` },
    h('div', { class: `node node-irp${irp.completed ? ' completed' : ''}` },
      h('span', { class: 'mono' }, `IRP ${addr64(irp.address)}`),
      h('span', { class: 'node-sub' }, `${irp.majorFunction} · ${irp.requestorMode}`),
      irp.master ? h('span', { class: 'node-sub' }, `associated with master IRP ${addr64(irp.master)}`) : null,
      irp.associatedIrpCount !== undefined
        ? h('span', { class: 'node-sub' }, `master: ${irp.associatedIrpCount} associated IRP${irp.associatedIrpCount === 1 ? '' : 's'} to complete`) : null,
      irp.completed ? h('span', { class: 'node-sub warn-text' }, 'completed: its MDLs are freed') : null));
  if (!irp.mdlChain.length) {
    row.append(arrow('MdlAddress'), h('span', { class: 'node node-null mono' }, 'NULL'));
    return row;
  }
  irp.mdlChain.forEach((a, i) => {
    const m = ctx.model.mdl(a);
    const note = m && m.irp && m.irp.toLowerCase() !== irp.address.toLowerCase() ? `claims IRP ${addr64(m.irp)}` : undefined;
    row.append(arrow(i === 0 ? 'MdlAddress' : 'Next'), mdlNode(ctx, a, note));
  });
  const last = ctx.model.mdl(irp.mdlChain[irp.mdlChain.length - 1]);
  if (last && !isNullAddr(last.next)) row.append(arrow('Next'), mdlNode(ctx, last.next));
  else row.append(arrow('Next'), h('span', { class: 'node node-null mono' }, 'NULL'));
  return row;
}

function family(ctx: PanelContext, parent: MdlView, children: MdlView[]): HTMLElement {
  return h('div', { class: 'family', role: 'group', 'aria-label': `MDL ${parent.address} and ${children.length} partial MDLs` },
    mdlNode(ctx, parent.address),
    h('div', { class: 'family-children' }, ...children.map((c) => {
      const offset = BigInt(c.startVa) + BigInt(c.byteOffset) - (BigInt(parent.startVa) + BigInt(parent.byteOffset));
      const inside = offset >= 0n && offset + BigInt(c.byteCount) <= BigInt(parent.byteCount);
      return h('div', { class: 'family-child' }, h('span', { class: 'tree', 'aria-hidden': 'true' }, '└'),
        h('span', { class: 'arrow-label mono' }, `IoBuildPartialMdl +${hex(Number(offset))}`),
        mdlNode(ctx, c.address, inside ? undefined : 'outside its parent\'s range'));
    })));
}

export function renderChains(ctx: PanelContext): { element: HTMLElement } {
  const { snap } = ctx.model;
  const sections: HTMLElement[] = [];

  sections.push(h('h3', null, `IRPs and their MDL chains · ${snap.irps.length}`));
  sections.push(snap.irps.length ? h('div', { class: 'chains' }, ...snap.irps.map((i) => irpRow(ctx, i))) : h('div', { class: 'empty' }, 'No IRPs at this stop.'));

  const partials = snap.mdls.filter((m) => m.parent !== null || m.flags & 0x10);
  const parents = new Map<string, MdlView[]>();
  const orphans: MdlView[] = [];
  for (const p of partials) {
    const parent = p.parent ? ctx.model.mdl(p.parent) : undefined;
    if (!parent) orphans.push(p);
    else parents.set(parent.address, [...(parents.get(parent.address) ?? []), p]);
  }
  sections.push(h('h3', null, `Partial MDLs and their parents · ${partials.length}`));
  const fam = h('div', { class: 'families' });
  for (const [addr, kids] of parents) fam.append(family(ctx, ctx.model.mdl(addr)!, kids));
  for (const o of orphans) {
    fam.append(h('div', { class: 'family' }, h('span', { class: 'node node-missing' }, h('span', { class: 'mono' }, o.parent ? addr64(o.parent) : 'parent unknown'), h('span', { class: 'node-sub warn-text' }, 'parent freed: the partial MDL outlives it')),
      h('div', { class: 'family-children' }, h('div', { class: 'family-child' }, h('span', { class: 'tree' }, '└'), mdlNode(ctx, o.address)))));
  }
  sections.push(partials.length ? fam : h('div', { class: 'empty' }, 'No partial MDLs (IoBuildPartialMdl) at this stop.'));

  const pool = snap.mdls.filter((m) => m.flags & 0x4);
  sections.push(h('h3', null, `Nonpaged pool blocks described by MDLs · ${pool.length}`));
  sections.push(pool.length ? h('div', { class: 'chains' }, ...pool.map((m) => h('div', { class: 'chain' },
    h('div', { class: 'node node-pool' }, h('span', { class: 'mono' }, `pool ${addr64(m.mappedSystemVa)}`), h('span', { class: 'node-sub mono' }, `${hex(m.byteCount)} bytes`)),
    arrow('described by'), mdlNode(ctx, m.address)))) : h('div', { class: 'empty' }, 'No MDL built by MmBuildMdlForNonPagedPool at this stop.'));

  const loose = snap.mdls.filter((m) => !m.irp && !m.parent && !(m.flags & 0x14) && !ctx.model.children(m.address).length);
  if (loose.length) {
    sections.push(h('h3', null, `Other MDLs · ${loose.length}`));
    sections.push(h('div', { class: 'chains' }, ...loose.map((m) => h('div', { class: 'chain' }, mdlNode(ctx, m.address), arrow('Next'),
      isNullAddr(m.next) ? h('span', { class: 'node node-null mono' }, 'NULL') : mdlNode(ctx, m.next)))));
  }
  return { element: h('div', { class: 'chains-view' }, ...sections) };
}
