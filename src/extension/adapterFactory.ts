// Runs MDL Lab's debug adapter inline in the extension host (Node or browser worker alike), with
// scenario files read through the workspace file system.
import * as vscode from 'vscode';
import { MdlDebugSession } from '../adapter/session';
import { defaultEngineDeps } from '../engine/defaultDeps';
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
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const mapper = mapperFor(session);
    const host = new WorkspaceFileHost(mapper);
    // The session's ProtocolServer has the shape of vscode.DebugAdapter (handleMessage, onDidSendMessage).
    const inner = new MdlDebugSession(host, defaultEngineDeps) as unknown as vscode.DebugAdapter;
    return new vscode.DebugAdapterInlineImplementation(new UriMappingAdapter(inner, mapper));
  }
}
