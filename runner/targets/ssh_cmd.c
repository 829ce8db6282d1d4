// SPDX-License-Identifier: GPL-2.0
/*
 * ssh and scp as child processes. The client binaries, not a library (libssh): they read the
 * user's ~/.ssh/config (Host aliases, User, Port, IdentityFile, ProxyJump, ControlMaster) and
 * use ssh-agent and known_hosts exactly as the user's own ssh does, so a lab machine that
 * answers "ssh HOST" answers faultline too, and there is no second key store to set up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clock.h"
#include "fl_util.h"
#include "ssh_cmd.h"
#include "agent_exec.h"

#define DEFAULT_RECONNECT_S 600.0

static int find_prog(const char *prog, char *out, size_t len)
{
	char path[4096], *save, *dir;

	snprintf(path, sizeof(path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, prog);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

/* A user or host name that ssh and scp take as such, never as an option or a path. */
static bool dest_ok(const char *v, bool colon)
{
	if (v[0] == '-' || (!colon && strchr(v, ':')))
		return false;
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c <= ' ' || *c == 0x7f || strchr("'\"\\`$;&|<>()@/!*?[]{}", *c))
			return false;
	return true;
}

int fl_ssh_init(struct fl_ssh *s, const char *spec, char *err, size_t errlen)
{
	const char *at = strrchr(spec, '@'), *host = at ? at + 1 : spec, *colon, *env;
	char *end;
	size_t hl;

	memset(s, 0, sizeof(*s));
	if (at && (size_t)(at - spec) < sizeof(s->user))
		snprintf(s->user, sizeof(s->user), "%.*s", (int)(at - spec), spec);
	if (*host == '[') {
		colon = strchr(host, ']');
		if (!colon)
			return fl_seterr(err, errlen, "ssh target '%s': an IPv6 address needs its "
					 "closing ]", spec), FL_EXIT_USAGE;
		snprintf(s->host, sizeof(s->host), "%.*s", (int)(colon - host - 1), host + 1);
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = strchr(host, ':');
		hl = colon ? (size_t)(colon - host) : strlen(host);
		snprintf(s->host, sizeof(s->host), "%.*s", (int)hl, host);
	}
	if (colon) {
		long p = strtol(colon + 1, &end, 10);

		if (*end || p < 1 || p > 65535)
			return fl_seterr(err, errlen, "ssh target '%s': the port must be a number "
					 "from 1 to 65535", spec), FL_EXIT_USAGE;
		snprintf(s->port, sizeof(s->port), "%ld", p);
	}
	if (!s->host[0] || (at && !s->user[0]))
		return fl_seterr(err, errlen, "ssh target '%s': expected ssh:[USER@]HOST[:PORT]",
				 spec), FL_EXIT_USAGE;
	if (!dest_ok(s->host, true) || (s->user[0] && !dest_ok(s->user, false)))
		return fl_seterr(err, errlen, "ssh target '%s': the user and host may not start "
				 "with '-' or contain spaces, control or shell characters, '@' or "
				 "'/'", spec), FL_EXIT_USAGE;
	snprintf(s->dest, sizeof(s->dest), "%s%s%s%s%s", s->user, at ? "@" : "", s->host,
		 s->port[0] ? ":" : "", s->port);
	if (find_prog("ssh", s->ssh, sizeof(s->ssh)) || find_prog("scp", s->scp, sizeof(s->scp)))
		return fl_seterr(err, errlen, "the ssh target needs the OpenSSH client (apt-get "
				 "install openssh-client)"), FL_EXIT_ENV;
	env = getenv("FAULTLINE_SSH_CONFIG");
	if (env && *env) {
		if (access(env, R_OK))
			return fl_seterr(err, errlen, "FAULTLINE_SSH_CONFIG names %s, which cannot be "
					 "read", env), FL_EXIT_USAGE;
		snprintf(s->config, sizeof(s->config), "%s", env);
	}
	s->reconnect_s = DEFAULT_RECONNECT_S;
	env = getenv("FAULTLINE_SSH_RECONNECT_S");
	if (env && *env) {
		s->reconnect_s = strtod(env, &end);
		if (*end || s->reconnect_s < 0)
			return fl_seterr(err, errlen, "FAULTLINE_SSH_RECONNECT_S=%s: expected seconds "
					 ">= 0", env), FL_EXIT_USAGE;
	}
	return 0;
}

