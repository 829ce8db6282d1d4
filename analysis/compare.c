// SPDX-License-Identifier: GPL-2.0
/* Building the comparison document: groups (workload + parameters) across runs, per item
 * statistics per run, tests against the base, one multiple-testing correction per family
 * (workload metrics; counters), problems, kernel identities and their differences. */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bootstrap.h"
#include "compare.h"
#include "conditions.h"
#include "counts.h"
#include "fl_safe.h"
#include "fl_util.h"

struct grp {
	const char *workload, *key;
	json_t *params, *resolved;
};

/* An item name seen in a group, in output order. */
struct col {
	char *name;		/* the item's name */
	char *shown;		/* name shown: "page-faults/record" for per-op rows */
	const char *unit;
	char kind, better;
	bool per_op;
};

struct family {
	json_t *comps;		/* comparison objects in this family */
	double *p;
	size_t n, cap;
};

double fl_cmp_num(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

char fl_cmp_outlier_mark(json_t *st)
{
	json_t *o = json_object_get(st, "outliers");

	if (json_integer_value(json_object_get(o, "low_severe")) +
	    json_integer_value(json_object_get(o, "high_severe")))
		return 'O';
	if (json_integer_value(json_object_get(o, "low_mild")) +
	    json_integer_value(json_object_get(o, "high_mild")))
		return 'o';
	return ' ';
}

void fl_cmp_opts_default(struct fl_cmp_opts *o, struct fl_cmp_floors *f)
{
	*o = (struct fl_cmp_opts){ FL_TEST_AUTO, FL_CORR_HOLM, 0.05, 0.95 };
	*f = (struct fl_cmp_floors){ FL_MIN_EFFECT_PCT, NULL };
}

static const struct fl_cmp_floors no_floors = { 0, NULL };

const char *fl_cmp_test_name(enum fl_cmp_test t)
{
	switch (t) {
	case FL_TEST_MWU:
		return "mann-whitney";
	case FL_TEST_BOOTSTRAP:
		return "bootstrap";
	case FL_TEST_AUTO:
		return "auto";
	default:
		return "welch";
	}
}

/* The name of the CI a test gives (a comparison's "ci", the document's for one test). */
static const char *ci_name(enum fl_cmp_test t)
{
	switch (t) {
	case FL_TEST_MWU:
		return "Hodges-Lehmann";
	case FL_TEST_BOOTSTRAP:
		return "bootstrap percentile";
	case FL_TEST_AUTO:
		return "per comparison";
	default:
		return "Welch-Satterthwaite";
	}
}

const char *fl_cmp_ci_of(json_t *cmp)
{
	const char *ci = json_string_value(json_object_get(cmp, "ci")) ?: "";

	if (!strcmp(ci, "Hodges-Lehmann"))
		return "the Hodges-Lehmann shift (median of the pairwise differences)";
	if (!strcmp(ci, "bootstrap percentile"))
		return "the difference of means (percentile bootstrap, 10,000 resamples)";
	if (!strcmp(ci, "per comparison"))
		return "the difference of means, by each comparison's own test (Welch-Satterthwaite; "
		       "percentile bootstrap where a sample is skewed or heavy-tailed)";
	return "the difference of means (Welch-Satterthwaite df)";
}

json_t *fl_cmp_sweep_metric(json_t *group, const char *family, const char *name)
{
	json_t *sw = json_object_get(group, "sweep"), *m, *found = NULL;
	const char *fam = json_string_value(json_object_get(sw, "family")) ?: "-";
	size_t i;

	if (!sw || strcmp(fam, family))
		return NULL;
	json_array_foreach(json_object_get(group, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")) ?: "-", name))
			found = m;
	return found;
}

static json_t *num(double v)
{
	if (v == 0)
		v = 0;		/* never -0 */
	return isfinite(v) ? json_real(v) : json_null();
}

void fl_fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a >= 1e6 || (a < 1e-3 && a != 0))
		snprintf(buf, len, "%.2e", v);
	else if (a >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

/* Cut a string that snprintf truncated back to whole UTF-8 characters (Jansson takes only
 * valid UTF-8: a half character would lose the whole row). */
void fl_utf8_cut(char *buf)
{
	size_t n = strlen(buf), i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (!i)
		return;
	lead = (unsigned char)buf[i - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < need)
		buf[i - 1] = '\0';
}

/* A copy of text for a terminal or a Markdown table: control characters '?' (fl_text_clean);
 * in Markdown also '|' escaped, '<' and '>' as entities and '`' as '\''. */
char *fl_text_shown(const char *text, bool md)
{
	size_t n = strlen(text);
	char *c = malloc(n + 1), *o = malloc(4 * n + 1), *p = o;

	if (!c || !o) {
		free(c);
		free(o);
		return NULL;
	}
	fl_text_clean(c, n + 1, text);
	for (const char *q = c; *q; q++) {
		if (md && *q == '|')
			p += sprintf(p, "\\|");
		else if (md && (*q == '<' || *q == '>'))
			p += sprintf(p, "%s", *q == '<' ? "&lt;" : "&gt;");
		else
			*p++ = md && *q == '`' ? '\'' : *q;
	}
	*p = '\0';
	free(c);
	return o;
}

/* A string value as shown (fl_text_shown), a new reference; "?" when out of memory. */
static json_t *shown_string(json_t *str, bool md)
{
	char *t = fl_text_shown(json_string_value(str), md);
	json_t *s = json_string(t ? t : "?");

	free(t);
	return s;
}

static void shown_walk(json_t *v, bool md)
{
	const char *k;
	json_t *m;
	size_t i;

	json_object_foreach(v, k, m) {
		if (json_is_string(m))
			json_object_set_new(v, k, shown_string(m, md));
		else
			shown_walk(m, md);
	}
	json_array_foreach(v, i, m) {
		if (json_is_string(m))
			json_array_set_new(v, i, shown_string(m, md));
		else
			shown_walk(m, md);
	}
}

json_t *fl_cmp_shown(json_t *cmp, bool md)
{
	json_t *c = json_deep_copy(cmp);

	shown_walk(c, md);
	return c;
}

static size_t groups_add(struct grp *g, size_t *ng, const struct fl_run_case *c)
{
	for (size_t i = 0; i < *ng; i++)
		if (!strcmp(g[i].key, c->key))
			return i;
	g[*ng] = (struct grp){ c->workload, c->key, c->params, c->resolved };
	return (*ng)++;
}

/* Parameters of a workload whose value differs between its groups: the label's keys. */
static json_t *varying_keys(struct grp *g, size_t ng, const char *wl)
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

void fl_cmp_value_str(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : json_is_false(v) ? "false" :
			 "null");
	fl_utf8_cut(buf);
}

/* "threads=2 jobs=half(-j1)": the params in keys (all of them if keys is empty), skipping
 * skip, each with what the case resolved it to (resolved may be NULL). */
static void label_of(json_t *params, json_t *resolved, json_t *keys, const char *skip,
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
static json_t *sweep_of(struct grp *g, size_t ng, size_t gi, json_t *vkeys)
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
				label_of(g[gi].params, g[gi].resolved, vkeys, k, fam, sizeof(fam));
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
	const struct col *x = a, *y = b;

	return kind_rank(x->kind) - kind_rank(y->kind);
}

/* The columns (items) of one group over all runs, stable-sorted by kind, per-op rows after
 * their raw row. */
static struct col *columns_of(struct fl_run *runs, size_t nruns, const char *key, size_t *ncol)
{
	struct col *c = NULL;
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
					struct col *nc;

					cap = cap ? cap * 2 : 64;
					nc = realloc(c, cap * sizeof(*c));
					if (!nc)
						goto out;
					c = nc;
				}
				c[n++] = (struct col){ it->name, it->name, it->unit, it->kind,
						       it->better, false };
			}
		}
