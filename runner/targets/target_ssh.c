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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "clock.h"
#include "fl_json.h"
#include "fl_schema.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "kernel.h"
#include "ssh_cmd.h"
#include "target.h"
#include "plan.h"
#include "agent_exec.h"
#include "rundir.h"

#define MAX_ATTEMPTS 3		/* runs of one case when the connection keeps dropping */
#define CASE_SLACK_S 30.0	/* ssh set-up and the document's way back */
#define INFO_MAX (256 * 1024)
#define MAX_LIBS 32
#define CMD_MAX 16384
#define CACHE_BAD 86		/* exit status of a remote command that found the cache changed */

struct cached {
	char local[512];	/* this machine's file */
	char rel[160];		/* its path under the cache dir: faultline-agent, lib/NAME */
	char hex[65];		/* its sha256 */
};

struct sshx {
	struct fl_ssh s;
	char arch[64], agent[4200], rdir[128], ragent[192];
	char release[128], config_sha[65];	/* what the host ran at prepare */
	json_t *info;				/* the host's --run-info */
	struct fl_kernel k;
	bool have_kernel, native;		/* native: the host's arch is ours */
	size_t idx;				/* the plan index of the last case run */
	struct cached files[MAX_LIBS + 1];	/* [0] the agent, then its libraries */
	int nfiles;
};

/* Append the quoted path rdir/rel. */
static int add_rpath(const struct sshx *x, char *cmd, size_t len, const char *rel)
{
	char p[512];

	if (snprintf(p, sizeof(p), "%s%s%s", x->rdir, rel[0] ? "/" : "", rel) >= (int)sizeof(p))
		return -1;
	return fl_sh_word(cmd, len, p);
}

static int too_long(const struct sshx *x, const char *what, char *err, size_t errlen)
{
	return fl_seterr(err, errlen, "the remote command to %s on %s does not fit in %d bytes; "
			 "not running a shortened one", what, x->s.dest, CMD_MAX), FL_EXIT_USAGE;
}

/*
 * Shell text that checks the cache dir (a real directory of the login user, mode 0700)
 * and every cached file's sha256, and exits CACHE_BAD when anything differs.
 */
static int add_verify(const struct sshx *x, char *cmd, size_t len)
{
	char line[800];

	if (fl_str_append(cmd, len, "[ \"$(stat -c '%u %a %F' --") || add_rpath(x, cmd, len, "") ||
	    fl_str_append(cmd, len, " 2>/dev/null)\" = \"$(id -u) 700 directory\" ] && printf "
		     "'%s\\n'"))
		return -1;
	for (int i = 0; i < x->nfiles; i++) {
		if (snprintf(line, sizeof(line), "%s  %s/%s", x->files[i].hex, x->rdir,
			     x->files[i].rel) >= (int)sizeof(line) || fl_sh_word(cmd, len, line))
			return -1;
	}
	return fl_str_append(cmd, len, " | sha256sum -c --status - 2>/dev/null || { echo 'faultline: "
			"the agent cache on this host changed since it was checked; not running it' "
			">&2; exit 86; }; ");
}

/* Append "env LD_LIBRARY_PATH=RDIR/lib RDIR/faultline-agent". */
static int add_agent(const struct sshx *x, char *cmd, size_t len)
{
	char env[256];

	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s/lib", x->rdir);
	return fl_str_append(cmd, len, "env") || fl_sh_word(cmd, len, env) ||
	       fl_sh_word(cmd, len, x->ragent);
}

/* Add one local file to the cache list with its sha256; -1 when it cannot be read. */
static int cache_add(struct sshx *x, const char *local, const char *rel)
{
	struct cached *c = &x->files[x->nfiles];
	struct fl_sha256 h;

	if (x->nfiles > MAX_LIBS)
		return -1;
	fl_sha256_init(&h);
	if (snprintf(c->local, sizeof(c->local), "%s", local) >= (int)sizeof(c->local) ||
	    snprintf(c->rel, sizeof(c->rel), "%s", rel) >= (int)sizeof(c->rel) ||
	    fl_sha256_file(&h, local))
		return -1;
	fl_sha256_hex(&h, c->hex);
	x->nfiles++;
	return 0;
}

