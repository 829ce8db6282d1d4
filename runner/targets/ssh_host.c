// SPDX-License-Identifier: GPL-2.0
/*
 * The ssh target's host (target_ssh.h): which agent it gets, the kernel it runs against the
 * candidate, cleaning up after an agent a dropped connection left there, waiting for a host
 * that went away; and prepare, which does all of it once before the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "clock.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "target_ssh.h"

#define INFO_MAX (256 * 1024)

/* The agent for the host's arch: ours, or the machine table's cross-built one. */
static int pick_agent(struct fl_target *t, struct fl_sshx *x, char *err, size_t errlen)
{
	char root[4096], msg[FL_ERRLEN];
	struct fl_machine m;
	struct utsname u;

	uname(&u);
	if (t->opts.arch && strcmp(t->opts.arch, x->arch)) {
		x->bad_input = true;
		return fl_seterr(err, errlen, "--arch %s, but %s is %s", t->opts.arch, x->s.dest,
				 x->arch);
	}
	if (!strcmp(u.machine, x->arch)) {
		x->native = true;
		snprintf(x->agent, sizeof(x->agent), "%s", t->opts.agent);
		return 0;
	}
	if (fl_project_root(root, sizeof(root)) && !fl_machine_load(root, x->arch, &m, msg,
								     sizeof(msg))) {
		snprintf(x->agent, sizeof(x->agent), "%s/%s", root, m.agent);
		fl_machine_free(&m);
		if (!access(x->agent, X_OK))
			return 0;
	}
	return fl_seterr(err, errlen, "%s is %s and there is no faultline agent built for %s "
			 "here (build bin/%s/faultline-agent; kernels/machines.json)", x->s.dest,
			 x->arch, x->arch, x->arch);
}

/* The host's --run-info; its kernel against the candidate and against what it ran before. */
int fl_sshx_host_info(struct fl_target *t, struct fl_sshx *x, char *err, size_t errlen)
{
	char *out = malloc(INFO_MAX), cmd[CMD_MAX] = "", msg[FL_ERRLEN];
	json_t *info, *kernel;
	char rel[128], sha_buf[65];
	const char *sha;
	int ret;

	if (!out)
		return fl_seterr(err, errlen, "out of memory");
	if (fl_sshx_add_verify(x, cmd, sizeof(cmd)) || fl_str_append(cmd, sizeof(cmd), "exec ") ||
	    fl_sshx_add_agent(x, cmd, sizeof(cmd)) || fl_sh_word(cmd, sizeof(cmd), "--run-info")) {
		free(out);
		return fl_sshx_too_long(x, "ask the agent for its kernel", err, errlen);
	}
	ret = fl_ssh_output(&x->s, cmd, out, INFO_MAX, msg, sizeof(msg));
	info = ret ? NULL : json_loads(out, 0, NULL);
	free(out);
	if (ret == FL_SSH_LOST)
		return fl_sshx_lost(x, "reach", msg, err, errlen);
	if (ret == CACHE_BAD)
		return fl_seterr(err, errlen, "the agent cache %s on %s changed right after it "
				 "was checked; not running it", x->rdir, x->s.dest);
	if (!info)
		return fl_seterr(err, errlen, "the agent on %s did not describe its kernel (%s)",
				 x->s.dest, msg[0] ? msg : "no JSON from --run-info");
	kernel = json_object_get(info, "kernel");
	fl_text_clean(rel, sizeof(rel),
		      json_string_value(json_object_get(kernel, "release")) ?: "?");
	sha = json_string_value(json_object_get(json_object_get(kernel, "config"), "sha256"));
	snprintf(sha_buf, sizeof(sha_buf), "%s", sha ?: "");
	sha = sha ? sha_buf : NULL;
	if (x->release[0] && (strcmp(rel, x->release) || strcmp(sha ?: "", x->config_sha))) {
		json_decref(info);
		return fl_seterr(err, errlen, "%s came back running kernel %s, not the %s it ran "
				 "when the run started", x->s.dest, rel, x->release);
	}
	if (x->have_kernel && x->k.release[0] && strcmp(rel, x->k.release)) {
		json_decref(info);
		return fl_seterr(err, errlen, "%s runs kernel %s, not candidate %s (release %s): "
				 "boot it into the candidate first", x->s.dest, rel, x->k.name,
				 x->k.release);
	}
	if (x->have_kernel && x->k.config[0]) {
		struct fl_sha256 h;
		char hex[65];

		fl_sha256_init(&h);
		if (fl_sha256_file(&h, x->k.config))
			return json_decref(info), fl_seterr(err, errlen, "cannot read %s",
							   x->k.config);
		fl_sha256_hex(&h, hex);
		if (!sha || strcmp(sha, hex)) {
			json_decref(info);
			return fl_seterr(err, errlen, "%s runs release %s but %s; candidate %s has "
					 "config sha256 %.12s", x->s.dest, rel, sha ?
					 "with another kernel config" : "shows no kernel config "
					 "(/proc/config.gz or /boot/config-*) to check", x->k.name,
					 hex);
		}
	}
	snprintf(x->release, sizeof(x->release), "%s", rel);
	snprintf(x->config_sha, sizeof(x->config_sha), "%s", sha ?: "");
	json_decref(x->info);
	x->info = info;
	(void)t;
	return 0;
}