/* Options both clients share; a dead peer is noticed within ~15 s (ServerAlive). */
static int common_opts(const struct fl_ssh *s, char **argv, int n, bool scp, double conn_s)
{
	argv[n++] = strdup(scp ? s->scp : s->ssh);
	if (scp)
		argv[n++] = strdup("-q");
	if (s->config[0]) {
		argv[n++] = strdup("-F");
		argv[n++] = strdup(s->config);
	}
	argv[n++] = strdup("-oBatchMode=yes");
	n += asprintf(&argv[n], "-oConnectTimeout=%d", (int)conn_s) > 0;
	argv[n++] = strdup("-oServerAliveInterval=5");
	argv[n++] = strdup("-oServerAliveCountMax=3");
	if (s->ctl[0]) {
		n += asprintf(&argv[n], "-oControlPath=%s/cm", s->ctl) > 0;
		argv[n++] = strdup("-oControlMaster=no");
	}
	if (s->port[0]) {
		argv[n++] = strdup(scp ? "-P" : "-p");
		argv[n++] = strdup(s->port);
	}
	return n;
}

static int ssh_argv(const struct fl_ssh *s, const char *cmd, char **argv, double conn_s)
{
	int n = common_opts(s, argv, 0, false, conn_s);

	if (s->user[0]) {
		argv[n++] = strdup("-l");
		argv[n++] = strdup(s->user);
	}
	if (!cmd) {		/* the master (fl_ssh_master_start) */
		argv[n++] = strdup("-oControlPersist=300");
		argv[n++] = strdup("-Nf");
	} else {
		argv[n++] = strdup("-T");
	}
	argv[n++] = strdup("--");
	argv[n++] = strdup(s->host);
	if (cmd)
		argv[n++] = strdup(cmd);
	argv[n] = NULL;
	return n;
}

int fl_ssh_master_start(struct fl_ssh *s)
{
	char *argv[FL_MAX_ARGS], err[FL_ERRLEN];
	struct fl_child_result res;
	int ret;

	fl_ssh_master_stop(s);
	snprintf(s->ctl, sizeof(s->ctl), "/tmp/faultline-ssh-XXXXXX");
	if (!mkdtemp(s->ctl)) {
		s->ctl[0] = '\0';
		return -1;
	}
	ssh_argv(s, NULL, argv, 10);
	/* -oControlMaster=no comes first in argv and ssh takes the first value: drop it */
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], "-oControlMaster=no")) {
			free(argv[i]);
			argv[i] = strdup("-oControlMaster=yes");
		}
	ret = fl_child_run(argv, "/dev/null", 30, NULL, &res, err, sizeof(err));
	fl_argv_free(argv);
	if (ret || !res.exited || res.code) {
		fl_ssh_master_stop(s);
		return -1;
	}
	return 0;
}

void fl_ssh_master_stop(struct fl_ssh *s)
{
	char *argv[FL_MAX_ARGS], path[96], err[FL_ERRLEN];
	struct fl_child_result res;
	int n;

	if (!s->ctl[0])
		return;
	snprintf(path, sizeof(path), "%s/cm", s->ctl);
	if (!access(path, F_OK)) {
		n = common_opts(s, argv, 0, false, 5);
		argv[n++] = strdup("-Oexit");
		argv[n++] = strdup("--");
		argv[n++] = strdup(s->host);
		argv[n] = NULL;
		fl_child_run(argv, "/dev/null", 10, NULL, &res, err, sizeof(err));
		fl_argv_free(argv);
		unlink(path);
	}
	rmdir(s->ctl);
	s->ctl[0] = '\0';
}

/* [USER@]HOST:PATH for scp, with an IPv6 address in brackets. */
static char *remote_arg(const struct fl_ssh *s, const char *path)
{
	char *r = NULL;
	bool v6 = strchr(s->host, ':') != NULL;

	if (asprintf(&r, "%s%s%s%s%s:%s", s->user, s->user[0] ? "@" : "", v6 ? "[" : "",
		     s->host, v6 ? "]" : "", path) < 0)
		return NULL;
	return r;
}

