// SPDX-License-Identifier: GPL-2.0
/* A parsed case object -> the numbers of a struct fl_run_case (runload_case.h): metrics,
 * metrics a workload could not count, counters, IPI classes and latency distributions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runload_case.h"

char *fl_runload_strdup(const char *s)
{
	return strdup(s ? s : "");
}

int fl_runload_add_item(struct fl_run_case *c, size_t *cap, const struct fl_item *it)
{
	if (c->nitems == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct fl_item *n = realloc(c->items, ncap * sizeof(*n));

		if (!n)
			return -1;
		c->items = n;
		*cap = ncap;
	}
	c->items[c->nitems++] = *it;
	return 0;
}

static char better_of(json_t *m)
{
	const char *b = json_string_value(json_object_get(m, "better"));

	return b && !strcmp(b, "higher") ? 'h' : b && !strcmp(b, "lower") ? 'l' : 'n';
}

static void missing_item(struct fl_item *it, json_t *v)
{
	const char *st = json_string_value(json_object_get(v, "status"));

	it->status = st && !strcmp(st, "absent") ? FL_ITEM_ABSENT : FL_ITEM_UNSUPPORTED;
	it->reason = fl_runload_strdup(json_string_value(json_object_get(v, "reason")));
}

static int take_metrics(struct fl_run_case *c, size_t *cap, json_t *metrics)
{
	const char *name;
	json_t *m;

	json_object_foreach(metrics, name, m) {
		struct fl_item it = { .kind = FL_ITEM_METRIC, .better = better_of(m) };
		json_t *v = json_object_get(m, "value");
		char sub[200];

		it.unit = fl_runload_strdup(json_string_value(json_object_get(m, "unit")));
		if (json_is_number(v)) {
			it.name = fl_runload_strdup(name);
			it.value = json_number_value(v);
			if (fl_runload_add_item(c, cap, &it))
				return -1;
			continue;
		}
		if (!json_is_number(json_object_get(m, "p99"))) {	/* samples: not a case value */
			free(it.unit);
			continue;
		}
		/* a latency histogram: its mean and p99, lower is better */
		for (int i = 0; i < 2; i++) {
			struct fl_item h = it;

			snprintf(sub, sizeof(sub), "%s.%s", name, i ? "p99" : "mean");
			h.name = fl_runload_strdup(sub);
			h.unit = i ? fl_runload_strdup(it.unit) : it.unit;
			h.better = 'l';
			h.value = json_number_value(json_object_get(m, i ? "p99" : "mean"));
			if (fl_runload_add_item(c, cap, &h))
				return -1;
		}
	}
	return 0;
}

/* Metrics a workload could not count, named in its detail (never a 0 in metrics):
 * thp-munmap's metrics_missing {name: {status, reason}}, percore-map's metrics_absent and
 * fault-scale's mechanism_metrics_absent {name: reason}. A name also in metrics is skipped. */
static int take_missing(struct fl_run_case *c, size_t *cap, json_t *detail)
{
	static const char *const keys[] = { "metrics_missing", "metrics_absent",
					    "mechanism_metrics_absent" };
	const char *name;
	json_t *v;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		json_object_foreach(json_object_get(detail, keys[k]), name, v) {
			struct fl_item it = { .kind = FL_ITEM_METRIC, .better = 'n' };
			const char *r = json_string_value(v);

			if (fl_run_case_item(c, name))
				continue;
			if (json_is_object(v))
				missing_item(&it, v);
			else if (r) {
				it.status = strstr(r, "unsupported") ? FL_ITEM_UNSUPPORTED :
								       FL_ITEM_ABSENT;
				it.reason = fl_runload_strdup(r);
			} else {
				continue;
			}
			it.name = fl_runload_strdup(name);
			if (fl_runload_add_item(c, cap, &it))
				return -1;
		}
	return 0;
}

static int take_counters(struct fl_run_case *c, size_t *cap, json_t *counters)
{
	const char *name;
	json_t *v;

	json_object_foreach(counters, name, v) {
		struct fl_item it = { .kind = FL_ITEM_COUNTER, .better = 'n' };

		it.name = fl_runload_strdup(name);
		if (json_is_number(json_object_get(v, "value"))) {
			it.value = json_number_value(json_object_get(v, "value"));
			it.unit = fl_runload_strdup(json_string_value(json_object_get(v, "unit")));
		} else {
			missing_item(&it, v);
		}
		if (fl_runload_add_item(c, cap, &it))
			return -1;
	}
	return 0;
}

