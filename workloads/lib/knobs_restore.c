// SPDX-License-Identifier: GPL-2.0
/* Undoing a knobs journal: parse its JSON lines, undo each entry in reverse order. Every
 * undo is idempotent (a value already back, a swap area already off, a directory already
 * gone count as restored), so a journal can be replayed after a crash at any point. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>
#include "fl_safe.h"
#include "fl_util.h"
#include "knobs_internal.h"

/*
 * What a journal entry may name: only what an agent changes (the writers check the same, so
 * no journal of ours holds anything else). A crafted journal naming anything else is refused
 * entry by entry: nothing outside these is ever written, swapped off, unlinked or removed.
 */
static const char *const knob_dirs[] = {
	"/sys/kernel/mm/transparent_hugepage/",	/* THP and khugepaged: lib/thp.c, swapin_collapse.c */
	NULL,
};
static const char *const knob_files[] = {
	"/proc/sys/kernel/nmi_watchdog",	/* faultline doctor --tune */
	NULL,
};
#define CGROUP_DIR "/sys/fs/cgroup/"		/* lib/memcg.c: <hierarchy>/faultline-PID */
#define SWAP_FILE "faultline-swap."		/* lib/swapdev.c: <swap_dir>/faultline-swap.PID */
#define CGROUP_NAME "faultline-"
#define ZRAM_DEV "/dev/zram"
static const char *const trace_dirs[] = {	/* lib/collapse_trace.c: faultline-TAG-PID */
	"/sys/kernel/tracing/instances/", "/sys/kernel/debug/tracing/instances/", NULL,
};

static const char *root_of(const char *sysroot)
{
	return sysroot ? sysroot : "";
}

/* Absolute, no empty, "." or ".." component. */
static bool plain_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s;) {
		const char *e = strchr(s + 1, '/');
		size_t n = e ? (size_t)(e - s - 1) : strlen(s + 1);

		if (n == 0 || (n == 1 && s[1] == '.') || (n == 2 && s[1] == '.' && s[2] == '.'))
			return false;
		s += n + 1;
	}
	return true;
}

