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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "fl_interrupt.h"
#include "lib/collapse_trace.h"
#include "lib/fault_timer.h"
#include "lib/hist.h"
#include "lib/knobs.h"
#include "lib/memcg.h"
#include "lib/mmstat.h"
#include "lib/rng.h"
#include "lib/stamp.h"
#include "lib/swapdev.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "workload.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define THP "/sys/kernel/mm/transparent_hugepage"
#define KHP THP "/khugepaged"
#define POLL_NS 100000000ull
#define GEN2 0x9e3779b97f4a7c15ull	/* the rewrite's stamps: seed ^ GEN2 */
#define SLOW_PAGES "8"			/* khugepaged until the before snapshot */
#define SLOW_SLEEP_MS "600000"

enum sc_vma { VMA_NONE, VMA_MPROTECT, VMA_REMAP, VMA_MREMAP, VMA_ALL };

struct sc {
	char *base;
	size_t len, page, pmd;
	char *nb;			/* the neighbour PMD after the range (vma thread) */
	uint64_t seed;
	long drop;			/* test: the rewrite skips this page (-1: none) */
	struct fl_fclock clk;
	struct fl_hist *rewrite_lat;	/* the rewrite's first stores (NULL: not timed) */
	struct fl_swapdev swap;
	struct fl_memcg memcg;
	struct fl_mmsnap s0, s1, w0, w1;
	struct fl_ctrace *trace;
	char trace_why[256];
	double share_before;
	uint64_t t0;
	/* optional threads during the collapse */
	enum sc_vma vma;
	bool faulter;
	pthread_t vma_tid, fault_tid;
	bool vma_started, fault_started;
	atomic_bool stop;
	_Atomic uint64_t vma_changes, fault_reads;
	char thread_err[160];
};

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

/* AnonHugePages and Swap (bytes) of the VMAs inside [base, base + len). */
static int range_stats(const struct sc *s, unsigned long long *huge, unsigned long long *swap)
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

static double share(const struct sc *s)
{
	unsigned long long huge, swap;

	if (range_stats(s, &huge, &swap))
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
static int thp_settings(struct fl_case *c)
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
static int map_range(struct fl_case *c, struct sc *s)
{
	size_t len = (size_t)fl_param_int(&c->params, "size");
	char *p;

	s->len = (len + s->pmd - 1) & ~(s->pmd - 1);
	p = mmap(NULL, s->len + 2 * s->pmd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return fl_case_fail(c, "cannot map %zu MiB: %s", s->len >> 20, strerror(errno));
	s->base = (char *)(((uintptr_t)p + s->pmd - 1) & ~(uintptr_t)(s->pmd - 1));
	if (s->base > p)
		munmap(p, (size_t)(s->base - p));
	s->nb = s->base + s->len;
	munmap(s->nb + s->pmd, (size_t)(p + 2 * s->pmd - s->base - s->pmd));
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

static uint64_t seed_of(const struct sc *s, const char *pattern, size_t pg)
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
static int stamp_pages(struct fl_case *c, struct sc *s, const char *pattern, bool rewrite)
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
static int rewrite_timer(struct fl_case *c, struct sc *s)
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

static void rewrite_latency(struct fl_case *c, struct sc *s)
{
	if (!s->rewrite_lat) {
		fl_fault_latency_absent(c, "not timed: fault_latency=false");
		return;
	}
	fl_fault_latency_report(c, &s->clk, s->rewrite_lat, "the rewrite's first store to each "
				"page it writes again, swapped out before: a swap-in fault (setup, "
				"before the measured phase)");
}

static int push_out(struct fl_case *c, struct sc *s)
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
	if (stamp_pages(c, s, "all", false))
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
	if (range_stats(s, &huge, &swap))
		return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
	fl_case_metric(c, "swapped_out_pct", 100.0 * (double)swap / (double)s->len);
	if (swap < s->len / 2)
		return fl_case_fail(c, "only %llu of %zu MiB went out to swap (%s)", swap >> 20,
				    s->len >> 20, s->swap.kind);
	return 0;
}

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
	ret = thp_settings(c);
	if (ret)
		return ret;
	ret = fl_swap_ensure(c->knobs, fl_param_str(p, "swap"), fl_param_str(p, "swap_dir"),
			     size, &s->swap, err, sizeof(err));
	if (ret)
		return ret > 0 ? fl_case_skip(c, "no swap for the case: %s", err)
			       : fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "swap", fl_swap_describe(&s->swap));
	if (map_range(c, s) || push_out(c, s) || rewrite_timer(c, s))
		return c->status == FL_SKIPPED ? FL_WL_SKIP : FL_WL_FAIL;
	fl_mmsnap_take(&s->w0);
	ret = stamp_pages(c, s, fl_param_str(p, "pattern"), true);
	fl_mmsnap_take(&s->w1);
	if (ret)
		return FL_WL_FAIL;
	rewrite_latency(c, s);
	open_trace(c, s);
	return 0;
}

