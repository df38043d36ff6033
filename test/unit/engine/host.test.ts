// The scenario sandbox: #include reads only files inside the scenario's folder (issue 11).
import { strict as assert } from 'node:assert';
import { MemoryFileHost, normalizePath, prefetchSources } from '../../../src/engine/host';

describe('scenario file sandbox', () => {
  const files = {
    '/ws/lab/scenario.c': '#include "helpers.h"\n#include "sub/more.h"\n#include "../secret.h"\n#include "/etc/passwd"\n#include <ntifs.h>\n',
    '/ws/lab/helpers.h': '#include "sub/more.h"\n',
    '/ws/lab/sub/more.h': '#include "../../secret.h"\n#include "../helpers.h"\n',
    '/ws/secret.h': 'int secret;',
    '/etc/passwd': 'root:x:0:0',
  };
  const reads: string[] = [];
  const host = {
    async readFile(path: string) {
      reads.push(path);
      return new MemoryFileHost(files).readFile(path);
    },
  };

  it('an #include beside the scenario or in a subfolder resolves, and ".." back inside stays allowed', async () => {
    const src = await prefetchSources(host, '/ws/lab/scenario.c');
    assert.equal(src.resolveInclude('/ws/lab/scenario.c', 'helpers.h'), '/ws/lab/helpers.h');
    assert.equal(src.resolveInclude('/ws/lab/scenario.c', 'sub/more.h'), '/ws/lab/sub/more.h');
    assert.equal(src.resolveInclude('/ws/lab/sub/more.h', '../helpers.h'), '/ws/lab/helpers.h');
    assert.equal(src.readFile('/ws/lab/sub/more.h'), files['/ws/lab/sub/more.h']);
  });

  it('an #include that climbs out of the scenario folder or names an absolute path reads nothing', async () => {
    reads.length = 0;
    const src = await prefetchSources(host, '/ws/lab/scenario.c');
    assert.equal(src.resolveInclude('/ws/lab/scenario.c', '../secret.h'), undefined);
    assert.equal(src.resolveInclude('/ws/lab/sub/more.h', '../../secret.h'), undefined);
    assert.equal(src.resolveInclude('/ws/lab/scenario.c', '/etc/passwd'), undefined);
    assert.equal(src.resolveInclude('/ws/lab/scenario.c', 'C:\\Windows\\win.ini'), undefined);
    assert.ok(!reads.includes('/ws/secret.h') && !reads.includes('/etc/passwd'), `the host was never asked for files outside: ${reads.join(', ')}`);
  });

  it('paths normalise separators and dots the same way on every host', () => {
    assert.equal(normalizePath('/ws/lab/./sub/../x.c'), '/ws/lab/x.c');
    assert.equal(normalizePath('C:\\ws\\lab\\x.c'), 'C:/ws/lab/x.c');
    assert.equal(normalizePath('./samples/a.c'), 'samples/a.c');
  });
});
