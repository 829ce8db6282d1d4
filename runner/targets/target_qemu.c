// SPDX-License-Identifier: GPL-2.0
/*
 * Target "qemu": boot a kernel with the agent's initramfs in QEMU (KVM when /dev/kvm is usable
 * for the arch, else TCG), send each case over a virtio-serial port, receive its document as
 * a checked frame, capture the serial console to results/<run-id>/console.log and classify it.
 * A guest that crashes or stops answering is restarted and the run goes on.
 *
 * This file sends the cases and takes their documents; the state and the other jobs (prepare,
 * the run object, the guest's boot and console) are in target_qemu.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console_classify.h"
#include "fl_json.h"
#include "fl_util.h"
#include "qemu_opts.h"
#include "target_qemu.h"
#include "plan.h"
#include "agent_exec.h"

#define DEFAULT_BOOT_TIMEOUT_S 120.0
#define FRAME_SLACK_S 15.0	/* after the case's own timeout: frames, agent start-up */
#define KVM_PROBE_BOOT_S 30.0	/* a KVM guest is up in seconds; longer means KVM is broken */

static double boot_timeout(const struct fl_target *t)
{
	return t->opts.boot_timeout_s ? t->opts.boot_timeout_s : DEFAULT_BOOT_TIMEOUT_S;
}

static int qemu_boot(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	struct fl_qemu *q = t->priv;

	snprintf(q->console, sizeof(q->console), "%s/console.log", rd->dir);
	if (!q->dir[0] && fl_qemu_dir_make(q->dir, sizeof(q->dir), q->k.image, q->initrd,
					   err, errlen))
		return -1;
	q->ch.gone = fl_qemu_gone;
	q->ch.ctx = q;
	/* /dev/kvm can open and still fail (nested virtualization): fall back to TCG. */
	if (!strcmp(q->accel, "kvm") && !q->accel_fixed) {
		if (!fl_qemu_boot_guest(q, rd, KVM_PROBE_BOOT_S, true, err, errlen))
			return 0;
		fprintf(stderr, "faultline: KVM did not boot the guest (%s); using TCG\n", err);
		snprintf(q->accel, sizeof(q->accel), "tcg");
	}
	return fl_qemu_boot_guest(q, rd, boot_timeout(t), true, err, errlen);
}

/* --inject-fault N:panic,M:hang: the kind for plan case idx, or NULL. */
static const char *inject_for(const char *spec, size_t idx, char *buf, size_t len)
{
	for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		char kind[16];
		unsigned long n;

		if (sscanf(p, "%lu:%15[a-z]", &n, kind) == 2 && n == idx) {
			snprintf(buf, len, "%s", kind);
			return buf;
		}
	}
	return NULL;
}

static int send_case(struct fl_qemu *q, char **argv)
{
	char head[32];
	int n = 0;

	while (argv[n])
		n++;
	snprintf(head, sizeof(head), "RUN %d\n", n);
	if (fl_chan_write(&q->ch, head, strlen(head)))
		return -1;
	for (int i = 0; i < n; i++)
		if (strchr(argv[i], '\n') || fl_chan_write(&q->ch, argv[i], strlen(argv[i])) ||
		    fl_chan_write(&q->ch, "\n", 1))
			return -1;
	return 0;
}

static void keep_tail(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	snprintf(dst, len, "%s", n >= len ? src + n - (len - 1) : src);
}

/* Frames until DONE: LOG into the case log and the result's tail, CASE into res->doc. */
static int receive(struct fl_qemu *q, const char *log, double deadline,
		   struct fl_case_result *res, char *err, size_t errlen)
{
	char line[512], kind[16], sha[65], *body;
	size_t n;
	int ret;

	for (;;) {
		ret = fl_chan_line(&q->ch, line, sizeof(line), deadline);
		if (ret)
			return ret;
		if (!strncmp(line, "DONE ", 5)) {
			res->exited = 1;
			res->code = atoi(line + 5);
			return FL_CHAN_OK;
		}
		if (!fl_frame_header(line, kind, sizeof(kind), &n, sha))
			continue;
		ret = fl_chan_frame(&q->ch, n, sha, deadline, &body, err, errlen);
		if (ret)
			return ret;
		if (!strcmp(kind, "LOG")) {
			FILE *f = fopen(log, "a");

			if (f) {
				fputs(body, f);
				fclose(f);
			}
			keep_tail(res->log_tail, sizeof(res->log_tail), body);
		} else if (!strcmp(kind, "CASE")) {
			json_error_t je;

			json_decref(res->doc);
			res->doc = json_loads(body, 0, &je);
		}
		free(body);
	}
}

static int qemu_run_case(struct fl_target *t, struct fl_rundir *rd, const char *suite,
			 struct fl_plan_case *pc, size_t idx, volatile sig_atomic_t *interrupted,
			 struct fl_case_result *res, char *err, size_t errlen)
{
	struct fl_qemu *q = t->priv;
	char *argv[FL_MAX_ARGS], log[1400], inj[16], ferr[FL_ERRLEN] = "", cmd[48];
	double t0, timeout = pc->timeout_s + FRAME_SLACK_S;
	long off;
	int ret;