/* The last component is prefix followed by digits only. */
static bool numbered(const char *path, const char *prefix)
{
	const char *base = strrchr(path, '/');
	size_t n = strlen(prefix);

	base = base ? base + 1 : path;
	if (strncmp(base, prefix, n) || !base[n])
		return false;
	for (const char *p = base + n; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* path is sysroot + dir + something. */
static bool under(const char *sysroot, const char *dir, const char *path)
{
	size_t r = strlen(sysroot), d = strlen(dir);

	return !strncmp(path, sysroot, r) && !strncmp(path + r, dir, d) && path[r + d];
}

/* A knob file, when it exists, resolves to itself (no symlink on the way). */
static bool knob_allowed(const char *sysroot, const char *file)
{
	char real[PATH_MAX];
	bool in = false;

	for (int i = 0; knob_dirs[i]; i++)
		in = in || under(sysroot, knob_dirs[i], file);
	for (int i = 0; knob_files[i]; i++)
		in = in || (!strncmp(file, sysroot, strlen(sysroot)) &&
			    !strcmp(file + strlen(sysroot), knob_files[i]));
	if (!in || !plain_path(file))
		return false;
	return !realpath(file, real) ? errno == ENOENT : !strcmp(real, file);
}

/* <tracefs>/instances/faultline-TAG-PID: TAG of [a-z0-9-], PID digits, nothing below. */
static bool trace_instance(const char *sysroot, const char *path)
{
	const char *base = strrchr(path, '/'), *dash;
	bool in = false;

	for (int i = 0; trace_dirs[i]; i++)
		in = in || under(sysroot, trace_dirs[i], path);
	if (!in || !plain_path(path) || !base || strncmp(base + 1, CGROUP_NAME,
							 strlen(CGROUP_NAME)))
		return false;
	for (const char *p = base + 1; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	dash = strrchr(base, '-');
	return dash > base + strlen(CGROUP_NAME) && numbered(dash, "-");
}

static bool zram_dev(const char *path)
{
	return !strncmp(path, ZRAM_DEV, strlen(ZRAM_DEV)) && numbered(path, "zram");
}

int fl_knobs_allowed(const char *sysroot, const char *kind, const char *path, bool remove,
		     char *err, size_t errlen)
{
	const char *r = root_of(sysroot), *want;
	char shown[PATH_MAX], kshown[32];
	bool ok;

	if (!strcmp(kind, "sysfs")) {
		ok = knob_allowed(r, path);
		want = "a THP/khugepaged file under /sys/kernel/mm/transparent_hugepage/, or "
		       "/proc/sys/kernel/nmi_watchdog";
	} else if (!strcmp(kind, "swap")) {
		ok = plain_path(path) && (numbered(path, SWAP_FILE) || (!remove && zram_dev(path)));
		want = "a swap file named " SWAP_FILE "PID, or /dev/zramN";
	} else if (!strcmp(kind, "zram")) {
		ok = zram_dev(path);
		want = "/dev/zramN";
	} else if (!strcmp(kind, "cgroup")) {
		ok = plain_path(path) && under(r, CGROUP_DIR, path) && numbered(path, CGROUP_NAME);
		want = "a cgroup " CGROUP_NAME "PID under /sys/fs/cgroup/";
	} else if (!strcmp(kind, "trace_instance")) {
		ok = trace_instance(r, path);
		want = "a tracefs instance instances/faultline-TAG-PID";
	} else {
		return fl_seterr(err, errlen, "refused: an entry of unknown kind '%s' (expected "
				 "sysfs, swap, zram, cgroup or trace_instance); left alone",
				 fl_text_clean(kshown, sizeof(kshown), kind));
	}
	if (ok)
		return 0;
	return fl_seterr(err, errlen, "refused: a %s entry naming %s, which is not something an "
			 "agent changes (expected %s); left alone", kind,
			 fl_text_clean(shown, sizeof(shown), path), want);
}

static int write_text(const char *file, const char *value)
{
	int fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, value, len);
	if (w < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	if ((size_t)w != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int fl_knobs_write_value(const char *file, const char *value)
{
	return write_text(file, value);
}

static int undo_sysfs(const char *file, const char *old, FILE *log)
{
	char now[FL_KNOB_VALUE_MAX];

	if (fl_knob_get(file, now, sizeof(now)) == 0 && strcmp(now, old) == 0) {
		fprintf(log, "  %s is '%s' (unchanged)\n", file, old);
		return 0;
	}
	if (write_text(file, old)) {
		fprintf(log, "  could not restore %s to '%s': %s\n", file, old, strerror(errno));
		return -1;
	}
	if (fl_knob_get(file, now, sizeof(now)) || strcmp(now, old) != 0) {
		fprintf(log, "  wrote '%s' to %s but it reads back '%s'\n", old, file, now);
		return -1;
	}
	fprintf(log, "  restored %s to '%s'\n", file, old);
	return 0;
}

/* Is path listed in /proc/swaps? As written, or resolved when path itself is a regular
 * file or a block device (never through a symlink that could point at the host's own swap). */
static bool swap_active(const char *path)
{
	char line[4096], real[PATH_MAX], name[4096];
	bool found = false;
	struct stat st;
	FILE *f;

	if (lstat(path, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) ||
	    !realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	f = fopen("/proc/swaps", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%4095s", name) == 1 && (!strcmp(name, path) || !strcmp(name, real)))
			found = true;
	fclose(f);
	return found;
}

/* Only a regular file of ours is removed: not a symlink, a directory or someone else's. */
static int remove_swap_file(const char *path, FILE *log)
{
	struct stat st;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		fprintf(log, "  could not look at swap file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		fprintf(log, "  refused: %s is not a regular file of this user (a symlink, a "
			"directory or someone else's file), so it is not our swap file; left alone\n",
			path);
		return -1;
	}
	if (unlink(path)) {
		fprintf(log, "  could not remove swap file %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(log, "  removed swap file %s\n", path);
	return 0;
}

static int undo_swap(const char *path, bool remove_file, FILE *log)
{
	if (swap_active(path)) {
		if (swapoff(path)) {
			fprintf(log, "  could not swapoff %s: %s\n", path, strerror(errno));
			return -1;
		}
		fprintf(log, "  swapoff %s\n", path);
	}
	return remove_file ? remove_swap_file(path, log) : 0;
}

static int undo_zram(const char *dev, FILE *log)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char file[PATH_MAX], size[64];

	snprintf(file, sizeof(file), "/sys/block/%s/disksize", name);
	if (fl_read_value(file, size, sizeof(size)) == 0 && strcmp(size, "0") == 0)
		return 0;
	snprintf(file, sizeof(file), "/sys/block/%s/reset", name);
	if (write_text(file, "1")) {
		fprintf(log, "  could not reset %s: %s\n", dev, strerror(errno));
		return -1;
	}
	fprintf(log, "  reset %s\n", dev);
	return 0;
}

/* Move whatever still runs in dir to its parent, so dir can go. */
static void evacuate_cgroup(const char *dir)
{
	char file[PATH_MAX], parent[PATH_MAX], pid[32];
	FILE *f;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	if (strrchr(parent, '/'))
		*strrchr(parent, '/') = '\0';
	strncat(parent, "/cgroup.procs", sizeof(parent) - strlen(parent) - 1);
	f = fopen(file, "re");
	if (!f)
		return;
	while (fscanf(f, "%31s", pid) == 1)
		write_text(parent, pid);
	fclose(f);
}

/* A tracefs instance: removing it also stops its tracing and frees its buffers. */
static int undo_trace_instance(const char *dir, FILE *log)
{
	struct stat st;

	if (lstat(dir, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode)) {
		fprintf(log, "  refused: %s is not a directory, so it is not our tracefs "
			"instance; left alone\n", dir);
		return -1;
	}
	if (rmdir(dir) == 0 || errno == ENOENT) {
		fprintf(log, "  removed tracefs instance %s\n", dir);
		return 0;
	}
	fprintf(log, "  cannot remove tracefs instance %s: %s\n", dir, strerror(errno));
	return -1;
}

static int undo_cgroup(const char *dir, FILE *log)
{
	struct stat st;

	if (lstat(dir, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode)) {
		fprintf(log, "  refused: %s is not a directory (a symlink?), so it is not our "
			"cgroup; left alone\n", dir);
		return -1;
	}
	for (int tries = 0; tries < 50; tries++) {
		if (rmdir(dir) == 0) {
			fprintf(log, "  removed cgroup %s\n", dir);
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		evacuate_cgroup(dir);
		usleep(20000);
	}
	fprintf(log, "  could not remove cgroup %s: %s\n", dir, strerror(errno));
	return -1;
}

/* The kinds of entry and the key of the path each names, for the whitelist. */
static const char *const entry_keys[][2] = {
	{ "sysfs", "file" }, { "swap", "path" }, { "zram", "dev" }, { "cgroup", "dir" },
	{ "trace_instance", "dir" },
};

static const char *entry_key(const char *kind)
{
	for (size_t i = 0; i < sizeof(entry_keys) / sizeof(entry_keys[0]); i++)
		if (!strcmp(kind, entry_keys[i][0]))
			return entry_keys[i][1];
	return NULL;
}

static const char *entry_path(json_t *e, const char *kind)
{
	const char *key = entry_key(kind);

	return key ? json_string_value(json_object_get(e, key)) : NULL;
}

static int undo_entry(json_t *e, const char *sysroot, const char *jpath, FILE *log)
{
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *old = json_string_value(json_object_get(e, "old"));
	const char *path = kind ? entry_path(e, kind) : NULL;
	bool remove = json_is_true(json_object_get(e, "remove"));
	char err[FL_ERRLEN];

	if (!kind || !strcmp(kind, "journal"))
		return 0;
	if (!entry_key(kind)) {
		fl_knobs_allowed(sysroot, kind, "", false, err, sizeof(err));
		fprintf(log, "  %s line %lld: %s\n", jpath,
			json_integer_value(json_object_get(e, "line")), err);
		return -1;
	}
	if (!path || (!strcmp(kind, "sysfs") && !old)) {
		fprintf(log, "  %s line %lld: a %s entry without its path or value; left alone\n",
			jpath, json_integer_value(json_object_get(e, "line")), kind);
		return -1;
	}
	if (fl_knobs_allowed(sysroot, kind, path, remove, err, sizeof(err))) {
		fprintf(log, "  %s line %lld: %s\n", jpath,
			json_integer_value(json_object_get(e, "line")), err);
		return -1;
	}
	if (!strcmp(kind, "sysfs"))
		return undo_sysfs(path, old, log);
	if (!strcmp(kind, "swap"))
		return undo_swap(path, remove, log);
	if (!strcmp(kind, "zram"))
		return undo_zram(path, log);
	if (!strcmp(kind, "trace_instance"))
		return undo_trace_instance(path, log);
	return undo_cgroup(path, log);
}

/* Parse the journal's lines. A last line cut short (the agent died while writing it) is
 * dropped: its change had not been made yet. */
static json_t *parse_lines(char *text, const char *path, FILE *log)
{
	json_t *arr = json_array();
	char *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *e = json_loads(line, 0, NULL);

		n++;
		if (!json_is_object(e)) {
			fprintf(log, "  %s line %d is not a JSON object (cut short?); skipped\n",
				path, n);
			json_decref(e);
			continue;
		}
		json_object_set_new(e, "line", json_integer(n));
		json_array_append_new(arr, e);
	}
	return arr;
}

long fl_knobs_journal_pid(const char *text)
{
	const char *p = strstr(text, "\"pid\":");

	return p ? strtol(p + 6, NULL, 10) : 0;
}

int fl_knobs_undo_text(char *text, const char *path, const char *sysroot, FILE *log)
{
	json_t *arr = parse_lines(text, path, log);
	int ret = 0;

	for (size_t i = json_array_size(arr); i-- > 0;)
		if (undo_entry(json_array_get(arr, i), sysroot, path, log))
			ret = -1;
	json_decref(arr);
	return ret;
}

int fl_knobs_entries(const char *text)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, "\"kind\":")); p++)
		if (strncmp(p + 7, "\"journal\"", 9) != 0)
			n++;
	return n;
}
