// SPDX-License-Identifier: GPL-2.0
/* The comparison as fixed-width text that fits 80 columns (a cover letter): identities, the
 * sweep tables (seed 004: one row per sweep value, one column group per run), then per case
 * the seed-001 table (BASE mean (sd) | CAND mean (sd) | delta %) with the metric's better
 * direction, p and the direction word; counter, IPI and vmstat rows folded into one line per
 * case unless asked for (--counters, --metrics). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"

#define W 80

struct ctx {
	json_t *cmp;
	FILE *out;
	bool counters;		/* counter, IPI and vmstat rows shown */
	bool filtered;		/* --metrics: every directional metric gets its sweep table */
	size_t folded[4];	/* rows folded over all groups: counters, IPI, vmstat, other */
};

/* "9555 (201.3)" from a run's stats (at most w characters), or what stands for a missing
 * value. */
static void cell(json_t *st, char *buf, size_t len, bool with_sd, size_t w)
{
	char m[32], d[32];

	if (fl_cmp_no_value(st, buf, len))
		return;
	fl_cmp_mean_sd(st, m, d, sizeof(m));
	if (!with_sd)
		snprintf(buf, len, "%s", m);
	else if (strlen(m) + strlen(d) + 3 <= w)
		snprintf(buf, len, "%s (%s)", m, d);
	else
		snprintf(buf, len, "%s (%.0f%%)", m, 100 * fl_cmp_num(json_object_get(st, "cov")));
	if (strlen(buf) > w)
		snprintf(buf, len, "%s", m);
}

/* cell() in w - 1 characters and the outlier mark after it. */
static void cell_marked(json_t *st, char *buf, size_t len, size_t w)
{
	char c[64], m = fl_cmp_outlier_mark(st);
	size_t n;

	cell(st, c, sizeof(c), true, w - 1);
	n = strlen(c);
	if (m != ' ' && n && c[n - 1] != ')') {	/* "7.42e-04 O", not "7.42e-04O" */
		cell(st, c, sizeof(c), true, w - 2);
		snprintf(buf, len, "%.61s %c", c, m);
		return;
	}
	snprintf(buf, len, "%.62s%c", c, m);
}

/* A metric of the counts family (decided by the count floor: counts.h). */
static bool is_count(json_t *m)
{
	return !strcmp(fl_cmp_str(m, "family"), "counts");
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
	const char *v = fl_cmp_str(c, "verdict");

	return !strcmp(v, "better") ? '+' : !strcmp(v, "worse") ? '-' :
	       !strcmp(v, "changed") ? '*' : ' ';
}

/* The better direction of a metric as a 2-letter column: hi, lo, or "-" (none). */
static const char *dir_of(json_t *m)
{
	const char *b = fl_cmp_str(m, "better");

	return !strcmp(b, "higher") ? "hi" : !strcmp(b, "lower") ? "lo" : "-";
}

/* delta and p of one comparison: "-0.58%", "0.812" */
static void test_cells(json_t *c, char *delta, char *pv, size_t len)
{
	double p = fl_cmp_num(json_object_get(c, "p_adjusted"));

	pct(delta, len, fl_cmp_num(json_object_get(c, "delta_pct")));
	if (isnan(p))
		snprintf(pv, len, "-");
	else if (p < 0.001)
		snprintf(pv, len, "<.001");
	else
		snprintf(pv, len, "%.3f", p);
}

/* Run r's name in at most w characters (fl_cmp_fit). */
static const char *fit(json_t *cmp, size_t r, size_t w, char *buf, size_t len)
{
	return fl_cmp_fit(fl_cmp_run_name(cmp, r), w, buf, len);
}


static void difference_line(FILE *out, const char *d)
{
	fprintf(out, "  %.77s\n", d);
}

static void condition_line(FILE *out, const char *d)
{
	char line[1200];

	snprintf(line, sizeof(line), "  %s", d);
	fl_text_wrap(out, line, 4, W);
}

