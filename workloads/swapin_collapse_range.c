// SPDX-License-Identifier: GPL-2.0
/* swapin-collapse's range: THP and khugepaged settings, the PMD-aligned mapping, its two
 * generations of stamps (the rewrite's first stores timed) and the push out to swap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_util.h"
#include "fl_interrupt.h"
#include "lib/hist.h"
#include "lib/knobs.h"
#include "lib/map_aligned.h"
#include "lib/stamp.h"
#include "lib/thp.h"
#include "swapin_collapse.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* AnonHugePages and Swap (bytes) of the VMAs inside [base, base + len). */
int sc_range_stats(const struct sc *s, unsigned long long *huge, unsigned long long *swap)
{
	uintptr_t lo = (uintptr_t)s->base, hi = lo + s->len, a, b;
	char line[512];
	bool in = false;
	unsigned long long kb;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	*huge = *swap = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && b <= hi;
		else if (in && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1)
			*huge += kb * 1024;
		else if (in && sscanf(line, "Swap: %llu kB", &kb) == 1)
			*swap += kb * 1024;
	}
	fclose(f);
	return 0;
}

double sc_share(const struct sc *s)
{
	unsigned long long huge, swap;

	if (sc_range_stats(s, &huge, &swap))
		return -1;
	return 100.0 * (double)huge / (double)s->len;
}

static int set_knob(struct fl_case *c, const char *file, const char *value)
{
	char err[FL_ERRLEN];

	if (fl_knob_set(c->knobs, file, value, err, sizeof(err)))
		return fl_case_fail(c, "%s", err);
	return 0;
}

static int set_knob_num(struct fl_case *c, const char *file, long long v)
{
	char val[32];

	snprintf(val, sizeof(val), "%lld", v);
	return set_knob(c, file, val);
}

/* THP on for MADV_HUGEPAGE ranges (before the range is mapped: MADV_HUGEPAGE registers the mm
 * with khugepaged only when THP is not "never"); max_ptes_swap as asked; khugepaged slow:
 * pages_to_scan first (writing it does not wake khugepaged), then the scan sleep (writing it
 * does: one pass of at most one PMD, before the range exists). */
int sc_thp_settings(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	bool khugepaged = !strcmp(fl_param_str(p, "mode"), "khugepaged");
	long long mps = fl_param_int(p, "max_ptes_swap");
	char v[64], pmdfile[128];
	int ret = 0;

	ret = fl_thp_require_present(c);
	if (ret || fl_knob_get(THP "/enabled", v, sizeof(v)))
		return ret ? ret : fl_case_skip(c, "cannot read %s", THP "/enabled");
	if (!strcmp(v, "never"))
		ret = set_knob(c, THP "/enabled", "madvise");
	snprintf(pmdfile, sizeof(pmdfile), THP "/hugepages-%zukB/enabled",
		 ((struct sc *)c->priv)->pmd >> 10);
	if (!ret && fl_knob_get(pmdfile, v, sizeof(v)) == 0 && !strcmp(v, "never"))
		ret = set_knob(c, pmdfile, "madvise");
	if (ret)
		return ret;
	if (khugepaged && access(KHP "/max_ptes_swap", F_OK))
		return fl_case_skip(c, "this kernel has no khugepaged max_ptes_swap (%s)",
				    KHP "/max_ptes_swap");
	if (khugepaged && mps >= 0)
		ret = set_knob_num(c, KHP "/max_ptes_swap", mps);
	if (!ret && access(KHP "/pages_to_scan", F_OK) == 0)
		ret = set_knob(c, KHP "/pages_to_scan", SLOW_PAGES);
	if (!ret && access(KHP "/scan_sleep_millisecs", F_OK) == 0)
		ret = set_knob(c, KHP "/scan_sleep_millisecs", SLOW_SLEEP_MS);
	return ret;
}

/* The range, PMD-aligned, and after it one PMD of neighbour (no MADV_HUGEPAGE, so it stays a
 * VMA of its own) for the vma thread. */
