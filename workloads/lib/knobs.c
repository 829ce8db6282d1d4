// SPDX-License-Identifier: GPL-2.0
/*
 * The knobs journal: one JSON line per change, appended and fsynced before the change.
 * The first change of a case creates the file and takes an exclusive flock(2) on it, held
 * until fl_knobs_close(); so a journal whose lock can be taken belongs to a dead agent and is
 * stale, and two agents never change knobs at the same time (the second waits, and says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fl_util.h"
#include "knobs_internal.h"
#include "probes/procparse.h"

#define FL_KNOBS_MAX_FILES 64

struct fl_knobs {
	char path[PATH_MAX];
	char sysroot[PATH_MAX];		/* "" on a machine; a unit test's stand-in for / */
	int fd;				/* the locked journal; -1 before the first change */
	FILE *log;
	int nfiles;
	char *files[FL_KNOBS_MAX_FILES];	/* sysfs files journaled (first original kept) */
};

const char *fl_knobs_default_path(void)
{
	const char *env = getenv("FAULTLINE_JOURNAL");

	return env && *env ? env : "/run/faultline/knobs.journal";
}

int fl_read_value(const char *file, char *buf, size_t len)
{
	long n = fl_read_file(file, buf, len);

	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return 0;
}

int fl_knob_get(const char *file, char *buf, size_t len)
{
	char text[4096];

	if (fl_read_value(file, text, sizeof(text)))
		return -1;
	if (strchr(text, '[') && fl_sysfs_selected(text, buf, len) == 0)
		return 0;
	if (strlen(text) >= len) {
		errno = EOVERFLOW;
		return -1;
	}
	strcpy(buf, text);
	return 0;
}

