// SPDX-License-Identifier: GPL-2.0
/* interrupts probe: /proc/interrupts at start and stop; case["ipi"] = IPI deltas per
 * class (function_call, tlb_shootdown, reschedule, other) and per CPU, plus raw rows.
 * tlb_shootdown is unsupported, with the reason, where remote TLB flushes may bypass the
 * TLB row (a hypervisor's flush: fl_tlb_ipi_less); the row itself stays in raw. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "fl_json.h"
#include "probes/probe.h"
#include "probes/proc_snap.h"
#include "probes/procparse.h"
#include "probes/tlb_flush.h"

struct irq_state {
	struct fl_proc_snap snap;	/* first: the snap's ops take the state */
	char machine[64];		/* uname machine: picks the normalization table */
	char tlb_reason[768];		/* non-empty: the TLB row misses remote flushes */
};

static int irq_open(void **state, const struct fl_probe_ctx *ctx)
{
	const char *root = ctx && ctx->proc_root ? ctx->proc_root : "/proc";
	struct irq_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	if (fl_proc_machine(root, st->machine, sizeof(st->machine)))
		snprintf(st->machine, sizeof(st->machine), "unknown");
	fl_proc_snap_open(&st->snap, root, "interrupts");
	fl_tlb_ipi_less_here(root, st->tlb_reason, sizeof(st->tlb_reason));
	*state = st;
	return 0;
}

static void irq_emit_missing(json_t *case_obj, const char *why, const char *path)
{
	char reason[PATH_MAX + 64];

	snprintf(reason, sizeof(reason), "%s %s", why, path);
	json_object_set_new(case_obj, "ipi", fl_json_missing("unsupported", reason));
}

static void irq_emit(void *state, json_t *case_obj)
{
	struct irq_state *st = state;
	struct fl_irq_table a, b;
	json_t *ipi;

	if (st->snap.reason[0]) {
		json_object_set_new(case_obj, "ipi", fl_json_missing("unsupported",
								 st->snap.reason));
		return;
	}
	if (!st->snap.start || !st->snap.stop)
		return;
	if (fl_irq_parse(st->snap.start, &a)) {
		irq_emit_missing(case_obj, "cannot parse", st->snap.path);
		return;
	}
	if (fl_irq_parse(st->snap.stop, &b)) {
		irq_emit_missing(case_obj, "cannot parse", st->snap.path);
		goto free_a;
	}
	ipi = fl_ipi_delta_json(st->machine, &a, &b);
	if (st->tlb_reason[0])
		fl_ipi_set_missing(ipi, FL_IPI_TLB_SHOOTDOWN, "unsupported", st->tlb_reason);
	if (ipi && json_object_get(ipi, "status"))
		json_object_set(case_obj, "ipi", ipi);
	else if (ipi)
		json_object_update(fl_probe_section(case_obj, "ipi"), ipi);
	json_decref(ipi);
	fl_irq_free(&b);
free_a:
	fl_irq_free(&a);
}

const struct fl_probe_ops fl_probe_interrupts = {
	.name	= "interrupts",
	.help	= "/proc/interrupts IPI deltas per CPU: function_call, tlb_shootdown, "
		  "reschedule, other, and the raw rows",
	.open	= irq_open,
	.start	= fl_proc_snap_start,
	.stop	= fl_proc_snap_stop,
	.emit	= irq_emit,
	.close	= fl_proc_snap_close,
};
