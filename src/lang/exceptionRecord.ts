// GetExceptionInformation(): the EXCEPTION_POINTERS and x64 EXCEPTION_RECORD an __except filter sees.
import type { GuestMemory, SehException } from '../emulator/contract';

/**
 * Writes, at `at`, the record of the exception being dispatched for its filters: the code,
 * EXCEPTION_NONCONTINUABLE for one raised by ExRaiseStatus (`raised`), the C statement's pseudo
 * address and, for an access violation, the read/write flag and the faulting address.
 */
export function writeExceptionRecord(m: GuestMemory, at: number, e: SehException, raised: boolean, address: number): void {
  const params: number[] = e.status >>> 0 === 0xc0000005 && e.faultAddress !== undefined ? [e.faultWrite ? 1 : 0, e.faultAddress] : [];
  m.write64(at, at + 0x10); // ExceptionRecord
  m.write64(at + 8, 0); // ContextRecord: no CONTEXT is modelled
  m.write32(at + 0x10, e.status >>> 0);
  m.write32(at + 0x14, raised ? 1 : 0); // ExRaiseStatus raises noncontinuable exceptions
  m.write64(at + 0x18, 0);
  m.write64(at + 0x20, address);
  m.write32(at + 0x28, params.length);
  for (let i = 0; i < 15; i++) m.write64(at + 0x30 + 8 * i, params[i] ?? 0);
}
