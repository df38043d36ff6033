// <wdm.h>: what a WDM driver sees of the kernel, assembled from its parts (one module each).
import { WDM_IO } from './wdmIo';
import { WDM_KERNEL } from './wdmKernel';
import { WDM_MM } from './wdmMm';
import { WDM_RTL } from './wdmRtl';

export const WDM_H = `/* <wdm.h>: kernel types, the memory manager, the I/O manager and run-time services (x64). */
#ifndef _MDLAB_WDM_H
#define _MDLAB_WDM_H
#include <ntdef.h>
#include <string.h>
#include <stdarg.h>

${WDM_KERNEL}
${WDM_MM}
${WDM_IO}
${WDM_RTL}
#endif
`;
