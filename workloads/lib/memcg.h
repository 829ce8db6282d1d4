/* SPDX-License-Identifier: GPL-2.0 */
/* A memory cgroup of this process's own, to push its pages out to swap with a limit:
 * cgroup v2 (memory.max) or v1 (memory.limit_in_bytes), made through the knobs journal. */
#ifndef FL_MEMCG_H
#define FL_MEMCG_H

#include <limits.h>
#include <stddef.h>
#include "knobs.h"

struct fl_memcg {
	char dir[PATH_MAX];		/* the cgroup made */
	char home[PATH_MAX];		/* the cgroup this process came from */
	const char *limit_file;		/* memory.max or memory.limit_in_bytes */
	int version;			/* 1 or 2 */
};

/* Make the cgroup and move this process into it. 0; 1 when this kernel or machine cannot
 * (err says why); -1 on error. */
int fl_memcg_enter(struct fl_knobs *k, struct fl_memcg *m, char *err, size_t errlen);
/* Set the limit (bytes; 0 = no limit). Retries while the kernel is still reclaiming. */
int fl_memcg_limit(struct fl_memcg *m, unsigned long long bytes, char *err, size_t errlen);
/* Move this process back home (the journal removes the cgroup). */
int fl_memcg_leave(struct fl_memcg *m, char *err, size_t errlen);

#endif
