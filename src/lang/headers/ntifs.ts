// <ntifs.h>: <ntddk.h> plus what file-system and filter drivers use (process attach, requestor).

export const NTIFS_H = `/* <ntifs.h>: everything in <ntddk.h>, plus process attachment and IRP requestor queries. */
#ifndef _MDLAB_NTIFS_H
#define _MDLAB_NTIFS_H
#include <ntddk.h>

VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState);
VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState);
PEPROCESS IoGetRequestorProcess(PIRP Irp);
#endif
`;
