// SPDX-License-Identifier: GPL-2.0
/* The nightly verdict: which changes are regressions (the rule of counts.h with the history's
 * noise floor), and the sentence that says so, with the history's change points (nightly.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "counts.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "noise_floor.h"
#include "nightly.h"

/* What a regression of a count says besides its %: the family, the means and the
 * difference in the metric's own unit, and the floor it passed. */
static void count_fields(json_t *r, json_t *m, json_t *c)
{
	json_t *rs = json_object_get(m, "runs"), *fl = json_object_get(c, "floor");

	json_object_set_new(r, "family", json_string(json_string_value(json_object_get(m,
			    "family")) ?: "metrics"));
	json_object_set_new(r, "unit", json_string(json_string_value(json_object_get(m,
			    "unit")) ?: ""));
	json_object_set(r, "base_mean", json_object_get(json_array_get(rs, 0), "mean") ?:
			json_null());
	json_object_set(r, "mean", json_object_get(json_array_get(rs, 1), "mean") ?:
			json_null());
	json_object_set(r, "delta", json_object_get(c, "delta") ?: json_null());
	json_object_set(r, "floor", json_object_get(fl, "abs") ?: json_null());
	json_object_set_new(r, "floor_source", json_string(json_string_value(
			    json_object_get(fl, "source")) ?: "none"));
}

/* A significant change of m in c (a comparison) that the rule (counts.h) would have called
 * worse without the history's noise floor: one that "stays within the run-to-run noise". */
static bool within_noise(json_t *m, json_t *c, double threshold)
{
	json_t *fl = json_object_get(c, "floor");
	const char *better = json_string_value(json_object_get(m, "better")) ?: "none";
	double base = fl_cmp_num(json_object_get(json_array_get(json_object_get(m, "runs"), 0),
						 "mean"));
	struct fl_floor f;
	bool beyond;

	if (!json_is_true(json_object_get(c, "significant")) ||
	    json_is_true(json_object_get(c, "beyond_floor")) ||
	    strcmp(json_string_value(json_object_get(fl, "source")) ?: "", "noise"))
		return false;
	fl_floor_of(!strcmp(json_string_value(json_object_get(m, "family")) ?: "", "counts"),
		    base, threshold, NAN, NAN, &f);
	return !strcmp(fl_decide(true, fl_cmp_num(json_object_get(c, "delta")), better[0], &f,
				 &beyond), "worse");
}

/* Regressions: the comparisons of workload metrics (the metrics and counts families) that
 * the rule called worse: significant, beyond the threshold or the count floor, and beyond
 * the noise floor where the history gives one. *noisy counts the worse changes that passed
 * all but the noise floor. */
json_t *fl_nightly_regressions(json_t *cmp, double threshold, json_t **largest, size_t *noisy)
{
	json_t *out = json_array(), *g, *m;
	double big = -1;
	size_t i, k;

	*largest = NULL;
	*noisy = 0;
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			json_t *c = json_array_get(json_object_get(m, "comparisons"), 0);
			double d = fl_cmp_num(json_object_get(c, "delta_pct"));
			const char *v = json_string_value(json_object_get(c, "verdict")) ?: "";
			json_t *r, *floor = json_object_get(json_object_get(m, "noise_floor"),
							    "floor_pct");

			/* a count from 0 has no delta % but is a change: 0 -> 1 IPI per op */
			if (strcmp(json_string_value(json_object_get(m, "kind")), "metric") ||
			    (isnan(d) && strcmp(json_string_value(json_object_get(m, "family")) ?:
						"", "counts")))
				continue;
			r = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:s}", "workload",
				json_string_value(json_object_get(g, "workload")), "label",
				json_string_value(json_object_get(g, "label")), "metric",
				json_string_value(json_object_get(m, "name")), "delta_pct",
				json_object_get(c, "delta_pct") ?: json_null(), "ci_low_pct",
				json_object_get(c, "ci_low_pct") ?: json_null(), "ci_high_pct",
				json_object_get(c, "ci_high_pct") ?: json_null(), "p_adjusted",
				json_object_get(c, "p_adjusted") ?: json_null(), "verdict", v);
			if (strcmp(json_string_value(json_object_get(m, "better")), "none") &&
			    json_is_number(json_object_get(c, "p_adjusted")) && fabs(d) > big) {
				big = fabs(d);
				json_decref(*largest);
				*largest = json_incref(r);
			}
			json_object_set(r, "noise_floor_pct", floor ? floor : json_null());
			count_fields(r, m, c);
			if (!strcmp(v, "worse"))
				json_array_append(out, r);
			else if (within_noise(m, c, threshold))
				(*noisy)++;
			json_decref(r);
		}
	return out;
}

