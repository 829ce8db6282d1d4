// SPDX-License-Identifier: GPL-2.0
/* compare: the statistics of one row (each run's description and outliers), its test
 * against the base, and the multiple-testing families that decide better or worse. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bootstrap.h"
#include "compare_int.h"

static json_t *num(double v)
{
	if (v == 0)
		v = 0;		/* never -0 */
	return isfinite(v) ? json_real(v) : json_null();
}

const char *fl_cmp_test_name(enum fl_cmp_test t)
{
	switch (t) {
	case FL_TEST_MWU:
		return "mann-whitney";
	case FL_TEST_BOOTSTRAP:
		return "bootstrap";
	case FL_TEST_AUTO:
		return "auto";
	default:
		return "welch";
	}
}

/* The name of the CI a test gives (a comparison's "ci", the document's for one test). */
const char *fl_cmp_ci_name(enum fl_cmp_test t)
{
	switch (t) {
	case FL_TEST_MWU:
		return "Hodges-Lehmann";
	case FL_TEST_BOOTSTRAP:
		return "bootstrap percentile";
	case FL_TEST_AUTO:
		return "per comparison";
	default:
		return "Welch-Satterthwaite";
	}
}

/* Tukey's fences of one run's values: the counts of each class and the indices (into
 * "values") of the flagged ones; NULL below FL_OUTLIER_MIN_N values. */
static json_t *outliers_json(const double *x, size_t n)
{
	unsigned char *cls = n >= FL_OUTLIER_MIN_N ? malloc(n) : NULL;
	struct fl_outliers ol;
	json_t *o, *idx;

	if (!cls || fl_outliers(x, n, &ol, cls)) {
		free(cls);
		return NULL;
	}
	idx = json_array();
	for (size_t i = 0; i < n; i++)
		if (cls[i] != FL_OUT_NONE)
			json_array_append_new(idx, json_integer((json_int_t)i));
	free(cls);
	o = json_pack("{s:I, s:I, s:I, s:I, s:o}", "low_severe", (json_int_t)ol.low_severe,
		      "low_mild", (json_int_t)ol.low_mild, "high_mild", (json_int_t)ol.high_mild,
		      "high_severe", (json_int_t)ol.high_severe, "indices", idx);
	return o;
}

json_t *fl_cmp_run_stats(const char *status, const char *reason, const double *x, size_t n)
{
	struct fl_desc d;
	json_t *o = json_pack("{s:s, s:I}", "status", status, "n", (json_int_t)n), *vals, *ol;

	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	if (strcmp(status, "ok"))
		return o;
	fl_describe(x, n, &d);
	json_object_set_new(o, "mean", num(d.mean));
	json_object_set_new(o, "sd", num(d.sd));
	json_object_set_new(o, "cov", num(d.cov));
	json_object_set_new(o, "min", num(d.min));
	json_object_set_new(o, "max", num(d.max));
	json_object_set_new(o, "hmean", num(d.hmean));
	vals = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(vals, num(x[i]));
	json_object_set_new(o, "values", vals);
	json_object_set_new(o, "skewness", num(fl_skewness(x, n)));
	ol = outliers_json(x, n);
	if (ol)
		json_object_set_new(o, "outliers", ol);
	return o;
}

static int family_add(struct fl_cmp_family *f, json_t *comp, double p)
{
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		double *np = realloc(f->p, nc * sizeof(double));

		if (!np)
			return -1;
		f->p = np;
		f->cap = nc;
	}
	f->p[f->n++] = p;
	json_array_append(f->comps, comp);
	return 0;
}

/* The test of one comparison: the one asked for, or auto's pick. */
static enum fl_cmp_test test_of(const struct fl_cmp_opts *o, const double *a, size_t na,
				const double *b, size_t nb)
{
	if (o->test != FL_TEST_AUTO)
		return o->test;
	return fl_auto_wants_bootstrap(a, na, b, nb) ? FL_TEST_BOOTSTRAP : FL_TEST_WELCH;
}

