// The Node file host: scenario files from the local disk (CLI and stdio adapter only).
import { readFile, stat } from 'node:fs/promises';
import type { FileHost } from '../engine/host';

/** Larger than any scenario; a stray binary or device file is refused rather than read. */
const MAX_FILE_BYTES = 4 << 20;

export class NodeFileHost implements FileHost {
  async readFile(path: string): Promise<string | undefined> {
    try {
      const s = await stat(path);
      if (!s.isFile() || s.size > MAX_FILE_BYTES) return undefined;
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  }
}
