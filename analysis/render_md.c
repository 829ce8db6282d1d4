// SPDX-License-Identifier: GPL-2.0
/* The comparison as Markdown (GitHub tables): identities, sweeps, per-case tables, problems. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"

static bool is_rate(const char *unit)
{
	size_t n = strlen(unit);

	return n > 2 && !strcmp(unit + n - 2, "/s");
}

/* " o" a mild, " O" a severe outlier among the run's iterations (Tukey's fences). */
static const char *outlier_mark(json_t *st)
{
	switch (fl_cmp_outlier_mark(st)) {
	case 'O':
		return " O";
	case 'o':
		return " o";
	default:
		return "";
	}
}

static void md_cell(json_t *st, char *buf, size_t len)
{
	const char *status = fl_cmp_str(st, "status");
	char m[32], d[32];

	if (fl_cmp_no_value(st, buf, len)) {
		if (!strcmp(status, "absent") || !strcmp(status, "unsupported"))
			snprintf(buf + strlen(buf), len - strlen(buf), "¹");
		return;
	}
	fl_cmp_mean_sd(st, m, d, sizeof(m));
	snprintf(buf, len, "%s (%s)%s", m, d, outlier_mark(st));
}

static const char *md_test_name(const char *t)
{
	if (!strcmp(t, "welch"))
		return "Welch's t-test";
	if (!strcmp(t, "bootstrap"))
		return "percentile bootstrap of the difference of means (10,000 resamples, fixed "
		       "seed; p from the same resamples)";
	if (!strcmp(t, "auto"))
		return "Welch's t-test, or the percentile bootstrap (10,000 resamples; marked "
		       "ᵇ) where a sample of 8 or more is skewed (|G1| > 1) or has a severe outlier";
	return "Mann-Whitney U (exact without ties and small n, else normal approximation)";
}

static void md_item(FILE *out, const char *line)
{
	fprintf(out, "- %s\n", line);
}

static void md_ids(json_t *cmp, FILE *out)
{
	json_t *r;
	size_t i;

	fputs("| run | directory | id | kernel | candidate | base | patchset | config sha256 | "
	      "target |\n|---|---|---|---|---|---|---|---|---|\n", out);
	json_array_foreach(json_object_get(cmp, "runs"), i, r) {
		json_t *k = json_object_get(r, "kernel"), *t = json_object_get(r, "target");
		json_t *ps = json_object_get(k, "patchset");

		fprintf(out,
			"| %s %s%s | %s | %s | %s | %s | %s | %s%s%.0lld | %.12s | %s %s, %lld CPUs |\n",
			fl_cmp_str(r, "label"), fl_cmp_run_name(cmp, i), i ? "" : " (base)",
			fl_cmp_str(r, "dir"), fl_cmp_str(r, "id"), fl_cmp_str(k, "release"),
			fl_cmp_str(k, "candidate"), fl_cmp_str(k, "base"),
			json_is_object(ps) ? fl_cmp_str(ps, "name") : "-",
			json_is_object(ps) ? " v" : "",
			(long long)json_integer_value(json_object_get(ps, "version")),
			fl_cmp_str(k, "config_sha256"), fl_cmp_str(t, "kind"),
			fl_cmp_str(t, "arch"),
			(long long)json_integer_value(json_object_get(t, "cpus")));
	}
	fl_cmp_list(out, json_object_get(cmp, "differences"),
		    "\nKernel identity: no differences between the runs.\n",
		    "\nKernel identity differences:\n\n", md_item);
	fl_cmp_list(out, json_object_get(cmp, "conditions"), NULL,
		    "\nHost conditions differ (numbers may differ for these, not the kernel):\n\n",
		    md_item);
	fprintf(out, "\nTest: %s; p-values %s-adjusted within each family: %lld workload "
		"metrics (each case's primary metric, its first with a better direction, carries "
		"half the family's weight), %lld counts (metrics that count events, marked #), "
		"%lld counters; "
		"significant at p < %g. 95%% CI of %s, in %% of the base mean. n < 3: too few "
		"samples. Warm-up iterations excluded. better: the metric's better direction; "
		"verdict: better or worse (significant, by that direction, and at least the "
		"floor: counts %g event in their unit and %g%% of the base, others %g%%), changed "
		"(the same, no direction), ~ (not significant, or within the floor), same (no "
		"difference), n<3 (no test). o / O after a mean: a mild / severe outlier among "
		"its iterations (Tukey's fences at 1.5 and 3 IQR), flagged, never removed.\n",
		md_test_name(fl_cmp_str(cmp, "test")), fl_cmp_str(cmp, "correction"),
		(long long)json_integer_value(json_object_get(cmp, "family_metrics")),
		(long long)json_integer_value(json_object_get(cmp, "family_counts")),
		(long long)json_integer_value(json_object_get(cmp, "family_counters")),
		fl_cmp_num(json_object_get(cmp, "alpha")), fl_cmp_ci_of(cmp),
		fl_cmp_num(json_object_get(json_object_get(cmp, "floors"), "count_min_delta")),
		fl_cmp_num(json_object_get(json_object_get(cmp, "floors"), "count_min_rel_pct")),
		fl_cmp_num(json_object_get(json_object_get(cmp, "floors"), "min_effect_pct")));
}

