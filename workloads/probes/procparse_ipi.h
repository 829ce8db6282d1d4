/* SPDX-License-Identifier: GPL-2.0 */
/* IPI normalization (procparse_ipi.c): the class of each /proc/interrupts row per arch and
 * the "ipi" section from two snapshots. Why each arch looks as it does: README.md. */
#ifndef FL_PROCPARSE_IPI_H
#define FL_PROCPARSE_IPI_H

#include <jansson.h>

#include "probes/procparse_irq.h"

enum fl_ipi_class {
	FL_IPI_NONE = -1,
	FL_IPI_FUNCTION_CALL = 0,
	FL_IPI_TLB_SHOOTDOWN,
	FL_IPI_RESCHEDULE,
	FL_IPI_OTHER,
	FL_IPI_NCLASSES,
};

/* "function_call", "tlb_shootdown", "reschedule", "other". */
const char *fl_ipi_class_name(enum fl_ipi_class c);
/* Arch family of a uname machine: "x86", "arm64", "powerpc", "s390"; NULL if unknown. */
const char *fl_ipi_arch_family(const char *machine);
/* Class of one /proc/interrupts row on machine (FL_IPI_NONE if not an IPI row). */
enum fl_ipi_class fl_ipi_classify(const char *machine, const char *name, const char *desc);
/* Why class c has no row on machine: returns the JSON status ("absent" or
 * "unsupported") and sets *reason (the arch's own reason from the table, else a generic
 * one: unknown arch -> unsupported, a row this kernel does not print -> absent). */
const char *fl_ipi_missing(const char *machine, enum fl_ipi_class c, const char **reason);
/* The "ipi" section from two snapshots (see workloads/probes/README.md):
 * {"function_call": {"total", "per_cpu", "rows"} | {"status", "reason"}, ...,
 *  "arch": machine, "cpus": [CPU number of each per_cpu column],
 *  "raw": {key: {"desc", "total", "per_cpu"[, "class"]}}}.
 * A CPU set that changed between snapshots gives {"status": "unsupported", ...}. */
json_t *fl_ipi_delta_json(const char *machine, const struct fl_irq_table *start,
			  const struct fl_irq_table *stop);

/* Replace class c of an "ipi" section (fl_ipi_delta_json) with {"status", "reason"}; the
 * class's rows stay in "raw". No-op when ipi is itself a status. 0, or -1 (ENOMEM). */
int fl_ipi_set_missing(json_t *ipi, enum fl_ipi_class c, const char *status,
		       const char *reason);

#endif
