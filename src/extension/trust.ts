// Workspace trust: in Restricted Mode MDL Lab reads scenarios (hover, completion, code lenses, the
// MDL view, the lab guides) but runs none; running returns when the workspace is trusted. Kept free
// of the `vscode` module (the host is injected) so the policy is unit-tested outside VS Code.

/** What a user reads when a run is refused in Restricted Mode. */
export const UNTRUSTED_RUN_MESSAGE =
  'MDL Lab runs scenarios only in a trusted workspace. This workspace is in Restricted Mode: hover, completion and the MDL view still work, but nothing runs until you trust it.';
export const MANAGE_TRUST = 'Manage Workspace Trust';

/** What the gate needs from VS Code (activate.ts binds it to `vscode.workspace` and `vscode.window`). */
export interface TrustHost {
  isTrusted(): boolean;
  onDidGrantTrust(listener: () => void): { dispose(): void };
  /** Shows a warning with buttons; resolves with the button chosen, if any. */
  warn(message: string, ...buttons: string[]): PromiseLike<string | undefined>;
  /** Shows a note with buttons; resolves with the button chosen, if any. */
  inform(message: string, ...buttons: string[]): PromiseLike<string | undefined>;
  /** Opens VS Code's Workspace Trust editor. */
  manageTrust(): PromiseLike<unknown>;
}

/** A refused run: what it was, and how to start it again once trust is granted. */
export interface RefusedRun {
  readonly what: string;
  readonly retry?: () => unknown;
}

export class ScenarioRunGate {
  private readonly subscription: { dispose(): void };
  private pending: RefusedRun | undefined;
  private refused = 0;
  private grants = 0;

  constructor(private readonly host: TrustHost) {
    this.subscription = host.onDidGrantTrust(() => this.trustGranted());
  }

  /** True when scenarios may run: the workspace is trusted (read afresh each time). */
  get canRun(): boolean {
    return this.host.isTrusted();
  }

  /** How many runs were refused since activation (the end-to-end tests read it). */
  get refusals(): number {
    return this.refused;
  }

  /** How many times trust was granted while MDL Lab was active. */
  get trustGrants(): number {
    return this.grants;
  }

  /** The latest refused run still waiting for trust, if any. */
  get waiting(): RefusedRun | undefined {
    return this.pending;
  }

  /**
   * True when `what` (e.g. 'Debug scenario.c') may run now. Otherwise tells the user why, offers
   * VS Code's trust editor, remembers `retry` for when trust arrives, and returns false.
   */
  allowRun(what: string, retry?: () => unknown): boolean {
    if (this.host.isTrusted()) return true;
    this.refused++;
    this.pending = { what, retry };
    void Promise.resolve(this.host.warn(UNTRUSTED_RUN_MESSAGE, MANAGE_TRUST)).then((choice) => {
      if (choice === MANAGE_TRUST) return this.host.manageTrust();
      return undefined;
    });
    return false;
  }

  /** Trust arrived: runs work again; offer to start the run that was refused last. */
  private trustGranted(): void {
    this.grants++;
    const run = this.pending;
    this.pending = undefined;
    if (!run?.retry) return;
    void Promise.resolve(this.host.inform('The workspace is trusted: MDL Lab runs scenarios again.', run.what)).then((choice) => {
      if (choice === run.what) return run.retry?.();
      return undefined;
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