	if (!q->up && fl_qemu_boot_guest(q, rd, boot_timeout(t), false, err, errlen))
		return -1;
	snprintf(log, sizeof(log), "%s/logs/%04zu.log", rd->dir, idx);
	off = fl_qemu_file_size(q->console);
	t0 = fl_now_s();
	if (inject_for(t->opts.inject, idx, inj, sizeof(inj))) {
		snprintf(cmd, sizeof(cmd), "INJECT %s\n", inj);
		fl_chan_write(&q->ch, cmd, strlen(cmd));
	}
	fl_case_argv(pc, rd->id, suite, "/bin/faultline-agent", NULL, "qemu", argv);
	ret = send_case(q, argv) ? FL_CHAN_EOF : FL_CHAN_OK;
	fl_argv_free(argv);
	q->ch.ctx = q;
	if (!ret)
		ret = receive(q, log, t0 + timeout, res, ferr, sizeof(ferr));
	res->elapsed_s = fl_now_s() - t0;
	if (ret == FL_CHAN_TIMEOUT && *interrupted)
		res->interrupted = true;
	if (ret == FL_CHAN_TIMEOUT || ret == FL_CHAN_EOF || ret == FL_CHAN_GONE)
		fl_qemu_stop(q);	/* the next case boots a fresh guest */
	res->findings = fl_qemu_console_findings(q, off);
	/* KASAN reports once per boot and lockdep turns itself off after a report: a finding
	 * the guest survived still means a fresh guest for the next case. */
	if (json_array_size(res->findings) && q->up)
		fl_qemu_stop(q);
	if (ret == FL_CHAN_OK)
		return 0;
	if (ret == 1) {		/* a damaged frame: the document is not used */
		snprintf(res->reason, sizeof(res->reason), "%s", ferr);
		return 0;
	}
	if (ret == FL_CHAN_TIMEOUT) {
		res->timed_out = true;
		if (!json_array_size(res->findings))
			json_array_append_new(res->findings, fl_console_finding(
				"no output from guest", "the guest stopped answering and its console "
				"shows no kernel report"));
	} else {
		res->crashed = true;
		if (!json_array_size(res->findings))
			json_array_append_new(res->findings, fl_console_finding(
				"lost connection", "the guest's channel closed or QEMU exited, and the "
				"console shows no kernel report"));
	}
	snprintf(res->reason, sizeof(res->reason), "%s: %.200s (console: %.200s)",
		 res->timed_out ? "the guest did not finish the case within its time" :
		 "the guest died during the case",
		 json_string_value(json_object_get(json_array_get(res->findings, 0), "title")),
		 q->console);
	return 0;
}

/* The document from the guest goes into the run dir with the run's identity and the console
 * findings; a finding makes an ok case crashed. */
static int qemu_collect(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
			struct fl_case_result *res, char *err, size_t errlen)
{
	json_t *cs = json_object_get(res->doc, "case");
	char path[1400];

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	unlink(path);
	if (!res->doc || !json_is_object(cs) || res->timed_out || res->crashed)
		return 0;
	json_object_set_new(res->doc, "run", json_deep_copy(rd->run_info));
	json_object_set_new(cs, "console", json_pack("{s:O}", "findings",
						     res->findings ? res->findings : json_array()));
	if (json_array_size(res->findings)) {
		const char *title = json_string_value(json_object_get(json_array_get(res->findings,
										     0), "title"));

		json_object_set_new(cs, "status", json_string("crashed"));
		json_object_set_new(cs, "reason", json_sprintf("the console shows %s", title));
	}
	return fl_json_write_atomic(path, res->doc, err, errlen);
}

static void qemu_shutdown(struct fl_target *t)
{
	struct fl_qemu *q = t->priv;

	if (!q)
		return;
	if (q->up && q->ch.fd >= 0) {
		double deadline = fl_now_s() + 10;

		fl_chan_write(&q->ch, "POWEROFF\n", 9);
		while (fl_now_s() < deadline && !fl_qemu_gone(q))
			usleep(50000);
	}
	fl_qemu_stop(q);
	fl_qemu_dir_remove(q->dir);
	fl_machine_free(&q->m);
	free(q);
	t->priv = NULL;
}

const struct fl_target_ops fl_target_qemu_ops = {
	.kind = "qemu",
	.summary = "boot --kernel in QEMU (KVM when /dev/kvm is usable, else\n"
		   "TCG) and run inside, the agent in an initramfs",
	.caps = FL_TGT_BOOTS_KERNEL | FL_TGT_MULTI_KERNEL,
	.prepare = fl_qemu_prepare,
	.describe = fl_qemu_describe,
	.boot = qemu_boot,
	.run_case = qemu_run_case,
	.collect = qemu_collect,
	.shutdown = qemu_shutdown,
};
