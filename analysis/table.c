// SPDX-License-Identifier: GPL-2.0
/*
 * faultline compare --table NAME: the seed threads' tables. A layout (one entry of layouts[]
 * below: the workload, its shape, its columns named by the thread) is turned into a grid of
 * cells that know their run, metric, statistics and comparison; table_emit.c prints the grid
 * as text, Markdown or CSV. A metric a run did not report, or one the kernel or machine could
 * not count, is "n/a" with its reason in a note under the table, never 0.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "fl_util.h"
#include "table.h"
#include "table_grid.h"

static const struct fl_table layouts[] = {
	{ "ebizzy", "ebizzy",
	  "Ebizzy (seed 001): records per second, higher is better; mean (sd) over the "
	  "measured iterations",
	  FL_TSHAPE_ROWS, "threads", NULL, NULL, NULL, false,
	  { { "records_per_s", "records/s" } } },
	{ "kernbench", "kernbench",
	  "Kernbench (seed 001): the kernel built n times per load; mean (std deviation)",
	  FL_TSHAPE_ROWS, "jobs", "Average %s load %s Run (std deviation)", NULL, NULL, true,
	  { { "elapsed_s", "Elapsed Time" }, { "user_s", "User Time" },
	    { "sys_s", "System Time" }, { "cpu_percent", "Percent CPU" },
	    { "context_switches", "Context Switches" }, { "sleeps", "Sleeps" } } },
	{ "percore", "percore-map",
	  "Per-core mappings (seed 004): Op/s (higher is better) and mean latency of one op "
	  "in us (lower is better) by threads, for each kernel and mode; means",
	  FL_TSHAPE_SWEEP, NULL, NULL, "threads", "mode", false,
	  { { "ops_per_s", "Op/s" }, { "lat_mean_us", "Lat [us]" } } },
	{ "munmap", "thp-munmap",
	  "THP munmap (seed 000): time of the operation over the range and IPIs per GiB, "
	  "before (base) and after; mean (sd)",
	  FL_TSHAPE_ROWS, "op,walkers", NULL, NULL, NULL, false,
	  { { "op_ms", "time (ms)" }, { "ms_per_gib", "time (ms/GiB)" },
	    { "function_call_ipis_per_gib", "func-call IPIs/GiB" },
	    { "tlb_ipis_per_gib", "TLB IPIs/GiB" },
	    { "remote_tlb_flushes_per_gib", "remote TLB flush/GiB" },
	    { "ipis_per_gib", "all IPIs/GiB" },
	    { "thp_share", "THP share (%)" } } },
	{ "collapse", "swapin-collapse",
	  "Swapin collapse (seed 003): THP share of the range before and after khugepaged "
	  "(or MADV_COLLAPSE), time to collapse, swap-ins; mean (sd)",
	  FL_TSHAPE_ROWS, "mode", NULL, NULL, NULL, false,
	  { { "thp_share_before", "THP share before (%)" },
	    { "thp_share_after", "THP share after (%)" },
	    { "time_to_collapse_s", "time to collapse (s)" },
	    { "collapse_ms_p50", "one PMD, p50 (ms)" },
	    { "swapped_in_by_khugepaged", "swap-ins, khugepaged" },
	    { "pswpin", "swap-ins, all (pages)" } } },
};

#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

const struct fl_table *fl_table_find(const char *name)
{
	for (size_t i = 0; i < NLAYOUTS; i++)
		if (!strcmp(layouts[i].name, name))
			return &layouts[i];
	return NULL;
}

/* layouts[]' names joined into one static buffer: the same text on every call. */
const char *fl_table_names(void)
{
	static char names[128];

	names[0] = '\0';
	for (size_t i = 0; i < NLAYOUTS; i++) {
		size_t used = strlen(names);

		snprintf(names + used, sizeof(names) - used, "%s%s",
			 !i ? "" : i + 1 < NLAYOUTS ? ", " : " or ", layouts[i].name);
	}
	return names;
}

/* The runs' names, and one line per run saying which kernel and run it is. */
static void runs_of(struct tgrid *gr)
{
	json_t *r;
	size_t i;

	gr->nruns_all = json_array_size(json_object_get(gr->cmp, "runs"));
	json_array_foreach(json_object_get(gr->cmp, "runs"), i, r) {
		json_t *k = json_object_get(r, "kernel"), *t = json_object_get(r, "target");
		const char *rel = fl_cmp_str(k, "release");
		bool rel_shown;

		if (i >= TG_MAXRUNS)
			break;
		gr->labels[i] = fl_cmp_str(r, "label");
		gr->names[i] = json_string_value(json_object_get(r, "name")) ?: gr->labels[i];
		rel_shown = !strncmp(gr->names[i], rel, strlen(rel));
		snprintf(gr->runs[i], sizeof(gr->runs[0]), "%s %s%s%s%s:%s%s run %s (%s, %s %s, "
			 "%lld CPUs)", i ? "candidate" : "BASE", gr->names[i],
			 gr->nruns_all > 2 ? " (" : "", gr->nruns_all > 2 ? gr->labels[i] : "",
			 gr->nruns_all > 2 ? ")" : "", rel_shown ? "" : " ", rel_shown ? "" : rel,
			 fl_cmp_str(r, "id"), fl_cmp_str(r, "dir"), fl_cmp_str(t, "kind"),
			 fl_cmp_str(t, "arch"), (long long)json_integer_value(json_object_get(t, "cpus")));
		fl_utf8_cut(gr->runs[i]);
		gr->nruns = i + 1;
	}
}

