// SPDX-License-Identifier: GPL-2.0
/*
 * Log-bucket histogram (HdrHistogram-like). Values below FL_HIST_SUB have exact buckets.
 * Above, a value whose top bit is bit m lands in group m - FL_HIST_SUB_BITS + 1, split into
 * FL_HIST_SUB linear sub-buckets by the FL_HIST_SUB_BITS bits below the top bit.
 */
#include <math.h>
#include <string.h>
#include "hist.h"

static unsigned int hist_bucket(uint64_t v)
{
	unsigned int msb, shift;

	if (v < FL_HIST_SUB)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	shift = msb - FL_HIST_SUB_BITS;
	return (shift + 1) * FL_HIST_SUB + (unsigned int)((v >> shift) & (FL_HIST_SUB - 1));
}

/* Largest value that lands in bucket b. */
static uint64_t hist_bucket_upper(unsigned int b)
{
	unsigned int shift;
	uint64_t lower;

	if (b < FL_HIST_SUB)
		return b;
	shift = b / FL_HIST_SUB - 1;
	lower = (uint64_t)(FL_HIST_SUB + b % FL_HIST_SUB) << shift;
	return lower + ((1ull << shift) - 1);
}

void fl_hist_init(struct fl_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void fl_hist_record(struct fl_hist *h, uint64_t v)
{
	h->b[hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void fl_hist_merge(struct fl_hist *dst, const struct fl_hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < FL_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t fl_hist_percentile(const struct fl_hist *h, double p)
{
	uint64_t rank, cum = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (p >= 100.0)
		return h->max;
	rank = 1;
	if (p > 0.0)	/* also keeps NaN out of the conversion */
		rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < FL_HIST_BUCKETS; i++) {
		cum += h->b[i];
		if (cum >= rank)
			break;
	}
	if (i == FL_HIST_BUCKETS)
		return h->max;
	v = hist_bucket_upper(i);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double fl_hist_mean(const struct fl_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

/* The CDF's points with the sub-buckets of each power of two merged 2^coarse at a time: the
 * upper bound of each non-empty merged bucket and the count up to it. Returns how many there
 * are; out NULL only counts them. */
static unsigned int hist_cdf(const struct fl_hist *h, unsigned int coarse, json_t *out)
{
	unsigned int i, n = 0, width = 1u << coarse;
	uint64_t cum = 0, in = 0;

	for (i = 0; i < FL_HIST_BUCKETS; i++) {
		in += h->b[i];
		if ((i + 1) % width && i + 1 < FL_HIST_BUCKETS)
			continue;	/* not the last sub-bucket of a merged one */
		if (!in)
			continue;
		cum += in;
		in = 0;
		n++;
		if (out) {
			uint64_t ub = hist_bucket_upper(i);

			ub = ub > h->max ? h->max : ub;
			ub = ub > INT64_MAX ? INT64_MAX : ub;	/* a JSON integer */
			json_array_append_new(out, json_pack("[I, I]", (json_int_t)ub,
							     (json_int_t)cum));
		}
	}
	return n;
}

static json_t *hist_cdf_json(const struct fl_hist *h)
{
	unsigned int coarse = 0;
	json_t *a;

	while (coarse < FL_HIST_SUB_BITS && hist_cdf(h, coarse, NULL) > FL_HIST_CDF_MAX)
		coarse++;
	a = json_array();
	if (a)
		hist_cdf(h, coarse, a);
	return a;
}

static int hist_set_int(json_t *o, const char *key, uint64_t v)
{
	return json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* An empty histogram has no min, percentiles or max: they are left out, never written as 0. */
json_t *fl_hist_to_json(const struct fl_hist *h, const char *unit)
{
	static const struct { const char *key; double p; } pct[] = {
		{ "p50", 50.0 }, { "p90", 90.0 }, { "p99", 99.0 }, { "p99.9", 99.9 },
	};
	json_t *o = json_object();
	unsigned int i;
	int rc = 0;

	if (!o)
		return NULL;
	rc |= json_object_set_new(o, "unit", json_string(unit ? unit : "ns"));
	rc |= hist_set_int(o, "count", h->count);
	if (h->count) {
		rc |= json_object_set_new(o, "mean", json_real(fl_hist_mean(h)));
		rc |= hist_set_int(o, "min", h->min);
		for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
			rc |= hist_set_int(o, pct[i].key, fl_hist_percentile(h, pct[i].p));
		rc |= hist_set_int(o, "max", h->max);
		rc |= json_object_set_new(o, "cdf", hist_cdf_json(h));
	}
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}
