/* SPDX-License-Identifier: GPL-2.0 */
/* How much of an address range is mapped, and how much of it by PMD (huge) mappings: the sum
 * of /proc/self/smaps fields over the VMAs inside the range. */
#ifndef FL_SMAPS_H
#define FL_SMAPS_H

#include <stddef.h>
#include <stdint.h>

struct fl_smaps {
	int vmas;			/* VMAs inside the range */
	uint64_t rss_kb;
	uint64_t anon_huge_kb;		/* AnonHugePages */
	uint64_t shmem_pmd_kb;		/* ShmemPmdMapped */
	uint64_t file_pmd_kb;		/* FilePmdMapped */
};

/* Parse smaps text and sum the VMAs that lie inside [start, end). Returns 0 or -1. */
int fl_smaps_parse(const char *text, uintptr_t start, uintptr_t end, struct fl_smaps *s);
/* The same for this process (/proc/self/smaps). Returns 0, or -1 with errno. */
int fl_smaps_range(const void *start, size_t len, struct fl_smaps *s);
/* Percentage of Rss mapped by PMDs (anon + shmem + file); -1 when nothing is resident. */
double fl_smaps_huge_pct(const struct fl_smaps *s);

#endif
