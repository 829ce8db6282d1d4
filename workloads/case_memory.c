// SPDX-License-Identifier: GPL-2.0
/* The memory-fit check every sized workload makes before allocating (issue 4: refuse a size
 * that does not fit in MemAvailable, plus free swap where the case swaps, unless --force). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "workload.h"

/* A "Name:   123 kB" line of /proc/meminfo in bytes; -1 if absent. */
static long long meminfo_bytes(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == ':')
			return strtoll(l + n + 1, NULL, 10) * 1024;
	return -1;
}

int fl_case_check_memory(struct fl_case *c, unsigned long long bytes, bool with_swap)
{
	char *text = fl_read_all("/proc/meminfo", 0, 0, NULL, NULL, 0);
	long long avail, swap = 0;

	if (!text)
		return 0;	/* no meminfo: nothing to check against */
	avail = meminfo_bytes(text, "MemAvailable");
	if (with_swap)
		swap = meminfo_bytes(text, "SwapFree");
	free(text);
	if (avail < 0 || c->force)
		return 0;
	if (swap < 0)
		swap = 0;
	if ((long long)bytes <= avail + swap)
		return 0;
	return fl_case_fail(c, "size %.1f MiB does not fit in MemAvailable %.1f MiB (+ free swap "
			    "%.1f MiB); use --force to run anyway", (double)bytes / 1048576,
			    (double)avail / 1048576, (double)swap / 1048576);
}
