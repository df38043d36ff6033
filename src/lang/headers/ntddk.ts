// <ntddk.h>: <wdm.h> plus the routines only non-WDM kernel drivers may call.

export const NTDDK_H = `/* <ntddk.h>: everything in <wdm.h>, plus physical-address and process queries and associated IRPs. */
#ifndef _MDLAB_NTDDK_H
#define _MDLAB_NTDDK_H
#include <wdm.h>

BOOLEAN MmIsAddressValid(PVOID VirtualAddress);
PIRP IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize);
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);
PEPROCESS IoGetCurrentProcess(VOID);
#endif
`;