out:
	/* stable insertion sort by kind: first-seen order stays within a kind */
	for (size_t j = 1; j < n; j++)
		for (size_t i = j; i > 0 && cmp_col(&c[i - 1], &c[i]) > 0; i--) {
			struct col t = c[i];

			c[i] = c[i - 1];
			c[i - 1] = t;
		}
	*ncol = n;
	return c;
}

/* Values of one column for one run's measured cases of a group. */
static const char *values_of(struct fl_run *r, const char *key, const struct col *c, double *x,
			     size_t *nx, size_t *ncases, const char **reason)
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

/* Tukey's fences of one run's values: the counts of each class and the indices (into
 * "values") of the flagged ones; NULL below FL_OUTLIER_MIN_N values. */
static json_t *outliers_json(const double *x, size_t n)
{
	unsigned char *cls = n >= FL_OUTLIER_MIN_N ? malloc(n) : NULL;
	struct fl_outliers ol;
	json_t *o, *idx;

	if (!cls || fl_outliers(x, n, &ol, cls)) {
		free(cls);
		return NULL;
	}
	idx = json_array();
	for (size_t i = 0; i < n; i++)
		if (cls[i] != FL_OUT_NONE)
			json_array_append_new(idx, json_integer((json_int_t)i));
	free(cls);
	o = json_pack("{s:I, s:I, s:I, s:I, s:o}", "low_severe", (json_int_t)ol.low_severe,
		      "low_mild", (json_int_t)ol.low_mild, "high_mild", (json_int_t)ol.high_mild,
		      "high_severe", (json_int_t)ol.high_severe, "indices", idx);
	return o;
}

