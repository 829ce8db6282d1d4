// SPDX-License-Identifier: GPL-2.0
/* Printing a --table grid: text in 80 columns (full "mean (sd)" cells when they fit, else
 * means), Markdown (one GitHub table), CSV (one line per value cell, with its statistics). */
#include <math.h>
#include <string.h>
#include "compare.h"
#include "table_grid.h"

#define W 80

static const char *cell_txt(const struct tcell *c, bool brief)
{
	return brief ? c->brief : c->txt;
}

static void convention(struct tgrid *gr, char *buf, size_t len)
{
	if (gr->t->shape == FL_TSHAPE_SWEEP) {
		snprintf(buf, len, "Columns: each kernel, then each %s; rows: %s. Means over the "
			 "measured iterations; --format csv has sd and n.", gr->t->split_key,
			 gr->t->sweep_key);
		return;
	}
	snprintf(buf, len, "%s verdict: better or worse when p < %g after %s over all the runs' "
		 "metrics, ~ not significant, n<3 too few samples for a test.",
		 gr->t->drop_positive ? "delta: (base - candidate) / base on every row, as the "
		 "thread prints it: positive = the figure went down (b: hi = higher, lo = lower "
		 "is better)." : "delta: signed so that positive = better (b: hi = higher, lo = "
		 "lower is better; b \"-\": candidate - base).",
		 fl_cmp_num(json_object_get(gr->cmp, "alpha")), fl_cmp_str(gr->cmp, "correction"));
}

/* Column widths with full or brief cells; returns the columns' total (each + 1 space). */
static size_t widths(struct tgrid *gr, bool brief, size_t *w, size_t *lw)
{
	size_t total = 0;

	*lw = strlen(gr->label_head);
	for (size_t k = 0; k < gr->ncols; k++)
		w[k] = 0;
	for (size_t i = 0; i < gr->nrows; i++) {
		if (gr->rows[i].block)
			continue;
		if (strlen(gr->rows[i].label) > *lw)
			*lw = strlen(gr->rows[i].label);
		for (size_t k = 0; k < gr->ncols; k++)
			if (strlen(cell_txt(&gr->rows[i].c[k], brief)) > w[k])
				w[k] = strlen(cell_txt(&gr->rows[i].c[k], brief));
	}
	for (size_t k = 0; k < gr->ncols; k++) {
		/* a head may widen its column up to 10 characters, or 17 for 2 runs */
		size_t hw = strlen(gr->h[k].head), cap = gr->nruns > 2 ? 10 : 17;

		if (hw > w[k])
			w[k] = hw < cap ? hw : (w[k] > cap ? w[k] : cap);
		total += w[k] + 1;
	}
	if (*lw > 30)
		*lw = 30;
	return total;
}

/* A head line of spans over the columns in mask: level 0 group, 1 sub. */
static void span_line(struct tgrid *gr, const size_t *w, size_t lw, const bool *mask,
		      int level, FILE *out)
{
	size_t k = 0, off;
	char line[1024], hb[80];
	bool any = false;

	for (size_t j = 0; j < gr->ncols; j++)
		any |= mask[j] && (level ? gr->h[j].sub : gr->h[j].group)[0] != '\0';
	if (!any)
		return;
	off = (size_t)snprintf(line, sizeof(line), "%-*s", (int)lw, "");
	while (k < gr->ncols && off < sizeof(line)) {
		const char *t = level ? gr->h[k].sub : gr->h[k].group;
		size_t e = k + 1, span = w[k];

		if (!mask[k]) {
			k++;
			continue;
		}
		while (e < gr->ncols && mask[e] && !strcmp(gr->h[e].group, gr->h[k].group) &&
		       (!level || !strcmp(gr->h[e].sub, gr->h[k].sub)))
			span += w[e++] + 1;
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %-*s", (int)span,
					fl_cmp_fit(t, span, hb, sizeof(hb)));
		k = e;
	}
	off = strlen(line);
	while (off && line[off - 1] == ' ')
		line[--off] = '\0';
	fprintf(out, "%s\n", line);
}

/* The table with the columns in mask. */
static void part(struct tgrid *gr, const size_t *w, size_t lw, bool brief, const bool *mask,
		 FILE *out)
{
	char hb[80];

	span_line(gr, w, lw, mask, 0, out);
	span_line(gr, w, lw, mask, 1, out);
	fprintf(out, "%-*.*s", (int)lw, (int)lw, gr->label_head);
	for (size_t k = 0; k < gr->ncols; k++)
		if (mask[k])
			fprintf(out, " %*s", (int)w[k],
				fl_cmp_fit(gr->h[k].head, w[k], hb, sizeof(hb)));
	fputc('\n', out);
	for (size_t i = 0; i < gr->nrows; i++) {
		struct trow *r = &gr->rows[i];

		if (r->block) {
			fprintf(out, "%.80s\n", r->label);
			continue;
		}
		fprintf(out, "%-*.*s", (int)lw, (int)lw, r->label);
		for (size_t k = 0; k < gr->ncols; k++)
			if (mask[k])
				fprintf(out, " %*s", (int)w[k], cell_txt(&r->c[k], brief));
		fputc('\n', out);
	}
}

/* Full cells if they fit 80 columns, else means; if those do not fit either, parts of whole
 * units (a candidate, a run's column group), each with the unit-0 columns again. */
