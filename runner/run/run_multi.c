// SPDX-License-Identifier: GPL-2.0
/*
 * faultline run --kernel A --kernel B [...] SUITE: an A/B (or A/B/C...) in one go.
 *
 * OUT (default results/<stamp>-<suite>-ab) holds one ordinary run dir per kernel, OUT/<name>/,
 * so `faultline compare OUT/A OUT/B` reads them as any two runs, plus OUT/runs.json (which
 * kernels, their dirs, status, the order of every round). The plan is played in rounds (round
 * r: iteration r of every case, warm-ups with round 0); within a round each kernel boots, runs
 * its cases and powers off before the next one boots, and the order rotates every round
 * (A B, B A, ...) so slow drift of the host spreads over all kernels. Only one guest runs at a
 * time. A kernel that cannot be used (bad candidate, patch or build failure, no boot) is one
 * sentence and its remaining cases are skipped; the others go on.
 *
 * With --precision (precision.h), rounds go on after the planned ones: each kernel in turn
 * gets one more iteration of every case group of its own that still wants one, or that
 * reached its precision while another kernel's same group still wants more (the kernels stop
 * together, so every round has each of them: fl_prec_keep), and fits what is left of the
 * budget (--max-time is the whole run's, boots included: a kernel's share of a
 * round reserves the boot and power-off time its last share took).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include "fl_json.h"
#include "clock.h"
#include "fl_util.h"
#include "precision.h"
#include "plan.h"
#include "rundir.h"
#include "execute.h"
#include "summary.h"
#include "target.h"

struct slot {
	const char *spec;
	char name[128], reason[FL_ERRLEN];
	int failed;		/* 0, or the exit status that stopped this kernel */
	bool have_rd;
	double overhead_s;	/* its last share of a round: wall time beyond its cases' */
	struct fl_target_opts o;
	struct fl_plan plan;
	struct fl_rundir rd;
};

static void slot_name(const char *spec, char *buf, size_t len)
{
	const char *b = strrchr(spec, '/');
	size_t n;

	snprintf(buf, len, "%s", b ? b + 1 : spec);
	n = strlen(buf);
	if (n > 5 && !strcmp(buf + n - 5, ".json"))
		buf[n - 5] = '\0';
}

static void fail_slot(struct slot *s, int code, const char *why)
{
	char err[FL_ERRLEN];

	s->failed = code;
	snprintf(s->reason, sizeof(s->reason), "%s", why);
	fl_err("kernel %s: %s; its remaining cases are skipped, the other kernels go on",
	       s->name, why);
	if (!s->have_rd)
		return;
	for (size_t i = 0; i < s->plan.n; i++) {
		struct fl_plan_case *pc = &s->plan.cases[i];

		if (strcmp(pc->status, "pending"))
			continue;
		snprintf(pc->status, sizeof(pc->status), "skipped");
		snprintf(pc->reason, sizeof(pc->reason), "kernel %s: %s", s->name, why);
		if (fl_rundir_write_case(&s->rd, pc, pc->status, pc->reason, "", err, sizeof(err)))
			fl_err("%s", err);
	}
	if (fl_rundir_save(&s->rd, &s->plan, "complete", err, sizeof(err)))
		fl_err("%s", err);
}

