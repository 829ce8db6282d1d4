// SPDX-License-Identifier: GPL-2.0
/*
 * "sw" probe: perf software events of the workload process and every thread or child it
 * creates after open() (attr.inherit). Counters are opened disabled; start() enables them
 * with one ioctl per event on the parent fd (the kernel propagates it to inherited children),
 * stop() disables and reads the parent fd, whose value includes live and exited children.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/threadmap.h>
#include <perf/evsel.h>
#include <perf/evlist.h>

#include "probes/probe.h"
#include "fl_json.h"

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

struct sw_counter {
	struct perf_evsel *evsel;	/* NULL when it could not be opened */
	char reason[160];		/* why there is no value, if there is none */
	__u64 value;
	int have_value;
};

struct sw_state {
	struct perf_evlist *group;	/* the events as one group, when that could be opened */
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct sw_counter c[SW_NR];
	int started;
};

static int sw_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void sw_open_reason(char *buf, size_t len, int err)
{
	if (err == EACCES || err == EPERM)
		snprintf(buf, len, "needs root or perf_event_paranoid <= 1 (perf_event_open: %s)",
			 strerror(err));
	else
		snprintf(buf, len, "perf_event_open failed: %s", strerror(err));
}

static struct perf_evsel *sw_new(size_t i)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = sw_events[i].config,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
		.disabled = 1,
		.inherit = 1,
	};

	return perf_evsel__new(&attr);
}

/*
 * All events in one group, as `perf stat -e '{...}'` does: the kernel schedules them in and
 * out as a unit at each context switch and they cover exactly the same time. (Measured on
 * ebizzy -m -T -t 2: per-task software events cost 3-5% of records/s, grouped or not, the
 * same as perf stat with these events; bench/probe-overhead.sh.) Returns 0 when it opened.
 */
static int sw_open_group(struct sw_state *st)
{
	size_t i;

	st->group = perf_evlist__new();
	if (!st->group)
		return -1;
	for (i = 0; i < SW_NR; i++) {
		st->c[i].evsel = sw_new(i);
		if (!st->c[i].evsel)
			goto fail;
		perf_evlist__add(st->group, st->c[i].evsel);
	}
	perf_evlist__set_maps(st->group, st->cpus, st->threads);
	perf_evlist__set_leader(st->group);
	if (perf_evlist__open(st->group) == 0)
		return 0;
fail:
	perf_evlist__delete(st->group);	/* deletes the evsels added so far */
	st->group = NULL;
	for (i = 0; i < SW_NR; i++)
		st->c[i].evsel = NULL;
	return -1;
}

/* Without a group, each event alone, so one that cannot be opened says why. */
static void sw_open_one(struct sw_state *st, size_t i)
{
	struct sw_counter *c = &st->c[i];
	int err;

	c->evsel = sw_new(i);
	if (!c->evsel) {
		snprintf(c->reason, sizeof(c->reason), "out of memory opening the counter");
		return;
	}
	err = perf_evsel__open(c->evsel, st->cpus, st->threads);
	if (err < 0) {
		sw_open_reason(c->reason, sizeof(c->reason), -err);
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
	}
}

static void sw_close(void *state)
{
	struct sw_state *st = state;
	size_t i;

	if (!st)
		return;
	if (st->group) {
		perf_evlist__close(st->group);
		perf_evlist__delete(st->group);
		for (i = 0; i < SW_NR; i++)
			st->c[i].evsel = NULL;
	}
	for (i = 0; i < SW_NR; i++) {
		if (!st->c[i].evsel)
			continue;
		perf_evsel__close(st->c[i].evsel);
		perf_evsel__delete(st->c[i].evsel);
	}
	perf_thread_map__put(st->threads);
	perf_cpu_map__put(st->cpus);
	free(st);
}

static int sw_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct sw_state *st;
	size_t i;

	libperf_init(sw_silent);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	st->cpus = perf_cpu_map__new_any_cpu();
	st->threads = perf_thread_map__new_array(1, NULL);
	if (!st->cpus || !st->threads)
		goto err;
	perf_thread_map__set_pid(st->threads, 0, ctx->pid);
	if (sw_open_group(st))
		for (i = 0; i < SW_NR; i++)
			sw_open_one(st, i);
	*state = st;
	return 0;
err:
	sw_close(st);
	return -1;
}

static int sw_start(void *state)
{
	struct sw_state *st = state;
	size_t i;
	int ret = 0;

	for (i = 0; i < SW_NR; i++) {
		struct sw_counter *c = &st->c[i];

		if (c->evsel && perf_evsel__enable(c->evsel)) {
			snprintf(c->reason, sizeof(c->reason), "enabling the counter failed: %s",
				 strerror(errno));
			ret = -1;
		}
	}
	st->started = 1;
	return ret;
}

static void sw_read_one(struct sw_counter *c)
{
	struct perf_counts_values v;
	int err;

	err = perf_evsel__read(c->evsel, 0, 0, &v);
	if (err < 0) {
		snprintf(c->reason, sizeof(c->reason), "reading the counter failed: %s",
			 strerror(-err));
		return;
	}
	/* Software events are never multiplexed; scale anyway in case that changes. */
	if (v.run && v.run < v.ena)
		perf_counts_values__scale(&v, true, NULL);
	c->value = v.val;
	c->have_value = 1;
}

static int sw_stop(void *state)
{
	struct sw_state *st = state;
	size_t i;

	for (i = 0; i < SW_NR; i++)
		if (st->c[i].evsel)
			perf_evsel__disable(st->c[i].evsel);
	if (!st->started)
		return 0;
	for (i = 0; i < SW_NR; i++)
		if (st->c[i].evsel && !st->c[i].reason[0])
			sw_read_one(&st->c[i]);
	return 0;
}

static void sw_emit(void *state, json_t *case_obj)
{
	struct sw_state *st = state;
	json_t *counters = fl_probe_section(case_obj, "counters");
	size_t i;

	if (!counters)
		return;
	for (i = 0; i < SW_NR; i++) {
		const struct sw_counter *c = &st->c[i];
		json_t *v;

		if (c->have_value)
			v = json_pack("{s:I, s:s, s:s, s:s}", "value", (json_int_t)c->value,
				      "unit", sw_events[i].unit, "source", "perf",
				      "scope", "task");
		else
			v = fl_json_missing("unsupported", c->reason[0] ? c->reason :
					    "the counter was not read (probe not started)");
		json_object_set_new(counters, sw_events[i].name, v);
	}
}

const struct fl_probe_ops fl_probe_sw = {
	.name = "sw",
	.help = "perf software events of the workload and its threads: page-faults, minor-faults, "
		"major-faults, context-switches, cpu-migrations, task-clock",
	.open = sw_open,
	.start = sw_start,
	.stop = sw_stop,
	.emit = sw_emit,
	.close = sw_close,
};
