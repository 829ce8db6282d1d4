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
/* {"unit": unit, "count", "mean", "min", "p50", "p90", "p99", "p99.9", "max"} */
json_t *fl_hist_to_json(const struct fl_hist *h, const char *unit);

#endif