int fl_ssh_run(const struct fl_ssh *s, const char *cmd, const char *log, double timeout_s,
	       volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS];
	int ret;

	ssh_argv(s, cmd, argv, 10);
	ret = fl_child_run(argv, log, timeout_s, interrupt, res, err, errlen);
	fl_argv_free(argv);
	return ret;
}

/* Run argv with stdout into out and stderr into a temporary file (its text into err). */
static int capture(char **argv, char *out, size_t len, char *err, size_t errlen)
{
	FILE *errf = tmpfile();
	int p[2], st;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (!errf || pipe(p)) {
		if (errf)
			fclose(errf);
		return fl_seterr(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(fileno(errf), STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (r = read(p[0], out + got, len - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
		if (got == len - 1) {	/* drain the rest */
			char sink[4096];

			while (read(p[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	close(p[0]);
	out[got] = '\0';
	while (got && out[got - 1] == '\n')
		out[--got] = '\0';
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		fclose(errf);
		return fl_seterr(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
	}
	if (errlen) {
		size_t n;

		rewind(errf);
		n = fread(err, 1, errlen - 1, errf);
		err[n] = '\0';
		while (n && (err[n - 1] == '\n' || err[n - 1] == '\r'))
			err[--n] = '\0';
	}
	fclose(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : FL_SSH_LOST;
}

int fl_ssh_output(const struct fl_ssh *s, const char *cmd, char *out, size_t len,
		  char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS];
	int ret;

	ssh_argv(s, cmd, argv, 10);
	ret = capture(argv, out, len, err, errlen);
	fl_argv_free(argv);
	return ret;
}

/* scp the already-built argv[0..n) (options and sources) to dst; what failed goes to err. */
static int scp_run(char **argv, int n, char *dst, char *err, size_t errlen, const char *what,
		   const char *dest, const char *path)
{
	char out[256], msg[FL_ERRLEN];
	int ret;

	argv[n++] = dst;
	argv[n] = NULL;
	ret = capture(argv, out, sizeof(out), msg, sizeof(msg));
	fl_argv_free(argv);
	if (ret)
		return fl_seterr(err, errlen, "cannot copy %s %s:%s (scp: %s)", what, dest, path,
				 msg[0] ? msg : "failed"), ret;
	return 0;
}

int fl_ssh_put(const struct fl_ssh *s, const char *const *files, const char *rdir,
	       char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS];
	int n = common_opts(s, argv, 0, true, 10);

	argv[n++] = strdup("--");	/* no operand is ever an option */
	for (; *files && n < FL_MAX_ARGS - 2; files++)
		argv[n++] = strdup(*files);
	return scp_run(argv, n, remote_arg(s, rdir), err, errlen, "to", s->dest, rdir);
}

int fl_ssh_get(const struct fl_ssh *s, const char *rpath, const char *local,
	       char *err, size_t errlen)
{
	char *argv[FL_MAX_ARGS];
	int n = common_opts(s, argv, 0, true, 10);

	argv[n++] = strdup("--");	/* no operand is ever an option */
	argv[n++] = remote_arg(s, rpath);
	return scp_run(argv, n, strdup(local), err, errlen, "from", s->dest, rpath);
}

int fl_ssh_wait_host(const struct fl_ssh *s, volatile sig_atomic_t *interrupt)
{
	double t0 = fl_now_s(), delay = 1;
	char out[64], msg[FL_ERRLEN];

	while (!(interrupt && *interrupt)) {
		char *argv[FL_MAX_ARGS];
		int ret;

		ssh_argv(s, "true", argv, 5);
		ret = capture(argv, out, sizeof(out), msg, sizeof(msg));
		fl_argv_free(argv);
		if (ret == 0)
			return 0;
		if (fl_now_s() - t0 + delay > s->reconnect_s)
			return -1;
		usleep((useconds_t)(delay * 1e6));
		delay = delay * 2 > 30 ? 30 : delay * 2;
	}
	return -1;
}
