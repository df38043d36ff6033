// More of C as drivers write it: typedef'd routine types, dispatch tables, qualifiers, nested and
// anonymous aggregates, strings, and the WDK macros over real structures.
import { suite } from './harness';

suite('driver-style C', [
  { name: 'a dispatch table of function pointers indexed by major function', c: 'typedef NTSTATUS (*HANDLER)(ULONG);\nNTSTATUS OnRead(ULONG n) { return (NTSTATUS)n; }\nNTSTATUS OnWrite(ULONG n) { return (NTSTATUS)(n * 2); }\nHANDLER table[4];\nVOID LabMain(VOID) { table[IRP_MJ_READ & 3] = OnRead; table[IRP_MJ_WRITE & 3] = OnWrite; DbgPrint("%d %d", table[IRP_MJ_READ & 3](5), table[IRP_MJ_WRITE & 3](5)); }', out: '5 10' },
  { name: 'DRIVER_OBJECT MajorFunction slots hold DRIVER_DISPATCH routines', c: 'NTSTATUS MyRead(PDEVICE_OBJECT d, PIRP irp) { UNREFERENCED_PARAMETER(d); UNREFERENCED_PARAMETER(irp); return STATUS_SUCCESS; }\nVOID LabMain(VOID) { DRIVER_OBJECT drv; RtlZeroMemory(&drv, sizeof(drv)); drv.MajorFunction[IRP_MJ_READ] = MyRead; DbgPrint("%d %d", drv.MajorFunction[IRP_MJ_READ] == MyRead, drv.MajorFunction[IRP_MJ_WRITE] == NULL); }', out: '1 1' },
  { name: 'a function returning a pointer into a global array', c: 'ULONG slots[8];\nPULONG slot(int i) { return &slots[i]; }\nVOID LabMain(VOID) { *slot(3) = 33; DbgPrint("%u", slots[3]); }', out: '33' },
  { name: 'an array of pointers and a pointer to an array', c: 'int a = 1, b = 2; int *arr[2] = { &a, &b }; int row[3] = {7, 8, 9}; int (*pr)[3] = &row; DbgPrint("%d %d %d", *arr[1], (*pr)[2], (int)sizeof(*pr));', out: '2 9 12' },
  { name: 'nested structs are laid out inline', c: 'typedef struct { USHORT a; struct { ULONG64 x; UCHAR y; } in; UCHAR z; } N; N n; n.in.x = 5; DbgPrint("%d %d %d", (int)sizeof(N), (int)FIELD_OFFSET(N, in.y), (int)FIELD_OFFSET(N, z));', out: '32 16 24' },
  { name: 'anonymous struct members inside a union are reached by name (LARGE_INTEGER)', c: 'LARGE_INTEGER li; li.LowPart = 1; li.HighPart = -1; DbgPrint("%lld", li.QuadPart);', out: '-4294967295' },
  { name: 'const and volatile qualifiers do not change values', c: 'const ULONG k = 5; volatile ULONG v = k; v += k; DbgPrint("%u", v);', out: '10' },
  { name: 'typedef of an array type', c: 'typedef UCHAR MAC[6]; MAC m = {1, 2, 3, 4, 5, 6}; DbgPrint("%d %d", (int)sizeof(MAC), m[5]);', out: '6 6' },
  { name: 'enum types in a switch', c: 'typedef enum { Red, Green = 4, Blue } COLOR; COLOR c = Blue; switch (c) { case Red: DbgPrint("r"); break; case Blue: DbgPrint("b%d", c); break; default: break; }', out: 'b5' },
  { name: 'LOCK_OPERATION and KPROCESSOR_MODE enumerations have their WDK values', c: 'DbgPrint("%d %d %d %d %d", IoReadAccess, IoWriteAccess, IoModifyAccess, KernelMode, UserMode);', out: '0 1 2 0 1' },
  { name: 'MDL flag macros combine as bit masks', c: 'USHORT f = MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA; DbgPrint("%04X %d", f, (f & MDL_SOURCE_IS_NONPAGED_POOL) != 0);', out: '0003 0' },
  { name: 'ADDRESS_AND_SIZE_TO_SPAN_PAGES counts the pages a buffer touches', c: 'DbgPrint("%u %u %u", ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x10200, 3 * PAGE_SIZE), ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x10000, PAGE_SIZE), ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x10FFF, 2));', out: '4 1 2' },
  { name: 'PAGE_ALIGN and BYTE_OFFSET split an address', c: 'PVOID va = (PVOID)0x12345678; DbgPrint("%p %X", PAGE_ALIGN(va), BYTE_OFFSET(va));', out: '0000000012345000 678' },
  { name: 'a kernel-space pointer is a negative 64-bit value and prints as ffff...', c: 'PVOID p = (PVOID)0xFFFFF80000001000ULL; DbgPrint("%p %d", p, (LONG_PTR)p < 0);', out: 'FFFFF80000001000 1' },
  { name: 'pointer comparison is unsigned: kernel addresses are above user addresses', c: 'PUCHAR k = (PUCHAR)0xFFFF800000000000ULL, u = (PUCHAR)0x7FFF0000; DbgPrint("%d", k > u);', out: '1' },
  { name: 'ULONG_PTR arithmetic on kernel addresses', c: 'ULONG_PTR a = (ULONG_PTR)0xFFFFF80000001000ULL; a += 0x20; DbgPrint("%llX", a);', out: 'FFFFF80000001020' },
  { name: 'MmGetPhysicalAddress returns a PHYSICAL_ADDRESS struct by value', c: 'ULONG g;\nVOID LabMain(VOID) { PHYSICAL_ADDRESS pa = MmGetPhysicalAddress(&g); DbgPrint("%d", pa.QuadPart != 0 && (pa.QuadPart & 0xFFF) == ((ULONG_PTR)&g & 0xFFF)); }', out: '1' },
  { name: 'pool allocation and free from C', c: 'PULONG p = (PULONG)ExAllocatePoolWithTag(NonPagedPool, 64, \'tseT\'); p[15] = 0xAB; DbgPrint("%X", p[15]); ExFreePoolWithTag(p, \'tseT\');', out: 'AB' },
  { name: 'a string copied byte by byte with pointer increments', c: 'char dst[16]; const char *s = "driver"; char *d = dst; while ((*d++ = *s++) != 0) ; DbgPrint("%s %d", dst, (int)(d - dst));', out: 'driver 7' },
  { name: 'a wide string walked with a PWCH', c: 'PCWSTR w = L"Mdl"; int n = 0; for (PCWSTR p = w; *p; p++) n += *p; DbgPrint("%d", n);', out: '285' },
  { name: 'UNICODE_STRING built with RTL_CONSTANT_STRING-style initializer', c: 'WCHAR buf[] = L"abc"; UNICODE_STRING us = { sizeof(buf) - sizeof(WCHAR), sizeof(buf), buf }; DbgPrint("%d %d %d", us.Length, us.MaximumLength, us.Buffer[2]);', out: '6 8 99' },
  { name: 'LIST_ENTRY manipulation through pointers', c: 'LIST_ENTRY head, a, b; head.Flink = &a; a.Flink = &b; b.Flink = &head; int n = 0; for (PLIST_ENTRY e = head.Flink; e != &head; e = e->Flink) n++; DbgPrint("%d", n);', out: '2' },
  { name: 'sizeof applied to an expression does not evaluate it', c: 'int i = 0; SIZE_T s = sizeof(i++); DbgPrint("%d %d", (int)s, i);', out: '4 0' },
  { name: 'a static (file-scope) function and a static global', c: 'static int hidden = 3;\nstatic int twice(int v) { return v * 2; }\nVOID LabMain(VOID) { DbgPrint("%d", twice(hidden)); }', out: '6' },
  { name: 'an extern declaration refers to the global defined later', c: 'extern ULONG gLater;\nVOID LabMain(VOID) { gLater = 4; DbgPrint("%u", gLater); }\nULONG gLater;', out: '4' },
  { name: 'a global struct with a nested designated initializer', c: 'typedef struct { int a; struct { int b, c; } in; } G;\nG g = { .in = { .c = 3 }, .a = 1 };\nVOID LabMain(VOID) { DbgPrint("%d %d %d", g.a, g.in.b, g.in.c); }', out: '1 0 3' },
  { name: 'a global array of strings', c: 'PCSTR names[] = { "zero", "one", "two" };\nVOID LabMain(VOID) { DbgPrint("%s %d", names[2], (int)(sizeof(names) / sizeof(names[0]))); }', out: 'two 3' },
  { name: 'a global initialized with a function address is callable', c: 'int seven(void) { return 7; }\nint (*pseven)(void) = seven;\nVOID LabMain(VOID) { DbgPrint("%d", pseven()); }', out: '7' },
  { name: 'a compound literal struct passed by address', c: 'typedef struct { int x, y; } PT;\nint sum(const PT *p) { return p->x + p->y; }\nVOID LabMain(VOID) { DbgPrint("%d", sum(&(PT){ 3, 4 })); }', out: '7' },
  { name: 'ternaries choosing between pointers', c: 'int a = 1, b = 2; int *p = (a > b) ? &a : &b; *p = 9; DbgPrint("%d", b);', out: '9' },
  { name: 'the result of an assignment is the stored, truncated value', c: 'UCHAR c; int r = (c = 300); DbgPrint("%d", r);', out: '44' },
  { name: 'chained assignment', c: 'int a, b, c; a = b = c = 4; DbgPrint("%d", a + b + c);', out: '12' },
  { name: 'bit manipulation macros on a ULONG flags word', c: 'ULONG f = 0; f |= 0x10; f |= 0x1; f &= ~0x10UL; DbgPrint("%X %d", f, (f & 0x1) != 0);', out: '1 1' },
  { name: 'ULONG64 values print with %I64x', c: 'ULONG64 v = 0xABCDEF0123ULL; DbgPrint("%I64x", v);', out: 'abcdef0123' },
  { name: 'a do-while(0) macro body', c: '#define SWAP(a, b) do { int t_ = (a); (a) = (b); (b) = t_; } while (0)\nVOID LabMain(VOID) { int x = 1, y = 2; SWAP(x, y); DbgPrint("%d%d", x, y); }', out: '21' },
  { name: 'a variadic macro forwarding to DbgPrint', c: '#define LOG(fmt, ...) DbgPrint("[lab] " fmt, __VA_ARGS__)\nVOID LabMain(VOID) { LOG("%d-%d", 1, 2); }', out: '[lab] 1-2' },
  { name: 'a counted loop over a two-dimensional array with pointer arithmetic', c: 'ULONG m[3][4]; for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) m[i][j] = i * 10 + j; PULONG p = &m[0][0]; ULONG s = 0; for (int k = 0; k < 12; k++) s += p[k]; DbgPrint("%u", s);', out: '138' },
  { name: 'recursion over a linked list in pool memory', c: 'typedef struct N { struct N *next; int v; } N;\nint total(N *n) { return n ? n->v + total(n->next) : 0; }\nVOID LabMain(VOID) { N *head = NULL; for (int i = 1; i <= 5; i++) { N *n = (N *)ExAllocatePoolWithTag(NonPagedPool, sizeof(N), \'tsiL\'); n->v = i; n->next = head; head = n; } DbgPrint("%d", total(head)); }', out: '15' },
]);

