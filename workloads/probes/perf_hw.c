// SPDX-License-Identifier: GPL-2.0
/*
 * "hw" probe: hardware events of the workload process and its threads (attr.inherit), named
 * as perf names them and encoded by libpfm4 so that the same names work on every PMU libpfm4
 * knows. Same lifecycle as the "sw" probe: open disabled, enable at start, disable and read
 * at stop. In a VM without a virtual PMU every event comes out "unsupported" with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/threadmap.h>
#include <perf/evsel.h>

#include "probes/probe.h"
#include "fl_json.h"

static const char *const hw_events[] = { "cycles", "instructions", "dTLB-load-misses" };

#define HW_NR (sizeof(hw_events) / sizeof(hw_events[0]))

struct hw_counter {
	struct perf_evsel *evsel;	/* NULL when it could not be encoded or opened */
	char reason[200];
	__u64 value;
	int have_value;
	int scaled;
};

struct hw_state {
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct hw_counter c[HW_NR];
	int pfm_ok;
	int started;
};

static int hw_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void hw_open_reason(char *buf, size_t len, int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		snprintf(buf, len, "no hardware PMU for this event (perf_event_open: %s)",
			 strerror(err));
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, len, "needs root or perf_event_paranoid <= 1 (perf_event_open: %s)",
			 strerror(err));
		break;
	default:
		snprintf(buf, len, "perf_event_open failed: %s", strerror(err));
	}
}

/* Fill attr from a perf-style event name; 0, or -1 with the reason in c->reason. */
static int hw_encode(struct hw_counter *c, const char *name, struct perf_event_attr *attr)
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
	struct hw_counter *c = &st->c[i];
	int err;

	memset(&attr, 0, sizeof(attr));
	if (hw_encode(c, hw_events[i], &attr))
		return;
	attr.size = sizeof(attr);
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr.disabled = 1;
	attr.inherit = 1;
	c->evsel = perf_evsel__new(&attr);
	if (!c->evsel) {
		snprintf(c->reason, sizeof(c->reason), "out of memory opening the counter");
		return;
	}
	err = perf_evsel__open(c->evsel, st->cpus, st->threads);
	if (err < 0) {
		hw_open_reason(c->reason, sizeof(c->reason), -err);
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
	}
}

static void hw_close(void *state)
{
	struct hw_state *st = state;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < HW_NR; i++) {
		if (!st->c[i].evsel)
			continue;
		perf_evsel__close(st->c[i].evsel);
		perf_evsel__delete(st->c[i].evsel);
	}
	if (st->pfm_ok)
		pfm_terminate();
	perf_thread_map__put(st->threads);
	perf_cpu_map__put(st->cpus);
	free(st);
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

	libperf_init(hw_silent);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	st->cpus = perf_cpu_map__new_any_cpu();
	st->threads = perf_thread_map__new_array(1, NULL);
	if (!st->cpus || !st->threads)
		goto err;
	perf_thread_map__set_pid(st->threads, 0, ctx->pid);
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

static int hw_start(void *state)
{
	struct hw_state *st = state;
	size_t i;
	int ret = 0;

	for (i = 0; i < HW_NR; i++) {
		struct hw_counter *c = &st->c[i];

		if (c->evsel && perf_evsel__enable(c->evsel)) {
			snprintf(c->reason, sizeof(c->reason), "enabling the counter failed: %s",
				 strerror(errno));
			ret = -1;
		}
	}
	st->started = 1;
	return ret;
}

static void hw_read_one(struct hw_counter *c)
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
		snprintf(c->reason, sizeof(c->reason),
			 "the counter never got a PMU slot (multiplexed out for the whole phase)");
		return;
	}
	if (v.run < v.ena) {
		perf_counts_values__scale(&v, true, NULL);
		c->scaled = 1;
	}
	c->value = v.val;
	c->have_value = 1;
}

static int hw_stop(void *state)
{
	struct hw_state *st = state;
	size_t i;

	for (i = 0; i < HW_NR; i++)
		if (st->c[i].evsel)
			perf_evsel__disable(st->c[i].evsel);
	if (!st->started)
		return 0;
	for (i = 0; i < HW_NR; i++)
		if (st->c[i].evsel && !st->c[i].reason[0])
			hw_read_one(&st->c[i]);
	return 0;
}

static void hw_emit(void *state, json_t *case_obj)
{
	struct hw_state *st = state;
	json_t *counters = fl_probe_section(case_obj, "counters");
	size_t i;

	if (!counters)
		return;
	for (i = 0; i < HW_NR; i++) {
		const struct hw_counter *c = &st->c[i];
		json_t *v;

		if (c->have_value) {
			v = json_pack("{s:I, s:s, s:s, s:s}", "value", (json_int_t)c->value,
				      "unit", "count", "source", "perf", "scope", "task");
			if (v && c->scaled)
				json_object_set_new(v, "scaled", json_true());
		} else {
			v = fl_json_missing("unsupported", c->reason[0] ? c->reason :
					    "the counter was not read (probe not started)");
		}
		json_object_set_new(counters, hw_events[i], v);
	}
}

const struct fl_probe_ops fl_probe_hw = {
	.name = "hw",
	.help = "hardware events of the workload and its threads (libpfm4): cycles, instructions, "
		"dTLB-load-misses",
	.open = hw_open,
	.start = hw_start,
	.stop = hw_stop,
	.emit = hw_emit,
	.close = hw_close,
};
