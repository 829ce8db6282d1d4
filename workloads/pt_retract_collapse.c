// SPDX-License-Identifier: GPL-2.0
/*
 * pt-retract's two collapse contexts (pt_retract.h), as selftests/mm/khugepaged.c crosses its
 * tests with them: MADV_COLLAPSE per PMD, each timed (lib/thp.h fl_thp_collapse, its EAGAIN
 * tries counted); or khugepaged, kept slow while a round's file is made and its "before" is
 * measured, then told to scan fast, with each PMD's collapse timed from the huge_memory
 * tracepoints (lib/collapse_trace.h). The khugepaged settings go through the knobs journal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "fl_interrupt.h"
#include "fl_json.h"
#include "lib/collapse_trace.h"
#include "lib/knobs.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "pt_retract.h"

#define POLL_NS (20 * 1000000ull)

/* khugepaged: shmem huge pages allowed for MADV_HUGEPAGE mappings; a slow scan until a round's
 * before snapshot (pages_to_scan first: writing it does not wake khugepaged; writing the scan
 * sleep does, for one pass of at most one PMD). */
int ptr_khugepaged_slow(struct fl_case *c)
{
	int ret = fl_thp_set(c, "khugepaged/pages_to_scan", "8");

	return ret ? ret : fl_thp_set(c, "khugepaged/scan_sleep_millisecs", "600000");
}

int ptr_khugepaged_knobs(struct fl_case *c, struct ptr *t)
{
	char cur[32];
	int ret = fl_thp_require_anon(c);

	if (ret)
		return ret;
	if (t->target == TARGET_SHMEM && !fl_thp_get("shmem_enabled", cur, sizeof(cur)) &&
	    (!strcmp(cur, "never") || !strcmp(cur, "deny")))
		ret = fl_thp_set(c, "shmem_enabled", "advise");
	return ret ? ret : ptr_khugepaged_slow(c);
}

/* khugepaged scans only mms registered with it. On 6.18 MADV_HUGEPAGE on a shmem mapping
 * does not register the mm (measured: no mm_khugepaged_scan_file event in 8 s), a faulted
 * anonymous MADV_HUGEPAGE mapping does: keep one for the case. */
int ptr_khugepaged_register(struct fl_case *c, struct ptr *t)
{
	size_t len = 2 * t->hpage;

	t->anchor = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->anchor == MAP_FAILED) {
		t->anchor = NULL;
		return fl_case_fail(c, "cannot map the khugepaged registration range: %s",
				    strerror(errno));
	}
	if (madvise(t->anchor, len, MADV_HUGEPAGE))
		return fl_case_skip(c, "madvise(MADV_HUGEPAGE) failed: %s", strerror(errno));
	memset(t->anchor, 1, len);
	json_object_set_new(c->extra, "khugepaged_registration",
			    json_string("a faulted anonymous MADV_HUGEPAGE mapping of 2 PMDs"));
	return 0;
}

/* MADV_COLLAPSE: each PMD of the mapping on its own, timed with its EAGAIN tries. */
int ptr_collapse_madvise(struct fl_case *c, struct ptr *t)
{
	for (size_t i = 0; i < t->npmd && !fl_interrupted(); i++) {
		char *a = t->cur.map + i * t->hpage;
		uint64_t t0 = fl_now_ns();

		if (fl_thp_collapse(a, t->hpage, FL_THP_COLLAPSE_TRIES, &t->eagain)) {
			t->collapse_fail++;
			continue;
		}
		fl_hist_record(&t->collapse, fl_now_ns() - t0);
		t->collapses++;
	}
	return 0;
}

/* khugepaged: wait until every PMD of the mapping is huge, or the timeout. */
int ptr_collapse_khugepaged(struct fl_case *c, struct ptr *t)
{
	uint64_t t0 = fl_now_ns(), end = t0 + (uint64_t)(t->timeout_s * 1e9), kb = 0, rss;

	while (!fl_interrupted()) {
		if (ptr_pmd_mapped(t, &kb, &rss))
			return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
		if (kb * 1024 >= t->size || fl_now_ns() >= end)
			break;
		fl_sleep_until_ns(fl_now_ns() + POLL_NS);
	}
	t->collapses += kb * 1024 / t->hpage;
	t->collapse_fail += t->npmd - kb * 1024 / t->hpage;
	return 0;
}

void ptr_trace_start(struct fl_case *c, struct ptr *t)
{
	if (!t->khugepaged)
		return;
	if (t->trace && fl_ctrace_start(t->trace, t->trace_why, sizeof(t->trace_why))) {
		fl_ctrace_close(t->trace);
		t->trace = NULL;
	}
	if (!t->trace)
		json_object_set_new(c->extra, "collapse_trace",
				    fl_json_missing("unsupported", t->trace_why));
}

/* khugepaged's collapses from the tracepoints: per-PMD latency, scan results by name. */
void ptr_trace_report(struct fl_case *c, struct ptr *t)
{
	const struct fl_ct_an *a;

	if (!t->trace)
		return;
	json_object_set_new(c->extra, "collapse_trace", fl_ctrace_report(t->trace, &a));
	if (a)
		fl_hist_merge(&t->collapse, &a->collapse);
}
