// SPDX-License-Identifier: GPL-2.0
/* vmsplice walker: GUP-fast a range into a pipe, drain it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "gup.h"

int fl_gup_open(struct fl_gup_pipe *g, size_t want, char *err, size_t errlen)
{
	int fd[2], got;

	if (pipe2(fd, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot create a pipe for the vmsplice walker: %s",
			 strerror(errno));
		return -1;
	}
	fcntl(fd[1], F_SETPIPE_SZ, (int)want);
	got = fcntl(fd[1], F_GETPIPE_SZ);
	g->rd = fd[0];
	g->wr = fd[1];
	g->cap = got > 0 ? (size_t)got : 65536;
	return 0;
}

ssize_t fl_gup_read(struct fl_gup_pipe *g, const void *addr, size_t len, void *buf)
{
	struct iovec iov = { .iov_base = (void *)addr, .iov_len = len < g->cap ? len : g->cap };
	ssize_t in, done = 0;

	in = vmsplice(g->wr, &iov, 1, 0);
	if (in < 0)
		return -1;
	while (done < in) {
		ssize_t n = read(g->rd, (char *)buf + done, (size_t)(in - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return done;
}

void fl_gup_close(struct fl_gup_pipe *g)
{
	if (g->rd >= 0)
		close(g->rd);
	if (g->wr >= 0)
		close(g->wr);
	g->rd = g->wr = -1;
}