static int run_test(enum fl_cmp_test which, const double *a, size_t na, const double *b,
		    size_t nb, double level, struct fl_test *t)
{
	if (which == FL_TEST_MWU)
		return fl_mwu(a, na, b, nb, level, t);
	if (which == FL_TEST_BOOTSTRAP)
		return fl_bootstrap(a, na, b, nb, level, FL_BOOT_RESAMPLES, FL_BOOT_SEED, t);
	return fl_welch(a, na, b, nb, level, t);
}

json_t *fl_cmp_compare_one(const double *a, size_t na, json_t *sa, const double *b, size_t nb,
			   json_t *sb, const char *label, const struct fl_cmp_col *c,
			   const struct fl_cmp_opts *o, struct fl_cmp_family *fam)
{
	json_t *comp = json_pack("{s:s}", "run", label);
	double ma = fl_cmp_num(json_object_get(sa, "mean"));
	double mb = fl_cmp_num(json_object_get(sb, "mean"));
	enum fl_cmp_test which;
	struct fl_test t;
	int bad;

	if (strcmp(json_string_value(json_object_get(sa, "status")), "ok") ||
	    strcmp(json_string_value(json_object_get(sb, "status")), "ok")) {
		json_object_set_new(comp, "verdict", json_string("n/a"));
		json_object_set_new(comp, "direction", json_string("n/a"));
		return comp;
	}
	json_object_set_new(comp, "delta_pct", num(ma != 0 ? 100 * (mb - ma) / fabs(ma) : NAN));
	json_object_set_new(comp, "delta_better_pct", num(ma == 0 || c->better == 'n' ? NAN :
			    (c->better == 'h' ? 100 : -100) * (mb - ma) / fabs(ma)));
	json_object_set_new(comp, "direction", json_string(mb == ma ? "same" : "~"));
	if (na < 3 || nb < 3) {
		json_object_set_new(comp, "verdict", json_string("too few samples"));
		return comp;
	}
	which = test_of(o, a, na, b, nb);
	bad = run_test(which, a, na, b, nb, o->level, &t);
	if (bad) {
		json_object_set_new(comp, "verdict", json_string("n/a"));
		return comp;
	}
	json_object_set_new(comp, "test", json_string(fl_cmp_test_name(which)));
	json_object_set_new(comp, "ci", json_string(fl_cmp_ci_name(which)));
	if (which == FL_TEST_BOOTSTRAP)
		json_object_set_new(comp, "resamples", json_integer(FL_BOOT_RESAMPLES));
	json_object_set_new(comp, "statistic", num(t.stat));
	json_object_set_new(comp, "df", num(t.df));
	json_object_set_new(comp, "p_value", num(t.p));
	json_object_set_new(comp, "ci_low", num(t.ci_low));
	json_object_set_new(comp, "ci_high", num(t.ci_high));
	json_object_set_new(comp, "ci_low_pct", num(ma != 0 ? 100 * t.ci_low / fabs(ma) : NAN));
	json_object_set_new(comp, "ci_high_pct", num(ma != 0 ? 100 * t.ci_high / fabs(ma) : NAN));
	if (which == FL_TEST_MWU) {
		json_object_set_new(comp, "method", json_string(t.exact ? "exact" : "normal"));
		json_object_set_new(comp, "shift", num(t.estimate));
		json_object_set_new(comp, "shift_pct", num(ma != 0 ? 100 * t.estimate / fabs(ma) :
							   NAN));
	}
	json_object_set_new(comp, "better_dir", json_string(c->better == 'h' ? "higher" :
							    c->better == 'l' ? "lower" : "none"));
	json_object_set_new(comp, "base_mean", num(ma));
	json_object_set_new(comp, "spread", num(fmax(fl_cmp_num(json_object_get(sa, "sd")),
						     fl_cmp_num(json_object_get(sb, "sd")))));
	json_object_set_new(comp, "delta", num(mb - ma));
	json_object_set_new(comp, "primary_row", json_boolean(c->primary));
	family_add(fam, comp, t.p);
	return comp;
}

/* The verdict of comparison c, significant or not after correction: the one rule of
 * counts.h (fl_decide) with the floor of its metric (a count's, or the minimum effect, and
 * the history's noise floor where o->noise has one). */
