// SPDX-License-Identifier: GPL-2.0
/* The end-of-run summary table (text, 80 columns). */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "casedoc.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "precision_doc.h"
#include "stats.h"
#include "summary.h"

/* Counters shown per op under each case: JSON path in the case, label, and the metrics (a
 * glob) of a workload that counts the same class around its operation alone. The probes'
 * window is the whole measured phase, the probes' own cross-CPU calls included: thp-munmap's
 * per-PMD function-call IPIs read 0.5 there while its metric around the munmap said 0. */
static const struct per_op {
	const char *section, *name, *field, *label, *exact;
} per_op_counters[] = {
	{ "counters", "page-faults", "value", "page-faults", NULL },
	{ "counters", "context-switches", "value", "context-switches", NULL },
	{ "ipi", "function_call", "total", "function-call IPIs", "function_call_ipis*" },
	{ "ipi", "tlb_shootdown", "total", "TLB-shootdown IPIs", "tlb*_ipis*" },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The first metric of the case matching glob, or NULL. */
static const char *exact_metric(json_t *cs, const char *glob)
{
	const char *name;
	json_t *m;

	if (!glob)
		return NULL;
	json_object_foreach(json_object_get(cs, "metrics"), name, m)
		if (!fnmatch(glob, name, 0))
			return name;
	return NULL;
}

struct group {
	const char *workload;
	json_t *params;		/* the suite's parameters for this case */
	json_t *docs;		/* array of measured, ok case documents */
	size_t warmups, problems;
};

/* Text from a document for the table: control characters as '?', "-" for none. */
static const char *tc(char *buf, size_t len, const char *text)
{
	return fl_text_clean(buf, len, text ? text : "-");
}

static struct group *group_of(struct group *g, size_t *ng, json_t *entry)
{
	const char *wl = json_string_value(json_object_get(entry, "workload")) ?: "?";
	json_t *params = json_object_get(entry, "params");

	for (size_t i = 0; i < *ng; i++)
		if (!strcmp(g[i].workload, wl) && json_equal(g[i].params, params))
			return &g[i];
	g[*ng] = (struct group){ .workload = wl, .params = params, .docs = json_array() };
	return &g[(*ng)++];
}

static void print_problem(FILE *out, json_t *entry)
{
	char f[200], st[64], why[1024];

	fprintf(out, "  %s: %s: %s\n",
		tc(f, sizeof(f), json_string_value(json_object_get(entry, "file"))),
		tc(st, sizeof(st), json_string_value(json_object_get(entry, "status"))),
		tc(why, sizeof(why), json_string_value(json_object_get(entry, "reason")) ?: ""));
}

/* run.json's "file" of a case: read only if it is cases/NAME with a safe NAME (a run.json
 * from elsewhere must not make report read /etc/shadow or a FIFO). */
static int case_path(const char *dir, const char *file, char *path, size_t len)
{
	if (!file || strncmp(file, "cases/", 6) || !fl_name_ok(file + 6))
		return -1;
	return snprintf(path, len, "%s/%s", dir, file) < (int)len ? 0 : -1;
}

static size_t collect(const char *dir, json_t *cases, struct group *g, size_t *ng, FILE *out)
{
	size_t problems = 0, i;
	json_t *entry;

	json_array_foreach(cases, i, entry) {
		const char *st = json_string_value(json_object_get(entry, "status"));
		struct group *gr = group_of(g, ng, entry);
		char path[1400], why[FL_ERRLEN], shown[FL_ERRLEN];
		struct fl_casedoc d;

		if (json_is_true(json_object_get(entry, "warmup"))) {
			gr->warmups++;
			continue;
		}
		if (!st || strcmp(st, "ok")) {
			gr->problems += st && strcmp(st, "pending");
			continue;
		}
		if (case_path(dir, json_string_value(json_object_get(entry, "file")), path,
			      sizeof(path))) {
			char f[200];

			fprintf(out, "  (case file \"%s\" in run.json is not cases/NAME: not read)\n",
				tc(f, sizeof(f), json_string_value(json_object_get(entry, "file"))));
			continue;
		}
		if (!fl_casedoc_load(&d, path, why, sizeof(why)))
			json_array_append_new(gr->docs, json_incref(d.cs));
		else if (d.foreign)
			fprintf(out, "  (%s)\n", tc(shown, sizeof(shown), why));
		else
			fprintf(out, "  (cannot read %s: %s)\n", path, tc(shown, sizeof(shown), why));
		fl_casedoc_free(&d);
	}
	json_array_foreach(cases, i, entry) {
		const char *st = json_string_value(json_object_get(entry, "status"));

		if (st && strcmp(st, "ok") && strcmp(st, "pending") && !problems++)
			fputs("problems:\n", out);
		if (st && strcmp(st, "ok") && strcmp(st, "pending"))
			print_problem(out, entry);
	}
	return problems;
}

/* Values of one number at section.name.field over the group's documents. */
static size_t values_of(json_t *docs, const char *section, const char *name, const char *field,
			double *x)
{
	size_t n = 0, i;
	json_t *cs;

	json_array_foreach(docs, i, cs) {
		json_t *v = json_object_get(json_object_get(json_object_get(cs, section), name),
					    field);

		if (json_is_number(v))
			x[n++] = json_number_value(v);
	}
	return n;
}

/*
 * The report's number: two decimals in its 12-column fields, %.4g beyond 1e6 or under 1e-3, "-"
 * for NaN. compare's fl_fmt_num (compare.h) is another format on purpose: at most 9 characters,
 * 0-3 decimals by magnitude; one function for both would change one of the two outputs (every
 * report value under 10, such as 0.64 flushes/op, would print three decimals).
 */
static void fmt_report_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e6 || (fabs(v) < 1e-3 && v != 0))
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.2f", v);
}

