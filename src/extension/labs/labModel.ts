// What a workshop lab is (its lab.json) and the pure pieces of opening one: launch
// configurations, breakpoint links and the lab guide's page. No vscode import, so it is unit-tested.

/** How a run of scenario.c or exercise.c ends: exit 0 ok, 1 a LabExpect failed, 2 compile error, 3 bug check. */
export interface LabOutcome {
  exit: 0 | 1 | 2 | 3;
  bugcheck?: string;
  p1?: string;
  p2?: string;
  p3?: string;
  p4?: string;
  expectFailed?: string;
}

export interface LabBreakpoint {
  /** 1-based line in scenario.c */
  line: number;
  /** Text that line holds (guards against edits moving the line). */
  text: string;
  /** What to watch when stopped there. */
  note: string;
}

export interface LabManifest {
  id: string;
  order: number;
  title: string;
  summary: string;
  seeds: string[];
  reference: string[];
  /** e.g. "64m": the launch configuration's physicalMemory and the CLI's --memory. */
  physicalMemory?: string;
  /** Emulator features the lab needs beyond the memory manager (e.g. "io-manager"). */
  requires?: string[];
  breakpoints: LabBreakpoint[];
  scenario: LabOutcome;
  exercise: LabOutcome;
}

/** The files a lab consists of, copied together when a lab is opened. */
export const LAB_FILES = ['README.md', 'scenario.c', 'exercise.c', 'lab.json'] as const;

/** Parses lab.json; throws an Error whose message names the lab and every problem found. */
export function parseLabManifest(text: string, folderName: string): LabManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`lab ${folderName}: lab.json is not valid JSON (${(e as Error).message})`);
  }
  const lab = raw as Partial<LabManifest>;
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null) problems.push('lab.json must hold an object');
  else {
    if (lab.id !== folderName) problems.push(`id "${String(lab.id)}" differs from the folder name`);
    if (!Number.isInteger(lab.order)) problems.push('order must be an integer');
    if (typeof lab.title !== 'string' || !lab.title) problems.push('title is required');
    if (typeof lab.summary !== 'string') problems.push('summary is required');
    if (!Array.isArray(lab.breakpoints)) problems.push('breakpoints must be a list');
    else if (lab.breakpoints.some((b) => !Number.isInteger(b?.line) || b.line < 1)) problems.push('every breakpoint needs a line >= 1');
    if (lab.physicalMemory !== undefined && !/^\d+[kmgt]?b?$/i.test(lab.physicalMemory)) problems.push(`physicalMemory "${lab.physicalMemory}" is not a size such as 64m`);
    for (const which of ['scenario', 'exercise'] as const) {
      const o = lab[which];
      if (!o || ![0, 1, 2, 3].includes(o.exit)) problems.push(`${which}.exit must be 0, 1, 2 or 3`);
    }
  }
  if (problems.length) throw new Error(`lab ${folderName}: ${problems.join('; ')}`);
  const manifest = lab as LabManifest;
  return { ...manifest, seeds: manifest.seeds ?? [], reference: manifest.reference ?? [] };
}

/** labs/index.json: the lab folders the extension ships, by name. */
export function parseLabIndex(text: string): string[] {
  const index = JSON.parse(text) as { labs?: unknown };
  if (!Array.isArray(index.labs) || index.labs.some((n) => typeof n !== 'string' || !/^\d\d-[a-z0-9-]+$/.test(n))) {
    throw new Error('labs/index.json must be {"labs": ["01-name", …]}');
  }
  return index.labs as string[];
}

