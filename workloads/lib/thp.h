/* SPDX-License-Identifier: GPL-2.0 */
/* Transparent huge pages a workload needs: the PMD size, and the sysfs settings that must
 * allow them, changed (only when they do not) through the case's knob journal. */
#ifndef FL_THP_H
#define FL_THP_H

#include <stddef.h>
#include <stdint.h>
#include "workload.h"

#define FL_THP_SYSFS "/sys/kernel/mm/transparent_hugepage"

/* hpage_pmd_size (2 MiB on x86-64), 2 MiB if the file is missing. */
size_t fl_thp_pmd_size(void);
/* The selected word of FL_THP_SYSFS/rel ("madvise" of "always [madvise] never") in buf.
 * Returns 0, or -1 when the file is missing or has no selection. */
int fl_thp_get(const char *rel, char *buf, size_t len);
/* Set FL_THP_SYSFS/rel to value through c->knobs. Returns 0, FL_WL_SKIP (no journal or the
 * kernel refused, c->reason says) . */
int fl_thp_set(struct fl_case *c, const char *rel, const char *value);
/* 0 if the kernel offers THP (its sysfs directory); else the case is skipped with why: not
 * built in, or built in but turned off at boot because the machine cannot map PMD-size pages. */
int fl_thp_require_present(struct fl_case *c);
/* Anonymous THP for MADV_HUGEPAGE mappings: enabled (and the PMD size's own enabled) must not
 * be never, defrag not never; what is never becomes madvise. Skips when the kernel has no
 * THP. Returns 0, FL_WL_SKIP. */
int fl_thp_require_anon(struct fl_case *c);
/* khugepaged's scan settings as they are: {"pages_to_scan", "scan_sleep_millisecs"} ("?" when
 * unreadable), recorded beside a "before" snapshot. */
json_t *fl_thp_khugepaged_now(void);
/* After a "before" snapshot: khugepaged scans pages per pass and sleeps sleep_ms (also between
 * allocation failures), through c->knobs. The scan sleep goes last, because writing it wakes
 * khugepaged: *t0 (CLOCK_MONOTONIC ns) is taken just before. 0, or FL_WL_SKIP. */
int fl_thp_khugepaged_fast(struct fl_case *c, long long pages, long long sleep_ms,
			   uint64_t *t0);

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* 6.1+; older headers lack it */
#endif

/* MADV_COLLAPSE of [addr, addr + len), tried again 1 ms later while it answers EAGAIN (a page
 * with an extra reference, e.g. a GUP-fast walker's pin: madvise(2) calls it temporary), at
 * most tries times in all. 0, or -1 with errno; *eagain (may be NULL) counts the EAGAINs. */
int fl_thp_collapse(void *addr, size_t len, int tries, uint64_t *eagain);
/* The tries every MADV_COLLAPSE of a workload gets: 10, so a walker's pin (held for one
 * vmsplice of 16 pages) cannot fail a collapse, and a page that stays pinned costs 9 ms. */
#define FL_THP_COLLAPSE_TRIES 10

#endif
