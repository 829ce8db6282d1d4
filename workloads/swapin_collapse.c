// SPDX-License-Identifier: GPL-2.0
/*
 * swapin-collapse (seed 003, khugepaged swapin, Akagunduz): map SIZE with MADV_HUGEPAGE,
 * stamp every page, push it all out to swap (MADV_PAGEOUT or a memory cgroup limit), write it
 * again with a new generation of stamps by a pattern (all but one page in each 20, as the
 * published test), then let khugepaged swap in and collapse the range (max_ptes_swap) or
 * MADV_COLLAPSE it 2 MiB at a time. khugepaged is kept slow (pages_to_scan 8, a long scan sleep)
 * until the "before" snapshot, and only then told to scan fast, so it does not collapse behind
 * the writer. The collapse is timed from the huge_memory tracepoints (lib/collapse_trace.h).
 * Optional threads change the VMA or fault in the range while it is collapsed (the thread's
 * review: revalidate the VMA after retaking mmap_lock). Swap, THP and khugepaged settings go
 * through the knobs journal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_util.h"
#include "lib/collapse_trace.h"
#include "lib/knobs.h"
#include "lib/stamp.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "swapin_collapse.h"

static const struct fl_param sc_params[] = {
	{ "size", 's', FL_P_SIZE, "800M", 4 << 20, 1ull << 40, NULL,
	  "bytes to map, swap out and collapse (rounded up to the PMD size)" },
	{ "pattern", 'p', FL_P_ENUM, "skip-one-in-20", 0, 0, "skip-one-in-20|all|every-other|none",
	  "pages written again (a new generation of stamps) after swap-out: all but one in each "
	  "20 (the seed), all, every other, none" },
	{ "max_ptes_swap", 0, FL_P_INT, "-1", -1, 511, NULL,
	  "khugepaged max_ptes_swap (-1: leave the kernel's value)" },
	{ "mode", 'm', FL_P_ENUM, "khugepaged", 0, 0, "khugepaged|madvise-collapse",
	  "who collapses: khugepaged, or MADV_COLLAPSE 2 MiB at a time" },
	{ "swap", 0, FL_P_ENUM, "auto", 0, 0, "auto|file|zram",
	  "swap to use: auto (active swap with room, else zram, else a file), file (a swap file "
	  "in swap_dir, which must be on a block-backed filesystem: swap readahead runs), zram "
	  "(synchronous: swap readahead is skipped)" },
	{ "swap_dir", 0, FL_P_STRING, "/var/tmp", 0, 0, NULL, "directory of a swap file" },
	{ "pageout", 0, FL_P_ENUM, "madvise", 0, 0, "madvise|memcg",
	  "how to push pages out: MADV_PAGEOUT, or a memory cgroup limit while stamping (then "
	  "MADV_PAGEOUT of what stayed in). With an asynchronous swap device (swap=file) "
	  "MADV_PAGEOUT leaves the pages in the swap cache, so nothing is read back from swap: "
	  "use memcg to have them reclaimed and read back (with readahead)" },
	{ "memcg_limit", 0, FL_P_SIZE, "16M", 1 << 20, 1ull << 40, NULL,
	  "memory limit while stamping with pageout=memcg" },
	{ "timeout_s", 'T', FL_P_DOUBLE, "60", 0.1, 86400, NULL,
	  "longest wait for khugepaged to collapse the range" },
	{ "scan_sleep_ms", 0, FL_P_INT, "10", 0, 600000, NULL,
	  "khugepaged scan_sleep_millisecs and alloc_sleep_millisecs once the before snapshot "
	  "is taken (until then: pages_to_scan " SLOW_PAGES ", scan sleep " SLOW_SLEEP_MS " ms)" },
	{ "pages_to_scan", 0, FL_P_INT, "8192", 8, 1 << 22, NULL,
	  "khugepaged pages_to_scan once the before snapshot is taken" },
	{ "vma_thread", 0, FL_P_ENUM, "none", 0, 0, "none|mprotect|remap|mremap|all",
	  "a thread changing VMAs during the collapse: mprotect of one page of the range to "
	  "read-only and back, munmap+mmap of the neighbour PMD after the range, mremap "
	  "shrinking and growing that neighbour, or all three in turn" },
	{ "fault_thread", 0, FL_P_BOOL, "false", 0, 0, NULL,
	  "a thread reading random pages of the range during the collapse (faults in what is "
	  "still swapped out, racing khugepaged's swapin)" },
	FL_FAULT_LAT_PARAM,
	{ NULL },
};

static const struct fl_metric sc_metrics[] = {
	{ "time_to_collapse_s", "s", FL_BETTER_LOWER,
	  "khugepaged: fast scan asked -> last collapse of the range (tracepoint timestamps); "
	  "madvise-collapse: all MADV_COLLAPSE calls" },
	{ "collapse_ms_p50", "ms", FL_BETTER_LOWER,
	  "one PMD's collapse, median (khugepaged: from its tracepoints; madvise: one call)" },
	{ "collapse_ms_p99", "ms", FL_BETTER_LOWER, "one PMD's collapse, 99th percentile" },
	{ "collapse_poll_s", "s", FL_BETTER_LOWER,
	  "khugepaged: until the THP share stopped growing, polled every 100 ms (coarse)" },
	{ "thp_share_before", "%", FL_BETTER_NONE, "AnonHugePages of the range before collapse" },
	{ "thp_share_after", "%", FL_BETTER_HIGHER, "AnonHugePages of the range after" },
	{ "collapse_ms_per_2m", "ms", FL_BETTER_LOWER, "mean MADV_COLLAPSE time per PMD range" },
	{ "swapped_out_pct", "%", FL_BETTER_NONE, "share of the range in swap after pageout" },
	{ "pswpin", "pages", FL_BETTER_NONE, "pages read from swap in the measured phase" },
	{ "pswpout", "pages", FL_BETTER_NONE, "pages written to swap in the measured phase" },
	{ "swap_ra", "pages", FL_BETTER_NONE, "swap readahead pages in the measured phase" },
	{ "swap_ra_hit", "pages", FL_BETTER_NONE, "swap readahead pages used, measured phase" },
	{ "swapped_in_by_khugepaged", "pages", FL_BETTER_NONE,
	  "mm_collapse_huge_page_swapin swapped_in, summed over the range's PMDs" },
	{ "thp_collapse_alloc", "count", FL_BETTER_NONE, "huge pages allocated for collapse" },
	{ "thp_collapse_alloc_failed", "count", FL_BETTER_LOWER, "collapse allocations failed" },
	FL_FAULT_LAT_METRICS("a page the rewrite writes again: its swap-in fault (setup, before "
			     "the measured phase)"),
	{ NULL },
};

/* The collapse tracepoints: opened in setup so that a missing one is said once. */
static void open_trace(struct fl_case *c, struct sc *s)
{
	if (strcmp(fl_param_str(&c->params, "mode"), "khugepaged"))
		return;
	s->trace = fl_ctrace_open("swapin-collapse", FL_CT_ANON, c->knobs, s->trace_why,
				  sizeof(s->trace_why));
}

