// SPDX-License-Identifier: GPL-2.0
/* The agent as a child process: spawn, time out, capture. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clock.h"
#include "fl_util.h"
#include "agent_exec.h"

int fl_env_or_exe_dir(const char *name, char *buf, size_t len, bool *from_env)
{
	const char *env = getenv(name);
	char self[4096];
	ssize_t n;

	*from_env = env && *env;
	if (*from_env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = '\0';
	snprintf(buf, len, "%s", dirname(self));
	return 0;
}

const char *fl_agent_path(char *buf, size_t len)
{
	char dir[4096];
	bool env;

	if (fl_env_or_exe_dir("FAULTLINE_AGENT", dir, sizeof(dir), &env))
		return NULL;
	snprintf(buf, len, env ? "%s" : "%s/faultline-agent", dir);
	return buf;
}

static pid_t spawn(char *const argv[], int out_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (out_fd >= 0) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
	}
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void fill_result(struct fl_child_result *res, int status)
{
	res->exited = WIFEXITED(status);
	res->code = res->exited ? WEXITSTATUS(status) : -1;
	res->signaled = WIFSIGNALED(status);
	res->sig = res->signaled ? WTERMSIG(status) : 0;
}

/* Poll the child every 20 ms: timeout escalates TERM -> KILL, an interrupt is forwarded. */
static int wait_child(pid_t pid, double timeout_s, volatile sig_atomic_t *interrupt,
		      struct fl_child_result *res)
{
	double t0 = fl_now_s(), term_at = 0;
	bool forwarded = false;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		double t = fl_now_s();

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (interrupt && *interrupt && !forwarded) {
			kill(pid, SIGINT);
			forwarded = true;
		}
		if (!term_at && timeout_s > 0 && t - t0 > timeout_s) {
			res->timed_out = 1;
			kill(pid, SIGTERM);
			term_at = t;
		}
		if (term_at && t - term_at > 5)
			kill(pid, SIGKILL);
		usleep(20000);
	}
	fill_result(res, status);
	res->elapsed_s = fl_now_s() - t0;
	return 0;
}

int fl_child_run(char *const argv[], const char *log_path, double timeout_s,
		 volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err, size_t errlen)
{
	int fd = -1;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (log_path) {
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return fl_seterr(err, errlen, "cannot write %s: %s", log_path,
					 strerror(errno));
	}
	pid = spawn(argv, fd);
	if (fd >= 0)
		close(fd);
	if (pid < 0)
		return fl_seterr(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
	if (wait_child(pid, timeout_s, interrupt, res))
		return fl_seterr(err, errlen, "lost track of %s: %s", argv[0], strerror(errno));
	return 0;
}

json_t *fl_child_json(char *const argv[], char *err, size_t errlen)
{
	int p[2], status;
	json_error_t je;
	json_t *doc;
	FILE *in;
	pid_t pid;

	if (pipe(p))
		return fl_seterr(err, errlen, "pipe: %s", strerror(errno)), NULL;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		fprintf(stderr, "faultline: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	doc = in ? json_loadf(in, 0, &je) : NULL;
	if (in)
		fclose(in);
	else
		close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (!doc)
		fl_seterr(err, errlen, "%s %s did not print JSON (is the agent built? run make)",
			  argv[0], argv[1]);
	return doc;
}

/* A param name as the agent sees it: [A-Za-z0-9_-] kept, anything else (an '=' that would
 * move the split, a control character) '?', which no declared parameter has. */
static void param_key(char *dst, size_t len, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++) {
		unsigned char ch = (unsigned char)key[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';

		dst[i] = ok ? (char)ch : '?';
	}
	dst[i] = '\0';
}

/*
 * Build the agent's command line for a case: WORKLOAD --param=NAME=VALUE ... Suite params
 * go only through --param, which the agent matches against the workload's declared
 * parameters and nothing else: a param called "journal" or "json" is refused (at the suite's
 * --check, so the run never starts), never read as the agent's own option. More params than
 * fit end in one the agent refuses, never silently dropped.
 */
int fl_agent_argv(const char *agent, const char *wl, json_t *params, char **argv, int max)
{
	char name[128];
	const char *key;
	json_t *v;
	int n = 0;

	argv[n++] = strdup(agent);
	argv[n++] = strdup(wl);
	json_object_foreach(params, key, v) {
		char *val;

		if (n >= max - 2) {
			n += asprintf(&argv[n], "--param=?(more than %d parameters)=", max - 4) > 0;
			break;
		}
		param_key(name, sizeof(name), key);
		if (json_is_string(v)) {
			n += asprintf(&argv[n], "--param=%s=%s", name, json_string_value(v)) > 0;
			continue;
		}
		val = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
		n += asprintf(&argv[n], "--param=%s=%s", name, val ? val : "?") > 0;
		free(val);
	}
	argv[n] = NULL;
	return n;
}

void fl_argv_free(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
}
