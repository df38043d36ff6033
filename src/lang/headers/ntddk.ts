// <ntddk.h>: <wdm.h> plus the routines only non-WDM kernel drivers may call.

export const NTDDK_H = `/* <ntddk.h>: everything in <wdm.h>, plus physical-address and process queries. */
#ifndef _MDLAB_NTDDK_H
#define _MDLAB_NTDDK_H
#include <wdm.h>

BOOLEAN MmIsAddressValid(PVOID VirtualAddress);
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);
PEPROCESS IoGetCurrentProcess(VOID);
#endif
`;
