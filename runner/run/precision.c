// SPDX-License-Identifier: GPL-2.0
/* Adaptive precision (precision.h): group states, the next round, run.json, progress. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cdf.h>
#include "casedoc.h"
#include "clock.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "precision.h"
#include "summary.h"
#include "plan.h"

double fl_prec_halfwidth(const double *x, size_t n, double level)
{
	double m = 0, ss = 0;

	if (n < 2)
		return NAN;
	for (size_t i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return gsl_cdf_tdist_Qinv((1 - level) / 2, (double)(n - 1)) *
	       sqrt(ss / (double)(n - 1)) / sqrt((double)n);
}

int fl_parse_duration(const char *s, double *out)
{
	const char *p = s;
	double total = 0;
	char *end;

	if (!s || !*s)
		return -1;
	total = strtod(s, &end);
	if (*end)		/* not a bare number of seconds: NUMBER UNIT, ... */
		total = 0;
	else
		p = end;
	while (*p) {
		double v;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p || !isfinite(v))
			return -1;
		p = end;
		switch (*p) {
		case 's': total += v; break;
		case 'm': total += v * 60; break;
		case 'h': total += v * 3600; break;
		default: return -1;
		}
		p++;
	}
	if (!(total > 0) || total > FL_MAX_TIME_MAX_S)
		return -1;
	*out = total;
	return 0;
}

bool fl_plan_adaptive(const struct fl_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->cases[i].precision_pct > 0)
			return true;
	return false;
}

void fl_prec_apply(struct fl_plan *plan, double precision_pct, double max_time_s)
{
	if (max_time_s > 0)
		plan->max_time_s = max_time_s;
	if (precision_pct <= 0)
		return;
	plan->precision_override = precision_pct;
	for (size_t i = 0; i < plan->n; i++)
		plan->cases[i].precision_pct = precision_pct;
}

int fl_prec_check(const struct fl_plan *plan, char *err, size_t errlen)
{
	char label[512];

	if (plan->max_time_s > 0)
		return 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct fl_plan_case *pc = &plan->cases[i];

		if (pc->precision_pct <= 0 || pc->max_time_s > 0)
			continue;
		fl_params_label(pc->params, NULL, label, sizeof(label));
		return fl_seterr(err, errlen, "precision %g%% for %s %s needs a time budget: give "
				 "--max-time DURATION, or \"max_time_s\" in the suite or the case",
				 pc->precision_pct, pc->workload, label);
	}
	return 0;
}

void fl_plan_start_clock(struct fl_plan *plan)
{
	plan->started_mono = fl_now_s();
}

double fl_plan_spent(const struct fl_plan *plan)
{
	return plan->spent_before_s + (plan->started_mono > 0 ? fl_now_s() - plan->started_mono : 0);
}

static bool case_done(const struct fl_plan_case *pc)
{
	return strcmp(pc->status, "pending") && strcmp(pc->status, "interrupted");
}

/* First pass: counts, times, the metric (of its first ok measured case with one). */
static void collect(const struct fl_plan *plan, struct fl_prec_group *gs, double *est_sum,
		    size_t *est_n)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct fl_plan_case *pc = &plan->cases[i];
		struct fl_prec_group *g = &gs[pc->group];

		if (g->first == (size_t)-1 && !pc->warmup)
			g->first = i;
		if (pc->precision_pct > g->target_pct)
			g->target_pct = pc->precision_pct;
		g->max_time_s = pc->max_time_s;
		g->spent_s += pc->elapsed_s;
		if (!case_done(pc)) {
			g->pending++;
		} else if (!pc->warmup && strcmp(pc->status, "ok")) {
			g->failed = true;
		} else if (!pc->warmup && pc->elapsed_s > 0) {
			est_sum[pc->group] += pc->elapsed_s;
			est_n[pc->group]++;
		}
		if (pc->warmup)
			continue;
		g->iterations++;
		g->min_iterations += !pc->extra;
		if (pc->iteration + 1 > g->next_iteration)
			g->next_iteration = pc->iteration + 1;
		if (!g->metric && !strcmp(pc->status, "ok") && pc->metric[0] && isfinite(pc->value))
			g->metric = pc->metric;
	}
}

