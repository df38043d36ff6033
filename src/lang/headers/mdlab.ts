// <mdlab.h>: the MDL Lab harness a scenario uses to set up processes, user buffers, devices and
// files, to check expectations and to stop for the debugger.

export const MDLAB_H = `/* <mdlab.h>: the MDL Lab scenario harness. A scenario's entry point is VOID LabMain(VOID). */
#ifndef _MDLAB_MDLAB_H
#define _MDLAB_MDLAB_H
#include <wdm.h>

/* Processes and user memory */
PEPROCESS LabCreateProcess(PCSTR ImageName);
VOID LabEnterProcess(PEPROCESS Process);
PVOID LabUserAlloc(PEPROCESS Process, SIZE_T Size, ULONG Protect);
VOID LabTrimWorkingSet(PEPROCESS Process);
VOID LabTerminateProcess(PEPROCESS Process);
PEPROCESS LabGetSystemProcess(VOID);

/* Checks and stops */
VOID LabExpect(BOOLEAN Condition, PCSTR What);
VOID LabBreak(VOID);
VOID LabSetVerifier(BOOLEAN On);
VOID LabSetSystemPteLimit(ULONG Total);

/* A simulated device doing DMA through an MDL */
VOID LabDeviceWrite(PMDL Mdl, ULONG Offset, const VOID *Source, ULONG Length);
VOID LabDeviceRead(PMDL Mdl, ULONG Offset, PVOID Destination, ULONG Length);

/* Drivers and I/O requests from a user process */
NTSTATUS LabLoadDriver(PDRIVER_INITIALIZE DriverEntry);
NTSTATUS LabDeviceIoControl(PEPROCESS Process, PDEVICE_OBJECT Device, ULONG Ioctl, PVOID In, ULONG InLen, PVOID Out, ULONG OutLen);
NTSTATUS LabReadFile(PEPROCESS Process, PDEVICE_OBJECT Device, PVOID Buffer, ULONG Length, ULONG64 Offset);
NTSTATUS LabWriteFile(PEPROCESS Process, PDEVICE_OBJECT Device, PVOID Buffer, ULONG Length, ULONG64 Offset);

/* Files and the cache (paging-read MDLs) */
PVOID LabCreateFile(PCSTR Name, SIZE_T Size);
PVOID LabMapViewOfFile(PEPROCESS Process, PVOID File);
VOID LabEvictFromCache(PVOID File);
#endif
`;
