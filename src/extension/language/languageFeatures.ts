// Editing support for scenario files: live diagnostics, hover, completion, signature help, go to
// definition and "Run | Debug" code lenses, all answered by the language services in src/lang.
import * as vscode from 'vscode';
import { LanguageService, type CompletionEntry } from '../../lang/services';
import type { Diagnostic, SourceLocation } from '../../lang/contract';
import { BuiltinHeaderProvider, HEADER_SCHEME, headerUri } from './headerDocuments';
import { isScenario, sourcesFor } from './scenarioDocuments';
import type { UriPathMapper } from '../uriMapping';
import { programFor } from '../debugConfiguration';
import { DEBUG_SCENARIO, RUN_SCENARIO } from '../commandIds';
import type { ScenarioRunGate } from '../trust';

const SELECTOR: vscode.DocumentSelector = [{ language: 'c' }];
/** Long enough not to re-check on every keystroke, short enough to feel live. */
const DEBOUNCE_MS = 350;

export function registerLanguageFeatures(context: vscode.ExtensionContext, gate?: ScenarioRunGate): LanguageService {
  const service = new LanguageService();
  const diagnostics = vscode.languages.createDiagnosticCollection('mdl-lab');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const check = async (doc: vscode.TextDocument) => {
    if (!isScenario(doc)) return;
    const { path, host, mapper } = await sourcesFor(doc);
    const found = service.check(path, host);
    const byUri = new Map<string, { uri: vscode.Uri; items: vscode.Diagnostic[] }>();
    for (const d of found) {
      if (d.file.startsWith('<')) continue; // inside a built-in header: reported at the include by the preprocessor
      const uri = mapper.toUri(d.file);
      const entry = byUri.get(uri.toString()) ?? { uri, items: [] };
      entry.items.push(toVsDiagnostic(d));
      byUri.set(uri.toString(), entry);
    }
    diagnostics.set(doc.uri, byUri.get(doc.uri.toString())?.items ?? []);
    for (const [key, e] of byUri) if (key !== doc.uri.toString()) diagnostics.set(e.uri, e.items);
  };
  const schedule = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => void check(doc).catch(() => undefined), DEBOUNCE_MS));
  };

  const withSources = async <T>(doc: vscode.TextDocument, f: (path: string, mapper: UriPathMapper, host: import('../../lang/contract').SourceHost) => T): Promise<T | undefined> => {
    if (!isScenario(doc)) return undefined;
    const { path, host, mapper } = await sourcesFor(doc);
    return f(path, mapper, host);
  };
  const pos = (p: vscode.Position) => ({ line: p.line + 1, col: p.character + 1 });
  const toLocation = (loc: SourceLocation, mapper: UriPathMapper) => {
    const uri = loc.file.startsWith('<') ? headerUri(loc.file.slice(1, -1)) : mapper.toUri(loc.file);
    return new vscode.Location(uri, new vscode.Position(loc.line - 1, Math.max(0, loc.col - 1)));
  };

  context.subscriptions.push(
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(HEADER_SCHEME, new BuiltinHeaderProvider()),
    vscode.workspace.onDidOpenTextDocument(schedule),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)),
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover: (doc, p) =>
        withSources(doc, (path, _m, host) => {
          const md = service.hover(path, doc.getText(), pos(p), host);
          return md ? new vscode.Hover(new vscode.MarkdownString(md)) : undefined;
        }),
    }),
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        provideCompletionItems: (doc, p) =>
          withSources(doc, (path, _m, host) => service.complete(path, doc.getText(), pos(p), host).map(toCompletionItem)),
      },
      '>', '.',
    ),
    vscode.languages.registerSignatureHelpProvider(
      SELECTOR,
      {
        provideSignatureHelp: (doc, p) =>
          withSources(doc, (path, _m, host) => {
            const s = service.signatureHelp(path, doc.getText(), pos(p), host);
            if (!s) return undefined;
            const help = new vscode.SignatureHelp();
            const info = new vscode.SignatureInformation(s.label, s.documentation);
            info.parameters = s.parameters.map((p) => new vscode.ParameterInformation(p));
            help.signatures = [info];
            help.activeSignature = 0;
            help.activeParameter = s.activeParameter;
            return help;
          }),
      },
      '(', ',',
    ),
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      provideDefinition: (doc, p) =>
        withSources(doc, (path, mapper, host) => {
          const loc = service.definition(path, doc.getText(), pos(p), host);
          return loc ? toLocation(loc, mapper) : undefined;
        }),
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      provideCodeLenses: (doc) =>
        withSources(doc, (path, _m, host) =>
          service.codeLenses(path, host).flatMap((l) => {
            const range = new vscode.Range(l.line - 1, 0, l.line - 1, 0);
            return [
              new vscode.CodeLens(range, { title: '$(play) Run scenario', command: RUN_SCENARIO, arguments: [doc.uri] }),
              new vscode.CodeLens(range, { title: '$(debug-alt) Debug scenario', command: DEBUG_SCENARIO, arguments: [doc.uri] }),
            ];
          }),
        ),
    }),
    // Debug is the shell's command (commands.ts); Run is the same launch without debugging.
    vscode.commands.registerCommand(RUN_SCENARIO, (uri?: vscode.Uri) => runScenario(uri, gate)),
  );
  for (const doc of vscode.workspace.textDocuments) schedule(doc);
  return service;
}

/** Runs the scenario to its end without stopping: DbgPrint and the outcome go to the Debug Console. */
async function runScenario(uri: vscode.Uri | undefined, gate: ScenarioRunGate | undefined): Promise<boolean> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) return false;
  // In Restricted Mode, MDL Lab's own reason and a way to trust, before VS Code's generic prompt.
  const name = target.path.split('/').pop() || 'the scenario';
  if (gate && !gate.allowRun(`Run ${name}`, () => runScenario(target, gate))) return false;
  const folder = vscode.workspace.getWorkspaceFolder(target);
  return vscode.debug.startDebugging(folder, { type: 'mdl', request: 'launch', name: 'Run MDL scenario', program: programFor(target) }, { noDebug: true });
}

function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.line - 1, Math.max(0, d.col - 1), d.endLine - 1, Math.max(d.col, d.endCol - 1));
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const v = new vscode.Diagnostic(range, d.message, severity);
  v.source = 'MDL Lab';
  return v;
}

const KINDS: Record<CompletionEntry['kind'], vscode.CompletionItemKind> = {
  routine: vscode.CompletionItemKind.Function,
  function: vscode.CompletionItemKind.Function,
  macro: vscode.CompletionItemKind.Constant,
  flag: vscode.CompletionItemKind.EnumMember,
  type: vscode.CompletionItemKind.Struct,
  field: vscode.CompletionItemKind.Field,
  variable: vscode.CompletionItemKind.Variable,
  keyword: vscode.CompletionItemKind.Keyword,
  constant: vscode.CompletionItemKind.EnumMember,
};

function toCompletionItem(e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(e.label, KINDS[e.kind]);
  item.detail = e.detail;
  if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
  return item;
}
