// SPDX-License-Identifier: GPL-2.0
/*
 * swapin-collapse (seed 003, khugepaged swapin, Akagunduz): map SIZE with MADV_HUGEPAGE,
 * stamp every page, push it all out to swap (MADV_PAGEOUT or a memory cgroup limit), write it
 * again by a pattern (all but one page in each 20, as the published test), then let khugepaged
 * swap in and collapse the range (fast scan settings, max_ptes_swap) or MADV_COLLAPSE it 2 MiB
 * at a time. Swap, THP and khugepaged settings go through the knobs journal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "fl_interrupt.h"
#include "lib/knobs.h"
#include "lib/memcg.h"
#include "lib/mmstat.h"
#include "lib/stamp.h"
#include "lib/swapdev.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "workload.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define THP "/sys/kernel/mm/transparent_hugepage"
#define KHP THP "/khugepaged"
#define POLL_NS 100000000ull

struct sc {
	char *base;
	size_t len, page, pmd;
	uint64_t seed;
	struct fl_swapdev swap;
	struct fl_memcg memcg;
	struct fl_mmsnap s0, s1;
	double share_before;
};

static const struct fl_param sc_params[] = {
	{ "size", 's', FL_P_SIZE, "800M", 4 << 20, 1ull << 40, NULL,
	  "bytes to map, swap out and collapse (rounded up to the PMD size)" },
	{ "pattern", 'p', FL_P_ENUM, "skip-one-in-20", 0, 0, "skip-one-in-20|all|every-other|none",
	  "pages written again after swap-out: all but one in each 20 (the seed), all, every "
	  "other, none" },
	{ "max_ptes_swap", 0, FL_P_INT, "-1", -1, 511, NULL,
	  "khugepaged max_ptes_swap (-1: leave the kernel's value)" },
	{ "mode", 'm', FL_P_ENUM, "khugepaged", 0, 0, "khugepaged|madvise-collapse",
	  "who collapses: khugepaged, or MADV_COLLAPSE 2 MiB at a time" },
	{ "swap", 0, FL_P_ENUM, "auto", 0, 0, "auto|file|zram",
	  "swap to use: auto (active swap with room, else zram, else a file), file, zram" },
	{ "swap_dir", 0, FL_P_STRING, "/var/tmp", 0, 0, NULL, "directory of a swap file" },
	{ "pageout", 0, FL_P_ENUM, "madvise", 0, 0, "madvise|memcg",
	  "how to push pages out: MADV_PAGEOUT, or a memory cgroup limit" },
	{ "memcg_limit", 0, FL_P_SIZE, "16M", 1 << 20, 1ull << 40, NULL,
	  "memory limit while stamping with pageout=memcg" },
	{ "timeout_s", 'T', FL_P_DOUBLE, "60", 0.1, 86400, NULL,
	  "longest wait for khugepaged to collapse the range" },
	{ "scan_sleep_ms", 0, FL_P_INT, "10", 0, 600000, NULL,
	  "khugepaged scan_sleep_millisecs and alloc_sleep_millisecs during the case" },
	{ "pages_to_scan", 0, FL_P_INT, "8192", 8, 1 << 22, NULL,
	  "khugepaged pages_to_scan during the case" },
	{ NULL },
};

static const struct fl_metric sc_metrics[] = {
	{ "time_to_collapse_s", "s", FL_BETTER_LOWER,
	  "until the THP share stops growing (khugepaged) or all MADV_COLLAPSE calls" },
	{ "thp_share_before", "%", FL_BETTER_NONE, "AnonHugePages of the range before collapse" },
	{ "thp_share_after", "%", FL_BETTER_HIGHER, "AnonHugePages of the range after" },
	{ "collapse_ms_per_2m", "ms", FL_BETTER_LOWER, "mean MADV_COLLAPSE time per PMD range" },
	{ "swapped_out_pct", "%", FL_BETTER_NONE, "share of the range in swap after pageout" },
	{ "pswpin", "pages", FL_BETTER_NONE, "pages read from swap in the measured phase" },
	{ "pswpout", "pages", FL_BETTER_NONE, "pages written to swap in the measured phase" },
	{ "thp_collapse_alloc", "count", FL_BETTER_NONE, "huge pages allocated for collapse" },
	{ "thp_collapse_alloc_failed", "count", FL_BETTER_LOWER, "collapse allocations failed" },
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

/* THP on for MADV_HUGEPAGE ranges; khugepaged fast; max_ptes_swap as asked. */
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
	if (ret || !khugepaged)
		return ret;
	if (access(KHP "/max_ptes_swap", F_OK))
		return fl_case_skip(c, "this kernel has no khugepaged max_ptes_swap (%s)",
				    KHP "/max_ptes_swap");
	if (mps >= 0)
		ret = set_knob_num(c, KHP "/max_ptes_swap", mps);
	if (!ret)
		ret = set_knob_num(c, KHP "/pages_to_scan", fl_param_int(p, "pages_to_scan"));
	if (!ret)
		ret = set_knob_num(c, KHP "/alloc_sleep_millisecs", fl_param_int(p, "scan_sleep_ms"));
	if (!ret)
		ret = set_knob_num(c, KHP "/scan_sleep_millisecs", fl_param_int(p, "scan_sleep_ms"));
	return ret;
}

