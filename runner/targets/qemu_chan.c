// SPDX-License-Identifier: GPL-2.0
/* Lines and checked frames over the guest channel (see qemu_chan.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "fl_util.h"
#include "qemu_chan.h"
#include "fl_sha256.h"

/* Append what the socket has to buf; waits up to the deadline in 100 ms slices. */
static int fill(struct fl_chan *c, double deadline)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t r;
		int pr;

		if (c->gone && c->gone(c->ctx))
			return FL_CHAN_GONE;
		if (fl_now_s() > deadline)
			return FL_CHAN_TIMEOUT;
		pr = poll(&p, 1, 100);
		if (pr < 0 && errno != EINTR)
			return FL_CHAN_EOF;
		if (pr <= 0)
			continue;
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return FL_CHAN_EOF;
		c->len += (size_t)r;
		return FL_CHAN_OK;
	}
}

int fl_chan_line(struct fl_chan *c, char *line, size_t len, double deadline)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		int ret;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			snprintf(line, len, "%.*s", (int)n, c->buf);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return FL_CHAN_OK;
		}
		if (c->len == sizeof(c->buf))	/* an overlong line: drop it */
			c->len = 0;
		ret = fill(c, deadline);
		if (ret)
			return ret;
	}
}

int fl_chan_read(struct fl_chan *c, char *out, size_t n, double deadline)
{
	size_t got = 0;

	while (got < n) {
		size_t take = c->len < n - got ? c->len : n - got;
		int ret;

		memcpy(out + got, c->buf, take);
		memmove(c->buf, c->buf + take, c->len - take);
		c->len -= take;
		got += take;
		if (got == n)
			break;
		ret = fill(c, deadline);
		if (ret)
			return ret;
	}
	return FL_CHAN_OK;
}

int fl_chan_write(struct fl_chan *c, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(c->fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return FL_CHAN_EOF;
		s += w;
		n -= (size_t)w;
	}
	return FL_CHAN_OK;
}

bool fl_frame_header(const char *line, char *kind, size_t klen, size_t *n, char sha[65])
{
	char k[32], h[80];
	unsigned long long len;

	if (sscanf(line, "FRAME %31s %llu %79s", k, &len, h) != 3 || strlen(h) != 64 ||
	    strspn(h, "0123456789abcdef") != 64 || len > (64ull << 20))
		return false;
	snprintf(kind, klen, "%s", k);
	memcpy(sha, h, 65);
	*n = (size_t)len;
	return true;
}

int fl_chan_frame(struct fl_chan *c, size_t n, const char *sha, double deadline, char **body,
		  char *err, size_t errlen)
{
	char *b = malloc(n + 1), got[65];
	int ret;

	*body = NULL;
	if (!b)
		return fl_seterr(err, errlen, "out of memory for a %zu-byte frame", n), 1;
	ret = fl_chan_read(c, b, n, deadline);
	if (ret) {
		free(b);
		return ret;
	}
	b[n] = '\0';
	fl_sha256_buf(b, n, got);
	if (strcmp(got, sha)) {
		free(b);
		return fl_seterr(err, errlen, "a %zu-byte frame from the guest does not match its "
				 "sha256 (damaged in transit)", n), 1;
	}
	*body = b;
	return FL_CHAN_OK;
}
