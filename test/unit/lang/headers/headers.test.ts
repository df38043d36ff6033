// The built-in headers preprocess cleanly, alone and together, the seeds' code examples and the
// bundled sample preprocess against them, and their constants have the values Windows uses
// (mm-mdl-semantics.md sections 1.4 and 2; ntstatus.h).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { builtinHeader, builtinHeaderNames } from '../../../../src/lang/headers/index';
import { NTSTATUS_CODES } from '../../../../src/lang/headers/ntstatus';
import { diags, pp, text } from '../preprocessor/helpers';

/** The integer value of a macro, by asking the preprocessor's own #if evaluation. */
function macroEquals(name: string, value: number | bigint): boolean {
  return text(pp(`#include <ntifs.h>\n#include <mdlab.h>\n#if ${name} == ${value}\nyes\n#endif`)).endsWith('yes');
}

// Code from the seeds (mdl-overview.md, using-mdls.md), as a driver developer would paste it.
const SEED_PROCESS_BUFFER = `#include <ntifs.h> // kernel defs, depends on WDK/Visual Studio setup

NTSTATUS ProcessBuffer(PVOID UserBuffer, SIZE_T Length) {
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = NULL;
    mdl = IoAllocateMdl(UserBuffer, (ULONG)Length, FALSE, FALSE, NULL);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except(EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    PVOID sysVa = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (!sysVa) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(sysVa, Length);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}
`;
const SEED_FREE_CHAIN = `#include <wdm.h>
VOID MyFreeMdl(PMDL Mdl)
{
    PMDL currentMdl, nextMdl;

    for (currentMdl = Mdl; currentMdl != NULL; currentMdl = nextMdl) 
    {
        nextMdl = currentMdl->Next;
        if (currentMdl->MdlFlags & MDL_PAGES_LOCKED) 
        {
            MmUnlockPages(currentMdl);
        }
        IoFreeMdl(currentMdl);
    }
} 
`;

