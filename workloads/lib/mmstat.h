/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mechanism counters a workload turns into its own metrics (vma_lock_* per fault, IPIs per op,
 * nr_tlb_* by reason): raw /proc/vmstat and /proc/interrupts text taken right around the
 * workload's loop, and the deltas between two snapshots. An item the kernel does not print is
 * reported as missing with the reason, never as 0.
 */
#ifndef FL_MMSTAT_H
#define FL_MMSTAT_H

#include <stddef.h>
#include <jansson.h>
#include "probes/procparse.h"

struct fl_mmsnap {
	char *vmstat;	/* NULL: could not be read */
	char *irq;
};

/* Read /proc/vmstat and /proc/interrupts (a file that cannot be read stays NULL). */
void fl_mmsnap_take(struct fl_mmsnap *s);
void fl_mmsnap_free(struct fl_mmsnap *s);

/* stop - start of one vmstat item: 0, or -1 when either snapshot lacks it. */
int fl_mmsnap_vmstat(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
		     const char *name, unsigned long long *delta);
/* {name: delta} for every vmstat item starting with prefix; NULL when there is none. */
json_t *fl_mmsnap_vmstat_prefix(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
				const char *prefix);
/*
 * The "ipi" section (fl_ipi_delta_json) between two /proc/interrupts texts of this machine,
 * with tlb_shootdown {"status": "unsupported", "reason"} where remote TLB flushes go without
 * an IPI (fl_tlb_ipi_less_here: a hypervisor's flush; the row would undercount), never 0.
 * A text that is NULL or has no CPU header gives a section that is itself a status.
 */
json_t *fl_ipi_delta_here(const char *irq0, const char *irq1);
/* Total IPIs of class cls between the snapshots, all CPUs (fl_ipi_delta_here): 0, or -1 with
 * reason filled (the class has no row on this arch/kernel, the kernel flushes TLBs without
 * an IPI, or the file could not be read). */
int fl_mmsnap_ipi(const struct fl_mmsnap *start, const struct fl_mmsnap *stop,
		  enum fl_ipi_class cls, unsigned long long *total, char *reason, size_t len);

#endif
