/* SPDX-License-Identifier: GPL-2.0 */
/* Latency histogram with log buckets: 2^k ranges split into FL_HIST_SUB linear sub-buckets,
 * so any recorded value is reported within 1/FL_HIST_SUB relative error. */
#ifndef FL_HIST_H
#define FL_HIST_H

#include <stdint.h>
#include <jansson.h>

#define FL_HIST_SUB_BITS 5
#define FL_HIST_SUB (1u << FL_HIST_SUB_BITS)
#define FL_HIST_BUCKETS ((64 - FL_HIST_SUB_BITS + 1) * FL_HIST_SUB)

struct fl_hist {
	uint64_t count, sum, min, max;
	uint64_t b[FL_HIST_BUCKETS];
};

void fl_hist_init(struct fl_hist *h);
void fl_hist_record(struct fl_hist *h, uint64_t v);
void fl_hist_merge(struct fl_hist *dst, const struct fl_hist *src);
/* Value at percentile p (0..100]: the upper bound of the bucket holding it, clamped to max. */
uint64_t fl_hist_percentile(const struct fl_hist *h, double p);
double fl_hist_mean(const struct fl_hist *h);
/* Points of "cdf" at most: the buckets are merged within each power of two (32, 16, ... 1
 * sub-buckets) until the non-empty ones fit; 60 powers of two fit at one bucket each. */
#define FL_HIST_CDF_MAX 64

/* {"unit": unit, "count", "mean", "min", "p50", "p90", "p99", "p99.9", "max",
 *  "cdf": [[upper_bound, cumulative_count], ...]}: the CDF over the non-empty buckets, each
 * bound the largest value of its bucket (the last one clamped to max, so its count is count),
 * both ascending; at most FL_HIST_CDF_MAX points. An empty histogram has only unit and count. */
json_t *fl_hist_to_json(const struct fl_hist *h, const char *unit);

#endif
