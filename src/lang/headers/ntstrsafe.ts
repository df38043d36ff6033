// <ntstrsafe.h>: bounded string formatting and copying for kernel code (the A and W forms).

export const NTSTRSAFE_H = `/* <ntstrsafe.h>: safe string routines. cb = size in bytes, cch = size in characters. */
#ifndef _MDLAB_NTSTRSAFE_H
#define _MDLAB_NTSTRSAFE_H
#include <ntdef.h>
#include <stdarg.h>
#include <ntstatus.h>

typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef wchar_t *NTSTRSAFE_PWSTR;
typedef const wchar_t *NTSTRSAFE_PCWSTR;

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)
#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000

NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...);
NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...);
NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...);

/* Copy and length are inline in the WDK too: always NUL-terminate, report truncation. */
NTSTRSAFEDDI NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    while (cchDest > 1 && *pszSrc != '\\0') {
        *pszDest++ = *pszSrc++;
        cchDest--;
    }
    *pszDest = '\\0';
    return *pszSrc == '\\0' ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

NTSTRSAFEDDI NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCopyA(pszDest, cbDest / sizeof(char), pszSrc);
}

NTSTRSAFEDDI NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t length = 0;
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength != NULL) {
            *pcchLength = 0;
        }
        return STATUS_INVALID_PARAMETER;
    }
    while (length < cchMax && psz[length] != '\\0') {
        length++;
    }
    if (length == cchMax) {
        if (pcchLength != NULL) {
            *pcchLength = 0;
        }
        return STATUS_INVALID_PARAMETER;
    }
    if (pcchLength != NULL) {
        *pcchLength = length;
    }
    return STATUS_SUCCESS;
}

NTSTRSAFEDDI NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    NTSTATUS status = RtlStringCchLengthA(psz, cbMax / sizeof(char), &cch);
    if (pcbLength != NULL) {
        *pcbLength = cch * sizeof(char);
    }
    return status;
}
#endif
`;
