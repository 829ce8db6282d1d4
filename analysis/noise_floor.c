// SPDX-License-Identifier: GPL-2.0
/* Run-to-run noise floors over a nightly history (see noise_floor.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "noise_floor.h"
#include "stats.h"

/* Mean of metric over r's measured iterations of key; false when it has none. */
static bool run_mean(const struct fl_run *r, const char *key, const char *metric, double *mean)
{
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < r->ncases; i++) {
		const struct fl_run_case *c = &r->cases[i];
		const struct fl_item *it;

		if (c->warmup || strcmp(c->status, "ok") || strcmp(c->key, key))
			continue;
		it = fl_run_case_item(c, metric);
		if (!it || it->kind != FL_ITEM_METRIC || it->status != FL_ITEM_OK ||
		    !isfinite(it->value))
			continue;
		sum += it->value;
		n++;
	}
	if (n)
		*mean = sum / (double)n;
	return n > 0;
}

void fl_noise_floor(const struct fl_run *runs, size_t n, const char *key, const char *metric,
		    double level, struct fl_noise *nf)
{
	double *m = malloc((n + 1) * sizeof(double));
	struct fl_desc d;

	*nf = (struct fl_noise){ 0, NAN, NAN, NAN };
	if (!m)
		return;
	for (size_t r = 0; r < n; r++)
		nf->runs += run_mean(&runs[r], key, metric, &m[nf->runs]);
	fl_describe(m, nf->runs, &d);
	nf->mean = d.mean;
	nf->run_cov_pct = 100 * d.cov;
	if (nf->runs >= FL_NOISE_MIN_RUNS && d.mean != 0)
		nf->floor_pct = 100 * fl_prediction_halfwidth(m, nf->runs, level) / fabs(d.mean);
	free(m);
}

const char *fl_noise_key_of(const struct fl_run *r, const char *workload, json_t *params)
{
	for (size_t i = 0; i < r->ncases; i++)
		if (!strcmp(r->cases[i].workload, workload) &&
		    json_equal(r->cases[i].params, params))
			return r->cases[i].key;
	return NULL;
}