suite('calling emulated routines', [
  { name: 'a PHYSICAL_ADDRESS passed by value reaches the routine as its 64-bit value (MmAllocatePagesForMdl)', c: 'PHYSICAL_ADDRESS lo, hi, skip; lo.QuadPart = 0; hi.QuadPart = MAXLONGLONG; skip.QuadPart = 0; PMDL m = MmAllocatePagesForMdl(lo, hi, skip, 2 * PAGE_SIZE); DbgPrint("%d %u", m != NULL, m ? MmGetMdlByteCount(m) : 0); if (m) { MmFreePagesFromMdl(m); ExFreePool(m); }', out: '1 8192' },
  { name: 'BOOLEAN results of routines are truncated to 8 bits', c: 'ULONG g;\nVOID LabMain(VOID) { BOOLEAN v = MmIsAddressValid(&g); DbgPrint("%d", v); }', out: '1' },
  { name: 'an emulated routine can be called through a function pointer', c: 'PVOID (*alloc)(POOL_TYPE, SIZE_T, ULONG) = ExAllocatePoolWithTag; PVOID p = alloc(NonPagedPool, 32, \'xxxx\'); DbgPrint("%d", p != NULL); ExFreePoolWithTag(p, \'xxxx\');', out: '1' },
]);

suite('declarations as the WDK writes them', [
  { name: 'a function declared through a routine typedef (DRIVER_INITIALIZE, DRIVER_DISPATCH) and defined later', c: 'DRIVER_INITIALIZE DriverEntry;\nDRIVER_DISPATCH MyDispatch;\n_Use_decl_annotations_\nNTSTATUS MyDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) { UNREFERENCED_PARAMETER(DeviceObject); UNREFERENCED_PARAMETER(Irp); return STATUS_SUCCESS; }\n_Use_decl_annotations_\nNTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) { UNREFERENCED_PARAMETER(RegistryPath); for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) DriverObject->MajorFunction[i] = MyDispatch; return STATUS_SUCCESS; }\nVOID LabMain(VOID) { DRIVER_OBJECT d; RtlZeroMemory(&d, sizeof(d)); NTSTATUS s = DriverEntry(&d, NULL); DbgPrint("%08X %d", s, d.MajorFunction[IRP_MJ_READ] == MyDispatch); }', out: '00000000 1' },
  { name: 'a forward-declared struct typedef is completed later', c: 'typedef struct _NODE NODE, *PNODE;\nstruct _NODE { PNODE Next; ULONG Value; };\nVOID LabMain(VOID) { NODE n = { NULL, 3 }; PNODE p = &n; DbgPrint("%u %d", p->Value, (int)sizeof(NODE)); }', out: '3 16' },
  { name: 'an old-style empty parameter list accepts the arguments given', c: 'int legacy() { return 4; }\nVOID LabMain(VOID) { DbgPrint("%d", legacy()); }', out: '4' },
  { name: 'a static const global is a constant object in the image', c: 'static const ULONG kTable[] = { 1, 1, 2, 3, 5, 8 };\nVOID LabMain(VOID) { ULONG s = 0; for (ULONG i = 0; i < ARRAYSIZE(kTable); i++) s += kTable[i]; DbgPrint("%u", s); }', out: '20' },
  { name: 'pragmas are ignored with a note', c: '#pragma warning(push)\n#pragma warning(disable: 4201)\nVOID LabMain(VOID) { DbgPrint("ok"); }\n#pragma warning(pop)', out: 'ok' },
]);

