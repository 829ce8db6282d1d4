// SPDX-License-Identifier: GPL-2.0
/*
 * faultline compare --format matrix: one table per case group with one column per run, headed
 * by the run's target arch (the arch-matrix suite's report: the same suite on x86_64, arm64,
 * ppc64le and s390x). Means only: runs on different arches are side by side, not tested
 * against each other. Rows are the workload's metrics and the IPI classes (per op too).
 */
#include <stdio.h>
#include <string.h>
#include "compare.h"

#define NAME_W 28
#define COL_W 12

static void cell(json_t *st, char *buf, size_t len)
{
	const char *status = fl_cmp_str(st, "status");

	if (!strcmp(status, "ok"))
		fl_fmt_num(buf, len, fl_cmp_num(json_object_get(st, "mean")));
	else
		snprintf(buf, len, "%s", !strcmp(status, "absent") ? "-" :
			 !strcmp(status, "unsupported") ? "n/a" : status);
}

/* The column head of a run: its target arch, with its label when two runs share one. */
static void head(json_t *runs, size_t r, char *buf, size_t len)
{
	const char *arch = fl_cmp_str(json_object_get(json_array_get(runs, r), "target"), "arch");
	json_t *o;
	size_t i;

	json_array_foreach(runs, i, o)
		if (i != r && !strcmp(arch, fl_cmp_str(json_object_get(o, "target"), "arch"))) {
			snprintf(buf, len, "%s:%s", fl_cmp_str(json_array_get(runs, r), "label"),
				 arch);
			return;
		}
	snprintf(buf, len, "%s", arch);
}

static void group(json_t *g, json_t *runs, FILE *out)
{
	char buf[64];
	json_t *m, *n = json_object_get(g, "n");
	size_t i, r;

	fprintf(out, "\n== %s %s\n%-*s", fl_cmp_str(g, "workload"), fl_cmp_str(g, "label"), NAME_W,
		"n");
	json_array_foreach(n, r, m)
		fprintf(out, " %*lld", COL_W, (long long)json_integer_value(m));
	fprintf(out, "\n%-*s", NAME_W, "metric");
	for (r = 0; r < json_array_size(runs); r++) {
		head(runs, r, buf, sizeof(buf));
		fprintf(out, " %*.*s", COL_W, COL_W, buf);
	}
	fputc('\n', out);
	json_array_foreach(json_object_get(g, "metrics"), i, m) {
		const char *kind = fl_cmp_str(m, "kind");
		json_t *st;

		if (strcmp(kind, "metric") && strcmp(kind, "ipi"))
			continue;
		fprintf(out, "%-*.*s", NAME_W, NAME_W, fl_cmp_str(m, "name"));
		json_array_foreach(json_object_get(m, "runs"), r, st) {
			cell(st, buf, sizeof(buf));
			fprintf(out, " %*.*s", COL_W, COL_W, buf);
		}
		fputc('\n', out);
	}
}

static void render(json_t *cmp, FILE *out)
{
	json_t *runs = json_object_get(cmp, "runs"), *r, *g;
	size_t i;

	fputs("faultline compare --format matrix: mean per run; - absent from this kernel, n/a "
	      "not countable there, missing not reported\n", out);
	json_array_foreach(runs, i, r) {
		json_t *t = json_object_get(r, "target");

		fprintf(out, "%s  %-8s %s, %s on %s %s, %lld CPUs\n", fl_cmp_str(r, "label"),
			fl_cmp_str(t, "arch"), fl_cmp_str(r, "dir"),
			fl_cmp_str(json_object_get(r, "kernel"), "release"), fl_cmp_str(t, "kind"),
			fl_cmp_str(t, "accel"),
			(long long)json_integer_value(json_object_get(t, "cpus")));
	}
	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		group(g, runs, out);
	json_array_foreach(json_object_get(cmp, "problems"), i, g)
		fprintf(out, "%s%s %s %s: %s: %s\n", i ? "" : "\nproblems (not averaged):\n",
			fl_cmp_str(g, "run"), fl_cmp_str(g, "workload"), fl_cmp_str(g, "label"),
			fl_cmp_str(g, "status"), fl_cmp_str(g, "reason"));
}

void fl_render_matrix(json_t *cmp, FILE *out)
{
	json_t *shown = fl_cmp_shown(cmp, false);

	if (shown)
		render(shown, out);
	json_decref(shown);
}
