// SPDX-License-Identifier: GPL-2.0
/* vmstat probe: /proc/vmstat at start and stop; case["vmstat"] = per-item deltas. */
#include <stdlib.h>

#include "fl_json.h"
#include "probes/probe.h"
#include "probes/proc_snap.h"
#include "probes/procparse_vmstat.h"

struct vmstat_state {
	struct fl_proc_snap snap;	/* first: the snap's ops take the state */
};

static int vmstat_open(void **state, const struct fl_probe_ctx *ctx)
{
	const char *root = ctx && ctx->proc_root ? ctx->proc_root : "/proc";
	struct vmstat_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	fl_proc_snap_open(&st->snap, root, "vmstat");
	*state = st;
	return 0;
}

static void vmstat_emit(void *state, json_t *case_obj)
{
	struct vmstat_state *st = state;
	struct fl_vmstat a, b;
	json_t *delta;

	if (st->snap.reason[0]) {
		json_object_set_new(case_obj, "vmstat", fl_json_missing("unsupported",
								    st->snap.reason));
		return;
	}
	if (!st->snap.start || !st->snap.stop)
		return;
	if (fl_vmstat_parse(st->snap.start, &a))
		return;
	if (fl_vmstat_parse(st->snap.stop, &b))
		goto free_a;
	delta = fl_vmstat_delta_json(&a, &b);
	if (delta)
		json_object_update(fl_probe_section(case_obj, "vmstat"), delta);
	json_decref(delta);
	fl_vmstat_free(&b);
free_a:
	fl_vmstat_free(&a);
}

const struct fl_probe_ops fl_probe_vmstat = {
	.name	= "vmstat",
	.help	= "/proc/vmstat deltas over the measured phase (nr_* levels marked gauge)",
	.open	= vmstat_open,
	.start	= fl_proc_snap_start,
	.stop	= fl_proc_snap_stop,
	.emit	= vmstat_emit,
	.close	= fl_proc_snap_close,
};
