// SPDX-License-Identifier: GPL-2.0
/*
 * Target "ssh:[USER@]HOST[:PORT]": a lab machine already booted into the kernel to measure.
 *
 * prepare  uname -m on the host picks the agent (this machine's, or bin/ARCH/... from
 *          kernels/machines.json; none: refused); the agent and the shared libraries it needs
 *          (not glibc's) go to /tmp/faultline-agent-HASH/ on the host. Nothing there is
 *          trusted: the directory must be a real directory owned by the login user (root)
 *          with mode 0700, or it is removed and made again; every cached file's sha256 is
 *          compared with the local file's, and a file that differs is copied again. The
 *          host's `faultline-agent --run-info` must show the --kernel candidate's release and
 *          config sha256; a stale knobs journal is restored.
 * run_case the agent with the same arguments as the local target, its output streamed into
 *          logs/NNNN.log, its document left on the host under out/. The same shell command
 *          first checks the directory's owner and mode and every cached file's sha256 again
 *          (the agent runs as root: a file changed since prepare is never run); a mismatch
 *          there repairs the cache and runs the case again.
 * Every string in a remote command is one single-quoted shell word (fl_sh_quote); a command
 * that does not fit its buffer is an error, never a truncated command.
 * collect  scp the document to cases/.NAME.part in the run dir, check its sha256 against the
 *          host's, parse and schema-validate it, write it under its name, drop the .part.
 * A dropped connection (ssh exits 255): wait for the host with backoff for at most
 * $FAULTLINE_SSH_RECONNECT_S (600 s), stop what is left of the agent there, restore its
 * knobs, check the kernel is still the same and run the case again (a case is never half
 * measured). A host that does not come back: the case is `interrupted` ("lost connection to
 * HOST") and the run stops resumable (faultline run --resume DIR --target ssh:HOST).
 *
 * This file runs and collects the cases; the agent cache is ssh_cache.c, the host's checks and
 * prepare ssh_host.c, their state target_ssh.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "fl_json.h"
#include "fl_schema.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "target_ssh.h"
#include "plan.h"
#include "agent_exec.h"
#include "rundir.h"

#define MAX_ATTEMPTS 3		/* runs of one case when the connection keeps dropping */
#define CASE_SLACK_S 30.0	/* ssh set-up and the document's way back */

static json_t *ssh_describe(struct fl_target *t, char *err, size_t errlen)
{
	struct fl_sshx *x = t->priv;
	json_t *info = json_deep_copy(x->info), *target = json_object_get(info, "target");
	json_t *kernel = json_object_get(info, "kernel");

	json_object_set_new(target, "kind", json_string("ssh"));
	json_object_set_new(target, "host", json_string(x->s.dest));
	json_object_set_new(target, "accel", json_string("none"));
	if (x->have_kernel) {
		json_object_set_new(kernel, "candidate", x->k.is_candidate ?
				    json_string(x->k.name) : json_null());
		json_object_set_new(kernel, "base", json_string(x->k.base));
	}
	return info;
}