static json_t *run_stats(const char *status, const char *reason, const double *x, size_t n)
{
	struct fl_desc d;
	json_t *o = json_pack("{s:s, s:I}", "status", status, "n", (json_int_t)n), *vals, *ol;

	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	if (strcmp(status, "ok"))
		return o;
	fl_describe(x, n, &d);
	json_object_set_new(o, "mean", num(d.mean));
	json_object_set_new(o, "sd", num(d.sd));
	json_object_set_new(o, "cov", num(d.cov));
	json_object_set_new(o, "min", num(d.min));
	json_object_set_new(o, "max", num(d.max));
	json_object_set_new(o, "hmean", num(d.hmean));
	vals = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(vals, num(x[i]));
	json_object_set_new(o, "values", vals);
	json_object_set_new(o, "skewness", num(fl_skewness(x, n)));
	ol = outliers_json(x, n);
	if (ol)
		json_object_set_new(o, "outliers", ol);
	return o;
}

static int family_add(struct family *f, json_t *comp, double p)
{
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		double *np = realloc(f->p, nc * sizeof(double));

		if (!np)
			return -1;
		f->p = np;
		f->cap = nc;
	}
	f->p[f->n++] = p;
	json_array_append(f->comps, comp);
	return 0;
}

/* The test of one comparison: the one asked for, or auto's pick. */
static enum fl_cmp_test test_of(const struct fl_cmp_opts *o, const double *a, size_t na,
				const double *b, size_t nb)
{
	if (o->test != FL_TEST_AUTO)
		return o->test;
	return fl_auto_wants_bootstrap(a, na, b, nb) ? FL_TEST_BOOTSTRAP : FL_TEST_WELCH;
}

static int run_test(enum fl_cmp_test which, const double *a, size_t na, const double *b,
		    size_t nb, double level, struct fl_test *t)
{
	if (which == FL_TEST_MWU)
		return fl_mwu(a, na, b, nb, level, t);
	if (which == FL_TEST_BOOTSTRAP)
		return fl_bootstrap(a, na, b, nb, level, FL_BOOT_RESAMPLES, FL_BOOT_SEED, t);
	return fl_welch(a, na, b, nb, level, t);
}

