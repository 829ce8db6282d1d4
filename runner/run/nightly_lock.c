// SPDX-License-Identifier: GPL-2.0
/*
 * One nightly per history at a time: flock(2) on HISTORY/.nightly.lock, which holds the
 * holder's "pid N started TIME". The kernel drops the lock when the holder exits, however it
 * exits, so a crashed nightly never leaves a stale lock behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "fl_safe.h"
#include "fl_util.h"
#include "nightly_lock.h"

/* The holder's "pid N started TIME" line, as text safe for a terminal (the file is in a
 * history directory, which may come from elsewhere). */
static void holder(int fd, char *buf, size_t len)
{
	char raw[256];
	ssize_t n = pread(fd, raw, sizeof(raw) - 1, 0);

	raw[n > 0 ? n : 0] = '\0';
	raw[strcspn(raw, "\n")] = '\0';
	fl_text_clean(buf, len, raw);
	if (!buf[0])
		snprintf(buf, len, "a process that has not written its pid yet");
}

int fl_nightly_lock(const char *dir, double wait_s, char *err, size_t errlen)
{
	char path[1100], who[256], stamp[32];
	time_t start = time(NULL), now;
	int fd;

	snprintf(path, sizeof(path), "%s/.nightly.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return fl_seterr(err, errlen, "cannot open the lock file %s: %s", path,
				 errno == ELOOP ? "it is a symbolic link (the lock file is truncated "
				 "and written, so a link is not followed)" : strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return fl_seterr(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		}
		if (difftime(time(NULL), start) >= wait_s) {
			holder(fd, who, sizeof(who));
			close(fd);
			return fl_seterr(err, errlen, "another nightly is running on %s (%s; lock %s); "
					 "gave up after %.0f s (--wait SECONDS waits longer)", dir,
					 who, path, wait_s);
		}
		usleep(200000);
	}
	now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(who, sizeof(who), "pid %d started %s\n", (int)getpid(), stamp);
	if (ftruncate(fd, 0) || pwrite(fd, who, strlen(who), 0) != (ssize_t)strlen(who)) {
		close(fd);
		return fl_seterr(err, errlen, "cannot write the lock file %s: %s", path,
				 strerror(errno));
	}
	return fd;
}