static int ssh_boot(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	struct fl_sshx *x = t->priv;
	char msg[FL_ERRLEN];

	/* the run id names the host's case documents, which scp takes as paths */
	if (fl_name_check("the run id", rd->id, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "%s", msg);
	printf("host up: %s, %s, kernel %s, agent in %s\n", x->s.dest, x->arch, x->release,
	       x->rdir);
	fflush(stdout);
	return 0;
}

static void remote_doc(const struct fl_sshx *x, const struct fl_rundir *rd, size_t idx,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%s/out/%s-%04zu.json", x->rdir, rd->id, idx);
}

/*
 * rm -f RDIR/out/ID-*.json; echo $$ > RDIR/agent.pid; VERIFY; exec env ... AGENT ARGS:
 * every word quoted; -1 when the command does not fit.
 */
static int case_cmd(const struct fl_sshx *x, const struct fl_rundir *rd, const char *suite,
		    const struct fl_plan_case *pc, size_t idx, char *cmd, size_t len)
{
	char *argv[FL_MAX_ARGS], rdoc[400], old[300];
	int ret;

	remote_doc(x, rd, idx, rdoc, sizeof(rdoc));
	snprintf(old, sizeof(old), "out/%s-", rd->id);
	cmd[0] = '\0';
	ret = fl_str_append(cmd, len, "rm -f --") || fl_sshx_rpath(x, cmd, len, old) ||
	      fl_str_append(cmd, len, "*.json; echo $$ >") ||
	      fl_sshx_rpath(x, cmd, len, "agent.pid") ||
	      fl_str_append(cmd, len, "; ") || fl_sshx_add_verify(x, cmd, len) ||
	      fl_str_append(cmd, len, "exec ") || fl_sshx_add_agent(x, cmd, len);
	fl_case_argv(pc, rd->id, suite, x->ragent, rdoc, "ssh", argv);
	for (int i = 1; !ret && argv[i]; i++)	/* argv[0]: the agent, added above */
		ret = fl_sh_word(cmd, len, argv[i]);
	fl_argv_free(argv);
	return ret ? -1 : 0;
}

static void log_line(const char *log, const char *fmt, const char *a)
{
	FILE *f = fopen(log, "a");

	if (f) {
		fprintf(f, fmt, a);
		fclose(f);
	}
}

static int ssh_run_case(struct fl_target *t, struct fl_rundir *rd, const char *suite,
			struct fl_plan_case *pc, size_t idx, volatile sig_atomic_t *interrupted,
			struct fl_case_result *res, char *err, size_t errlen)
{
	struct fl_sshx *x = t->priv;
	char *cmd, log[1400];
	struct fl_child_result cr;
	double t0 = fl_now_s();
	int ret;

	cmd = malloc(CMD_MAX);
	if (!cmd)
		return fl_seterr(err, errlen, "out of memory");
	x->idx = idx;
	snprintf(log, sizeof(log), "%s/logs/%04zu.log", rd->dir, idx);
	if (case_cmd(x, rd, suite, pc, idx, cmd, CMD_MAX)) {
		free(cmd);
		return fl_sshx_too_long(x, "run the case", err, errlen);
	}
	for (int attempt = 1;; attempt++) {
		if (fl_ssh_run(&x->s, cmd, log, pc->timeout_s + CASE_SLACK_S, interrupted, &cr,
			       err, errlen)) {
			free(cmd);
			return -1;
		}
		if (!*interrupted && cr.exited && cr.code == CACHE_BAD && attempt < MAX_ATTEMPTS) {
			/* the cached agent or a library changed since prepare: it did not run */
			log_line(log, "faultline: the agent cache on %s changed; copying it again\n",
				 x->s.dest);
			fl_err("warning: the agent cache %s on %s changed during the run; checking "
			       "and copying it again", x->rdir, x->s.dest);
			ret = fl_sshx_install(x, err, errlen);
			if (ret) {
				free(cmd);
				return ret;
			}
			continue;
		}
		if (*interrupted || cr.timed_out || !cr.exited || cr.code != FL_SSH_LOST)
			break;
		log_line(log, "faultline: lost connection to %s during the case\n", x->s.dest);
		if (attempt < MAX_ATTEMPTS && !fl_sshx_reconnect(t, x, interrupted, err, errlen)) {
			log_line(log, "faultline: %s is back; running the case again\n", x->s.dest);
			printf("running the case again ... ");
			fflush(stdout);
			continue;
		}
		if (err[0])
			fl_err("%s", err);
		res->interrupted = true;
		snprintf(res->reason, sizeof(res->reason), "lost connection to %.300s (%s)",
			 x->s.dest, attempt < MAX_ATTEMPTS ? "it did not come back in time" :
			 "it dropped on every attempt");
		fl_err("lost connection to %s; the run stops here: when the host is back, "
		       "finish it with  faultline run --resume %s --target ssh:%s", x->s.dest,
		       rd->dir, x->s.dest);
		*interrupted = 1;	/* stop the run, resumable (target.h) */
		break;
	}
	free(cmd);
	if ((*interrupted && !res->interrupted) || cr.timed_out)
		fl_sshx_cleanup(x, cr.timed_out ? "TERM" : "INT");
	res->elapsed_s = fl_now_s() - t0;
	res->timed_out = cr.timed_out;
	res->interrupted |= *interrupted != 0;
	res->exited = cr.exited;
	res->code = cr.code;
	res->signaled = cr.signaled;
	res->sig = cr.sig;
	if (cr.timed_out)
		snprintf(res->reason, sizeof(res->reason), "the agent on %s did not finish within "
			 "%.0f s and was stopped", x->s.dest, pc->timeout_s + CASE_SLACK_S);
	return 0;
}

/* sha256 of the host's copy; 1: there is none, FL_SSH_LOST: no connection. */
static int remote_sha(struct fl_sshx *x, const char *rdoc, char hex[65], char *msg, size_t len)
{
	char cmd[1024] = "test -f", out[256];
	int ret;

	if (fl_sh_word(cmd, sizeof(cmd), rdoc) ||
	    fl_str_append(cmd, sizeof(cmd), " || exit 1; sha256sum --") ||
	    fl_sh_word(cmd, sizeof(cmd), rdoc))
		return snprintf(msg, len, "the remote command to hash %s is too long", rdoc), 2;
	ret = fl_ssh_output(&x->s, cmd, out, sizeof(out), msg, len);
	if (!ret && strlen(out) < 64)
		return 1;
	snprintf(hex, 65, "%.64s", out);
	return ret;
}

/* Pull the case document: a temp name in the run dir, checked, validated, then renamed. */
static int ssh_collect(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
		       struct fl_case_result *res, char *err, size_t errlen)
{
	struct fl_sshx *x = t->priv;
	char path[1400], part[1500], rdoc[400], rhex[65], lhex[65], msg[FL_ERRLEN];
	struct fl_sha256 h;
	json_t *doc;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	unlink(path);
	if (res->interrupted || res->timed_out)
		return 0;
	remote_doc(x, rd, x->idx, rdoc, sizeof(rdoc));
	while ((ret = remote_sha(x, rdoc, rhex, msg, sizeof(msg))) == FL_SSH_LOST)
		if (fl_sshx_reconnect(t, x, NULL, err, errlen))
			return fl_sshx_lost(x, "fetch a case document from", msg, err, errlen), -1;
	if (ret)
		return 0;	/* no document: the runner writes one from the exit status */
	snprintf(part, sizeof(part), "%s/cases/.%s.part", rd->dir, strrchr(pc->file, '/') + 1);
	if (fl_ssh_get(&x->s, rdoc, part, err, errlen)) {
		unlink(part);
		return -1;
	}
	fl_sha256_init(&h);
	if (fl_sha256_file(&h, part)) {
		unlink(part);
		return fl_seterr(err, errlen, "cannot read %s", part);
	}
	fl_sha256_hex(&h, lhex);
	if (strcmp(lhex, rhex)) {
		unlink(part);
		return fl_seterr(err, errlen, "the copy of %s from %s has sha256 %.12s, the host's "
				 "%.12s", rdoc, x->s.dest, lhex, rhex);
	}
	doc = fl_json_load(part, err, errlen);
	unlink(part);
	if (!doc)
		return -1;
	json_object_set_new(doc, "run", json_deep_copy(rd->run_info));
	if (fl_schema_validate_case(doc, msg, sizeof(msg))) {
		json_decref(doc);
		snprintf(res->log_tail, sizeof(res->log_tail), "the case document from %s is not "
			 "valid: %s", x->s.dest, msg);
		return 0;	/* recorded as failed with the reason in the log tail */
	}
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

static void ssh_shutdown(struct fl_target *t)
{
	struct fl_sshx *x = t->priv;

	if (!x)
		return;
	fl_ssh_master_stop(&x->s);
	json_decref(x->info);
	free(x);
	t->priv = NULL;
}

const struct fl_target_ops fl_target_ssh_ops = {
	.kind = "ssh",
	.spec = "ssh:[USER@]HOST[:PORT]",
	.summary = "a lab machine already booted into the kernel, reached\n"
		   "with ssh (--kernel: check it runs that candidate)",
	.prepare = fl_sshx_prepare,
	.describe = ssh_describe,
	.boot = ssh_boot,
	.run_case = ssh_run_case,
	.collect = ssh_collect,
	.shutdown = ssh_shutdown,
};
