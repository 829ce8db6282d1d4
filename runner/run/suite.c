// SPDX-License-Identifier: GPL-2.0
/*
 * Suite files (configs/suites/NAME.json): what to run, sweeps, iterations. Strict: a field this
 * reader does not know is an error that names it, so a typo never silently changes a run.
 *
 *   {"name": "quick", "description": "...", "iterations": 3, "warmup": 1, "timeout_s": 120,
 *    "probes": "all", "events": "ipi:*,...", "nice": -20,
 *    "cases": [{"workload": "ebizzy", "params": {"threads": [1, 2], "seconds": 3}, ...}]}
 *
 * A parameter given as an array is a sweep; several sweeps multiply. Case fields iterations,
 * warmup, timeout_s, probes, events, precision, nice override the suite's.
 *
 * "nice" (-20..19) is the workload's priority: the agent gets --nice=N and sets it before
 * setup (faultline run --nice sets it for every case, over the suite's).
 *
 * Adaptive precision (precision.h): "precision" (PCT) asks for iterations beyond "iterations"
 * (then the minimum) until the 95% CI half-width of the case's primary metric is at most PCT %
 * of its mean. The suite's "max_time_s" is the whole run's time budget; a case's is the budget
 * of that case's own iterations (each sweep point apart), within the run's.
 *
 * A suite may come from anywhere (SECURITY.md): its name and workload names become path
 * components and ids (fl_name_check), numbers are bounded so durations and plan sizes stay
 * finite, and a suite that expands to no cases is an error, never an empty "complete" run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "plan.h"
#include "agent_exec.h"

#define FL_LIST_MAX 1024

static const char *const suite_fields[] = {
	"name", "description", "iterations", "warmup", "timeout_s", "probes", "events", "cases",
	"precision", "max_time_s", "nice", NULL,
};
static const char *const case_fields[] = {
	"workload", "params", "iterations", "warmup", "timeout_s", "probes", "events", "comment",
	"precision", "max_time_s", "nice", NULL,
};

struct suite_defaults {
	long iterations, warmup;
	double timeout_s;
	double precision_pct, max_time_s;	/* 0: none */
	const char *probes, *events;
	long nice;
	bool nice_set;
};


static int get_long(json_t *obj, const char *key, long min, long max, long *out,
		    const char *where, const char *path, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fl_seterr(err, errlen, "%s: %s.%s must be a whole number from %ld to %ld",
				 path, where, key, min, max);
	*out = (long)json_integer_value(v);
	return 0;
}

static int get_str(json_t *obj, const char *key, const char **out, const char *where,
		   const char *path, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return fl_seterr(err, errlen, "%s: %s.%s must be a string", path, where, key);
	*out = json_string_value(v);
	return 0;
}

/* probes and events are lists the agent gets as one option value: names and globs only. */
static int get_list(json_t *obj, const char *key, const char *extra, const char **out,
		    const char *where, const char *path, char *err, size_t errlen)
{
	const char *v = NULL, *s;
	char shown[80];

	if (get_str(obj, key, &v, where, path, err, errlen))
		return -1;
	if (!v)
		return 0;
	for (s = v; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			break;
	if (!*v || *s || s - v > FL_LIST_MAX)
		return fl_seterr(err, errlen, "%s: %s.%s \"%s\" must be 1-%d letters, digits or "
				 "'%s'", path, where, key, fl_text_clean(shown, sizeof(shown), v),
				 FL_LIST_MAX, extra);
	*out = v;
	return 0;
}

/* A number in (0, max] (precision, max_time_s); what says what it is, as in the messages. */
static int get_pos(json_t *obj, const char *key, double max, const char *what, double *out,
		   const char *where, const char *path, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) <= 0 ||
	    json_number_value(v) > max)
		return fl_seterr(err, errlen, "%s: %s.%s must be %s above 0 and at most %g", path,
				 where, key, what, max);
	*out = json_number_value(v);
	return 0;
}

