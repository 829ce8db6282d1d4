// SPDX-License-Identifier: GPL-2.0
/* The comparison as fixed-width text that fits 80 columns (a cover letter): identities, the
 * sweep tables (seed 004: one row per sweep value, one column group per run), then per case
 * the seed-001 table (BASE mean (sd) | CAND mean (sd) | delta %) with CI and p. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"

#define W 80

static const char *s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "-";
}

/* "9555 (201.3)" from a run's stats, or what stands for a missing value. */
static void cell(json_t *st, char *buf, size_t len, bool with_sd)
{
	const char *status = s(st, "status");
	char m[32], d[32];

	if (!strcmp(status, "absent")) {
		snprintf(buf, len, "-");
		return;
	}
	if (!strcmp(status, "unsupported")) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (strcmp(status, "ok")) {
		snprintf(buf, len, "(%s)", status);
		return;
	}
	fl_fmt_num(m, sizeof(m), fl_cmp_num(json_object_get(st, "mean")));
	fl_fmt_num(d, sizeof(d), fl_cmp_num(json_object_get(st, "sd")));
	if (!with_sd)
		snprintf(buf, len, "%s", m);
	else if (strlen(m) + strlen(d) + 3 <= 16)
		snprintf(buf, len, "%s (%s)", m, d);
	else
		snprintf(buf, len, "%s (%.0f%%)", m, 100 * fl_cmp_num(json_object_get(st, "cov")));
}

static void pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%+.0f%%", v);
	else
		snprintf(buf, len, "%+.2f%%", v);
}

static char mark(json_t *c)
{
	const char *v = s(c, "verdict");

	return !strcmp(v, "better") ? '+' : !strcmp(v, "worse") ? '-' :
	       !strcmp(v, "changed") ? '*' : ' ';
}

/* delta, CI and p of one comparison: "-0.58%  -4.1..+3.0  0.812 " */
static void test_cells(json_t *c, char *delta, char *rest, size_t len)
{
	double lo = fl_cmp_num(json_object_get(c, "ci_low_pct"));
	double hi = fl_cmp_num(json_object_get(c, "ci_high_pct"));
	double p = fl_cmp_num(json_object_get(c, "p_adjusted"));
	char ci[40], pv[16];

	pct(delta, 16, fl_cmp_num(json_object_get(c, "delta_pct")));
	if (!strcmp(s(c, "verdict"), "too few samples") || !strcmp(s(c, "verdict"), "n/a")) {
		snprintf(rest, len, "%s", s(c, "verdict"));
		return;
	}
	if (isnan(lo) || isnan(hi))
		snprintf(ci, sizeof(ci), "-");
	else
		snprintf(ci, sizeof(ci), fmax(fabs(lo), fabs(hi)) >= 100 ? "%+.0f..%+.0f" :
			 "%+.1f..%+.1f", lo, hi);
	if (strlen(ci) > 12)
		snprintf(ci, sizeof(ci), "very wide");
	if (isnan(p))
		snprintf(pv, sizeof(pv), "-");
	else if (p < 0.001)
		snprintf(pv, sizeof(pv), "<.001");
	else
		snprintf(pv, sizeof(pv), "%.3f", p);
	snprintf(rest, len, "%12.12s %5s%c", ci, pv, mark(c));
}

static void print_ids(json_t *cmp, FILE *out)
{
	json_t *runs = json_object_get(cmp, "runs"), *r, *d;
	size_t i;

	fprintf(out, "faultline compare: %zu runs, base %s\n", json_array_size(runs),
		s(json_array_get(runs, 0), "label"));
	json_array_foreach(runs, i, r) {
		json_t *k = json_object_get(r, "kernel"), *t = json_object_get(r, "target");
		json_t *ps = json_object_get(k, "patchset");
		char cfg[13] = "-";

		if (json_is_string(json_object_get(k, "config_sha256")))
			snprintf(cfg, sizeof(cfg), "%s", s(k, "config_sha256"));
		fprintf(out, "%s  %.60s (%s, %lld cases)\n", s(r, "label"), s(r, "dir"), s(r, "state"),
			(long long)json_integer_value(json_object_get(r, "cases")));
		fprintf(out, "   id %.40s  kernel %.30s\n", s(r, "id"), s(k, "release"));
		fprintf(out, "   candidate %.20s  base %.20s  patchset %.16s%s%.0lld  config %s\n",
			s(k, "candidate"), s(k, "base"), json_is_object(ps) ? s(ps, "name") : "-",
			json_is_object(ps) ? " v" : "",
			(long long)json_integer_value(json_object_get(ps, "version")), cfg);
		fprintf(out, "   target %s %s, %lld CPUs%s%.10s\n", s(t, "kind"), s(t, "arch"),
			(long long)json_integer_value(json_object_get(t, "cpus")),
			json_is_string(json_object_get(t, "accel")) ? ", " : "",
			json_is_string(json_object_get(t, "accel")) ? s(t, "accel") : "");
		if (json_integer_value(json_object_get(r, "skipped")))
			fprintf(out, "   %lld case file(s) skipped: see problems\n",
				(long long)json_integer_value(json_object_get(r, "skipped")));
	}
	if (!json_array_size(json_object_get(cmp, "differences")))
		fputs("kernel identity: no differences between the runs\n", out);
	else
		fputs("kernel identity differences:\n", out);
	json_array_foreach(json_object_get(cmp, "differences"), i, d)
		fprintf(out, "  %.77s\n", json_string_value(d));
}