/* Libraries of a same-arch agent, except glibc's own (the host's must match its ld.so). */
static int agent_libs(struct sshx *x, char *err, size_t errlen)
{
	static const char *const skip[] = { "libc.so", "libm.so", "libpthread.so", "libdl.so",
					    "librt.so", "ld-linux", NULL };
	char cmd[4400] = "ldd ", line[1024], lib[512], rel[160];
	FILE *p;

	if (fl_sh_quote(cmd, sizeof(cmd), x->agent))
		return fl_seterr(err, errlen, "the agent's path %s is too long for ldd", x->agent);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char *arrow = strstr(line, "=> /"), *name = line + strspn(line, " \t"), *end;
		const char *base;
		bool glibc = false;

		if (!arrow)
			continue;
		for (int i = 0; skip[i]; i++)
			glibc |= !strncmp(name, skip[i], strlen(skip[i]));
		end = strchr(arrow + 3, ' ');
		if (glibc || !end)
			continue;
		snprintf(lib, sizeof(lib), "%.*s", (int)(end - arrow - 3), arrow + 3);
		base = strrchr(lib, '/') + 1;
		snprintf(rel, sizeof(rel), "lib/%s", base);
		if (!fl_name_ok(base) || cache_add(x, lib, rel)) {
			pclose(p);
			return fl_seterr(err, errlen, "cannot take the agent's library %s to the host "
					 "(unreadable, an odd name, or more than %d libraries)", lib,
					 MAX_LIBS);
		}
	}
	pclose(p);
	return 0;
}

/* The agent for the host's arch: ours, or the machine table's cross-built one. */
static int pick_agent(struct fl_target *t, struct sshx *x, char *err, size_t errlen)
{
	char root[4096], msg[FL_ERRLEN];
	struct fl_machine m;
	struct utsname u;

	uname(&u);
	if (t->opts.arch && strcmp(t->opts.arch, x->arch))
		return fl_seterr(err, errlen, "--arch %s, but %s is %s", t->opts.arch, x->s.dest,
				 x->arch), FL_EXIT_USAGE;
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
			 x->arch, x->arch, x->arch), FL_EXIT_ENV;
}

static int lost(struct sshx *x, const char *what, const char *msg, char *err, size_t errlen)
{
	return fl_seterr(err, errlen, "cannot %s %s over ssh (%s)", what, x->s.dest,
			 msg[0] ? msg : "connection failed"), FL_EXIT_ENV;
}

/*
 * Ask the host, in one command, for its uid, the cache dir's owner, mode and type, and (only
 * when those are right) the sha256 of every cached file. *dir_ok says whether the dir is
 * right; bad[i] whether files[i] is missing or differs. Returns 0, FL_SSH_LOST, or an exit
 * status with err set.
 */
static int cache_probe(struct sshx *x, bool *dir_ok, bool *bad, char *out, char *err,
		       size_t errlen)
{
	char *cmd = malloc(CMD_MAX), msg[FL_ERRLEN], *line, *save, want[200];
	int ret, n = 0;

	if (!cmd)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	cmd[0] = '\0';
	if (fl_str_append(cmd, CMD_MAX, "id -u; s=$(stat -c '%u %a %F' --") ||
	    add_rpath(x, cmd, CMD_MAX, "") ||
	    fl_str_append(cmd, CMD_MAX, " 2>/dev/null); echo \"${s:-missing}\"; [ \"$s\" = "
		     "\"$(id -u) 700 directory\" ] || exit 0; sha256sum --"))
		goto long_cmd;
	for (int i = 0; i < x->nfiles; i++)
		if (add_rpath(x, cmd, CMD_MAX, x->files[i].rel))
			goto long_cmd;
	if (fl_str_append(cmd, CMD_MAX, " 2>/dev/null; exit 0"))
		goto long_cmd;
	ret = fl_ssh_output(&x->s, cmd, out, CMD_MAX, msg, sizeof(msg));
	free(cmd);
	if (ret == FL_SSH_LOST)
		return lost(x, "reach", msg, err, errlen), FL_SSH_LOST;
	if (ret)
		return fl_seterr(err, errlen, "cannot check the agent cache %s on %s (%s)", x->rdir,
				 x->s.dest, msg), FL_EXIT_ENV;
	for (int i = 0; i < x->nfiles; i++)
		bad[i] = true;
	*dir_ok = false;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0) {
			snprintf(want, sizeof(want), "%.20s 700 directory", line);
			continue;
		}
		if (n == 1) {
			*dir_ok = !strcmp(line, want);
			if (!*dir_ok && strcmp(line, "missing"))
				fl_err("warning: the agent cache %s on %s is \"%.60s\", not a directory "
				       "of the login user with mode 0700 (%s): making it again", x->rdir,
				       x->s.dest, line, want);
			continue;
		}
		for (int i = 0; i < x->nfiles; i++) {
			char p[512];

			snprintf(p, sizeof(p), "%s/%s", x->rdir, x->files[i].rel);
			if (strlen(line) > 66 && !strcmp(line + 66, p))
				bad[i] = strncmp(line, x->files[i].hex, 64) != 0;
		}
	}
	return 0;
