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

const char *fl_table_names(void)
{
	return "ebizzy, kernbench, percore, munmap or collapse";
}

static const char *s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "-";
}

static bool in_list(const char *list, const char *k)
{
	size_t n = strlen(k);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (!strncmp(p, k, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Does parameter k differ between the table's groups? */
static bool varies(struct tgrid *gr, const char *k)
{
	json_t *first = NULL, *g;
	size_t i;

	json_array_foreach(gr->groups, i, g) {
		json_t *v = json_object_get(json_object_get(g, "params"), k);

		if (!first)
			first = v ? v : json_null();
		else if (!json_equal(first, v ? v : json_null()))
			return true;
	}
	return false;
}

/* "threads=2 walkers=1": the layout's keys and the parameters that vary between the table's
 * groups, each with what the case resolved it to ("jobs=half(-j1)"), except skip1, skip2. */
static void label_of(struct tgrid *gr, json_t *g, const char *skip1, const char *skip2,
		     char *buf, size_t len)
{
	json_t *params = json_object_get(g, "params"), *v;
	const char *k;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach(params, k, v) {
		char val[96];
		json_t *rv = json_object_get(json_object_get(g, "resolved"), k);

		if ((skip1 && !strcmp(k, skip1)) || (skip2 && !strcmp(k, skip2)) ||
		    (!in_list(gr->t->keys, k) && !varies(gr, k)))
			continue;
		fl_cmp_value_str(v, val, sizeof(val));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s%s%s%s",
						off ? " " : "", k, val, json_is_string(rv) ? "(" : "",
						json_is_string(rv) ? json_string_value(rv) : "",
						json_is_string(rv) ? ")" : "");
	}
	fl_utf8_cut(buf);
}

/* The metric row called name of a group (a workload metric, not per op), or NULL. */
static json_t *metric_of(json_t *g, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(s(m, "name"), name) && !strcmp(s(m, "kind"), "metric"))
			return m;
	return NULL;
}

static void note(struct tgrid *gr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct tgrid *gr, const char *fmt, ...)
{
	char buf[sizeof(gr->notes[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fl_utf8_cut(buf);
	for (size_t i = 0; i < gr->nnotes; i++)
		if (!strcmp(gr->notes[i], buf))
			return;
	if (gr->nnotes < TG_MAXNOTES)
		snprintf(gr->notes[gr->nnotes++], sizeof(gr->notes[0]), "%s", buf);
	else
		gr->notes_dropped++;
}

/* Whether item is one of the ", "-separated items of list[0..len). */
static bool listed(const char *list, size_t len, const char *item)
{
	size_t il = strlen(item);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *q = p;

		while (q < end && !(q + 1 < end && q[0] == ',' && q[1] == ' '))
			q++;
		if ((size_t)(q - p) == il && !memcmp(p, item, il))
			return true;
		p = q + 2;
	}
	return false;
}

/* "n/a: METRIC, RUN[, RUN...]: WHY": a run whose metric is n/a for the same reason as an
 * earlier run's joins that note (a hypervisor's TLB reason is 8 lines; once is enough). */
static void note_na(struct tgrid *gr, const char *metric, const char *run, const char *status,
		    json_t *reason)
{
	char why[sizeof(gr->notes[0])], head[160];
	size_t hl, wl;

	snprintf(why, sizeof(why), ": %s%s%s", !strcmp(status, "missing") ?
		 "not reported by that run" : !strcmp(status, "no case") ?
		 "that run has no such case" : status, json_is_string(reason) ? ": " : "",
		 json_is_string(reason) ? json_string_value(reason) : "");
	fl_utf8_cut(why);
	snprintf(head, sizeof(head), "n/a: %s, ", metric);
	hl = strlen(head);
	wl = strlen(why);
	for (size_t i = 0; i < gr->nnotes; i++) {
		char *n = gr->notes[i];
		size_t nl = strlen(n);

		if (nl <= hl + wl || strncmp(n, head, hl) || strcmp(n + nl - wl, why))
			continue;
		if (!listed(n + hl, nl - wl - hl, run) &&
		    nl + 2 + strlen(run) < sizeof(gr->notes[0])) {
			memmove(n + nl - wl + 2 + strlen(run), n + nl - wl, wl + 1);
			memcpy(n + nl - wl, ", ", 2);
			memcpy(n + nl - wl + 2, run, strlen(run));
		}
		return;
	}
	note(gr, "%s%s%s", head, run, why);
}

static struct trow *row_add(struct tgrid *gr, bool block, const char *label)
{
	struct trow *r;

	if (gr->nrows == gr->cap) {
		size_t nc = gr->cap ? 2 * gr->cap : 32;
		struct trow *nr = realloc(gr->rows, nc * sizeof(*nr));

		if (!nr)
			return NULL;
		gr->rows = nr;
		gr->cap = nc;
	}
	r = &gr->rows[gr->nrows];
	*r = (struct trow){ .block = block };
	r->c = calloc(TG_MAXCOL, sizeof(*r->c));
	if (!r->c)
		return NULL;
	gr->nrows++;
	snprintf(r->label, sizeof(r->label), "%s", label);
	fl_utf8_cut(r->label);
	snprintf(r->block_label, sizeof(r->block_label), "%s", gr->block);
	return r;
}

/* A value cell: "mean (sd)" and "mean", or n/a with its reason noted. */
static void value_cell(struct tgrid *gr, struct tcell *c, json_t *g, json_t *m, size_t run,
		       const char *metric)
{
	json_t *st = json_array_get(json_object_get(m, "runs"), run);
	const char *status = s(st, "status");
	char mean[16], sd[16];

	c->kind = TC_VALUE;
	c->run = run;
	c->m = m;
	c->st = st;
	c->metric = metric;
	if (!m) {
		snprintf(c->txt, sizeof(c->txt), "n/a");
		snprintf(c->brief, sizeof(c->brief), "n/a");
		if (!strstr(gr->missing, metric) && strlen(gr->missing) + strlen(metric) + 3 <
		    sizeof(gr->missing))
			snprintf(gr->missing + strlen(gr->missing), sizeof(gr->missing) -
				 strlen(gr->missing), "%s%s", gr->missing[0] ? ", " : "", metric);
		return;
	}
	if (strcmp(status, "ok")) {
		snprintf(c->txt, sizeof(c->txt), "n/a");
		snprintf(c->brief, sizeof(c->brief), "n/a");
		note_na(gr, metric, gr->names[run], status, json_object_get(st, "reason"));
		return;
	}
	fl_fmt_num(mean, sizeof(mean), fl_cmp_num(json_object_get(st, "mean")));
	fl_fmt_num(sd, sizeof(sd), fl_cmp_num(json_object_get(st, "sd")));
	snprintf(c->txt, sizeof(c->txt), "%s (%s)", mean, sd);
	snprintf(c->brief, sizeof(c->brief), "%s", mean);
}

/* The direction word of a comparison, as render_text.c prints it. */
static const char *word_of(json_t *c)
{
	const char *v = s(c, "verdict"), *d = s(c, "direction");

	if (!strcmp(v, "too few samples"))
		return !strcmp(d, "same") ? "same" : "n<3";
	return strcmp(d, "-") ? d : v;
}

/* Delta (positive = better; no direction: candidate - base; drop: base - candidate on every
 * row) and word of run r vs base. */
static void delta_cells(struct tcell *d, struct tcell *w, json_t *m, size_t run, bool drop)
{
	json_t *cp = json_array_get(json_object_get(m, "comparisons"), run - 1);
	bool dir = strcmp(s(m, "better"), "none");
	double v = fl_cmp_num(json_object_get(cp, dir && !drop ? "delta_better_pct" :
					      "delta_pct"));

	if (drop)
		v = -v;
	*d = (struct tcell){ .kind = TC_DELTA, .run = run, .m = m, .cp = cp };
	*w = (struct tcell){ .kind = TC_WORD, .run = run, .m = m, .cp = cp };
	if (v == 0)
		v = 0;		/* not "-0.00%" */
	if (isnan(v))
		snprintf(d->txt, sizeof(d->txt), "-");
	else
		snprintf(d->txt, sizeof(d->txt), fabs(v) >= 1000 ? "%+.0f%%" : "%+.2f%%", v);
	snprintf(d->brief, sizeof(d->brief), "%s", d->txt);
	snprintf(w->txt, sizeof(w->txt), "%s", m ? word_of(cp) : "n/a");
	snprintf(w->brief, sizeof(w->brief), "%s", w->txt);
}

static void dir_cell(struct tcell *c, json_t *m)
{
	const char *b = s(m, "better");

	c->kind = TC_DIR;
	c->m = m;
	snprintf(c->txt, sizeof(c->txt), "%s", !strcmp(b, "higher") ? "hi" :
		 !strcmp(b, "lower") ? "lo" : "-");
	snprintf(c->brief, sizeof(c->brief), "%s", c->txt);
}

/* One ROWS row: b | base value | per candidate: value, delta, word. */
static int rows_row(struct tgrid *gr, json_t *g, const struct fl_tcol *col, const char *label)
{
	json_t *m = metric_of(g, col->metric);
	struct trow *r = row_add(gr, false, label);
	size_t k = 0;

	if (!r)
		return -1;
	r->metric = col->metric;
	dir_cell(&r->c[k++], m);
	value_cell(gr, &r->c[k++], g, m, 0, col->metric);
	for (size_t run = 1; run < gr->nruns && k + 3 <= TG_MAXCOL; run++, k += 3) {
		value_cell(gr, &r->c[k], g, m, run, col->metric);
		delta_cells(&r->c[k + 1], &r->c[k + 2], m, run, gr->t->drop_positive);
	}
	return 0;
}

static void rows_heads(struct tgrid *gr, const char *what)
{
	size_t k = 0, n = sizeof(gr->h[0].head);

	snprintf(gr->label_head, sizeof(gr->label_head), "%s", what);
	snprintf(gr->h[k++].head, n, "b");
	snprintf(gr->h[k++].head, n, "%s", gr->names[0]);
	for (size_t r = 1; r < gr->nruns && k + 3 <= TG_MAXCOL; r++) {
		gr->h[k].unit = gr->h[k + 1].unit = gr->h[k + 2].unit = r;
		snprintf(gr->h[k++].head, n, "%s", gr->names[r]);
		snprintf(gr->h[k++].head, n, "%s%s", gr->nruns > 2 ? "delta " : "delta",
			 gr->nruns > 2 ? gr->labels[r] : "");
		snprintf(gr->h[k++].head, n, "%s%s", gr->nruns > 2 ? "vs " : "verdict",
			 gr->nruns > 2 ? gr->labels[r] : "");
	}
	gr->ncols = k;
}

static void block_title(struct tgrid *gr, json_t *g, char *buf, size_t len)
{
	const struct fl_table *t = gr->t;
	char first[32] = "", val[96] = "", rest[512];
	json_t *res;

	if (!t->block_fmt) {
		label_of(gr, g, NULL, NULL, buf, len);
		return;
	}
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(t->keys, ","), t->keys);
	fl_cmp_value_str(json_object_get(json_object_get(g, "params"), first), val, sizeof(val));
	res = json_object_get(json_object_get(g, "resolved"), first);
	label_of(gr, g, first, NULL, rest, sizeof(rest));
	snprintf(buf, len, t->block_fmt, val, json_is_string(res) ? json_string_value(res) : "");
	for (char *p = strstr(buf, "  "); p; p = strstr(p, "  "))
		memmove(p, p + 1, strlen(p));
	if (rest[0] && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), ", %.200s", rest);
	fl_utf8_cut(buf);
}

static void n_suffix(struct tgrid *gr, json_t *g, char *buf, size_t len)
{
	size_t off = strlen(buf);

	for (size_t r = 0; r < gr->nruns && off < len; r++)
		off += (size_t)snprintf(buf + off, len - off, "%s%lld", r ? "/" : " (n ",
			(long long)json_integer_value(json_array_get(json_object_get(g, "n"), r)));
	if (off < len)
		snprintf(buf + off, len - off, ")");
	fl_utf8_cut(buf);
}

static int build_rows(struct tgrid *gr)
{
	json_t *g;
	size_t i;

	rows_heads(gr, gr->ncolspec == 1 ? gr->cols[0]->head : "");
	json_array_foreach(gr->groups, i, g) {
		char label[300];

		if (gr->ncolspec == 1) {
			label_of(gr, g, NULL, NULL, label, sizeof(label));
			n_suffix(gr, g, label, sizeof(label));
			gr->block[0] = '\0';
			if (rows_row(gr, g, gr->cols[0], label))
				return -1;
			continue;
		}
		block_title(gr, g, label, sizeof(label));
		n_suffix(gr, g, label, sizeof(label));
		snprintf(gr->block, sizeof(gr->block), "%s", label);
		if (!row_add(gr, true, label))
			return -1;
		for (size_t k = 0; k < gr->ncolspec; k++)
			if (rows_row(gr, g, gr->cols[k], gr->cols[k]->head))
				return -1;
	}
	return 0;
}

/* SWEEP: the group's parameters without the sweep and split keys, as a key. */
static char *rest_key(const struct fl_table *t, json_t *g)
{
	json_t *p = json_deep_copy(json_object_get(g, "params"));
	char *k;

	json_object_del(p, t->sweep_key);
	json_object_del(p, t->split_key);
	k = json_dumps(p, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(p);
	return k;
}

static void split_of(const struct fl_table *t, json_t *g, char *buf, size_t len)
{
	json_t *v = json_object_get(json_object_get(g, "params"), t->split_key);

	if (v)
		fl_cmp_value_str(v, buf, len);
	else
		snprintf(buf, len, "-");
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The distinct values (sorted numbers) of the sweep key and (first-seen strings) of the
 * split key among the groups of one block. */
static void sweep_values(struct tgrid *gr, const char *block_key, double *sv, size_t *nsv,
			 json_t *splits)
{
	const struct fl_table *t = gr->t;
	json_t *g;
	size_t i;

	*nsv = 0;
	json_array_foreach(gr->groups, i, g) {
		char *k = rest_key(t, g), val[96];
		json_t *p = json_object_get(g, "params");
		double v = fl_cmp_num(json_object_get(p, t->sweep_key));
		bool have = false;
		json_t *e;
		size_t j;

		if (!k || strcmp(k, block_key)) {
			free(k);
			continue;
		}
		free(k);
		for (j = 0; j < *nsv; j++)
			have |= sv[j] == v;
		if (!have && *nsv < TG_MAXROWS && !isnan(v))
			sv[(*nsv)++] = v;
		split_of(t, g, val, sizeof(val));
		have = false;
		json_array_foreach(splits, j, e)
			have |= !strcmp(json_string_value(e), val);
		if (!have)
			json_array_append_new(splits, json_string(val));
	}
	qsort(sv, *nsv, sizeof(double), cmp_dbl);
}

static json_t *sweep_group(struct tgrid *gr, const char *block_key, double v, const char *split)
{
	const struct fl_table *t = gr->t;
	json_t *g;
	size_t i;

	json_array_foreach(gr->groups, i, g) {
		json_t *p = json_object_get(g, "params");
		char *k = rest_key(t, g), val[96];
		bool same = k && !strcmp(k, block_key);

		free(k);
		split_of(t, g, val, sizeof(val));
		if (same && fl_cmp_num(json_object_get(p, t->sweep_key)) == v && !strcmp(val, split))
			return g;
	}
	return NULL;
}

static int sweep_block(struct tgrid *gr, json_t *first, const char *block_key)
{
	json_t *splits = json_array(), *sp;
	double sv[TG_MAXROWS];
	size_t nsv, ns, k = 0, j;
	char label[300];

	sweep_values(gr, block_key, sv, &nsv, splits);
	ns = json_array_size(splits);
	label_of(gr, first, gr->t->sweep_key, gr->t->split_key, label, sizeof(label));
	snprintf(gr->block, sizeof(gr->block), "%s", label);
	if (label[0] && !row_add(gr, true, label))
		goto fail;
	for (size_t r = 0; r < gr->nruns; r++)
		json_array_foreach(splits, j, sp)
			for (size_t c = 0; c < gr->ncolspec && k < TG_MAXCOL; c++, k++) {
				snprintf(gr->h[k].group, sizeof(gr->h[0].group), "%s", gr->names[r]);
				gr->h[k].unit = r;
				snprintf(gr->h[k].sub, sizeof(gr->h[0].sub), "%s", ns > 1 ?
					 json_string_value(sp) : "");
				snprintf(gr->h[k].head, sizeof(gr->h[0].head), "%s", gr->cols[c]->head);
			}
	gr->ncols = k;
	for (size_t i = 0; i < nsv; i++) {
		struct trow *row;
		char v[32];

		snprintf(v, sizeof(v), "%g", sv[i]);
		row = row_add(gr, false, v);
		if (!row)
			goto fail;
		k = 0;
		for (size_t r = 0; r < gr->nruns; r++)
			json_array_foreach(splits, j, sp)
				for (size_t c = 0; c < gr->ncolspec && k < TG_MAXCOL; c++, k++) {
					json_t *g = sweep_group(gr, block_key, sv[i],
								json_string_value(sp));

					value_cell(gr, &row->c[k], g ? g : first, g ? metric_of(g,
						   gr->cols[c]->metric) : NULL, r, gr->cols[c]->metric);
					row->c[k].split = json_string_value(sp);
				}
	}
	json_array_extend(gr->keep, splits);
	json_decref(splits);
	return 0;
fail:
	json_decref(splits);
	return -1;
}

static int build_sweep(struct tgrid *gr)
{
	json_t *seen = json_object(), *g;
	size_t i;
	int ret = 0;

	snprintf(gr->label_head, sizeof(gr->label_head), "%s", gr->t->sweep_key);
	json_array_foreach(gr->groups, i, g) {
		char *k = rest_key(gr->t, g);

		if (k && !json_object_get(seen, k)) {
			json_object_set_new(seen, k, json_true());
			ret = ret ? ret : sweep_block(gr, g, k);
		}
		free(k);
	}
	json_decref(seen);
	return ret;
}

/* The runs' names, and one line per run saying which kernel and run it is. */
static void runs_of(struct tgrid *gr)
{
	json_t *r;
	size_t i;

	gr->nruns_all = json_array_size(json_object_get(gr->cmp, "runs"));
	json_array_foreach(json_object_get(gr->cmp, "runs"), i, r) {
		json_t *k = json_object_get(r, "kernel"), *t = json_object_get(r, "target");

		if (i >= TG_MAXRUNS)
			break;
		gr->names[i] = json_string_value(json_object_get(r, "name")) ?: s(r, "label");
		gr->labels[i] = s(r, "label");
		snprintf(gr->runs[i], sizeof(gr->runs[0]), "%s %s%s%s%s:%s%s run %s (%s, %s %s, "
			 "%lld CPUs)", i ? "candidate" : "BASE", gr->names[i],
			 gr->nruns_all > 2 ? " (" : "", gr->nruns_all > 2 ? gr->labels[i] : "",
			 gr->nruns_all > 2 ? ")" : "",
			 strncmp(gr->names[i], s(k, "release"), strlen(s(k, "release"))) ? " " : "",
			 strncmp(gr->names[i], s(k, "release"), strlen(s(k, "release"))) ?
			 s(k, "release") : "", s(r, "id"), s(r, "dir"), s(t, "kind"), s(t, "arch"),
			 (long long)json_integer_value(json_object_get(t, "cpus")));
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
			return FL_EXIT_USAGE;
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
	return FL_EXIT_USAGE;
}

static bool problems_of(json_t *cmp, const char *workload)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(cmp, "problems"), i, p)
		if (!strcmp(s(p, "workload"), workload))
			return true;
	return false;
}

static int build(struct tgrid *gr, const char *metrics, char *err, size_t errlen)
{
	json_t *g;
	size_t i;
	int ret;

	json_array_foreach(json_object_get(gr->cmp, "groups"), i, g)
		if (!strcmp(s(g, "workload"), gr->t->workload) && fl_cmp_group_measured(g))
			json_array_append(gr->groups, g);
	if (!json_array_size(gr->groups)) {
		fl_seterr(err, errlen, "--table %s: these runs have no measured %s case (the "
			  "table is made from the %s workload%s)", gr->t->name, gr->t->workload,
			  gr->t->workload, problems_of(gr->cmp, gr->t->workload) ? "; its cases "
			  "did not run to the end: faultline compare lists them under problems" :
			  "; faultline list shows it");
		return FL_EXIT_USAGE;
	}
	ret = select_cols(gr, metrics, err, errlen);
	if (ret)
		return ret;
	runs_of(gr);
	ret = gr->t->shape == FL_TSHAPE_SWEEP ? build_sweep(gr) : build_rows(gr);
	if (gr->missing[0])
		note(gr, "n/a: not reported by %s in these runs: %s", gr->t->workload, gr->missing);
	if (ret)
		fl_seterr(err, errlen, "--table %s: out of memory", gr->t->name);
	return ret ? FL_EXIT_USAGE : 0;
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
		return fl_seterr(err, errlen, "--table %s: out of memory", t->name), FL_EXIT_USAGE;
	gr->t = t;
	gr->cmp = fl_cmp_shown(cmp, md);
	gr->groups = json_array();
	gr->keep = json_array();
	ret = gr->cmp ? build(gr, metrics, err, errlen) : FL_EXIT_USAGE;
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
