// SPDX-License-Identifier: GPL-2.0
/* Target "local": the agent as a child process on this machine's kernel. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "fl_util.h"
#include "target.h"
#include "plan.h"
#include "agent_exec.h"
#include "rundir.h"

static int local_prepare(struct fl_target *t, char *err, size_t errlen)
{
	char boots[128];

	fl_target_kinds(FL_TGT_BOOTS_KERNEL, boots, sizeof(boots));
	if (t->opts.kernel)
		return fl_seterr(err, errlen, "--kernel needs --target %s (the local target runs "
				 "on this machine's kernel)", boots), FL_EXIT_USAGE;
	if (t->opts.arch) {
		struct utsname u;

		uname(&u);
		if (strcmp(u.machine, t->opts.arch))
			return fl_seterr(err, errlen, "--arch %s needs --target %s (this machine "
					 "is %s)", t->opts.arch, boots, u.machine), FL_EXIT_USAGE;
	}
	return 0;
}

static json_t *local_describe(struct fl_target *t, char *err, size_t errlen)
{
	char *argv[] = { (char *)t->opts.agent, "--run-info", NULL };

	return fl_child_json(argv, err, errlen);
}

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

static int local_run_case(struct fl_target *t, struct fl_rundir *rd, const char *suite,
			  struct fl_plan_case *pc, size_t idx, volatile sig_atomic_t *interrupted,
			  struct fl_case_result *res, char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS], log[1400], path[1400];
	struct fl_child_result cr;

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	snprintf(log, sizeof(log), "%s/logs/%04zu.log", rd->dir, idx);
	unlink(path);
	fl_case_argv(pc, rd->id, suite, t->opts.agent, path, "local", argv);
	if (fl_child_run(argv, log, pc->timeout_s, interrupted, &cr, err, errlen)) {
		fl_argv_free(argv);
		return -1;
	}
	fl_argv_free(argv);
	res->elapsed_s = cr.elapsed_s;
	res->timed_out = cr.timed_out;
	res->interrupted = *interrupted != 0;
	res->exited = cr.exited;
	res->code = cr.code;
	res->signaled = cr.signaled;
	res->sig = cr.sig;
	if (cr.timed_out)
		snprintf(res->reason, sizeof(res->reason),
			 "the agent did not finish within %.0f s and was killed", pc->timeout_s);
	tail_of(log, res->log_tail, sizeof(res->log_tail));
	return 0;
}

/* Nothing to boot, collect or shut down: this machine is up, and the agent writes its case
 * document into the run dir itself. */
const struct fl_target_ops fl_target_local_ops = {
	.kind = "local",
	.summary = "this machine's kernel (the default), the agent as a child\n"
		   "process",
	.caps = FL_TGT_THIS_HOST,
	.prepare = local_prepare,
	.describe = local_describe,
	.run_case = local_run_case,
};
