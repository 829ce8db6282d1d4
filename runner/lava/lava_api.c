// SPDX-License-Identifier: GPL-2.0
/*
 * A LAVA server's REST API (api/v0.2) through the curl binary (not libcurl: no new library in
 * the host binary, and the user's proxy, CA and ~/.curlrc settings apply as they do to their
 * own curl). The token is never in any process's argv and never in a file we write: it comes
 * from --token-file (not readable by group or others) or $FAULTLINE_LAVA_TOKEN, and goes to
 * curl as a header line of a config read from curl's stdin (--config -); a body goes through
 * a pipe (@/dev/fd/3). curl runs with --connect-timeout and --max-time and follows no
 * redirect; SIGINT/SIGTERM stop curl and leave nothing behind. The answer (and curl's
 * "\n%{http_code}" after it) comes back on curl's stdout, at most FL_LAVA_ANSWER_MAX bytes,
 * or goes to a file the caller named.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd_opts.h"
#include "fl_interrupt.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lava.h"

/* A token is one line of printable ASCII without spaces (what an HTTP header can carry). */
static int token_set(struct fl_lava_server *s, const char *tok, size_t n, const char *where)
{
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		n--;
	if (!n) {
		fl_err("%s: %s holds no token", s->cmd, where);
		return -1;
	}
	if (n >= sizeof(s->token)) {
		fl_err("%s: the token in %s is longer than %d bytes", s->cmd, where,
		       FL_LAVA_TOKEN_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (tok[i] <= ' ' || tok[i] >= 0x7f) {
			fl_err("%s: the token in %s has a space, a control character or a line "
			       "break in it (expected one line of printable ASCII)", s->cmd, where);
			return -1;
		}
	memcpy(s->token, tok, n);
	s->token[n] = '\0';
	return 0;
}

/* The token from FILE: a regular file that neither group nor others can read. */
static int token_file(struct fl_lava_server *s, const char *path)
{
	char buf[FL_LAVA_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), ret;

	if (fd < 0 || fstat(fd, &st)) {
		fl_err("%s: --token-file %s cannot be read: %s", s->cmd, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		fl_err("%s: --token-file %s %s; it must be a file only its owner can read "
		       "(chmod 600 %s)", s->cmd, path, S_ISREG(st.st_mode) ?
		       "can be read by group or others" : "is not a regular file", path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		fl_err("%s: cannot read --token-file %s: %s", s->cmd, path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	ret = token_set(s, buf, strcspn(buf, "\n") + (buf[strcspn(buf, "\n")] == '\n'), path);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int fl_lava_seconds(const char *cmd, const char *name, const char *arg, double *out)
{
	return fl_opt_double(cmd, name, arg, nextafter(0, 1), 86400,
			     "seconds, more than 0 and at most 86400", out);
}

long long fl_lava_job_id(const char *s)
{
	long long v = 0;
	int n = 0;

	if (!s)
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++n > 16)
			return 0;
		v = v * 10 + (*s - '0');
	}
	return (*s || !n || v < 1 || v > (1LL << 53)) ? 0 : v;
}

int fl_lava_server_opt(struct fl_lava_server *s, int c, const char *arg, const char **file)
{
	switch (c) {
	case 'u': s->url = arg; return 0;
	case 'f': *file = arg; return 0;
	case 'c': return fl_lava_seconds(s->cmd, "--connect-timeout", arg, &s->connect_s);
	case 'm': return fl_lava_seconds(s->cmd, "--max-time", arg, &s->max_s);
	case 't':
		fl_err("%s: --token would show the token to every user of this machine (ps, "
		       "/proc/PID/cmdline); put it in a file only you can read and give "
		       "--token-file FILE, or set FAULTLINE_LAVA_TOKEN", s->cmd);
		return -1;
	}
	return -1;
}

static int url_ok(const char *url)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return 0;
	if (strlen(url) > 1024)
		return 0;
	for (; *url; url++)
		if ((unsigned char)*url <= ' ' || *url >= 0x7f || *url == '"' || *url == '\\')
			return 0;
	return 1;
}

int fl_lava_server_ready(struct fl_lava_server *s, const char *file)
{
	const char *env = getenv("FAULTLINE_LAVA_TOKEN");

	if (!s->connect_s)
		s->connect_s = 10;
	if (!s->max_s)
		s->max_s = 120;
	if (!s->url || !url_ok(s->url)) {
		fl_err("%s needs --url http(s)://SERVER[:PORT] (the LAVA server's address, printable "
		       "ASCII, at most 1024 bytes)", s->cmd);
		return -1;
	}
	if (file)
		return token_file(s, file);
	if (env && *env)
		return token_set(s, env, strlen(env), "FAULTLINE_LAVA_TOKEN");
	fl_err("%s needs the LAVA token: --token-file FILE (a file only you can read) or "
	       "FAULTLINE_LAVA_TOKEN in the environment", s->cmd);
	return -1;
}

void fl_lava_server_wipe(struct fl_lava_server *s)
{
	explicit_bzero(s->token, sizeof(s->token));
}

/* Write all of buf to fd; -1 on an error or a signal (errno EINTR). */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* curl's config on its stdin: the headers, the token among them ("..." escaped). */
static char *curl_config(const struct fl_lava_server *s)
{
	char *cfg = malloc(FL_LAVA_TOKEN_MAX * 2 + 256), *p;

	if (!cfg)
		return NULL;
	p = cfg + sprintf(cfg, "header = \"Authorization: Token ");
	for (const char *t = s->token; *t; t++) {
		if (*t == '"' || *t == '\\')
			*p++ = '\\';
		*p++ = *t;
	}
	strcpy(p, "\"\nheader = \"Content-Type: application/json\"\n"
	       "header = \"Accept: application/json\"\n");
	return cfg;
}

struct call {
	int cfg[2], body[2], out[2];
	int file;		/* the answer's file (-o /dev/fd/4), or -1 */
};

static void call_close(struct call *c)
{
	int *fds[] = { c->cfg, c->body, c->out };

	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++)
			if (fds[i][k] >= 0) {
				close(fds[i][k]);
				fds[i][k] = -1;
			}
}

/* curl: config on stdin, body on fd 3, answer on stdout or into the file on fd 4 (opened by
 * us: O_EXCL, no link followed); the token in neither argv nor env. */
static pid_t curl_start(const struct fl_lava_server *s, const char *method, const char *endpoint,
			struct call *c)
{
	char ct[32], mt[32];
	const char *av[32];
	int n = 0;
	pid_t pid;

	snprintf(ct, sizeof(ct), "%g", s->connect_s);
	snprintf(mt, sizeof(mt), "%g", s->max_s);
	pid = fork();
	if (pid)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	/* c->file is 10 or above: the dup2 to 3 cannot close it */
	if (dup2(c->cfg[0], STDIN_FILENO) < 0 || dup2(c->out[1], STDOUT_FILENO) < 0 ||
	    (c->body[0] >= 0 && dup2(c->body[0], 3) < 0) ||
	    (c->file >= 0 && dup2(c->file, 4) < 0))
		_exit(FL_EXIT_ENV);
	for (int fd = 3; fd < 64; fd++)
		if (!(fd == 3 && c->body[0] >= 0) && !(fd == 4 && c->file >= 0))
			close(fd);
	unsetenv("FAULTLINE_LAVA_TOKEN");
	av[n++] = "curl";
	av[n++] = "-sS";
	av[n++] = "--connect-timeout";
	av[n++] = ct;
	av[n++] = "--max-time";
	av[n++] = mt;
	av[n++] = "--config";
	av[n++] = "-";
	av[n++] = "-X";
	av[n++] = method;
	if (c->body[0] >= 0) {
		av[n++] = "--data-binary";
		av[n++] = "@/dev/fd/3";
	}
	if (c->file >= 0) {
		av[n++] = "-o";
		av[n++] = "/dev/fd/4";
	}
	av[n++] = "--write-out";
	av[n++] = "\\n%{http_code}";
	av[n++] = "--url";
	av[n++] = endpoint;
	av[n] = NULL;
	execvp("curl", (char *const *)av);
	fprintf(stderr, "faultline: %s needs curl (apt-get install curl)\n", s->cmd);
	_exit(127);
}

/* Read curl's stdout (at most FL_LAVA_ANSWER_MAX + 16 bytes); 1 when it said more, -1 when we
 * were interrupted (curl is told to stop). */
static int read_answer(int fd, pid_t pid, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	int ret = 0;

	while (buf) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap < FL_LAVA_ANSWER_MAX + 16 ? realloc(buf, cap * 2 + 1) : NULL;

			if (!nb) {
				ret = 1;
				kill(pid, SIGTERM);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			if (fl_interrupted()) {
				kill(pid, SIGTERM);
				ret = -1;
				break;
			}
			continue;
		}
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (buf)
		buf[n] = '\0';
	*out = buf;
	*len = n;
	return ret;
}

/* Wait for curl; a signal to us stops it. Its exit status, or -1 when we were interrupted. */
static int curl_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return FL_EXIT_ENV;
		if (fl_interrupted())
			kill(pid, SIGTERM);
	}
	if (fl_interrupted())
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The "\n%{http_code}" curl wrote last: the status, the answer cut before it. */
static long split_status(char *buf, size_t *len)
{
	char *nl = NULL, *end;
	long v;

	for (size_t i = *len; i > 0; i--)
		if (buf[i - 1] == '\n') {
			nl = buf + i - 1;
			break;
		}
	if (!nl)
		return 0;
	v = strtol(nl + 1, &end, 10);
	if (end == nl + 1 || *end || v < 100 || v > 599)
		return 0;
	*nl = '\0';
	*len = (size_t)(nl - buf);
	return v;
}

/* One sentence in err for curl's exit status CODE (-1: we were interrupted); -1. */
static int curl_err(const struct fl_lava_server *s, int code, const char *endpoint, bool big,
		    char *err, size_t errlen)
{
	if (code < 0)
		return fl_seterr(err, errlen, "interrupted; curl stopped, nothing left behind");
	if (big)
		return fl_seterr(err, errlen, "%s answered more than %d MB; not read", endpoint,
				 FL_LAVA_ANSWER_MAX >> 20);
	if (code == 28)
		return fl_seterr(err, errlen, "%s did not answer in time (curl gives up connecting "
				 "after --connect-timeout %g s and on the whole request after "
				 "--max-time %g s)", endpoint, s->connect_s, s->max_s);
	if (code == 127)
		return fl_seterr(err, errlen, "curl could not be started (apt-get install curl)");
	return fl_seterr(err, errlen, "%s was not reachable (curl exit %d%s)", endpoint, code,
			 code == 7 ? ": connection refused" : code == 6 ? ": unknown host" : "");
}

/* A new file for an answer: never through a link, never one that is there (fd 10 or above). */
static int answer_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644), hi;

	if (fd < 0)
		return -1;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return hi;
}

