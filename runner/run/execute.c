// SPDX-License-Identifier: GPL-2.0
/* Run a plan case by case on a target: its document, or one the runner writes for it (crash,
 * timeout, interrupt), with the console findings; run.json after every case; progress. Then,
 * when the plan asks for precision, rounds of adaptive iterations (precision.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedoc.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "precision.h"
#include "plan.h"
#include "rundir.h"
#include "execute.h"
#include "summary.h"
#include "target.h"

struct progress {
	size_t done, total;
	double spent_s;
};

/* The document in the run dir, if there is a usable one (casedoc.h): take its status and
 * reason; false with why (empty when there is no document) otherwise. */
static bool read_case_status(const char *path, struct fl_plan_case *pc, char *first_metric,
			     size_t len, char *why, size_t whylen)
{
	struct fl_casedoc d;
	const char *rs, *key;
	struct stat st;
	json_t *m;

	why[0] = '\0';
	if (lstat(path, &st))
		return false;
	if (fl_casedoc_load(&d, path, why, whylen))
		return false;
	rs = json_string_value(json_object_get(d.cs, "reason"));
	snprintf(pc->status, sizeof(pc->status), "%s", d.status);
	snprintf(pc->reason, sizeof(pc->reason), "%s", rs ? rs : "");
	fl_prec_case_metric(pc, d.cs);
	first_metric[0] = '\0';
	json_object_foreach(json_object_get(d.cs, "metrics"), key, m) {
		if (json_is_number(json_object_get(m, "value"))) {
			snprintf(first_metric, len, "%s %.6g %s", key,
				 json_number_value(json_object_get(m, "value")),
				 json_string_value(json_object_get(m, "unit")) ?: "");
			break;
		}
	}
	fl_casedoc_free(&d);
	return true;
}

/* why: the agent's document is there but cannot be used (casedoc.h), or empty. */
static void classify_failure(const struct fl_case_result *res, struct fl_plan_case *pc,
			     const char *why)
{
	if (res->timed_out) {
		strcpy(pc->status, "timeout");
		snprintf(pc->reason, sizeof(pc->reason), "%s", res->reason);
	} else if (res->crashed) {
		strcpy(pc->status, "crashed");
		snprintf(pc->reason, sizeof(pc->reason), "%s", res->reason);
	} else if (res->interrupted) {
		strcpy(pc->status, "interrupted");
		snprintf(pc->reason, sizeof(pc->reason), "%s", res->reason[0] ? res->reason :
			 "interrupted before the case was written");
	} else if (res->signaled) {
		strcpy(pc->status, "failed");
		snprintf(pc->reason, sizeof(pc->reason), "the agent died of signal %d (%s)",
			 res->sig, strsignal(res->sig));
	} else if (why[0]) {
		strcpy(pc->status, "failed");
		snprintf(pc->reason, sizeof(pc->reason), "the agent exited with status %d and its "
			 "case document cannot be used: %.380s", res->code, why);
	} else {
		strcpy(pc->status, "failed");
		snprintf(pc->reason, sizeof(pc->reason),
			 "the agent exited with status %d without writing its case", res->code);
	}
}

/* Add the console findings to a case document the runner wrote. */
static int add_findings(struct fl_rundir *rd, const struct fl_plan_case *pc, json_t *findings,
			char *err, size_t errlen)
{
	char path[1400], why[FL_ERRLEN];
	struct fl_casedoc d;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	if (fl_casedoc_load(&d, path, why, sizeof(why)))
		return fl_seterr(err, errlen, "%s: %s", path, why);
	json_object_set_new(d.cs, "console", json_pack("{s:O}", "findings", findings));
	ret = fl_json_write_atomic(path, d.doc, err, errlen);
	fl_casedoc_free(&d);
	return ret;
}

static void progress_begin(struct progress *p, const struct fl_plan_case *pc)
{
	char label[512];

	fl_params_label(pc->params, NULL, label, sizeof(label));
	printf("[%zu/%zu] %s %s (%s %d%s) ... ", p->done + 1, p->total, pc->workload, label,
	       pc->warmup ? "warm-up" : "iteration", pc->iteration, pc->extra ? ", adaptive" : "");
	fflush(stdout);
}

static void progress_end(struct progress *p, const struct fl_plan_case *pc, const char *metric,
			 double elapsed)
{
	char dur[48], st[64], text[1024];
	double eta;

	p->done++;
	p->spent_s += elapsed;
	eta = p->spent_s / (double)p->done * (double)(p->total - p->done);
	/* status, reason and metric come from the target's document: cleaned for the terminal */
	if (!strcmp(pc->status, "ok"))
		printf("ok, %s (%.1f s)", fl_text_clean(text, sizeof(text), metric), elapsed);
	else
		printf("%s: %s (%.1f s)", fl_text_clean(st, sizeof(st), pc->status),
		       fl_text_clean(text, sizeof(text), pc->reason), elapsed);
	if (p->done < p->total)
		printf(", ETA %s", fl_fmt_duration(dur, sizeof(dur), eta));
	putchar('\n');
	fflush(stdout);
}

/* Run case pc and record its status: 0, or -1 (said on stderr) when the target or the run dir
 * failed, which stops the run. */
