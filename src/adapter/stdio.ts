// Standalone stdio debug adapter (dist/adapter.js): the same session the extension runs inline,
// over stdin/stdout, reading scenario files from the local disk. Used by DAP tests and other editors.
import { NodeFileHost } from '../cli/nodeFileHost';
import { MdlDebugSession } from './session';

const session = new MdlDebugSession(new NodeFileHost());
process.on('SIGTERM', () => {
  session.dispose();
  process.exit(0);
});
// A bug in a request handler must answer that request with an error, not end the process.
process.on('uncaughtException', (e) => process.stderr.write(`mdl-lab adapter: ${e.stack ?? e.message}\n`));
session.start(process.stdin, process.stdout);