/* Second pass: the values of each group's metric, its mean and half-width. */
static void describe(const struct fl_plan *plan, struct fl_prec_group *gs, double *x)
{
	for (size_t k = 0; k < plan->ngroups; k++) {
		struct fl_prec_group *g = &gs[k];
		double m = 0, ss = 0;
		size_t n = 0;

		g->mean = g->sd = g->halfwidth = g->halfwidth_pct = NAN;
		for (size_t i = g->first; g->metric && i < plan->n; i++) {
			const struct fl_plan_case *pc = &plan->cases[i];

			if (pc->group == k && !pc->warmup && !strcmp(pc->status, "ok") &&
			    !strcmp(pc->metric, g->metric) && isfinite(pc->value))
				x[n++] = pc->value;
		}
		g->n = n;
		if (!n)
			continue;
		for (size_t i = 0; i < n; i++)
			m += x[i];
		g->mean = m / (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - g->mean) * (x[i] - g->mean);
		if (n < 2)
			continue;
		g->sd = sqrt(ss / (double)(n - 1));
		g->halfwidth = fl_prec_halfwidth(x, n, FL_PREC_LEVEL);
		if (g->mean != 0)
			g->halfwidth_pct = 100 * g->halfwidth / fabs(g->mean);
		else
			g->halfwidth_pct = g->halfwidth == 0 ? 0 : INFINITY;
	}
}

/* Would one more iteration of g (est_s) fit the budgets after reserve_s? */
static bool fits(const struct fl_plan *plan, const struct fl_prec_group *g, double reserve_s)
{
	if (plan->max_time_s > 0 && fl_plan_spent(plan) + reserve_s + g->est_s > plan->max_time_s)
		return false;
	if (g->max_time_s > 0 && g->spent_s + g->est_s > g->max_time_s)
		return false;
	return true;
}

static enum fl_prec_state decide(const struct fl_plan *plan, const struct fl_prec_group *g)
{
	if (g->pending)
		return FL_PREC_RUNNING;
	if (g->target_pct <= 0)
		return FL_PREC_PLANNED;
	if (g->failed)
		return FL_PREC_FAILED;
	if (!g->metric)
		return FL_PREC_NO_METRIC;
	if (g->n >= FL_PREC_MIN_N && g->halfwidth_pct <= g->target_pct)
		return FL_PREC_PRECISION;
	if (g->iterations >= FL_ITERATIONS_MAX || plan->n >= FL_PLAN_MAX)
		return FL_PREC_ITERATIONS;
	if (!fits(plan, g, 0))
		return FL_PREC_TIME;
	return FL_PREC_RUNNING;
}

struct fl_prec_group *fl_prec_assess(const struct fl_plan *plan)
{
	size_t ng = plan->ngroups ? plan->ngroups : 1;
	struct fl_prec_group *gs = calloc(ng, sizeof(*gs));
	double *est_sum = calloc(ng, sizeof(double)), *x = calloc(plan->n + 1, sizeof(double));
	size_t *est_n = calloc(ng, sizeof(size_t));

	if (!gs || !est_sum || !x || !est_n) {
		free(gs);
		gs = NULL;
		goto out;
	}
	for (size_t k = 0; k < plan->ngroups; k++)
		gs[k].first = (size_t)-1;
	collect(plan, gs, est_sum, est_n);
	describe(plan, gs, x);
	for (size_t k = 0; k < plan->ngroups; k++) {
		gs[k].est_s = est_n[k] ? est_sum[k] / (double)est_n[k] : 0;
		gs[k].state = decide(plan, &gs[k]);
	}
out:
	free(est_sum);
	free(est_n);
	free(x);
	return gs;
}

