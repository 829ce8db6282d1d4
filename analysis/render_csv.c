// SPDX-License-Identifier: GPL-2.0
/* The comparison as CSV (RFC 4180): one row per case group, item and run; the precision a run
 * made with --precision reached on a group sits on the row of its metric. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"

void fl_csv_field(FILE *out, const char *v, bool last)
{
	if (!v)
		v = "";
	if (strpbrk(v, ",\"\n\r")) {
		fputc('"', out);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', out);
			fputc(*v, out);
		}
		fputc('"', out);
	} else {
		fputs(v, out);
	}
	fputs(last ? "\r\n" : ",", out);
}

static void numf(FILE *out, json_t *v, bool last)
{
	char buf[40] = "";

	if (json_is_number(v))
		snprintf(buf, sizeof(buf), "%.10g", json_number_value(v));
	fl_csv_field(out, buf, last);
}

/* 1,4,7: the outlier indices of a run's stats */
static void indices(FILE *out, json_t *o)
{
	char buf[256] = "";
	size_t i, off = 0;
	json_t *v;

	json_array_foreach(json_object_get(o, "indices"), i, v)
		if (off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%lld", i ? " " : "",
						(long long)json_integer_value(v));
	fl_csv_field(out, buf, false);
}

/* The comparison's test, CI, difference, floor; the run's outliers. */
static void tail(FILE *out, json_t *st, json_t *cp)
{
	json_t *fl = json_object_get(cp, "floor"), *o = json_object_get(st, "outliers");
	json_t *bf = json_object_get(cp, "beyond_floor");
	char n[24] = "";

	fl_csv_field(out, json_string_value(json_object_get(cp, "test")), false);
	fl_csv_field(out, json_string_value(json_object_get(cp, "ci")), false);
	numf(out, json_object_get(cp, "delta"), false);
	numf(out, json_object_get(fl, "abs"), false);
	fl_csv_field(out, json_string_value(json_object_get(fl, "source")), false);
	fl_csv_field(out, json_is_boolean(bf) ? (json_is_true(bf) ? "true" : "false") : "",
		     false);
	if (o)
		snprintf(n, sizeof(n), "%lld", (long long)(json_integer_value(json_object_get(o,
			 "low_mild")) + json_integer_value(json_object_get(o, "high_mild"))));
	fl_csv_field(out, n, false);
	if (o)
		snprintf(n, sizeof(n), "%lld", (long long)(json_integer_value(json_object_get(o,
			 "low_severe")) + json_integer_value(json_object_get(o, "high_severe"))));
	fl_csv_field(out, n, false);
	indices(out, o);
}

void fl_csv_precision(FILE *out, json_t *g, json_t *m, size_t r)
{
	json_t *p = json_array_get(json_object_get(g, "precision"), r);
	const char *pm = json_string_value(json_object_get(p, "metric"));
	char n[24] = "";

	if (!pm || strcmp(pm, json_string_value(json_object_get(m, "name")) ?: ""))
		p = NULL;
	numf(out, json_object_get(p, "target_pct"), false);
	numf(out, json_object_get(p, "halfwidth_pct"), false);
	if (json_is_integer(json_object_get(p, "n")))
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(p,
			 "n")));
	fl_csv_field(out, n, false);
	fl_csv_field(out, json_string_value(json_object_get(p, "stopped")), true);
}

static void render(json_t *cmp, FILE *out)
{
	static const char *const stats[] = { "n", "mean", "sd", "cov", "min", "max", "hmean" };
	static const char *const tests[] = { "delta_pct", "ci_low_pct", "ci_high_pct", "p_value",
					     "p_adjusted" };
	json_t *runs = json_object_get(cmp, "runs"), *g, *m;
	size_t i, k;

	fputs("workload,params,metric,kind,unit,better,run,status,n,mean,sd,cov,min,max,hmean,"
	      "delta_pct,ci_low_pct,ci_high_pct,p_value,p_adjusted,significant,verdict,kernel,"
	      "delta_better_pct,direction,family,test,ci_method,delta,floor,floor_source,"
	      "beyond_floor,outliers_mild,outliers_severe,outlier_indices,"
	      "precision_target_pct,precision_halfwidth_pct,precision_n,precision_stopped\r\n", out);
	json_array_foreach(json_object_get(cmp, "groups"), i, g) {
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			for (size_t r = 0; r < json_array_size(runs); r++) {
				json_t *st = json_array_get(json_object_get(m, "runs"), r);
				json_t *cp = r ? json_array_get(json_object_get(m, "comparisons"),
								r - 1) : NULL;
				json_t *sig = json_object_get(cp, "significant");

				fl_csv_field(out, json_string_value(json_object_get(g, "workload")), false);
				fl_csv_field(out, json_string_value(json_object_get(g, "label")), false);
				fl_csv_field(out, json_string_value(json_object_get(m, "name")), false);
				fl_csv_field(out, json_string_value(json_object_get(m, "kind")), false);
				fl_csv_field(out, json_string_value(json_object_get(m, "unit")), false);
				fl_csv_field(out, json_string_value(json_object_get(m, "better")), false);
				fl_csv_field(out, json_string_value(json_object_get(json_array_get(runs, r),
									     "label")), false);
				fl_csv_field(out, json_string_value(json_object_get(st, "status")), false);
				for (size_t j = 0; j < sizeof(stats) / sizeof(stats[0]); j++)
					numf(out, json_object_get(st, stats[j]), false);
				for (size_t j = 0; j < sizeof(tests) / sizeof(tests[0]); j++)
					numf(out, json_object_get(cp, tests[j]), false);
				fl_csv_field(out, json_is_boolean(sig) ? (json_is_true(sig) ? "true" :
					 "false") : "", false);
				fl_csv_field(out, json_string_value(json_object_get(cp, "verdict")), false);
				fl_csv_field(out, json_string_value(json_object_get(
					     json_array_get(runs, r), "name")), false);
				numf(out, json_object_get(cp, "delta_better_pct"), false);
				fl_csv_field(out, json_string_value(json_object_get(cp, "direction")),
					     false);
				fl_csv_field(out, json_string_value(json_object_get(m, "family")), false);
				tail(out, st, cp);
				fl_csv_precision(out, g, m, r);
			}
		}
	}
}

void fl_render_csv(json_t *cmp, FILE *out)
{
	json_t *shown = fl_cmp_shown(cmp, false);

	if (shown)
		render(shown, out);
	json_decref(shown);
}
