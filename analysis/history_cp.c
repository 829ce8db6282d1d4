// SPDX-License-Identifier: GPL-2.0
/* Change points of each main metric over a nightly history (history_cp.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "changepoint.h"
#include "history.h"
#include "history_cp.h"

#define CP_MAX 16	/* change points looked for per series */

/* "candidate" of the run's kernel, else its release; null when neither is known. The index
 * entry keeps them (fl_history_entry_run); older entries have them read from run.json. */
static json_t *kernel_of(const char *hist, json_t *entry)
{
	json_t *k = fl_history_entry_kernel(hist, entry), *out = json_null();

	if (json_is_string(json_object_get(k, "candidate")))
		out = json_copy(json_object_get(k, "candidate"));
	else if (json_is_string(json_object_get(k, "release")))
		out = json_copy(json_object_get(k, "release"));
	json_decref(k);
	return out;
}

/* The group's entry in a run's summary, or NULL. */
static json_t *summary_of(json_t *entry, const char *key)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(entry, "summary"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "key")) ?: "", key))
			return s;
	return NULL;
}

static const char *direction(const char *better, double change)
{
	if (!strcmp(better, "higher"))
		return change < 0 ? "worse" : "better";
	if (!strcmp(better, "lower"))
		return change > 0 ? "worse" : "better";
	return "none";
}

static json_t *cp_json(const char *hist, json_t *runs, json_t *s, const size_t *at,
		       size_t n, const struct fl_cp *cp)
{
	json_t *e = json_array_get(runs, at[cp->index]);
	json_t *prev = json_array_get(runs, at[cp->index - 1]);
	const char *better = json_string_value(json_object_get(s, "better")) ?: "none";

	return json_pack("{s:O, s:O, s:O, s:O, s:s, s:O, s:I, s:I, s:O, s:f, s:f, s:o, s:s, "
			 "s:f, s:o, s:o}", "workload", json_object_get(s, "workload"), "key",
			 json_object_get(s, "key"), "metric", json_object_get(s, "metric"),
			 "unit", json_object_get(s, "unit"), "better", better, "run",
			 json_object_get(e, "id"), "run_index", (json_int_t)cp->index + 1,
			 "runs", (json_int_t)n, "added", json_object_get(e, "added") ?:
			 json_null(), "before", cp->before, "after", cp->after, "change_pct",
			 isfinite(cp->change_pct) ? json_real(cp->change_pct) : json_null(),
			 "direction", direction(better, cp->change_pct), "p", cp->p,
			 "kernel_before", kernel_of(hist, prev), "kernel_after", kernel_of(hist, e));
}

/* Change points of one group's series, appended to out. */
static void group_cps(const char *hist, json_t *runs, json_t *s, double min_pct, json_t *out)
{
	const char *key = json_string_value(json_object_get(s, "key"));
	size_t nruns = json_array_size(runs), n = 0, i;
	double *x = malloc((nruns + 1) * sizeof(double));
	size_t *at = malloc((nruns + 1) * sizeof(size_t));
	struct fl_cp cp[CP_MAX];
	struct fl_cp_opts o;
	json_t *e;
	int ncp;

	if (!x || !at || !key)
		goto out;
	json_array_foreach(runs, i, e) {
		json_t *m = json_object_get(summary_of(e, key), "mean");

		if (json_is_number(m)) {
			at[n] = i;
			x[n++] = json_number_value(m);
		}
	}
	fl_cp_defaults(&o);
	o.min_change_pct = min_pct;
	ncp = fl_cp_find(x, n, &o, cp, CP_MAX);
	for (int c = 0; c < ncp; c++)
		json_array_append_new(out, cp_json(hist, runs, s, at, n, &cp[c]));
out:
	free(x);
	free(at);
}

/* Newest first: by the run's position in the index. */
static int newest_first(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ix = json_integer_value(json_object_get(x, "at"));
	json_int_t iy = json_integer_value(json_object_get(y, "at"));

	return (ix < iy) - (ix > iy);
}

/* Sort out newest first and keep max (each entry's index position is put in "at" first). */
static json_t *newest(json_t *all, json_t *runs, size_t max)
{
	size_t n = json_array_size(all), i, k;
	json_t **v = calloc(n + 1, sizeof(*v)), *out = json_array(), *e, *r;

	json_array_foreach(all, i, e)
		json_array_foreach(runs, k, r)
			if (json_equal(json_object_get(r, "id"), json_object_get(e, "run")))
				json_object_set_new(e, "at", json_integer((json_int_t)k));
	for (i = 0; v && i < n; i++)
		v[i] = json_array_get(all, i);
	if (v)
		qsort(v, n, sizeof(*v), newest_first);
	for (i = 0; v && i < n && i < max; i++) {
		json_object_del(v[i], "at");
		json_array_append(out, v[i]);
	}
	free(v);
	return out;
}

json_t *fl_history_change_points(const char *hist, json_t *index, size_t max, double min_pct)
{
	json_t *runs = json_object_get(index, "runs"), *all = json_array(), *seen = json_object();
	json_t *e, *s, *out;
	size_t i, k;

	json_array_foreach(runs, i, e)
		json_array_foreach(json_object_get(e, "summary"), k, s) {
			const char *key = json_string_value(json_object_get(s, "key"));

			if (!key || json_object_get(seen, key))
				continue;
			json_object_set_new(seen, key, json_true());
			group_cps(hist, runs, s, min_pct, all);
		}
	out = newest(all, runs, max);
	json_decref(all);
	json_decref(seen);
	return out;
}
