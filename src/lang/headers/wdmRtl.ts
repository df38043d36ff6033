// <wdm.h>, part 4: executive and run-time services — pool, IRQL, probing, raising, debug
// output and assertions, the Rtl memory macros over the C memory routines, and strings.

export const WDM_RTL = `/* ---- Memory (macros over the C routines, as in the WDK) ---- */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

/* ---- Counted strings (the buffer is not copied; lengths are in bytes, without the NUL) ---- */
FORCEINLINE VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Length = 0;
    DestinationString->Buffer = (PWCH)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = 0;
        DestinationString->MaximumLength = 0;
        return;
    }
    while (SourceString[Length] != 0) {
        Length++;
    }
    Length *= sizeof(WCHAR);
    if (Length > 0xFFFC) {
        Length = 0xFFFC;
    }
    DestinationString->Length = (USHORT)Length;
    DestinationString->MaximumLength = (USHORT)(Length + sizeof(WCHAR));
}

FORCEINLINE VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    SIZE_T Length = 0;
    DestinationString->Buffer = (PCHAR)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = 0;
        DestinationString->MaximumLength = 0;
        return;
    }
    while (SourceString[Length] != 0) {
        Length++;
    }
    if (Length > 0xFFFE) {
        Length = 0xFFFE;
    }
    DestinationString->Length = (USHORT)Length;
    DestinationString->MaximumLength = (USHORT)(Length + 1);
}

/* ---- Pool ---- */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID ExFreePool(PVOID P);

FORCEINLINE PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID Entry = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
    if (Entry != NULL) {
        RtlZeroMemory(Entry, NumberOfBytes);
    }
    return Entry;
}

FORCEINLINE PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

/* ---- IRQL ---- */
KIRQL KeGetCurrentIrql(VOID);
VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
KIRQL KfRaiseIrql(KIRQL NewIrql);
KIRQL KeRaiseIrqlToDpcLevel(VOID);
VOID KeLowerIrql(KIRQL NewIrql);

/* ---- Spin locks ----
 * One processor and one thread run a scenario, so a spin lock is its IRQL rule plus a flag: taking
 * it raises to DISPATCH_LEVEL (touching pageable memory while holding it bug-checks, as on Windows),
 * and taking it again while held spins forever, as a real self-deadlock does (pause shows where). */
FORCEINLINE VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

FORCEINLINE KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL OldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    while (*(volatile KSPIN_LOCK *)SpinLock != 0) {
        /* held: on one processor nobody will ever release it */
    }
    *SpinLock = 1;
    return OldIrql;
}

#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))

FORCEINLINE VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    *SpinLock = 0;
    KeLowerIrql(NewIrql);
}

FORCEINLINE VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    while (*(volatile KSPIN_LOCK *)SpinLock != 0) {
    }
    *SpinLock = 1;
}

FORCEINLINE VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

/* ---- Bug checks ---- */
DECLSPEC_NORETURN VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4);

/* ---- Processes ---- */
PEPROCESS PsGetCurrentProcess(VOID);

/* ---- Probing user buffers and raising exceptions ---- */
VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment);
VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment);
DECLSPEC_NORETURN VOID ExRaiseStatus(NTSTATUS Status);

/* ---- Debugging ---- */
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_SYSTEM_ID 0
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_DEFAULT_ID 101

ULONG DbgPrint(PCSTR Format, ...);
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
VOID DbgBreakPoint(VOID);
VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage);

/* A failed assertion prints what a checked build prints and breaks into the debugger. */
#define _MDLAB_ASSERT_FAILED(text) \\
    (DbgPrint("*** Assertion failed: %s\\n***   Source File: %s, line %d\\n\\n", (text), __FILE__, __LINE__), DbgBreakPoint())
#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define KdBreakPoint() DbgBreakPoint()
#define ASSERT(exp) ((!(exp)) ? (_MDLAB_ASSERT_FAILED(#exp), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) ((!(exp)) ? (_MDLAB_ASSERT_FAILED(msg), FALSE) : TRUE)
#define NT_VERIFY(exp) ((!(exp)) ? (_MDLAB_ASSERT_FAILED(#exp), FALSE) : TRUE)
#else
#define KdPrint(_x_)
#define KdPrintEx(_x_)
#define KdBreakPoint()
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#endif
/* Pageable code must run below DISPATCH_LEVEL: the Debug build checks it on entry. */
#if DBG
#define PAGED_CODE() { \\
    if (KeGetCurrentIrql() > APC_LEVEL) { \\
        KdPrint(("EX: Pageable code called at IRQL %d\\n", KeGetCurrentIrql())); \\
        NT_ASSERT(FALSE); \\
    } \\
}
#else
#define PAGED_CODE()
#endif
#define PAGED_CODE_LOCKED()
#if DBG
#define NT_ASSERT(exp) ((!(exp)) ? (_MDLAB_ASSERT_FAILED(#exp), FALSE) : TRUE)
#define NT_ASSERTMSG(msg, exp) ((!(exp)) ? (_MDLAB_ASSERT_FAILED(msg), FALSE) : TRUE)
#else
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#endif
#define __debugbreak() DbgBreakPoint()
`;