/* Stop an agent left running on the host (the connection dropped), restore its knobs. */
void fl_sshx_cleanup(struct fl_sshx *x, const char *sig)
{
	char cmd[CMD_MAX] = "p=$(cat", out[4096], msg[FL_ERRLEN];

	if (fl_sshx_rpath(x, cmd, sizeof(cmd), "agent.pid") ||
	    fl_str_append(cmd, sizeof(cmd), " 2>/dev/null); if [ -n \"$p\" ] && grep -q "
		     "faultline-agent /proc/$p/cmdline 2>/dev/null; then kill -") ||
	    fl_str_append(cmd, sizeof(cmd), sig) ||
	    fl_str_append(cmd, sizeof(cmd), " \"$p\"; i=0; while kill -0 \"$p\" 2>/dev/null && "
		     "[ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done; kill -KILL \"$p\" 2>/dev/null; "
		     "fi; rm -f --") || fl_sshx_rpath(x, cmd, sizeof(cmd), "agent.pid") ||
	    fl_str_append(cmd, sizeof(cmd), "; ") || fl_sshx_add_verify(x, cmd, sizeof(cmd)) ||
	    fl_sshx_add_agent(x, cmd, sizeof(cmd)) || fl_sh_word(cmd, sizeof(cmd), "--restore")) {
		fl_err("%s: the clean-up command does not fit in %d bytes; not running it",
		       x->s.dest, CMD_MAX);
		return;
	}
	fl_ssh_output(&x->s, cmd, out, sizeof(out), msg, sizeof(msg));
}

/* The op's exit status for a helper's -1: the user's input (2) or the environment (3). */
static int failed(const struct fl_sshx *x)
{
	return x->bad_input ? FL_EXIT_USAGE : FL_EXIT_ENV;
}

int fl_sshx_prepare(struct fl_target *t, char *err, size_t errlen)
{
	struct fl_sshx *x = calloc(1, sizeof(*x));
	char msg[FL_ERRLEN], root[4096];
	int ret;

	if (!x)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	t->priv = x;
	if (!t->opts.kind[3])
		return fl_seterr(err, errlen, "--target ssh needs a host: ssh:[USER@]HOST[:PORT]"),
		       FL_EXIT_USAGE;
	ret = fl_ssh_init(&x->s, t->opts.kind + 4, err, errlen);
	if (ret)
		return ret;
	fl_ssh_master_start(&x->s);	/* without it, each command connects on its own */
	ret = fl_ssh_output(&x->s, "uname -m", x->arch, sizeof(x->arch), msg, sizeof(msg));
	if (ret == FL_SSH_LOST)
		return fl_sshx_lost(x, "reach", msg, err, errlen), FL_EXIT_ENV;
	if (ret || !x->arch[0])
		return fl_seterr(err, errlen, "uname -m failed on %s (%s)", x->s.dest, msg),
		       FL_EXIT_ENV;
	if (fl_name_check("the host's `uname -m`", x->arch, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "%s: %s", x->s.dest, msg), FL_EXIT_ENV;
	if (pick_agent(t, x, err, errlen) || fl_sshx_cache_list(x, err, errlen))
		return failed(x);
	if (t->opts.kernel) {
		if (!fl_project_root(root, sizeof(root)))
			return fl_seterr(err, errlen, "cannot find the faultline tree for "
					 "--kernel; set FAULTLINE_ROOT"), FL_EXIT_ENV;
		ret = fl_kernel_resolve(root, t->opts.kernel, &x->k, err, errlen);
		if (ret)
			return ret;
		x->have_kernel = true;
	}
	if (fl_sshx_install(x, err, errlen))
		return failed(x);
	fl_sshx_cleanup(x, "INT");
	return fl_sshx_host_info(t, x, err, errlen) ? failed(x) : 0;
}

/* The host went away: wait for it, then clean up after the lost attempt. */
int fl_sshx_reconnect(struct fl_target *t, struct fl_sshx *x, volatile sig_atomic_t *interrupted,
		      char *err, size_t errlen)
{
	double t0 = fl_now_s();

	printf("lost connection to %s; waiting up to %.0f s for it ... ", x->s.dest,
	       x->s.reconnect_s);
	fflush(stdout);
	if (fl_ssh_wait_host(&x->s, interrupted)) {
		printf("not back\n");
		return -1;
	}
	printf("back after %.0f s ... ", fl_now_s() - t0);
	fflush(stdout);
	fl_ssh_master_start(&x->s);
	fl_sshx_cleanup(x, "INT");
	if (fl_sshx_install(x, err, errlen) || fl_sshx_host_info(t, x, err, errlen))
		return -1;
	return 0;
}
