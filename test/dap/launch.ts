// Launching a scenario through the standalone adapter the way VS Code does (initialize, launch,
// breakpoints, configurationDone) and waiting for its first stop: shared by the DAP and panel tests.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

/** Launches `program` with breakpoints on `lines` and resolves with the first stopped event. */
export async function launchTo(dc: DebugClient, program: string, lines: number[], extra: Record<string, unknown> = {}, stopTimeout = 20000): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest({ adapterID: 'mdl', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsVariableType: true, supportsMemoryReferences: true });
  const stopped = dc.waitForEvent('stopped', stopTimeout) as Promise<DebugProtocol.StoppedEvent>;
  const launched = dc.launch({ program, ...extra });
  await dc.waitForEvent('initialized', 20000);
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: lines.map((line) => ({ line })) });
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}
