// SPDX-License-Identifier: GPL-2.0
/* compare: cases of the runs grouped by workload and parameters, each group's label and
 * sweep, its items (columns) and each run's values of an item, and the cases that are not ok
 * (problems). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare_int.h"
#include "fl_util.h"

size_t fl_cmp_groups_add(struct fl_cmp_grp *g, size_t *ng, const struct fl_run_case *c)
{
	for (size_t i = 0; i < *ng; i++)
		if (!strcmp(g[i].key, c->key))
			return i;
	g[*ng] = (struct fl_cmp_grp){ c->workload, c->key, c->params, c->resolved };
	return (*ng)++;
}

/* Parameters of a workload whose value differs between its groups: the label's keys. */
json_t *fl_cmp_varying_keys(struct fl_cmp_grp *g, size_t ng, const char *wl)
{
	json_t *keys = json_object(), *first = NULL, *v;
	const char *k;

	for (size_t i = 0; i < ng; i++) {
		if (strcmp(g[i].workload, wl))
			continue;
		if (!first) {
			first = g[i].params;
			continue;
		}
		json_object_foreach(g[i].params, k, v)
			if (!json_equal(v, json_object_get(first, k)))
				json_object_set_new(keys, k, json_true());
		json_object_foreach(first, k, v)
			if (!json_object_get(g[i].params, k))
				json_object_set_new(keys, k, json_true());
	}
	return keys;
}

/* "threads=2 jobs=half(-j1)": the params in keys (all of them if keys is empty), skipping
 * skip, each with what the case resolved it to (resolved may be NULL). */
void fl_cmp_label_of(json_t *params, json_t *resolved, json_t *keys, const char *skip,
		     char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach(params, k, v) {
		char val[128], res[80] = "";
		json_t *rv = json_object_get(resolved, k);

		if ((json_object_size(keys) && !json_object_get(keys, k)) ||
		    (skip && !strcmp(k, skip)))
			continue;
		fl_cmp_value_str(v, val, sizeof(val));
		if (json_is_string(rv))
			snprintf(res, sizeof(res), "(%s)", json_string_value(rv));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s%s", off ? " " : "", k,
						val, res);
	}
	fl_utf8_cut(buf);
}

/* The sweep a group belongs to: a varying numeric parameter (threads first) such that
 * another group differs from this one in that parameter only. */
json_t *fl_cmp_sweep_of(struct fl_cmp_grp *g, size_t ng, size_t gi, json_t *vkeys)
{
	const char *pref[] = { "threads", NULL }, *k;
	json_t *v;

	for (int pass = 0; pass < 2; pass++) {
		json_object_foreach(vkeys, k, v) {
			json_t *mine = json_object_get(g[gi].params, k);
			char fam[512];

			if (!json_is_number(mine) || (!pass && strcmp(k, pref[0])) ||
			    (pass && !strcmp(k, pref[0])))
				continue;
			for (size_t j = 0; j < ng; j++) {
				json_t *a, *b;
				bool same;

				if (j == gi || strcmp(g[j].workload, g[gi].workload))
					continue;
				a = json_deep_copy(g[gi].params);
				b = json_deep_copy(g[j].params);
				json_object_del(a, k);
				json_object_del(b, k);
				same = json_equal(a, b);
				json_decref(a);
				json_decref(b);
				if (!same)
					continue;
				fl_cmp_label_of(g[gi].params, g[gi].resolved, vkeys, k, fam,
						sizeof(fam));
				return json_pack("{s:s, s:O, s:s++}", "key", k, "value", mine,
						 "family", g[gi].workload, fam[0] ? " " : "", fam);
			}
		}
	}
	return NULL;
}

static int kind_rank(char k)
{
	return k == FL_ITEM_METRIC ? 0 : k == FL_ITEM_COUNTER ? 1 : k == FL_ITEM_IPI ? 2 : 3;
}

static int cmp_col(const void *a, const void *b)
{
	const struct fl_cmp_col *x = a, *y = b;

	return kind_rank(x->kind) - kind_rank(y->kind);
}

/* The columns (items) of one group over all runs, stable-sorted by kind, per-op rows after
 * their raw row. */
struct fl_cmp_col *fl_cmp_columns_of(struct fl_run *runs, size_t nruns, const char *key,
				     size_t *ncol)
{
	struct fl_cmp_col *c = NULL;
	size_t n = 0, cap = 0;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *cs = &runs[r].cases[i];
			size_t hint = 0;

			if (strcmp(cs->key, key) || cs->warmup || strcmp(cs->status, "ok"))
				continue;
			for (size_t k = 0; k < cs->nitems; k++, hint++) {
				struct fl_item *it = &cs->items[k];
				size_t j;

				/* cases list items in the same order: try the next column first */
				if (hint < n && !strcmp(c[hint].name, it->name))
					j = hint;
				else
					for (j = 0; j < n && strcmp(c[j].name, it->name); j++)
						;
				hint = j;
				if (j < n) {
					if (!c[j].unit && it->unit)
						c[j].unit = it->unit;
					continue;
				}
				if (n + 2 > cap) {
					struct fl_cmp_col *nc;

					cap = cap ? cap * 2 : 64;
					nc = realloc(c, cap * sizeof(*c));
					if (!nc)
						goto out;
					c = nc;
				}
				c[n++] = (struct fl_cmp_col){ it->name, it->name, it->unit,
							      it->kind, it->better, false, false };
			}
		}
