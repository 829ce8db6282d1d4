// SPDX-License-Identifier: GPL-2.0
/*
 * Task counters, the lifecycle shared by the "sw" and "hw" probes: open disabled with
 * attr.inherit on the workload's pid; enable with one ioctl per event on the parent fd (the
 * kernel propagates it to inherited children); disable and read the parent fd, whose value
 * includes live and exited children.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/threadmap.h>
#include <perf/evsel.h>

#include "probes/perf_task.h"
#include "probes/probe.h"
#include "fl_json.h"

static int perf_task_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int perf_task_set_init(struct perf_task_set *s, pid_t pid, struct perf_task_counter *c,
		       size_t n, unsigned int flags)
{
	s->c = c;
	s->n = n;
	s->flags = flags;
	libperf_init(perf_task_silent);
	s->cpus = perf_cpu_map__new_any_cpu();
	s->threads = perf_thread_map__new_array(1, NULL);
	if (!s->cpus || !s->threads)
		return -1;
	perf_thread_map__set_pid(s->threads, 0, pid);
	return 0;
}

void perf_task_attr(struct perf_event_attr *attr)
{
	attr->size = sizeof(*attr);
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->disabled = 1;
	attr->inherit = 1;
}

void perf_task_open_reason(char *buf, size_t len, int err)
{
	if (err == EACCES || err == EPERM)
		snprintf(buf, len, "needs root or perf_event_paranoid <= 1 (perf_event_open: %s)",
			 strerror(err));
	else
		snprintf(buf, len, "perf_event_open failed: %s", strerror(err));
}

void perf_task_open(struct perf_task_set *s, struct perf_task_counter *c,
		    struct perf_event_attr *attr, perf_task_reason_fn why)
{
	int err;

	c->evsel = perf_evsel__new(attr);
	if (!c->evsel) {
		snprintf(c->reason, sizeof(c->reason), "out of memory opening the counter");
		return;
	}
	err = perf_evsel__open(c->evsel, s->cpus, s->threads);
	if (err < 0) {
		why(c->reason, sizeof(c->reason), -err);
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
	}
}

int perf_task_set_start(void *state)
{
	struct perf_task_set *s = state;
	struct perf_task_counter *c = s->c;
	size_t i;
	int ret = 0;

	s->started = 1;
	for (i = 0; i < s->n; i++) {
		if (c[i].evsel && perf_evsel__enable(c[i].evsel)) {
			snprintf(c[i].reason, sizeof(c[i].reason),
				 "enabling the counter failed: %s", strerror(errno));
			ret = -1;
		}
	}
	return ret;
}

static void perf_task_read(struct perf_task_counter *c, unsigned int flags)
{
	struct perf_counts_values v;
	int err;

	err = perf_evsel__read(c->evsel, 0, 0, &v);
	if (err < 0) {
		snprintf(c->reason, sizeof(c->reason), "reading the counter failed: %s",
			 strerror(-err));
		return;
	}
	if (v.ena && !v.run) {
		if (flags & PERF_TASK_PMU) {
			snprintf(c->reason, sizeof(c->reason), "the counter never got a PMU slot "
				 "(multiplexed out for the whole phase)");
			return;
		}
	} else if (v.run < v.ena) {
		/* Software events are never multiplexed; hardware ones may be. */
		perf_counts_values__scale(&v, true, NULL);
		c->scaled = 1;
	}
	c->value = v.val;
	c->have_value = 1;
}

int perf_task_set_stop(void *state)
{
	struct perf_task_set *s = state;
	struct perf_task_counter *c = s->c;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (c[i].evsel)
			perf_evsel__disable(c[i].evsel);
	if (!s->started)
		return 0;
	for (i = 0; i < s->n; i++)
		if (c[i].evsel && !c[i].reason[0])
			perf_task_read(&c[i], s->flags);
	return 0;
}

void perf_task_set_emit(void *state, json_t *case_obj)
{
	const struct perf_task_set *s = state;
	const struct perf_task_counter *c = s->c;
	json_t *counters = fl_probe_section(case_obj, "counters");
	size_t i;

	if (!counters)
		return;
	for (i = 0; i < s->n; i++) {
		json_t *v;

		if (c[i].have_value) {
			v = json_pack("{s:I, s:s, s:s, s:s}", "value", (json_int_t)c[i].value,
				      "unit", c[i].unit, "source", "perf", "scope", "task");
			if (v && c[i].scaled && (s->flags & PERF_TASK_PMU))
				json_object_set_new(v, "scaled", json_true());
		} else {
			v = fl_json_missing("unsupported", c[i].reason[0] ? c[i].reason :
					    "the counter was not read (probe not started)");
		}
		json_object_set_new(counters, c[i].name, v);
	}
}

void perf_task_set_close(void *state)
{
	struct perf_task_set *s = state;
	struct perf_task_counter *c;
	size_t i;

	if (!s)
		return;
	c = s->c;
	for (i = 0; c && i < s->n; i++) {
		if (!c[i].evsel)
			continue;
		perf_evsel__close(c[i].evsel);
		perf_evsel__delete(c[i].evsel);
		c[i].evsel = NULL;
	}
	perf_thread_map__put(s->threads);
	perf_cpu_map__put(s->cpus);
	free(s);
}
