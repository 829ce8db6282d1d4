// SPDX-License-Identifier: GPL-2.0
/* thp-munmap: whether a munmap frees page tables, predicted from the layout and measured. */
#include <stdlib.h>
#include <string.h>
#include "thp_munmap_pgt.h"

size_t thpm_pud_size(size_t page, size_t hpage)
{
#if defined(__powerpc64__)
	(void)page;
	return hpage * (hpage == 16u << 20 ? 1024 : 512);	/* hash 64K : radix */
#elif defined(__s390x__)
	(void)page;
	return hpage * 2048;
#else
	return hpage * (page / 8);	/* one page of 8-byte entries */
#endif
}

/* One "start-end ..." line of /proc/PID/maps; 0 when it parsed. */
static int maps_line(const char *line, uintptr_t *start, uintptr_t *end)
{
	char *p;
	unsigned long long a, b;

	a = strtoull(line, &p, 16);
	if (p == line || *p != '-')
		return -1;
	line = p + 1;
	b = strtoull(line, &p, 16);
	if (p == line || *p != ' ' || b <= a)
		return -1;
	*start = (uintptr_t)a;
	*end = (uintptr_t)b;
	return 0;
}

int thpm_maps_gap(const char *maps, uintptr_t s, uintptr_t e, uintptr_t *floor,
		  uintptr_t *ceiling)
{
	const char *line = maps;
	int parsed = 0;

	*floor = 0;
	*ceiling = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		uintptr_t a, b;

		if (!maps_line(line, &a, &b)) {
			parsed++;
			if (!memmem(line, len, "[vsyscall]", 10)) {
				if (b <= s && b > *floor)
					*floor = b;
				if (a >= e && (!*ceiling || a < *ceiling))
					*ceiling = a;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return parsed ? 0 : -1;
}

long thpm_pmd_tables_freeable(uintptr_t s, uintptr_t e, uintptr_t floor, uintptr_t ceiling,
			      size_t pud)
{
	long n = 0;

	if (!pud || e <= s)
		return 0;
	for (uintptr_t p = s & ~(uintptr_t)(pud - 1); p < e; p += pud) {
		uintptr_t pe = p + pud;

		if (p >= floor && (!ceiling || (pe && pe <= ceiling)))
			n++;
		if (!pe)
			break;
	}
	return n;
}

long long thpm_vmpte_kb(const char *status)
{
	static const char key[] = "\nVmPTE:";
	const char *p = status ? strstr(status, key) : NULL;
	char *end;
	long long v;

	if (!p)
		return -1;
	p += sizeof(key) - 1;
	v = strtoll(p, &end, 10);
	if (end == p || v < 0 || strncmp(end, " kB", 3))
		return -1;
	return v;
}

json_t *thpm_pgt_json(const struct thpm_pgt *p, double *pmd_tables)
{
	long long pte_bytes = (long long)(p->hpage / p->page) * 8;
	long long pmd_bytes = (long long)(p->pud / p->hpage) * 8;
	long long npmd = (long long)(p->size / p->hpage), freed, rest;
	json_t *o = json_object();

	*pmd_tables = -1;
	json_object_set_new(o, "pud_bytes", json_integer((json_int_t)p->pud));
	json_object_set_new(o, "pmd_table_bytes", json_integer(pmd_bytes));
	json_object_set_new(o, "pte_table_bytes", json_integer(pte_bytes));
	if (p->predicted >= 0)
		json_object_set_new(o, "predicted_pmd_tables", json_integer(p->predicted));
	json_object_set_new(o, "floor", json_integer((json_int_t)p->floor));
	json_object_set_new(o, "ceiling", json_integer((json_int_t)p->ceiling));
	if (p->vmpte_kb0 < 0 || p->vmpte_kb1 < 0) {
		json_object_set_new(o, "status", json_string("absent"));
		json_object_set_new(o, "reason", json_string(
			"/proc/self/status has no VmPTE line (the mm's page-table bytes)"));
		return o;
	}
	freed = (p->vmpte_kb0 - p->vmpte_kb1) * 1024;
	rest = freed - npmd * pte_bytes;
	*pmd_tables = (double)rest / (double)pmd_bytes;
	json_object_set_new(o, "vmpte_kb_before", json_integer(p->vmpte_kb0));
	json_object_set_new(o, "vmpte_kb_after", json_integer(p->vmpte_kb1));
	json_object_set_new(o, "freed_kb", json_integer(freed / 1024));
	json_object_set_new(o, "pte_tables_kb", json_integer(npmd * pte_bytes / 1024));
	json_object_set_new(o, "pmd_tables_freed", json_real(*pmd_tables));
	json_object_set_new(o, "freed_pmd_tables", json_boolean(*pmd_tables >= 1));
	return o;
}