int fl_prec_keep(const struct fl_plan *plan, const struct fl_plan *const *others, size_t n,
		 bool *keep)
{
	for (size_t k = 0; k < plan->ngroups; k++)
		keep[k] = false;
	for (size_t o = 0; o < n; o++) {
		const struct fl_plan *op = others[o];
		struct fl_prec_group *gs = fl_prec_assess(op);
		bool *seen = calloc(op->ngroups + 1, sizeof(bool));

		if (!gs || !seen) {
			free(gs);
			free(seen);
			return -1;
		}
		for (size_t i = 0; i < op->n; i++) {
			const struct fl_plan_case *pc = &op->cases[i];
			size_t k;

			if (pc->group >= op->ngroups || seen[pc->group] ||
			    gs[pc->group].state != FL_PREC_RUNNING)
				continue;
			seen[pc->group] = true;
			k = fl_plan_group_of(plan, pc->workload, pc->params);
			if (k < plan->ngroups)
				keep[k] = true;
		}
		free(gs);
		free(seen);
	}
	return 0;
}

/* A group that wants another iteration: its own, or beside another kernel's (keep). */
static bool wants(const struct fl_prec_group *g, bool keep)
{
	return g->state == FL_PREC_RUNNING || (keep && g->state == FL_PREC_PRECISION);
}

int fl_prec_next_round(struct fl_plan *plan, int round, double reserve_s, const bool *keep,
		       double *est_s)
{
	struct fl_prec_group *gs = fl_prec_assess(plan);
	double reserved = reserve_s;
	int added = 0;

	if (est_s)
		*est_s = 0;
	if (!gs)
		return -1;
	for (size_t k = 0; k < plan->ngroups; k++) {
		struct fl_prec_group *g = &gs[k];

		/* one that fits alone but not beside the others' share waits for the next round */
		if (!wants(g, keep && keep[k]) || g->pending || g->first == (size_t)-1 ||
		    !fits(plan, g, reserved))
			continue;
		if (fl_plan_add(plan, g->first, g->next_iteration, round)) {
			added = plan->n >= FL_PLAN_MAX ? added : -1;
			break;
		}
		reserved += g->est_s;
		added++;
	}
	if (est_s)
		*est_s = reserved - reserve_s;
	free(gs);
	return added;
}

