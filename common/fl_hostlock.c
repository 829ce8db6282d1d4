// SPDX-License-Identifier: GPL-2.0
/* The host lock (fl_hostlock.h): one flock for kernel settings and measured phases. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fl_hostlock.h"
#include "fl_interrupt.h"
#include "fl_safe.h"
#include "fl_util.h"

#define OWNER_MAX 512

static void owner_path(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s.owner", path);
}

/* "PID START COMMAND\n": this process's command line, control characters cleaned, cut to
 * fit. */
static void owner_line(char *buf, size_t len)
{
	char cmd[OWNER_MAX - 64] = "", clean[OWNER_MAX - 64];
	long n = fl_read_file("/proc/self/cmdline", cmd, sizeof(cmd));

	for (long i = 0; i < n - 1; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	fl_text_clean(clean, sizeof(clean), cmd);
	snprintf(buf, len, "%ld %lld %s\n", (long)getpid(), (long long)time(NULL), clean);
}

/* Written by the holder, replaced atomically (temp file + rename). */
static void write_owner(const char *path)
{
	char file[PATH_MAX], tmp[PATH_MAX + 16], line[OWNER_MAX];
	ssize_t len;
	int fd;

	owner_path(path, file, sizeof(file));
	snprintf(tmp, sizeof(tmp), "%s.%ld", file, (long)getpid());
	owner_line(line, sizeof(line));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = (ssize_t)strlen(line);
	if (write(fd, line, (size_t)len) != len || rename(tmp, file))
		unlink(tmp);
	close(fd);
}

void fl_hostlock_holder(const char *path, char *buf, size_t len)
{
	char file[PATH_MAX], text[OWNER_MAX], cmd[OWNER_MAX], when[64];
	long long started;
	long pid;
	int off = 0;
	time_t t;
	struct tm tm;

	owner_path(path, file, sizeof(file));
	if (fl_read_file(file, text, sizeof(text)) <= 0 ||
	    sscanf(text, "%ld %lld %n", &pid, &started, &off) != 2 || !off) {
		snprintf(buf, len, "an unknown process (no %s)", file);
		return;
	}
	if (kill((pid_t)pid, 0) && errno == ESRCH) {
		snprintf(buf, len, "an unknown process (%s names pid %ld, which has ended)", file,
			 pid);
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	fl_text_clean(cmd, sizeof(cmd), text + off);
	t = (time_t)started;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "an unknown time");
	snprintf(buf, len, "pid %ld since %s: %s", pid, when, cmd);
}

/* The lock our parent passed down: its fd, the same file, and a lock we can take at once. */
static int take_inherited(struct fl_hostlock *hl)
{
	const char *env = getenv(FL_HOSTLOCK_ENV);
	struct stat a, b;
	char *end;
	long fd;

	if (!env)
		return -1;
	fd = strtol(env, &end, 10);
	unsetenv(FL_HOSTLOCK_ENV);
	if (end == env || *end || fd < 3 || fd > INT_MAX)
		return -1;
	if (fstat((int)fd, &a) || stat(hl->path, &b) || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || !S_ISREG(a.st_mode))
		return -1;
	if (flock((int)fd, LOCK_EX | LOCK_NB))
		return -1;	/* another holder's: wait like anyone else */
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	hl->fd = (int)fd;
	hl->inherited = true;
	return 0;
}

static int open_lock(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (fl_mkdir_parents(path, 0700, err, errlen))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		fl_seterr(err, errlen, "cannot open the host lock %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fl_seterr(err, errlen, "the host lock %s is not a regular file", path);
	}
	return fd;
}

/* Block until the holder lets go; a signal that set the interrupt flag stops the wait. */
static int wait_lock(int fd, const char *path, char *err, size_t errlen)
{
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR)
			return fl_seterr(err, errlen, "cannot lock the host lock %s: %s", path,
					 strerror(errno));
		if (fl_interrupted())
			return fl_seterr(err, errlen, "interrupted by signal %d while waiting for "
					 "the host lock %s", fl_interrupt_signal(), path);
	}
	return 0;
}

/*
 * The holder, for the message. A holder that has just taken the lock writes its owner file a
 * moment later: look again for up to 200 ms while the file is missing or names a process that
 * has ended. 0 if the lock came free meanwhile (and is now ours), 1 otherwise.
 */
static int name_holder(int fd, const char *path, char *buf, size_t len)
{
	for (int tries = 0; tries < 10; tries++) {
		fl_hostlock_holder(path, buf, len);
		if (!strncmp(buf, "pid ", 4))
			return 1;
		usleep(20000);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
	}
	return 1;
}

int fl_hostlock_take(struct fl_hostlock *hl, const char *path, bool wait, char *err,
		     size_t errlen)
{
	char holder[OWNER_MAX + 64];
	int fd;

	memset(hl, 0, sizeof(*hl));
	hl->fd = -1;
	if ((size_t)snprintf(hl->path, sizeof(hl->path), "%s", path) >= sizeof(hl->path))
		return fl_seterr(err, errlen, "host lock path too long: %s", path);
	if (take_inherited(hl) == 0)
		return 0;
	fd = open_lock(path, err, errlen);
	if (fd < 0 && geteuid() != 0 && (errno == EACCES || errno == EPERM))
		return FL_HOSTLOCK_UNPRIVILEGED;	/* root's; this user changes no kernel setting */
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			close(fd);
			return fl_seterr(err, errlen, "cannot lock the host lock %s: %s", path,
					 strerror(errno));
		}
		if (name_holder(fd, path, holder, sizeof(holder)) == 0)
			goto taken;	/* let go while we looked */
		if (!wait) {
			close(fd);
			fl_seterr(err, errlen, "the host lock %s is held by %s; not waiting "
				  "(--no-wait)", path, holder);
			return FL_HOSTLOCK_BUSY;
		}
		fl_err("waiting for the host lock %s (kernel settings and measurements are "
		       "host-wide), held by %s", path, holder);
		if (wait_lock(fd, path, err, errlen)) {
			close(fd);
			return -1;
		}
	}
taken:
	hl->fd = fd;
	write_owner(path);
	return 0;
}

int fl_hostlock_pass(struct fl_hostlock *hl, char *err, size_t errlen)
{
	char num[16];

	if (hl->fd < 0)
		return fl_seterr(err, errlen, "the host lock is not held");
	snprintf(num, sizeof(num), "%d", hl->fd);
	if (fcntl(hl->fd, F_SETFD, 0) || setenv(FL_HOSTLOCK_ENV, num, 1))
		return fl_seterr(err, errlen, "cannot pass the host lock on: %s", strerror(errno));
	return 0;
}

void fl_hostlock_release(struct fl_hostlock *hl)
{
	char file[PATH_MAX];

	if (hl->fd < 0)
		return;
	if (!hl->inherited) {
		owner_path(hl->path, file, sizeof(file));
		unlink(file);
		flock(hl->fd, LOCK_UN);
		unsetenv(FL_HOSTLOCK_ENV);	/* passed on: children from now on have none */
	}
	close(hl->fd);
	hl->fd = -1;
}