static void print_ids(json_t *cmp, FILE *out)
{
	json_t *runs = json_object_get(cmp, "runs"), *r;
	size_t i;

	fprintf(out, "faultline compare: %zu runs, base %s (%s)\n", json_array_size(runs),
		fl_cmp_str(json_array_get(runs, 0), "label"), fl_cmp_run_name(cmp, 0));
	json_array_foreach(runs, i, r) {
		json_t *k = json_object_get(r, "kernel"), *t = json_object_get(r, "target");
		json_t *ps = json_object_get(k, "patchset");
		char cfg[13] = "-", line[256];

		if (json_is_string(json_object_get(k, "config_sha256")))
			snprintf(cfg, sizeof(cfg), "%s", fl_cmp_str(k, "config_sha256"));
		fprintf(out, "%s  %.40s: %.34s (%s, %lld cases)\n", fl_cmp_str(r, "label"),
			fl_cmp_run_name(cmp, i), fl_cmp_str(r, "dir"), fl_cmp_str(r, "state"),
			(long long)json_integer_value(json_object_get(r, "cases")));
		snprintf(line, sizeof(line), "   id %.40s  kernel %.30s  %s %s, %lld CPUs%s%.10s",
			 fl_cmp_str(r, "id"), fl_cmp_str(k, "release"), fl_cmp_str(t, "kind"),
			 fl_cmp_str(t, "arch"),
			 (long long)json_integer_value(json_object_get(t, "cpus")),
			 json_is_string(json_object_get(t, "accel")) ? ", " : "",
			 json_is_string(json_object_get(t, "accel")) ? fl_cmp_str(t, "accel") : "");
		fl_utf8_cut(line);
		fl_text_wrap(out, line, 6, W);
		if (json_is_string(json_object_get(k, "candidate")) ||
		    json_is_string(json_object_get(k, "base")) || json_is_object(ps))
			fprintf(out, "   candidate %.20s  base %.20s  patchset %.16s%s%.0lld  "
				"config %s\n", fl_cmp_str(k, "candidate"), fl_cmp_str(k, "base"),
				json_is_object(ps) ? fl_cmp_str(ps, "name") : "-",
				json_is_object(ps) ? " v" : "",
				(long long)json_integer_value(json_object_get(ps, "version")), cfg);
		if (json_integer_value(json_object_get(r, "skipped")))
			fprintf(out, "   %lld case file(s) skipped: see problems\n",
				(long long)json_integer_value(json_object_get(r, "skipped")));
	}
	fl_cmp_list(out, json_object_get(cmp, "differences"),
		    "kernel identity: no differences between the runs\n",
		    "kernel identity differences:\n", difference_line);
	fl_cmp_list(out, json_object_get(cmp, "conditions"), NULL,
		    "host conditions differ (numbers may differ for these, not the kernel):\n",
		    condition_line);
}

