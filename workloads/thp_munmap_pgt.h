/* SPDX-License-Identifier: GPL-2.0 */
/*
 * thp-munmap (seed 000): does a munmap of the range free page tables? After the unmap of a
 * VMA, free_pgtables() (mm/memory.c free_pmd_range) frees the PMD table of a PUD entry only
 * when the whole PUD entry lies between the previous VMA's end (floor) and the next VMA's
 * start (ceiling); the PTE table of each PMD of the range (a THP's deposited table, or a real
 * one) goes in any case. Freed PMD tables make x86's final TLB flush IPI every CPU of the mm,
 * lazy ones included (arch/x86/mm/tlb.c: info->freed_tables). Pure functions: the layout
 * predicts, /proc/self/status (VmPTE, the mm's page-table bytes) measures. No I/O.
 */
#ifndef FL_THP_MUNMAP_PGT_H
#define FL_THP_MUNMAP_PGT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The span of one PUD entry (the area one PMD table maps) on this arch: hpage times the
 * entries of a PMD table (x86_64, arm64 4K: 1 GiB; powerpc radix 1 GiB, hash 64K 16 GiB;
 * s390x 2 GiB). */
size_t thpm_pud_size(size_t page, size_t hpage);

/* From /proc/self/maps text: the end of the last VMA below [s, e) (0: none) and the start of
 * the first one above it (0: none, the top). VMAs overlapping [s, e) and [vsyscall] (not in
 * the mm's VMA tree) are skipped. Returns 0, or -1 if no line parsed. */
int thpm_maps_gap(const char *maps, uintptr_t s, uintptr_t e, uintptr_t *floor,
		  uintptr_t *ceiling);

/* PMD tables an unmap of [s, e) frees: PUD entries meeting [s, e) that lie whole within
 * [floor, ceiling) (ceiling 0: the top of the address space). */
long thpm_pmd_tables_freeable(uintptr_t s, uintptr_t e, uintptr_t floor, uintptr_t ceiling,
			      size_t pud);

/* VmPTE of /proc/PID/status text in kB, or -1. */
long long thpm_vmpte_kb(const char *status);

struct thpm_pgt {
	size_t page, hpage, pud, size;	/* the range's size */
	long long vmpte_kb0, vmpte_kb1;	/* around the operation; -1: not read */
	long predicted;			/* PMD tables the layout lets munmap free; -1: unknown */
	uintptr_t floor, ceiling;
};

/*
 * detail.page_tables of a munmap: VmPTE before and after, the PTE tables of the range's PMDs
 * (one per PMD, size/hpage of them, PTRS_PER_PTE = hpage/page entries of 8 bytes), the rest
 * of the drop in PMD tables (PTRS_PER_PMD = pud/hpage entries of 8 bytes) and the layout's
 * prediction. *pmd_tables: the measured PMD tables freed (a page table another thread of
 * the mm allocated meanwhile counts -1); with no VmPTE, {"status", "reason"} and -1.
 */
json_t *thpm_pgt_json(const struct thpm_pgt *p, double *pmd_tables);

#endif
