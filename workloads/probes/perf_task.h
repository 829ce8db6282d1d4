/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Task counters: perf events of one process and every thread or child it creates after open
 * (attr.inherit), as the "sw" and "hw" probes count them. Opened disabled, enabled at start,
 * disabled and read (scaled if multiplexed) at stop, emitted into case["counters"] as
 * {"value","unit","source","scope":"task"} or "unsupported" with the reason, then closed.
 */
#ifndef FL_PERF_TASK_H
#define FL_PERF_TASK_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include <linux/perf_event.h>

struct perf_cpu_map;
struct perf_thread_map;
struct perf_evsel;

struct perf_task_counter {
	const char *name;		/* key in case["counters"] */
	const char *unit;
	struct perf_evsel *evsel;	/* NULL when it could not be opened */
	char reason[200];		/* why there is no value, if there is none */
	__u64 value;
	int have_value;
	int scaled;			/* the value was scaled for multiplexing */
};

/* Counters on a PMU that multiplexes: a counter that never ran has no value, and a scaled
 * value says so ("scaled": true). */
#define PERF_TASK_PMU	0x1

/* Writes why perf_event_open failed with err (a positive errno). */
typedef void (*perf_task_reason_fn)(char *buf, size_t len, int err);

/* Silences libperf and makes the maps of "pid and its descendants, on any CPU": 0, or -1
 * with whatever was made in *cpus and *threads for the caller to put. */
int perf_task_maps(pid_t pid, struct perf_cpu_map **cpus, struct perf_thread_map **threads);
/* The fields every task counter has: size, read_format (times), disabled, inherit. */
void perf_task_attr(struct perf_event_attr *attr);
/* Opens c from attr (after perf_task_attr); on failure c->evsel is NULL and c->reason says why. */
void perf_task_open(struct perf_task_counter *c, struct perf_event_attr *attr,
		    struct perf_cpu_map *cpus, struct perf_thread_map *threads,
		    perf_task_reason_fn why);
/* Enables the open counters: 0, or -1 if one failed (its reason says why). */
int perf_task_enable(struct perf_task_counter *c, size_t n);
/* Disables the open counters and, if started, reads those that have no reason yet. */
void perf_task_stop(struct perf_task_counter *c, size_t n, int started, unsigned int flags);
void perf_task_emit(const struct perf_task_counter *c, size_t n, json_t *case_obj,
		    const char *source, unsigned int flags);
/* Closes and deletes the counters that are open. */
void perf_task_close(struct perf_task_counter *c, size_t n);

#endif
