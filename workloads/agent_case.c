// SPDX-License-Identifier: GPL-2.0
/* One case: probes open -> setup -> probes start -> run -> probes stop -> verify -> teardown,
 * then the case document (schema faultline/1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "agent.h"
#include "fl_json.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "fl_interrupt.h"
#include "fl_hostlock.h"
#include "lib/knobs.h"
#include "lib/timing.h"
#include "probes/perf_ctl.h"
#include "probes/probe.h"

static const char *const status_names[] = {
	[FL_OK] = "ok", [FL_FAILED] = "failed", [FL_SKIPPED] = "skipped",
};

/* Split "a,b,c" into a NULL-terminated array pointing into buf. */
static const char **split_globs(char *buf, int *n)
{
	const char **v = calloc(strlen(buf) / 2 + 2, sizeof(*v));
	char *save = NULL, *tok;

	*n = 0;
	for (tok = strtok_r(buf, ",", &save); v && tok; tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = tok;
	return v;
}

static json_t *case_skeleton(const struct fl_agent_opts *o, struct fl_case *c)
{
	json_t *cs = json_object();

	json_object_set_new(cs, "workload", json_string(o->wl->name));
	json_object_set_new(cs, "params", fl_params_to_json(&o->params));
	json_object_set_new(cs, "iteration", json_integer(o->iteration));
	json_object_set_new(cs, "warmup", json_boolean(o->warmup));
	json_object_set_new(cs, "probes", json_string(o->probes));
	json_object_set_new(cs, "metrics", json_incref(c->metrics));
	json_object_set_new(cs, "counters", json_object());
	json_object_set_new(cs, "verify", json_incref(c->verify));
	json_object_set_new(cs, "detail", json_incref(c->extra));
	return cs;
}

/* A workload that scanned the kernel log: "console": {"findings": [...]}; one that resolved a
 * symbolic parameter: "resolved". */
static void set_console(json_t *cs, const struct fl_case *c)
{
	if (c->console)
		json_object_set_new(cs, "console", json_pack("{s:O}", "findings", c->console));
	if (json_object_size(c->resolved))
		json_object_set(cs, "resolved", c->resolved);
}

/* Metrics in the order of the workload's table, so the main (first) one leads. */
static json_t *ordered_metrics(const struct fl_case *c)
{
	json_t *o = json_object();

	for (const struct fl_metric *m = c->wl->metrics; m->name; m++) {
		json_t *v = json_object_get(c->metrics, m->name);

		if (v)
			json_object_set(o, m->name, v);
	}
	return o;
}

static void finish_case(json_t *cs, struct fl_case *c, bool ran, const char *status)
{
	json_object_set_new(cs, "metrics", ordered_metrics(c));
	json_object_set_new(cs, "status", json_string(status));
	if (strcmp(status, "ok") != 0)
		json_object_set_new(cs, "reason", json_string(c->reason[0] ? c->reason : status));
	json_object_set_new(cs, "measured_s", ran ? json_real(c->measured_s) : json_null());
	if (ran)
		json_object_set_new(cs, "ops", json_pack("{s:o, s:s}", "count",
							 fl_json_number(c->ops), "unit",
							 c->wl->op_unit));
}

/* The measured phase, bracketed by the probes (and perf stat, when driven). */
static int measured_phase(struct fl_case *c, struct fl_probe_set *ps, struct fl_perf_ctl *ctl)
{
	char err[FL_ERRLEN];
	uint64_t t0, t1;
	int ret;

	if (ctl && fl_perf_ctl_enable(ctl, err, sizeof(err)))
		fl_err("--perf-ctl: %s", err);
	fl_probes_start(ps);
	fl_case_rusage_start(c);
	t0 = fl_now_ns();
	ret = c->wl->run(c);
	t1 = fl_now_ns();
	fl_probes_stop(ps);
	if (ctl && fl_perf_ctl_disable(ctl, err, sizeof(err)))
		fl_err("--perf-ctl: %s", err);
	c->measured_s = (double)(t1 - t0) / 1e9;
	return ret;
}

struct agent_run {
	struct fl_case c;
	struct fl_probe_set *ps;
	struct fl_perf_ctl *ctl;
	const char **globs;
	bool ran;
};

static int open_probes(struct fl_agent_opts *o, struct agent_run *r)
{
	struct fl_probe_ctx ctx = { .pid = getpid(), .ncpus = fl_online_cpus(),
				    .proc_root = "/proc" };
	char err[FL_ERRLEN];
	int n;

	r->globs = split_globs(o->events, &n);
	ctx.tracepoints = r->globs;
	r->ps = fl_probes_open(o->probes, &ctx, err, sizeof(err));
	if (!r->ps) {
		fl_err("%s", err);
		return -1;
	}
	if (o->perf_ctl) {
		r->ctl = fl_perf_ctl_open(o->perf_ctl, err, sizeof(err));
		if (!r->ctl) {
			fl_err("option --perf-ctl: %s", err);
			return -1;
		}
	}
	return 0;
}

/* setup -> measured phase -> verify; teardown always. Returns the case's status. */
static const char *run_workload(struct agent_run *r)
{
	struct fl_case *c = &r->c;
	int ret;

	ret = c->wl->setup(c);
	if (ret == 0 && fl_interrupted())
		ret = fl_case_fail(c, "interrupted by signal %d before the measured phase",
				   fl_interrupt_signal());
	if (ret == 0) {
		ret = measured_phase(c, r->ps, r->ctl);
		r->ran = true;
	}
	if (ret == 0 && fl_interrupted()) {
		snprintf(c->reason, sizeof(c->reason),
			 "interrupted by signal %d during the measured phase", fl_interrupt_signal());
		c->wl->teardown(c);
		return "interrupted";
	}
	if (ret == 0)
		ret = c->wl->verify(c);
	c->wl->teardown(c);
	if (fl_interrupted() && ret)
		return "interrupted";
	return status_names[c->status];
}

/* The knobs journal brackets the workload: opened (a stale one restored first) before setup,
 * closed (everything restored) after teardown, whatever the status. */
static const char *run_with_journal(const struct fl_agent_opts *o, struct agent_run *r)
{
	struct fl_case *c = &r->c;
	char err[FL_ERRLEN];
	const char *status;

	c->knobs = fl_knobs_open(o->journal, NULL, stderr, err, sizeof(err));
	if (!c->knobs) {
		fl_case_skip(c, "cannot use the knobs journal: %s", err);
		return "skipped";
	}
	status = run_workload(r);
	if (fl_knobs_close(c->knobs, stderr) && strcmp(status, "ok") == 0) {
		fl_case_fail(c, "kernel settings changed by the case could not all be restored "
			     "from %s (stderr says which)", o->journal);
		status = "failed";
	}
	c->knobs = NULL;
	return status;
}

/* The host lock brackets the journal, so no other faultline changes kernel settings or
 * measures on this machine meanwhile, whatever journal it uses (fl_hostlock.h). An agent the
 * runner started shares the runner's lock. Busy with --no-wait: skipped, exit 3. */
static const char *run_locked(const struct fl_agent_opts *o, struct agent_run *r)
{
	struct fl_hostlock hl;
	char err[FL_ERRLEN];
	const char *status;
	int ret;

	ret = fl_hostlock_take(&hl, FL_HOSTLOCK_PATH, !o->no_wait, err, sizeof(err));
	/* not root: it can change no kernel setting */
	if (ret == FL_HOSTLOCK_UNPRIVILEGED && !o->quiet)
		fl_err("not root, so without the host lock (%s)", err);
	if (ret && ret != FL_HOSTLOCK_UNPRIVILEGED) {
		snprintf(r->c.reason, sizeof(r->c.reason), "%s", err);
		if (fl_interrupted())
			return "interrupted";
		if (o->quiet)
			fl_err("%s", err);
		fl_case_skip(&r->c, "%s", err);
		return "skipped";
	}
	status = run_with_journal(o, r);
	fl_hostlock_release(&hl);
	return status;
}

/* --nice: the case's priority, set before setup so every thread and child of the workload
 * inherits it (on Linux a nice value is per thread: this one, before any other exists). The
 * document gets the value read back. Refused (a lower value needs CAP_SYS_NICE): the case
 * fails; it never runs at another priority. */
static int set_nice(const struct fl_agent_opts *o, struct fl_case *c, json_t *cs)
{
	int err = 0, now;

	if (!o->nice_set)
		return 0;
	if (setpriority(PRIO_PROCESS, 0, o->nice))
		err = errno;
	errno = 0;
	now = getpriority(PRIO_PROCESS, 0);
	if (now == -1 && errno)
		return fl_case_fail(c, "option --nice=%d: getpriority cannot read the priority "
				    "back (%s), so the case did not run", o->nice,
				    strerror(errno));
	json_object_set_new(cs, "nice", json_integer(now));
	if (err)
		return fl_case_fail(c, "option --nice=%d: setpriority refused it (%s; a value "
				    "below the current nice %d needs root or CAP_SYS_NICE), so the "
				    "case did not run", o->nice, strerror(err), now);
	if (now != o->nice)
		return fl_case_fail(c, "option --nice=%d: the priority read back is nice %d, so "
				    "the case did not run", o->nice, now);
	return 0;
}

static int exit_status(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return FL_EXIT_OK;
	if (strcmp(status, "skipped") == 0)
		return FL_EXIT_ENV;
	if (strcmp(status, "interrupted") == 0)
		return 128 + 2;
	return FL_EXIT_FOUND;
}

static int write_doc(const struct fl_agent_opts *o, json_t *doc)
{
	char err[FL_ERRLEN];

	if (!o->json_path) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		return 0;
	}
	if (fl_json_write_atomic(o->json_path, doc, err, sizeof(err))) {
		fl_err("%s", err);
		return -1;
	}
	return 0;
}

