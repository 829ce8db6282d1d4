// SPDX-License-Identifier: GPL-2.0
/* The cells of a --table grid (a value "mean (sd)", a delta, a verdict word, a better
 * direction), its rows and row labels, and the notes under it (n/a with the reason). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "table_grid.h"

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
void tg_label_of(struct tgrid *gr, json_t *g, const char *skip1, const char *skip2,
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
json_t *tg_metric_of(json_t *g, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(fl_cmp_str(m, "name"), name) &&
		    !strcmp(fl_cmp_str(m, "kind"), "metric"))
			return m;
	return NULL;
}

void tg_note(struct tgrid *gr, const char *fmt, ...)
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
	tg_note(gr, "%s%s%s", head, run, why);
}

struct trow *tg_row_add(struct tgrid *gr, bool block, const char *label)
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
void tg_value_cell(struct tgrid *gr, struct tcell *c, json_t *g, json_t *m, size_t run,
		   const char *metric)
{
	json_t *st = json_array_get(json_object_get(m, "runs"), run);
	const char *status = fl_cmp_str(st, "status");
	char mean[16], sd[16];

	c->kind = TC_VALUE;
	c->run = run;
	c->g = g;
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
	fl_cmp_mean_sd(st, mean, sd, sizeof(mean));
	snprintf(c->txt, sizeof(c->txt), "%s (%s)", mean, sd);
	snprintf(c->brief, sizeof(c->brief), "%s", mean);
}

/* Delta (positive = better; no direction: candidate - base; drop: base - candidate on every
 * row) and word of run r vs base. */
void tg_delta_cells(struct tcell *d, struct tcell *w, json_t *m, size_t run, bool drop)
{
	json_t *cp = json_array_get(json_object_get(m, "comparisons"), run - 1);
	bool dir = strcmp(fl_cmp_str(m, "better"), "none");
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
	snprintf(w->txt, sizeof(w->txt), "%s", m ? fl_cmp_word(cp) : "n/a");
	snprintf(w->brief, sizeof(w->brief), "%s", w->txt);
}

void tg_dir_cell(struct tcell *c, json_t *m)
{
	const char *b = fl_cmp_str(m, "better");

	c->kind = TC_DIR;
	c->m = m;
	snprintf(c->txt, sizeof(c->txt), "%s", !strcmp(b, "higher") ? "hi" :
		 !strcmp(b, "lower") ? "lo" : "-");
	snprintf(c->brief, sizeof(c->brief), "%s", c->txt);
}