/* Print text wrapped at 78 columns, continuation lines indented by indent. */
static void wrap(FILE *out, const char *p, int indent)
{
	bool first = true;

	while (*p) {
		size_t n = strlen(p), room = first ? 78 : 78 - (size_t)indent;

		if (n > room) {
			n = room;
			while (n && p[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(out, "%*s%.*s\n", first ? 0 : indent, "", (int)n, p);
		first = false;
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void print_legend(json_t *cmp, FILE *out)
{
	char buf[1024];
	const char *p = buf;

	snprintf(buf, sizeof(buf), "delta: (run - %s) / %s. 95%% CI of %s, in %% of "
		 "the base mean. p: %s, %s-adjusted over the %lld "
		 "workload metrics (counters: a separate family of %lld). Marks (p < %g after "
		 "correction): + better, - worse, * changed (no better direction); none: no "
		 "significant change. n < 3: too few samples. Values: \"-\" absent from this "
		 "kernel, \"n/a\" unsupported on this machine, (missing) not reported by that "
		 "run, never 0. Warm-ups excluded. Harmonic means of rates: --format md/csv/json.",
		 s(json_array_get(json_object_get(cmp, "runs"), 0), "label"),
		 s(json_array_get(json_object_get(cmp, "runs"), 0), "label"), fl_cmp_ci_of(cmp),
		 !strcmp(s(cmp, "test"), "welch") ? "Welch's t-test" :
		 "Mann-Whitney U (exact without ties and small n, else normal approximation)",
		 s(cmp, "correction"),
		 (long long)json_integer_value(json_object_get(cmp, "family_metrics")),
		 (long long)json_integer_value(json_object_get(cmp, "family_counters")),
		 fl_cmp_num(json_object_get(cmp, "alpha")));
	wrap(out, p, 0);
}

static void metric_row(json_t *m, json_t *runs, FILE *out)
{
	json_t *rs = json_object_get(m, "runs"), *cs = json_object_get(m, "comparisons");
	const char *name = s(m, "name");
	char a[80], b[80], delta[16], rest[48];
	size_t nruns = json_array_size(runs);

	if (strlen(name) > 16)
		fprintf(out, "%.79s\n", name);
	if (nruns == 2) {
		cell(json_array_get(rs, 0), a, sizeof(a), true);
		cell(json_array_get(rs, 1), b, sizeof(b), true);
		test_cells(json_array_get(cs, 0), delta, rest, sizeof(rest));
		fprintf(out, "%-16.16s %16s %16s %8s %.19s\n", strlen(name) > 16 ? "" : name, a, b,
			delta, rest);
		return;
	}
	if (strlen(name) <= 16)
		fprintf(out, "%s\n", name);
	for (size_t r = 0; r < nruns; r++) {
		json_t *st = json_array_get(rs, r);

		cell(st, a, sizeof(a), true);
		if (!r) {
			fprintf(out, "  %-3s %16s  n=%lld\n", s(json_array_get(runs, 0), "label"), a,
				(long long)json_integer_value(json_object_get(st, "n")));
			continue;
		}
		test_cells(json_array_get(cs, r - 1), delta, rest, sizeof(rest));
		fprintf(out, "  %-3.3s %16s  n=%-3lld %8s %.19s\n",
			s(json_array_get(cs, r - 1), "run"), a,
			(long long)json_integer_value(json_object_get(st, "n")), delta, rest);
	}
}

static void print_group(json_t *cmp, json_t *g, FILE *out)
{
	json_t *runs = json_object_get(cmp, "runs"), *m;
	size_t nruns = json_array_size(runs), i;
	char head[1024];
	size_t off;

	snprintf(head, sizeof(head), "== %s %s", s(g, "workload"), s(g, "label"));
	fputc('\n', out);
	wrap(out, head, 3);
	off = (size_t)snprintf(head, sizeof(head), "   n:");
	for (size_t r = 0; r < nruns && off < sizeof(head); r++)
		off += (size_t)snprintf(head + off, sizeof(head) - off, " %s %lld",
			s(json_array_get(runs, r), "label"),
			(long long)json_integer_value(json_array_get(json_object_get(g, "n"), r)));
	if (off < sizeof(head))
		snprintf(head + off, sizeof(head) - off, " measured (warm-ups excluded)");
	fprintf(out, "%.80s\n", head);
	if (nruns == 2)
		fprintf(out, "%-16s %6s mean (sd) %6s mean (sd) %8s %12s %5s\n", "metric",
			s(json_array_get(runs, 0), "label"), s(json_array_get(runs, 1), "label"),
			"delta", "95% CI (%)", "p");
	json_array_foreach(json_object_get(g, "metrics"), i, m)
		metric_row(m, runs, out);
}

/* One sweep table: a row per sweep value; the base run's column, then runs [first, last). */
static void sweep_table(json_t *cmp, json_t *sw, json_t *m, size_t first, size_t last, bool sd,
			FILE *out)
{
	json_t *groups = json_object_get(cmp, "groups"), *runs = json_object_get(cmp, "runs"), *h;
	const char *fam = s(sw, "family");
	int w = sd ? 16 : 9;
	size_t j;

	fprintf(out, "%8.8s %*s", s(sw, "key"), w, s(json_array_get(runs, 0), "label"));
	for (size_t r = first; r < last; r++)
		fprintf(out, " %*s %8s", w, s(json_array_get(runs, r), "label"), "delta");
	fputc('\n', out);
	json_array_foreach(groups, j, h) {
		json_t *hm = fl_cmp_sweep_metric(h, fam, s(m, "name")), *hr, *cp;
		char v[32], c[80], d[16];

		if (!hm)
			continue;
		hr = json_object_get(hm, "runs");
		snprintf(v, sizeof(v), "%g", fl_cmp_num(json_object_get(json_object_get(h, "sweep"),
								      "value")));
		cell(json_array_get(hr, 0), c, sizeof(c), sd);
		fprintf(out, "%8.8s %*s", v, w, c);
		for (size_t r = first; r < last; r++) {
			cp = json_array_get(json_object_get(hm, "comparisons"), r - 1);
			cell(json_array_get(hr, r), c, sizeof(c), sd);
			pct(d, sizeof(d), fl_cmp_num(json_object_get(cp, "delta_pct")));
			fprintf(out, " %*s %7s%c", w, c, d, mark(cp));
		}
		fputc('\n', out);
	}
}

/* Seed 004: for each sweep family and each workload metric with a direction, one row per
 * sweep value and one column group per run; more runs than 80 columns hold go on to further
 * tables, each with the base column again. */
static void print_sweeps(json_t *cmp, FILE *out)
{
	json_t *groups = json_object_get(cmp, "groups"), *seen = json_object(), *g, *m;
	size_t nruns = json_array_size(json_object_get(cmp, "runs")), i, k;
	bool sd = nruns <= 3;
	size_t per = sd ? 2 : 3;	/* 8 + 17 + 2 * 26 and 8 + 10 + 3 * 18 <= 80 */

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep");
		const char *fam = s(sw, "family");

		if (!sw || json_object_get(seen, fam))
			continue;
		json_object_set_new(seen, fam, json_true());
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			if (strcmp(s(m, "kind"), "metric") || !strcmp(s(m, "better"), "none"))
				continue;
			fprintf(out, "\n%.79s:\n  %.40s [%.20s] over %s\n", fam, s(m, "name"),
				s(m, "unit"), s(sw, "key"));
			for (size_t first = 1; first < nruns || first == 1; first += per) {
				if (first > 1)
					fputc('\n', out);
				sweep_table(cmp, sw, m, first, first + per < nruns ? first + per :
					    nruns, sd, out);
			}
		}
	}
	json_decref(seen);
}

static void print_problems(json_t *cmp, FILE *out)
{
	json_t *p = json_object_get(cmp, "problems"), *e;
	size_t i;

	if (!json_array_size(p))
		return;
	fputs("\nproblems (not averaged into the numbers):\n", out);
	json_array_foreach(p, i, e) {
		size_t used = 8 + strlen(s(e, "workload")) + strnlen(s(e, "label"), 30);

		fprintf(out, "  %s %.50s: %s%s\n", s(e, "run"), s(e, "file"), s(e, "status"),
			json_is_true(json_object_get(e, "warmup")) ? " (warm-up)" : "");
		fprintf(out, "    %s %.30s: %.*s\n", s(e, "workload"), s(e, "label"),
			used < W - 20 ? (int)(W - used) : 20, s(e, "reason"));
	}
}

static void render(json_t *cmp, FILE *out)
{
	json_t *g;
	size_t i;

	print_ids(cmp, out);
	print_legend(cmp, out);
	print_sweeps(cmp, out);
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		print_group(cmp, g, out);
	print_problems(cmp, out);
}

void fl_render_text(json_t *cmp, FILE *out)
{
	json_t *shown = fl_cmp_shown(cmp, false);

	if (shown)
		render(shown, out);
	json_decref(shown);
}