static void decide(json_t *c, bool sig, const struct fl_cmp_floors *fo)
{
	const char *b = json_string_value(json_object_get(c, "better_dir"));
	json_t *cnt = json_object_get(c, "count_rule");
	double noise = fl_cmp_num(json_object_get(c, "noise_pct"));
	struct fl_floor f;
	const char *v;
	bool beyond;

	fl_floor_of(json_is_true(cnt), fl_cmp_num(json_object_get(c, "base_mean")),
		    fo->min_effect_pct, noise, fl_cmp_num(json_object_get(c, "spread")), &f);
	v = fl_decide(sig, fl_cmp_num(json_object_get(c, "delta")), b[0], &f, &beyond);
	json_object_set_new(c, "floor", json_pack("{s:o, s:o, s:s}", "abs", num(f.abs), "pct",
						  num(f.pct), "source", f.source));
	json_object_set_new(c, "beyond_floor", json_boolean(beyond));
	json_object_set_new(c, "verdict", json_string(v));
	if (strcmp(v, "no change"))
		json_object_set_new(c, "direction", json_string(v));
}

/* Whether f's comparison i is of a group's primary metric (marked by fl_cmp_compare_one). */
static bool primary_row(const struct fl_cmp_family *f, size_t i)
{
	return json_is_true(json_object_get(json_array_get(f->comps, i), "primary_row"));
}

/* The weights of f's comparisons into w: FL_CMP_PRIMARY_SHARE of the family shared by its
 * primary metrics' comparisons, the rest by the others; equal when either kind is missing.
 * Comparisons without a p-value (NaN) take no share. */
static void family_weights(const struct fl_cmp_family *f, double *w)
{
	size_t np = 0, no = 0;

	for (size_t i = 0; i < f->n; i++)
		if (!isnan(f->p[i]))
			*(primary_row(f, i) ? &np : &no) += 1;
	for (size_t i = 0; i < f->n; i++)
		w[i] = !np || !no ? 1 : primary_row(f, i) ? FL_CMP_PRIMARY_SHARE / (double)np :
		       (1 - FL_CMP_PRIMARY_SHARE) / (double)no;
}

void fl_cmp_family_finish(struct fl_cmp_family *f, const struct fl_cmp_opts *o,
			  const struct fl_cmp_floors *fo)
{
	double *adj = f->n ? malloc(f->n * sizeof(double)) : NULL;
	double *w = f->n ? malloc(f->n * sizeof(double)) : NULL;

	if (f->n && w)
		family_weights(f, w);
	if (f->n && (!adj || !w || fl_p_adjust_weighted(f->p, w, f->n, o->correction, adj))) {
		free(adj);
		free(w);
		return;
	}
	free(w);
	for (size_t i = 0; i < f->n; i++) {
		json_t *c = json_array_get(f->comps, i);
		bool sig = adj[i] < o->alpha;

		json_object_set_new(c, "p_adjusted", num(adj[i]));
		json_object_set_new(c, "significant", json_boolean(sig));
		decide(c, sig, fo);
		json_object_del(c, "better_dir");
		json_object_del(c, "base_mean");
		json_object_del(c, "count_rule");
		json_object_del(c, "noise_pct");
		json_object_del(c, "primary_row");
		json_object_del(c, "spread");
	}
	free(adj);
}

/* The family of column c shown with unit, and whether the count rule decides it. */
enum fl_family fl_cmp_family_of_col(const struct fl_cmp_col *c, const char *unit,
				    bool *count)
{
	*count = fl_unit_is_count(unit);
	return fl_family_of(c->kind == FL_ITEM_METRIC, unit);
}

/* Mark each comparison of comps (a metric's) with what its verdict needs: the count rule
 * and the history's noise floor (nf, may be NULL). */
void fl_cmp_comps_mark(json_t *comps, bool count, json_t *nf)
{
	json_t *c;
	size_t i;

	json_array_foreach(comps, i, c) {
		if (!json_object_get(c, "better_dir"))
			continue;	/* not tested */
		json_object_set_new(c, "count_rule", json_boolean(count));
		if (json_is_number(json_object_get(nf, "floor_pct")))
			json_object_set(c, "noise_pct", json_object_get(nf, "floor_pct"));
	}
}
