// <ntifs.h>: <ntddk.h> plus what file-system and filter drivers use (process attach, requestor).

export const NTIFS_H = `/* <ntifs.h>: everything in <ntddk.h>, plus process attachment and IRP requestor queries. */
#ifndef _MDLAB_NTIFS_H
#define _MDLAB_NTIFS_H
#include <ntddk.h>

VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState);
VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState);
PEPROCESS IoGetRequestorProcess(PIRP Irp);
PDEVICE_OBJECT IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject);

/* Flag and pointer helpers of file-system code */
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#define Add2Ptr(P, I) ((PVOID)((PUCHAR)(P) + (I)))
#define PtrOffset(B, O) ((ULONG)((ULONG_PTR)(O) - (ULONG_PTR)(B)))
#endif
`;
