// SPDX-License-Identifier: GPL-2.0
/*
 * thp-munmap (seed 000, lockless page-table walk tracking): map SIZE with MADV_HUGEPAGE, fault
 * it in with page stamps, check the THP share in smaps, optionally start lockless walkers on
 * the other CPUs, then time one operation over the whole range: munmap, MADV_DONTNEED,
 * mprotect(PROT_READ), or a split (a one-page mprotect inside every PMD splits its mapping)
 * followed by MADV_COLLAPSE back. IPIs are read from /proc/interrupts right around the
 * operation, so the per-GiB figures cover the operation alone. Where the arch folds function
 * calls into one multiplexed IPI row (powerpc, s390), the function-call figure comes from the
 * cross-CPU calls each CPU received (probes/csd_calls.h), counted around the same operation.
 *
 * Walkers are GUP-fast users: vmsplice() of 16 pages of the range into a pipe (the kernel takes
 * the pages with get_user_pages_fast, interrupts off and no mmap lock), then the pipe is
 * drained and the first word of every page is checked against its stamp. O_DIRECT reads would
 * write into the range and need a filesystem that supports them; vmsplice works everywhere.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "lib/cpubind.h"
#include "lib/gup.h"
#include "lib/knobs.h"
#include "lib/smaps.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "probes/csd_calls.h"
#include "probes/procparse.h"
#include "workload.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define WALK_PAGES 16
#define GIB (1024.0 * 1024 * 1024)

enum thpm_op { OP_MUNMAP, OP_DONTNEED, OP_MPROTECT, OP_SPLIT };

static const char *const op_names[] = {
	[OP_MUNMAP] = "munmap", [OP_DONTNEED] = "dontneed",
	[OP_MPROTECT] = "mprotect", [OP_SPLIT] = "split",
};

struct thpm {
	enum thpm_op op;
	size_t size, page, npages, hpage;
	char *base;
	bool mapped;
	uint64_t seed;
	struct fl_team *walkers;
	bool walkers_joined;
	struct fl_cpubind bind;
	_Atomic int phase;		/* 0 before the op, 1 during or after */
	_Atomic uint64_t walk_calls, walk_pages, walk_efault, walk_bad;
	_Atomic int first_bad_set;
	char first_bad[200];
	struct fl_stamp_report pre;	/* munmap: the stamps checked before the op */
	char *irq0, *irq1;
	struct fl_csd_calls *csd;	/* cross-CPU calls received, around the op */
};

static const struct fl_param thpm_params[] = {
	{ "size", 's', FL_P_SIZE, "1G", 2 << 20, 1ull << 42, NULL,
	  "bytes to map (rounded up to the PMD size)" },
	{ "op", 'o', FL_P_ENUM, "munmap", 0, 0, "munmap|dontneed|mprotect|split",
	  "the timed operation over the whole range (split: a one-page mprotect in each PMD, "
	  "then MADV_COLLAPSE back)" },
	{ "walkers", 'w', FL_P_INT, "0", 0, 1024, NULL,
	  "GUP-fast walker threads (vmsplice of the range) running through the operation" },
	{ "pin", 0, FL_P_ENUM, "core", 0, 0, "none|core|pu",
	  "bind with hwloc: the timing thread on the last core, walkers from the first" },
	{ NULL },
};

static const struct fl_metric thpm_metrics[] = {
	{ "ms_per_gib", "ms/GiB", FL_BETTER_LOWER, "time of the operation per GiB" },
	{ "op_ms", "ms", FL_BETTER_LOWER, "time of the operation over the whole range" },
	{ "thp_share", "%", FL_BETTER_HIGHER,
	  "AnonHugePages / Rss of the range before the operation" },
	{ "function_call_ipis_per_gib", "IPIs/GiB", FL_BETTER_LOWER,
	  "function-call IPIs (all CPUs, /proc/interrupts) during the operation, per GiB; on "
	  "powerpc and s390 the cross-CPU calls received (csd:csd_function_entry), whose IPIs "
	  "/proc/interrupts folds into one row" },
	{ "tlb_ipis_per_gib", "IPIs/GiB", FL_BETTER_LOWER,
	  "TLB-shootdown IPIs (all CPUs) during the operation, per GiB" },
	{ "other_ipis_per_gib", "IPIs/GiB", FL_BETTER_LOWER,
	  "IPIs of class other per GiB: on powerpc and s390 the muxed IPI rows that carry the "
	  "function calls (probes/README.md)" },
	{ "ipis_per_gib", "IPIs/GiB", FL_BETTER_LOWER,
	  "every IPI class counted on this arch, per GiB: the figure comparable across arches" },
	{ "split_ms", "ms", FL_BETTER_LOWER, "op split: the PMD splits (one-page mprotects)" },
	{ "collapse_ms", "ms", FL_BETTER_LOWER, "op split: MADV_COLLAPSE of the range back" },
	{ "thp_share_after", "%", FL_BETTER_HIGHER, "op split: THP share after the collapse" },
	{ "walker_gups_per_s", "calls/s", FL_BETTER_NONE,
	  "vmsplice (GUP-fast) calls of all walkers per second during the operation" },
	{ NULL },
};

