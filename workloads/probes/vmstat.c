// SPDX-License-Identifier: GPL-2.0
/* vmstat probe: /proc/vmstat at start and stop; case["vmstat"] = per-item deltas. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_json.h"
#include "probes/probe.h"
#include "probes/procparse.h"

struct vmstat_state {
	char path[PATH_MAX];
	char *start, *stop;		/* raw text; parsed after the measured phase */
	char reason[PATH_MAX + 64];	/* non-empty: unsupported, and why */
};

/* Read the file into *text; on failure leave a reason. */
static void vmstat_snap(struct vmstat_state *st, char **text)
{
	free(*text);
	*text = fl_slurp(st->path, NULL);
	if (!*text)
		snprintf(st->reason, sizeof(st->reason), "cannot read %s: %s", st->path,
			 strerror(errno));
}

static int vmstat_open(void **state, const struct fl_probe_ctx *ctx)
{
	const char *root = ctx && ctx->proc_root ? ctx->proc_root : "/proc";
	struct vmstat_state *st = calloc(1, sizeof(*st));
	char *probe = NULL;

	if (!st)
		return -1;
	snprintf(st->path, sizeof(st->path), "%s/vmstat", root);
	vmstat_snap(st, &probe);
	free(probe);
	*state = st;
	return 0;
}

static int vmstat_start(void *state)
{
	struct vmstat_state *st = state;

	if (!st->reason[0])
		vmstat_snap(st, &st->start);
	return 0;
}

static int vmstat_stop(void *state)
{
	struct vmstat_state *st = state;

	if (!st->reason[0] && st->start)
		vmstat_snap(st, &st->stop);
	return 0;
}

static void vmstat_emit(void *state, json_t *case_obj)
{
	struct vmstat_state *st = state;
	struct fl_vmstat a, b;
	json_t *delta;

	if (st->reason[0]) {
		json_object_set_new(case_obj, "vmstat", fl_json_missing("unsupported", st->reason));
		return;
	}
	if (!st->start || !st->stop)
		return;
	if (fl_vmstat_parse(st->start, &a))
		return;
	if (fl_vmstat_parse(st->stop, &b))
		goto free_a;
	delta = fl_vmstat_delta_json(&a, &b);
	if (delta)
		json_object_update(fl_probe_section(case_obj, "vmstat"), delta);
	json_decref(delta);
	fl_vmstat_free(&b);
free_a:
	fl_vmstat_free(&a);
}

static void vmstat_close(void *state)
{
	struct vmstat_state *st = state;

	if (!st)
		return;
	free(st->start);
	free(st->stop);
	free(st);
}

const struct fl_probe_ops fl_probe_vmstat = {
	.name	= "vmstat",
	.help	= "/proc/vmstat deltas over the measured phase (nr_* levels marked gauge)",
	.open	= vmstat_open,
	.start	= vmstat_start,
	.stop	= vmstat_stop,
	.emit	= vmstat_emit,
	.close	= vmstat_close,
};
