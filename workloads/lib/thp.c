// SPDX-License-Identifier: GPL-2.0
/* THP sysfs: read the settings, change what must change through the knob journal. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "fl_util.h"
#include "knobs.h"
#include "probes/procparse.h"
#include "thp.h"
#include "timing.h"

size_t fl_thp_pmd_size(void)
{
	char *text = fl_read_all(FL_THP_SYSFS "/hpage_pmd_size", 0, 0, NULL, NULL, 0);
	unsigned long long v = text ? strtoull(text, NULL, 10) : 0;

	free(text);
	return v ? (size_t)v : 2u << 20;
}

int fl_thp_get(const char *rel, char *buf, size_t len)
{
	char path[256], *text;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", FL_THP_SYSFS, rel);
	text = fl_read_all(path, 0, 0, NULL, NULL, 0);
	if (!text)
		return -1;
	ret = fl_sysfs_selected(text, buf, len);
	free(text);
	return ret;
}

int fl_thp_set(struct fl_case *c, const char *rel, const char *value)
{
	char path[256], err[256];

	snprintf(path, sizeof(path), "%s/%s", FL_THP_SYSFS, rel);
	if (!c->knobs)
		return fl_case_skip(c, "%s must be set to %s, and this case has no knob journal "
				    "to restore it", path, value);
	if (fl_knob_set(c->knobs, path, value, err, sizeof(err)))
		return fl_case_skip(c, "%s", err);
	return 0;
}

/* Set rel to value when it currently says never. */
static int not_never(struct fl_case *c, const char *rel, const char *value)
{
	char cur[32];

	if (fl_thp_get(rel, cur, sizeof(cur)) || strcmp(cur, "never"))
		return 0;
	return fl_thp_set(c, rel, value);
}

/* The powerpc hash MMU with 4K base pages: a PMD maps 2M there and hash's large page is 16M. */
static bool hash_mmu_4k(void)
{
	char *cpuinfo;
	bool hash;

	if (sysconf(_SC_PAGESIZE) != 4096)
		return false;
	cpuinfo = fl_read_all("/proc/cpuinfo", 0, 0, NULL, NULL, 0);
	hash = cpuinfo && strstr(cpuinfo, "\nMMU\t\t: Hash\n");
	free(cpuinfo);
	return hash;
}

int fl_thp_require_present(struct fl_case *c)
{
	char *meminfo;
	bool built;

	if (access(FL_THP_SYSFS "/enabled", F_OK) == 0)
		return 0;
	/* /proc/meminfo prints AnonHugePages whenever THP is built in; the sysfs directory
	 * exists only when the machine can map PMD-size pages (has_transparent_hugepage()). */
	meminfo = fl_read_all("/proc/meminfo", 0, 0, NULL, NULL, 0);
	built = meminfo && strstr(meminfo, "\nAnonHugePages:");
	free(meminfo);
	if (built && hash_mmu_4k())
		return fl_case_skip(c, "transparent hugepages are built in but off: this kernel "
				    "runs the powerpc hash MMU with 4K pages, where a PMD maps 2M and "
				    "the hash MMU's large page is 16M (%s is missing; THP under hash "
				    "needs CONFIG_PPC_64K_PAGES)", FL_THP_SYSFS);
	if (built)
		return fl_case_skip(c, "transparent hugepages are built in but off: this machine "
				    "cannot map PMD-size pages (%s is missing; e.g. s390 without "
				    "EDAT-1 under QEMU TCG, powerpc hash MMU without 16M pages)",
				    FL_THP_SYSFS);
	return fl_case_skip(c, "this kernel is built without transparent hugepages "
			    "(CONFIG_TRANSPARENT_HUGEPAGE; %s is missing)", FL_THP_SYSFS);
}

int fl_thp_require_anon(struct fl_case *c)
{
	char rel[64];
	int ret;

	ret = fl_thp_require_present(c);
	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "hugepages-%zukB/enabled", fl_thp_pmd_size() >> 10);
	ret = not_never(c, "enabled", "madvise");
	if (!ret)
		ret = not_never(c, rel, "madvise");
	if (!ret)
		ret = not_never(c, "defrag", "madvise");
	return ret;
}

json_t *fl_thp_khugepaged_now(void)
{
	char pages[32] = "?", sleep_ms[32] = "?";

	fl_knob_get(FL_THP_SYSFS "/khugepaged/pages_to_scan", pages, sizeof(pages));
	fl_knob_get(FL_THP_SYSFS "/khugepaged/scan_sleep_millisecs", sleep_ms, sizeof(sleep_ms));
	return json_pack("{s:s, s:s}", "pages_to_scan", pages, "scan_sleep_millisecs", sleep_ms);
}

int fl_thp_khugepaged_fast(struct fl_case *c, long long pages, long long sleep_ms,
			   uint64_t *t0)
{
	char p[32], ms[32];
	int ret;

	snprintf(p, sizeof(p), "%lld", pages);
	snprintf(ms, sizeof(ms), "%lld", sleep_ms);
	ret = fl_thp_set(c, "khugepaged/pages_to_scan", p);
	if (!ret)
		ret = fl_thp_set(c, "khugepaged/alloc_sleep_millisecs", ms);
	*t0 = fl_now_ns();
	if (!ret)
		ret = fl_thp_set(c, "khugepaged/scan_sleep_millisecs", ms);
	return ret;
}

int fl_thp_collapse(void *addr, size_t len, int tries, uint64_t *eagain)
{
	int ret = -1;

	for (int i = 0; i < tries && ret; i++) {
		if (i)
			usleep(1000);
		ret = madvise(addr, len, MADV_COLLAPSE);
		if (!ret || errno != EAGAIN)
			break;
		if (eagain)
			(*eagain)++;
	}
	return ret;
}
