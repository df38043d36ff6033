// Compiler intrinsics and CRT helpers the driver C runtime provides itself when the emulator has no
// routine of that name (memcpy, memset, strlen, __debugbreak…). Every byte goes through GuestMemory.
import type { GuestKernel, NativeResult, U64 } from '../emulator/contract';
import { toAddr } from './codegen';

type Impl = (args: any[]) => NativeResult;

function n(v: U64): number { return Number(v); }

export function intrinsic(name: string, kernel: GuestKernel): Impl | undefined {
  const m = kernel.memory;
  const strlenAt = (a: number, w: number) => {
    let i = 0;
    while ((w === 1 ? m.read8(a + i) : m.read16(a + i)) !== 0) i += w;
    return i / w;
  };
  switch (name) {
    case 'LabBreak': case 'DbgBreakPoint': case '__debugbreak': case 'KdBreakPoint': return () => 0;
    case 'memcpy': case 'memmove': case 'RtlCopyMemory': case 'RtlMoveMemory':
      return ([d, s, len]) => { const L = n(len); if (L > 0) m.writeBytes(toAddr(d), m.readBytes(toAddr(s), L)); return d; };
    case 'memset': return ([d, c, len]) => { const L = n(len); if (L > 0) m.writeBytes(toAddr(d), new Uint8Array(L).fill(n(c) & 0xff)); return d; };
    case 'RtlZeroMemory': return ([d, len]) => { const L = n(len); if (L > 0) m.writeBytes(toAddr(d), new Uint8Array(L)); return 0; };
    case 'RtlFillMemory': return ([d, len, c]) => { const L = n(len); if (L > 0) m.writeBytes(toAddr(d), new Uint8Array(L).fill(n(c) & 0xff)); return 0; };
    case 'memcmp': return ([a, b, len]) => {
      const L = n(len);
      if (L <= 0) return 0;
      const x = m.readBytes(toAddr(a), L), y = m.readBytes(toAddr(b), L);
      for (let i = 0; i < L; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return 0;
    };
    case 'RtlCompareMemory': return ([a, b, len]) => {
      const L = n(len);
      const x = m.readBytes(toAddr(a), L), y = m.readBytes(toAddr(b), L);
      let i = 0;
      while (i < L && x[i] === y[i]) i++;
      return i;
    };
    case 'strlen': return ([s]) => strlenAt(toAddr(s), 1);
    case 'wcslen': return ([s]) => strlenAt(toAddr(s), 2);
    case 'strcmp': return ([a, b]) => {
      const A = toAddr(a), B = toAddr(b);
      for (let i = 0; ; i++) {
        const x = m.read8(A + i), y = m.read8(B + i);
        if (x !== y) return x < y ? -1 : 1;
        if (x === 0) return 0;
      }
    };
    case 'strcpy': return ([d, s]) => { const L = strlenAt(toAddr(s), 1) + 1; m.writeBytes(toAddr(d), m.readBytes(toAddr(s), L)); return d; };
    case 'wcscpy': return ([d, s]) => { const L = (strlenAt(toAddr(s), 2) + 1) * 2; m.writeBytes(toAddr(d), m.readBytes(toAddr(s), L)); return d; };
    case 'abs': case 'labs': return ([x]) => { const v = n(x) | 0; return v < 0 ? -v | 0 : v; };
    default: return undefined;
  }
}
