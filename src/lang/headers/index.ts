// The built-in headers, by the name used in `#include <name>` (lower case, forward slashes).
import { LIMITS_H, STDARG_H, STDBOOL_H, STDDEF_H, STDINT_H, STRING_H } from './crt';
import { MDLAB_H } from './mdlab';
import { NTDDK_H } from './ntddk';
import { NTDEF_H } from './ntdef';
import { NTIFS_H } from './ntifs';
import { NTSTATUS_H } from './ntstatus';
import { NTSTRSAFE_H } from './ntstrsafe';
import { DRIVERSPECS_H, SAL_H } from './sal';
import { SDKDDKVER_H } from './sdkddkver';
import { WDM_H } from './wdm';

const HEADERS: Readonly<Record<string, string>> = {
  'ntifs.h': NTIFS_H,
  'ntddk.h': NTDDK_H,
  'wdm.h': WDM_H,
  'ntdef.h': NTDEF_H,
  'ntstatus.h': NTSTATUS_H,
  'mdlab.h': MDLAB_H,
  'ntstrsafe.h': NTSTRSAFE_H,
  'sal.h': SAL_H,
  'driverspecs.h': DRIVERSPECS_H,
  'sdkddkver.h': SDKDDKVER_H,
  'stddef.h': STDDEF_H,
  'stdarg.h': STDARG_H,
  'string.h': STRING_H,
  'stdint.h': STDINT_H,
  'stdbool.h': STDBOOL_H,
  'limits.h': LIMITS_H,
};

/** The text of a built-in header, e.g. builtinHeader('ntifs.h'); undefined if there is none. */
export function builtinHeader(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HEADERS, name) ? HEADERS[name] : undefined;
}

export function builtinHeaderNames(): string[] {
  return Object.keys(HEADERS);
}