static int take_ipi(struct fl_run_case *c, size_t *cap, json_t *ipi)
{
	static const char *const classes[] = { "function_call", "tlb_shootdown", "reschedule",
					       "other" };
	bool all_missing = json_is_string(json_object_get(ipi, "status"));

	if (!ipi)
		return 0;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *cl = all_missing ? ipi : json_object_get(ipi, classes[i]), *pc;
		struct fl_item it = { .kind = FL_ITEM_IPI, .better = 'n' };
		char name[64];
		size_t k;

		if (!cl)
			continue;
		snprintf(name, sizeof(name), "ipi.%s", classes[i]);
		it.name = fl_runload_strdup(name);
		if (json_is_number(json_object_get(cl, "total"))) {
			it.value = json_number_value(json_object_get(cl, "total"));
			it.unit = fl_runload_strdup("count");
			pc = json_object_get(cl, "per_cpu");
			it.ncpu = json_array_size(pc);
			it.per_cpu = it.ncpu ? calloc(it.ncpu, sizeof(double)) : NULL;
			for (k = 0; it.per_cpu && k < it.ncpu; k++)
				it.per_cpu[k] = json_number_value(json_array_get(pc, k));
		} else {
			missing_item(&it, cl);
		}
		if (fl_runload_add_item(c, cap, &it))
			return -1;
	}
	return 0;
}

/* h's "cdf" as c's next latency distribution called name: pairs of finite numbers, both
 * ascending, at most FL_CDF_POINTS; anything else is not a distribution and is left out. */
static void take_cdf(struct fl_run_case *c, const char *name, json_t *h)
{
	json_t *cdf = json_object_get(h, "cdf"), *pt;
	size_t n = json_array_size(cdf), i;
	struct fl_cdf d = { 0 };

	if (!n || n > FL_CDF_POINTS || c->ncdfs >= FL_CASE_CDFS)
		return;
	d.x = malloc(n * sizeof(double));
	d.cum = malloc(n * sizeof(double));
	if (!d.x || !d.cum)
		goto bad;
	json_array_foreach(cdf, i, pt) {
		json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);

		if (json_array_size(pt) != 2 || !json_is_number(x) || !json_is_number(y))
			goto bad;
		d.x[i] = json_number_value(x);
		d.cum[i] = json_number_value(y);
		if (!isfinite(d.x[i]) || !isfinite(d.cum[i]) || d.cum[i] < 0 ||
		    (i && (d.x[i] < d.x[i - 1] || d.cum[i] < d.cum[i - 1])))
			goto bad;
	}
	d.n = n;
	d.name = fl_runload_strdup(name);
	d.unit = fl_runload_strdup(json_string_value(json_object_get(h, "unit")) ?: "ns");
	if (!d.name || !d.unit) {
		free(d.name);
		free(d.unit);
		goto bad;
	}
	c->cdfs[c->ncdfs++] = d;
	return;
bad:
	free(d.x);
	free(d.cum);
}

/* The histograms with a "cdf" in o and its objects, depth levels down; names are the paths
 * of keys under prefix ("collapse_trace.swapin.until_swapped_in_ns"). */
static void take_cdfs(struct fl_run_case *c, const char *prefix, json_t *o, int depth)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char name[200];

		if (!json_is_object(v) || snprintf(name, sizeof(name), "%s%s%s", prefix,
						    *prefix ? "." : "", k) >= (int)sizeof(name))
			continue;	/* a path this long is not a histogram's name */
		if (json_is_array(json_object_get(v, "cdf")))
			take_cdf(c, name, v);
		else if (depth > 1)
			take_cdfs(c, name, v, depth - 1);
	}
}

void fl_runload_case_cdfs(struct fl_run_case *c, json_t *cs)
{
	c->cdfs = calloc(FL_CASE_CDFS, sizeof(*c->cdfs));
	if (!c->cdfs)
		return;
	take_cdfs(c, "", json_object_get(cs, "metrics"), 1);
	take_cdfs(c, "", json_object_get(cs, "detail"), 3);
	take_cdfs(c, "mmap_lock", json_object_get(cs, "mmap_lock"), 3);
	if (!c->ncdfs) {
		free(c->cdfs);
		c->cdfs = NULL;
	}
}

int fl_runload_take_items(struct fl_run_case *c, size_t *cap, json_t *cs)
{
	if (take_metrics(c, cap, json_object_get(cs, "metrics")) ||
	    take_missing(c, cap, json_object_get(cs, "detail")) ||
	    take_counters(c, cap, json_object_get(cs, "counters")) ||
	    take_ipi(c, cap, json_object_get(cs, "ipi")))
		return -1;
	return 0;
}

void fl_runload_case_free(struct fl_run_case *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].name);
		free(c->items[i].unit);
		free(c->items[i].reason);
		free(c->items[i].per_cpu);
	}
	free(c->items);
	for (size_t i = 0; i < c->ncdfs; i++) {
		free(c->cdfs[i].name);
		free(c->cdfs[i].unit);
		free(c->cdfs[i].x);
		free(c->cdfs[i].cum);
	}
	free(c->cdfs);
	free(c->file);
	free(c->workload);
	free(c->key);
	free(c->status);
	free(c->reason);
	free(c->ops_unit);
	json_decref(c->params);
	json_decref(c->resolved);
	memset(c, 0, sizeof(*c));
}
