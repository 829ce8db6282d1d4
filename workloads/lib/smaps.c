// SPDX-License-Identifier: GPL-2.0
/* Sums of /proc/self/smaps fields over the VMAs inside an address range. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "smaps.h"

/* "start-end perms ..." opens a VMA block; field lines are "Name:   value kB". */
static int vma_header(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	unsigned long a, b;
	char dash;

	if (sscanf(line, "%lx%c%lx ", &a, &dash, &b) != 3 || dash != '-')
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

static void add_field(const char *line, struct fl_smaps *s)
{
	static const struct { const char *name; size_t off; } fields[] = {
		{ "Rss:", offsetof(struct fl_smaps, rss_kb) },
		{ "AnonHugePages:", offsetof(struct fl_smaps, anon_huge_kb) },
		{ "ShmemPmdMapped:", offsetof(struct fl_smaps, shmem_pmd_kb) },
		{ "FilePmdMapped:", offsetof(struct fl_smaps, file_pmd_kb) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t n = strlen(fields[i].name);

		if (strncmp(line, fields[i].name, n) == 0) {
			*(uint64_t *)((char *)s + fields[i].off) += strtoull(line + n, NULL, 10);
			return;
		}
	}
}

int fl_smaps_parse(const char *text, uintptr_t start, uintptr_t end, struct fl_smaps *s)
{
	bool inside = false;
	const char *line = text;

	memset(s, 0, sizeof(*s));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		uintptr_t lo, hi;

		if (!vma_header(line, &lo, &hi)) {
			inside = lo >= start && hi <= end;
			s->vmas += inside;
		} else if (inside) {
			add_field(line, s);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int fl_smaps_range(const void *start, size_t len, struct fl_smaps *s)
{
	char *text = fl_read_all("/proc/self/smaps", 0, 0, NULL, NULL, 0);
	int ret;

	if (!text)
		return -1;
	ret = fl_smaps_parse(text, (uintptr_t)start, (uintptr_t)start + len, s);
	free(text);
	return ret;
}

double fl_smaps_huge_pct(const struct fl_smaps *s)
{
	if (!s->rss_kb)
		return -1;
	return 100.0 * (double)(s->anon_huge_kb + s->shmem_pmd_kb + s->file_pmd_kb) /
	       (double)s->rss_kb;
}
