// SPDX-License-Identifier: GPL-2.0
/* The baseline of a nightly history: its last N good runs loaded, their run-to-run noise
 * taken (noise_floor.h), then pooled and compared with the new run (nightly.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "fl_util.h"
#include "history.h"
#include "noise_floor.h"
#include "nightly.h"

/* Prediction level of the noise floor: a nightly alarm costs a person's morning, so a clean
 * run should land outside it about once in a hundred metrics, not once in twenty. */
#define NOISE_LEVEL 0.99

/* Add to t[c->key] the noise floor over hist[] of each workload metric of case c. */
static void noise_of_case(json_t *t, const struct fl_run_case *c, const struct fl_run *hist,
			  size_t nhist)
{
	json_t *g = json_object_get(t, c->key);

	for (size_t k = 0; g && k < c->nitems; k++) {
		const struct fl_item *it = &c->items[k];
		struct fl_noise nf;

		if (it->kind != FL_ITEM_METRIC || json_object_get(g, it->name))
			continue;
		fl_noise_floor(hist, nhist, c->key, it->name, NOISE_LEVEL, &nf);
		json_object_set_new(g, it->name, json_pack("{s:I, s:f, s:o, s:o}", "runs",
			(json_int_t)nf.runs, "level", NOISE_LEVEL, "run_cov_pct",
			isfinite(nf.run_cov_pct) ? json_real(nf.run_cov_pct) : json_null(),
			"floor_pct", isfinite(nf.floor_pct) ? json_real(nf.floor_pct) : json_null()));
	}
}

/* The run-to-run noise of the baseline runs hist[], taken before they are pooled, for each
 * workload metric of cur's case groups (and of the baseline's, in those groups):
 * {key: {metric: {"runs", "level", "run_cov_pct", "floor_pct"}}}. */
static json_t *noise_table(const struct fl_run *cur, const struct fl_run *hist, size_t nhist)
{
	json_t *t = json_object();

	for (size_t i = 0; i < cur->ncases; i++)
		if (!json_object_get(t, cur->cases[i].key))
			json_object_set_new(t, cur->cases[i].key, json_object());
	for (size_t i = 0; i < cur->ncases; i++)
		noise_of_case(t, &cur->cases[i], hist, nhist);
	for (size_t r = 0; r < nhist; r++)
		for (size_t i = 0; i < hist[r].ncases; i++)
			noise_of_case(t, &hist[r].cases[i], hist, nhist);
	return t;
}

/* The last N good runs of the index, one by one (newest first) (nightly.h). */
int fl_nightly_baseline_load(const char *hist, json_t *index, long want, struct fl_run **out,
			     size_t *n, char *err, size_t errlen)
{
	json_t *runs = json_object_get(index, "runs");
	size_t i = json_array_size(runs);

	*n = 0;
	*out = calloc((size_t)want, sizeof(**out));
	if (!*out)
		return fl_seterr(err, errlen, "out of memory loading %ld runs of %s", want, hist);
	while (i-- > 0 && (long)*n < want) {
		json_t *e = json_array_get(runs, i);
		char dir[1400];

		if (strcmp(json_string_value(json_object_get(e, "status")) ?: "", "good") ||
		    json_is_true(json_object_get(e, "pruned")))
			continue;
		if (fl_history_run_dir(hist, e, dir, sizeof(dir), err, errlen) ||
		    fl_run_load(&(*out)[*n], dir, err, errlen))
			return -1;
		(*n)++;
	}
	return 0;
}

/* The runs' cases pooled into runs[0], the baseline (the others keep their identity). */
static void pool_runs(struct fl_run *runs, size_t n)
{
	for (size_t i = 1; i < n; i++)
		fl_run_absorb(&runs[0], &runs[i]);
}

void fl_nightly_baseline_free(struct fl_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fl_run_free(&runs[i]);
	free(runs);
}

int fl_nightly_compare(struct fl_run *cur, struct fl_run *hist, const struct fl_cmp_opts *o,
		       struct fl_nightly_verdict *nv, struct fl_run pair[2], char *err,
		       size_t errlen)
{
	json_t *noise = noise_table(cur, hist, nv->nbase);
	struct fl_cmp_floors fl = { nv->threshold, noise };

	pool_runs(hist, nv->nbase);
	for (size_t i = 0; i < hist[0].ncases; i++)
		nv->baseiters += !hist[0].cases[i].warmup &&
				 !strcmp(hist[0].cases[i].status, "ok");
	snprintf(hist[0].label, sizeof(hist[0].label), "A");
	snprintf(cur->label, sizeof(cur->label), "B");
	pair[0] = hist[0];
	pair[1] = *cur;
	nv->cmp = fl_compare_build_floors(pair, 2, o, &fl, err, errlen);
	if (nv->cmp)
		nv->regs = fl_nightly_regressions(nv->cmp, nv->threshold, &nv->largest,
						  &nv->noisy);
	json_decref(noise);
	return nv->cmp ? 0 : -1;
}