/* Prepare (resolve or build the kernel), describe, and create OUT/<name>/. */
static void slot_prepare(struct slot *s, const char *suite, const char *out,
			 const struct fl_multi_opts *mo, double started, char *err, size_t errlen)
{
	struct fl_target t;
	char dir[1300];
	json_t *info;
	int ret;

	printf("== kernel %s: preparing\n", s->name);
	fflush(stdout);
	if (fl_target_init(&t, &s->o, err, errlen)) {
		fail_slot(s, FL_EXIT_USAGE, err);
		return;
	}
	ret = fl_target_prepare(&t, err, errlen);
	if (ret) {
		fl_target_shutdown(&t);
		fail_slot(s, ret > 0 ? ret : FL_EXIT_ENV, err);
		return;
	}
	info = t.ops->describe(&t, err, errlen);
	fl_target_shutdown(&t);
	if (!info) {
		fail_slot(s, FL_EXIT_ENV, err);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", out, s->name);
	if (mo->nice_set)	/* what --resume of this kernel's run dir keeps */
		json_object_set_new(info, "nice", json_integer(mo->nice));
	ret = fl_suite_load(suite, s->o.agent, &s->plan, err, errlen);
	if (!ret) {
		fl_prec_apply(&s->plan, mo->precision_pct, mo->max_time_s);
		if (mo->nice_set)
			fl_plan_set_nice(&s->plan, mo->nice);
		s->plan.started_mono = started;	/* one clock, one budget for all kernels */
		ret = fl_prec_check(&s->plan, err, errlen) ||
		      fl_rundir_create(&s->rd, dir, s->plan.suite_name, info, err, errlen);
	}
	json_decref(info);
	if (ret) {
		fail_slot(s, FL_EXIT_ENV, err);
		return;
	}
	s->have_rd = true;
	snprintf(dir, sizeof(dir), "%s/suite.json", s->rd.dir);
	info = fl_json_load(suite, err, errlen);
	if (!info || fl_json_write_atomic(dir, info, err, errlen) ||
	    fl_rundir_save(&s->rd, &s->plan, "running", err, errlen))
		fail_slot(s, FL_EXIT_ENV, err);
	json_decref(info);
}

/* One kernel's share of round r: boot, its cases of the round, power off. */
static void slot_round(struct slot *s, int r, volatile sig_atomic_t *interrupted, char *err,
		       size_t errlen)
{
	struct fl_target t;
	int ret;

	if (fl_target_init(&t, &s->o, err, errlen)) {
		fail_slot(s, FL_EXIT_USAGE, err);
		return;
	}
	ret = fl_target_prepare(&t, err, errlen);
	if (!ret)
		ret = fl_target_boot(&t, &s->rd, err, errlen) ? FL_EXIT_ENV : 0;
	if (ret) {
		char why[FL_ERRLEN];

		snprintf(why, sizeof(why), "%s", err);
		fl_target_shutdown(&t);
		fail_slot(s, ret > 0 ? ret : FL_EXIT_ENV, why);
		return;
	}
	ret = fl_run_plan_round(&s->rd, &s->plan, &t, interrupted, r);
	fl_target_shutdown(&t);
	if (ret)
		fail_slot(s, ret, "its run stopped (see the message above)");
}

/* slot_round, timed: what the share took beyond its cases (boot, power-off) is kept as the
 * time the next share reserves. */
static void slot_round_timed(struct slot *s, int r, volatile sig_atomic_t *interrupted,
			     char *err, size_t errlen)
{
	double t0 = fl_now_s(), cases = 0;

	slot_round(s, r, interrupted, err, errlen);
	for (size_t i = 0; s->have_rd && i < s->plan.n; i++)
		if (fl_plan_round(&s->plan.cases[i]) == r)
			cases += s->plan.cases[i].elapsed_s;
	s->overhead_s = fl_now_s() - t0 - cases;
	if (s->overhead_s < 0)
		s->overhead_s = 0;
}

/* keep[j] of slot j for fl_prec_next_round: its groups that another kernel's same groups
 * still want (fl_prec_keep), as the round starts, so a kernel that reaches its precision in a
 * round does not cut the others' share of it (every round has each kernel: they stop
 * together). NULL for a slot that takes no part. -1 when out of memory. */
static int round_keeps(struct slot *slots, int nkernels, bool **keep)
{
	const struct fl_plan **others = calloc((size_t)nkernels, sizeof(*others));
	int ret = others ? 0 : -1;

	for (int j = 0; j < nkernels && !ret; j++) {
		struct slot *s = &slots[j];
		size_t n = 0;

		if (s->failed || !s->have_rd || !fl_plan_adaptive(&s->plan))
			continue;
		for (int i = 0; i < nkernels; i++)
			if (i != j && !slots[i].failed && slots[i].have_rd)
				others[n++] = &slots[i].plan;
		keep[j] = calloc(s->plan.ngroups + 1, sizeof(bool));
		ret = keep[j] ? fl_prec_keep(&s->plan, others, n, keep[j]) : -1;
	}
	free(others);
	return ret;
}

/* Adaptive rounds after the planned ones (rmax), kernels in turn, until no kernel's case
 * group wants and fits another iteration. */
static void adaptive_rounds(struct slot *slots, int nkernels, int rmax, json_t *rounds,
			    volatile sig_atomic_t *interrupted, char *err, size_t errlen)
{
	bool **keep = calloc((size_t)nkernels, sizeof(*keep));

	for (int r = rmax + 1, added = 1; added && !*interrupted; r++) {
		json_t *order = json_array();
		bool nomem = !keep || round_keeps(slots, nkernels, keep) < 0;

		added = 0;
		for (int j = 0; j < nkernels && !*interrupted; j++) {
			int k = (j + r) % nkernels, n;
			struct slot *s = &slots[k];

			if (s->failed || !s->have_rd || !fl_plan_adaptive(&s->plan))
				continue;
			n = nomem ? -1 : fl_prec_next_round(&s->plan, r, s->overhead_s, keep[k], NULL);
			if (n < 0)
				fail_slot(s, FL_EXIT_ENV, "out of memory planning more iterations");
			if (n <= 0)
				continue;
			added += n;
			fl_prec_print(&s->plan, s->name, stdout);
			printf("== round %d (adaptive): kernel %s, %d case(s)\n", r + 1, s->name, n);
			fflush(stdout);
			json_array_append_new(order, json_string(s->name));
			slot_round_timed(s, r, interrupted, err, errlen);
		}
		for (int j = 0; keep && j < nkernels; j++) {
			free(keep[j]);
			keep[j] = NULL;
		}
		if (json_array_size(order))
			json_array_append(rounds, order);
		json_decref(order);
	}
	free(keep);
}

static bool round_pending(const struct fl_plan *plan, int r)
{
	for (size_t i = 0; i < plan->n; i++)
		if (fl_plan_round(&plan->cases[i]) == r && !strcmp(plan->cases[i].status, "pending"))
			return true;
	return false;
}

static int write_index(const char *out, const char *suite, struct slot *slots, int n,
		       json_t *rounds, char *err, size_t errlen)
{
	json_t *doc, *arr = json_array();
	char path[1100];
	int ret;

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "kernel", slots[i].spec,
			"dir", slots[i].name, "status", slots[i].failed ? "failed" : "ok", "reason",
			slots[i].reason));
	doc = json_pack("{s:s, s:s, s:o, s:O}", "schema", "faultline-multi/1", "suite", suite,
			"kernels", arr, "rounds", rounds);
	/* Every kernel may have failed before its run dir was made: make OUT itself. */
	snprintf(path, sizeof(path), "%s", out);
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/runs.json", out);
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