suite('variadic functions written in C', [
  { name: 'va_arg reads int, ULONG64, pointer and double arguments in order', c: '#include <stdarg.h>\nULONG64 Sum(int count, ...) { va_list ap; va_start(ap, count); ULONG64 s = 0; for (int i = 0; i < count; i++) s += va_arg(ap, int); va_end(ap); return s; }\nVOID Show(PCSTR tag, ...) { va_list ap; va_start(ap, tag); int a = va_arg(ap, int); ULONG64 b = va_arg(ap, ULONG64); PCSTR c = va_arg(ap, PCSTR); double d = va_arg(ap, double); va_end(ap); DbgPrint("%s %d %llX %s %d", tag, a, b, c, (int)(d * 10)); }\nVOID LabMain(VOID) { DbgPrint("%llu ", Sum(4, 1, 2, -3, 40)); Show("args", -7, 0x123456789ABULL, "str", 2.5); }', out: '40 args -7 123456789AB str 25' },
  { name: 'va_copy gives an independent cursor', c: '#include <stdarg.h>\nint Twice(int n, ...) { va_list a, b; va_start(a, n); va_copy(b, a); int x = va_arg(a, int); int y = va_arg(b, int); va_end(a); va_end(b); return x + y; }\nVOID LabMain(VOID) { DbgPrint("%d", Twice(1, 21)); }', out: '42' },
  { name: 'va_start in a function without ... is refused', c: '#include <stdarg.h>\nint NotVariadic(int n) { va_list a; va_start(a, n); return 0; }\nVOID LabMain(VOID) { }', error: /does not take '\.\.\.'/ },
]);