describe('built-in headers', () => {
  it('every built-in header preprocesses on its own without a diagnostic', () => {
    for (const name of builtinHeaderNames()) {
      assert.deepEqual(diags(pp(`#include <${name}>`)), [], name);
    }
  });

  it('including all of them, twice, in any order, is still clean (guards, identical redefinitions)', () => {
    const all = builtinHeaderNames().map((n) => `#include <${n}>`);
    assert.deepEqual(diags(pp([...all.slice().reverse(), ...all].join('\n'))), []);
  });

  it('offers the headers a driver includes', () => {
    for (const name of ['ntifs.h', 'ntddk.h', 'wdm.h', 'ntdef.h', 'mdlab.h', 'ntstrsafe.h', 'ntstatus.h', 'stddef.h', 'stdarg.h', 'string.h']) {
      assert.ok(builtinHeader(name), name);
    }
  });

  it('the seed ProcessBuffer example preprocesses, with the WDK macros expanded as Windows defines them', () => {
    const r = pp(SEED_PROCESS_BUFFER);
    assert.deepEqual(diags(r), []);
    const out = text(r);
    assert.match(out, /PVOID sysVa = \( \( \( mdl \) -> MdlFlags & \( 0x0001 \| 0x0004 \) \) \? \( \( mdl \) -> MappedSystemVa \) : \( MmMapLockedPagesSpecifyCache \( \( mdl \) , KernelMode , MmCached , \( \( void \* \) 0 \) , 0 , \( NormalPagePriority \) \) \) \) ;/);
    assert.match(out, /memset \( \( sysVa \) , 0 , \( Length \) \) ;/);
    assert.match(out, /return \( \( NTSTATUS \) 0xC000009AL \) ;/);
    // __try/__except and GetExceptionCode reach the parser untouched.
    assert.match(out, /__try \{ MmProbeAndLockPages \( mdl , UserMode , IoReadAccess \) ; \} __except \( 1 \) \{ IoFreeMdl \( mdl \) ; return GetExceptionCode \( \) ;/);
  });

  it('the seed MDL-chain example preprocesses with MDL_PAGES_LOCKED expanded', () => {
    const r = pp(SEED_FREE_CHAIN);
    assert.deepEqual(diags(r), []);
    assert.match(text(r), /if \( currentMdl -> MdlFlags & 0x0002 \)/);
  });

  it('the bundled sample scenario preprocesses without a diagnostic', () => {
    const source = readFileSync('samples/01-probe-and-lock/scenario.c', 'utf8');
    const r = pp(source);
    assert.deepEqual(diags(r), []);
    assert.ok(r.files.includes('<ntifs.h>') && r.files.includes('<mdlab.h>'));
  });

  it('MDL flags have the values of the MDL_* table (mm-mdl-semantics 1.4)', () => {
    const flags: Array<[string, number]> = [
      ['MDL_MAPPED_TO_SYSTEM_VA', 0x1], ['MDL_PAGES_LOCKED', 0x2], ['MDL_SOURCE_IS_NONPAGED_POOL', 0x4], ['MDL_ALLOCATED_FIXED_SIZE', 0x8],
      ['MDL_PARTIAL', 0x10], ['MDL_PARTIAL_HAS_BEEN_MAPPED', 0x20], ['MDL_IO_PAGE_READ', 0x40], ['MDL_WRITE_OPERATION', 0x80],
      ['MDL_LOCKED_PAGE_TABLES', 0x100], ['MDL_PARENT_MAPPED_SYSTEM_VA', 0x100], ['MDL_FREE_EXTRA_PTES', 0x200], ['MDL_DESCRIBES_AWE', 0x400],
      ['MDL_IO_SPACE', 0x800], ['MDL_NETWORK_HEADER', 0x1000], ['MDL_MAPPING_CAN_FAIL', 0x2000], ['MDL_PAGE_CONTENTS_INVARIANT', 0x4000],
      ['MDL_ALLOCATED_MUST_SUCCEED', 0x4000], ['MDL_INTERNAL', 0x8000],
    ];
    for (const [name, value] of flags) assert.ok(macroEquals(name, value), name);
  });

  it('mapping priorities, IRQLs, pages and IOCTL parts have their Windows values (mm-mdl-semantics 1.4, 2.8)', () => {
    const values: Array<[string, number | bigint]> = [
      ['MdlMappingNoWrite', 0x80000000], ['MdlMappingNoExecute', 0x40000000], ['PASSIVE_LEVEL', 0], ['APC_LEVEL', 1], ['DISPATCH_LEVEL', 2],
      ['HIGH_LEVEL', 15], ['PAGE_SIZE', 0x1000], ['PAGE_SHIFT', 12], ['PAGE_READWRITE', 4], ['PAGE_READONLY', 2],
      ['EXCEPTION_EXECUTE_HANDLER', 1], ['EXCEPTION_CONTINUE_SEARCH', 0], ['EXCEPTION_CONTINUE_EXECUTION', -1],
      ['IRP_MJ_READ', 3], ['IRP_MJ_WRITE', 4], ['IRP_MJ_DEVICE_CONTROL', 0xe], ['IRP_MJ_MAXIMUM_FUNCTION', 0x1b],
      ['METHOD_IN_DIRECT', 1], ['METHOD_OUT_DIRECT', 2], ['DO_BUFFERED_IO', 4], ['DO_DIRECT_IO', 0x10],
      ['CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)', 0x222002],
      ['POOL_FLAG_NON_PAGED', 0x40], ['POOL_FLAG_PAGED', 0x100], ['MM_ALLOCATE_FULLY_REQUIRED', 4], ['TRUE', 1], ['FALSE', 0],
    ];
    for (const [name, value] of values) assert.ok(macroEquals(name, value), name);
  });

  it('NTSTATUS codes are 32-bit values cast to NTSTATUS, e.g. STATUS_WORKING_SET_QUOTA is 0xC00000A1 (mm-mdl-semantics 2.3)', () => {
    const r = pp('#include <ntstatus.h>\nSTATUS_SUCCESS STATUS_PENDING STATUS_ACCESS_VIOLATION STATUS_WORKING_SET_QUOTA STATUS_INSUFFICIENT_RESOURCES');
    assert.equal(text(r), '( ( NTSTATUS ) 0x00000000L ) ( ( NTSTATUS ) 0x00000103L ) ( ( NTSTATUS ) 0xC0000005L ) ( ( NTSTATUS ) 0xC00000A1L ) ( ( NTSTATUS ) 0xC000009AL )');
    for (const name of ['STATUS_INVALID_PARAMETER', 'STATUS_MORE_PROCESSING_REQUIRED', 'STATUS_BUFFER_TOO_SMALL', 'STATUS_IN_PAGE_ERROR', 'STATUS_NO_MEMORY']) {
      assert.ok(NTSTATUS_CODES.has(name), name);
    }
    assert.equal(NTSTATUS_CODES.get('STATUS_INVALID_PARAMETER'), 0xc000000d);
  });

  it('SAL annotations from pasted WDK code vanish', () => {
    const r = pp('#include <wdm.h>\n_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_ NTSTATUS Copy(_In_reads_bytes_(n) PVOID src, _Out_writes_bytes_opt_(n) PVOID dst, _In_ SIZE_T n);\n_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH MyRead;');
    assert.deepEqual(diags(r), []);
    assert.match(text(r), /NTSTATUS Copy \( PVOID src , PVOID dst , SIZE_T n \) ; DRIVER_DISPATCH MyRead ;$/);
  });

  it('KdPrint takes its arguments in double parentheses and prints through DbgPrint in this Debug build', () => {
    const r = pp('#include <wdm.h>\nKdPrint(("x=%d\\n", x));');
    assert.match(text(r), /DbgPrint \( "x=%d\\n" , x \) ;$/);
  });
});