export function sortLabs(labs: LabManifest[]): LabManifest[] {
  return [...labs].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** "Lab 3 — Nonpaged pool" */
export function labLabel(lab: LabManifest): string {
  return `Lab ${lab.order} — ${lab.title}`;
}

/**
 * The two launch configurations of a lab (scenario and exercise). `folderExpr` is where the lab's
 * files are, as launch.json writes it, e.g. "${workspaceFolder}/labs/03-nonpaged-pool".
 */
export function labLaunchConfigurations(lab: LabManifest, folderExpr: string): Array<Record<string, unknown>> {
  const base = (file: 'scenario.c' | 'exercise.c', name: string): Record<string, unknown> => {
    const c: Record<string, unknown> = { type: 'mdl', request: 'launch', name, program: `${folderExpr}/${file}`, stopOnEntry: false };
    if (lab.physicalMemory) c.physicalMemory = lab.physicalMemory;
    return c;
  };
  return [base('scenario.c', `${labLabel(lab)}: scenario`), base('exercise.c', `${labLabel(lab)}: exercise`)];
}

/**
 * Merges configurations into an existing launch.json `configurations` list: an entry with the same
 * name is replaced, others are kept in order.
 */
export function mergeConfigurations(existing: unknown, added: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const list = Array.isArray(existing) ? (existing as Array<Record<string, unknown>>) : [];
  const names = new Set(added.map((c) => c.name));
  return [...list.filter((c) => !names.has(c?.name)), ...added];
}

/** The text of a new folder's .vscode/launch.json for a lab opened on its own. */
export function launchJsonText(configurations: Array<Record<string, unknown>>): string {
  return `${JSON.stringify({ version: '0.2.0', configurations }, null, 2)}\n`;
}

/** Arguments of the "set a breakpoint" command a README link carries. */
export interface BreakAtArgs {
  lab: string;
  file: string;
  line: number;
}

export const BREAK_AT_COMMAND = 'mdlLab.breakAt';

/** The command URI of a README link that sets a breakpoint: command:mdlLab.breakAt?[{…}] */
export function breakAtUri(args: BreakAtArgs): string {
  return `command:${BREAK_AT_COMMAND}?${encodeURIComponent(JSON.stringify([args]))}`;
}

/** Validates what a command link or a caller passed; returns null for anything malformed. */
export function parseBreakAtArgs(arg: unknown): BreakAtArgs | null {
  const a = (Array.isArray(arg) ? arg[0] : arg) as Partial<BreakAtArgs> | undefined;
  if (!a || typeof a !== 'object') return null;
  if (typeof a.lab !== 'string' || !/^\d\d-[a-z0-9-]+$/.test(a.lab)) return null;
  if (typeof a.file !== 'string' || !/^[A-Za-z0-9_.-]+\.c$/.test(a.file)) return null;
  if (!Number.isInteger(a.line) || (a.line as number) < 1) return null;
  return { lab: a.lab, file: a.file, line: a.line as number };
}

/** Every breakpoint link in a README, decoded (malformed ones as null). */
export function breakLinksIn(markdown: string): Array<BreakAtArgs | null> {
  const out: Array<BreakAtArgs | null> = [];
  for (const m of markdown.matchAll(/\(command:mdlLab\.breakAt\?([^)\s]+)\)/g)) {
    try {
      out.push(parseBreakAtArgs(JSON.parse(decodeURIComponent(m[1]))));
    } catch {
      out.push(null);
    }
  }
  return out;
}

/** Paths (relative to a workspace folder) where an opened lab's file may be. */
export function candidatePaths(args: BreakAtArgs): string[] {
  return [`labs/${args.lab}/${args.file}`, `${args.lab}/${args.file}`, args.file];
}

/**
 * The lab guide's page: the README rendered to HTML by VS Code's markdown engine, shown in a
 * webview without scripts, whose only active content is command links to MDL Lab's own commands.
 */
export function labGuideHtml(opts: { title: string; bodyHtml: string; cspSource: string; nonce: string }): string {
  const csp = [`default-src 'none'`, `img-src ${opts.cspSource} https: data:`, `style-src 'nonce-${opts.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${opts.nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); line-height: 1.5; padding: 0 1.2em 2em; max-width: 56em; }
  a { color: var(--vscode-textLink-foreground); }
  a[href^="command:mdlLab.breakAt"] { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 0.3em; border-radius: 3px; }
  code, pre { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); }
  pre { padding: 0.6em; overflow-x: auto; }
  h1, h2 { border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 0.2em; }
</style>
</head>
<body>
${opts.bodyHtml}
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Removes what a README copied into a workspace could smuggle into the guide: scripts, frames,
 * event handlers, and command links to anything but MDL Lab's lab commands.
 */
export function sanitizeGuideHtml(html: string, allowedCommands: readonly string[]): string {
  const banned = 'script|iframe|object|embed|form|style|link|meta|base|frame|frameset|svg|math';
  let out = html.replace(new RegExp(`<\\s*(${banned})\\b[^>]*>[\\s\\S]*?<\\s*\\/\\s*\\1\\s*>`, 'gi'), '');
  out = out.replace(new RegExp(`<\\s*\\/?\\s*(${banned})\\b[^>]*>`, 'gi'), '');
  out = out.replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
  out = out.replace(/\shref\s*=\s*("([^"]*)"|'([^']*)')/gi, (whole, _q, d1?: string, d2?: string) => {
    const href = (d1 ?? d2 ?? '').trim();
    const m = /^command:([A-Za-z0-9_.]+)/i.exec(href);
    if (m) return allowedCommands.includes(m[1]) ? whole : ' href="#"';
    if (/^(javascript|vbscript|data):/i.test(href)) return ' href="#"';
    return whole;
  });
  return out;
}

/** A nonce for the guide's CSP; deterministic sources are not needed here, only unpredictability. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}