static json_t *compare_one(const double *a, size_t na, json_t *sa, const double *b, size_t nb,
			   json_t *sb, const char *label, const struct col *c,
			   const struct fl_cmp_opts *o, struct family *fam)
{
	json_t *comp = json_pack("{s:s}", "run", label);
	double ma = fl_cmp_num(json_object_get(sa, "mean"));
	double mb = fl_cmp_num(json_object_get(sb, "mean"));
	enum fl_cmp_test which;
	struct fl_test t;
	int bad;

	if (strcmp(json_string_value(json_object_get(sa, "status")), "ok") ||
	    strcmp(json_string_value(json_object_get(sb, "status")), "ok")) {
		json_object_set_new(comp, "verdict", json_string("n/a"));
		json_object_set_new(comp, "direction", json_string("n/a"));
		return comp;
	}
	json_object_set_new(comp, "delta_pct", num(ma != 0 ? 100 * (mb - ma) / fabs(ma) : NAN));
	json_object_set_new(comp, "delta_better_pct", num(ma == 0 || c->better == 'n' ? NAN :
			    (c->better == 'h' ? 100 : -100) * (mb - ma) / fabs(ma)));
	json_object_set_new(comp, "direction", json_string(mb == ma ? "same" : "~"));
	if (na < 3 || nb < 3) {
		json_object_set_new(comp, "verdict", json_string("too few samples"));
		return comp;
	}
	which = test_of(o, a, na, b, nb);
	bad = run_test(which, a, na, b, nb, o->level, &t);
	if (bad) {
		json_object_set_new(comp, "verdict", json_string("n/a"));
		return comp;
	}
	json_object_set_new(comp, "test", json_string(fl_cmp_test_name(which)));
	json_object_set_new(comp, "ci", json_string(ci_name(which)));
	if (which == FL_TEST_BOOTSTRAP)
		json_object_set_new(comp, "resamples", json_integer(FL_BOOT_RESAMPLES));
	json_object_set_new(comp, "statistic", num(t.stat));
	json_object_set_new(comp, "df", num(t.df));
	json_object_set_new(comp, "p_value", num(t.p));
	json_object_set_new(comp, "ci_low", num(t.ci_low));
	json_object_set_new(comp, "ci_high", num(t.ci_high));
	json_object_set_new(comp, "ci_low_pct", num(ma != 0 ? 100 * t.ci_low / fabs(ma) : NAN));
	json_object_set_new(comp, "ci_high_pct", num(ma != 0 ? 100 * t.ci_high / fabs(ma) : NAN));
	if (which == FL_TEST_MWU) {
		json_object_set_new(comp, "method", json_string(t.exact ? "exact" : "normal"));
		json_object_set_new(comp, "shift", num(t.estimate));
		json_object_set_new(comp, "shift_pct", num(ma != 0 ? 100 * t.estimate / fabs(ma) :
							   NAN));
	}
	json_object_set_new(comp, "better_dir", json_string(c->better == 'h' ? "higher" :
							    c->better == 'l' ? "lower" : "none"));
	json_object_set_new(comp, "base_mean", num(ma));
	json_object_set_new(comp, "spread", num(fmax(fl_cmp_num(json_object_get(sa, "sd")),
						     fl_cmp_num(json_object_get(sb, "sd")))));
	json_object_set_new(comp, "delta", num(mb - ma));
	family_add(fam, comp, t.p);
	return comp;
}

/* The verdict of comparison c, significant or not after correction: the one rule of
 * counts.h (fl_decide) with the floor of its metric (a count's, or the minimum effect, and
 * the history's noise floor where o->noise has one). */
static void decide(json_t *c, bool sig, const struct fl_cmp_floors *fo)
{
	const char *b = json_string_value(json_object_get(c, "better_dir"));
	json_t *cnt = json_object_get(c, "count_rule");
	double noise = fl_cmp_num(json_object_get(c, "noise_pct"));
	struct fl_floor f;
	const char *v;
	bool beyond;

	fl_floor_of(json_is_true(cnt), fl_cmp_num(json_object_get(c, "base_mean")),
		    fo->min_effect_pct, noise, fl_cmp_num(json_object_get(c, "spread")), &f);
	v = fl_decide(sig, fl_cmp_num(json_object_get(c, "delta")), b[0], &f, &beyond);
	json_object_set_new(c, "floor", json_pack("{s:o, s:o, s:s}", "abs", num(f.abs), "pct",
						  num(f.pct), "source", f.source));
	json_object_set_new(c, "beyond_floor", json_boolean(beyond));
	json_object_set_new(c, "verdict", json_string(v));
	if (strcmp(v, "no change"))
		json_object_set_new(c, "direction", json_string(v));
}

static void family_finish(struct family *f, const struct fl_cmp_opts *o,
			  const struct fl_cmp_floors *fo)
{
	double *adj = f->n ? malloc(f->n * sizeof(double)) : NULL;

	if (f->n && (!adj || fl_p_adjust(f->p, f->n, o->correction, adj))) {
		free(adj);
		return;
	}
	for (size_t i = 0; i < f->n; i++) {
		json_t *c = json_array_get(f->comps, i);
		bool sig = adj[i] < o->alpha;

		json_object_set_new(c, "p_adjusted", num(adj[i]));
		json_object_set_new(c, "significant", json_boolean(sig));
		decide(c, sig, fo);
		json_object_del(c, "better_dir");
		json_object_del(c, "base_mean");
		json_object_del(c, "count_rule");
		json_object_del(c, "noise_pct");
		json_object_del(c, "spread");
	}
	free(adj);
}