static void print_metric(FILE *out, const char *name, const char *unit, const double *x,
			 size_t n)
{
	char m[32], s[32], c[32], nm[200], u[200];
	struct fl_desc d;

	fl_describe(x, n, &d);
	fmt_report_num(m, sizeof(m), d.mean);
	fmt_report_num(s, sizeof(s), d.sd);
	if (isnan(d.cov))
		snprintf(c, sizeof(c), "-");
	else
		snprintf(c, sizeof(c), "%.2f%%", 100 * d.cov);
	fprintf(out, "  %-26.26s %12s %11s %7s  %-.16s\n", tc(nm, sizeof(nm), name), m, s, c,
		tc(u, sizeof(u), unit));
}

static void print_metrics(FILE *out, json_t *docs, double *x)
{
	json_t *first = json_array_get(docs, 0), *m;
	const char *name;

	fprintf(out, "  %-26s %12s %11s %7s  %s\n", "metric", "mean", "stddev", "CoV", "unit");
	json_object_foreach(json_object_get(first, "metrics"), name, m) {
		size_t n = values_of(docs, "metrics", name, "value", x);

		if (n)
			print_metric(out, name, json_string_value(json_object_get(m, "unit")), x, n);
	}
}

/* "per record: page-faults 129.0, context-switches 0.01, ..." ("-" when not counted). */
static void print_per_op(FILE *out, json_t *docs, double *x, double *ops)
{
	const char *unit = json_string_value(json_object_get(
		json_object_get(json_array_get(docs, 0), "ops"), "unit"));
	size_t nops = 0, exacts = 0, i;
	json_t *cs;
	char u[200];

	json_array_foreach(docs, i, cs)
		ops[nops++] = json_number_value(json_object_get(json_object_get(cs, "ops"), "count"));
	fprintf(out, "  per %s over the measured phase (the probes' window; mean over "
		"iterations):", tc(u, sizeof(u), unit ? unit : "op"));
	for (const struct per_op *p = per_op_counters; p->section; p++) {
		const char *exact = exact_metric(json_array_get(docs, 0), p->exact);
		size_t n = 0;
		double sum = 0;

		if (exact) {	/* 26 + 80-column name: fits */
			fprintf(out, "\n    %-24s see metric %.48s", p->label, tc(u, sizeof(u),
				exact));
			exacts++;
			continue;
		}
		json_array_foreach(docs, i, cs) {
			json_t *v = json_object_get(json_object_get(json_object_get(cs, p->section),
								    p->name), p->field);

			if (json_is_number(v) && ops[i] > 0) {
				x[n++] = json_number_value(v) / ops[i];
				sum += x[n - 1];
			}
		}
		if (n)
			fprintf(out, "\n    %-24s %.4g", p->label, sum / (double)n);
		else
			fprintf(out, "\n    %-24s - (not counted)", p->label);
	}
	fputc('\n', out);
	if (exacts)
		fputs("    (\"see metric\": the workload counts it around its operation alone)\n",
		      out);
}