static void summary_line(const struct fl_agent_opts *o, json_t *cs, const char *status)
{
	const struct fl_metric *m = o->wl->metrics;
	json_t *v = json_object_get(json_object_get(json_object_get(cs, "metrics"), m->name),
				    "value");

	if (o->quiet)
		return;
	if (strcmp(status, "ok") == 0 && v)
		fprintf(stderr, "%s: ok, %s %.6g %s in %.3f s\n", o->wl->name, m->name,
			json_number_value(v), m->unit,
			json_real_value(json_object_get(cs, "measured_s")));
	else
		fprintf(stderr, "%s: %s: %s\n", o->wl->name, status,
			json_string_value(json_object_get(cs, "reason")));
}

int fl_agent_run_case(struct fl_agent_opts *o)
{
	struct agent_run r = { 0 };
	struct fl_case *c = &r.c;
	const char *status;
	json_t *doc, *cs;
	int ret;

	c->wl = o->wl;
	c->params = o->params;
	c->ncpus = fl_online_cpus();
	c->metrics = json_object();
	c->verify = json_object();
	c->extra = json_object();
	c->resolved = json_object();
	c->op_unit = o->wl->op_unit;
	c->test = o->test;
	c->force = o->force;
	fl_interrupt_install();
	doc = json_pack("{s:s, s:o}", "schema", FL_SCHEMA_ID, "run", fl_agent_run_info(o));
	if (open_probes(o, &r)) {
		ret = FL_EXIT_USAGE;
		goto out;
	}
	cs = case_skeleton(o, c);
	json_object_set_new(doc, "case", cs);
	status = set_nice(o, c, cs) ? "failed" : run_locked(o, &r);
	finish_case(cs, c, r.ran, status);
	set_console(cs, c);
	if (r.ran)
		fl_probes_emit(r.ps, cs);
	ret = write_doc(o, doc) ? FL_EXIT_ENV : exit_status(status);
	summary_line(o, cs, status);
out:
	fl_probes_close(r.ps);
	if (r.ctl)
		fl_perf_ctl_close(r.ctl);
	free(r.globs);
	json_decref(c->metrics);
	json_decref(c->verify);
	json_decref(c->extra);
	json_decref(c->resolved);
	json_decref(c->console);
	json_decref(doc);
	return ret;
}
