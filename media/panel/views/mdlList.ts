// The list of live MDLs (a listbox), shared by the inspector and the mapping diagram.
import type { MdlView } from '../../../src/engine/snapshot';
import { h } from '../dom';
import { addr64, hex } from '../format';
import type { PanelContext } from './context';

/** A short label for the flags worth seeing in a list: locked, mapped, partial, paging read… */
function flagGlyphs(m: MdlView): string {
  const parts: string[] = [];
  if (m.flags & 0x2) parts.push('L');
  if (m.flags & 0x1) parts.push('M');
  if (m.flags & 0x4) parts.push('NP');
  if (m.flags & 0x10) parts.push('P');
  if (m.flags & 0x40) parts.push('IO');
  if (m.flags & 0x80) parts.push('W');
  return parts.join(' ');
}

export function renderMdlList(ctx: PanelContext): HTMLElement {
  const mdls = ctx.model.snap.mdls;
  const selected = ctx.selectedMdl();
  const list = h('div', { class: 'mdl-list', role: 'listbox', tabindex: 0, 'data-focus': 'mdl-list', 'aria-label': `Live MDLs (${mdls.length})` });
  mdls.forEach((m, i) => {
    const change = ctx.model.change(m);
    const changed = change.isNew || change.fields.size > 0;
    const isSel = selected === m;
    const opt = h('div', {
      class: `mdl-item${isSel ? ' selected' : ''}${changed ? ' changed' : ''}`,
      role: 'option', id: `mdl-opt-${i}`, 'aria-selected': isSel ? 'true' : 'false',
      'data-address': m.address, title: m.origin,
    },
    h('span', { class: 'mono addr' }, addr64(m.address)),
    h('span', { class: 'mdl-item-sub' },
      h('span', { class: 'mono' }, hex(m.byteCount)),
      ' ', h('span', { class: 'dim' }, m.origin),
      m.processName ? h('span', { class: 'dim proc' }, ' · ', m.processName) : null),
    h('span', { class: 'mdl-item-flags mono', 'aria-label': `flags ${m.flagNames.join(', ') || 'none'}` }, flagGlyphs(m)),
    change.isNew ? h('span', { class: 'badge badge-new' }, 'new') : changed ? h('span', { class: 'badge badge-changed' }, 'changed') : null);
    opt.addEventListener('click', () => ctx.select(m.address));
    list.append(opt);
  });
  if (selected) list.setAttribute('aria-activedescendant', `mdl-opt-${mdls.indexOf(selected)}`);
  list.addEventListener('keydown', (e) => {
    const cur = selected ? mdls.indexOf(selected) : -1;
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(mdls.length - 1, cur + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, cur - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = mdls.length - 1;
    if (next >= 0 && next !== cur) {
      e.preventDefault();
      ctx.select(mdls[next].address);
    }
  });
  if (!mdls.length) list.append(h('div', { class: 'empty' }, 'No live MDLs at this stop.'));
  return list;
}
