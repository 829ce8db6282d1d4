// SPDX-License-Identifier: GPL-2.0
/* Building the comparison document: groups (workload + parameters) across runs, per item
 * statistics per run, tests against the base, one multiple-testing correction per family
 * (workload metrics; counters), problems, kernel identities and their differences. The parts
 * are in compare_groups.c, compare_stats.c and compare_ids.c; this file puts them together. */
#include <stdlib.h>
#include <string.h>
#include "compare_int.h"
#include "fl_util.h"

void fl_cmp_opts_default(struct fl_cmp_opts *o, struct fl_cmp_floors *f)
{
	*o = (struct fl_cmp_opts){ FL_TEST_AUTO, FL_CORR_HOLM, 0.05, 0.95 };
	*f = (struct fl_cmp_floors){ FL_MIN_EFFECT_PCT, NULL };
}

static const struct fl_cmp_floors no_floors = { 0, NULL };

static json_t *group_json(struct fl_run *runs, size_t nruns, struct fl_cmp_grp *g,
			  json_t *vkeys, json_t *sweep, const struct fl_cmp_opts *o,
			  const struct fl_cmp_floors *fo, struct fl_cmp_family *fam)
{
	size_t ncol = 0, maxn = 0;
	struct fl_cmp_col *cols = fl_cmp_columns_of(runs, nruns, g->key, &ncol);
	json_t *gj, *metrics = json_array(), *ns = json_array(), *warm = json_array(), *prec;
	const char *ops_unit = NULL;
	char label[1024];
	double **x = calloc(nruns, sizeof(double *));
	size_t *nx = calloc(nruns, sizeof(size_t));
	bool *has = calloc(nruns, sizeof(bool));	/* run r has a case of g, in any state */

	for (size_t r = 0; r < nruns; r++) {
		size_t n = 0, w = 0;

		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *cs = &runs[r].cases[i];

			if (strcmp(cs->key, g->key))
				continue;
			if (has)
				has[r] = true;
			if (cs->warmup) {
				w++;
				continue;
			}
			n += !strcmp(cs->status, "ok");
			if (!ops_unit && cs->ops > 0)
				ops_unit = cs->ops_unit;
		}
		json_array_append_new(ns, json_integer((json_int_t)n));
		json_array_append_new(warm, json_integer((json_int_t)w));
		maxn = n > maxn ? n : maxn;
	}
	for (size_t r = 0; x && r < nruns; r++)
		x[r] = malloc((maxn + 1) * sizeof(double));
	if (cols)
		fl_cmp_mark_primary(cols, ncol);
	fl_cmp_label_of(g->params, g->resolved, vkeys, NULL, label, sizeof(label));
	gj = json_pack("{s:s, s:O, s:s, s:s, s:o, s:o}", "workload", g->workload, "params",
		       g->params, "label", label, "ops_unit", ops_unit ? ops_unit : "op", "n", ns,
		       "warmups_excluded", warm);
	if (sweep)
		json_object_set_new(gj, "sweep", sweep);
	prec = has ? fl_cmp_precision_of(runs, nruns, g, has) : NULL;
	if (prec)
		json_object_set_new(gj, "precision", prec);
	if (json_is_object(g->resolved) && json_object_size(g->resolved))
		json_object_set(gj, "resolved", g->resolved);
	for (size_t k = 0; x && nx && k < ncol; k++) {
		for (int po = 0; po < 2; po++) {
			struct fl_cmp_col c = cols[k];
			json_t *m, *rs, *comps, *base, *nf;
			char name[300], unit[80];
			enum fl_family famk;
			bool count;

			if (po && (c.kind == FL_ITEM_METRIC || !ops_unit))
				break;
			rs = json_array();
			comps = json_array();
			if (po) {
				c.per_op = true;
				snprintf(name, sizeof(name), "%s/%s", c.name, ops_unit);
				snprintf(unit, sizeof(unit), "%s/%s", c.unit && strcmp(c.unit,
					 "count") ? c.unit : "", ops_unit);
				if (unit[0] == '/')
					snprintf(unit, sizeof(unit), "per %s", ops_unit);
			} else {
				snprintf(name, sizeof(name), "%s", c.name);
				snprintf(unit, sizeof(unit), "%s", c.unit ? c.unit : "");
			}
			fl_utf8_cut(name);
			fl_utf8_cut(unit);
			for (size_t r = 0; r < nruns; r++) {
				const char *reason, *st;
				size_t nc;

				st = fl_cmp_values_of(&runs[r], g->key, &c, x[r], &nx[r], &nc,
						      &reason);
				json_array_append_new(rs, fl_cmp_run_stats(st, reason, x[r],
									   nx[r]));
			}
			base = json_array_get(rs, 0);
			famk = fl_cmp_family_of_col(&c, unit, &count);
			nf = po || c.kind != FL_ITEM_METRIC ? NULL :
			     json_object_get(json_object_get(fo->noise, g->key), c.name);
			for (size_t r = 1; r < nruns; r++)
				json_array_append_new(comps, fl_cmp_compare_one(x[0], nx[0], base,
						      x[r], nx[r], json_array_get(rs, r),
						      runs[r].label, &c, o, &fam[famk]));
			fl_cmp_comps_mark(comps, count, nf);
			m = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name", name, "kind",
				      c.kind == FL_ITEM_METRIC ? "metric" : c.kind == FL_ITEM_IPI ?
				      "ipi" : c.kind == FL_ITEM_VMSTAT ? "vmstat" : "counter",
				      "unit", unit, "better", c.better == 'h' ? "higher" :
				      c.better == 'l' ? "lower" : "none", "per_op", po, "runs", rs,
				      "comparisons", comps);
			json_object_set_new(m, "family", json_string(fl_family_name(famk)));
			if (c.primary)
				json_object_set_new(m, "primary", json_true());
			if (nf)
				json_object_set(m, "noise_floor", nf);
			json_array_append_new(metrics, m);
		}
	}
	json_object_set_new(gj, "metrics", metrics);
	for (size_t r = 0; x && r < nruns; r++)
		free(x[r]);
	free(x);
	free(nx);
	free(has);
	free(cols);
	return gj;
}

