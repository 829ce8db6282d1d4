// SPDX-License-Identifier: GPL-2.0
/* What a workload reports about its case: metrics, samples, its threads' slowest and fastest
 * rates, failure and skip reasons. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_json.h"
#include "lib/team.h"
#include "workload.h"

static const char *const better_names[] = {
	[FL_BETTER_HIGHER] = "higher", [FL_BETTER_LOWER] = "lower", [FL_BETTER_NONE] = "none",
};

const char *fl_better_name(enum fl_better b)
{
	return better_names[b];
}

static const struct fl_metric *metric_find(const struct fl_workload *wl, const char *name)
{
	for (const struct fl_metric *m = wl->metrics; m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	fprintf(stderr, "faultline-agent: internal error: %s has no metric '%s'\n", wl->name, name);
	abort();
}

void fl_case_metric(struct fl_case *c, const char *name, double value)
{
	const struct fl_metric *m = metric_find(c->wl, name);
	json_t *v = fl_json_value(value, m->unit);

	json_object_set_new(v, "better", json_string(fl_better_name(m->better)));
	json_object_set_new(c->metrics, name, v);
}

void fl_case_samples(struct fl_case *c, const char *name, const char *unit, json_t *per_second)
{
	json_object_set_new(c->metrics, name,
			    json_pack("{s:s, s:o}", "unit", unit, "per_second", per_second));
}

static int set_status(struct fl_case *c, enum fl_status st, const char *fmt, va_list ap)
{
	c->status = st;
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	return st == FL_SKIPPED ? FL_WL_SKIP : FL_WL_FAIL;
}

int fl_case_fail(struct fl_case *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_status(c, FL_FAILED, fmt, ap);
	va_end(ap);
	return ret;
}

int fl_case_skip(struct fl_case *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_status(c, FL_SKIPPED, fmt, ap);
	va_end(ap);
	return ret;
}

int fl_case_verdict(struct fl_case *c, const char *unit, uint64_t checked, uint64_t corrupt,
		    const char *first)
{
	char key[64];

	snprintf(key, sizeof(key), "%ss_checked", unit);
	json_object_set_new(c->verify, key, json_integer((json_int_t)checked));
	json_object_set_new(c->verify, "corrupt", json_integer((json_int_t)corrupt));
	if (!corrupt)
		return 0;
	json_object_set_new(c->verify, "first_corrupt", json_string(first ? first : "?"));
	return fl_case_fail(c, "%llu corrupt %s(s); first: %s", (unsigned long long)corrupt, unit,
			    first ? first : "?");
}

void fl_case_thread_rates(struct fl_case *c, struct fl_team *t, double elapsed,
			  const char *min_metric, const char *max_metric)
{
	double lo = 0, hi = 0;

	for (int i = 0; i < fl_team_size(t); i++) {
		double r = (double)fl_team_worker(t, i)->ops / elapsed;

		if (i == 0 || r < lo)
			lo = r;
		if (i == 0 || r > hi)
			hi = r;
	}
	fl_case_metric(c, min_metric, lo);
	fl_case_metric(c, max_metric, hi);
}

json_t *fl_metrics_describe(const struct fl_metric *m)
{
	json_t *arr = json_array();

	for (; m->name; m++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "name", m->name,
						     "unit", m->unit, "better",
						     fl_better_name(m->better), "help", m->help));
	return arr;
}
