// Macros every translation unit starts with: the x64 Windows kernel-mode build environment of
// MSVC + WDK (Debug configuration), and MSVC keywords that are spelled as macros here.

/** Names the preprocessor computes per use (C17 6.10.8, MSVC). */
export const DYNAMIC_MACROS = ['__FILE__', '__LINE__', '__COUNTER__', '__DATE__', '__TIME__'] as const;

// __DATE__/__TIME__ are fixed so that a scenario behaves the same on every run.
export const FIXED_DATE = '"Jan  1 2026"';
export const FIXED_TIME = '"00:00:00"';

export const PREDEFINED_SOURCE = `
#define _WIN32 1
#define _WIN64 1
#define _M_X64 100
#define _M_AMD64 100
#define _AMD64_ 1
#define _KERNEL_MODE 1
#define _MSC_VER 1940
#define _MSC_FULL_VER 194033811
#define _MSC_EXTENSIONS 1
#define _INTEGRAL_MAX_BITS 64
#define __STDC_VERSION__ 201710L
#define __STDC_HOSTED__ 0
#define __STDC_NO_ATOMICS__ 1
#define __STDC_NO_COMPLEX__ 1
#define __STDC_NO_THREADS__ 1
#define __STDC_NO_VLA__ 1
#define NTDDI_VERSION 0x0A00000C
#define _WIN32_WINNT 0x0A00
#define WINVER 0x0A00
#define DBG 1
#define __int8 char
#define __int16 short
#define __int32 int
#define __int64 long long
#define __inline inline
#define __forceinline inline
#define __cdecl
#define __stdcall
#define __fastcall
#define __vectorcall
#define __ptr32
#define __ptr64
#define __w64
#define __unaligned
#define __restrict restrict
#define __alignof(t) _Alignof(t)
`;