static int get_defaults(json_t *obj, struct suite_defaults *d, const char *where,
			const char *path, char *err, size_t errlen)
{
	json_t *t = json_object_get(obj, "timeout_s");

	if (get_long(obj, "iterations", 1, FL_ITERATIONS_MAX, &d->iterations, where, path, err,
		     errlen) ||
	    get_long(obj, "warmup", 0, FL_WARMUP_MAX, &d->warmup, where, path, err, errlen) ||
	    get_list(obj, "probes", "_-,", &d->probes, where, path, err, errlen) ||
	    get_list(obj, "events", "_-,:*?.[]!", &d->events, where, path, err, errlen) ||
	    get_pos(obj, "precision", FL_PRECISION_MAX, "a percentage (the 95% CI half-width "
		    "wanted, % of the mean)", &d->precision_pct, where, path, err, errlen) ||
	    get_pos(obj, "max_time_s", FL_MAX_TIME_MAX_S, "a number of seconds",
		    &d->max_time_s, where, path, err, errlen))
		return -1;
	if (t && (!json_is_number(t) || !isfinite(json_number_value(t)) ||
		  json_number_value(t) <= 0 || json_number_value(t) > FL_TIMEOUT_MAX_S))
		return fl_seterr(err, errlen, "%s: %s.timeout_s must be a number of seconds above 0 "
				 "and at most %.0f (one day)", path, where, FL_TIMEOUT_MAX_S);
	if (t)
		d->timeout_s = json_number_value(t);
	if (get_long(obj, "nice", FL_NICE_MIN, FL_NICE_MAX, &d->nice, where, path, err, errlen))
		return -1;
	d->nice_set |= json_object_get(obj, "nice") != NULL;
	return 0;
}

/* How many points the sweeps of params make: an empty sweep is an error (it would plan no
 * case), and so is a product above FL_PLAN_MAX (checked before anything is expanded). */
static int count_points(json_t *params, const char *where, const char *path, size_t *n,
			char *err, size_t errlen)
{
	char shown[FL_NAME_MAX + 1];
	const char *key;
	json_t *v;

	*n = 1;
	json_object_foreach(params, key, v) {
		size_t k = json_array_size(v);

		if (!json_is_array(v))
			continue;
		fl_text_clean(shown, sizeof(shown), key);
		if (!k)
			return fl_seterr(err, errlen, "%s: %s.params.%s is an empty sweep: give at "
					 "least one value", path, where, shown);
		if (k > FL_PLAN_MAX / *n)
			return fl_seterr(err, errlen, "%s: %s.params sweeps to more than %d points",
					 path, where, FL_PLAN_MAX);
		*n *= k;
	}
	return 0;
}

/* Expand the sweeps of params into an array of scalar-only objects. */
static json_t *expand_sweeps(json_t *params)
{
	json_t *points = json_array(), *v;
	const char *key;

	json_array_append_new(points, json_object());
	json_object_foreach(params, key, v) {
		json_t *next = json_array(), *pt, *val;
		size_t i, j;

		json_array_foreach(points, i, pt) {
			if (!json_is_array(v)) {
				json_object_set(pt, key, v);
				json_array_append(next, pt);
				continue;
			}
			json_array_foreach(v, j, val) {
				json_t *cp = json_copy(pt);

				json_object_set(cp, key, val);
				json_array_append_new(next, cp);
			}
		}
		json_decref(points);
		points = next;
	}
	return points;
}