static int select_cols(struct tgrid *gr, const char *metrics, char *err, size_t errlen)
{
	json_t *globs = NULL;

	if (metrics) {
		globs = fl_cmp_globs(metrics, err, errlen);
		if (!globs)
			return -1;
	}
	for (size_t k = 0; k < FL_TABLE_MAXCOL && gr->t->cols[k].metric; k++)
		if (!globs || fl_cmp_glob_match(globs, gr->t->cols[k].metric))
			gr->cols[gr->ncolspec++] = &gr->t->cols[k];
	json_decref(globs);
	if (gr->ncolspec)
		return 0;
	fl_seterr(err, errlen, "--table %s --metrics %s: none of the table's metrics matches "
		  "(%s%s%s%s%s...)", gr->t->name, metrics, gr->t->cols[0].metric,
		  gr->t->cols[1].metric ? ", " : "", gr->t->cols[1].metric ?: "",
		  gr->t->cols[2].metric ? ", " : "", gr->t->cols[2].metric ?: "");
	return -1;
}

/* One note on the precision the runs reached where they were run with --precision: how many
 * of the (group, run) cells reached their target, and the widest half-width. */
static void precision_note(struct tgrid *gr)
{
	json_t *g, *p, *widest = NULL, *wg = NULL;
	size_t i, r, cells = 0, reached = 0, wr = 0;
	double tmin = INFINITY, tmax = 0, wh = -1;
	char tg[48], lbl[300] = "";

	json_array_foreach(gr->groups, i, g) {
		json_array_foreach(json_object_get(g, "precision"), r, p) {
			double t = fl_cmp_num(json_object_get(p, "target_pct"));
			double h = fl_cmp_num(json_object_get(p, "halfwidth_pct"));

			if (!json_is_object(p))
				continue;
			cells++;
			reached += !strcmp(fl_cmp_str(p, "stopped"), "precision");
			tmin = fmin(tmin, t);
			tmax = fmax(tmax, t);
			if (!isnan(h) && h > wh) {
				wh = h;
				widest = p;
				wg = g;
				wr = r;
			}
		}
	}
	if (!cells)
		return;
	if (wg)
		tg_label_of(gr, wg, NULL, NULL, lbl, sizeof(lbl));
	if (tmin == tmax)
		snprintf(tg, sizeof(tg), "±%g%%", tmin);
	else
		snprintf(tg, sizeof(tg), "±%g%% to ±%g%%", tmin, tmax);
	if (!widest)
		tg_note(gr, "precision (95%% CI half-width of the mean of each case's first metric, "
			"target %s): reached in %zu of %zu runs' cases", tg, reached, cells);
	else
		tg_note(gr, "precision (95%% CI half-width of the mean of each case's %s, target "
			"%s): reached in %zu of %zu runs' cases; the widest ±%.2f%% (%s%s%s, n=%lld)",
			fl_cmp_str(widest, "metric"), tg, reached, cells, wh,
			wr < gr->nruns ? gr->names[wr] : "?", *lbl ? ", " : "", lbl,
			(long long)json_integer_value(json_object_get(widest, "n")));
}

static int build(struct tgrid *gr, const char *metrics, char *err, size_t errlen)
{
	json_t *g;
	size_t i;
	int ret;

	json_array_foreach(json_object_get(gr->cmp, "groups"), i, g)
		if (!strcmp(fl_cmp_str(g, "workload"), gr->t->workload) && fl_cmp_group_measured(g))
			json_array_append(gr->groups, g);
	if (!json_array_size(gr->groups)) {
		fl_seterr(err, errlen, "--table %s: these runs have no measured %s case (the "
			  "table is made from the %s workload%s)", gr->t->name, gr->t->workload,
			  gr->t->workload, fl_cmp_find(json_object_get(gr->cmp, "problems"), "workload",
			  gr->t->workload) ? "; its cases "
			  "did not run to the end: faultline compare lists them under problems" :
			  "; faultline list shows it");
		return -1;
	}
	if (select_cols(gr, metrics, err, errlen))
		return -1;
	runs_of(gr);
	ret = gr->t->shape == FL_TSHAPE_SWEEP ? tg_build_sweep(gr) : tg_build_rows(gr);
	if (gr->missing[0])
		tg_note(gr, "n/a: not reported by %s in these runs: %s", gr->t->workload,
			gr->missing);
	precision_note(gr);
	if (ret)
		fl_seterr(err, errlen, "--table %s: out of memory", gr->t->name);
	return ret;
}

static void grid_free(struct tgrid *gr)
{
	for (size_t i = 0; i < gr->nrows; i++)
		free(gr->rows[i].c);
	free(gr->rows);
	json_decref(gr->groups);
	json_decref(gr->keep);
	json_decref(gr->cmp);
}

int fl_table_render(json_t *cmp, const struct fl_table *t, const char *format,
		    const char *metrics, FILE *out, char *err, size_t errlen)
{
	bool md = !strcmp(format, "md");
	struct tgrid *gr = calloc(1, sizeof(*gr));
	int ret;

	if (!gr)
		return fl_seterr(err, errlen, "--table %s: out of memory", t->name);
	gr->t = t;
	gr->cmp = fl_cmp_shown(cmp, md);
	gr->groups = json_array();
	gr->keep = json_array();
	ret = gr->cmp ? build(gr, metrics, err, errlen) : -1;
	if (!gr->cmp)
		fl_seterr(err, errlen, "--table %s: out of memory", t->name);
	if (!ret) {
		if (md)
			tg_emit_md(gr, out);
		else if (!strcmp(format, "csv"))
			tg_emit_csv(gr, out);
		else
			tg_emit_text(gr, out);
	}
	grid_free(gr);
	free(gr);
	return ret;
}