/* The family of column c shown with unit, and whether the count rule decides it. */
static enum fl_family family_of_col(const struct col *c, const char *unit, bool *count)
{
	*count = fl_unit_is_count(unit);
	return fl_family_of(c->kind == FL_ITEM_METRIC, unit);
}

/* Mark each comparison of comps (a metric's) with what its verdict needs: the count rule
 * and the history's noise floor (nf, may be NULL). */
static void comps_mark(json_t *comps, bool count, json_t *nf)
{
	json_t *c;
	size_t i;

	json_array_foreach(comps, i, c) {
		if (!json_object_get(c, "better_dir"))
			continue;	/* not tested */
		json_object_set_new(c, "count_rule", json_boolean(count));
		if (json_is_number(json_object_get(nf, "floor_pct")))
			json_object_set(c, "noise_pct", json_object_get(nf, "floor_pct"));
	}
}

static json_t *group_json(struct fl_run *runs, size_t nruns, struct grp *g, json_t *vkeys,
			  json_t *sweep, const struct fl_cmp_opts *o,
			  const struct fl_cmp_floors *fo, struct family *fam)
{
	size_t ncol = 0, maxn = 0;
	struct col *cols = columns_of(runs, nruns, g->key, &ncol);
	json_t *gj, *metrics = json_array(), *ns = json_array(), *warm = json_array();
	const char *ops_unit = NULL;
	char label[1024];
	double **x = calloc(nruns, sizeof(double *));
	size_t *nx = calloc(nruns, sizeof(size_t));

	for (size_t r = 0; r < nruns; r++) {
		size_t n = 0, w = 0;

		for (size_t i = 0; i < runs[r].ncases; i++) {
			struct fl_run_case *cs = &runs[r].cases[i];

			if (strcmp(cs->key, g->key))
				continue;
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
	label_of(g->params, g->resolved, vkeys, NULL, label, sizeof(label));
	gj = json_pack("{s:s, s:O, s:s, s:s, s:o, s:o}", "workload", g->workload, "params",
		       g->params, "label", label, "ops_unit", ops_unit ? ops_unit : "op", "n", ns,
		       "warmups_excluded", warm);
	if (sweep)
		json_object_set_new(gj, "sweep", sweep);
	if (json_is_object(g->resolved) && json_object_size(g->resolved))
		json_object_set(gj, "resolved", g->resolved);
	for (size_t k = 0; x && nx && k < ncol; k++) {
		for (int po = 0; po < 2; po++) {
			struct col c = cols[k];
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

				st = values_of(&runs[r], g->key, &c, x[r], &nx[r], &nc, &reason);
				json_array_append_new(rs, run_stats(st, reason, x[r], nx[r]));
			}
			base = json_array_get(rs, 0);
			famk = family_of_col(&c, unit, &count);
			nf = po || c.kind != FL_ITEM_METRIC ? NULL :
			     json_object_get(json_object_get(fo->noise, g->key), c.name);
			for (size_t r = 1; r < nruns; r++)
				json_array_append_new(comps, compare_one(x[0], nx[0], base, x[r],
						      nx[r], json_array_get(rs, r), runs[r].label,
						      &c, o, &fam[famk]));
			comps_mark(comps, count, nf);
			m = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name", name, "kind",
				      c.kind == FL_ITEM_METRIC ? "metric" : c.kind == FL_ITEM_IPI ?
				      "ipi" : c.kind == FL_ITEM_VMSTAT ? "vmstat" : "counter",
				      "unit", unit, "better", c.better == 'h' ? "higher" :
				      c.better == 'l' ? "lower" : "none", "per_op", po, "runs", rs,
				      "comparisons", comps);
			json_object_set_new(m, "family", json_string(fl_family_name(famk)));
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
	free(cols);
	return gj;
}

static json_t *problems_of(struct fl_run *runs, size_t nruns, json_t *vkeys_by_wl)
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
			label_of(c->params, c->resolved, json_object_get(vkeys_by_wl, c->workload),
				 NULL, label, sizeof(label));
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

static json_t *str_or_null(json_t *v)
{
	return json_is_string(v) ? json_incref(v) : json_null();
}

static json_t *identity_of(struct fl_run *r)
{
	json_t *k = json_object_get(r->info, "kernel"), *t = json_object_get(r->info, "target");
	json_t *cfg = json_object_get(json_object_get(k, "config"), "sha256");
	json_t *ps = json_object_get(k, "patchset");

	if (!json_is_string(cfg))
		cfg = json_object_get(k, "config_sha256");
	return json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:{s:o, s:o, s:o, s:O, s:o, s:o, s:O}, "
			 "s:{s:o, s:o, s:O, s:o}}",
		"label", r->label, "dir", r->dir, "id", str_or_null(json_object_get(r->info, "id")),
		"state", r->state, "cases", (json_int_t)r->ncases,
		"skipped", (json_int_t)json_array_size(r->skipped),
		"kernel", "release", str_or_null(json_object_get(k, "release")),
		"candidate", str_or_null(json_object_get(k, "candidate")),
		"base", str_or_null(json_object_get(k, "base")),
		"patchset", json_is_object(ps) ? ps : json_null(),
		"config_sha256", str_or_null(cfg),
		"cmdline", str_or_null(json_object_get(k, "cmdline")),
		"mechanisms", json_is_object(json_object_get(k, "mechanisms")) ?
			json_object_get(k, "mechanisms") : json_null(),
		"target", "kind", str_or_null(json_object_get(t, "kind")),
		"arch", str_or_null(json_object_get(t, "arch")),
		"cpus", json_is_integer(json_object_get(t, "cpus")) ? json_object_get(t, "cpus") :
			json_null(),
		"accel", str_or_null(json_object_get(t, "accel")));
}

/* The kernel's name of a run: its candidate, else its release, else its directory's name. */
static void base_name(json_t *r, char *buf, size_t len)
{
	json_t *k = json_object_get(r, "kernel");
	const char *n = json_string_value(json_object_get(k, "candidate"));
	const char *dir = json_string_value(json_object_get(r, "dir")), *slash;

	if (!n || !*n)
		n = json_string_value(json_object_get(k, "release"));
	if ((!n || !*n) && dir) {
		size_t dl = strlen(dir);

		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		for (slash = dir + dl; slash > dir && slash[-1] != '/'; slash--)
			;
		snprintf(buf, len, "%.*s", (int)(dir + dl - slash), slash);
		fl_utf8_cut(buf);
		return;
	}
	snprintf(buf, len, "%s", n && *n ? n : json_string_value(json_object_get(r, "label")));
	fl_utf8_cut(buf);
}

static size_t same_name(json_t *ids, size_t i, const char *field)
{
	const char *n = json_string_value(json_object_get(json_array_get(ids, i), field));
	size_t same = 0, j;
	json_t *r;

	json_array_foreach(ids, j, r)
		same += j != i && !strcmp(n, json_string_value(json_object_get(r, field)) ?: "");
	return same;
}

/* Each run's "name" for column heads: the kernel's name; runs sharing it are told apart by
 * their start time (HH:MM of the run id), then by their label. */
static void name_runs(json_t *ids)
{
	char name[96], n2[112];
	json_t *r;
	size_t i;

	json_array_foreach(ids, i, r) {
		base_name(r, name, 41);
		json_object_set_new(r, "name", json_string(name));
	}
	json_array_foreach(ids, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));

		snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(r, "name")));
		if (!same_name(ids, i, "name"))
			continue;
		if (id && strlen(id) >= 13 && id[8] == '-' && strspn(id, "0123456789") == 8 &&
		    strspn(id + 9, "0123456789") >= 4)
			snprintf(n2, sizeof(n2), "%s %.2s:%.2s", name, id + 9, id + 11);
		else
			snprintf(n2, sizeof(n2), "%s", name);
		json_object_set_new(r, "name2", json_string(n2));
	}
	json_array_foreach(ids, i, r) {
		json_t *n2j = json_object_get(r, "name2");

		if (!n2j)
			continue;
		snprintf(name, sizeof(name), "%s", json_string_value(n2j));
		if (same_name(ids, i, "name2"))	/* same start: the label alone */
			snprintf(n2, sizeof(n2), "%s %s", json_string_value(json_object_get(r,
				 "name")), json_string_value(json_object_get(r, "label")));
		else
			snprintf(n2, sizeof(n2), "%s", name);
		json_object_set_new(r, "shown_name", json_string(n2));
	}
	json_array_foreach(ids, i, r) {
		json_t *sn = json_object_get(r, "shown_name");

		if (sn)
			json_object_set(r, "name", sn);
		json_object_del(r, "name2");
		json_object_del(r, "shown_name");
	}
}

