// SPDX-License-Identifier: GPL-2.0
/* Undoing a knobs journal: parse its JSON lines, undo each entry in reverse order. Every
 * undo is idempotent (a value already back, a swap area already off, a directory already
 * gone count as restored), so a journal can be replayed after a crash at any point. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>
#include "fl_util.h"
#include "knobs_internal.h"

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

/* Is path (or what it resolves to) listed in /proc/swaps? */
static bool swap_active(const char *path)
{
	char line[4096], real[PATH_MAX], name[4096];
	bool found = false;
	FILE *f;

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	f = fopen("/proc/swaps", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%4095s", name) == 1 && (!strcmp(name, real) || !strcmp(name, path)))
			found = true;
	fclose(f);
	return found;
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
	if (!remove_file)
		return 0;
	if (unlink(path) == 0)
		fprintf(log, "  removed swap file %s\n", path);
	else if (errno != ENOENT) {
		fprintf(log, "  could not remove swap file %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
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

static int undo_cgroup(const char *dir, FILE *log)
{
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

static int undo_entry(json_t *e, FILE *log)
{
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *file = json_string_value(json_object_get(e, "file"));
	const char *old = json_string_value(json_object_get(e, "old"));
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *dev = json_string_value(json_object_get(e, "dev"));
	const char *dir = json_string_value(json_object_get(e, "dir"));

	if (!kind || !strcmp(kind, "journal"))
		return 0;
	if (!strcmp(kind, "sysfs") && file && old)
		return undo_sysfs(file, old, log);
	if (!strcmp(kind, "swap") && path)
		return undo_swap(path, json_is_true(json_object_get(e, "remove")), log);
	if (!strcmp(kind, "zram") && dev)
		return undo_zram(dev, log);
	if (!strcmp(kind, "cgroup") && dir)
		return undo_cgroup(dir, log);
	fprintf(log, "  journal entry of unknown kind '%s' left alone\n", kind);
	return -1;
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
		if (!e) {
			fprintf(log, "  %s line %d is not JSON (cut short?); skipped\n", path, n);
			continue;
		}
		json_array_append_new(arr, e);
	}
	return arr;
}

long fl_knobs_journal_pid(const char *text)
{
	const char *p = strstr(text, "\"pid\":");

	return p ? strtol(p + 6, NULL, 10) : 0;
}

int fl_knobs_undo_text(char *text, const char *path, FILE *log)
{
	json_t *arr = parse_lines(text, path, log);
	int ret = 0;

	for (size_t i = json_array_size(arr); i-- > 0;)
		if (undo_entry(json_array_get(arr, i), log))
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
