// Continuations for routines that call back into C (dispatch and completion routines, DriverEntry):
// a native returns a GuestCallRequest and goes on in `resume`. Every continuation here is a pure
// function of immutable captured values plus emulated state, so the interpreter may restore a
// checkpoint taken inside a callback and resume the same request again.
import type { GuestCallRequest, NativeResult, U64 } from '../contract';

export function isGuestCall(r: NativeResult): r is GuestCallRequest {
  return r !== null && typeof r === 'object' && (r as GuestCallRequest).kind === 'call-guest';
}

/** A call of the guest function at `target`; its return value is the result. */
export function callGuest(target: number, args: U64[]): GuestCallRequest {
  return { kind: 'call-guest', target, args, resume: (rv) => rv };
}

/** Go on with `next` once `r` (an immediate value or a chain of guest calls) has produced its value. */
export function then(r: NativeResult, next: (value: U64) => NativeResult): NativeResult {
  if (isGuestCall(r)) {
    return { kind: 'call-guest', target: r.target, args: r.args, resume: (rv) => then(r.resume(rv), next) };
  }
  return next((r ?? 0) as U64);
}

/** NTSTATUS of a U64 return value, as an unsigned 32-bit number. */
export function ntStatus(v: U64): number {
  return Number(BigInt.asUintN(32, BigInt(v)));
}

export function ntSuccess(status: number): boolean {
  return (status >>> 0) < 0x80000000;
}

/** The status as the C caller sees an NTSTATUS (signed 32-bit). */
export function asLong(status: number): number {
  return status | 0;
}