void fl_prec_case_metric(struct fl_plan_case *pc, json_t *case_obj)
{
	const char *key;
	json_t *m;

	pc->metric[0] = '\0';
	pc->value = NAN;
	json_object_foreach(json_object_get(case_obj, "metrics"), key, m) {
		const char *b = json_string_value(json_object_get(m, "better"));
		json_t *v = json_object_get(m, "value");

		if (!b || (strcmp(b, "higher") && strcmp(b, "lower")) || !json_is_number(v) ||
		    strlen(key) >= sizeof(pc->metric))
			continue;
		snprintf(pc->metric, sizeof(pc->metric), "%s", key);
		pc->value = json_number_value(v);
		return;
	}
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *group_json(const struct fl_plan *plan, const struct fl_prec_group *g)
{
	const struct fl_plan_case *pc = &plan->cases[g->first];

	return json_pack("{s:s, s:O, s:o, s:o, s:o, s:I, s:i, s:i, s:o, s:o, s:o, s:o, s:f, s:s}",
		"workload", pc->workload, "params", pc->params,
		"metric", g->metric ? json_string(g->metric) : json_null(),
		"target_pct", g->target_pct > 0 ? json_real(g->target_pct) : json_null(),
		"max_time_s", g->max_time_s > 0 ? json_real(g->max_time_s) : json_null(),
		"n", (json_int_t)g->n, "min_iterations", g->min_iterations,
		"iterations", g->iterations, "mean", num(g->mean), "sd", num(g->sd),
		"halfwidth", num(g->halfwidth), "halfwidth_pct", num(g->halfwidth_pct),
		"spent_s", g->spent_s, "stopped", fl_prec_word(g->state));
}

json_t *fl_prec_json(const struct fl_plan *plan)
{
	struct fl_prec_group *gs = fl_prec_assess(plan);
	json_t *arr = json_array();

	for (size_t k = 0; gs && k < plan->ngroups; k++)
		if (gs[k].first != (size_t)-1)
			json_array_append_new(arr, group_json(plan, &gs[k]));
	free(gs);
	return json_pack("{s:f, s:o, s:o, s:f, s:o}", "level", FL_PREC_LEVEL,
		"target_pct", plan->precision_override > 0 ?
			json_real(plan->precision_override) : json_null(),
		"max_time_s", plan->max_time_s > 0 ? json_real(plan->max_time_s) : json_null(),
		"spent_s", fl_plan_spent(plan), "groups", arr);
}

void fl_prec_print(const struct fl_plan *plan, const char *who, FILE *out)
{
	json_t *doc;

	if (!fl_plan_adaptive(plan))
		return;
	doc = fl_prec_json(plan);
	fl_prec_doc_print(doc, who, false, out);
	json_decref(doc);
}

/* The workload's first metric with a direction, and its measured phase in seconds (the case's
 * "seconds" param, else the workload's default; 0 when it has none), from --describe. */
static const char *describe_case(json_t *describe, const struct fl_plan_case *pc, double *secs)
{
	const char *metric = NULL;
	json_t *w, *p, *v;
	size_t i, j;

	*secs = 0;
	v = json_object_get(pc->params, "seconds");
	if (json_is_number(v))
		*secs = json_number_value(v);
	json_array_foreach(describe, i, w) {
		if (strcmp(json_string_value(json_object_get(w, "name")) ?: "", pc->workload))
			continue;
		json_array_foreach(json_object_get(w, "params"), j, p)
			if (!v && !strcmp(json_string_value(json_object_get(p, "name")) ?: "",
					  "seconds"))
				*secs = atof(json_string_value(json_object_get(p, "default")) ?: "0");
		json_array_foreach(json_object_get(w, "metrics"), j, p) {
			const char *b = json_string_value(json_object_get(p, "better"));

			if (!metric && b && (!strcmp(b, "higher") || !strcmp(b, "lower")))
				metric = json_string_value(json_object_get(p, "name"));
		}
	}
	return metric;
}

void fl_prec_print_plan(const struct fl_plan *plan, json_t *describe, FILE *out)
{
	struct fl_prec_group *gs = fl_prec_assess(plan);
	char label[512], dur[48];

	if (!gs || !fl_plan_adaptive(plan)) {
		free(gs);
		return;
	}
	fprintf(out, "adaptive precision (95%% CI half-width of the primary metric's mean):\n");
	for (size_t k = 0; k < plan->ngroups; k++) {
		const struct fl_prec_group *g = &gs[k];
		const struct fl_plan_case *pc;
		double secs, budget = plan->max_time_s;
		const char *metric;
		long most = FL_ITERATIONS_MAX;
		int least;

		if (g->first == (size_t)-1 || g->target_pct <= 0)
			continue;
		pc = &plan->cases[g->first];
		metric = describe_case(describe, pc, &secs);
		if (g->max_time_s > 0 && (budget <= 0 || g->max_time_s < budget))
			budget = g->max_time_s;
		if (secs > 0 && budget / secs < (double)most)
			most = (long)(budget / secs);
		if (most < g->min_iterations)
			most = g->min_iterations;
		least = g->min_iterations > FL_PREC_MIN_N ? g->min_iterations : FL_PREC_MIN_N;
		if (least > most)
			least = (int)most;
		fl_params_label(pc->params, NULL, label, sizeof(label));
		fprintf(out, "  %s %s: %s to ±%g%%: at least %d iterations (%s), at most %ld",
			pc->workload, label, metric ? metric : "?", g->target_pct,
			least, least > g->min_iterations ? "the precision's floor" : "planned",
			most);
		if (secs > 0)
			fprintf(out, " (the %s budget / its %g s measured phase)\n",
				fl_fmt_duration(dur, sizeof(dur), budget), secs);
		else
			fprintf(out, " (the iteration cap; its %s budget decides)\n",
				fl_fmt_duration(dur, sizeof(dur), budget));
	}
	free(gs);
}

void fl_prec_print_worst(const struct fl_plan *plan, double planned_s, FILE *out)
{
	double tmax = 0, worst = planned_s;
	char a[48], b[48];

	if (!fl_plan_adaptive(plan) || plan->max_time_s <= 0)
		return;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->cases[i].precision_pct > 0 && plan->cases[i].timeout_s > tmax)
			tmax = plan->cases[i].timeout_s;
	if (plan->max_time_s + tmax > worst)
		worst = plan->max_time_s + tmax;
	fprintf(out, "the planned iterations always run; adaptive ones start while the run has "
		"spent less than %s, so it ends by %s at worst (the planned cases at their "
		"timeouts, or the budget and one case's timeout)\n",
		fl_fmt_duration(a, sizeof(a), plan->max_time_s),
		fl_fmt_duration(b, sizeof(b), worst));
}

