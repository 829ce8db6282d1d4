/* SPDX-License-Identifier: GPL-2.0 */
/* The pure parsers of /proc and sysfs text, one file per kind of text (each with its header):
 * procparse_vmstat (/proc/vmstat), procparse_irq (/proc/interrupts), procparse_ipi (the
 * per-arch IPI classes of its rows), procparse_tlb (remote TLB flushes without an IPI, from
 * the kernel log, CPUID and sysfs) and procparse_kernel (config symbols, "uname -a", a sysfs
 * "[choice]"). None reads a file; tests feed them fixture text captured from real kernels. */
#ifndef FL_PROCPARSE_H
#define FL_PROCPARSE_H

#include <stddef.h>

#include "fl_util.h"
#include "probes/procparse_vmstat.h"
#include "probes/procparse_irq.h"
#include "probes/procparse_ipi.h"
#include "probes/procparse_tlb.h"
#include "probes/procparse_kernel.h"

#endif