static void diff_field(json_t *diffs, json_t *runs, const char *what, const char *sect,
		       const char *field, bool long_value)
{
	json_t *first = json_object_get(json_object_get(json_array_get(runs, 0), sect), field);
	char line[1024], val[128];
	size_t i, off;
	json_t *r;
	bool differ = false;

	json_array_foreach(runs, i, r)
		differ |= !json_equal(first, json_object_get(json_object_get(r, sect), field));
	if (!differ)
		return;
	if (long_value) {
		json_array_append_new(diffs, json_pack("s+", what, " differs between the runs"));
		return;
	}
	off = (size_t)snprintf(line, sizeof(line), "%s:", what);
	json_array_foreach(runs, i, r) {
		json_t *v = json_object_get(json_object_get(r, sect), field);

		if (json_is_object(v))
			snprintf(val, sizeof(val), "%s v%lld", json_string_value(json_object_get(v,
				 "name")) ?: "?", (long long)json_integer_value(json_object_get(v,
				 "version")));
		else
			fl_cmp_value_str(v ? v : json_null(), val, sizeof(val));
		if (!strcmp(field, "config_sha256") && strlen(val) > 12)
			val[12] = '\0';
		fl_utf8_cut(val);
		if (off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %s",
				json_string_value(json_object_get(r, "label")), val);
	}
	fl_utf8_cut(line);
	json_array_append_new(diffs, json_string(line));
}

