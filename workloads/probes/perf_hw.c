// SPDX-License-Identifier: GPL-2.0
/*
 * "hw" probe: hardware events of the workload process and its threads (attr.inherit), named
 * as perf names them and encoded by libpfm4 so that the same names work on every PMU libpfm4
 * knows. Same lifecycle as the "sw" probe (perf_task.c): open disabled, enable at start,
 * disable and read (scaled if multiplexed) at stop. In a VM without a virtual PMU every event
 * comes out "unsupported" with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "probes/probe.h"
#include "probes/perf_task.h"

static const char *const hw_events[] = { "cycles", "instructions", "dTLB-load-misses" };

#define HW_NR (sizeof(hw_events) / sizeof(hw_events[0]))

struct hw_state {
	struct perf_task_set set;		/* first: the set's ops take the state */
	struct perf_task_counter c[HW_NR];	/* evsel NULL when not encoded or opened */
	int pfm_ok;
};

static void hw_open_reason(char *buf, size_t len, int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		snprintf(buf, len, "no hardware PMU for this event (perf_event_open: %s)",
			 strerror(err));
		break;
	default:
		perf_task_open_reason(buf, len, err);
	}
}

/* Fill attr from a perf-style event name; 0, or -1 with the reason in c->reason. */
static int hw_encode(struct perf_task_counter *c, const char *name, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret == PFM_ERR_NOTSUPP || ret == PFM_ERR_INVAL)
		ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT,
						&arg);
	if (ret != PFM_SUCCESS) {
		snprintf(c->reason, sizeof(c->reason), "libpfm4 cannot encode %s on this CPU: %s",
			 name, pfm_strerror(ret));
		return -1;
	}
	return 0;
}

static void hw_open_one(struct hw_state *st, size_t i)
{
	struct perf_event_attr attr;
	struct perf_task_counter *c = &st->c[i];

	memset(&attr, 0, sizeof(attr));
	if (hw_encode(c, hw_events[i], &attr))
		return;
	perf_task_attr(&attr);
	perf_task_open(&st->set, c, &attr, hw_open_reason);
}

static void hw_close(void *state)
{
	struct hw_state *st = state;

	if (!st)
		return;
	if (st->pfm_ok)
		pfm_terminate();
	perf_task_set_close(st);
}

static void hw_all_unsupported(struct hw_state *st, const char *why, int pfm_err)
{
	size_t i;

	for (i = 0; i < HW_NR; i++)
		snprintf(st->c[i].reason, sizeof(st->c[i].reason), "%s: %s", why,
			 pfm_strerror(pfm_err));
}

static int hw_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct hw_state *st;
	size_t i;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	for (i = 0; i < HW_NR; i++) {
		st->c[i].name = hw_events[i];
		st->c[i].unit = "count";
	}
	if (perf_task_set_init(&st->set, ctx->pid, st->c, HW_NR, PERF_TASK_PMU))
		goto err;
	ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		hw_all_unsupported(st, "libpfm4 cannot initialize", ret);
		goto out;
	}
	st->pfm_ok = 1;
	for (i = 0; i < HW_NR; i++)
		hw_open_one(st, i);
out:
	*state = st;
	return 0;
err:
	hw_close(st);
	return -1;
}

const struct fl_probe_ops fl_probe_hw = {
	.name = "hw",
	.help = "hardware events of the workload and its threads (libpfm4): cycles, instructions, "
		"dTLB-load-misses",
	.open = hw_open,
	.start = perf_task_set_start,
	.stop = perf_task_set_stop,
	.emit = perf_task_set_emit,
	.close = hw_close,
};