int fl_lava_call(const struct fl_lava_server *s, const char *method, const char *path,
		 const char *body, const char *outpath, char **answer, long *http,
		 char *err, size_t errlen)
{
	struct call c = { { -1, -1 }, { -1, -1 }, { -1, -1 }, -1 };
	char endpoint[2048], *cfg = curl_config(s), *buf = NULL;
	size_t ulen = strlen(s->url), len = 0;
	int code, big = 0;
	pid_t pid = -1;

	*http = 0;
	if (answer)
		*answer = NULL;
	snprintf(endpoint, sizeof(endpoint), "%s%sapi/v0.2/%s", s->url,
		 ulen && s->url[ulen - 1] == '/' ? "" : "/", path);
	if (outpath && (c.file = answer_file(outpath)) < 0) {
		code = fl_seterr(err, errlen, "cannot create %s: %s", outpath, strerror(errno));
		goto out;
	}
	if (!cfg || pipe2(c.cfg, O_CLOEXEC) || pipe2(c.out, O_CLOEXEC) ||
	    (body && pipe2(c.body, O_CLOEXEC))) {
		code = fl_seterr(err, errlen, "cannot start curl: %s", strerror(errno));
		goto out;
	}
	pid = curl_start(s, method, endpoint, &c);
	close(c.cfg[0]);
	close(c.out[1]);
	c.cfg[0] = c.out[1] = -1;
	if (c.body[0] >= 0) {
		close(c.body[0]);
		c.body[0] = -1;
	}
	/* curl reads its config to the end, then the body: write them in that order */
	if (pid > 0 && !write_all(c.cfg[1], cfg, strlen(cfg))) {
		close(c.cfg[1]);
		c.cfg[1] = -1;
		if (body)
			write_all(c.body[1], body, strlen(body));	/* curl's exit tells */
	}
	explicit_bzero(cfg, strlen(cfg));
	if (c.cfg[1] >= 0)
		close(c.cfg[1]);	/* curl sees the end of its config and body */
	if (c.body[1] >= 0)
		close(c.body[1]);
	c.cfg[1] = c.body[1] = -1;
	if (pid < 0) {
		code = fl_seterr(err, errlen, "cannot start curl: %s", strerror(errno));
		goto out;
	}
	big = read_answer(c.out[0], pid, &buf, &len);
	code = curl_wait(pid);
	if (big < 0)
		code = -1;
	if (code || big || !buf) {
		code = curl_err(s, code, endpoint, big > 0 || !buf, err, errlen);
		goto out;
	}
	*http = split_status(buf, &len);
	if (!*http) {
		code = fl_seterr(err, errlen, "%s gave no HTTP status", endpoint);
		goto out;
	}
	if (answer) {
		*answer = buf;
		buf = NULL;
	}
out:
	call_close(&c);
	if (cfg)
		explicit_bzero(cfg, strlen(cfg));
	free(cfg);
	free(buf);
	return code;
}

