// Lab 8 exercise — the DPC takes the short way to the buffer. Make it safe at DISPATCH_LEVEL.
// (The scenario's idea: a user address means something only in its own process, and only
// while its page is resident; at DISPATCH_LEVEL nothing can be paged in.
// The driver locks a request's buffer in the requester's context and keeps the system mapping.
// Later, its "DPC" runs at DISPATCH_LEVEL in whatever process happens to be current, and its
// worker runs in another process; both reach the buffer only through the system address.
#include <ntifs.h>
#include <mdlab.h>

#define BUFFER_BYTES PAGE_SIZE

typedef struct _REQUEST {
    PVOID UserVa;       // meaningful only in the requester's process
    PMDL Mdl;
    PUCHAR SystemVa;    // meaningful in every process, at any IRQL <= DISPATCH_LEVEL
    PEPROCESS Requester;
} REQUEST, *PREQUEST;

REQUEST g_Request;

    UCHAR first = ((PUCHAR)g_Request.UserVa)[0];
// Runs in the requester's context (a top-level driver's dispatch routine would).
NTSTATUS AcceptRequest(PVOID UserBuffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(UserBuffer, Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    PUCHAR sysVa = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (!sysVa) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_Request.UserVa = UserBuffer;
    g_Request.Mdl = mdl;
    g_Request.SystemVa = sysVa;
    g_Request.Requester = PsGetCurrentProcess();
    return STATUS_SUCCESS;
}

// Stands in for a DPC: runs at DISPATCH_LEVEL, in an arbitrary process.
VOID CompletionDpc(VOID)
{
    KIRQL oldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    // "The pages are locked, so the user VA is safe to touch."
    PUCHAR data = (PUCHAR)g_Request.UserVa;
    data[1] = 'P';
    data[2] = 'C';
    KeLowerIrql(oldIrql);
}

// Stands in for a worker thread: PASSIVE_LEVEL, but in another process's context.
VOID Worker(VOID)
{
    // The user VA is not this process's memory: the system VA is.
    g_Request.SystemVa[3] = '!';
    // To use the user VA itself, the worker must attach to the requester first.
    KAPC_STATE apc;
    KeStackAttachProcess(g_Request.Requester, &apc);
    UCHAR first = ((PUCHAR)g_Request.UserVa)[0];
    KeUnstackDetachProcess(&apc);
    LabExpect(first == 'D', "attached to the requester, its user VA shows the DPC's byte");
}

VOID LabMain(VOID)
{
    PEPROCESS client = LabCreateProcess("client.exe");
    PEPROCESS other = LabCreateProcess("indexer.exe");

    LabEnterProcess(client);
    PUCHAR buffer = (PUCHAR)LabUserAlloc(client, BUFFER_BYTES, PAGE_READWRITE);
    RtlZeroMemory(buffer, BUFFER_BYTES);
    NTSTATUS status = AcceptRequest(buffer, BUFFER_BYTES);
    LabExpect(NT_SUCCESS(status), "the request's buffer is locked and mapped");
    if (!NT_SUCCESS(status)) {
        return;
    }

    // Time passes: client.exe's working set is trimmed, another process is running.
    LabTrimWorkingSet(client);
    LabEnterProcess(other);
    LabExpect(!MmIsAddressValid(g_Request.UserVa), "in indexer.exe the client's user VA is not valid");

    CompletionDpc();
    Worker();

    // Back in the client: its VA soft-faults back to the locked frame and shows the writes.
    DbgPrint("still running\n");
    LabEnterProcess(client);
    LabExpect(buffer[0] == 'D' && buffer[2] == 'C' && buffer[3] == '!', "the client sees what the DPC and the worker wrote");

    MmUnlockPages(g_Request.Mdl);
    IoFreeMdl(g_Request.Mdl);
}
