// SPDX-License-Identifier: GPL-2.0
/* tracefs: where the events directory is, and a tracepoint's id. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "probes/tracefs.h"
#include "fl_util.h"

#define TRACEFS_MOUNTPOINT	"/sys/kernel/tracing"

static const char *const events_dirs[] = {
	TRACEFS_MOUNTPOINT "/events",
	"/sys/kernel/debug/tracing/events",
};

const char *fl_tracefs_events_dir(char *why, size_t len)
{
	bool denied = false;
	size_t i;

	for (i = 0; i < sizeof(events_dirs) / sizeof(events_dirs[0]); i++) {
		if (access(events_dirs[i], F_OK) == 0)
			return events_dirs[i];
		denied |= errno == EACCES;
	}
	if (!denied && mount("nodev", TRACEFS_MOUNTPOINT, "tracefs", 0, NULL) == 0 &&
	    access(events_dirs[0], F_OK) == 0)
		return events_dirs[0];
	if (denied || errno == EPERM || errno == EACCES)
		snprintf(why, len, "needs root (or CAP_PERFMON with perf_event_paranoid <= 0): "
			 "tracefs is not readable or mountable by this user");
	else
		snprintf(why, len, "tracefs is not mounted and mounting it on %s failed: %s",
			 TRACEFS_MOUNTPOINT, strerror(errno));
	return NULL;
}

int fl_tracefs_event_id(const char *dir, const char *sys, const char *ev, unsigned long long *id)
{
	char path[PATH_MAX], buf[32], *end;

	if (snprintf(path, sizeof(path), "%s/%s/%s/id", dir, sys, ev) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (fl_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*id = strtoull(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
