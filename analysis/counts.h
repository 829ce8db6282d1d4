/* SPDX-License-Identifier: GPL-2.0 */
/* Exact counts as their own signal, and the one rule that calls a difference real.
 *
 * A count (IPIs per munmap, faults per page, remote TLB flushes per op, collapses) is nearly
 * deterministic: the kernel does the same work every iteration, so a change of one event per
 * op is a change in what the kernel does, however noisy the machine's timings are. Counts get
 * their own multiple-testing family (they neither dilute nor inflate the timing family) and
 * their own floor, in events instead of percent. */
#ifndef FL_COUNTS_H
#define FL_COUNTS_H

#include <stdbool.h>

/* Whether a unit measures a count of events: its numerator (before '/', or the whole unit) is
 * an event noun (count, events, IPIs, faults, flushes, collapses, pages, tables, calls,
 * fallbacks, retries, aborts, misses, splits, shootdowns; singular or plural, any case), or it
 * is "per X"; and its denominator, if any, is not time ("faults/s" is a rate, a timing). */
bool fl_unit_is_count(const char *unit);

/* The count floor: a count changed by less than half an event per op (in its own unit: per
 * munmap, per page, per GiB; per case for a bare count) is a stray event spread over the ops
 * (a timer, a fault of the harness), not a change in the work; one event more in every other
 * op is the smallest real change. And a few events on a large count (less than 1% of it) is
 * not a change worth a person's time either. Nor is a change smaller than the spread (sd) of
 * either side's iterations: a count that scatters that much is not near-deterministic, and
 * many iterations must not make such a shift significant. A history's run-to-run noise floor
 * is not applied to counts: their iterations do not share a run's conditions the way timings
 * do (the load does not add IPIs to a munmap), and a 99% prediction interval from a few runs'
 * means is wider than one event (measured: 4 runs of 15 munmaps, stray IPIs in 0-40% of them,
 * gave a floor of 0.94 IPI, which hid the +1 IPI per munmap of issue #15's acceptance 4). */
#define FL_COUNT_MIN_DELTA 0.5
#define FL_COUNT_MIN_REL_PCT 1.0

/* compare's default minimum effect for the other metrics, % of the base mean: below it a
 * significant difference is reported as significant but "no change" (compare --min-effect). */
#define FL_MIN_EFFECT_PCT 1.0

enum fl_family { FL_FAM_METRICS, FL_FAM_COUNTS, FL_FAM_COUNTERS, FL_FAM_N };
const char *fl_family_name(enum fl_family f);
/* A row's family: a workload metric with a count unit is "counts", any other workload metric
 * "metrics", a probe counter, IPI class or vmstat event (per op or not) "counters". */
enum fl_family fl_family_of(bool workload_metric, const char *unit);

/* What a difference must exceed, in the metric's unit and in % of the base mean. */
struct fl_floor {
	double abs;		/* in the metric's unit */
	double pct;		/* % of |base mean|; NaN when the base mean is 0 */
	const char *source;	/* what set it: "count" (the count floor), "spread" (a count's
				 * iterations' sd), "min effect", "noise" (the history's
				 * run-to-run noise); spread and noise must be exceeded */
};

/* The floor of a difference against base_mean: for a count (count true) the largest of
 * FL_COUNT_MIN_DELTA, FL_COUNT_MIN_REL_PCT % and spread (the larger sd of the two sides'
 * iterations; NaN: unknown); otherwise the larger of min_effect_pct and the noise floor.
 * noise_pct: the history's noise floor in % of the mean (NaN: none). */
void fl_floor_of(bool count, double base_mean, double min_effect_pct, double noise_pct,
		 double spread, struct fl_floor *f);

/*
 * The one rule (compare and nightly): a difference delta (mean of the run - mean of the base)
 * is better / worse (by better: 'h'igher, 'l'ower) or changed ('n'one) only when the test
 * decided it, significant after correction in its family, AND |delta| reaches the floor (a
 * noise floor must be exceeded, not just reached). Otherwise "no change"; *beyond says whether
 * |delta| passed the floor.
 */
const char *fl_decide(bool significant, double delta, char better, const struct fl_floor *f,
		      bool *beyond);

#endif