out:
	/* stable insertion sort by kind: first-seen order stays within a kind */
	for (size_t j = 1; j < n; j++)
		for (size_t i = j; i > 0 && cmp_col(&c[i - 1], &c[i]) > 0; i--) {
			struct fl_cmp_col t = c[i];

			c[i] = c[i - 1];
			c[i - 1] = t;
		}
	*ncol = n;
	return c;
}

void fl_cmp_mark_primary(struct fl_cmp_col *cols, size_t ncol)
{
	for (size_t k = 0; k < ncol; k++)
		if (cols[k].kind == FL_ITEM_METRIC && cols[k].better != 'n') {
			cols[k].primary = true;
			return;
		}
}

/* Values of one column for one run's measured cases of a group. */
const char *fl_cmp_values_of(struct fl_run *r, const char *key, const struct fl_cmp_col *c,
			     double *x, size_t *nx, size_t *ncases, const char **reason)
{
	size_t absent = 0, unsup = 0, hint = 0;

	*nx = *ncases = 0;
	*reason = NULL;
	for (size_t i = 0; i < r->ncases; i++) {
		struct fl_run_case *cs = &r->cases[i];
		const struct fl_item *it;
		double v;

		if (strcmp(cs->key, key) || cs->warmup || strcmp(cs->status, "ok"))
			continue;
		(*ncases)++;
		/* cases of a group list their items in the same order: try the last position */
		if (hint < cs->nitems && !strcmp(cs->items[hint].name, c->name))
			it = &cs->items[hint];
		else
			it = fl_run_case_item(cs, c->name);
		if (it)
			hint = (size_t)(it - cs->items);
		if (!it && c->kind == FL_ITEM_VMSTAT && cs->has_vmstat) {
			v = 0;
		} else if (!it) {
			continue;
		} else if (it->status != FL_ITEM_OK) {
			absent += it->status == FL_ITEM_ABSENT;
			unsup += it->status == FL_ITEM_UNSUPPORTED;
			*reason = it->reason;
			continue;
		} else {
			v = it->value;
		}
		if (c->per_op) {
			if (cs->ops <= 0)
				continue;
			v /= cs->ops;
		}
		x[(*nx)++] = v;
	}
	if (*nx)
		return "ok";
	if (!*ncases)
		return "no case";
	if (absent)
		return "absent";
	if (unsup)
		return "unsupported";
	return "missing";
}

json_t *fl_cmp_problems_of(struct fl_run *runs, size_t nruns, json_t *vkeys_by_wl)
{
	json_t *p = json_array();

	for (size_t r = 0; r < nruns; r++) {
		json_t *sk;
		size_t i;

		for (i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *c = &runs[r].cases[i];
			char label[1024];

			if (!strcmp(c->status, "ok"))
				continue;
			fl_cmp_label_of(c->params, c->resolved,
					json_object_get(vkeys_by_wl, c->workload), NULL, label,
					sizeof(label));
			json_array_append_new(p, json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s}",
				"run", runs[r].label, "file", c->file, "workload", c->workload,
				"label", label, "iteration", (json_int_t)c->iteration, "warmup",
				c->warmup, "status", c->status, "reason",
				c->reason[0] ? c->reason : "(no reason given)"));
		}
		json_array_foreach(runs[r].skipped, i, sk)
			json_array_append_new(p, json_pack("{s:s, s:O, s:s, s:s, s:s, s:I, s:b, s:s, s:O}",
				"run", runs[r].label, "file", json_object_get(sk, "file"),
				"workload", "-", "label", "", "status", "unreadable", "iteration",
				(json_int_t)0, "warmup", 0, "kind", "skipped file", "reason",
				json_object_get(sk, "reason")));
	}
	return p;
}

/* Runs that share no group with the base: one sentence naming what differs. */
int fl_cmp_check_shared(struct fl_run *runs, size_t nruns, char *err, size_t errlen)
{
	for (size_t r = 1; r < nruns; r++) {
		struct fl_run_case *a = &runs[0].cases[0], *b = &runs[r].cases[0];
		char diff[512] = "";
		size_t off = 0;
		const char *k;
		json_t *v;
		bool shared = false;

		for (size_t i = 0; i < runs[r].ncases && !shared; i++)
			for (size_t j = 0; j < runs[0].ncases && !shared; j++)
				shared = !strcmp(runs[r].cases[i].key, runs[0].cases[j].key);
		if (shared)
			continue;
		if (strcmp(a->workload, b->workload))
			return fl_seterr(err, errlen, "runs %s (%s) and %s (%s) share no case: "
					 "workload %s against %s", runs[0].label, runs[0].dir,
					 runs[r].label, runs[r].dir, a->workload, b->workload);
		json_object_foreach(a->params, k, v) {
			char va[64], vb[64];
			json_t *w = json_object_get(b->params, k);

			if (json_equal(v, w))
				continue;
			fl_cmp_value_str(v, va, sizeof(va));
			fl_cmp_value_str(w ? w : json_null(), vb, sizeof(vb));
			if (off < sizeof(diff))
				off += (size_t)snprintf(diff + off, sizeof(diff) - off, "%s%s %s vs %s",
							off ? ", " : "", k, va, vb);
		}
		return fl_seterr(err, errlen, "runs %s (%s) and %s (%s) share no case (same workload "
				 "and parameters); the parameters differ: %s", runs[0].label,
				 runs[0].dir, runs[r].label, runs[r].dir, diff[0] ? diff :
				 "(other keys)");
	}
	return 0;
}
