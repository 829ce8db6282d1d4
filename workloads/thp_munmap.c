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
 *
 * The seed's cost was an IPI per THP to every CPU the mm had run on (qemu's 128 vCPU threads),
 * few of them inside a lockless walk at that moment. Idle threads model those CPUs: idle
 * thread i is pinned to the i-th CPU this process may use, reads one page of the range there
 * and then sleeps on a condition variable until teardown, so every CPU has run the mm but
 * nothing of it runs there during the operation. Their state and context switches are read
 * right before and after the operation (detail.idle). The IPIs each CPU received during the
 * operation are then split by role: walking (a walker ran there during the operation), idle,
 * sender (the operation's own CPU), not_in_mm (thp_munmap_ipi.h).
 *
 * Page tables: the seed's 496 GB munmap freed the PMD tables of the range, and x86 sends the
 * final TLB flush of an unmap that freed page tables to every CPU of the mm, lazy (idle) ones
 * included, skipping them otherwise (arch/x86/mm/tlb.c, native_flush_tlb_multi). free_pgtables
 * frees the PMD table of a PUD entry only when the whole entry lies between the neighbouring
 * VMAs, so the layout decides (align=pud: the range on PUD boundaries, every PMD table goes;
 * align=pmd: guards right next to a range that starts one PMD past a PUD boundary, none goes
 * below 1 GiB on x86_64). detail.page_tables says what the layout let munmap free and what it
 * freed: the drop of VmPTE less one PTE table per PMD (thp_munmap_pgt.h).
 * Parts (thp_munmap.h): thp_munmap_walk.c, _idle.c, _cost.c, _verify.c, _ipi.c, _pgt.c.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_util.h"
#include "lib/map_aligned.h"
#include "lib/smaps.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "probes/csd_calls.h"
#include "probes/tlb_flush.h"
#include "thp_munmap.h"

const char *const thpm_op_names[] = {
	[OP_MUNMAP] = "munmap", [OP_DONTNEED] = "dontneed",
	[OP_MPROTECT] = "mprotect", [OP_SPLIT] = "split",
};

static const struct fl_param thpm_params[] = {
	{ "size", 's', FL_P_SIZE, "1G", 2 << 20, 1ull << 42, NULL,
	  "bytes to map (rounded up to the PMD size, or the PUD size with align=pud)" },
	{ "align", 'a', FL_P_ENUM, "pmd", 0, 0, "pmd|pud",
	  "where the range lies: pmd: one PMD past a PUD boundary, between two one-page "
	  "PROT_NONE guards, so munmap frees a PMD table only for a PUD entry (1 GiB on x86_64) "
	  "the range covers whole; pud: start and size on PUD boundaries, so munmap frees every "
	  "PMD table of the range, as the seed's 496 GB munmap did (x86 then IPIs every CPU of "
	  "the mm, lazy ones too)" },
	{ "op", 'o', FL_P_ENUM, "munmap", 0, 0, "munmap|dontneed|mprotect|split",
	  "the timed operation over the whole range (split: a one-page mprotect in each PMD, "
	  "then MADV_COLLAPSE back)" },
	{ "walkers", 'w', FL_P_INT, "0", 0, 1024, NULL,
	  "GUP-fast walker threads (vmsplice of the range) running through the operation" },
	{ "idle", 'i', FL_P_INT, "cpus", 0, 4096, NULL,
	  "threads that run once on their own CPU (thread i on the i-th CPU allowed), read a "
	  "page of the range and sleep through the operation, so every CPU has run the mm (the "
	  "seed's qemu vCPU threads)" },
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
	{ "remote_tlb_flushes_per_gib", "flushes/GiB", FL_BETTER_LOWER,
	  "remote TLB flushes the operation sent, per GiB (tlb:tlb_flush \"remote IPI send\", "
	  "all CPUs: the sender's count, also where a hypervisor flushes without an IPI)" },
	{ "remote_tlb_flushes", "flushes", FL_BETTER_LOWER,
	  "remote TLB flushes sent during the one operation (same source)" },
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
	{ "pmd_tables_freed", "tables", FL_BETTER_NONE,
	  "op munmap: PMD page tables freed, from the drop of the mm's page-table bytes "
	  "(VmPTE) less one PTE table per PMD of the range (detail.page_tables)" },
	{ "mm_cpus", "CPUs", FL_BETTER_NONE,
	  "CPUs the mm ran on: the idle threads', the walkers' during the operation, the "
	  "operation's own" },
	{ "function_call_ipis", "IPIs", FL_BETTER_LOWER,
	  "function-call IPIs during the one operation (a munmap of the whole range), all CPUs "
	  "(same source as function_call_ipis_per_gib)" },
	{ "function_call_ipis_idle", "IPIs", FL_BETTER_LOWER,
	  "function_call_ipis received by CPUs where only an idle thread had run (asleep)" },
	{ "function_call_ipis_walking", "IPIs", FL_BETTER_LOWER,
	  "function_call_ipis received by CPUs where a walker ran during the operation" },
	{ "tlb_ipis", "IPIs", FL_BETTER_LOWER,
	  "TLB-shootdown IPIs during the one operation, all CPUs" },
	{ "tlb_ipis_idle", "IPIs", FL_BETTER_LOWER,
	  "tlb_ipis received by CPUs where only an idle thread had run (asleep)" },
	{ "tlb_ipis_walking", "IPIs", FL_BETTER_LOWER,
	  "tlb_ipis received by CPUs where a walker ran during the operation" },
	{ "other_ipis", "IPIs", FL_BETTER_LOWER,
	  "IPIs of class other during the one operation (powerpc, s390: the muxed IPI rows)" },
	{ "other_ipis_idle", "IPIs", FL_BETTER_LOWER,
	  "other_ipis received by CPUs where only an idle thread had run (asleep)" },
	{ "other_ipis_walking", "IPIs", FL_BETTER_LOWER,
	  "other_ipis received by CPUs where a walker ran during the operation" },
	{ NULL },
};

/*
 * Reserve the range and its guards (PROT_NONE, no memory; lib/map_aligned.h) and map the
 * range over it read-write: align=pud puts it on a PUD boundary (its size is a multiple of
 * the PUD size), so an unmap frees every PMD table of the range whatever its neighbours are;
 * align=pmd puts it one PMD past a PUD boundary and keeps a one-page PROT_NONE guard on each
 * side, so the PMD tables of the PUD entries at its ends stay (free_pmd_range's floor and
 * ceiling are the neighbours' ends).
 */
static int map_range(struct fl_case *c, struct thpm *t)
{
	size_t guard = t->align_pud ? 0 : t->page, len = t->size + 2 * guard;
	char *lo = fl_map_reserve(len, t->pud, t->align_pud ? 0 : t->hpage - guard), *a;
	uintptr_t at;

	if (!lo)
		return fl_case_fail(c, "cannot reserve %zu bytes of address space: %s",
				    len + t->pud, strerror(errno));
	t->keep_lo = (uintptr_t)lo;
	t->keep_hi = t->keep_lo + len;
	at = t->keep_lo + guard;
	a = mmap((char *)at, t->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED)
		return fl_case_fail(c, "cannot map %zu bytes at %#lx: %s", t->size,
				    (unsigned long)at, strerror(errno));
	t->base = a;
	json_object_set_new(c->extra, "layout", json_pack("{s:s, s:I, s:I, s:b}", "align",
				t->align_pud ? "pud" : "pmd", "start", (json_int_t)at,
				"end", (json_int_t)(at + t->size), "guards", !t->align_pud));
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

static int thpm_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	struct thpm *t = calloc(1, sizeof(*t));
	char err[256];
	enum fl_pin pin;
	size_t align;
	int ret;

	if (!t)
		return fl_case_fail(c, "out of memory");
	c->priv = t;
	for (t->op = OP_MUNMAP; strcmp(thpm_op_names[t->op], fl_param_str(p, "op")); t->op++)
		;
	t->page = (size_t)sysconf(_SC_PAGESIZE);
	t->seed = 0x7468706d756e6d61ull ^ fl_now_ns();
	ret = fl_thp_require_anon(c);
	if (ret)
		return ret;
	t->hpage = fl_thp_pmd_size();
	t->pud = thpm_pud_size(t->page, t->hpage);
	t->align_pud = !strcmp(fl_param_str(p, "align"), "pud");
	align = t->align_pud ? t->pud : t->hpage;
	t->size = ((size_t)fl_param_int(p, "size") + align - 1) & ~(align - 1);
	t->npages = t->size / t->page;
	c->ops = (double)(t->size / t->hpage);
	json_object_set_new(c->extra, "size_bytes", json_integer((json_int_t)t->size));
	json_object_set_new(c->extra, "pmd_bytes", json_integer((json_int_t)t->hpage));
	json_object_set_new(c->extra, "pud_bytes", json_integer((json_int_t)t->pud));
	json_object_set_new(c->extra, "walker", json_string("vmsplice (GUP-fast) of 16 pages"));
	if (fl_case_check_memory(c, t->size, false))
		return FL_WL_FAIL;
	if (thpm_allowed_cpus(c, t))
		return FL_WL_FAIL;
	fl_pin_parse(fl_param_str(p, "pin"), &pin);
	if (fl_cpubind_last(&t->bind, pin, err, sizeof(err)))
		return fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "timing_cpu", json_integer(t->bind.cpu));
	ret = map_range(c, t);
	if (!ret)
		ret = populate(c, t);
	if (!ret && t->op == OP_MUNMAP)
		ret = thpm_precheck(c, t);
	if (!ret)
		ret = thpm_start_idle(c, t);
	if (!ret)
		ret = thpm_start_walkers(c, t, pin);
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
static int do_split(struct fl_case *c, struct thpm *t, uint64_t *t1)
{
	uint64_t t0 = fl_now_ns(), ts, tc, eagain = 0;
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
	if (fl_thp_collapse(t->base, t->size, FL_THP_COLLAPSE_TRIES, &eagain)) {
		if (errno == EINVAL)
			json_object_set_new(c->extra, "collapse", json_string(
				"MADV_COLLAPSE is not in this kernel (EINVAL): split only"));
		else
			return fl_case_fail(c, "MADV_COLLAPSE of the split range failed: %s",
					    strerror(errno));
	}
	*t1 = fl_now_ns();
	json_object_set_new(c->extra, "collapse_eagain", json_integer((json_int_t)eagain));
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
		return fl_case_fail(c, "%s of the range failed: %s", thpm_op_names[t->op],
				    strerror(errno));
	return 0;
}

static int thpm_run(struct fl_case *c)
{
	struct thpm *t = c->priv;
	uint64_t t0, t1 = 0, calls0;
	int ret;

	t->tlb = fl_tlb_flush_open();
	t->csd = fl_csd_calls_open();
	thpm_idle_snapshot(t, false);
	/* The csd counter starts last and stops first: it does not see the other's calls. */
	if (t->tlb)
		fl_tlb_flush_start(t->tlb);
	if (t->csd)
		fl_csd_calls_start(t->csd);
	thpm_pgt_before(t);
	t->irq0 = fl_read_all("/proc/interrupts", 0, 0, NULL, NULL, 0);
	t->pgt.vmpte_kb0 = thpm_vmpte_kb_now();	/* right around the op, after the mallocs */
	calls0 = atomic_load(&t->walk_calls);
	t->op_cpu0 = sched_getcpu();
	atomic_store(&t->phase, PH_OP);
	t0 = fl_now_ns();
	ret = do_op(c, t, t0, &t1);
	if (!t1)
		t1 = fl_now_ns();
	atomic_store(&t->phase, PH_AFTER);
	t->op_cpu1 = sched_getcpu();
	t->pgt.vmpte_kb1 = thpm_vmpte_kb_now();
	t->irq1 = fl_read_all("/proc/interrupts", 0, 0, NULL, NULL, 0);
	if (t->csd)
		fl_csd_calls_stop(t->csd);
	if (t->tlb)
		fl_tlb_flush_stop(t->tlb);
	thpm_idle_snapshot(t, true);
	if (t->nidle)
		json_object_set_new(c->extra, "idle", thpm_idle_json(t));
	if (ret)
		return ret;
	fl_case_metric(c, "op_ms", (double)(t1 - t0) / 1e6);
	fl_case_metric(c, "ms_per_gib", (double)(t1 - t0) / 1e6 / ((double)t->size / GIB));
	if (t->walkers)
		fl_case_metric(c, "walker_gups_per_s", (double)(atomic_load(&t->walk_calls) -
							   calls0) / ((double)(t1 - t0) / 1e9));
	thpm_ipi_metrics(c, t);
	thpm_tlb_flush_metrics(c, t);
	thpm_pgt_metrics(c, t);
	return 0;
}

static int thpm_verify(struct fl_case *c)
{
	struct thpm *t = c->priv;
	int ret;

	thpm_stop_walkers(t);
	ret = thpm_walkers_verdict(c, t);
	if (ret)
		return ret;
	switch (t->op) {
	case OP_MUNMAP:
		return thpm_verify_unmapped(c, t);
	case OP_DONTNEED:
		return thpm_verify_zero(c, t);
	default:
		return thpm_verify_stamps(c, t);
	}
}

static void thpm_teardown(struct fl_case *c)
{
	struct thpm *t = c->priv;

	if (!t)
		return;
	thpm_stop_walkers(t);
	if (t->walkers)
		fl_team_destroy(t->walkers);
	thpm_stop_idle(t);
	free(t->idle);
	if (t->keep_hi)
		munmap((char *)t->keep_lo, t->keep_hi - t->keep_lo);
	fl_cpubind_restore(&t->bind);
	free(t->irq0);
	free(t->irq1);
	fl_csd_calls_close(t->csd);
	fl_tlb_flush_close(t->tlb);
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