static void parts(struct tgrid *gr, FILE *out)
{
	size_t w[TG_MAXCOL], lw, base = 0, used, maxu = 0;
	bool brief = widths(gr, false, w, &lw) + lw > W, mask[TG_MAXCOL];

	if (brief && widths(gr, true, w, &lw) + lw > W && lw > 12)
		lw = 12;
	for (size_t k = 0; k < gr->ncols; k++) {
		if (!gr->h[k].unit)
			base += w[k] + 1;
		if (gr->h[k].unit > maxu)
			maxu = gr->h[k].unit;
	}
	for (size_t u = 1; u <= maxu || u == 1; ) {
		for (size_t k = 0; k < gr->ncols; k++)
			mask[k] = !gr->h[k].unit;
		used = lw + base;
		for (; u <= maxu; u++) {
			size_t uw = 0;

			for (size_t k = 0; k < gr->ncols; k++)
				uw += gr->h[k].unit == u ? w[k] + 1 : 0;
			if (used + uw > W && used > lw + base)
				break;
			used += uw;
			for (size_t k = 0; k < gr->ncols; k++)
				mask[k] |= gr->h[k].unit == u;
		}
		part(gr, w, lw, brief, mask, out);
		if (u <= maxu)
			fputc('\n', out);
		if (!maxu)
			break;
	}
}

void tg_emit_text(struct tgrid *gr, FILE *out)
{
	char conv[600];

	fl_text_wrap(out, gr->t->title, 2, W);
	for (size_t r = 0; r < gr->nruns; r++)
		fl_text_wrap(out, gr->runs[r], 4, W);
	convention(gr, conv, sizeof(conv));
	fl_text_wrap(out, conv, 2, W);
	fputc('\n', out);
	parts(gr, out);
	for (size_t i = 0; i < gr->nnotes; i++)
		fl_text_wrap(out, gr->notes[i], 4, W);
	if (gr->notes_dropped)
		fprintf(out, "(%zu more n/a notes: --format csv has every reason)\n",
			gr->notes_dropped);
}

void tg_emit_md(struct tgrid *gr, FILE *out)
{
	char conv[600];

	fprintf(out, "**%s**\n\n", gr->t->title);
	for (size_t r = 0; r < gr->nruns; r++)
		fprintf(out, "- %s\n", gr->runs[r]);
	convention(gr, conv, sizeof(conv));
	fprintf(out, "\n%s\n\n| %s |", conv, gr->label_head[0] ? gr->label_head : " ");
	for (size_t k = 0; k < gr->ncols; k++)
		fprintf(out, " %s%s%s%s%s |", gr->h[k].group, gr->h[k].group[0] ? " " : "",
			gr->h[k].sub, gr->h[k].sub[0] ? " " : "", gr->h[k].head);
	fputs("\n|---|", out);
	for (size_t k = 0; k < gr->ncols; k++)
		fputs("--:|", out);
	fputc('\n', out);
	for (size_t i = 0; i < gr->nrows; i++) {
		struct trow *r = &gr->rows[i];

		fprintf(out, r->block ? "| **%s** |" : "| %s |", r->label);
		for (size_t k = 0; k < gr->ncols; k++)
			fprintf(out, " %s |", r->block ? "" : r->c[k].txt);
		fputc('\n', out);
	}
	if (gr->nnotes)
		fputc('\n', out);
	for (size_t i = 0; i < gr->nnotes; i++)
		fprintf(out, "- %s\n", gr->notes[i]);
}

static void num(FILE *out, json_t *o, const char *k)
{
	char buf[40] = "";
	json_t *v = json_object_get(o, k);

	if (json_is_number(v))
		snprintf(buf, sizeof(buf), "%.10g", json_number_value(v));
	fl_csv_field(out, buf, false);
}

void tg_emit_csv(struct tgrid *gr, FILE *out)
{
	fputs("table,block,row,run,kernel,split,metric,unit,better,status,reason,n,mean,sd,"
	      "delta_pct,delta_better_pct,p_adjusted,direction,precision_target_pct,"
	      "precision_halfwidth_pct,precision_n,precision_stopped\r\n", out);
	for (size_t i = 0; i < gr->nrows; i++) {
		struct trow *r = &gr->rows[i];

		for (size_t k = 0; k < gr->ncols && !r->block; k++) {
			struct tcell *c = &r->c[k];
			json_t *cp = c->run ? json_array_get(json_object_get(c->m, "comparisons"),
							      c->run - 1) : NULL;
			char n[24];

			if (c->kind != TC_VALUE)
				continue;
			snprintf(n, sizeof(n), "%lld",
				 (long long)json_integer_value(json_object_get(c->st, "n")));
			fl_csv_field(out, gr->t->name, false);
			fl_csv_field(out, r->block_label, false);
			fl_csv_field(out, r->label, false);
			fl_csv_field(out, fl_cmp_str(json_array_get(json_object_get(gr->cmp, "runs"),
								    c->run), "label"), false);
			fl_csv_field(out, gr->names[c->run], false);
			fl_csv_field(out, c->split ? c->split : "", false);
			fl_csv_field(out, c->metric, false);
			fl_csv_field(out, c->m ? fl_cmp_str(c->m, "unit") : "", false);
			fl_csv_field(out, c->m ? fl_cmp_str(c->m, "better") : "", false);
			fl_csv_field(out, c->m ? fl_cmp_str(c->st, "status") : "missing", false);
			fl_csv_field(out, c->m ? json_string_value(json_object_get(c->st,
				     "reason")) : "not reported by the workload in these runs",
				     false);
			fl_csv_field(out, c->m ? n : "", false);
			num(out, c->st, "mean");
			num(out, c->st, "sd");
			num(out, cp, "delta_pct");
			num(out, cp, "delta_better_pct");
			num(out, cp, "p_adjusted");
			fl_csv_field(out, cp ? fl_cmp_str(cp, "direction") : "", false);
			fl_csv_precision(out, c->g, c->m, c->run);
		}
	}
}