/* Ask the agent whether it accepts this case (unknown workload, parameter, range). */
static int agent_check(const char *agent, const char *wl, json_t *params, const char *path,
		       int idx, char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS + 4], log[] = "/tmp/faultline-check-XXXXXX", buf[1024];
	struct fl_child_result res;
	int n, fd, ret = 0;

	n = fl_agent_argv(agent, wl, params, argv, FL_MAX_ARGS);
	argv[n++] = strdup("--check");
	argv[n] = NULL;
	fd = mkstemp(log);
	if (fd >= 0)
		close(fd);
	if (fl_child_run(argv, log, 30, NULL, &res, err, errlen)) {
		ret = -1;
	} else if (!res.exited || res.code != 0) {
		long len = fl_read_file(log, buf, sizeof(buf));

		while (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		ret = fl_seterr(err, errlen, "%s: cases[%d]: %s", path, idx,
				len > 0 ? buf : "the agent refused the case");
	}
	unlink(log);
	fl_argv_free(argv);
	return ret;
}

/* A new zeroed case at the end of plan (not counted in plan->n yet), or NULL. */
static struct fl_plan_case *plan_grow(struct fl_plan *plan)
{
	size_t n = plan->n;

	/* capacity doubles from 16 (a plan of 20000 cases grew one case at a time: quadratic) */
	if (n == 0 || (n >= 16 && !(n & (n - 1)))) {
		void *grown = realloc(plan->cases, (n ? 2 * n : 16) * sizeof(*plan->cases));

		if (!grown)
			return NULL;
		plan->cases = grown;
	}
	memset(&plan->cases[n], 0, sizeof(plan->cases[n]));
	return &plan->cases[n];
}

static void plan_name(struct fl_plan *plan, struct fl_plan_case *pc)
{
	snprintf(pc->file, sizeof(pc->file), "cases/%04zu-%s-%s%d.json", plan->n, pc->workload,
		 pc->warmup ? "w" : "i", pc->iteration);
	strcpy(pc->status, "pending");
	pc->value = NAN;
	plan->n++;
}

/* The group of a case: the same workload and params (sorted) make one, whichever suite
 * entry planned them. groups maps that key to the group's number. */
static size_t group_key(json_t *groups, const char *wl, json_t *params, size_t *ngroups)
{
	char *p = json_dumps(params, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	char key[FL_NAME_MAX + 8192];
	json_t *g;
	size_t n;

	snprintf(key, sizeof(key), "%s %s", wl, p ? p : "?");
	free(p);
	g = json_object_get(groups, key);
	if (g)
		return (size_t)json_integer_value(g);
	n = (*ngroups)++;
	json_object_set_new(groups, key, json_integer((json_int_t)n));
	return n;
}

static int plan_point(struct fl_plan *plan, json_t *groups, const char *wl, json_t *params,
		      const struct suite_defaults *d, int iteration, bool warmup)
{
	struct fl_plan_case *pc = plan_grow(plan);

	if (!pc)
		return -1;
	pc->workload = strdup(wl);
	pc->params = json_incref(params);
	pc->iteration = iteration;
	pc->warmup = warmup;
	pc->round = warmup ? 0 : iteration;
	pc->group = group_key(groups, wl, params, &plan->ngroups);
	pc->timeout_s = d->timeout_s;
	pc->precision_pct = d->precision_pct;
	pc->max_time_s = d->max_time_s;
	pc->probes = d->probes ? strdup(d->probes) : NULL;
	pc->events = d->events ? strdup(d->events) : NULL;
	pc->nice = (int)d->nice;
	pc->nice_set = d->nice_set;
	plan_name(plan, pc);
	return 0;
}

int fl_plan_add(struct fl_plan *plan, size_t like, int iteration, int round)
{
	struct fl_plan_case *pc, *lk;

	if (plan->n >= FL_PLAN_MAX || like >= plan->n)
		return -1;
	pc = plan_grow(plan);
	if (!pc)
		return -1;
	lk = &plan->cases[like];
	pc->workload = strdup(lk->workload);
	pc->params = json_incref(lk->params);
	pc->iteration = iteration;
	pc->extra = true;
	pc->round = round;
	pc->group = lk->group;
	pc->timeout_s = lk->timeout_s;
	pc->precision_pct = lk->precision_pct;
	pc->max_time_s = lk->max_time_s;
	pc->probes = lk->probes ? strdup(lk->probes) : NULL;
	pc->events = lk->events ? strdup(lk->events) : NULL;
	pc->nice = lk->nice;
	pc->nice_set = lk->nice_set;
	plan_name(plan, pc);
	return 0;
}

void fl_plan_set_nice(struct fl_plan *plan, int nice)
{
	plan->nice = nice;
	plan->nice_set = true;
	plan->nice_override = true;
	for (size_t i = 0; i < plan->n; i++) {
		plan->cases[i].nice = nice;
		plan->cases[i].nice_set = true;
	}
}

size_t fl_plan_group_of(const struct fl_plan *plan, const char *workload, json_t *params)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->cases[i].workload, workload) &&
		    json_equal(plan->cases[i].params, params))
			return plan->cases[i].group;
	return (size_t)-1;
}

