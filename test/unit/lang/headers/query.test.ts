// The header query API that hover, completion and signature help read: every macro, typedef,
// struct, enumerator and routine of the built-in headers, with its header, line and signature.
import { strict as assert } from 'node:assert';
import { builtinHeader } from '../../../../src/lang/headers/index';
import { headerSymbols, macroAt, normalizePrototype, routinePrototypes, symbolAt, symbolsNamed } from '../../../../src/lang/headers/query';

/** The text of the header line a symbol points at. */
const lineOf = (header: string, line: number) => builtinHeader(header)!.split('\n')[line - 1];

describe('built-in header symbols for editor features', function () {
  this.timeout(20000);

  it('a routine has its prototype as written in the WDK header, its parameters, header and line', () => {
    const s = symbolAt('IoAllocateMdl')!;
    assert.equal(s.kind, 'routine');
    assert.equal(s.header, 'wdm.h');
    assert.equal(s.signature, 'PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)');
    assert.deepEqual(s.params, ['PVOID VirtualAddress', 'ULONG Length', 'BOOLEAN SecondaryBuffer', 'BOOLEAN ChargeQuota', 'PIRP Irp']);
    assert.ok(lineOf(s.header, s.line).startsWith('PMDL IoAllocateMdl('));
    assert.equal(lineOf(s.header, s.line).slice(s.col - 1, s.col - 1 + s.name.length), 'IoAllocateMdl');
  });

  it('signatures keep the WDK spelling (VOID, const volatile VOID *) and variadic routines end in ...', () => {
    assert.equal(symbolAt('ProbeForRead')!.signature, 'VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)');
    assert.equal(symbolAt('ExRaiseStatus')!.signature, 'VOID ExRaiseStatus(NTSTATUS Status)');
    assert.deepEqual(symbolAt('DbgPrint')!.params, ['PCSTR Format', '...']);
    assert.deepEqual(symbolAt('LabBreak')!.params, []);
  });

  it('macroAt finds a WDK macro with its parameters, body and place (mm-mdl-semantics 2.7)', () => {
    const m = macroAt('MmGetSystemAddressForMdlSafe')!;
    assert.equal(m.header, 'wdm.h');
    assert.deepEqual(m.params, ['MDL', 'PRIORITY']);
    assert.match(m.body!, /MDL_MAPPED_TO_SYSTEM_VA \| MDL_SOURCE_IS_NONPAGED_POOL/);
    assert.match(lineOf('wdm.h', m.line), /^#define MmGetSystemAddressForMdlSafe\(MDL, PRIORITY\)/);
    assert.equal(macroAt('MDL_PAGES_LOCKED')!.signature, '#define MDL_PAGES_LOCKED 0x0002');
    assert.equal(macroAt('_WIN64')!.header, 'predefined');
    assert.equal(macroAt('IoAllocateMdl'), undefined);
  });

  it('typedefs, struct tags and inline helpers are found by name', () => {
    assert.deepEqual([symbolAt('PMDL')!.kind, symbolAt('PMDL')!.signature], ['typedef', 'typedef struct _MDL {…} MDL, *PMDL']);
    assert.equal(symbolAt('_MDL')!.kind, 'struct');
    assert.equal(symbolAt('DRIVER_DISPATCH')!.signature, 'typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp)');
    const inline = symbolAt('IoGetCurrentIrpStackLocation')!;
    assert.deepEqual([inline.kind, inline.signature], ['inline', 'PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP Irp)']);
  });

  it('enumerators know their enum type and explicit value', () => {
    assert.deepEqual([symbolAt('IoWriteAccess')!.type, symbolAt('IoWriteAccess')!.signature], ['LOCK_OPERATION', 'IoWriteAccess']);
    assert.deepEqual([symbolAt('HighPagePriority')!.type, symbolAt('HighPagePriority')!.signature], ['MM_PAGE_PRIORITY', 'HighPagePriority = 32']);
    assert.equal(symbolAt('UserMode')!.type, 'MODE');
  });

  it('a name with several meanings lists them all, the most useful first', () => {
    assert.deepEqual(symbolsNamed('VOID').map((s) => s.kind), ['macro']);
    assert.equal(symbolsNamed('NoSuchThing').length, 0);
    assert.equal(symbolAt('NoSuchThing'), undefined);
  });

  it('covers the routines, macros and constants the seeds use', () => {
    for (const name of ['IoAllocateMdl', 'MmProbeAndLockPages', 'MmGetSystemAddressForMdlSafe', 'MmUnlockPages', 'IoFreeMdl', 'RtlZeroMemory', 'MDL_PAGES_LOCKED', 'STATUS_INSUFFICIENT_RESOURCES', 'EXCEPTION_EXECUTE_HANDLER', 'UserMode', 'IoReadAccess', 'NormalPagePriority', 'MmGetMdlVirtualAddress', 'MmGetMdlByteCount', 'MmGetMdlByteOffset', 'MmInitializeMdl', 'MmBuildMdlForNonPagedPool', 'IoBuildPartialMdl', 'ExAllocatePoolWithTag', 'NonPagedPool', 'RtlCopyMemory']) {
      assert.ok(symbolAt(name), name);
    }
  });

  it('every symbol points at a line of its header that mentions its name', () => {
    for (const s of headerSymbols()) {
      if (s.header === 'predefined') continue;
      assert.ok(lineOf(s.header, s.line).includes(s.name), `${s.name} at ${s.header}:${s.line}`);
    }
  });

  it('routine prototypes are one per routine, and normalizePrototype ignores decorations and spacing', () => {
    const names = routinePrototypes().map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(normalizePrototype('NTKERNELAPI  PMDL\tIoAllocateMdl( PVOID VirtualAddress ,ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp ) ;'), symbolAt('IoAllocateMdl')!.signature);
    assert.equal(normalizePrototype('void* memcpy(void* dest, const void * src, size_t count);'), 'void *memcpy(void *dest, const void *src, size_t count)');
  });
});
