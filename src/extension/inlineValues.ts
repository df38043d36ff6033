// Editor help while stopped: locals shown inline at the end of the lines that use them, and hover
// over a member chain such as `mdl->MdlFlags` (the adapter decodes the flags in its answer).
import * as vscode from 'vscode';

const C_WORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'int', 'long', 'register', 'return', 'short', 'signed', 'sizeof', 'static',
  'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', '__try', '__except',
  '__finally', '__leave', 'NULL', 'TRUE', 'FALSE', 'VOID',
]);

const IDENT = /\b[A-Za-z_]\w*\b/g;
/** A function definition starts in column 0 and has a parameter list. */
const FUNCTION_HEAD = /^[A-Za-z_][\w\s*]*\b[A-Za-z_]\w*\s*\([^;]*$/;

/** The lines from the start of the stopped function to the stopped line, clipped to the viewport. */
function linesOfInterest(doc: vscode.TextDocument, viewport: vscode.Range, stopLine: number): [number, number] {
  let first = stopLine;
  while (first > 0 && !FUNCTION_HEAD.test(doc.lineAt(first).text)) first--;
  return [Math.max(first, viewport.start.line), Math.min(stopLine, viewport.end.line)];
}

/** Identifiers used on a line, outside comments and string literals, that could be variables. */
export function variableNamesOnLine(text: string): { name: string; start: number }[] {
  const code = text.replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => ' '.repeat(s.length));
  const out: { name: string; start: number }[] = [];
  for (const m of code.matchAll(IDENT)) {
    const name = m[0];
    const before = code.slice(0, m.index).trimEnd();
    const after = code.slice(m.index! + name.length).trimStart();
    if (C_WORDS.has(name) || after.startsWith('(')) continue; // keywords and calls
    if (before.endsWith('->') || before.endsWith('.')) continue; // fields are shown with their owner
    if (/^[A-Z0-9_]+$/.test(name) && name.length > 1) continue; // macros and constants (PAGE_SIZE)
    out.push({ name, start: m.index! });
  }
  return out;
}

export class MdlInlineValuesProvider implements vscode.InlineValuesProvider {
  provideInlineValues(doc: vscode.TextDocument, viewport: vscode.Range, context: vscode.InlineValueContext): vscode.InlineValue[] {
    const [first, last] = linesOfInterest(doc, viewport, context.stoppedLocation.end.line);
    const values: vscode.InlineValue[] = [];
    for (let line = first; line <= last; line++) {
      const seen = new Set<string>();
      for (const { name, start } of variableNamesOnLine(doc.lineAt(line).text)) {
        if (seen.has(name)) continue;
        seen.add(name);
        values.push(new vscode.InlineValueVariableLookup(new vscode.Range(line, start, line, start + name.length), name, false));
      }
    }
    return values;
  }
}

/** `a->b.c[2]` around the cursor, so hovering a field evaluates the whole access. */
const MEMBER_CHAIN = /[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*|\[\s*\w+\s*\])*/g;

export class MdlEvaluatableExpressionProvider implements vscode.EvaluatableExpressionProvider {
  provideEvaluatableExpression(doc: vscode.TextDocument, pos: vscode.Position): vscode.EvaluatableExpression | undefined {
    const text = doc.lineAt(pos.line).text;
    for (const m of text.matchAll(MEMBER_CHAIN)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (pos.character < start || pos.character > end) continue;
      // Stop the chain at the hovered name: hovering `mdl` in `mdl->MdlFlags` shows the MDL itself.
      const word = doc.getWordRangeAtPosition(pos);
      const stop = word ? word.end.character : end;
      const expr = text.slice(start, stop);
      if (C_WORDS.has(expr)) return undefined;
      return new vscode.EvaluatableExpression(new vscode.Range(pos.line, start, pos.line, stop), expr);
    }
    return undefined;
  }
}