/* "ebizzy threads=2: records_per_s -3.10% (95% CI ...)", names made safe for a terminal. */
static void describe(json_t *r, char *buf, size_t len)
{
	double p = fl_cmp_num(json_object_get(r, "p_adjusted"));
	double lo = fl_cmp_num(json_object_get(r, "ci_low_pct"));
	double hi = fl_cmp_num(json_object_get(r, "ci_high_pct"));
	const char *label = json_string_value(json_object_get(r, "label")) ?: "";
	char wl[200], lb[300], m[200];

	fl_text_clean(wl, sizeof(wl), json_string_value(json_object_get(r, "workload")) ?: "?");
	fl_text_clean(lb, sizeof(lb), label);
	fl_text_clean(m, sizeof(m), json_string_value(json_object_get(r, "metric")) ?: "?");
	double nf = fl_cmp_num(json_object_get(r, "noise_floor_pct"));
	int n;

	if (!strcmp(json_string_value(json_object_get(r, "family")) ?: "", "counts")) {
		char unit[80], a[16], b[16], dl[16];

		fl_text_clean(unit, sizeof(unit), json_string_value(json_object_get(r, "unit")) ?:
			      "");
		fl_fmt_num(a, sizeof(a), fl_cmp_num(json_object_get(r, "base_mean")));
		fl_fmt_num(b, sizeof(b), fl_cmp_num(json_object_get(r, "mean")));
		fl_fmt_num(dl, sizeof(dl), fl_cmp_num(json_object_get(r, "delta")));
		double dp = fl_cmp_num(json_object_get(r, "delta_pct"));
		char pc[32] = "from 0";

		if (!isnan(dp))
			snprintf(pc, sizeof(pc), "%+.2f%%", dp);
		snprintf(buf, len, "%s%s%s: %s %s%s %s (%s -> %s, %s; count, floor %.3g, "
			     "adjusted p %s%.2g)", wl, *label ? " " : "", lb, m,
			     fl_cmp_num(json_object_get(r, "delta")) > 0 ? "+" : "", dl, unit, a,
			     b, pc,
			     fl_cmp_num(json_object_get(r, "floor")), p < 1e-16 ? "< " : "",
			     p < 1e-16 ? 1e-16 : p);
		return;
	}
	n = snprintf(buf, len, "%s%s%s: %s %+.2f%% (95%% CI %+.1f..%+.1f%%, adjusted p %.2g", wl,
		     *label ? " " : "", lb, m, fl_cmp_num(json_object_get(r, "delta_pct")), lo,
		     hi, p);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, isnan(nf) ? ")" : ", run-to-run noise "
			 "+/-%.1f%%)", nf);
}