/* ---- optional threads during the collapse ----------------------------------------- */

static void *fault_thread(void *arg)
{
	struct sc *s = arg;
	size_t npages = s->len / s->page;
	struct fl_rng r;
	volatile uint64_t sink = 0;

	fl_rng_seed(&r, s->seed, 1);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		size_t pg = (size_t)fl_rng_below(&r, npages);

		sink += *(volatile const uint64_t *)(s->base + pg * s->page);
		atomic_fetch_add_explicit(&s->fault_reads, 1, memory_order_relaxed);
	}
	(void)sink;
	return NULL;
}

/* One page of the range read-only and back: its VMA is split and merged again. */
static int vma_mprotect(struct sc *s, struct fl_rng *r)
{
	char *pg = s->base + fl_rng_below(r, s->len / s->page) * s->page;

	if (mprotect(pg, s->page, PROT_READ))
		return -1;
	usleep(200);
	return mprotect(pg, s->page, PROT_READ | PROT_WRITE);
}

/* The neighbour PMD unmapped and mapped again at the same place (never over anything else). */
static int vma_remap(struct sc *s)
{
	char *p;

	if (munmap(s->nb, s->pmd))
		return -1;
	p = mmap(s->nb, s->pmd, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (p != s->nb) {
		munmap(p, s->pmd);
		errno = EEXIST;
		return -1;
	}
	*(volatile char *)p = 1;
	return 0;
}

/* The neighbour shrunk to half and grown back in place. */
static int vma_mremap(struct sc *s)
{
	if (mremap(s->nb, s->pmd, s->pmd / 2, 0) == MAP_FAILED)
		return -1;
	if (mremap(s->nb, s->pmd / 2, s->pmd, 0) == MAP_FAILED)
		return -1;
	*(volatile char *)s->nb = 1;
	return 0;
}

static void *vma_thread(void *arg)
{
	struct sc *s = arg;
	struct fl_rng r;
	uint64_t n = 0;

	fl_rng_seed(&r, s->seed, 2);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		enum sc_vma op = s->vma == VMA_ALL ? (enum sc_vma)(VMA_MPROTECT + n % 3) : s->vma;
		int ret = op == VMA_MPROTECT ? vma_mprotect(s, &r) :
			  op == VMA_REMAP ? vma_remap(s) : vma_mremap(s);

		if (ret) {
			snprintf(s->thread_err, sizeof(s->thread_err), "vma thread: %s failed: %s",
				 op == VMA_MPROTECT ? "mprotect" : op == VMA_REMAP ?
				 "munmap+mmap of the neighbour" : "mremap of the neighbour",
				 strerror(errno));
			break;
		}
		n++;
		atomic_fetch_add_explicit(&s->vma_changes, 1, memory_order_relaxed);
		usleep(500);
	}
	return NULL;
}

static int start_threads(struct fl_case *c, struct sc *s)
{
	static const char *const names[] = { "none", "mprotect", "remap", "mremap", "all" };
	const char *v = fl_param_str(&c->params, "vma_thread");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i]))
			s->vma = (enum sc_vma)i;
	s->faulter = fl_param_bool(&c->params, "fault_thread");
	if (s->vma != VMA_NONE) {
		if (pthread_create(&s->vma_tid, NULL, vma_thread, s))
			return fl_case_fail(c, "cannot start the vma thread");
		s->vma_started = true;
	}
	if (s->faulter) {
		if (pthread_create(&s->fault_tid, NULL, fault_thread, s))
			return fl_case_fail(c, "cannot start the fault thread");
		s->fault_started = true;
	}
	return 0;
}