void fl_text_wrap(FILE *out, const char *p, int indent, size_t width)
{
	bool first = true;

	while (*p) {
		size_t n = strlen(p), room = first ? width - 2 : width - 2 - (size_t)indent;

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

static const char *test_name(json_t *cmp)
{
	const char *t = fl_cmp_str(cmp, "test");

	if (!strcmp(t, "welch"))
		return "Welch's t-test";
	if (!strcmp(t, "bootstrap"))
		return "percentile bootstrap";
	if (!strcmp(t, "auto"))
		return "Welch's t-test";
	return "Mann-Whitney U";
}

static void print_legend(struct ctx *x)
{
	json_t *cmp = x->cmp, *f = json_object_get(cmp, "metrics_filter"), *g;
	double me = fl_cmp_num(json_object_get(json_object_get(cmp, "floors"), "min_effect_pct"));
	char buf[1600], globs[300] = "", floor_str[64];
	size_t i, off = 0;

	json_array_foreach(f, i, g)
		if (off < sizeof(globs))
			off += (size_t)snprintf(globs + off, sizeof(globs) - off, "%s%s",
						i ? "," : "", json_string_value(g));
	fl_utf8_cut(globs);
	if (me > 0)
		snprintf(floor_str, sizeof(floor_str), "others %g%%", me);
	else
		snprintf(floor_str, sizeof(floor_str), "others none");
	snprintf(buf, sizeof(buf), "delta: (run - base) / |base|; b: better is hi(gher) or "
		 "lo(wer); verdict: better/worse (%s, %s within each family: %lld workload "
		 "metrics, each case's first (primary) weighted to half, %lld counts (#), %lld "
		 "counters; p < %g, by b, and beyond the floor: "
		 "%s, counts 0.5 event and 1%%), changed (no b), ~ not significant or within "
		 "the floor, same, n<3 (no test). o/O after a value: a mild/severe "
		 "outlier among its iterations (Tukey's fences, kept). "
		 "\"-\" absent from this kernel, \"n/a\" unsupported here, (missing) not "
		 "reported: never 0. Warm-ups excluded. p, CI: --format md/csv/json; a metric "
		 "over a sweep (threads...): --metrics NAME. (n: ...): measured iterations. "
		 "--counters: the rows the last line counts.%s%s%s%s", test_name(cmp),
		 fl_cmp_str(cmp, "correction"),
		 (long long)json_integer_value(json_object_get(cmp, "family_metrics")),
		 (long long)json_integer_value(json_object_get(cmp, "family_counts")),
		 (long long)json_integer_value(json_object_get(cmp, "family_counters")),
		 fl_cmp_num(json_object_get(cmp, "alpha")), floor_str,
		 f ? " Rows limited to --metrics " : "", globs, f ? "." : "",
		 strcmp(fl_cmp_str(cmp, "test"), "auto") ? "" : " Where a sample of 8 or more is skewed "
		 "or has a severe outlier, the percentile bootstrap decides instead of Welch.");
	fl_text_wrap(x->out, buf, 0, W);
}

static bool is_counter(json_t *m)
{
	return strcmp(fl_cmp_str(m, "kind"), "metric");
}

/* Two runs: "name  A mean (sd)  B mean (sd)  delta b  p  word" in 80 columns. */
static void row2(json_t *m, FILE *out)
{
	json_t *rs = json_object_get(m, "runs"), *c = json_array_get(json_object_get(m,
							"comparisons"), 0);
	const char *name = fl_cmp_str(m, "name");
	size_t nw = is_count(m) ? 29 : 31;
	char a[80], b[80], delta[16], pv[16];

	if (strlen(name) > nw)
		fprintf(out, "%.79s%s\n", name, is_count(m) ? " #" : "");
	cell_marked(json_array_get(rs, 0), a, sizeof(a), 13);
	cell_marked(json_array_get(rs, 1), b, sizeof(b), 13);
	test_cells(c, delta, pv, sizeof(delta));
	fprintf(out, "%-*.*s%s %13s %13s %8s %2s %.7s\n", (int)nw, (int)nw,
		strlen(name) > nw ? "" : name, is_count(m) && strlen(name) <= nw ? " #" :
		nw == 29 ? "  " : "", a, b, delta, dir_of(m), fl_cmp_word(c));
}

/* Three or more runs: the metric's name, then one line per run. */
static void row_n(json_t *cmp, json_t *m, FILE *out)
{
	json_t *rs = json_object_get(m, "runs"), *cs = json_object_get(m, "comparisons");
	size_t nruns = json_array_size(rs);
	char a[80], delta[16], pv[16], nb[96];

	fprintf(out, "%.70s [%s]%s\n", fl_cmp_str(m, "name"), dir_of(m), is_count(m) ? " #" : "");
	for (size_t r = 0; r < nruns; r++) {
		json_t *st = json_array_get(rs, r), *c = json_array_get(cs, r - 1);

		cell_marked(st, a, sizeof(a), 16);
		fprintf(out, "  %-16.16s %16s n=%-3lld", fit(cmp, r, 16, nb, sizeof(nb)), a,
			(long long)json_integer_value(json_object_get(st, "n")));
		if (!r) {
			fputc('\n', out);
			continue;
		}
		test_cells(c, delta, pv, sizeof(delta));
		fprintf(out, " %8s %5s %.7s\n", delta, pv, fl_cmp_word(c));
	}
}

/* A workload metric that is 0 in every iteration of every run: folded with the counters
 * (a row of zeros per case would bury the rows that moved). */
static bool all_zero(json_t *m)
{
	json_t *st, *v;
	size_t r, i;

	json_array_foreach(json_object_get(m, "runs"), r, st) {
		if (strcmp(fl_cmp_str(st, "status"), "ok"))
			return false;
		json_array_foreach(json_object_get(st, "values"), i, v)
			if (fl_cmp_num(v) != 0)
				return false;
	}
	return json_array_size(json_object_get(m, "runs")) > 0;
}

/* A workload metric with no better direction: it describes the case (faults per record,
 * CPUs the mm ran on, pages swapped), no verdict. */
static bool descriptive(json_t *m)
{
	return !is_counter(m) && !strcmp(fl_cmp_str(m, "better"), "none");
}

static bool folded(struct ctx *x, json_t *m)
{
	return !x->counters && (is_counter(m) || all_zero(m) || descriptive(m));
}

/* Count g's folded rows into x->folded: counters, IPI, vmstat, other. */
static void fold_count(struct ctx *x, json_t *g)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m) {
		const char *k = fl_cmp_str(m, "kind");

		x->folded[0] += !strcmp(k, "counter");
		x->folded[1] += !strcmp(k, "ipi");
		x->folded[2] += !strcmp(k, "vmstat");
		x->folded[3] += !strcmp(k, "metric") && (all_zero(m) || descriptive(m));
	}
}

