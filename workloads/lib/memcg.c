// SPDX-License-Identifier: GPL-2.0
/* A memory cgroup of the case's own (lib/memcg.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fl_util.h"
#include "knobs_internal.h"
#include "memcg.h"

/* This process's cgroup path in the v1 memory hierarchy or the v2 one ("" if none). */
static int own_path(const char *controller, char *out, size_t len)
{
	char line[PATH_MAX + 64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = -1;

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;

		if (!b)
			continue;
		*b = '\0';
		b[strcspn(b + 1, "\n") + 1] = '\0';
		if (!strcmp(a + 1, controller)) {
			snprintf(out, len, "%s", strcmp(b + 1, "/") ? b + 1 : "");
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

static int find_hierarchy(struct fl_memcg *m, char *base, size_t len)
{
	char text[256], path[PATH_MAX];
	static const char *const v2[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", v2[i]);
		if (fl_read_value(path, text, sizeof(text)) == 0 && strstr(text, "memory")) {
			snprintf(base, len, "%s", v2[i]);
			m->version = 2;
			m->limit_file = "memory.max";
			return 0;
		}
	}
	if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0 &&
	    own_path("memory", path, sizeof(path)) == 0) {
		if ((size_t)snprintf(base, len, "/sys/fs/cgroup/memory%s", path) >= len)
			return -1;
		snprintf(m->home, sizeof(m->home), "%s", base);
		m->version = 1;
		m->limit_file = "memory.limit_in_bytes";
		return 0;
	}
	return -1;
}

static int move_to(const char *dir, char *err, size_t errlen)
{
	char file[PATH_MAX + 16], pid[16];

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (fl_knobs_write_value(file, pid))
		return fl_seterr(err, errlen, "cannot move this process into %s: %s", dir,
				 strerror(errno));
	return 0;
}

int fl_memcg_enter(struct fl_knobs *k, struct fl_memcg *m, char *err, size_t errlen)
{
	char base[PATH_MAX], path[PATH_MAX];

	memset(m, 0, sizeof(*m));
	if (find_hierarchy(m, base, sizeof(base))) {
		fl_seterr(err, errlen, "no memory cgroup controller (v2 with memory in "
			  "cgroup.subtree_control of the root, or v1 /sys/fs/cgroup/memory)");
		return 1;
	}
	if (m->version == 2) {
		if (own_path("", path, sizeof(path)))
			path[0] = '\0';
		if ((size_t)snprintf(m->home, sizeof(m->home), "%s%s", base, path) >= sizeof(m->home))
			return fl_seterr(err, errlen, "cgroup path too long: %s", path);
	}
	if ((size_t)snprintf(m->dir, sizeof(m->dir), "%s/faultline-%d", base, (int)getpid()) >=
	    sizeof(m->dir))
		return fl_seterr(err, errlen, "cgroup path too long: %s", base);
	if (fl_knob_cgroup_added(k, m->dir, err, errlen))
		return -1;
	if (mkdir(m->dir, 0755))
		return fl_seterr(err, errlen, "cannot make the cgroup %s: %s", m->dir,
				 strerror(errno));
	return move_to(m->dir, err, errlen);
}

int fl_memcg_limit(struct fl_memcg *m, unsigned long long bytes, char *err, size_t errlen)
{
	char file[PATH_MAX + 32], val[32];

	snprintf(file, sizeof(file), "%s/%s", m->dir, m->limit_file);
	if (bytes)
		snprintf(val, sizeof(val), "%llu", bytes);
	else
		snprintf(val, sizeof(val), "%s", m->version == 2 ? "max" : "-1");
	for (int tries = 0; tries < 100; tries++) {
		if (fl_knobs_write_value(file, val) == 0)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(50000);	/* v1: pages still under writeback; reclaim again */
	}
	return fl_seterr(err, errlen, "cannot write %s to %s: %s", val, file, strerror(errno));
}

int fl_memcg_leave(struct fl_memcg *m, char *err, size_t errlen)
{
	return m->dir[0] ? move_to(m->home, err, errlen) : 0;
}
