// The adapter over the toy interpreter, on stdio.
import { MdlDebugSession } from '../../src/adapter/session';
import { MemoryFileHost } from '../../src/engine/host';
import { TOY_FILE, toyDeps } from '../unit/engine/doubles';
import { LOOP_PROGRAM } from './toyProgram';

const session = new MdlDebugSession(new MemoryFileHost({ [TOY_FILE]: 'VOID LabMain(VOID) {}', '/lab/bad.c': 'syntax error' }), toyDeps(LOOP_PROGRAM));
session.start(process.stdin, process.stdout);