/* A case of run.json beyond the suite's plan: another measured iteration of one of its
 * groups, with the file name the runner gave it. */
static int resume_extra(struct fl_plan *plan, json_t *c, size_t i, const char *dir, char *err,
			size_t errlen)
{
	const char *wl = json_string_value(json_object_get(c, "workload"));
	const char *file = json_string_value(json_object_get(c, "file"));
	json_t *it = json_object_get(c, "iteration");
	size_t g, like = (size_t)-1;

	g = wl ? fl_plan_group_of(plan, wl, json_object_get(c, "params")) : (size_t)-1;
	for (size_t k = 0; g != (size_t)-1 && k < plan->n && like == (size_t)-1; k++)
		if (plan->cases[k].group == g && !plan->cases[k].warmup)
			like = k;
	if (like == (size_t)-1 || !json_is_true(json_object_get(c, "extra")) ||
	    !json_is_integer(it) || json_integer_value(it) < 0 ||
	    json_integer_value(it) >= FL_ITERATIONS_MAX)
		return fl_seterr(err, errlen, "%s/run.json: cases[%zu] is not an adaptive iteration "
				 "of one of its suite's cases, so the run cannot be resumed", dir, i);
	if (fl_plan_add(plan, like, (int)json_integer_value(it), (int)json_integer_value(it)))
		return fl_seterr(err, errlen, "%s/run.json: too many cases to resume", dir);
	if (!file || strcmp(file, plan->cases[plan->n - 1].file))
		return fl_seterr(err, errlen, "%s/run.json: cases[%zu].file is not %s, the name "
				 "the runner gives it", dir, i, plan->cases[plan->n - 1].file);
	return 0;
}

/* The primary metric of a case done, from its file (read as every reader does, casedoc.h; a
 * file that is missing or cannot be used: no value). */
static void resume_value(struct fl_plan_case *pc, const char *dir)
{
	char path[1400], why[FL_ERRLEN];
	struct fl_casedoc d;

	if (strcmp(pc->status, "ok"))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, pc->file);
	if (fl_casedoc_load(&d, path, why, sizeof(why)))
		return;
	fl_prec_case_metric(pc, d.cs);
	fl_casedoc_free(&d);
}

int fl_prec_resume(struct fl_plan *plan, const char *dir, json_t *runjson, char *err,
		   size_t errlen)
{
	json_t *cases = json_object_get(runjson, "cases"), *p, *c;
	size_t planned = plan->n, i;

	if (json_array_size(cases) < planned)
		return fl_seterr(err, errlen, "%s/run.json plans %zu cases but its suite.json gives "
				 "%zu", dir, json_array_size(cases), planned);
	p = json_object_get(runjson, "precision");
	if (json_is_number(json_object_get(p, "max_time_s")))
		plan->max_time_s = json_number_value(json_object_get(p, "max_time_s"));
	if (json_is_number(json_object_get(p, "target_pct")))
		fl_prec_apply(plan, json_number_value(json_object_get(p, "target_pct")), 0);
	if (json_is_number(json_object_get(p, "spent_s")))
		plan->spent_before_s = json_number_value(json_object_get(p, "spent_s"));
	json_array_foreach(cases, i, c) {
		json_t *e = json_object_get(c, "elapsed_s");

		if (i >= planned && resume_extra(plan, c, i, dir, err, errlen))
			return -1;
		if (json_is_number(e))
			plan->cases[i].elapsed_s = json_number_value(e);
	}
	return 0;
}

/* After the statuses are merged: the values of the cases done. */
void fl_prec_resume_values(struct fl_plan *plan, const char *dir)
{
	for (size_t i = 0; i < plan->n; i++)
		resume_value(&plan->cases[i], dir);
}