json_t *fl_compare_build(struct fl_run *runs, size_t nruns, const struct fl_cmp_opts *o,
			 char *err, size_t errlen)
{
	return fl_compare_build_floors(runs, nruns, o, NULL, err, errlen);
}

json_t *fl_compare_build_floors(struct fl_run *runs, size_t nruns, const struct fl_cmp_opts *o,
				const struct fl_cmp_floors *fo, char *err, size_t errlen)
{
	size_t total = 0, ng = 0;
	struct fl_cmp_grp *g;
	struct fl_cmp_family fam[FL_FAM_N] = { { .comps = json_array() },
						{ .comps = json_array() },
						{ .comps = json_array() } };
	json_t *doc, *ids = json_array(), *groups = json_array(), *vk = json_object();
	char legend[512];

	if (!fo)
		fo = &no_floors;
	if (fl_cmp_check_shared(runs, nruns, err, errlen))
		goto fail;
	for (size_t r = 0; r < nruns; r++)
		total += runs[r].ncases;
	g = calloc(total + 1, sizeof(*g));
	if (!g) {
		fl_seterr(err, errlen, "out of memory comparing %zu case documents", total);
		goto fail;
	}
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].ncases; i++)
			fl_cmp_groups_add(g, &ng, &runs[r].cases[i]);
		json_array_append_new(ids, fl_cmp_identity_of(&runs[r]));
	}
	for (size_t i = 0; i < ng; i++)
		if (!json_object_get(vk, g[i].workload))
			json_object_set_new(vk, g[i].workload,
					    fl_cmp_varying_keys(g, ng, g[i].workload));
	for (size_t i = 0; i < ng; i++) {
		json_t *keys = json_object_get(vk, g[i].workload);

		json_array_append_new(groups, group_json(runs, nruns, &g[i], keys,
							 fl_cmp_sweep_of(g, ng, i, keys), o, fo,
							 fam));
	}
	fl_cmp_name_runs(ids);
	for (int f = 0; f < FL_FAM_N; f++)
		fl_cmp_family_finish(&fam[f], o, fo);
	snprintf(legend, sizeof(legend), "%s", fl_correction_name(o->correction));
	doc = json_pack("{s:s, s:s, s:s, s:f, s:f, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
		"schema", FL_COMPARE_SCHEMA, "test", fl_cmp_test_name(o->test),
		"ci", fl_cmp_ci_name(o->test), "alpha", o->alpha, "confidence", o->level,
		"correction", legend,
		"family_metrics", (json_int_t)fam[FL_FAM_METRICS].n,
		"family_counts", (json_int_t)fam[FL_FAM_COUNTS].n,
		"family_counters", (json_int_t)fam[FL_FAM_COUNTERS].n,
		"runs", ids, "differences", fl_cmp_differences_of(ids), "groups", groups,
		"problems", fl_cmp_problems_of(runs, nruns, vk));
	json_object_set_new(doc, "primary_share", json_real(FL_CMP_PRIMARY_SHARE));
	json_object_set_new(doc, "conditions", fl_cmp_conditions_of(runs, nruns));
	json_object_set_new(doc, "floors", json_pack("{s:f, s:f, s:f, s:b}", "min_effect_pct",
			    fo->min_effect_pct, "count_min_delta", FL_COUNT_MIN_DELTA,
			    "count_min_rel_pct", FL_COUNT_MIN_REL_PCT, "noise", fo->noise != NULL));
	free(g);
	json_decref(vk);
	for (int f = 0; f < FL_FAM_N; f++) {
		json_decref(fam[f].comps);
		free(fam[f].p);
	}
	return doc;
fail:
	json_decref(ids);
	json_decref(groups);
	json_decref(vk);
	for (int f = 0; f < FL_FAM_N; f++)
		json_decref(fam[f].comps);
	return NULL;
}