int sc_map_range(struct fl_case *c, struct sc *s)
{
	size_t len = (size_t)fl_param_int(&c->params, "size");

	s->len = (len + s->pmd - 1) & ~(s->pmd - 1);
	s->base = fl_map_aligned(s->len + s->pmd, s->pmd, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (!s->base)
		return fl_case_fail(c, "cannot map %zu MiB: %s", s->len >> 20, strerror(errno));
	s->nb = s->base + s->len;
	if (madvise(s->base, s->len, MADV_HUGEPAGE))
		return fl_case_skip(c, "MADV_HUGEPAGE is refused: %s", strerror(errno));
	return 0;
}

/* Is page pg written again by pattern (and so stamped with the second generation)? */
static bool rewritten(const char *pattern, size_t pg)
{
	if (!strcmp(pattern, "none"))
		return false;
	if (!strcmp(pattern, "skip-one-in-20"))
		return pg % 20 != 19;
	if (!strcmp(pattern, "every-other"))
		return pg % 2 == 0;
	return true;
}

uint64_t sc_seed_of(const struct sc *s, const char *pattern, size_t pg)
{
	return rewritten(pattern, pg) ? s->seed ^ GEN2 : s->seed;
}

/* Word 0 of page pg first, its store timed into s->rewrite_lat (the swap-in fault). */
static void rewrite_first_word(struct sc *s, size_t pg)
{
	uint64_t v = fl_stamp_word(s->seed ^ GEN2, pg, 0);
	struct fl_ftouch ft;

	fl_ftouch_init(&ft, &s->clk, s->rewrite_lat);
	fl_ftouch_start(&ft);
	*(volatile uint64_t *)(s->base + pg * s->page) = v;
	fl_ftouch_mark(&ft);
}

/* Stamp the range (gen 1) or rewrite the pages chosen by pattern (gen 2), a PMD at a time. */
int sc_stamp_pages(struct fl_case *c, struct sc *s, const char *pattern, bool rewrite)
{
	size_t npages = s->len / s->page, per_pmd = s->pmd / s->page;

	for (size_t pg = 0; pg < npages; pg++) {
		if (pg % per_pmd == 0 && fl_interrupted())
			return fl_case_fail(c, "interrupted while writing the range");
		if (!rewritten(pattern, pg) || (rewrite && (long)pg == s->drop))
			continue;
		if (rewrite && s->rewrite_lat)
			rewrite_first_word(s, pg);
		fl_stamp_fill_page(s->base + pg * s->page, s->page,
				   rewrite ? s->seed ^ GEN2 : s->seed, pg);
	}
	return 0;
}

/* The rewrite's timer: on unless fault_latency=false (setup, before the rewrite). */
int sc_rewrite_timer(struct fl_case *c, struct sc *s)
{
	if (!fl_param_bool(&c->params, "fault_latency"))
		return 0;
	s->rewrite_lat = malloc(sizeof(*s->rewrite_lat));
	if (!s->rewrite_lat)
		return fl_case_fail(c, "out of memory");
	fl_hist_init(s->rewrite_lat);
	fl_fclock_init(&s->clk);
	return 0;
}

void sc_rewrite_latency(struct fl_case *c, struct sc *s)
{
	if (!s->rewrite_lat) {
		fl_fault_latency_absent(c, "not timed: fault_latency=false");
		return;
	}
	fl_fault_latency_report(c, &s->clk, s->rewrite_lat, "the rewrite's first store to each "
				"page it writes again, swapped out before: a swap-in fault (setup, "
				"before the measured phase)");
}

int sc_push_out(struct fl_case *c, struct sc *s)
{
	bool memcg = !strcmp(fl_param_str(&c->params, "pageout"), "memcg");
	unsigned long long huge, swap;
	char err[FL_ERRLEN];
	int ret;

	if (memcg) {
		ret = fl_memcg_enter(c->knobs, &s->memcg, err, sizeof(err));
		if (ret == 0)
			ret = fl_memcg_limit(&s->memcg, (unsigned long long)
					     fl_param_int(&c->params, "memcg_limit"), err, sizeof(err));
		if (ret)
			return ret > 0 ? fl_case_skip(c, "pageout=memcg: %s", err)
				       : fl_case_fail(c, "pageout=memcg: %s", err);
	}
	if (sc_stamp_pages(c, s, "all", false))
		return FL_WL_FAIL;
	if (memcg && (fl_memcg_limit(&s->memcg, 0, err, sizeof(err)) ||
		      fl_memcg_leave(&s->memcg, err, sizeof(err))))
		return fl_case_fail(c, "pageout=memcg: %s", err);
	/* memcg: what stayed under the limit goes out too (the seed swapped out all of it). */
	for (size_t off = 0; off < s->len; off += s->pmd) {
		if (fl_interrupted())
			return fl_case_fail(c, "interrupted while paging out");
		if (madvise(s->base + off, s->pmd, MADV_PAGEOUT))
			return fl_case_skip(c, "MADV_PAGEOUT is refused: %s", strerror(errno));
	}
	if (sc_range_stats(s, &huge, &swap))
		return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
	fl_case_metric(c, "swapped_out_pct", 100.0 * (double)swap / (double)s->len);
	if (swap < s->len / 2)
		return fl_case_fail(c, "only %llu of %zu MiB went out to swap (%s)", swap >> 20,
				    s->len >> 20, s->swap.kind);
	return 0;
}

