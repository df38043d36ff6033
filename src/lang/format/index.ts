// Turns compile diagnostics into the lines a C compiler prints: `file:line:col: error: message`,
// then the source line and a caret under the range (the CLI's stderr contract).
import type { Diagnostic } from '../contract';
import { builtinHeader } from '../headers/index';

/** Gives the text of a file named in a diagnostic; built-in headers (`<wdm.h>`) are found without it. */
export type SourceReader = (file: string) => string | undefined;

export interface FormatOptions {
  /** Print the source line and caret under each diagnostic (default true). */
  excerpt?: boolean;
  /** Stop after this many errors, with a note saying how many were left out (default: all). */
  maxErrors?: number;
}

/** `main.c:12:5: error: expected ';'` — the first line of every diagnostic. */
export function diagnosticHeadline(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

export function formatDiagnostic(d: Diagnostic, read?: SourceReader, options: FormatOptions = {}): string {
  const head = diagnosticHeadline(d);
  if (options.excerpt === false) return head;
  const text = sourceOf(d.file, read);
  if (text === undefined) return head;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const source = lines[d.line - 1];
  if (source === undefined) return head;
  const gutter = String(d.line).length + 1;
  const pad = ' '.repeat(gutter);
  const start = Math.min(Math.max(d.col - 1, 0), source.length);
  // The range may run past the line (or onto later lines): underline to the end of this line.
  const end = d.endLine > d.line ? source.length : Math.min(Math.max(d.endCol - 1, start + 1), Math.max(source.length, start + 1));
  // Keep tabs where the source has them so the caret lines up in any tab width.
  const lead = source.slice(0, start).replace(/[^\t]/g, ' ');
  const marks = '^' + '~'.repeat(Math.max(0, end - start - 1));
  return `${head}\n${String(d.line).padStart(gutter)} | ${source}\n${pad} | ${lead}${marks}`;
}

/** All diagnostics in order, each with its excerpt, then a summary line such as `2 errors, 1 warning`. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], read?: SourceReader, options: FormatOptions = {}): string {
  const out: string[] = [];
  let errors = 0;
  let shown = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') {
      errors++;
      if (options.maxErrors !== undefined && shown >= options.maxErrors) continue;
      shown++;
    }
    out.push(formatDiagnostic(d, read, options));
  }
  if (errors > shown) out.push(`note: ${errors - shown} more error${errors - shown === 1 ? '' : 's'} not shown`);
  const summary = summarize(diagnostics);
  if (summary) out.push(summary);
  return out.join('\n');
}

/** `1 error, 2 warnings`, or '' when there is nothing to report. Notes are not counted. */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const e = diagnostics.filter((d) => d.severity === 'error').length;
  const w = diagnostics.filter((d) => d.severity === 'warning').length;
  const parts: string[] = [];
  if (e) parts.push(`${e} error${e === 1 ? '' : 's'}`);
  if (w) parts.push(`${w} warning${w === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** Orders diagnostics by file, line and column, keeping the original order among equals. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : a.d.line - b.d.line || a.d.col - b.d.col || a.i - b.i))
    .map((x) => x.d);
}

function sourceOf(file: string, read?: SourceReader): string | undefined {
  const m = /^<(.+)>$/.exec(file);
  if (m) return builtinHeader(m[1]);
  try {
    return read?.(file);
  } catch {
    return undefined;
  }
}
