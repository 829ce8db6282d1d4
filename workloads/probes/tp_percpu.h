/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One tracepoint counted system-wide with a filter: one perf fd per online CPU, each given the
 * filter by PERF_EVENT_IOC_SET_FILTER. This is the one way the tree counts a tracepoint per
 * CPU, filtered or not (csd_calls.c, tlb_flush.c, the tracepoints probe in perf_tp.c). Not
 * libperf's perf_evsel__apply_filter(): it sets the filter only on the fds of evsel->cpus,
 * which perf_evsel__open() leaves NULL (counted as one CPU), so every CPU but the first would
 * count unfiltered.
 *
 * A set of counters shares the CPU list; each fl_tpc_add() adds one filtered counter on every
 * CPU. Enable and stop act on all of them.
 */
#ifndef FL_TP_PERCPU_H
#define FL_TP_PERCPU_H

#include <stddef.h>

struct fl_tpc;

/* The online CPUs, no counter yet; NULL when out of memory or the CPU list is unreadable. */
struct fl_tpc *fl_tpc_new(void);
int fl_tpc_ncpus(const struct fl_tpc *p);
/* The CPU number of column idx (0 <= idx < ncpus). */
int fl_tpc_cpu(const struct fl_tpc *p, int idx);

/*
 * Opens tracepoint id (disabled, every task) on every CPU with filter (NULL: none); event
 * ("csd:csd_function_entry") names it in the reason. Returns the counter's index, or -1
 * with the sentence in why and errno kept (perf_event_open refused, or the filter refused).
 */
int fl_tpc_add(struct fl_tpc *p, unsigned long long id, const char *filter, const char *event,
	       char *why, size_t len);
/* Enables every counter: 0, or -1 with why. */
int fl_tpc_enable(struct fl_tpc *p, char *why, size_t len);
/* Disables every counter: 0, or -1 with why. */
int fl_tpc_disable(struct fl_tpc *p, char *why, size_t len);
/* Reads counter n on every CPU (after fl_tpc_disable): 0, or -1 with why. */
int fl_tpc_read(struct fl_tpc *p, int n, char *why, size_t len);
/* Disables every counter, then reads them: 0, or -1 with why. */
int fl_tpc_stop(struct fl_tpc *p, char *why, size_t len);
/* Counter n's count on column idx, as read by fl_tpc_stop. */
unsigned long long fl_tpc_count(const struct fl_tpc *p, int n, int idx);
/* Counter n's count on all CPUs. */
unsigned long long fl_tpc_total(const struct fl_tpc *p, int n);
void fl_tpc_free(struct fl_tpc *p);

#endif