static int sc_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	bool memcg = !strcmp(fl_param_str(p, "pageout"), "memcg");
	struct sc *s = calloc(1, sizeof(*s));
	unsigned long long size = (unsigned long long)fl_param_int(p, "size");
	char err[FL_ERRLEN], v[64];
	int ret;

	if (!s)
		return fl_case_fail(c, "out of memory");
	c->priv = s;
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	s->pmd = 2u << 20;
	if (fl_knob_get(THP "/hpage_pmd_size", v, sizeof(v)) == 0 && atoll(v) > 0)
		s->pmd = (size_t)atoll(v);
	s->seed = fl_now_ns();
	s->drop = c->test.drop_rewrite;	/* --test-drop-rewrite=N: page N is not rewritten */
	if (geteuid() != 0)
		return fl_case_skip(c, "swapin-collapse needs root: it sets up swap and THP settings");
	if (fl_thp_require_present(c))
		return FL_WL_SKIP;
	if (fl_case_check_memory(c, size + size / 8, memcg))
		return FL_WL_FAIL;
	ret = sc_thp_settings(c);
	if (ret)
		return ret;
	ret = fl_swap_ensure(c->knobs, fl_param_str(p, "swap"), fl_param_str(p, "swap_dir"),
			     size, &s->swap, err, sizeof(err));
	if (ret)
		return ret > 0 ? fl_case_skip(c, "no swap for the case: %s", err)
			       : fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "swap", fl_swap_describe(&s->swap));
	if (sc_map_range(c, s) || sc_push_out(c, s) || sc_rewrite_timer(c, s))
		return c->status == FL_SKIPPED ? FL_WL_SKIP : FL_WL_FAIL;
	fl_mmsnap_take(&s->w0);
	ret = sc_stamp_pages(c, s, fl_param_str(p, "pattern"), true);
	fl_mmsnap_take(&s->w1);
	if (ret)
		return FL_WL_FAIL;
	sc_rewrite_latency(c, s);
	open_trace(c, s);
	return 0;
}

