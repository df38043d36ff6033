// `db`, `dw`, `dd`, `dq`: memory dumps laid out as WinDbg prints them.
import { windbgHex } from '../../emulator/u64';

export type DumpUnit = 1 | 2 | 4 | 8;

/** One dump; `read` returns null where the range has no valid translation (printed as `?`). */
export function dumpMemory(start: number, count: number, unit: DumpUnit, read: (va: number, len: number) => Uint8Array | null): string[] {
  const lines: string[] = [];
  const bytesPerLine = 16;
  const total = count * unit;
  for (let off = 0; off < total; off += bytesPerLine) {
    const va = start + off;
    const len = Math.min(bytesPerLine, total - off);
    const bytes = read(va, len);
    const cells: string[] = [];
    for (let i = 0; i < len; i += unit) {
      if (!bytes) {
        cells.push('?'.repeat(unit * 2 + (unit === 8 ? 1 : 0)));
        continue;
      }
      if (unit === 1) cells.push(bytes[i].toString(16).padStart(2, '0'));
      else {
        let v = 0n;
        for (let b = unit - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b] ?? 0);
        const s = v.toString(16).padStart(unit * 2, '0');
        cells.push(unit === 8 ? `${s.slice(0, 8)}\`${s.slice(8)}` : s);
      }
    }
    let body: string;
    if (unit === 1) {
      body = cells.slice(0, 8).join(' ') + (cells.length > 8 ? '-' + cells.slice(8).join(' ') : '');
      body = body.padEnd(16 * 3, ' ');
      const ascii = bytes ? Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('') : '?'.repeat(len);
      body += ' ' + ascii;
    } else body = cells.join(' ');
    lines.push(`${windbgHex(va)}  ${body}`);
  }
  return lines;
}
