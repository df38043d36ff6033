// The C runtime headers a driver includes: <stddef.h>, <stdarg.h>, <string.h>, <stdint.h>,
// <stdbool.h>, <limits.h>, with MSVC x64 types (long is 32-bit, size_t is 64-bit).

export const STDDEF_H = `/* <stddef.h> */
#ifndef _MDLAB_STDDEF_H
#define _MDLAB_STDDEF_H
#ifndef _SIZE_T_DEFINED
#define _SIZE_T_DEFINED
typedef unsigned long long size_t;
#endif
typedef long long ptrdiff_t;
typedef long long intptr_t;
typedef unsigned long long uintptr_t;
#ifndef _WCHAR_T_DEFINED
#define _WCHAR_T_DEFINED
typedef unsigned short wchar_t;
#endif
typedef double max_align_t;
#ifndef NULL
#define NULL ((void *)0)
#endif
#define offsetof(s, m) ((size_t)&(((s *)0)->m))
#endif
`;

/* The va_* macros name interpreter built-ins: the interpreter owns the argument area. */
export const STDARG_H = `/* <stdarg.h>: va_list is a char pointer on x64, as with MSVC. */
#ifndef _MDLAB_STDARG_H
#define _MDLAB_STDARG_H
#ifndef _VA_LIST_DEFINED
#define _VA_LIST_DEFINED
typedef char *va_list;
#endif
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dest, src) __builtin_va_copy(dest, src)
#endif
`;

export const STRING_H = `/* <string.h>: the memory routines the kernel exports. */
#ifndef _MDLAB_STRING_H
#define _MDLAB_STRING_H
#include <stddef.h>
void *memcpy(void *dest, const void *src, size_t count);
void *memmove(void *dest, const void *src, size_t count);
void *memset(void *dest, int c, size_t count);
int memcmp(const void *buffer1, const void *buffer2, size_t count);
#endif
`;

export const STDINT_H = `/* <stdint.h> */
#ifndef _MDLAB_STDINT_H
#define _MDLAB_STDINT_H
#include <stddef.h>
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef long long intmax_t;
typedef unsigned long long uintmax_t;
#define INT8_MIN (-127 - 1)
#define INT16_MIN (-32767 - 1)
#define INT32_MIN (-2147483647 - 1)
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807LL
#define UINT8_MAX 0xff
#define UINT16_MAX 0xffff
#define UINT32_MAX 0xffffffffU
#define UINT64_MAX 0xffffffffffffffffULL
#define SIZE_MAX UINT64_MAX
#define INTPTR_MAX INT64_MAX
#define UINTPTR_MAX UINT64_MAX
#define INT8_C(x) (x)
#define INT16_C(x) (x)
#define INT32_C(x) (x)
#define INT64_C(x) (x##LL)
#define UINT8_C(x) (x)
#define UINT16_C(x) (x)
#define UINT32_C(x) (x##U)
#define UINT64_C(x) (x##ULL)
#endif
`;

export const STDBOOL_H = `/* <stdbool.h> */
#ifndef _MDLAB_STDBOOL_H
#define _MDLAB_STDBOOL_H
#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
#endif
`;

export const LIMITS_H = `/* <limits.h>: MSVC x64 limits (long is 32-bit). */
#ifndef _MDLAB_LIMITS_H
#define _MDLAB_LIMITS_H
#define CHAR_BIT 8
#define SCHAR_MIN (-128)
#define SCHAR_MAX 127
#define UCHAR_MAX 0xff
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#define MB_LEN_MAX 5
#define SHRT_MIN (-32768)
#define SHRT_MAX 32767
#define USHRT_MAX 0xffff
#define INT_MIN (-2147483647 - 1)
#define INT_MAX 2147483647
#define UINT_MAX 0xffffffff
#define LONG_MIN (-2147483647L - 1)
#define LONG_MAX 2147483647L
#define ULONG_MAX 0xffffffffUL
#define LLONG_MAX 9223372036854775807LL
#define LLONG_MIN (-9223372036854775807LL - 1)
#define ULLONG_MAX 0xffffffffffffffffULL
#endif
`;