static int map_range(struct fl_case *c, struct sc *s)
{
	size_t len = (size_t)fl_param_int(&c->params, "size");
	char *p;

	s->len = (len + s->pmd - 1) & ~(s->pmd - 1);
	p = mmap(NULL, s->len + s->pmd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return fl_case_fail(c, "cannot map %zu MiB: %s", s->len >> 20, strerror(errno));
	s->base = (char *)(((uintptr_t)p + s->pmd - 1) & ~(uintptr_t)(s->pmd - 1));
	if (s->base > p)
		munmap(p, (size_t)(s->base - p));
	munmap(s->base + s->len, (size_t)(p + s->pmd - s->base));
	if (madvise(s->base, s->len, MADV_HUGEPAGE))
		return fl_case_skip(c, "MADV_HUGEPAGE is refused: %s", strerror(errno));
	return 0;
}

/* Stamp (or re-stamp) the pages chosen by pattern, one PMD range at a time. */
static int stamp_pages(struct fl_case *c, struct sc *s, const char *pattern)
{
	size_t npages = s->len / s->page, per_pmd = s->pmd / s->page;

	for (size_t pg = 0; pg < npages; pg++) {
		if (pg % per_pmd == 0 && fl_interrupted())
			return fl_case_fail(c, "interrupted while writing the range");
		if (!strcmp(pattern, "none") ||
		    (!strcmp(pattern, "skip-one-in-20") && pg % 20 == 19) ||
		    (!strcmp(pattern, "every-other") && pg % 2 == 1))
			continue;
		fl_stamp_fill_page(s->base + pg * s->page, s->page, s->seed, pg);
	}
	return 0;
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
	if (stamp_pages(c, s, "all"))
		return FL_WL_FAIL;
	if (memcg) {
		if (fl_memcg_limit(&s->memcg, 0, err, sizeof(err)) ||
		    fl_memcg_leave(&s->memcg, err, sizeof(err)))
			return fl_case_fail(c, "pageout=memcg: %s", err);
	} else {
		for (size_t off = 0; off < s->len; off += s->pmd) {
			if (fl_interrupted())
				return fl_case_fail(c, "interrupted while paging out");
			if (madvise(s->base + off, s->pmd, MADV_PAGEOUT))
				return fl_case_skip(c, "MADV_PAGEOUT is refused: %s",
						    strerror(errno));
		}
	}
	if (range_stats(s, &huge, &swap))
		return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
	fl_case_metric(c, "swapped_out_pct", 100.0 * (double)swap / (double)s->len);
	if (swap < s->len / 2)
		return fl_case_fail(c, "only %llu of %zu MiB went out to swap (%s)", swap >> 20,
				    s->len >> 20, s->swap.kind);
	return 0;
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
	json_object_set_new(c->extra, "swap", json_pack("{s:s, s:s, s:I}", "kind", s->swap.kind,
					"path", s->swap.path, "added_bytes", (json_int_t)s->swap.bytes));
	if (map_range(c, s) || push_out(c, s) || stamp_pages(c, s, fl_param_str(p, "pattern")))
		return c->status == FL_SKIPPED ? FL_WL_SKIP : FL_WL_FAIL;
	s->share_before = share(s);
	return 0;
}

/* Wait for khugepaged: the share every 100 ms until it is full, stops growing (two full
 * scans without growth) or timeout_s passes. */
static int wait_khugepaged(struct fl_case *c, struct sc *s, json_t *series)
{
	double timeout = fl_param_double(&c->params, "timeout_s"), best = s->share_before;
	uint64_t t0 = fl_now_ns(), t = t0, grown_at = 0;
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
		fl_case_metric(c, "time_to_collapse_s", (double)(grown_at - t0) / 1e9);
	return 0;
}

static int madvise_collapse(struct fl_case *c, struct sc *s, json_t *series)
{
	uint64_t t0 = fl_now_ns(), total = 0;
	size_t n = 0, failed = 0;
	int first_err = 0;

	for (size_t off = 0; off < s->len && !fl_interrupted(); off += s->pmd) {
		uint64_t t = fl_now_ns();

		if (madvise(s->base + off, s->pmd, MADV_COLLAPSE)) {
			if (errno == EINVAL && n == 0)
				return fl_case_skip(c, "this kernel has no MADV_COLLAPSE (6.1+)");
			failed++;
			if (!first_err)
				first_err = errno;
		}
		total += fl_now_ns() - t;
		n++;
		json_array_append_new(series, json_real((double)(fl_now_ns() - t) / 1e6));
	}
	fl_case_metric(c, "time_to_collapse_s", (double)(fl_now_ns() - t0) / 1e9);
	if (n)
		fl_case_metric(c, "collapse_ms_per_2m", (double)total / 1e6 / (double)n);
	json_object_set_new(c->extra, "collapse_failed", json_integer((json_int_t)failed));
	if (first_err)
		json_object_set_new(c->extra, "collapse_first_error",
				    json_string(strerror(first_err)));
	return 0;
}

static void vmstat_metric(struct fl_case *c, struct sc *s, const char *name)
{
	unsigned long long d;

	if (fl_mmsnap_vmstat(&s->s0, &s->s1, name, &d) == 0)
		fl_case_metric(c, name, (double)d);
}

static int sc_run(struct fl_case *c)
{
	struct sc *s = c->priv;
	bool khugepaged = !strcmp(fl_param_str(&c->params, "mode"), "khugepaged");
	json_t *series = json_array();
	double after;
	int ret;

	fl_mmsnap_take(&s->s0);
	ret = khugepaged ? wait_khugepaged(c, s, series) : madvise_collapse(c, s, series);
	fl_mmsnap_take(&s->s1);
	after = share(s);
	json_object_set_new(c->extra, khugepaged ? "thp_share_pct_every_100ms" :
			    "collapse_ms_each_2m", series);
	if (ret)
		return ret;
	fl_case_metric(c, "thp_share_before", s->share_before);
	fl_case_metric(c, "thp_share_after", after);
	vmstat_metric(c, s, "pswpin");
	vmstat_metric(c, s, "pswpout");
	vmstat_metric(c, s, "thp_collapse_alloc");
	vmstat_metric(c, s, "thp_collapse_alloc_failed");
	c->ops = (after - s->share_before) / 100.0 * (double)(s->len / s->pmd);
	if (c->ops < 0)
		c->ops = 0;
	return 0;
}

static int sc_verify(struct fl_case *c)
{
	struct sc *s = c->priv;
	size_t npages = s->len / s->page;
	struct fl_stamp_report r;
	json_t *rep;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < npages)
		s->base[(size_t)c->test.corrupt_page * s->page + 8] ^= 0x5a;
	fl_stamp_report_init(&r);
	fl_stamp_verify(s->base, npages, s->page, s->seed, 0, &r);
	rep = fl_stamp_report_json(&r, s->seed);
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (r.corrupt)
		return fl_case_fail(c, "%llu corrupt page(s) of %zu; first: page %llu (address "
				    "offset %#llx), word %llu", (unsigned long long)r.corrupt, npages,
				    (unsigned long long)r.bad_page[0],
				    (unsigned long long)r.bad_page[0] * s->page,
				    (unsigned long long)r.bad_word[0]);
	return 0;
}

static void sc_teardown(struct fl_case *c)
{
	struct sc *s = c->priv;
	char err[FL_ERRLEN];

	if (!s)
		return;
	if (s->base)
		munmap(s->base, s->len);
	if (s->memcg.dir[0] && fl_memcg_leave(&s->memcg, err, sizeof(err)))
		fprintf(stderr, "swapin-collapse: %s\n", err);
	fl_mmsnap_free(&s->s0);
	fl_mmsnap_free(&s->s1);
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