static void stop_threads(struct fl_case *c, struct sc *s)
{
	atomic_store(&s->stop, true);
	if (s->vma_started)
		pthread_join(s->vma_tid, NULL);
	if (s->fault_started)
		pthread_join(s->fault_tid, NULL);
	s->vma_started = s->fault_started = false;
	if (s->vma != VMA_NONE || s->faulter)
		json_object_set_new(c->extra, "threads", json_pack("{s:s, s:I, s:b, s:I}",
				"vma_thread", fl_param_str(&c->params, "vma_thread"),
				"vma_changes", (json_int_t)s->vma_changes,
				"fault_thread", s->faulter,
				"fault_reads", (json_int_t)s->fault_reads));
}

/* ---- the measured phase ------------------------------------------------------------ */

/* Wait for khugepaged: the share every 100 ms until it is full, stops growing (two full
 * scans without growth) or timeout_s passes. */
static int wait_khugepaged(struct fl_case *c, struct sc *s, json_t *series)
{
	double timeout = fl_param_double(&c->params, "timeout_s"), best = s->share_before;
	uint64_t t0 = s->t0, t = fl_now_ns(), grown_at = 0;
	char v[32];
	long long scans0 = -1;

	while (!fl_interrupted()) {
		double sh;

		t += POLL_NS;
		fl_sleep_until_ns(t);
		sh = share(s);
		json_array_append_new(series, json_real(sh));
		if (sh > best + 1e-9) {
			best = sh;
			grown_at = fl_now_ns();
			scans0 = -1;
		}
		if (best >= 100.0 || (double)(fl_now_ns() - t0) / 1e9 >= timeout)
			break;
		if (fl_knob_get(KHP "/full_scans", v, sizeof(v)) == 0) {
			if (scans0 < 0)
				scans0 = atoll(v);
			else if (atoll(v) >= scans0 + 2 && grown_at)
				break;
		}
	}
	if (grown_at)
		fl_case_metric(c, "collapse_poll_s", (double)(grown_at - t0) / 1e9);
	return 0;
}

static void hist_metrics(struct fl_case *c, const struct fl_hist *h)
{
	if (!h->count)
		return;
	fl_case_metric(c, "collapse_ms_p50", (double)fl_hist_percentile(h, 50) / 1e6);
	fl_case_metric(c, "collapse_ms_p99", (double)fl_hist_percentile(h, 99) / 1e6);
}

static int madvise_collapse(struct fl_case *c, struct sc *s, json_t *series)
{
	uint64_t t0 = fl_now_ns(), total = 0;
	size_t n = 0, failed = 0;
	struct fl_hist h;
	int first_err = 0;

	/* An empty range answers EINVAL only for an advice the kernel does not know; a PMD's
	 * EINVAL below can also be the VMA thread's split of that PMD (a failed collapse). */
	if (madvise(s->base, 0, MADV_COLLAPSE) && errno == EINVAL)
		return fl_case_skip(c, "this kernel has no MADV_COLLAPSE (6.1+)");
	fl_hist_init(&h);
	for (size_t off = 0; off < s->len && !fl_interrupted(); off += s->pmd) {
		uint64_t t = fl_now_ns();

		if (fl_thp_collapse(s->base + off, s->pmd, 1, NULL)) {	/* a failure is counted */
			failed++;
			if (!first_err)
				first_err = errno;
		}
		t = fl_now_ns() - t;
		total += t;
		n++;
		fl_hist_record(&h, t);
		json_array_append_new(series, json_real((double)t / 1e6));
	}
	fl_case_metric(c, "time_to_collapse_s", (double)(fl_now_ns() - t0) / 1e9);
	if (n)
		fl_case_metric(c, "collapse_ms_per_2m", (double)total / 1e6 / (double)n);
	hist_metrics(c, &h);
	json_object_set_new(c->extra, "collapse_failed", json_integer((json_int_t)failed));
	if (first_err)
		json_object_set_new(c->extra, "collapse_first_error",
				    json_string(strerror(first_err)));
	return 0;
}

/* The tracepoints' figures: collapse latency per PMD, time to the last collapse, scan results
 * by name, the swapin event. */