static void md_group(json_t *cmp, json_t *g, FILE *out)
{
	json_t *runs = json_object_get(cmp, "runs"), *m;
	size_t nr = json_array_size(runs), i;
	char line[1024];

	fprintf(out, "\n### %s %s\n\n| metric | unit | better |", fl_cmp_str(g, "workload"),
		fl_cmp_str(g, "label"));
	for (size_t r = 0; r < nr; r++)
		fprintf(out, " %s mean (sd) | %s n | %s hmean |", fl_cmp_run_name(cmp, r),
			fl_cmp_run_name(cmp, r), fl_cmp_run_name(cmp, r));
	for (size_t r = 1; r < nr; r++)
		fprintf(out, " %s delta %% | %s 95%% CI %% | %s p (adj) | %s verdict |",
			fl_cmp_run_name(cmp, r), fl_cmp_run_name(cmp, r), fl_cmp_run_name(cmp, r),
			fl_cmp_run_name(cmp, r));
	fputs("\n|---|---|---|", out);
	for (size_t r = 0; r < nr; r++)
		fputs("--:|--:|--:|", out);
	for (size_t r = 1; r < nr; r++)
		fputs("--:|--:|--:|---|", out);
	fputc('\n', out);
	json_array_foreach(json_object_get(g, "metrics"), i, m) {
		fprintf(out, "| %s%s | %s | %s |", fl_cmp_str(m, "name"),
			strcmp(fl_cmp_str(m, "family"), "counts") ? "" : " #",
			fl_cmp_str(m, "unit"), fl_cmp_str(m, "better"));
		for (size_t r = 0; r < nr; r++) {
			json_t *st = json_array_get(json_object_get(m, "runs"), r);
			char c[80], h[32] = "-";

			md_cell(st, c, sizeof(c));
			if (is_rate(fl_cmp_str(m, "unit")))
				fl_fmt_num(h, sizeof(h), fl_cmp_num(json_object_get(st, "hmean")));
			fprintf(out, " %s | %lld | %s |", c,
				(long long)json_integer_value(json_object_get(st, "n")), h);
		}
		for (size_t r = 1; r < nr; r++) {
			json_t *cp = json_array_get(json_object_get(m, "comparisons"), r - 1);
			double d = fl_cmp_num(json_object_get(cp, "delta_pct"));
			double lo = fl_cmp_num(json_object_get(cp, "ci_low_pct"));
			double hi = fl_cmp_num(json_object_get(cp, "ci_high_pct"));
			double p = fl_cmp_num(json_object_get(cp, "p_adjusted"));

			if (isnan(d))
				fputs(" - |", out);
			else
				fprintf(out, " %+.2f |", d);
			if (isnan(lo) || isnan(hi))
				fputs(" - |", out);
			else
				fprintf(out, " %+.2f .. %+.2f%s |", lo, hi,
					strcmp(fl_cmp_str(cmp, "test"), "auto") ||
					strcmp(fl_cmp_str(cp, "test"), "bootstrap") ? "" : " ᵇ");
			if (isnan(p))
				fputs(" - |", out);
			else
				fprintf(out, " %.4f |", p);
			fprintf(out, " %s |", fl_cmp_word(cp));
		}
		fputc('\n', out);
	}
	if (fl_cmp_precision_text(cmp, g, line, sizeof(line))) {
		fl_utf8_cut(line);
		fprintf(out, "\n%c%s.\n", toupper((unsigned char)line[0]), line + 1);
	}
}

