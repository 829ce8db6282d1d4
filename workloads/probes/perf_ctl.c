// SPDX-License-Identifier: GPL-2.0
/*
 * perf stat control FIFOs (perf-stat(1) --control fifo:CTL,ACK). perf opens both FIFOs
 * O_RDWR before it forks the workload; we write commands ("enable\n", "disable\n") to CTL and
 * read perf's acknowledgement ("ack\n" followed by a NUL) from ACK.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probes/perf_ctl.h"
#include "fl_util.h"

struct fl_perf_ctl {
	int ctl_fd;
	int ack_fd;
	char ctl[256];
	char ack[256];
};

static int ctl_split(const char *spec, struct fl_perf_ctl *c, char *err, size_t errlen)
{
	const char *comma;
	size_t len;

	if (!strncmp(spec, "fifo:", 5))
		spec += 5;
	comma = strchr(spec, ',');
	if (!comma || comma == spec || !comma[1])
		return fl_seterr(err, errlen, "perf control '%s' must be CTL_FIFO,ACK_FIFO (the "
				 "FIFOs given to perf stat --control fifo:CTL,ACK)", spec);
	len = comma - spec;
	if (len >= sizeof(c->ctl) || strlen(comma + 1) >= sizeof(c->ack))
		return fl_seterr(err, errlen, "perf control FIFO path too long in '%s'", spec);
	memcpy(c->ctl, spec, len);
	c->ctl[len] = '\0';
	strcpy(c->ack, comma + 1);
	return 0;
}

static int ctl_open_fifo(const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		return fl_seterr(err, errlen, "no perf stat is reading %s (run the agent under "
				 "perf stat --control fifo:CTL,ACK -D -1)", path);
	if (fd < 0)
		return fl_seterr(err, errlen, "cannot open perf control FIFO %s: %s", path,
				 strerror(errno));
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return fl_seterr(err, errlen, "%s is not a FIFO (create it with mkfifo)", path);
	}
	return fd;
}

struct fl_perf_ctl *fl_perf_ctl_open(const char *spec, char *err, size_t errlen)
{
	struct fl_perf_ctl *c = calloc(1, sizeof(*c));

	if (!c) {
		fl_seterr(err, errlen, "out of memory");
		return NULL;
	}
	c->ctl_fd = -1;
	c->ack_fd = -1;
	if (ctl_split(spec, c, err, errlen))
		goto err;
	c->ack_fd = ctl_open_fifo(c->ack, O_RDONLY, err, errlen);
	if (c->ack_fd < 0)
		goto err;
	c->ctl_fd = ctl_open_fifo(c->ctl, O_WRONLY, err, errlen);
	if (c->ctl_fd < 0)
		goto err;
	return c;
err:
	fl_perf_ctl_close(c);
	return NULL;
}

void fl_perf_ctl_close(struct fl_perf_ctl *c)
{
	if (!c)
		return;
	if (c->ctl_fd >= 0)
		close(c->ctl_fd);
	if (c->ack_fd >= 0)
		close(c->ack_fd);
	free(c);
}

/* write() that reports EPIPE instead of killing the process with SIGPIPE. */
static ssize_t ctl_write_nosig(int fd, const char *buf, size_t len)
{
	static const struct timespec zero;
	sigset_t pipe_set, old, pending;
	int was_pending, saved;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

static long ctl_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Throw away acks of earlier commands that timed out. */
static void ctl_drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int ctl_wait_ack(struct fl_perf_ctl *c, const char *cmd, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = c->ack_fd, .events = POLLIN };
	struct timespec deadline;
	char buf[64];
	size_t have = 0;
	long left;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += FL_PERF_CTL_TIMEOUT_MS / 1000;
	while ((left = ctl_ms_left(&deadline)) > 0) {
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			goto fail;
		n = read(c->ack_fd, buf + have, sizeof(buf) - have);
		if (n == 0)
			return fl_seterr(err, errlen, "nobody writes to %s while waiting for the ack "
					 "of '%s' (perf stat exited, or was not given it in "
					 "--control fifo:CTL,ACK)", c->ack, cmd);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto fail;
		if (n > 0)
			have += n;
		if (memmem(buf, have, "ack\n", 4))
			return 0;
		if (have == sizeof(buf))
			have = 0;
	}
	return fl_seterr(err, errlen, "perf stat did not acknowledge '%s' on %s within %d ms",
			 cmd, c->ack, FL_PERF_CTL_TIMEOUT_MS);
fail:
	return fl_seterr(err, errlen, "waiting for perf stat to acknowledge '%s' on %s: %s",
			 cmd, c->ack, strerror(errno));
}

static int ctl_command(struct fl_perf_ctl *c, const char *cmd, char *err, size_t errlen)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%s\n", cmd);

	ctl_drain(c->ack_fd);
	if (ctl_write_nosig(c->ctl_fd, line, len) != len)
		return fl_seterr(err, errlen, "cannot send '%s' to perf stat on %s: %s", cmd,
				 c->ctl, errno == EPIPE ? "perf stat has exited" : strerror(errno));
	return ctl_wait_ack(c, cmd, err, errlen);
}

int fl_perf_ctl_enable(struct fl_perf_ctl *ctl, char *err, size_t errlen)
{
	return ctl_command(ctl, "enable", err, errlen);
}

int fl_perf_ctl_disable(struct fl_perf_ctl *ctl, char *err, size_t errlen)
{
	return ctl_command(ctl, "disable", err, errlen);
}
