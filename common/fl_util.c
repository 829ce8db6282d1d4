// SPDX-License-Identifier: GPL-2.0
/* Errors, sizes, directories and the one whole-file reader (fl_util.h). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fl_util.h"

static const char *progname = "faultline";

void fl_set_progname(const char *name)
{
	progname = name;
}

void fl_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int fl_seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int fl_parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	}
	if (*end == 'i' && mul > 1)
		end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end || (mul > 1 && v > ~0ull / mul))
		return -1;
	*out = v * mul;
	return 0;
}

int fl_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* open(2) again when a signal interrupts it (a FIFO's open waits for its writer). */
static int open_retry(const char *path, int oflags)
{
	int fd;

	do
		fd = open(path, oflags);
	while (fd < 0 && errno == EINTR);
	return fd;
}

/* Read fd into buf from *got on until cap bytes are there or the file ends; EINTR is retried.
 * 0 at the end of the file, 1 when buf is full, -1 with errno on a read error. */
static int read_loop(int fd, char *buf, size_t cap, size_t *got)
{
	ssize_t r;

	while (*got < cap) {
		r = read(fd, buf + *got, cap - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		*got += (size_t)r;
	}
	return 1;
}

long fl_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	int fd, r, e;

	if (!len) {
		errno = EINVAL;
		return -1;
	}
	buf[0] = '\0';
	fd = open_retry(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read_loop(fd, buf, len - 1, &got);
	e = errno;
	close(fd);
	buf[got] = '\0';
	if (r < 0) {
		errno = e;
		return -1;
	}
	return (long)got;
}

/* A file whose size is not known (procfs reports 0) starts with this much buffer. */
#define READ_ALL_FIRST 65536

/* open(2) and, for the flags, fstat(2) of fl_read_all; *cap is the first buffer size. */
static int read_all_open(const char *path, size_t limit, unsigned int flags, size_t *cap,
			 char *err, size_t errlen)
{
	int oflags = O_RDONLY | O_CLOEXEC, fd, e;
	struct stat st;

	if (flags & FL_READ_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (flags & FL_READ_REGULAR)
		oflags |= O_NONBLOCK;
	fd = open_retry(path, oflags);
	if (fd < 0 && errno == ELOOP && (flags & FL_READ_NOFOLLOW)) {
		fl_seterr(err, errlen, "it is a symbolic link (not followed)");
		errno = ELOOP;
		return -1;
	}
	if (fd < 0 || fstat(fd, &st)) {
		e = errno;
		fl_seterr(err, errlen, "cannot read it: %s", strerror(e));
		goto fail;
	}
	e = EINVAL;
	if ((flags & FL_READ_REGULAR) && !S_ISREG(st.st_mode)) {
		fl_seterr(err, errlen, "it is not a regular file");
		goto fail;
	}
	e = EFBIG;
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > limit) {
		fl_seterr(err, errlen, "it has %lld bytes; at most %zu are read",
			  (long long)st.st_size, limit);
		goto fail;
	}
	/* One byte for the NUL, one to see the end of the file without growing. */
	*cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 2 : READ_ALL_FIRST;
	if (*cap > limit + 2)
		*cap = limit + 2;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

char *fl_read_all(const char *path, size_t max, unsigned int flags, size_t *len, char *err,
		  size_t errlen)
{
	size_t limit = max ? max : SIZE_MAX / 2, cap, got = 0;
	char *buf = NULL, *nbuf;
	int fd, r, e;

	fd = read_all_open(path, limit, flags, &cap, err, errlen);
	if (fd < 0)
		return NULL;
	for (;;) {
		e = ENOMEM;
		nbuf = realloc(buf, cap);
		if (!nbuf) {
			fl_seterr(err, errlen, "out of memory reading it");
			goto fail;
		}
		buf = nbuf;
		r = read_loop(fd, buf, cap - 1, &got);
		e = errno;
		if (r < 0) {
			fl_seterr(err, errlen, "cannot read it: %s", strerror(e));
			goto fail;
		}
		e = EFBIG;
		if (got > limit) {
			fl_seterr(err, errlen, "it has more than %zu bytes; at most %zu are read",
				  limit, limit);
			goto fail;
		}
		if (!r)
			break;
		cap = cap > limit / 2 ? limit + 2 : cap * 2;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
fail:
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}

int fl_mkdir_parents(const char *path, unsigned int mode, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return fl_seterr(err, errlen, "path too long: %s", path);
	}
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, (mode_t)mode) && errno != EEXIST) {
			int e = errno;

			fl_seterr(err, errlen, "cannot create the directory %s for %s: %s", dir, path,
				  strerror(e));
			errno = e;
			return -1;
		}
		*p = '/';
	}
	return 0;
}
