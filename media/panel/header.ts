// The panel header: where the scenario stopped, process and IRQL, the session state, and a bug
// check banner when the machine is down.
import type { Snapshot } from '../../src/engine/snapshot';
import { h, icon } from './dom';
import type { SessionState } from './protocol';

export function renderHeader(snap: Snapshot | null, session: { state: SessionState; name?: string }): HTMLElement {
  const items: (HTMLElement | null)[] = [];
  if (snap) {
    const loc = snap.location;
    items.push(
      h('span', { class: 'hdr-item hdr-loc', title: 'Where the scenario is stopped' },
        loc ? h('span', { class: 'mono' }, `${baseName(loc.file)}:${loc.line}`) : h('span', { class: 'dim' }, 'no location'),
        loc ? h('span', { class: 'dim' }, ` ${loc.function}`) : null),
      h('span', { class: 'hdr-item' }, h('span', { class: 'dim' }, 'process '), h('span', { class: 'mono' }, snap.process ?? 'System')),
      h('span', { class: `hdr-item${snap.irql >= 2 ? ' warn' : ''}` }, h('span', { class: 'dim' }, 'IRQL '), h('span', { class: 'mono' }, `${snap.irqlName} (${snap.irql})`)),
      h('span', { class: 'hdr-item' }, h('span', { class: 'dim' }, 'step '), h('span', { class: 'mono' }, String(snap.step))),
      h('span', { class: 'hdr-item' }, h('span', { class: 'dim' }, 'system PTEs '), h('span', { class: 'mono' }, `${snap.systemPtes.used}/${snap.systemPtes.total}`)),
      snap.verifier ? h('span', { class: 'hdr-item chip' }, icon('shield'), ' Driver Verifier') : null,
    );
  }
  const stateText: Record<SessionState, string> = { none: 'no MDL Lab session', running: 'running…', stopped: 'stopped', ended: 'session ended' };
  const stateIcon: Record<SessionState, string> = { none: 'circle-slash', running: 'debug-start', stopped: 'debug-pause', ended: 'debug-stop' };
  items.push(h('span', { class: `hdr-item hdr-session session-${session.state}`, role: 'status' }, icon(stateIcon[session.state]), ' ', session.name ? `${session.name}: ` : '', stateText[session.state]));
  const header = h('header', { class: 'hdr', 'aria-label': 'Stop location' }, ...items);
  const bc = snap?.bugcheck;
  if (!bc) return header;
  const banner = h('div', { class: 'bugcheck', role: 'alert' },
    h('div', { class: 'mono bugcheck-line' }, `*** BUGCHECK ${bc.codeHex} (${bc.params.join(', ')}) ${bc.name}`),
    h('div', { class: 'bugcheck-text' }, bc.explanation));
  return h('div', null, header, banner);
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}