/* One line for the whole comparison: "--counters: +440 counters, 80 IPI, 380 vmstat, 20
 * other rows of the cases above" (one line per case was 19 lines of the quick suite). */
static void print_folded(struct ctx *x)
{
	char line[256], other[40] = "";

	if (x->counters || !(x->folded[0] + x->folded[1] + x->folded[2] + x->folded[3]))
		return;
	if (x->folded[3])
		snprintf(other, sizeof(other), ", %zu other", x->folded[3]);
	snprintf(line, sizeof(line), "--counters: +%zu counters, %zu IPI, %zu vmstat%s rows of the "
		 "cases above (other: no better direction, or 0 in every run)", x->folded[0],
		 x->folded[1], x->folded[2], other);
	fl_text_wrap(x->out, line, 2, W);
}

static void print_group(struct ctx *x, json_t *g)
{
	json_t *runs = json_object_get(x->cmp, "runs"), *m;
	size_t nruns = json_array_size(runs), i;
	char head[1024], prec[900];
	size_t off;

	if (!x->counters && !fl_cmp_group_measured(g))
		return;		/* no measured case in any run: see problems */
	off = (size_t)snprintf(head, sizeof(head), "== %s %s (n", fl_cmp_str(g, "workload"),
			       fl_cmp_str(g, "label"));
	for (size_t r = 0; r < nruns && off < sizeof(head); r++)
		off += (size_t)snprintf(head + off, sizeof(head) - off, "%s %s %lld", r ? "," : ":",
			fl_cmp_str(json_array_get(runs, r), "label"),
			(long long)json_integer_value(json_array_get(json_object_get(g, "n"), r)));
	if (off < sizeof(head))
		snprintf(head + off, sizeof(head) - off, ")");
	fl_utf8_cut(head);
	fl_text_wrap(x->out, head, 3, W);
	if (fl_cmp_precision_text(x->cmp, g, prec, sizeof(prec))) {
		snprintf(head, sizeof(head), "   %s", prec);
		fl_utf8_cut(head);
		fl_text_wrap(x->out, head, 3, W);
	}
	if (!x->counters)
		fold_count(x, g);
	json_array_foreach(json_object_get(g, "metrics"), i, m) {
		if (folded(x, m))
			continue;
		if (nruns == 2)
			row2(m, x->out);
		else
			row_n(x->cmp, m, x->out);
	}
}