/* Words of text after lead, wrapped at 80 columns; continuation lines indented by 2. */
static void print_wrapped(FILE *out, const char *lead, char *text)
{
	size_t col = strlen(lead);
	char *save = NULL;

	fputs(lead, out);
	for (char *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (col + 1 + strlen(w) > 80 && col > 2) {
			fputs("\n ", out);
			col = 1;
		}
		col += (size_t)fprintf(out, " %s", w);
	}
	fputc('\n', out);
}

static void print_group(FILE *out, struct group *g)
{
	size_t n = json_array_size(g->docs);
	double *x = calloc(n + 1, sizeof(double)), *ops = calloc(n + 1, sizeof(double));
	char label[512], shown[512], wl[200];

	fl_params_label(g->params, json_object_get(json_array_get(g->docs, 0), "resolved"), label,
			sizeof(label));
	fputc('\n', out);
	tc(shown, sizeof(shown), label);
	print_wrapped(out, tc(wl, sizeof(wl), g->workload), shown);
	fprintf(out, "  n=%zu measured", n);
	if (g->warmups)
		fprintf(out, ", %zu warm-up excluded", g->warmups);
	if (g->problems)
		fprintf(out, ", %zu not ok (see problems)", g->problems);
	fputc('\n', out);
	if (n && x && ops) {
		print_metrics(out, g->docs, x);
		print_per_op(out, g->docs, x, ops);
	}
	free(x);
	free(ops);
}

static void print_header(FILE *out, json_t *run, json_t *doc)
{
	json_t *k = json_object_get(run, "kernel"), *t = json_object_get(run, "target");
	char id[200], suite[200], state[64], rel[200], kind[64], arch[64];

	fprintf(out, "\nrun %s  suite %s  (%s)\n",
		tc(id, sizeof(id), json_string_value(json_object_get(run, "id"))),
		tc(suite, sizeof(suite), json_string_value(json_object_get(run, "suite"))),
		tc(state, sizeof(state), json_string_value(json_object_get(doc, "state"))));
	fprintf(out, "kernel %s on %s %s, %lld CPUs\n",
		tc(rel, sizeof(rel), json_string_value(json_object_get(k, "release")) ?: "?"),
		tc(kind, sizeof(kind), json_string_value(json_object_get(t, "kind")) ?: "?"),
		tc(arch, sizeof(arch), json_string_value(json_object_get(t, "arch")) ?: "?"),
		(long long)json_integer_value(json_object_get(t, "cpus")));
}

char *fl_fmt_duration(char *buf, size_t len, double s)
{
	if (isnan(s) || s < 0)
		snprintf(buf, len, "an unknown time");
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else if (s < 100 * 86400.0)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s < 1e9 * 86400)
		snprintf(buf, len, "%.0f days", floor(s / 86400));
	else
		snprintf(buf, len, "more than a billion days");
	return buf;
}

int fl_summary_print(const char *dir, FILE *out)
{
	char path[1100], err[FL_ERRLEN];
	json_t *doc, *cases;
	struct group *g;
	size_t ng = 0;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	doc = fl_rundoc_load(path, err, sizeof(err));
	if (!doc) {
		fl_err("%s", err);
		return -1;
	}
	cases = json_object_get(doc, "cases");
	g = calloc(json_array_size(cases) + 1, sizeof(*g));
	if (!g) {
		json_decref(doc);
		return -1;
	}
	print_header(out, json_object_get(doc, "run"), doc);
	collect(dir, cases, g, &ng, out);
	for (size_t i = 0; i < ng; i++) {
		print_group(out, &g[i]);
		json_decref(g[i].docs);
	}
	free(g);
	fl_prec_doc_print(json_object_get(doc, "precision"), NULL, true, out);
	json_decref(doc);
	return 0;
}