static json_t *differences_of(json_t *ids)
{
	json_t *d = json_array(), *mech = json_object(), *r, *v;
	const char *k;
	size_t i;

	diff_field(d, ids, "release", "kernel", "release", false);
	diff_field(d, ids, "candidate", "kernel", "candidate", false);
	diff_field(d, ids, "base", "kernel", "base", false);
	diff_field(d, ids, "patchset", "kernel", "patchset", false);
	diff_field(d, ids, "config sha256", "kernel", "config_sha256", false);
	diff_field(d, ids, "cmdline", "kernel", "cmdline", true);
	diff_field(d, ids, "target", "target", "kind", false);
	diff_field(d, ids, "arch", "target", "arch", false);
	diff_field(d, ids, "cpus", "target", "cpus", false);
	diff_field(d, ids, "accel", "target", "accel", false);
	json_array_foreach(ids, i, r)
		json_object_foreach(json_object_get(json_object_get(r, "kernel"), "mechanisms"), k, v)
			json_object_set_new(mech, k, json_true());
	json_object_foreach(mech, k, v) {
		char what[160];
		json_t *tmp = json_array();

		json_array_foreach(ids, i, r) {
			json_t *m = json_object_get(json_object_get(json_object_get(r, "kernel"),
						    "mechanisms"), k);

			json_array_append_new(tmp, json_pack("{s:s, s:{s:O}}", "label",
					      json_string_value(json_object_get(r, "label")), "k",
					      "v", m ? m : json_null()));
		}
		snprintf(what, sizeof(what), "CONFIG_%s", k);
		fl_utf8_cut(what);
		diff_field(d, tmp, what, "k", "v", false);
		json_decref(tmp);
	}
	json_decref(mech);
	return d;
}

/* Runs that share no group with the base: one sentence naming what differs. */
static int check_shared(struct fl_run *runs, size_t nruns, char *err, size_t errlen)
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

/* How each run's recorded host conditions (run.json run.conditions: faultline doctor) differ
 * from the first run's, as sentences: a difference in numbers may be the machine's. */
static json_t *conditions_of(struct fl_run *runs, size_t nruns)
{
	json_t *out = json_array();

	for (size_t r = 1; r < nruns; r++) {
		json_t *d = fl_conditions_diff_named(fl_run_conditions(runs[0].info),
						     fl_run_conditions(runs[r].info),
						     runs[0].label, runs[r].label);

		json_array_extend(out, d);
		json_decref(d);
	}
	return out;
}

