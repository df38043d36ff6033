// The workspace-trust gate, outside VS Code: a fake host stands for workspace trust and messages.
import { strict as assert } from 'node:assert';
import { MANAGE_TRUST, ScenarioRunGate, UNTRUSTED_RUN_MESSAGE, type TrustHost } from '../../../src/extension/trust';

/** A workspace whose trust the test sets, recording every message and answering with `answer`. */
function fakeHost(trusted: boolean) {
  const listeners: (() => void)[] = [];
  const shown: { kind: 'warn' | 'inform'; message: string; buttons: string[] }[] = [];
  const state = { trusted, answer: undefined as string | undefined, managed: 0 };
  const host: TrustHost = {
    isTrusted: () => state.trusted,
    onDidGrantTrust: (l) => {
      listeners.push(l);
      return { dispose: () => listeners.splice(listeners.indexOf(l), 1) };
    },
    warn: async (message, ...buttons) => (shown.push({ kind: 'warn', message, buttons }), state.answer),
    inform: async (message, ...buttons) => (shown.push({ kind: 'inform', message, buttons }), state.answer),
    manageTrust: async () => void state.managed++,
  };
  const grant = () => {
    state.trusted = true;
    for (const l of [...listeners]) l();
  };
  return { host, shown, state, grant, listeners };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('workspace trust: the scenario run gate', () => {
  it('in a trusted workspace a run goes ahead without a message', () => {
    const { host, shown } = fakeHost(true);
    const gate = new ScenarioRunGate(host);
    assert.equal(gate.allowRun('Debug scenario.c'), true);
    assert.equal(gate.canRun, true);
    assert.equal(gate.refusals, 0);
    assert.deepEqual(shown, []);
  });

  it('in Restricted Mode a run is refused with "MDL Lab runs scenarios only in a trusted workspace" and the way to trust it', async () => {
    const { host, shown, state } = fakeHost(false);
    const gate = new ScenarioRunGate(host);
    let ran = 0;
    assert.equal(gate.allowRun('Debug scenario.c', () => ran++), false);
    await settle();
    assert.equal(ran, 0, 'the refused run did not start');
    assert.equal(gate.refusals, 1);
    assert.deepEqual(shown, [{ kind: 'warn', message: UNTRUSTED_RUN_MESSAGE, buttons: [MANAGE_TRUST] }]);
    assert.match(shown[0].message, /^MDL Lab runs scenarios only in a trusted workspace\./);
    assert.equal(state.managed, 0, 'the trust editor opens only when asked');
  });

  it('choosing "Manage Workspace Trust" on the refusal opens VS Code\'s trust editor', async () => {
    const { host, state } = fakeHost(false);
    state.answer = MANAGE_TRUST;
    new ScenarioRunGate(host).allowRun('Run scenario.c');
    await settle();
    assert.equal(state.managed, 1);
  });

  it('granting trust re-enables runs and offers to start the refused one again, which runs only when chosen', async () => {
    const { host, shown, state, grant } = fakeHost(false);
    const gate = new ScenarioRunGate(host);
    let ran = 0;
    gate.allowRun('Debug first.c', () => ran++);
    gate.allowRun('Debug scenario.c', () => (ran += 10));
    assert.equal(gate.waiting?.what, 'Debug scenario.c', 'the latest refusal is the one offered');
    state.answer = 'Debug scenario.c';
    grant();
    await settle();
    assert.equal(gate.canRun, true);
    assert.equal(gate.trustGrants, 1);
    assert.equal(gate.waiting, undefined);
    assert.equal(ran, 10, 'only the latest refused run started, once');
    const offer = shown.find((s) => s.kind === 'inform');
    assert.ok(offer && offer.buttons[0] === 'Debug scenario.c' && /trusted/.test(offer.message));
    assert.equal(gate.allowRun('Debug scenario.c'), true);
    assert.equal(gate.refusals, 2, 'nothing more was refused after trust');
  });

  it('granting trust with nothing refused shows nothing, and dismissing the offer starts nothing', async () => {
    const quiet = fakeHost(false);
    new ScenarioRunGate(quiet.host);
    quiet.grant();
    await settle();
    assert.deepEqual(quiet.shown, []);

    const dismissed = fakeHost(false);
    let ran = 0;
    new ScenarioRunGate(dismissed.host).allowRun('Run scenario.c', () => ran++);
    dismissed.grant();
    await settle();
    assert.equal(ran, 0);
  });

  it('disposing the gate stops it listening for trust', () => {
    const { host, listeners } = fakeHost(false);
    const gate = new ScenarioRunGate(host);
    assert.equal(listeners.length, 1);
    gate.dispose();
    assert.equal(listeners.length, 0);
  });
});