/* One sweep table: a row per sweep value; the base run's column, then runs [first, last). */
static void sweep_table(json_t *cmp, json_t *sw, json_t *m, size_t first, size_t last, bool sd,
			FILE *out)
{
	json_t *groups = json_object_get(cmp, "groups"), *h;
	const char *fam = fl_cmp_str(sw, "family");
	int w = sd ? 16 : 9;
	size_t j;

	char nb[96];

	fprintf(out, "%8.8s %*.*s", fl_cmp_str(sw, "key"), w, w,
		fit(cmp, 0, (size_t)w, nb, sizeof(nb)));
	for (size_t r = first; r < last; r++)
		fprintf(out, " %*.*s %8s", w, w, fit(cmp, r, (size_t)w, nb, sizeof(nb)), "delta");
	fputc('\n', out);
	json_array_foreach(groups, j, h) {
		json_t *hm = fl_cmp_sweep_metric(h, fam, fl_cmp_str(m, "name")), *hr, *cp;
		char v[32], c[80], d[16];

		if (!hm)
			continue;
		hr = json_object_get(hm, "runs");
		snprintf(v, sizeof(v), "%g", fl_cmp_num(json_object_get(json_object_get(h, "sweep"),
								      "value")));
		cell(json_array_get(hr, 0), c, sizeof(c), sd, 16);
		fprintf(out, "%8.8s %*s", v, w, c);
		for (size_t r = first; r < last; r++) {
			cp = json_array_get(json_object_get(hm, "comparisons"), r - 1);
			cell(json_array_get(hr, r), c, sizeof(c), sd, 16);
			pct(d, sizeof(d), fl_cmp_num(json_object_get(cp, "delta_pct")));
			fprintf(out, " %*s %7s", w, c, d);
			if (mark(cp) != ' ')
				fputc(mark(cp), out);
			else if (r + 1 < last)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
}

/* Seed 004: for each sweep family, its main metric (the first with a better direction; with
 * --metrics every such metric left) over the swept parameter, one row per value and one
 * column group per run; more runs than 80 columns hold go on to further tables, each with
 * the base column again. */
static void print_sweeps(struct ctx *x)
{
	json_t *cmp = x->cmp, *groups = json_object_get(cmp, "groups"), *seen = json_object();
	size_t nruns = json_array_size(json_object_get(cmp, "runs")), i, k;
	bool sd = nruns <= 3;
	size_t per = sd ? 2 : 3;	/* 8 + 17 + 2 * 26 and 8 + 10 + 3 * 18 <= 80 */
	json_t *g, *m;

	json_array_foreach(groups, i, g) {
		json_t *sw = json_object_get(g, "sweep");
		const char *fam = fl_cmp_str(sw, "family");
		char title[512];

		if (!sw || json_object_get(seen, fam))
			continue;
		json_object_set_new(seen, fam, json_true());
		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			if (strcmp(fl_cmp_str(m, "kind"), "metric") ||
			    !strcmp(fl_cmp_str(m, "better"), "none"))
				continue;
			snprintf(title, sizeof(title), "%s: %s [%s] over %s, b %s", fam,
				 fl_cmp_str(m, "name"), fl_cmp_str(m, "unit"),
				 fl_cmp_str(sw, "key"), dir_of(m));
			fl_text_wrap(x->out, title, 2, W);
			for (size_t first = 1; first < nruns || first == 1; first += per) {
				if (first > 1)
					fputc('\n', x->out);
				sweep_table(cmp, sw, m, first, first + per < nruns ? first + per :
					    nruns, sd, x->out);
			}
			if (!x->filtered)
				break;
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
		size_t used = 8 + strlen(fl_cmp_str(e, "workload")) +
			      strnlen(fl_cmp_str(e, "label"), 30);

		fprintf(out, "  %s %.50s: %s%s\n", fl_cmp_str(e, "run"), fl_cmp_str(e, "file"),
			fl_cmp_str(e, "status"),
			json_is_true(json_object_get(e, "warmup")) ? " (warm-up)" : "");
		fprintf(out, "    %s %.30s: %.*s\n", fl_cmp_str(e, "workload"),
			fl_cmp_str(e, "label"), used < W - 20 ? (int)(W - used) : 20,
			fl_cmp_str(e, "reason"));
	}
}

static void render(struct ctx *x)
{
	char n0[96], n1[96];
	json_t *g;
	size_t i;

	print_ids(x->cmp, x->out);
	print_legend(x);
	fputc('\n', x->out);
	if (x->filtered)
		print_sweeps(x);
	if (json_array_size(json_object_get(x->cmp, "runs")) == 2)
		fprintf(x->out, "%-31s %13.13s %13.13s %8s %2s %s\n", "metric: mean (sd)",
			fit(x->cmp, 0, 13, n0, sizeof(n0)), fit(x->cmp, 1, 13, n1, sizeof(n1)),
			"delta", "b", "verdict");
	json_array_foreach(json_object_get(x->cmp, "groups"), i, g)
		print_group(x, g);
	print_folded(x);
	print_problems(x->cmp, x->out);
}

void fl_render_text_opts(json_t *cmp, FILE *out, const struct fl_render_opts *ro)
{
	struct ctx x = { fl_cmp_shown(cmp, false), out, ro && ro->counters, false, { 0 } };

	x.filtered = json_object_get(cmp, "metrics_filter") != NULL;
	x.counters |= x.filtered;
	if (x.cmp)
		render(&x);
	json_decref(x.cmp);
}

void fl_render_text(json_t *cmp, FILE *out)
{
	fl_render_text_opts(cmp, out, NULL);
}
