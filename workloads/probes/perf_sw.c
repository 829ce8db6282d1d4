// SPDX-License-Identifier: GPL-2.0
/*
 * "sw" probe: perf software events of the workload process and every thread or child it
 * creates after open() (attr.inherit). The lifecycle (enable at start, disable and read at stop,
 * emit, close) is perf_task.c's. Not in the default set: every fault and context switch of an
 * inheriting per-task event goes through perf (4.6% +/- 1.0 of ebizzy -m -T records/s on a
 * 2-vCPU x86 VM); the "rusage" probe counts the same names from getrusage and /proc at no cost
 * per event.
 * Named (--probes all,sw), these counters take the names both count ("source": "perf"): for
 * cpu-migrations, and where a figure must agree with perf stat to the fault.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>

#include "probes/probe.h"
#include "probes/perf_task.h"

struct sw_event {
	const char *name;
	__u64 config;
	const char *unit;
};

static const struct sw_event sw_events[] = {
	{ "page-faults",	PERF_COUNT_SW_PAGE_FAULTS,	"count" },
	{ "minor-faults",	PERF_COUNT_SW_PAGE_FAULTS_MIN,	"count" },
	{ "major-faults",	PERF_COUNT_SW_PAGE_FAULTS_MAJ,	"count" },
	{ "context-switches",	PERF_COUNT_SW_CONTEXT_SWITCHES,	"count" },
	{ "cpu-migrations",	PERF_COUNT_SW_CPU_MIGRATIONS,	"count" },
	{ "task-clock",		PERF_COUNT_SW_TASK_CLOCK,	"ns" },
};

#define SW_NR (sizeof(sw_events) / sizeof(sw_events[0]))

struct sw_state {
	struct perf_task_set set;	/* first: the set's ops take the state */
	struct perf_task_counter c[SW_NR];
};

static void sw_attr(size_t i, struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = sw_events[i].config;
	perf_task_attr(attr);
}

static int sw_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct perf_event_attr attr;
	struct sw_state *st;
	size_t i;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	for (i = 0; i < SW_NR; i++) {
		st->c[i].name = sw_events[i].name;
		st->c[i].unit = sw_events[i].unit;
	}
	if (perf_task_set_init(&st->set, ctx->pid, st->c, SW_NR, 0))
		goto err;
	/*
	 * Each event alone, so one that cannot be opened says why. (One group, as perf stat
	 * -e '{...}' opens them, measured no cheaper on ebizzy -m -T -t 2 — per-task software
	 * events cost 3-5% of records/s either way, as they do under perf stat — and libperf
	 * 6.12's evlist leaks the maps it hands to grouped events.)
	 */
	for (i = 0; i < SW_NR; i++) {
		sw_attr(i, &attr);
		perf_task_open(&st->set, &st->c[i], &attr, perf_task_open_reason);
	}
	*state = st;
	return 0;
err:
	perf_task_set_close(st);
	return -1;
}

const struct fl_probe_ops fl_probe_sw = {
	.name = "sw",
	.help = "perf software events of the workload and its threads: page-faults, minor-faults, "
		"major-faults, context-switches, cpu-migrations, task-clock (not in all: a few "
		"percent of a fault-bound workload; --probes all,sw)",
	.open = sw_open,
	.start = perf_task_set_start,
	.stop = perf_task_set_stop,
	.emit = perf_task_set_emit,
	.close = perf_task_set_close,
};