int fl_run_multi(const char *suite, const char *out, const struct fl_target_opts *opts,
		 const char *const *kernels, int nkernels, const struct fl_multi_opts *mo,
		 volatile sig_atomic_t *interrupted)
{
	struct slot *slots = calloc((size_t)nkernels, sizeof(*slots));
	char dir[1024], stamp[32], err[FL_ERRLEN], index[1100];
	json_t *rounds = json_array();
	int rmax = -1, status = FL_EXIT_OK;
	double started = fl_now_s();
	time_t now = time(NULL);
	struct tm tm;

	if (!slots)
		return FL_EXIT_ENV;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (out) {
		snprintf(dir, sizeof(dir), "%s", out);
	} else {
		char sname[128];

		slot_name(suite, sname, sizeof(sname));
		snprintf(dir, sizeof(dir), "results/%s-%s-ab", stamp, sname);
	}
	snprintf(index, sizeof(index), "%s/runs.json", dir);
	if (access(index, F_OK) == 0) {
		fl_err("results directory %s already holds a run of several kernels (runs.json): "
		       "give a new --out", dir);
		free(slots);
		json_decref(rounds);
		return FL_EXIT_USAGE;
	}
	for (int i = 0; i < nkernels; i++) {
		slots[i].spec = kernels[i];
		slots[i].o = *opts;
		slots[i].o.kernel = kernels[i];
		slot_name(kernels[i], slots[i].name, sizeof(slots[i].name));
		for (int j = 0; j < i; j++)
			if (!strcmp(slots[j].name, slots[i].name))
				snprintf(slots[i].name + strlen(slots[i].name),
					 sizeof(slots[i].name) - strlen(slots[i].name), "-%d", i + 1);
	}
	for (int i = 0; i < nkernels && !*interrupted; i++) {
		slot_prepare(&slots[i], suite, dir, mo, started, err, sizeof(err));
		if (slots[i].have_rd && fl_plan_max_round(&slots[i].plan) > rmax)
			rmax = fl_plan_max_round(&slots[i].plan);
	}
	for (int r = 0; r <= rmax && !*interrupted; r++) {
		json_t *order = json_array();

		for (int j = 0; j < nkernels && !*interrupted; j++) {
			struct slot *s = &slots[(j + r) % nkernels];

			if (s->failed || !round_pending(&s->plan, r))
				continue;
			printf("== round %d/%d: kernel %s\n", r + 1, rmax + 1, s->name);
			fflush(stdout);
			json_array_append_new(order, json_string(s->name));
			slot_round_timed(s, r, interrupted, err, sizeof(err));
		}
		json_array_append_new(rounds, order);
	}
	adaptive_rounds(slots, nkernels, rmax, rounds, interrupted, err, sizeof(err));
	for (int i = 0; i < nkernels; i++) {
		struct slot *s = &slots[i];
		int ret = s->failed;

		if (s->have_rd && !s->failed) {
			ret = fl_run_plan_finish(&s->rd, &s->plan, interrupted);
			printf("== kernel %s: %s\n", s->name, s->rd.dir);
			fl_summary_print(s->rd.dir, stdout);
		}
		if (ret > status)
			status = ret;
	}
	if (write_index(dir, suite, slots, nkernels, rounds, err, sizeof(err)))
		fl_err("%s", err);
	printf("results: %s (one run dir per kernel; index %s/runs.json)\n", dir, dir);
	for (int i = 0; i < nkernels; i++)
		printf("  %-24s %s\n", slots[i].name, slots[i].failed ? slots[i].reason :
		       slots[i].rd.dir);
	if (nkernels >= 2 && !slots[0].failed && !slots[1].failed)
		printf("compare: faultline compare %s/%s %s/%s\n", dir, slots[0].name, dir,
		       slots[1].name);
	for (int i = 0; i < nkernels; i++) {
		fl_plan_free(&slots[i].plan);
		if (slots[i].have_rd)
			fl_rundir_close(&slots[i].rd);
	}
	json_decref(rounds);
	free(slots);
	return status;
}
