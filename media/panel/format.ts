// Number and address formatting the way WinDbg prints them: hex with a backtick between the high
// and low 32 bits of a 64-bit address, PFNs in hex, sizes in hex with a decimal hint.

/** Hex digits of a non-negative number, exact even above 2^53 (PFN junk, huge counts). */
export function hexDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isSafeInteger(n) && n >= 0) return n.toString(16);
  const b = BigInt(Math.trunc(n));
  return (b < 0n ? (b & 0xffffffffffffffffn) : b).toString(16);
}

/** 0x-prefixed hex of a number. */
export function hex(n: number): string {
  return '0x' + hexDigits(n);
}

/** A 64-bit address from the snapshot ("0xffffa00012340000") as WinDbg shows it: ffffa000`12340000. */
export function addr64(h: string): string {
  const d = h.replace(/^0x/i, '').toLowerCase().padStart(16, '0');
  return d.length === 16 ? `${d.slice(0, 8)}\`${d.slice(8)}` : d;
}

/** The unsigned value of a snapshot address. */
export function addrValue(h: string): bigint {
  return BigInt(h);
}

/** The snapshot form of an address value. */
export function addrHex(v: bigint): string {
  return '0x' + (v & 0xffffffffffffffffn).toString(16);
}

/** Virtual address of page i of an MDL whose StartVa is `startVa`. */
export function pageVa(startVa: string, i: number): string {
  return addrHex(BigInt(startVa) + BigInt(i) * 0x1000n);
}

export function isNullAddr(h: string): boolean {
  return /^0x0+$/i.test(h);
}

/** "0x3000 (12 KiB)" for byte counts. */
export function bytes(n: number): string {
  const kib = n / 1024;
  const human = n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(n % (1 << 30) ? 2 : 0)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 2 : 0)} MiB` : n >= 1024 ? `${kib % 1 ? kib.toFixed(2) : kib} KiB` : `${n} B`;
  return `${hex(n)} (${human})`;
}

/** PFN as WinDbg's !pfn prints it (hex, no prefix), padded for column alignment. */
export function pfnText(n: number): string {
  return hexDigits(n).padStart(5, '0');
}

/** Physical address of a frame: PFN << 12. */
export function physAddr(pfn: number): string {
  return hexDigits(pfn * 4096);
}