/* The server's own word for an error ({"detail": ...} or {"message": ...}), cleaned. */
static void server_says(const char *answer, char *out, size_t len)
{
	json_t *d = answer ? json_loads(answer, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(d, "detail"));

	if (!msg)
		msg = json_string_value(json_object_get(d, "message"));
	out[0] = '\0';
	if (msg) {
		char clean[300];

		snprintf(out, len, ": \"%s\"", fl_text_clean(clean, sizeof(clean), msg));
	}
	json_decref(d);
}

void fl_lava_http_err(const struct fl_lava_server *s, long http, const char *what,
		      const char *answer, char *err, size_t errlen)
{
	char says[320];

	server_says(answer, says, sizeof(says));
	if (http == 401 || http == 403)
		fl_seterr(err, errlen, "%s refused the token for %s (HTTP %ld%s): check --token-file "
			  "or FAULTLINE_LAVA_TOKEN and the user's permissions", s->url, what, http,
			  says);
	else if (http == 404)
		fl_seterr(err, errlen, "%s has no %s (HTTP 404%s)", s->url, what, says);
	else
		fl_seterr(err, errlen, "%s answered HTTP %ld for %s%s", s->url, http, what, says);
}

int fl_lava_failed(void)
{
	return fl_interrupted() ? 128 + fl_interrupt_signal() : FL_EXIT_ENV;
}