static char *read_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t r;

	while (buf) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = pread(fd, buf + len, cap - len - 1, (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The journal file itself: a regular file of ours that no one else can write, one link,
 * and when not empty a journal (its first line the header). Anything else is not ours: it
 * is never replayed, truncated or removed. */
static int check_journal_fd(int fd, const char *path, char *err, size_t errlen)
{
	char head[256];
	struct stat st;
	json_t *h;
	ssize_t n;
	bool ok;

	if (fstat(fd, &st))
		return fl_seterr(err, errlen, "cannot stat the journal %s: %s", path,
				 strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_nlink != 1)
		return fl_seterr(err, errlen, "the journal %s is not a regular file owned by "
				 "uid %d, writable by it alone and with one link: refused, left "
				 "alone", path, (int)geteuid());
	if (st.st_size == 0)
		return 0;
	n = pread(fd, head, sizeof(head) - 1, 0);
	head[n > 0 ? n : 0] = '\0';
	head[strcspn(head, "\n")] = '\0';
	h = json_loads(head, 0, NULL);
	ok = h && !strcmp(json_string_value(json_object_get(h, "kind")) ?: "", "journal");
	json_decref(h);
	if (!ok)
		return fl_seterr(err, errlen, "%s does not start with a faultline journal header "
				 "line, so it is not a journal: refused, left alone", path);
	return 0;
}

/* Open an existing journal without following a symlink; -1 with errno (ELOOP: a symlink). */
static int open_journal(const char *path, int flags)
{
	return open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | flags, 0600);
}

/* Undo a journal we hold the lock of. 0 nothing there, 1 restored, -1 something failed. */
static int undo_locked(int fd, const char *path, const char *sysroot, FILE *log,
		       const char *why)
{
	char *text, err[FL_ERRLEN];
	int ret;

	if (check_journal_fd(fd, path, err, sizeof(err))) {
		fprintf(log, "faultline-agent: %s\n", err);
		return -1;
	}
	text = read_fd(fd);
	if (!text)
		return -1;
	if (fl_knobs_entries(text) == 0) {
		free(text);
		return 0;
	}
	fprintf(log, "faultline-agent: restoring kernel state from %s (%s, pid %ld):\n",
		path, why, fl_knobs_journal_pid(text));
	ret = fl_knobs_undo_text(text, path, sysroot, log) ? -1 : 1;
	free(text);
	if (ret < 0)
		fprintf(log, "faultline-agent: some settings could not be restored or were "
			"refused; the journal stays at %s and 'faultline-agent --restore' retries "
			"(remove it by hand if its refused entries are not faultline's)\n", path);
	return ret;
}

/* Lock path if nobody holds it. Returns the fd, -1 if absent or busy (*busy says which),
 * -2 if it cannot be opened (log says why: a symlink is refused). */
static int try_lock_existing(const char *path, bool *busy, FILE *log)
{
	int fd = open_journal(path, 0);

	*busy = false;
	if (fd < 0 && (errno == ENOENT ||
		       (geteuid() != 0 && (errno == EACCES || errno == EPERM))))
		return -1;	/* none, or root's that this user cannot have changed */
	if (fd < 0) {
		fprintf(log, "faultline-agent: cannot open the journal %s: %s%s\n", path,
			strerror(errno), errno == ELOOP ? " (a symlink: refused, left alone)" : "");
		return -2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	*busy = errno == EWOULDBLOCK;
	close(fd);
	return -1;
}

static void note_busy(const char *path, FILE *log, const char *what)
{
	char text[256];
	long n = fl_read_file(path, text, sizeof(text));

	fprintf(log, "faultline-agent: journal %s belongs to a running agent (pid %ld); %s\n",
		path, n > 0 ? fl_knobs_journal_pid(text) : 0L, what);
}

int fl_knobs_restore_file(const char *path, const char *sysroot, FILE *log)
{
	bool busy;
	int fd = try_lock_existing(path, &busy, log), ret;

	if (fd == -2)
		return -1;
	if (fd < 0) {
		if (busy)
			note_busy(path, log, "left alone");
		return 0;
	}
	ret = undo_locked(fd, path, sysroot, log, "left by an agent that did not finish");
	if (ret >= 0)
		unlink(path);
	close(fd);
	return ret;
}

struct fl_knobs *fl_knobs_open(const char *path, const char *sysroot, FILE *log, char *err,
			       size_t errlen)
{
	struct fl_knobs *k;

	if (strlen(path) >= PATH_MAX || (sysroot && strlen(sysroot) >= PATH_MAX)) {
		fl_seterr(err, errlen, "journal path too long: %s", path);
		return NULL;
	}
	if (fl_mkdir_parents(path, 0700, err, errlen))
		return NULL;
	if (fl_knobs_restore_file(path, sysroot, log) < 0) {
		fl_seterr(err, errlen, "a stale journal %s could not be fully restored", path);
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		fl_seterr(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(k->path, sizeof(k->path), "%s", path);
	snprintf(k->sysroot, sizeof(k->sysroot), "%s", sysroot ? sysroot : "");
	k->fd = -1;
	k->log = log;
	return k;
}

static int append_line(int fd, json_t *e)
{
	char *line = json_dumps(e, JSON_COMPACT);
	size_t len;
	int ret = -1;

	if (!line)
		return -1;
	len = strlen(line);
	line[len] = '\n';	/* json_dumps' NUL becomes the newline; write len + 1 bytes */
	if (write(fd, line, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0)
		ret = 0;
	free(line);
	return ret;
}

/* Open, create and lock the journal at the first change; wait for a live owner. */
static int lock_journal(struct fl_knobs *k, char *err, size_t errlen)
{
	struct stat a, b;
	bool said = false;
	json_t *h;
	int fd, ret;

	while (k->fd < 0) {
		fd = open_journal(k->path, O_CREAT | O_APPEND);
		if (fd < 0)
			return fl_seterr(err, errlen, "cannot create the journal %s: %s%s", k->path,
					 strerror(errno), errno == ELOOP ? " (a symlink: refused)" : "");
		if (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
			if (!said)
				note_busy(k->path, k->log, "waiting for it to finish");
			said = true;
			ret = flock(fd, LOCK_EX);
			if (ret) {
				close(fd);
				return fl_seterr(err, errlen, "interrupted while waiting for the "
						 "journal %s", k->path);
			}
		}
		/* The owner may have removed the file while we waited: lock the one on disk. */
		if (fstat(fd, &a) || stat(k->path, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		if (check_journal_fd(fd, k->path, err, errlen)) {
			close(fd);
			return -1;
		}
		if (undo_locked(fd, k->path, k->sysroot, k->log,
				"left by an agent that did not finish") < 0) {
			close(fd);
			return fl_seterr(err, errlen, "a stale journal %s could not be fully "
					 "restored", k->path);
		}
		if (ftruncate(fd, 0)) {
			close(fd);
			return fl_seterr(err, errlen, "cannot truncate the journal %s: %s",
					 k->path, strerror(errno));
		}
		k->fd = fd;
	}
	h = json_pack("{s:s, s:I, s:I}", "kind", "journal", "pid", (json_int_t)getpid(),
			      "started", (json_int_t)time(NULL));

	ret = append_line(k->fd, h);
	json_decref(h);
	if (ret)
		return fl_seterr(err, errlen, "cannot write the journal %s: %s", k->path,
				 strerror(errno));
	return 0;
}

static int journal(struct fl_knobs *k, json_t *e, char *err, size_t errlen)
{
	int ret = 0;

	if (!e)
		return fl_seterr(err, errlen, "out of memory");
	if (k->fd < 0)
		ret = lock_journal(k, err, errlen);
	if (ret == 0 && append_line(k->fd, e))
		ret = fl_seterr(err, errlen, "cannot write the journal %s: %s", k->path,
				strerror(errno));
	json_decref(e);
	return ret;
}

static bool journaled(const struct fl_knobs *k, const char *file)
{
	for (int i = 0; i < k->nfiles; i++)
		if (strcmp(k->files[i], file) == 0)
			return true;
	return false;
}

int fl_knob_set(struct fl_knobs *k, const char *file, const char *value, char *err, size_t errlen)
{
	char old[FL_KNOB_VALUE_MAX];

	if (fl_knobs_allowed(k->sysroot, "sysfs", file, false, err, errlen))
		return -1;
	if (!journaled(k, file)) {
		if (k->nfiles == FL_KNOBS_MAX_FILES)
			return fl_seterr(err, errlen, "more than %d knobs changed in one case",
					 FL_KNOBS_MAX_FILES);
		if (fl_knob_get(file, old, sizeof(old)))
			return fl_seterr(err, errlen, "cannot read %s: %s", file, strerror(errno));
		if (journal(k, json_pack("{s:s, s:s, s:s}", "kind", "sysfs", "file", file,
					 "old", old), err, errlen))
			return -1;
		k->files[k->nfiles++] = strdup(file);
	}
	if (fl_knobs_write_value(file, value))
		return fl_seterr(err, errlen, "cannot write '%s' to %s: %s", value, file,
				 strerror(errno));
	return 0;
}

int fl_knob_swap_added(struct fl_knobs *k, const char *swap_path, bool remove_file,
		       char *err, size_t errlen)
{
	if (fl_knobs_allowed(k->sysroot, "swap", swap_path, remove_file, err, errlen))
		return -1;
	return journal(k, json_pack("{s:s, s:s, s:b}", "kind", "swap", "path", swap_path,
				    "remove", remove_file), err, errlen);
}

int fl_knob_zram_added(struct fl_knobs *k, const char *dev_path, char *err, size_t errlen)
{
	if (fl_knobs_allowed(k->sysroot, "zram", dev_path, false, err, errlen))
		return -1;
	return journal(k, json_pack("{s:s, s:s}", "kind", "zram", "dev", dev_path), err, errlen);
}

int fl_knob_cgroup_added(struct fl_knobs *k, const char *cg_dir, char *err, size_t errlen)
{
	if (fl_knobs_allowed(k->sysroot, "cgroup", cg_dir, false, err, errlen))
		return -1;
	return journal(k, json_pack("{s:s, s:s}", "kind", "cgroup", "dir", cg_dir), err, errlen);
}

int fl_knob_trace_instance_added(struct fl_knobs *k, const char *dir, char *err,
				 size_t errlen)
{
	if (fl_knobs_allowed(k->sysroot, "trace_instance", dir, false, err, errlen))
		return -1;
	return journal(k, json_pack("{s:s, s:s}", "kind", "trace_instance", "dir", dir), err,
		       errlen);
}

int fl_knobs_close(struct fl_knobs *k, FILE *log)
{
	int ret = 0;

	if (!k)
		return 0;
	if (k->fd >= 0) {
		ret = undo_locked(k->fd, k->path, k->sysroot, log, "end of case") < 0 ? -1 : 0;
		if (ret == 0)
			unlink(k->path);
		close(k->fd);
	}
	for (int i = 0; i < k->nfiles; i++)
		free(k->files[i]);
	free(k);
	return ret;
}