long_cmd:
	free(cmd);
	return too_long(x, "check the agent cache", err, errlen);
}

/* Remove the cache dir and make it again: the login user's, mode 0700 (mkdir without -p
 * fails if someone else made it in between). */
static int cache_remake(struct sshx *x, char *out, char *err, size_t errlen)
{
	char cmd[1024] = "rm -rf --", msg[FL_ERRLEN];

	if (add_rpath(x, cmd, sizeof(cmd), "") || fl_str_append(cmd, sizeof(cmd), " && mkdir -m 700 --") ||
	    add_rpath(x, cmd, sizeof(cmd), "") || add_rpath(x, cmd, sizeof(cmd), "lib") ||
	    add_rpath(x, cmd, sizeof(cmd), "out"))
		return too_long(x, "make the agent cache", err, errlen);
	if (fl_ssh_output(&x->s, cmd, out, CMD_MAX, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "cannot create %s on %s (%s)", x->rdir, x->s.dest,
				 msg), FL_EXIT_ENV;
	return 0;
}

/* Copy the files marked bad: the agent into the dir, libraries into lib/. */
static int cache_upload(struct sshx *x, const bool *bad, char *err, size_t errlen)
{
	const char *files[MAX_LIBS + 2];
	char rlib[200];
	int n = 0;

	if (bad[0]) {
		files[0] = x->files[0].local;
		files[1] = NULL;
		if (fl_ssh_put(&x->s, files, x->rdir, err, errlen))
			return FL_EXIT_ENV;
	}
	for (int i = 1; i < x->nfiles; i++)
		if (bad[i])
			files[n++] = x->files[i].local;
	files[n] = NULL;
	snprintf(rlib, sizeof(rlib), "%s/lib", x->rdir);
	if (n && fl_ssh_put(&x->s, files, rlib, err, errlen))
		return FL_EXIT_ENV;
	return 0;
}

/*
 * Make the host's agent cache hold exactly our agent and libraries: nothing there is trusted
 * (no marker file): a dir with the wrong owner, mode or type is made again, every file whose
 * sha256 differs from the local one is copied again, and the result is checked once more.
 */
static int install_agent(struct sshx *x, char *err, size_t errlen)
{
	bool dir_ok, bad[MAX_LIBS + 1];
	char *out = malloc(CMD_MAX);
	int ret, nbad = 0;

	if (!out)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	ret = cache_probe(x, &dir_ok, bad, out, err, errlen);
	if (!ret && !dir_ok) {
		ret = cache_remake(x, out, err, errlen);
		for (int i = 0; i < x->nfiles; i++)
			bad[i] = true;
	} else if (!ret) {
		for (int i = 0; i < x->nfiles; i++)
			if (bad[i])
				fl_err("warning: %s/%s on %s is missing or does not match the sha256 "
				       "of %s: copying it again", x->rdir, x->files[i].rel,
				       x->s.dest, x->files[i].local);
	}
	if (!ret)
		ret = cache_upload(x, bad, err, errlen);
	if (!ret)
		ret = cache_probe(x, &dir_ok, bad, out, err, errlen);
	for (int i = 0; !ret && i < x->nfiles; i++)
		nbad += bad[i];
	if (!ret && (!dir_ok || nbad)) {
		fl_seterr(err, errlen, "the agent cache %s on %s does not match this machine's "
			  "agent even after copying it (%d file(s) differ%s)", x->rdir, x->s.dest,
			  nbad, dir_ok ? "" : "; the directory's owner or mode is wrong");
		ret = FL_EXIT_ENV;
	}
	free(out);
	return ret == FL_SSH_LOST ? FL_EXIT_ENV : ret;
}

/* The local files the cache must hold: the agent, and for a same-arch host its libraries. */
static int cache_list(struct sshx *x, char *err, size_t errlen)
{
	x->nfiles = 0;
	if (cache_add(x, x->agent, "faultline-agent"))
		return fl_seterr(err, errlen, "cannot read the agent %s", x->agent), FL_EXIT_ENV;
	snprintf(x->rdir, sizeof(x->rdir), "/tmp/faultline-agent-%.16s", x->files[0].hex);
	snprintf(x->ragent, sizeof(x->ragent), "%s/faultline-agent", x->rdir);
	if (x->native && agent_libs(x, err, errlen))
		return FL_EXIT_ENV;
	return 0;
}

/* The host's --run-info; its kernel against the candidate and against what it ran before. */
static int host_info(struct fl_target *t, struct sshx *x, char *err, size_t errlen)
{
	char *out = malloc(INFO_MAX), cmd[CMD_MAX] = "", msg[FL_ERRLEN];
	json_t *info, *kernel;
	char rel[128], sha_buf[65];
	const char *sha;
	int ret;

	if (!out)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	if (add_verify(x, cmd, sizeof(cmd)) || fl_str_append(cmd, sizeof(cmd), "exec ") ||
	    add_agent(x, cmd, sizeof(cmd)) || fl_sh_word(cmd, sizeof(cmd), "--run-info")) {
		free(out);
		return too_long(x, "ask the agent for its kernel", err, errlen);
	}
	ret = fl_ssh_output(&x->s, cmd, out, INFO_MAX, msg, sizeof(msg));
	info = ret ? NULL : json_loads(out, 0, NULL);
	free(out);
	if (ret == FL_SSH_LOST)
		return lost(x, "reach", msg, err, errlen);
	if (ret == CACHE_BAD)
		return fl_seterr(err, errlen, "the agent cache %s on %s changed right after it "
				 "was checked; not running it", x->rdir, x->s.dest), FL_EXIT_ENV;
	if (!info)
		return fl_seterr(err, errlen, "the agent on %s did not describe its kernel (%s)",
				 x->s.dest, msg[0] ? msg : "no JSON from --run-info"), FL_EXIT_ENV;
	kernel = json_object_get(info, "kernel");
	fl_text_clean(rel, sizeof(rel),
		      json_string_value(json_object_get(kernel, "release")) ?: "?");
	sha = json_string_value(json_object_get(json_object_get(kernel, "config"), "sha256"));
	snprintf(sha_buf, sizeof(sha_buf), "%s", sha ?: "");
	sha = sha ? sha_buf : NULL;
	if (x->release[0] && (strcmp(rel, x->release) || strcmp(sha ?: "", x->config_sha))) {
		json_decref(info);
		return fl_seterr(err, errlen, "%s came back running kernel %s, not the %s it ran "
				 "when the run started", x->s.dest, rel, x->release), FL_EXIT_ENV;
	}
	if (x->have_kernel && x->k.release[0] && strcmp(rel, x->k.release)) {
		json_decref(info);
		return fl_seterr(err, errlen, "%s runs kernel %s, not candidate %s (release %s): "
				 "boot it into the candidate first", x->s.dest, rel, x->k.name,
				 x->k.release), FL_EXIT_ENV;
	}
	if (x->have_kernel && x->k.config[0]) {
		struct fl_sha256 h;
		char hex[65];

		fl_sha256_init(&h);
		if (fl_sha256_file(&h, x->k.config))
			return json_decref(info), fl_seterr(err, errlen, "cannot read %s",
							   x->k.config), FL_EXIT_ENV;
		fl_sha256_hex(&h, hex);
		if (!sha || strcmp(sha, hex)) {
			json_decref(info);
			return fl_seterr(err, errlen, "%s runs release %s but %s; candidate %s has "
					 "config sha256 %.12s", x->s.dest, rel, sha ?
					 "with another kernel config" : "shows no kernel config "
					 "(/proc/config.gz or /boot/config-*) to check", x->k.name,
					 hex), FL_EXIT_ENV;
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
static void remote_cleanup(struct sshx *x, const char *sig)
{
	char cmd[CMD_MAX] = "p=$(cat", out[4096], msg[FL_ERRLEN];

	if (add_rpath(x, cmd, sizeof(cmd), "agent.pid") ||
	    fl_str_append(cmd, sizeof(cmd), " 2>/dev/null); if [ -n \"$p\" ] && grep -q "
		     "faultline-agent /proc/$p/cmdline 2>/dev/null; then kill -") ||
	    fl_str_append(cmd, sizeof(cmd), sig) ||
	    fl_str_append(cmd, sizeof(cmd), " \"$p\"; i=0; while kill -0 \"$p\" 2>/dev/null && "
		     "[ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done; kill -KILL \"$p\" 2>/dev/null; "
		     "fi; rm -f --") || add_rpath(x, cmd, sizeof(cmd), "agent.pid") ||
	    fl_str_append(cmd, sizeof(cmd), "; ") || add_verify(x, cmd, sizeof(cmd)) ||
	    add_agent(x, cmd, sizeof(cmd)) || fl_sh_word(cmd, sizeof(cmd), "--restore")) {
		fl_err("%s: the clean-up command does not fit in %d bytes; not running it",
		       x->s.dest, CMD_MAX);
		return;
	}
	fl_ssh_output(&x->s, cmd, out, sizeof(out), msg, sizeof(msg));
}

static int ssh_prepare(struct fl_target *t, char *err, size_t errlen)
{
	struct sshx *x = calloc(1, sizeof(*x));
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
		return lost(x, "reach", msg, err, errlen);
	if (ret || !x->arch[0])
		return fl_seterr(err, errlen, "uname -m failed on %s (%s)", x->s.dest, msg),
		       FL_EXIT_ENV;
	if (fl_name_check("the host's `uname -m`", x->arch, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "%s: %s", x->s.dest, msg), FL_EXIT_ENV;
	ret = pick_agent(t, x, err, errlen);
	if (!ret)
		ret = cache_list(x, err, errlen);
	if (ret)
		return ret;
	if (t->opts.kernel) {
		if (!fl_project_root(root, sizeof(root)))
			return fl_seterr(err, errlen, "cannot find the faultline tree for "
					 "--kernel; set FAULTLINE_ROOT"), FL_EXIT_ENV;
		ret = fl_kernel_resolve(root, t->opts.kernel, &x->k, err, errlen);
		if (ret)
			return ret;
		x->have_kernel = true;
	}
	ret = install_agent(x, err, errlen);
	if (ret)
		return ret;
	remote_cleanup(x, "INT");
	return host_info(t, x, err, errlen);
}

static json_t *ssh_describe(struct fl_target *t, char *err, size_t errlen)
{
	struct sshx *x = t->priv;
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
	struct sshx *x = t->priv;
	char msg[FL_ERRLEN];

	/* the run id names the host's case documents, which scp takes as paths */
	if (fl_name_check("the run id", rd->id, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "%s", msg), FL_EXIT_USAGE;
	printf("host up: %s, %s, kernel %s, agent in %s\n", x->s.dest, x->arch, x->release,
	       x->rdir);
	fflush(stdout);
	return 0;
}

static void remote_doc(const struct sshx *x, const struct fl_rundir *rd, size_t idx,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%s/out/%s-%04zu.json", x->rdir, rd->id, idx);
}

/* The host went away: wait for it, then clean up after the lost attempt. */
static int reconnect(struct fl_target *t, struct sshx *x, volatile sig_atomic_t *interrupted,
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
	remote_cleanup(x, "INT");
	if (install_agent(x, err, errlen) || host_info(t, x, err, errlen))
		return -1;
	return 0;
}

/*
 * rm -f RDIR/out/ID-*.json; echo $$ > RDIR/agent.pid; VERIFY; exec env ... AGENT ARGS:
 * every word quoted; -1 when the command does not fit.
 */
static int case_cmd(const struct sshx *x, const struct fl_rundir *rd, const char *suite,
		    const struct fl_plan_case *pc, size_t idx, char *cmd, size_t len)
{
	char *argv[FL_MAX_ARGS], rdoc[400], old[300];
	int ret;

	remote_doc(x, rd, idx, rdoc, sizeof(rdoc));
	snprintf(old, sizeof(old), "out/%s-", rd->id);
	cmd[0] = '\0';
	ret = fl_str_append(cmd, len, "rm -f --") || add_rpath(x, cmd, len, old) ||
	      fl_str_append(cmd, len, "*.json; echo $$ >") || add_rpath(x, cmd, len, "agent.pid") ||
	      fl_str_append(cmd, len, "; ") || add_verify(x, cmd, len) ||
	      fl_str_append(cmd, len, "exec ") || add_agent(x, cmd, len);
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
	struct sshx *x = t->priv;
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
		return too_long(x, "run the case", err, errlen);
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
			ret = install_agent(x, err, errlen);
			if (ret) {
				free(cmd);
				return ret;
			}
			continue;
		}
		if (*interrupted || cr.timed_out || !cr.exited || cr.code != FL_SSH_LOST)
			break;
		log_line(log, "faultline: lost connection to %s during the case\n", x->s.dest);
		if (attempt < MAX_ATTEMPTS && !reconnect(t, x, interrupted, err, errlen)) {
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
		remote_cleanup(x, cr.timed_out ? "TERM" : "INT");
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
static int remote_sha(struct sshx *x, const char *rdoc, char hex[65], char *msg, size_t len)
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
	struct sshx *x = t->priv;
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
		if (reconnect(t, x, NULL, err, errlen))
			return lost(x, "fetch a case document from", msg, err, errlen), -1;
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
	struct sshx *x = t->priv;

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
	.prepare = ssh_prepare,
	.describe = ssh_describe,
	.boot = ssh_boot,
	.run_case = ssh_run_case,
	.collect = ssh_collect,
	.shutdown = ssh_shutdown,
};
