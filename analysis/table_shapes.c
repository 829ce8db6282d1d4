// SPDX-License-Identifier: GPL-2.0
/* The two shapes of a --table grid: ROWS (a block per case group, a row per metric, a column
 * per run then delta and verdict per candidate) and SWEEP (a row per value of the swept
 * parameter, a column group per run and split value, seed 004). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "table_grid.h"

/* One ROWS row: b | base value | per candidate: value, delta, word. */
static int rows_row(struct tgrid *gr, json_t *g, const struct fl_tcol *col, const char *label)
{
	json_t *m = tg_metric_of(g, col->metric);
	struct trow *r = tg_row_add(gr, false, label);
	size_t k = 0;

	if (!r)
		return -1;
	r->metric = col->metric;
	tg_dir_cell(&r->c[k++], m);
	tg_value_cell(gr, &r->c[k++], g, m, 0, col->metric);
	for (size_t run = 1; run < gr->nruns && k + 3 <= TG_MAXCOL; run++, k += 3) {
		tg_value_cell(gr, &r->c[k], g, m, run, col->metric);
		tg_delta_cells(&r->c[k + 1], &r->c[k + 2], m, run, gr->t->drop_positive);
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
		tg_label_of(gr, g, NULL, NULL, buf, len);
		return;
	}
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(t->keys, ","), t->keys);
	fl_cmp_value_str(json_object_get(json_object_get(g, "params"), first), val, sizeof(val));
	res = json_object_get(json_object_get(g, "resolved"), first);
	tg_label_of(gr, g, first, NULL, rest, sizeof(rest));
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

int tg_build_rows(struct tgrid *gr)
{
	json_t *g;
	size_t i;

	rows_heads(gr, gr->ncolspec == 1 ? gr->cols[0]->head : "");
	json_array_foreach(gr->groups, i, g) {
		char label[300];

		if (gr->ncolspec == 1) {
			tg_label_of(gr, g, NULL, NULL, label, sizeof(label));
			n_suffix(gr, g, label, sizeof(label));
			gr->block[0] = '\0';
			if (rows_row(gr, g, gr->cols[0], label))
				return -1;
			continue;
		}
		block_title(gr, g, label, sizeof(label));
		n_suffix(gr, g, label, sizeof(label));
		snprintf(gr->block, sizeof(gr->block), "%s", label);
		if (!tg_row_add(gr, true, label))
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
	qsort(sv, *nsv, sizeof(double), fl_double_cmp);
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
	tg_label_of(gr, first, gr->t->sweep_key, gr->t->split_key, label, sizeof(label));
	snprintf(gr->block, sizeof(gr->block), "%s", label);
	if (label[0] && !tg_row_add(gr, true, label))
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
		row = tg_row_add(gr, false, v);
		if (!row)
			goto fail;
		k = 0;
		for (size_t r = 0; r < gr->nruns; r++)
			json_array_foreach(splits, j, sp)
				for (size_t c = 0; c < gr->ncolspec && k < TG_MAXCOL; c++, k++) {
					json_t *g = sweep_group(gr, block_key, sv[i],
								json_string_value(sp));

					tg_value_cell(gr, &row->c[k], g ? g : first,
						      g ? tg_metric_of(g, gr->cols[c]->metric) : NULL,
						      r, gr->cols[c]->metric);
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

int tg_build_sweep(struct tgrid *gr)
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