/* Append to the verdict text; what does not fit is left out (off never passes len). */
static void __attribute__((format(printf, 4, 5))) vappend(char *v, size_t len, size_t *off,
							  const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(v + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

char *fl_nightly_verdict_text(const struct fl_nightly_verdict *nv)
{
	const char *id = nv->id;
	size_t nbase = nv->nbase, baseiters = nv->baseiters, noisy = nv->noisy;
	size_t problems = nv->problems;
	json_t *regs = nv->regs, *largest = nv->largest, *cmp = nv->cmp;
	double threshold = nv->threshold;
	size_t len = 8192, off = 0, i;
	char *v = malloc(len), one[1000];
	json_t *r;

	if (!v)
		return NULL;
	if (!cmp) {
		snprintf(v, len, "nightly: run %s is the first of its history; no baseline to "
			 "compare with yet, so no verdict%s.", id, problems ?
			 " (it has failed or crashed cases: see summary.md)" : "");
		return v;
	}
	vappend(v, len, &off, "nightly: run %s against the last %zu good run(s) (%zu measured "
		"iterations pooled; %s, %s within each family (timing, counts; a case's primary "
		"metric weighted to half), alpha %g; counts "
		"move by %g event and %g%% at least; %s): ",
		id, nbase, baseiters, strcmp(json_string_value(json_object_get(cmp, "test")) ?: "",
		"auto") ? json_string_value(json_object_get(cmp, "test")) ?: "?" :
		"Welch's t-test (bootstrap for skewed samples of 8+)",
		json_string_value(json_object_get(cmp, "correction")) ?: "?",
		fl_cmp_num(json_object_get(cmp, "alpha")), FL_COUNT_MIN_DELTA, FL_COUNT_MIN_REL_PCT,
		nbase >= FL_NOISE_MIN_RUNS ?
		"noise floor: 99% prediction interval of those runs' means" :
		"no noise floor with fewer than 3 runs");
	if (json_array_size(regs))
		vappend(v, len, &off, "REGRESSION in %zu metric(s) beyond %g%%: ",
			json_array_size(regs), threshold);
	json_array_foreach(regs, i, r) {
		describe(r, one, sizeof(one));
		vappend(v, len, &off, "%s%s", i ? "; " : "", one);
	}
	if (!json_array_size(regs)) {
		vappend(v, len, &off, "no significant regression beyond %g%%", threshold);
		if (largest) {
			describe(largest, one, sizeof(one));
			vappend(v, len, &off, " (largest change %s)", one);
		}
		if (noisy)
			vappend(v, len, &off, "; %zu worse change(s) beyond %g%% stay within the "
				"history's run-to-run noise", noisy, threshold);
	}
	if (problems)
		vappend(v, len, &off, "; %zu case(s) failed, crashed or timed out (see summary.md)",
			problems);
	vappend(v, len, &off, ".");
	return v;
}

#define CP_MIN_RUNS 10	/* two segments of changepoint.h's default 5 runs */

/* "; change points over the 60 runs: ebizzy records_per_s from run ID (#40, kernel A -> B):
 * -3.1% (4810 -> 4661, worse), p 0.005; ..." appended to verdict (a new string). */
char *fl_nightly_with_change_points(char *verdict, json_t *cps, size_t nruns)
{
	size_t len = strlen(verdict ? verdict : "") + 600 * (json_array_size(cps) + 1), off;
	char *v = malloc(len), wl[100], m[100], run[100], kb[100], ka[100];
	json_t *c;
	size_t i;

	if (!v)
		return verdict;
	off = (size_t)snprintf(v, len, "%s", verdict ? verdict : "");
	if (off && v[off - 1] == '.')
		v[--off] = '\0';
	if (nruns < CP_MIN_RUNS)
		vappend(v, len, &off, "; change points need %d runs (%zu so far)", CP_MIN_RUNS,
			nruns);
	else if (!json_array_size(cps))
		vappend(v, len, &off, "; no change point over the history's %zu runs", nruns);
	json_array_foreach(cps, i, c) {
		fl_text_clean(wl, sizeof(wl), json_string_value(json_object_get(c, "workload")));
		fl_text_clean(m, sizeof(m), json_string_value(json_object_get(c, "metric")));
		fl_text_clean(run, sizeof(run), json_string_value(json_object_get(c, "run")));
		fl_text_clean(kb, sizeof(kb), json_string_value(json_object_get(c,
			      "kernel_before")) ?: "?");
		fl_text_clean(ka, sizeof(ka), json_string_value(json_object_get(c,
			      "kernel_after")) ?: "?");
		vappend(v, len, &off, "%s %s %s from run %s (#%lld of %lld, kernel %s -> %s): "
			"%+.2f%% (%.4g -> %.4g, %s), p %.3f", i ? ";" : "; change points over the "
			"history (E-divisive means):", wl, m, run,
			(long long)json_integer_value(json_object_get(c, "run_index")),
			(long long)json_integer_value(json_object_get(c, "runs")), kb, ka,
			fl_cmp_num(json_object_get(c, "change_pct")),
			fl_cmp_num(json_object_get(c, "before")),
			fl_cmp_num(json_object_get(c, "after")),
			json_string_value(json_object_get(c, "direction")) ?: "?",
			fl_cmp_num(json_object_get(c, "p")));
	}
	vappend(v, len, &off, ".");
	free(verdict);
	return v;
}