static void md_sweeps(json_t *cmp, FILE *out)
{
	json_t *groups = json_object_get(cmp, "groups"), *runs = json_object_get(cmp, "runs");
	json_t *seen = json_object(), *g, *m, *h;
	size_t nr = json_array_size(runs), i, k, j;

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep");

		if (!sw || json_object_get(seen, fl_cmp_str(sw, "family")))
			continue;
		json_object_set_new(seen, fl_cmp_str(sw, "family"), json_true());
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			if (strcmp(fl_cmp_str(m, "kind"), "metric") ||
			    !strcmp(fl_cmp_str(m, "better"), "none"))
				continue;
			fprintf(out, "\n### %s: %s (%s, %s is better) over %s\n\n| %s |",
				fl_cmp_str(sw, "family"), fl_cmp_str(m, "name"),
				fl_cmp_str(m, "unit"), fl_cmp_str(m, "better"),
				fl_cmp_str(sw, "key"), fl_cmp_str(sw, "key"));
			for (size_t r = 0; r < nr; r++)
				fprintf(out, r ? " %s mean (sd) | %s delta %% |" : " %s mean (sd) |",
					fl_cmp_run_name(cmp, r), fl_cmp_run_name(cmp, r));
			fputs("\n|--:|", out);
			for (size_t r = 0; r < nr; r++)
				fputs(r ? "--:|--:|" : "--:|", out);
			fputc('\n', out);
			json_array_foreach(groups, j, h) {
				json_t *hs = json_object_get(h, "sweep");
				json_t *hm = fl_cmp_sweep_metric(h, fl_cmp_str(sw, "family"),
								 fl_cmp_str(m, "name"));
				char v[32];

				if (!hm)
					continue;
				snprintf(v, sizeof(v), "%g", fl_cmp_num(json_object_get(hs, "value")));
				fprintf(out, "| %s |", v);
				for (size_t r = 0; r < nr; r++) {
					char c[80];
					json_t *cp = json_array_get(json_object_get(hm, "comparisons"),
								    r - 1);

					md_cell(json_array_get(json_object_get(hm, "runs"), r), c,
						sizeof(c));
					if (!r)
						fprintf(out, " %s |", c);
					else
						fprintf(out, " %s | %+.2f (%s) |", c,
							fl_cmp_num(json_object_get(cp, "delta_pct")),
							fl_cmp_word(cp));
				}
				fputc('\n', out);
			}
		}
	}
	json_decref(seen);
}

static void render(json_t *cmp, FILE *out)
{
	json_t *g, *e;
	size_t i;

	fprintf(out, "## faultline compare (base %s)\n\n",
		fl_cmp_str(json_array_get(json_object_get(cmp, "runs"), 0), "label"));
	md_ids(cmp, out);
	md_sweeps(cmp, out);
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		md_group(cmp, g, out);
	fputs("\n¹ `-`: absent from this kernel; `n/a`: unsupported on this machine; "
	      "(missing): not reported by that run. Never 0.\n", out);
	if (json_array_size(json_object_get(cmp, "problems")))
		fputs("\n### Problems (not averaged into the numbers)\n\n", out);
	json_array_foreach(json_object_get(cmp, "problems"), i, e)
		fprintf(out, "- %s `%s`: %s%s (%s %s): %s\n", fl_cmp_str(e, "run"),
			fl_cmp_str(e, "file"), fl_cmp_str(e, "status"),
			json_is_true(json_object_get(e, "warmup")) ? ", warm-up" : "",
			fl_cmp_str(e, "workload"), fl_cmp_str(e, "label"), fl_cmp_str(e, "reason"));
}

void fl_render_md(json_t *cmp, FILE *out)
{
	json_t *shown = fl_cmp_shown(cmp, true);

	if (shown)
		render(shown, out);
	json_decref(shown);
}
