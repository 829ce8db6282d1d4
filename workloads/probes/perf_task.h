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

/*
 * The task counters of one probe (sw, hw): the maps, the probe's array of counters and whether
 * it started. The probe's state begins with it, so perf_task_set_start, _stop, _emit and
 * _close are the probe's own ops.
 */
struct perf_task_set {
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct perf_task_counter *c;	/* the probe's array, n long */
	size_t n;
	unsigned int flags;		/* PERF_TASK_PMU */
	int started;
};

/* Silences libperf and makes the maps of "pid and its descendants, on any CPU" for the n
 * counters c: 0, or -1 (perf_task_set_close puts what was made). */
int perf_task_set_init(struct perf_task_set *s, pid_t pid, struct perf_task_counter *c,
		       size_t n, unsigned int flags);
/* The fields every task counter has: size, read_format (times), disabled, inherit. */
void perf_task_attr(struct perf_event_attr *attr);
/* Opens c from attr (after perf_task_attr); on failure c->evsel is NULL and c->reason says why. */
void perf_task_open(struct perf_task_set *s, struct perf_task_counter *c,
		    struct perf_event_attr *attr, perf_task_reason_fn why);
/* The reason for any task counter: root or perf_event_paranoid for EACCES/EPERM, else the
 * error (a perf_task_reason_fn). */
void perf_task_open_reason(char *buf, size_t len, int err);
/* Probe ops (probe.h) of a state that begins with its struct perf_task_set: enable the open
 * counters (-1 if one failed, its reason says why); disable them and, if started, read those
 * that have no reason yet; emit them into case["counters"] with "source": "perf". */
int perf_task_set_start(void *state);
int perf_task_set_stop(void *state);
void perf_task_set_emit(void *state, json_t *case_obj);
/* Closes the counters that are open, puts the maps and frees the state (a probe op too). */
void perf_task_set_close(void *state);

#endif