/* Every page: the rewritten ones carry the second generation, the others the first. */
static int sc_verify(struct fl_case *c)
{
	struct sc *s = c->priv;
	const char *pattern = fl_param_str(&c->params, "pattern");
	size_t npages = s->len / s->page;
	struct fl_stamp_report r;
	json_t *rep;
	bool stale;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < npages)
		s->base[(size_t)c->test.corrupt_page * s->page + 8] ^= 0x5a;
	fl_stamp_report_init(&r);
	for (size_t pg = 0; pg < npages; pg++)
		fl_stamp_verify(s->base + pg * s->page, 1, s->page, sc_seed_of(s, pattern, pg), pg,
				&r);
	rep = fl_stamp_report_json(&r, s->seed);
	json_object_set_new(rep, "generations", json_pack("{s:s, s:s}", "first", "every page, "
				"before swap-out (seed)", "second", "pages the pattern rewrites "
				"(seed ^ 0x9e3779b97f4a7c15)"));
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (!r.corrupt)
		return 0;
	stale = r.bad_found[0] == fl_stamp_word(s->seed, r.bad_page[0], r.bad_word[0]);
	return fl_case_fail(c, "%llu corrupt page(s) of %zu; first: page %llu (address offset "
			    "%#llx), word %llu%s", (unsigned long long)r.corrupt, npages,
			    (unsigned long long)r.bad_page[0],
			    (unsigned long long)r.bad_page[0] * s->page,
			    (unsigned long long)r.bad_word[0], stale ?
			    " (it holds the first generation: the rewrite was lost)" : "");
}

static void sc_teardown(struct fl_case *c)
{
	struct sc *s = c->priv;
	char err[FL_ERRLEN];

	if (!s)
		return;
	sc_threads_join(s);
	fl_ctrace_close(s->trace);
	if (s->base)
		munmap(s->base, s->len + s->pmd);
	if (s->memcg.dir[0] && fl_memcg_leave(&s->memcg, err, sizeof(err)))
		fprintf(stderr, "swapin-collapse: %s\n", err);
	fl_mmsnap_free(&s->s0);
	fl_mmsnap_free(&s->s1);
	fl_mmsnap_free(&s->w0);
	fl_mmsnap_free(&s->w1);
	free(s->rewrite_lat);
	free(s);
	c->priv = NULL;
}

const struct fl_workload fl_wl_swapin_collapse = {
	.name = "swapin-collapse",
	.summary = "swap a MADV_HUGEPAGE range out, rewrite most of it, collapse it back (seed 003)",
	.params = sc_params,
	.metrics = sc_metrics,
	.op_unit = "hugepage",
	.events = "huge_memory:*,tlb:tlb_flush,ipi:*",
	.setup = sc_setup,
	.run = sc_run,
	.verify = sc_verify,
	.teardown = sc_teardown,
};