bool fl_cmp_group_measured(json_t *g)
{
	json_t *n;
	size_t i;

	json_array_foreach(json_object_get(g, "n"), i, n)
		if (json_integer_value(n) > 0)
			return true;
	return false;
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
	struct grp *g;
	struct family fam[FL_FAM_N] = { { json_array(), NULL, 0, 0 }, { json_array(), NULL, 0, 0 },
					{ json_array(), NULL, 0, 0 } };
	json_t *doc, *ids = json_array(), *groups = json_array(), *vk = json_object();
	char legend[512];

	if (!fo)
		fo = &no_floors;
	if (check_shared(runs, nruns, err, errlen))
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
			groups_add(g, &ng, &runs[r].cases[i]);
		json_array_append_new(ids, identity_of(&runs[r]));
	}
	for (size_t i = 0; i < ng; i++)
		if (!json_object_get(vk, g[i].workload))
			json_object_set_new(vk, g[i].workload, varying_keys(g, ng, g[i].workload));
	for (size_t i = 0; i < ng; i++) {
		json_t *keys = json_object_get(vk, g[i].workload);

		json_array_append_new(groups, group_json(runs, nruns, &g[i], keys,
							 sweep_of(g, ng, i, keys), o, fo, fam));
	}
	name_runs(ids);
	for (int f = 0; f < FL_FAM_N; f++)
		family_finish(&fam[f], o, fo);
	snprintf(legend, sizeof(legend), "%s", fl_correction_name(o->correction));
	doc = json_pack("{s:s, s:s, s:s, s:f, s:f, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
		"schema", FL_COMPARE_SCHEMA, "test", fl_cmp_test_name(o->test),
		"ci", ci_name(o->test), "alpha", o->alpha, "confidence", o->level,
		"correction", legend,
		"family_metrics", (json_int_t)fam[FL_FAM_METRICS].n,
		"family_counts", (json_int_t)fam[FL_FAM_COUNTS].n,
		"family_counters", (json_int_t)fam[FL_FAM_COUNTERS].n,
		"runs", ids, "differences", differences_of(ids), "groups", groups,
		"problems", problems_of(runs, nruns, vk));
	json_object_set_new(doc, "conditions", conditions_of(runs, nruns));
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

bool fl_cmp_glob_match(json_t *globs, const char *name)
{
	json_t *g;
	size_t i;

	json_array_foreach(globs, i, g)
		if (!fnmatch(json_string_value(g), name, 0))
			return true;
	return false;
}

json_t *fl_cmp_globs(const char *list, char *err, size_t errlen)
{
	json_t *globs = json_array();
	const char *p = list;

	while (globs) {
		size_t n = strcspn(p, ",");
		char g[256];

		if (!n || n >= sizeof(g)) {
			fl_seterr(err, errlen, "--metrics %s: expected comma-separated metric "
				  "names or globs (fnmatch: *, ?, [...]), each 1 to 255 characters, "
				  "e.g. records_per_s,elapsed_s or 'lat_*'", list);
			json_decref(globs);
			return NULL;
		}
		snprintf(g, sizeof(g), "%.*s", (int)n, p);
		json_array_append_new(globs, json_string(g));
		if (!p[n])
			break;
		p += n + 1;
	}
	return globs;
}

int fl_cmp_filter(json_t *cmp, const char *list, char *err, size_t errlen)
{
	json_t *globs = fl_cmp_globs(list, err, errlen), *groups = json_object_get(cmp, "groups");
	json_t *kept = json_array(), *g, *m;
	char some[256] = "";
	size_t i, k, off = 0;

	if (!globs)
		goto fail;
	json_array_foreach(groups, i, g) {
		json_t *ms = json_array();

		json_array_foreach(json_object_get(g, "metrics"), k, m) {
			const char *name = json_string_value(json_object_get(m, "name"));

			if (fl_cmp_glob_match(globs, name))
				json_array_append(ms, m);
			else if (!strcmp(json_string_value(json_object_get(m, "kind")), "metric") &&
				 off < 120 && !strstr(some, name))
				off += (size_t)snprintf(some + off, sizeof(some) - off, "%s%s",
							off ? ", " : "", name);
		}
		if (json_array_size(ms)) {
			json_object_set_new(g, "metrics", ms);
			json_array_append(kept, g);
		} else {
			json_decref(ms);
		}
	}
	if (!json_array_size(kept)) {
		fl_utf8_cut(some);
		fl_seterr(err, errlen, "--metrics %s: no metric or counter of these runs matches; "
			  "their metrics include %s (faultline list names every workload's)", list,
			  some[0] ? some : "none");
		goto fail;
	}
	json_object_set_new(cmp, "groups", kept);
	json_object_set_new(cmp, "metrics_filter", globs);
	return 0;
fail:
	json_decref(globs);
	json_decref(kept);
	return -1;
}