struct suite_entry {
	const char *workload;
	json_t *points;
	size_t npoints;
	struct suite_defaults d;
};

static int load_entry(json_t *c, int idx, const struct suite_defaults *sd, const char *path,
		      struct suite_entry *e, char *err, size_t errlen)
{
	char where[32], what[FL_ERRLEN / 2];
	json_t *params;

	snprintf(where, sizeof(where), "cases[%d]", idx);
	if (!json_is_object(c))
		return fl_seterr(err, errlen, "%s: %s must be an object", path, where);
	if (fl_json_check_fields(c, case_fields, where, path, err, errlen))
		return -1;
	e->d = *sd;
	if (get_str(c, "workload", &e->workload, where, path, err, errlen) ||
	    get_defaults(c, &e->d, where, path, err, errlen))
		return -1;
	if (!e->workload)
		return fl_seterr(err, errlen, "%s: %s has no \"workload\"", path, where);
	/* The agent's first argument and part of the case file name: never an option or a path. */
	snprintf(what, sizeof(what), "%s: %s.workload", path, where);
	if (fl_name_check(what, e->workload, err, errlen))
		return -1;
	params = json_object_get(c, "params");
	if (params && !json_is_object(params))
		return fl_seterr(err, errlen, "%s: %s.params must be an object", path, where);
	if (count_points(params, where, path, &e->npoints, err, errlen))
		return -1;
	if (params) {
		e->points = expand_sweeps(params);
	} else {
		params = json_object();
		e->points = expand_sweeps(params);
		json_decref(params);
	}
	return 0;
}

/* The agent accepts every point of every case (after the plan's size is known to be sane). */
static int check_entries(struct suite_entry *ents, size_t n, const char *agent,
			 const char *path, char *err, size_t errlen)
{
	json_t *pt;
	size_t i;

	for (size_t k = 0; k < n; k++)
		json_array_foreach(ents[k].points, i, pt)
			if (agent_check(agent, ents[k].workload, pt, path, (int)k, err, errlen))
				return -1;
	return 0;
}

static int check_plan_size(const struct suite_entry *ents, size_t n, const char *path,
			   char *err, size_t errlen)
{
	size_t total = 0;

	for (size_t k = 0; k < n; k++) {
		total += ents[k].npoints * (size_t)(ents[k].d.iterations + ents[k].d.warmup);
		if (total > FL_PLAN_MAX)
			return fl_seterr(err, errlen, "%s: the suite plans more than %d cases "
					 "(sweep points x (iterations + warmup), by cases[%zu]); "
					 "split it", path, FL_PLAN_MAX, k);
	}
	if (!total)
		return fl_seterr(err, errlen, "%s: the suite expands to no cases", path);
	return 0;
}

/* Iterations interleave across cases (iteration k of every case, then k+1) to spread drift;
 * each case's warm-ups come before its first measured iteration. */
