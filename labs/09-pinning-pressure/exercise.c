// Lab 9 exercise — each request stays pinned until the stream ends. Release early.
// (The scenario's idea: every locked page is a page the memory manager cannot use for
// anything else. Lock too much and the system says no; lock little at a time and release early,
// and any amount of data goes through.
// Run on a small machine (lab.json sets 64 MiB of physical memory) so the limit shows quickly.
#include <ntifs.h>
#include <mdlab.h>

#define MiB (1024 * 1024)
#define CHUNK_BYTES (1 * MiB)

// Locks Length bytes at once. Returns the status the memory manager raised, or success.
NTSTATUS TryLockAll(PVOID Buffer, SIZE_T Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, (ULONG)Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (NT_SUCCESS(status)) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}

// One request of the application: lock the chunk, map it, stamp every page.
#define MAX_CHUNKS 256
PMDL g_Chunks[MAX_CHUNKS];
ULONG g_ChunkCount;

NTSTATUS ProcessChunk(PUCHAR Chunk, ULONG Length, UCHAR Stamp)
{
    if (g_ChunkCount == MAX_CHUNKS) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PMDL mdl = IoAllocateMdl(Chunk, Length, FALSE, FALSE, NULL);
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
    for (ULONG p = 0; p < Length; p += PAGE_SIZE) {
        sysVa[p] = Stamp;
    }
    // TODO: "Keep it; we tidy up once, when the stream ends." Every chunk stays pinned until then.
    g_Chunks[g_ChunkCount++] = mdl;
    return STATUS_SUCCESS;
}

// Called once the application has sent every chunk.
VOID FinishStream(VOID)
{
    for (ULONG i = 0; i < g_ChunkCount; i++) {
        MmUnlockPages(g_Chunks[i]);
        IoFreeMdl(g_Chunks[i]);
    }
    g_ChunkCount = 0;
}

VOID LabMain(VOID)
{
    PEPROCESS app = LabCreateProcess("encoder.exe");
    LabEnterProcess(app);

    // Double the request until the memory manager refuses. On a 64 MiB machine, 128 MiB can
    // never be resident at once, so a refusal must come by then.
    PUCHAR refusedBuffer = NULL;
    SIZE_T refusedSize = 0;
    NTSTATUS refusal = STATUS_SUCCESS;
    for (SIZE_T size = 4 * MiB; size <= 128 * MiB; size *= 2) {
        PUCHAR buffer = (PUCHAR)LabUserAlloc(app, size, PAGE_READWRITE);
        NTSTATUS status = TryLockAll(buffer, size);
        DbgPrint("locking %u MiB at once: 0x%08X\n", (ULONG)(size / MiB), status);
        // What the working-set manager does on its own when memory runs low: unlocked pages go.
        LabTrimWorkingSet(app);
        if (!NT_SUCCESS(status)) {
            refusal = status;
            refusedBuffer = buffer;
            refusedSize = size;
            break;
        }
    }
    LabExpect(refusedBuffer != NULL, "locking more memory than the machine has is refused");
    LabExpect(refusal == STATUS_WORKING_SET_QUOTA || refusal == STATUS_INSUFFICIENT_RESOURCES,
              "the refusal is STATUS_WORKING_SET_QUOTA or STATUS_INSUFFICIENT_RESOURCES, raised into __except");
    if (!refusedBuffer) {
        return;
    }

    // The buffer that could not be locked at once goes through as a stream of 1 MiB requests.
    SIZE_T done = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (SIZE_T off = 0; off < refusedSize && NT_SUCCESS(status); off += CHUNK_BYTES) {
        status = ProcessChunk(refusedBuffer + off, CHUNK_BYTES, (UCHAR)(off / CHUNK_BYTES));
        if (NT_SUCCESS(status)) {
            done += CHUNK_BYTES;
        }
        if ((off & (8 * MiB - 1)) == 0) {
            LabTrimWorkingSet(app);   // again, what Windows would do by itself under pressure
        }
    }
    FinishStream();
    DbgPrint("chunked: 0x%08X, %u of %u MiB processed\n", status, (ULONG)(done / MiB), (ULONG)(refusedSize / MiB));
    LabExpect(NT_SUCCESS(status) && done == refusedSize, "the whole buffer was processed, one chunk pinned at a time");
    LabExpect(refusedBuffer[refusedSize - PAGE_SIZE] == (UCHAR)(refusedSize / CHUNK_BYTES - 1),
              "the last page carries the last chunk's stamp");
}
