/* SPDX-License-Identifier: GPL-2.0 */
/*
 * First-touch (fault) latency from the workload's own timing: one cheap clock read after each
 * first store (or load) of a page, chained (the read that ends one page starts the next), into
 * a per-thread struct fl_hist in ns; merged and reported at the end as the metrics
 * fault_lat_{p50,p99}_us and detail.fault_latency (the whole histogram with its cdf).
 *
 * The clock: on x86_64, when the kernel's own clocksource is "tsc" (so the TSC is constant-rate
 * and synchronised across CPUs, or the kernel would have switched away from it), the raw TSC
 * (rdtsc: ~9 ns against ~21 ns for clock_gettime through the vDSO on a 2-vCPU AMD EPYC guest,
 * workloads/README.md), scaled to ns by a calibration against CLOCK_MONOTONIC taken in setup;
 * everywhere else CLOCK_MONOTONIC.
 * rdtsc is not serialising, which does not matter for a fault: a store that faults raises an
 * exception, and the exception orders the reads around it.
 */
#ifndef FL_FAULT_TIMER_H
#define FL_FAULT_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif
#include "hist.h"
#include "timing.h"

struct fl_case;
struct fl_team;

/* The clock, calibrated once in setup, read-only while the workers run. */
struct fl_fclock {
	bool tsc;			/* rdtsc; else CLOCK_MONOTONIC in ns */
	uint64_t mult;			/* tsc: ns = ticks * mult >> 32 */
	double ns_per_tick;		/* what mult says, for the record */
	char why[160];			/* why this clock */
};

/* One thread's timer: the histogram it fills and the last clock read. */
struct fl_ftouch {
	const struct fl_fclock *clk;
	struct fl_hist *h;
	uint64_t t;
};

/* The parameter and metric rows every faulting workload adds to its tables. */
#define FL_FAULT_LAT_PARAM \
	{ "fault_latency", 0, FL_P_BOOL, "true", 0, 0, NULL, \
	  "time the first touch of each page (histogram in detail.fault_latency, metrics " \
	  "fault_lat_*_us; on by default, =false turns it off)" }

#define FL_FAULT_LAT_METRICS(what) \
	{ "fault_lat_p50_us", "us", FL_BETTER_LOWER, "median first-touch latency of " what }, \
	{ "fault_lat_p99_us", "us", FL_BETTER_LOWER, "99th percentile first-touch latency of " what }

/* Choose and calibrate the clock (about 15 ms on the TSC path). */
void fl_fclock_init(struct fl_fclock *clk);

static inline uint64_t fl_fclock_ticks(const struct fl_fclock *clk)
{
#if defined(__x86_64__)
	if (clk->tsc)
		return __rdtsc();
#endif
	(void)clk;
	return fl_now_ns();
}

static inline uint64_t fl_fclock_ns(const struct fl_fclock *clk, uint64_t ticks)
{
#if defined(__x86_64__)
	if (clk->tsc)
		return (uint64_t)(((unsigned __int128)ticks * clk->mult) >> 32);
#endif
	(void)clk;
	return ticks;
}

/* Set up a thread's timer; h NULL: timing off (the calls below then do nothing). */
static inline void fl_ftouch_init(struct fl_ftouch *ft, const struct fl_fclock *clk,
				  struct fl_hist *h)
{
	ft->clk = clk;
	ft->h = h;
	ft->t = 0;
}

/* Just before the first touch of a run of pages. */
static inline void fl_ftouch_start(struct fl_ftouch *ft)
{
	if (ft->h)
		ft->t = fl_fclock_ticks(ft->clk);
}

/* Just after a page's first touch: the time since the last mark (or start) is its latency. */
static inline void fl_ftouch_mark(struct fl_ftouch *ft)
{
	uint64_t t;

	if (!ft->h)
		return;
	t = fl_fclock_ticks(ft->clk);
	fl_hist_record(ft->h, fl_fclock_ns(ft->clk, t - ft->t));
	ft->t = t;
}

/*
 * Report h: metrics fault_lat_p50_us, fault_lat_p99_us (the mean and the rest are in
 * detail.fault_latency: two rows per case keep the compare tables short),
 * detail.fault_latency (fl_hist_to_json, ns) and detail.fault_latency_clock {"clock",
 * "ns_per_tick", "why", "what"}. what: which touches were timed. h NULL (out of memory) or
 * empty: detail.fault_latency is {"status": "absent", "reason": ...} and no metric.
 */
void fl_fault_latency_report(struct fl_case *c, const struct fl_fclock *clk,
			     const struct fl_hist *h, const char *what);
/* The team's per-worker histograms merged into a new one (free() it); NULL: out of memory. */
struct fl_hist *fl_team_hist_merged(struct fl_team *t);
/* detail.fault_latency {"status": "absent", "reason": why} (timing off or nothing to time). */
void fl_fault_latency_absent(struct fl_case *c, const char *why);

#endif