static int build_plan(struct fl_plan *plan, struct suite_entry *ents, size_t n)
{
	json_t *groups = json_object();
	long max_it = 0;
	int ret = -1;

	for (size_t k = 0; k < n; k++)
		max_it = ents[k].d.iterations > max_it ? ents[k].d.iterations : max_it;
	for (long it = 0; it < max_it; it++) {
		for (size_t k = 0; k < n; k++) {
			json_t *pt;
			size_t i;

			if (it >= ents[k].d.iterations)
				continue;
			json_array_foreach(ents[k].points, i, pt) {
				for (long w = 0; it == 0 && w < ents[k].d.warmup; w++)
					if (plan_point(plan, groups, ents[k].workload, pt,
						       &ents[k].d, (int)w, true))
						goto out;
				if (plan_point(plan, groups, ents[k].workload, pt, &ents[k].d,
					       (int)it, false))
					goto out;
			}
		}
	}
	ret = 0;
out:
	json_decref(groups);
	return ret;
}

static int load_entries(json_t *doc, const char *agent, const char *path, struct fl_plan *plan,
			char *err, size_t errlen)
{
	struct suite_defaults sd = { .iterations = 3, .warmup = 0, .timeout_s = 600 };
	json_t *cases = json_object_get(doc, "cases"), *c;
	struct suite_entry *ents;
	size_t i;
	int ret = -1;

	if (get_defaults(doc, &sd, "the suite", path, err, errlen))
		return -1;
	/* the suite's max_time_s is the run's budget; a case's own is its group's */
	plan->max_time_s = sd.max_time_s;
	sd.max_time_s = 0;
	plan->nice = (int)sd.nice;
	plan->nice_set = sd.nice_set;
	if (!json_is_array(cases) || !json_array_size(cases))
		return fl_seterr(err, errlen, "%s: \"cases\" must be a non-empty array", path);
	ents = calloc(json_array_size(cases), sizeof(*ents));
	if (!ents)
		return fl_seterr(err, errlen, "out of memory");
	json_array_foreach(cases, i, c)
		if (load_entry(c, (int)i, &sd, path, &ents[i], err, errlen))
			goto out;
	if (check_plan_size(ents, json_array_size(cases), path, err, errlen) ||
	    check_entries(ents, json_array_size(cases), agent, path, err, errlen))
		goto out;
	ret = build_plan(plan, ents, json_array_size(cases));
	if (!ret && !plan->n)
		ret = fl_seterr(err, errlen, "%s: the suite expands to no cases", path);
out:
	for (i = 0; i < json_array_size(cases); i++)
		json_decref(ents[i].points);
	free(ents);
	return ret;
}

int fl_suite_load(const char *path, const char *agent, struct fl_plan *plan,
		  char *err, size_t errlen)
{
	json_t *doc = fl_json_load(path, err, errlen);
	char what[FL_ERRLEN / 2];
	const char *name = NULL;
	int ret = -1;

	memset(plan, 0, sizeof(*plan));
	if (!doc)
		return -1;
	if (!json_is_object(doc)) {
		fl_seterr(err, errlen, "%s: a suite must be a JSON object", path);
		goto out;
	}
	if (fl_json_check_fields(doc, suite_fields, "the suite", path, err, errlen) ||
	    get_str(doc, "name", &name, "the suite", path, err, errlen))
		goto out;
	/* The run id, the results path, remote commands and LAVA files are made from it. */
	snprintf(what, sizeof(what), "%s: the suite's \"name\"", path);
	if (name && fl_name_check(what, name, err, errlen))
		goto out;
	plan->suite_name = strdup(name ? name : "unnamed");
	ret = load_entries(doc, agent, path, plan, err, errlen);
out:
	json_decref(doc);
	if (ret)
		fl_plan_free(plan);	/* a refused suite leaves nothing to free */
	return ret;
}

void fl_plan_free(struct fl_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->cases[i].workload);
		free(plan->cases[i].probes);
		free(plan->cases[i].events);
		json_decref(plan->cases[i].params);
	}
	free(plan->cases);
	free(plan->suite_name);
	memset(plan, 0, sizeof(*plan));
}