static void trace_report(struct fl_case *c, struct sc *s)
{
	const struct fl_ct_an *a;
	char err[256];
	json_t *o, *d;

	if (!s->trace) {
		json_object_set_new(c->extra, "collapse_trace", json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", s->trace_why[0] ? s->trace_why :
					"the trace was not started"));
		return;
	}
	a = fl_ctrace_stop(s->trace, err, sizeof(err));
	if (!a) {
		json_object_set_new(c->extra, "collapse_trace", json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", err));
		return;
	}
	o = fl_ct_an_json(a);
	d = fl_ctrace_describe(s->trace);
	json_object_update(o, d);
	json_decref(d);
	json_object_set_new(c->extra, "collapse_trace", o);
	hist_metrics(c, &a->collapse);
	if (a->t0_ns && a->last_ns > a->t0_ns)
		fl_case_metric(c, "time_to_collapse_s", (double)(a->last_ns - a->t0_ns) / 1e9);
	fl_case_metric(c, "swapped_in_by_khugepaged", (double)a->swapped_in);
}

static void vmstat_metric(struct fl_case *c, struct sc *s, const char *name)
{
	unsigned long long d;

	if (fl_mmsnap_vmstat(&s->s0, &s->s1, name, &d) == 0)
		fl_case_metric(c, name, (double)d);
}

/* pswpin and swap readahead while the range was written again (setup, not measured). */
static void rewrite_vmstat(struct fl_case *c, struct sc *s)
{
	static const char *const names[] = { "pswpin", "swap_ra", "swap_ra_hit",
					     "thp_collapse_alloc" };
	json_t *o = json_object();
	unsigned long long d;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(o, names[i], fl_mmsnap_vmstat(&s->w0, &s->w1, names[i], &d) ?
				    json_pack("{s:s, s:s}", "status", "absent", "reason",
					      "not in /proc/vmstat") : json_integer((json_int_t)d));
	json_object_set_new(c->extra, "rewrite_vmstat", o);
}

static int collapse(struct fl_case *c, struct sc *s, bool khugepaged, json_t *series)
{
	char err[256];
	int ret;

	s->share_before = share(s);
	fl_mmsnap_take(&s->s0);
	if (s->trace && fl_ctrace_start(s->trace, err, sizeof(err))) {
		snprintf(s->trace_why, sizeof(s->trace_why), "%s", err);
		fl_ctrace_close(s->trace);
		s->trace = NULL;
	}
	if (khugepaged)
		json_object_set_new(c->extra, "khugepaged_at_before", fl_thp_khugepaged_now());
	ret = start_threads(c, s);
	if (!ret && khugepaged)
		ret = fl_thp_khugepaged_fast(c, fl_param_int(&c->params, "pages_to_scan"),
					     fl_param_int(&c->params, "scan_sleep_ms"), &s->t0);
	if (s->trace)
		fl_ctrace_mark(s->trace, s->t0);
	if (!ret)
		ret = khugepaged ? wait_khugepaged(c, s, series) : madvise_collapse(c, s, series);
	stop_threads(c, s);
	fl_mmsnap_take(&s->s1);
	if (khugepaged)
		trace_report(c, s);
	return ret;
}

static int sc_run(struct fl_case *c)
{
	struct sc *s = c->priv;
	bool khugepaged = !strcmp(fl_param_str(&c->params, "mode"), "khugepaged");
	json_t *series = json_array();
	double after;
	int ret;

	ret = collapse(c, s, khugepaged, series);
	after = share(s);
	json_object_set_new(c->extra, khugepaged ? "thp_share_pct_every_100ms" :
			    "collapse_ms_each_2m", series);
	if (ret)
		return ret;
	if (s->thread_err[0])
		return fl_case_fail(c, "%s", s->thread_err);
	fl_case_metric(c, "thp_share_before", s->share_before);
	fl_case_metric(c, "thp_share_after", after);
	vmstat_metric(c, s, "pswpin");
	vmstat_metric(c, s, "pswpout");
	vmstat_metric(c, s, "swap_ra");
	vmstat_metric(c, s, "swap_ra_hit");
	vmstat_metric(c, s, "thp_collapse_alloc");
	vmstat_metric(c, s, "thp_collapse_alloc_failed");
	rewrite_vmstat(c, s);
	c->ops = (after - s->share_before) / 100.0 * (double)(s->len / s->pmd);
	if (c->ops < 0)
		c->ops = 0;
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
		fl_stamp_verify(s->base + pg * s->page, 1, s->page, seed_of(s, pattern, pg), pg,
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
	atomic_store(&s->stop, true);
	if (s->vma_started)
		pthread_join(s->vma_tid, NULL);
	if (s->fault_started)
		pthread_join(s->fault_tid, NULL);
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