static void note_bad(struct thpm *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_bad(struct thpm *t, const char *fmt, ...)
{
	int expect = 0;
	va_list ap;

	atomic_fetch_add(&t->walk_bad, 1);
	if (!atomic_compare_exchange_strong(&t->first_bad_set, &expect, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(t->first_bad, sizeof(t->first_bad), fmt, ap);
	va_end(ap);
}

/* A page read by a walker holds its stamp; after MADV_DONTNEED started it may read zero. */
static void walker_check(struct thpm *t, struct fl_worker *w, const uint64_t *buf,
			 uint64_t first_pg, size_t npg)
{
	size_t words = t->page / sizeof(uint64_t);

	for (size_t i = 0; i < npg; i++) {
		uint64_t got = buf[i * words], want = fl_stamp_word(t->seed, first_pg + i, 0);

		if (got == want || (got == 0 && t->op == OP_DONTNEED && atomic_load(&t->phase)))
			continue;
		note_bad(t, "walker %d read page %llu through vmsplice: word 0 is %#llx, expected %#llx",
			 w->id, (unsigned long long)(first_pg + i), (unsigned long long)got,
			 (unsigned long long)want);
	}
}

static void walker(struct fl_worker *w)
{
	struct thpm *t = w->arg;
	size_t len = WALK_PAGES * t->page;
	struct fl_gup_pipe g;
	uint64_t *buf;

	if (fl_gup_open(&g, len, w->errmsg, sizeof(w->errmsg))) {
		w->err = 1;
		return;
	}
	buf = malloc(len);
	if (!buf) {
		snprintf(w->errmsg, sizeof(w->errmsg), "cannot allocate a walker buffer");
		w->err = 1;
		fl_gup_close(&g);
		return;
	}
	while (!fl_team_stopping(w)) {
		uint64_t pg = fl_rng_below(&w->rng, t->npages - WALK_PAGES + 1);
		ssize_t n = fl_gup_read(&g, t->base + pg * t->page, len, buf);

		atomic_fetch_add_explicit(&t->walk_calls, 1, memory_order_relaxed);
		if (n < 0 && errno == EFAULT) {
			atomic_fetch_add_explicit(&t->walk_efault, 1, memory_order_relaxed);
			continue;
		}
		if (n < 0) {
			snprintf(w->errmsg, sizeof(w->errmsg), "vmsplice of the range failed: %s",
				 strerror(errno));
			w->err = 1;
			break;
		}
		walker_check(t, w, buf, pg, (size_t)n / t->page);
		atomic_fetch_add_explicit(&t->walk_pages, (uint64_t)n / t->page,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	free(buf);
	fl_gup_close(&g);
}

/* mmap size + one PMD, trim both ends: the range is PMD-aligned and its own VMA. */
static int map_aligned(struct fl_case *c, struct thpm *t)
{
	size_t len = t->size + t->hpage;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (raw == MAP_FAILED)
		return fl_case_fail(c, "cannot map %zu bytes: %s", len, strerror(errno));
	a = ((uintptr_t)raw + t->hpage - 1) & ~(uintptr_t)(t->hpage - 1);
	if (a > (uintptr_t)raw)
		munmap(raw, a - (uintptr_t)raw);
	if ((uintptr_t)raw + len > a + t->size)
		munmap((char *)a + t->size, (uintptr_t)raw + len - (a + t->size));
	t->base = (char *)a;
	t->mapped = true;
	if (madvise(t->base, t->size, MADV_HUGEPAGE))
		return fl_case_skip(c, "madvise(MADV_HUGEPAGE) failed: %s", strerror(errno));
	return 0;
}

/* Fault in with stamps, then read the THP share of the range. */
static int populate(struct fl_case *c, struct thpm *t)
{
	struct fl_smaps s;
	double pct;

	fl_stamp_fill(t->base, t->npages, t->page, t->seed, 0);
	if (fl_smaps_range(t->base, t->size, &s))
		return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
	pct = fl_smaps_huge_pct(&s);
	if (pct < 0)
		return fl_case_fail(c, "the range is not resident after it was written");
	fl_case_metric(c, "thp_share", pct);
	json_object_set_new(c->extra, "before", json_pack("{s:I, s:I, s:i}", "rss_kb",
				(json_int_t)s.rss_kb, "anon_huge_kb", (json_int_t)s.anon_huge_kb,
				"vmas", s.vmas));
	return 0;
}

/* munmap keeps nothing to verify afterwards: check the stamps before (the test hook's
 * corruption goes in here for that op). */
static int precheck(struct fl_case *c, struct thpm *t)
{
	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages)
		t->base[(size_t)c->test.corrupt_page * t->page + 8] ^= 0x5a;
	fl_stamp_report_init(&t->pre);
	fl_stamp_verify(t->base, t->npages, t->page, t->seed, 0, &t->pre);
	json_object_set_new(c->verify, "before_op", fl_stamp_report_json(&t->pre, t->seed));
	if (t->pre.corrupt)
		return fl_case_fail(c, "%llu page(s) lost their stamp before munmap; first: page %llu",
				    (unsigned long long)t->pre.corrupt,
				    (unsigned long long)t->pre.bad_page[0]);
	return 0;
}

static int start_walkers(struct fl_case *c, struct thpm *t, enum fl_pin pin)
{
	char err[256];
	int n = (int)fl_param_int(&c->params, "walkers");

	if (!n)
		return 0;
	if (t->npages < WALK_PAGES)
		return fl_case_fail(c, "the range is smaller than one walker read (%d pages)",
				    WALK_PAGES);
	t->walkers = fl_team_create(n, pin, false, t->seed, walker, t, err, sizeof(err));
	if (!t->walkers)
		return fl_case_fail(c, "%s", err);
	fl_team_start(t->walkers);
	return 0;
}

static int thpm_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	struct thpm *t = calloc(1, sizeof(*t));
	char err[256];
	enum fl_pin pin;
	int ret;

	if (!t)
		return fl_case_fail(c, "out of memory");
	c->priv = t;
	for (t->op = OP_MUNMAP; strcmp(op_names[t->op], fl_param_str(p, "op")); t->op++)
		;
	t->page = (size_t)sysconf(_SC_PAGESIZE);
	t->seed = 0x7468706d756e6d61ull ^ fl_now_ns();
	ret = fl_thp_require_anon(c);
	if (ret)
		return ret;
	t->hpage = fl_thp_pmd_size();
	t->size = ((size_t)fl_param_int(p, "size") + t->hpage - 1) & ~(t->hpage - 1);
	t->npages = t->size / t->page;
	c->ops = (double)(t->size / t->hpage);
	json_object_set_new(c->extra, "size_bytes", json_integer((json_int_t)t->size));
	json_object_set_new(c->extra, "pmd_bytes", json_integer((json_int_t)t->hpage));
	json_object_set_new(c->extra, "walker", json_string("vmsplice (GUP-fast) of 16 pages"));
	if (fl_case_check_memory(c, t->size, false))
		return FL_WL_FAIL;
	fl_pin_parse(fl_param_str(p, "pin"), &pin);
	if (fl_cpubind_last(&t->bind, pin, err, sizeof(err)))
		return fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "timing_cpu", json_integer(t->bind.cpu));
	ret = map_aligned(c, t);
	if (!ret)
		ret = populate(c, t);
	if (!ret && t->op == OP_MUNMAP)
		ret = precheck(c, t);
	if (!ret)
		ret = start_walkers(c, t, pin);
	return ret;
}

/* One-page mprotect inside every PMD splits its mapping; the VMAs merge again after. */
static int split_pmds(struct thpm *t)
{
	for (size_t off = 0; off < t->size; off += t->hpage) {
		if (mprotect(t->base + off, t->page, PROT_READ) ||
		    mprotect(t->base + off, t->page, PROT_READ | PROT_WRITE))
			return -1;
	}
	return 0;
}

/* MADV_COLLAPSE, retried while it says EAGAIN (a walker held a page reference). */
static int collapse(struct thpm *t)
{
	int ret = -1;

	for (int i = 0; i < 5 && ret; i++) {
		ret = madvise(t->base, t->size, MADV_COLLAPSE);
		if (ret && errno != EAGAIN)
			break;
	}
	return ret;
}

static int do_split(struct fl_case *c, struct thpm *t, uint64_t *t1)
{
	uint64_t t0 = fl_now_ns(), ts, tc;
	struct fl_smaps s;

	if (split_pmds(t))
		return fl_case_fail(c, "mprotect of one page to split a PMD failed: %s",
				    strerror(errno));
	ts = fl_now_ns();
	if (!fl_smaps_range(t->base, t->size, &s))
		json_object_set_new(c->extra, "after_split", json_pack("{s:I, s:I}", "rss_kb",
					(json_int_t)s.rss_kb, "anon_huge_kb",
					(json_int_t)s.anon_huge_kb));
	tc = fl_now_ns();
	if (collapse(t)) {
		if (errno == EINVAL)
			json_object_set_new(c->extra, "collapse", json_string(
				"MADV_COLLAPSE is not in this kernel (EINVAL): split only"));
		else
			return fl_case_fail(c, "MADV_COLLAPSE of the split range failed: %s",
					    strerror(errno));
	}
	*t1 = fl_now_ns();
	fl_case_metric(c, "split_ms", (double)(ts - t0) / 1e6);
	fl_case_metric(c, "collapse_ms", (double)(*t1 - tc) / 1e6);
	if (!fl_smaps_range(t->base, t->size, &s) && fl_smaps_huge_pct(&s) >= 0)
		fl_case_metric(c, "thp_share_after", fl_smaps_huge_pct(&s));
	/* The smaps read between split and collapse is not part of op_ms. */
	*t1 -= tc - ts;
	return 0;
}

static int do_op(struct fl_case *c, struct thpm *t, uint64_t t0, uint64_t *t1)
{
	int ret = 0;

	switch (t->op) {
	case OP_MUNMAP:
		ret = munmap(t->base, t->size);
		t->mapped = ret != 0;
		break;
	case OP_DONTNEED:
		ret = madvise(t->base, t->size, MADV_DONTNEED);
		break;
	case OP_MPROTECT:
		ret = mprotect(t->base, t->size, PROT_READ);
		break;
	case OP_SPLIT:
		return do_split(c, t, t1);
	}
	*t1 = fl_now_ns();
	(void)t0;
	if (ret)
		return fl_case_fail(c, "%s of the range failed: %s", op_names[t->op],
				    strerror(errno));
	return 0;
}

/* One IPI class per GiB: a metric and its per-CPU figures, or why it is missing. */
static void ipi_class(struct fl_case *c, json_t *ipi, const char *cls, const char *metric,
		      double gib, json_t *per_gib)
{
	json_t *v = json_object_get(ipi, cls), *tot = json_object_get(v, "total");
	json_t *pc = json_object_get(v, "per_cpu"), *arr, *x;
	size_t i;

	if (!json_is_integer(tot)) {
		json_object_set(per_gib, cls, v ? v : json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", "no IPI data"));
		return;
	}
	fl_case_metric(c, metric, (double)json_integer_value(tot) / gib);
	arr = json_array();
	json_array_foreach(pc, i, x)
		json_array_append_new(arr, json_real((double)json_integer_value(x) / gib));
	json_object_set_new(per_gib, cls, json_pack("{s:f, s:o}", "total",
				(double)json_integer_value(tot) / gib, "per_cpu", arr));
	if (json_object_get(v, "source"))
		json_object_set(json_object_get(per_gib, cls), "source",
				json_object_get(v, "source"));
}

/* The sum of the classes this arch counts (absent and unsupported ones add nothing; a class
 * taken from a tracepoint is already inside a muxed row). */
static void ipi_total(struct fl_case *c, json_t *ipi, double gib)
{
	static const char *const classes[] = { "function_call", "tlb_shootdown", "reschedule",
						"other" };
	long long sum = 0;
	bool any = false;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *v = json_object_get(ipi, classes[i]), *tot = json_object_get(v, "total");

		if (json_is_integer(tot) && !json_object_get(v, "source")) {
			sum += json_integer_value(tot);
			any = true;
		}
	}
	if (any)
		fl_case_metric(c, "ipis_per_gib", (double)sum / gib);
}

/*
 * No function-call row in /proc/interrupts (muxed IPIs): the cross-CPU calls received take
 * its place, with their source and the reason the row could not be used.
 */
static void ipi_function_calls(json_t *ipi, json_t *calls)
{
	json_t *fc = json_object_get(ipi, "function_call"), *v;

	if (json_is_integer(json_object_get(fc, "total")) ||
	    !json_is_integer(json_object_get(calls, "total")))
		return;
	v = json_deep_copy(calls);
	json_object_set(v, "muxed_row", json_object_get(fc, "reason"));
	json_object_set_new(ipi, "function_call", v);
}

static void ipi_metrics(struct fl_case *c, struct thpm *t)
{
	struct fl_irq_table a = { 0 }, b = { 0 };
	double gib = (double)t->size / GIB;
	struct utsname u;
	json_t *ipi, *per_gib, *calls;

	if (!t->irq0 || !t->irq1 || uname(&u) || fl_irq_parse(t->irq0, &a) ||
	    fl_irq_parse(t->irq1, &b)) {
		json_object_set_new(c->extra, "ipi_per_gib", json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", "/proc/interrupts cannot be read"));
		goto out;
	}
	ipi = fl_ipi_delta_json(u.machine, &a, &b);
	calls = t->csd ? fl_csd_calls_json(t->csd) : NULL;
	ipi_function_calls(ipi, calls);
	per_gib = json_object();
	ipi_class(c, ipi, "function_call", "function_call_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "tlb_shootdown", "tlb_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "other", "other_ipis_per_gib", gib, per_gib);
	ipi_total(c, ipi, gib);
	json_object_set_new(per_gib, "cpus", json_incref(json_object_get(ipi, "cpus")));
	json_object_set_new(c->extra, "ipi_per_gib", per_gib);
	json_object_set_new(c->extra, "ipi_op", ipi);
	if (calls)	/* where the row exists too: the two sources side by side */
		json_object_set_new(c->extra, "csd_calls_op", calls);
out:
	fl_irq_free(&a);
	fl_irq_free(&b);
}

static int thpm_run(struct fl_case *c)
{
	struct thpm *t = c->priv;
	uint64_t t0, t1 = 0, calls0;
	int ret;

	t->csd = fl_csd_calls_open();
	if (t->csd)
		fl_csd_calls_start(t->csd);
	t->irq0 = fl_slurp("/proc/interrupts", NULL);
	calls0 = atomic_load(&t->walk_calls);
	atomic_store(&t->phase, 1);
	t0 = fl_now_ns();
	ret = do_op(c, t, t0, &t1);
	if (!t1)
		t1 = fl_now_ns();
	t->irq1 = fl_slurp("/proc/interrupts", NULL);
	if (t->csd)
		fl_csd_calls_stop(t->csd);
	if (ret)
		return ret;
	fl_case_metric(c, "op_ms", (double)(t1 - t0) / 1e6);
	fl_case_metric(c, "ms_per_gib", (double)(t1 - t0) / 1e6 / ((double)t->size / GIB));
	if (t->walkers)
		fl_case_metric(c, "walker_gups_per_s", (double)(atomic_load(&t->walk_calls) -
							   calls0) / ((double)(t1 - t0) / 1e9));
	ipi_metrics(c, t);
	return 0;
}

static void stop_walkers(struct thpm *t)
{
	if (!t->walkers || t->walkers_joined)
		return;
	fl_team_stop(t->walkers);
	fl_team_join(t->walkers);
	t->walkers_joined = true;
}

static int walkers_verdict(struct fl_case *c, struct thpm *t)
{
	json_object_set_new(c->verify, "walker_reads", json_pack("{s:I, s:I, s:I, s:I}",
				"calls", (json_int_t)t->walk_calls, "pages",
				(json_int_t)t->walk_pages, "efault", (json_int_t)t->walk_efault,
				"corrupt", (json_int_t)t->walk_bad));
	for (int i = 0; t->walkers && i < fl_team_size(t->walkers); i++) {
		struct fl_worker *w = fl_team_worker(t->walkers, i);

		if (w->err)
			return fl_case_fail(c, "walker %d: %s", i, w->errmsg);
	}
	if (t->walk_bad)
		return fl_case_fail(c, "%llu page(s) read by walkers were wrong; first: %s",
				    (unsigned long long)t->walk_bad, t->first_bad);
	return 0;
}

/* After MADV_DONTNEED every page reads back zero. */
static int verify_zero(struct fl_case *c, struct thpm *t)
{
	uint64_t bad = 0, first = 0;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages)
		t->base[(size_t)c->test.corrupt_page * t->page + 8] = 0x5a;
	for (size_t pg = 0; pg < t->npages; pg++) {
		const uint64_t *w = (const uint64_t *)(t->base + pg * t->page);

		for (size_t i = 0; i < t->page / sizeof(*w); i++) {
			if (!w[i])
				continue;
			if (!bad++)
				first = pg;
			break;
		}
	}
	json_object_set_new(c->verify, "pages_checked", json_integer((json_int_t)t->npages));
	json_object_set_new(c->verify, "corrupt", json_integer((json_int_t)bad));
	if (bad)
		return fl_case_fail(c, "%llu page(s) not zero after MADV_DONTNEED; first: page %llu",
				    (unsigned long long)bad, (unsigned long long)first);
	return 0;
}

static int verify_stamps(struct fl_case *c, struct thpm *t)
{
	struct fl_stamp_report r;
	json_t *rep;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages) {
		mprotect(t->base, t->size, PROT_READ | PROT_WRITE);
		t->base[(size_t)c->test.corrupt_page * t->page + 8] ^= 0x5a;
	}
	fl_stamp_report_init(&r);
	fl_stamp_verify(t->base, t->npages, t->page, t->seed, 0, &r);
	rep = fl_stamp_report_json(&r, t->seed);
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (r.corrupt)
		return fl_case_fail(c, "%llu corrupt page(s) after %s; first: page %llu word %llu",
				    (unsigned long long)r.corrupt, op_names[t->op],
				    (unsigned long long)r.bad_page[0],
				    (unsigned long long)r.bad_word[0]);
	return 0;
}

/* munmap: the range must be gone (mincore says ENOMEM for an unmapped range). */
static int verify_unmapped(struct fl_case *c, struct thpm *t)
{
	unsigned char vec[1];

	json_object_set_new(c->verify, "pages_checked", json_integer((json_int_t)t->pre.pages_checked));
	json_object_set_new(c->verify, "corrupt", json_integer((json_int_t)t->pre.corrupt));
	if (mincore(t->base, t->page, vec) == 0)
		return fl_case_fail(c, "the range is still mapped after munmap");
	return 0;
}

static int thpm_verify(struct fl_case *c)
{
	struct thpm *t = c->priv;
	int ret;

	stop_walkers(t);
	ret = walkers_verdict(c, t);
	if (ret)
		return ret;
	switch (t->op) {
	case OP_MUNMAP:
		return verify_unmapped(c, t);
	case OP_DONTNEED:
		return verify_zero(c, t);
	default:
		return verify_stamps(c, t);
	}
}

static void thpm_teardown(struct fl_case *c)
{
	struct thpm *t = c->priv;

	if (!t)
		return;
	stop_walkers(t);
	if (t->walkers)
		fl_team_destroy(t->walkers);
	if (t->mapped)
		munmap(t->base, t->size);
	fl_cpubind_restore(&t->bind);
	free(t->irq0);
	free(t->irq1);
	fl_csd_calls_close(t->csd);
	free(t);
	c->priv = NULL;
}

const struct fl_workload fl_wl_thp_munmap = {
	.name = "thp-munmap",
	.summary = "time munmap / MADV_DONTNEED / mprotect / split of a THP range, "
		   "IPIs per GiB, with GUP-fast walkers (seed 000)",
	.params = thpm_params,
	.metrics = thpm_metrics,
	.op_unit = "pmd",
	.events = "huge_memory:*,tlb:tlb_flush,ipi:*",
	.setup = thpm_setup,
	.run = thpm_run,
	.verify = thpm_verify,
	.teardown = thpm_teardown,
};
