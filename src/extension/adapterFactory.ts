// Runs MDL Lab's debug adapter inline in the extension host (Node or browser worker alike), with
// scenario files read through the workspace file system.
import * as vscode from 'vscode';
import { MdlDebugSession } from '../adapter/session';
import { defaultEngineDeps } from '../engine/defaultDeps';
import { UNTRUSTED_RUN_MESSAGE, type ScenarioRunGate } from './trust';
import { UriMappingAdapter, UriPathMapper } from './uriMapping';
import { WorkspaceFileHost } from './workspaceFileHost';

/** Which workspace the session's file names belong to: its folder, else the program's URI. */
function mapperFor(session: vscode.DebugSession): UriPathMapper {
  const program = session.configuration.program;
  if (typeof program === 'string' && /^[a-z][\w+.-]+:\/\//i.test(program)) return UriPathMapper.forUri(vscode.Uri.parse(program));
  if (session.workspaceFolder) return UriPathMapper.forUri(session.workspaceFolder.uri);
  const active = vscode.window.activeTextEditor?.document.uri;
  return UriPathMapper.forUri(active ?? vscode.Uri.file('/'));
}

export class InlineMdlAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly gate?: ScenarioRunGate) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    // The last line of the trust policy: no adapter, so no scenario, in Restricted Mode.
    if (this.gate && !this.gate.canRun) throw new Error(UNTRUSTED_RUN_MESSAGE);
    const mapper = mapperFor(session);
    const host = new WorkspaceFileHost(mapper);
    // The session's ProtocolServer has the shape of vscode.DebugAdapter (handleMessage, onDidSendMessage).
    const inner = new MdlDebugSession(host, defaultEngineDeps) as unknown as vscode.DebugAdapter;
    return new vscode.DebugAdapterInlineImplementation(new UriMappingAdapter(inner, mapper));
  }
}