static int run_one(struct fl_target *t, struct fl_rundir *rd, struct fl_plan *plan,
		   struct fl_plan_case *pc, volatile sig_atomic_t *interrupted, double *elapsed,
		   char *metric, size_t mlen)
{
	struct fl_case_result res = { 0 };
	size_t idx = (size_t)(pc - plan->cases);
	char path[1400], err[FL_ERRLEN], why[FL_ERRLEN] = "";
	int ret = -1;

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	if (t->ops->run_case(t, rd, plan->suite_name, pc, idx, interrupted, &res, err,
			     sizeof(err)) ||
	    fl_target_collect(t, rd, pc, &res, err, sizeof(err)))
		goto out;
	*elapsed = res.elapsed_s;
	pc->elapsed_s = res.elapsed_s;
	metric[0] = '\0';
	if (!res.timed_out && !res.crashed &&
	    read_case_status(path, pc, metric, mlen, why, sizeof(why))) {
		ret = 0;
		goto out;
	}
	classify_failure(&res, pc, why);
	if (fl_rundir_write_case(rd, pc, pc->status, pc->reason, res.log_tail, err, sizeof(err)))
		goto out;
	if (res.findings && add_findings(rd, pc, res.findings, err, sizeof(err)))
		goto out;
	ret = 0;
out:
	if (ret)
		fl_err("%s", err);
	json_decref(res.findings);
	json_decref(res.doc);
	return ret;
}

static bool is_done(const struct fl_plan_case *pc)
{
	return strcmp(pc->status, "pending") && strcmp(pc->status, "interrupted");
}

int fl_plan_round(const struct fl_plan_case *pc)
{
	return pc->round;
}

int fl_run_plan_round(struct fl_rundir *rd, struct fl_plan *plan, struct fl_target *t,
		      volatile sig_atomic_t *interrupted, int round)
{
	struct progress p = { .total = plan->n };
	char err[FL_ERRLEN], metric[256];

	for (size_t i = 0; i < plan->n; i++)
		p.done += is_done(&plan->cases[i]);
	if (p.done && round < 0)
		printf("resuming %s: %zu of %zu cases already done\n", rd->dir, p.done, p.total);
	for (size_t i = 0; i < plan->n && !*interrupted; i++) {
		struct fl_plan_case *pc = &plan->cases[i];
		double elapsed = 0;

		if (is_done(pc) || (round >= 0 && fl_plan_round(pc) != round))
			continue;
		progress_begin(&p, pc);
		if (run_one(t, rd, plan, pc, interrupted, &elapsed, metric, sizeof(metric)))
			return FL_EXIT_ENV;	/* run_one said why */
		progress_end(&p, pc, metric, elapsed);
		if (fl_rundir_save(rd, plan, "running", err, sizeof(err))) {
			fl_err("%s (the case files written so far are intact)", err);
			return FL_EXIT_ENV;
		}
	}
	return 0;
}

int fl_run_plan_finish(struct fl_rundir *rd, struct fl_plan *plan, volatile sig_atomic_t *interrupted)
{
	char err[FL_ERRLEN];
	bool problems = false;

	for (size_t i = 0; i < plan->n; i++)
		problems |= !strcmp(plan->cases[i].status, "failed") ||
			    !strcmp(plan->cases[i].status, "crashed") ||
			    !strcmp(plan->cases[i].status, "timeout");
	if (fl_rundir_save(rd, plan, *interrupted ? "interrupted" : "complete", err, sizeof(err))) {
		fl_err("%s", err);
		return FL_EXIT_ENV;
	}
	if (*interrupted)
		return 128 + SIGINT;
	return problems ? FL_EXIT_FOUND : FL_EXIT_OK;
}

int fl_plan_max_round(const struct fl_plan *plan)
{
	int m = -1;

	for (size_t i = 0; i < plan->n; i++)
		if (fl_plan_round(&plan->cases[i]) > m)
			m = fl_plan_round(&plan->cases[i]);
	return m;
}

/* Rounds of one more iteration of every case that wants one, until none does. */
static int run_adaptive(struct fl_rundir *rd, struct fl_plan *plan, struct fl_target *t,
			volatile sig_atomic_t *interrupted)
{
	int round = fl_plan_max_round(plan) + 1, ret = 0, added;

	while (!ret && !*interrupted) {
		added = fl_prec_next_round(plan, round, 0, NULL, NULL);
		if (added < 0) {
			fl_err("out of memory planning more iterations");
			return FL_EXIT_ENV;
		}
		if (!added)
			break;
		fl_prec_print(plan, NULL, stdout);
		ret = fl_run_plan_round(rd, plan, t, interrupted, round++);
	}
	return ret;
}

int fl_run_plan(struct fl_rundir *rd, struct fl_plan *plan, struct fl_target *t,
		volatile sig_atomic_t *interrupted)
{
	int ret;

	if (plan->started_mono <= 0)
		fl_plan_start_clock(plan);
	ret = fl_run_plan_round(rd, plan, t, interrupted, -1);
	if (!ret && fl_plan_adaptive(plan))
		ret = run_adaptive(rd, plan, t, interrupted);
	if (ret)
		return ret;
	return fl_run_plan_finish(rd, plan, interrupted);
}
