// SPDX-License-Identifier: GPL-2.0
/* Run a plan case by case: the agent as a child with a timeout; its document, or one the
 * runner writes for it (crash, timeout, interrupt); run.json after every case; progress. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "runner.h"

struct progress {
	size_t done, total;
	double spent_s;
};

/* The last len-1 bytes of a log file. */
static void tail_of(const char *path, char *buf, size_t len)
{
	char all[16384];
	long n = fl_read_file(path, all, sizeof(all));
	size_t from;

	buf[0] = '\0';
	if (n <= 0)
		return;
	from = (size_t)n > len - 1 ? (size_t)n - (len - 1) : 0;
	memcpy(buf, all + from, (size_t)n - from);
	buf[(size_t)n - from] = '\0';
}

static void build_argv(const struct fl_plan_case *pc, const struct fl_rundir *rd,
		       const char *suite, const char *agent, char **argv)
{
	int n = fl_agent_argv(agent, pc->workload, pc->params, argv, FL_MAX_ARGS - 12);

	n += asprintf(&argv[n], "--json=%s/%s", rd->dir, pc->file) > 0;
	n += asprintf(&argv[n], "--iteration=%d", pc->iteration) > 0;
	n += asprintf(&argv[n], "--run-id=%s", rd->id) > 0;
	n += asprintf(&argv[n], "--suite=%s", suite) > 0;
	argv[n++] = strdup("--quiet");
	if (pc->warmup)
		argv[n++] = strdup("--warmup");
	if (pc->probes)
		n += asprintf(&argv[n], "--probes=%s", pc->probes) > 0;
	if (pc->events)
		n += asprintf(&argv[n], "--events=%s", pc->events) > 0;
	argv[n] = NULL;
}

/* The agent's own document, if it wrote a readable one: take its status and reason. */
static bool read_case_status(const char *path, struct fl_plan_case *pc, char *first_metric,
			     size_t len)
{
	json_t *doc = json_load_file(path, 0, NULL), *cs, *m;
	const char *st, *rs, *key;

	if (!doc)
		return false;
	cs = json_object_get(doc, "case");
	st = json_string_value(json_object_get(cs, "status"));
	rs = json_string_value(json_object_get(cs, "reason"));
	if (!st) {
		json_decref(doc);
		return false;
	}
	snprintf(pc->status, sizeof(pc->status), "%s", st);
	snprintf(pc->reason, sizeof(pc->reason), "%s", rs ? rs : "");
	first_metric[0] = '\0';
	json_object_foreach(json_object_get(cs, "metrics"), key, m) {
		if (json_is_number(json_object_get(m, "value"))) {
			snprintf(first_metric, len, "%s %.6g %s", key,
				 json_number_value(json_object_get(m, "value")),
				 json_string_value(json_object_get(m, "unit")));
			break;
		}
	}
	json_decref(doc);
	return true;
}

static void classify_failure(const struct fl_child_result *res, bool interrupted,
			     double timeout_s, struct fl_plan_case *pc)
{
	if (res->timed_out) {
		strcpy(pc->status, "timeout");
		snprintf(pc->reason, sizeof(pc->reason),
			 "the agent did not finish within %.0f s and was killed", timeout_s);
	} else if (interrupted) {
		strcpy(pc->status, "interrupted");
		snprintf(pc->reason, sizeof(pc->reason), "interrupted before the case was written");
	} else if (res->signaled) {
		strcpy(pc->status, "failed");
		snprintf(pc->reason, sizeof(pc->reason), "the agent died of signal %d (%s)",
			 res->sig, strsignal(res->sig));
	} else {
		strcpy(pc->status, "failed");
		snprintf(pc->reason, sizeof(pc->reason),
			 "the agent exited with status %d without writing its case", res->code);
	}
}

static void progress_begin(struct progress *p, const struct fl_plan_case *pc)
{
	char label[512];

	fl_params_label(pc->params, label, sizeof(label));
	printf("[%zu/%zu] %s %s (%s %d) ... ", p->done + 1, p->total, pc->workload, label,
	       pc->warmup ? "warm-up" : "iteration", pc->iteration);
	fflush(stdout);
}

static void progress_end(struct progress *p, const struct fl_plan_case *pc, const char *metric,
			 double elapsed)
{
	double eta;

	p->done++;
	p->spent_s += elapsed;
	eta = p->spent_s / (double)p->done * (double)(p->total - p->done);
	if (!strcmp(pc->status, "ok"))
		printf("ok, %s (%.1f s)", metric, elapsed);
	else
		printf("%s: %s (%.1f s)", pc->status, pc->reason, elapsed);
	if (p->done < p->total)
		printf(", ETA %dm%02ds", (int)eta / 60, (int)eta % 60);
	putchar('\n');
	fflush(stdout);
}

static int run_one(struct fl_rundir *rd, struct fl_plan *plan, struct fl_plan_case *pc,
		   const char *agent, volatile int *interrupted, double *elapsed, char *metric,
		   size_t mlen)
{
	char *argv[FL_MAX_ARGS], log[1400], path[1400], tail[2048], err[FL_ERRLEN];
	struct fl_child_result res;
	size_t idx = (size_t)(pc - plan->cases);

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	snprintf(log, sizeof(log), "%s/logs/%04zu.log", rd->dir, idx);
	unlink(path);
	build_argv(pc, rd, plan->suite_name, agent, argv);
	if (fl_child_run(argv, log, pc->timeout_s, interrupted, &res, err, sizeof(err))) {
		fl_argv_free(argv);
		fl_err("%s", err);
		return FL_EXIT_ENV;
	}
	fl_argv_free(argv);
	*elapsed = res.elapsed_s;
	metric[0] = '\0';
	if (!res.timed_out && read_case_status(path, pc, metric, mlen))
		return 0;
	classify_failure(&res, *interrupted, pc->timeout_s, pc);
	tail_of(log, tail, sizeof(tail));
	if (fl_rundir_write_case(rd, pc, pc->status, pc->reason, tail, err, sizeof(err))) {
		fl_err("%s", err);
		return FL_EXIT_ENV;
	}
	return 0;
}

static bool is_done(const struct fl_plan_case *pc)
{
	return strcmp(pc->status, "pending") && strcmp(pc->status, "interrupted");
}

int fl_run_plan(struct fl_rundir *rd, struct fl_plan *plan, const char *agent,
		volatile int *interrupted)
{
	struct progress p = { .total = plan->n };
	char err[FL_ERRLEN], metric[256];
	bool problems = false;

	for (size_t i = 0; i < plan->n; i++)
		p.done += is_done(&plan->cases[i]);
	if (p.done)
		printf("resuming %s: %zu of %zu cases already done\n", rd->dir, p.done, p.total);
	for (size_t i = 0; i < plan->n && !*interrupted; i++) {
		struct fl_plan_case *pc = &plan->cases[i];
		double elapsed = 0;

		if (is_done(pc))
			continue;
		progress_begin(&p, pc);
		if (run_one(rd, plan, pc, agent, interrupted, &elapsed, metric, sizeof(metric)))
			return FL_EXIT_ENV;
		progress_end(&p, pc, metric, elapsed);
		if (fl_rundir_save(rd, plan, "running", err, sizeof(err))) {
			fl_err("%s (the case files written so far are intact)", err);
			return FL_EXIT_ENV;
		}
	}
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
