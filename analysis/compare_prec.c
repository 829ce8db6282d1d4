// SPDX-License-Identifier: GPL-2.0
/* compare: the precision each run reached on a group (run.json's "precision", written by
 * `faultline run --precision`), beside the group's numbers, so a "no change" that stands on a
 * ±3% mean reads as such. run.json is outside input: only typed fields are copied, and the
 * "stopped" word only when it is one the schema knows. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare_int.h"
#include "precision_doc.h"

/* What compare says of run.json's "stopped" word; NULL for a word the schema does not know. */
static const char *stopped_text(const char *w)
{
	int s = fl_prec_state_of(w);

	return s < 0 ? NULL : fl_prec_state_brief(s);
}

/* A parameter as the suite gave it against the case's: numbers by value (1 and 1.0 alike). */
static bool param_equal(json_t *want, json_t *have)
{
	if (json_is_number(want) && json_is_number(have))
		return json_number_value(want) == json_number_value(have);
	return have && json_equal(want, have);
}

/* The number of parameters of pg (a precision group) that g has, all equal; -1 if one differs
 * or the workload is another. */
static int params_match(json_t *pg, const struct fl_cmp_grp *g)
{
	json_t *pp = json_object_get(pg, "params"), *v;
	const char *k, *wl = json_string_value(json_object_get(pg, "workload"));
	int n = 0;

	if (!wl || strcmp(wl, g->workload) || !json_is_object(pp))
		return -1;
	json_object_foreach(pp, k, v) {
		if (!param_equal(v, json_object_get(g->params, k)))
			return -1;
		n++;
	}
	return n;
}

/* The precision group of run r that g's cases belong to (the one naming most of their
 * parameters), as a new object; NULL when r has none with a target. */
static json_t *of_run(const struct fl_run *r, const struct fl_cmp_grp *g)
{
	json_t *pg, *best = NULL, *t, *h, *n;
	const char *metric, *stopped;
	int most = -1;
	size_t i;

	json_array_foreach(json_object_get(r->precision, "groups"), i, pg) {
		int m = json_is_object(pg) ? params_match(pg, g) : -1;

		if (m > most) {
			most = m;
			best = pg;
		}
	}
	t = json_object_get(best, "target_pct");
	h = json_object_get(best, "halfwidth_pct");
	n = json_object_get(best, "n");
	metric = json_string_value(json_object_get(best, "metric"));
	stopped = json_string_value(json_object_get(best, "stopped"));
	if (!best || !json_is_number(t) || !(json_number_value(t) > 0) || !metric ||
	    !json_is_integer(n) || json_integer_value(n) < 0 || !stopped_text(stopped))
		return NULL;
	return json_pack("{s:s, s:f, s:o, s:I, s:s}", "metric", metric, "target_pct",
			 json_number_value(t), "halfwidth_pct", json_is_number(h) &&
			 isfinite(json_number_value(h)) ? json_real(json_number_value(h)) :
			 json_null(), "n", json_integer_value(n), "stopped", stopped);
}

json_t *fl_cmp_precision_of(struct fl_run *runs, size_t nruns, const struct fl_cmp_grp *g,
			    const bool *has)
{
	json_t *arr = json_array();
	bool any = false;

	for (size_t r = 0; r < nruns; r++) {
		json_t *p = runs[r].precision && has[r] ? of_run(&runs[r], g) : NULL;

		any |= p != NULL;
		json_array_append_new(arr, p ? p : json_null());
	}
	if (any)
		return arr;
	json_decref(arr);
	return NULL;
}

/* "A ±1.88% (target ±1%, time spent)" of one run's precision p. */
static int run_text(char *buf, size_t len, const char *label, json_t *p)
{
	double h = fl_cmp_num(json_object_get(p, "halfwidth_pct"));
	char hw[32] = "±?";

	if (!json_is_object(p))
		return snprintf(buf, len, "%s no target recorded", label);
	if (isfinite(h))
		snprintf(hw, sizeof(hw), "±%.2f%%", h);
	return snprintf(buf, len, "%s %s (target ±%g%%, %s)", label, hw,
			fl_cmp_num(json_object_get(p, "target_pct")),
			stopped_text(fl_cmp_str(p, "stopped")) ?: "?");
}

bool fl_cmp_precision_text(json_t *cmp, json_t *g, char *buf, size_t len)
{
	json_t *pr = json_object_get(g, "precision"), *runs = json_object_get(cmp, "runs"), *p;
	const char *metric = NULL;
	size_t r, off;

	json_array_foreach(pr, r, p)
		if (!metric)
			metric = json_string_value(json_object_get(p, "metric"));
	if (!metric || !len)
		return false;
	off = (size_t)snprintf(buf, len, "precision of %s (95%% CI half-width of the mean):",
			       metric);
	json_array_foreach(pr, r, p) {
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s", r ? ", " : " ");
		if (off < len)
			off += (size_t)run_text(buf + off, len - off,
						fl_cmp_str(json_array_get(runs, r), "label"), p);
	}
	return true;
}
