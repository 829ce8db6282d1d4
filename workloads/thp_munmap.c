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
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/cpubind.h"
#include "lib/gup.h"
#include "lib/knobs.h"
#include "lib/mmstat.h"
#include "lib/smaps.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "probes/csd_calls.h"
#include "probes/procparse.h"
#include "probes/tlb_flush.h"
#include "thp_munmap_ipi.h"
#include "thp_munmap_pgt.h"
#include "workload.h"


#define WALK_PAGES 16
#define GIB (1024.0 * 1024 * 1024)

#define IDLE_SLEEP_WAIT_MS 10000	/* a TCG guest with many vCPUs is slow to schedule */

enum thpm_op { OP_MUNMAP, OP_DONTNEED, OP_MPROTECT, OP_SPLIT };

enum thpm_phase { PH_BEFORE, PH_OP, PH_AFTER };

struct thpm;

/* One idle thread: runs once on its CPU, then sleeps through the operation. */
struct thpm_idle {
	struct thpm *t;
	pthread_t thread;
	pid_t tid;
	int cpu;			/* the CPU it was pinned to */
	int ran_on;			/* sched_getcpu() there, after pinning */
	int err;			/* errno of a failed pinning, or -1: read a wrong stamp */
	char state0, state1;		/* /proc state right before and after the operation */
	int cpu1;			/* the CPU it last ran on, after the operation */
	long long sw0, sw1;		/* context switches before and after */
};

static const char *const op_names[] = {
	[OP_MUNMAP] = "munmap", [OP_DONTNEED] = "dontneed",
	[OP_MPROTECT] = "mprotect", [OP_SPLIT] = "split",
};

struct thpm {
	enum thpm_op op;
	size_t size, page, npages, hpage, pud;
	char *base;
	bool align_pud;
	uintptr_t keep_lo, keep_hi;	/* what map_range kept: the range and its guards */
	struct thpm_pgt pgt;		/* page tables around the operation */
	uint64_t seed;
	struct fl_team *walkers;
	bool walkers_joined;
	struct fl_cpubind bind;
	_Atomic int phase;		/* enum thpm_phase */
	_Atomic uint64_t walk_calls, walk_pages, walk_efault, walk_bad;
	_Atomic int first_bad_set;
	char first_bad[200];
	struct fl_stamp_report pre;	/* munmap: the stamps checked before the op */
	char *irq0, *irq1;
	struct fl_csd_calls *csd;	/* cross-CPU calls received, around the op */
	struct fl_tlb_flush *tlb;	/* tlb:tlb_flush by reason, around the op */
	int ncpus_allowed, cpus_allowed[CPU_SETSIZE];	/* this process's CPUs at setup */
	struct thpm_idle *idle;
	int nidle, idle_created, idle_in;
	bool idle_release, idle_sync;
	pthread_mutex_t idle_lock;
	pthread_cond_t idle_cond, idle_in_cond;
	_Atomic unsigned char walked_on[CPU_SETSIZE];	/* a walker ran there during the op */
	int op_cpu0, op_cpu1;		/* the operation's CPU before and after it */
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

/* During the operation: the CPU this walker is on is a walking CPU. */
static void walker_mark(struct thpm *t)
{
	int cpu;

	if (atomic_load_explicit(&t->phase, memory_order_relaxed) != PH_OP)
		return;
	cpu = sched_getcpu();
	if (cpu >= 0 && cpu < CPU_SETSIZE)
		atomic_store_explicit(&t->walked_on[cpu], 1, memory_order_relaxed);
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
		ssize_t n;

		walker_mark(t);
		n = fl_gup_read(&g, t->base + pg * t->page, len, buf);
		walker_mark(t);

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

/*
 * Reserve size + 2 PUDs (PROT_NONE, no memory) and keep of it only the range, mapped over
 * it read-write: align=pud puts it on a PUD boundary (its size is a multiple of the PUD
 * size), so an unmap frees every PMD table of the range whatever its neighbours are;
 * align=pmd puts it one PMD past a PUD boundary and keeps a one-page PROT_NONE guard on each
 * side, so the PMD tables of the PUD entries at its ends stay (free_pmd_range's floor and
 * ceiling are the neighbours' ends).
 */
static int map_range(struct fl_case *c, struct thpm *t)
{
	size_t len = t->size + 2 * t->pud;
	char *raw = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0), *a;
	uintptr_t r0 = (uintptr_t)raw, top = r0 + len, at;

	if (raw == MAP_FAILED)
		return fl_case_fail(c, "cannot reserve %zu bytes of address space: %s", len,
				    strerror(errno));
	at = ((r0 + t->pud - 1) & ~(uintptr_t)(t->pud - 1)) + (t->align_pud ? 0 : t->hpage);
	t->keep_lo = at - (t->align_pud ? 0 : t->page);
	t->keep_hi = at + t->size + (t->align_pud ? 0 : t->page);
	if (t->keep_lo > r0)
		munmap(raw, t->keep_lo - r0);
	if (top > t->keep_hi)
		munmap((char *)t->keep_hi, top - t->keep_hi);
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

/* The CPUs this process may use, read before the timing thread binds itself. */
static int allowed_cpus(struct fl_case *c, struct thpm *t)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return fl_case_fail(c, "cannot read this process's CPU affinity: %s",
				    strerror(errno));
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			t->cpus_allowed[t->ncpus_allowed++] = cpu;
	if (!t->ncpus_allowed)
		return fl_case_fail(c, "this process's CPU affinity is empty");
	return 0;
}

/* Pin to its CPU, read one stamped page there (the mm is now loaded on that CPU), check in,
 * then sleep until teardown. */
static void *idle_main(void *arg)
{
	struct thpm_idle *d = arg;
	struct thpm *t = d->t;
	size_t pg = ((size_t)(d - t->idle) * (t->hpage / t->page)) % t->npages;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(d->cpu, &set);
	d->tid = gettid();
	d->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!d->err) {
		d->ran_on = sched_getcpu();
		if (*(volatile uint64_t *)(t->base + pg * t->page) != fl_stamp_word(t->seed, pg, 0))
			d->err = -1;
	}
	pthread_mutex_lock(&t->idle_lock);
	t->idle_in++;
	pthread_cond_signal(&t->idle_in_cond);
	while (!t->idle_release)
		pthread_cond_wait(&t->idle_cond, &t->idle_lock);
	pthread_mutex_unlock(&t->idle_lock);
	return NULL;
}

/* State letter and the CPU a thread of ours last ran on (/proc/self/task/TID/stat fields
 * 3 and 39). */
static int task_stat(pid_t tid, char *state, int *cpu)
{
	char path[64], *text, *p;
	int f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	text = fl_slurp(path, NULL);
	if (!text)
		return -1;
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		free(text);
		return -1;
	}
	p += 2;
	*state = *p;
	for (f = 3; f < 39 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	*cpu = p ? atoi(p) : -1;
	free(text);
	return 0;
}

/* Voluntary plus involuntary context switches of a thread of ours, or -1. */
static long long task_switches(pid_t tid)
{
	static const char vol[] = "\nvoluntary_ctxt_switches:";
	static const char nonvol[] = "\nnonvoluntary_ctxt_switches:";
	char path[64], *text, *p;
	long long v = -1, nv = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	text = fl_slurp(path, NULL);
	if (!text)
		return -1;
	p = strstr(text, vol);
	if (p)
		v = strtoll(p + sizeof(vol) - 1, NULL, 10);
	p = strstr(text, nonvol);
	if (p)
		nv = strtoll(p + sizeof(nonvol) - 1, NULL, 10);
	free(text);
	return v < 0 || nv < 0 ? -1 : v + nv;
}

/* Give every idle thread up to IDLE_SLEEP_WAIT_MS to be asleep (state S); detail.idle says
 * what it was right before the operation. */
static void idle_wait_asleep(struct thpm *t)
{
	uint64_t end = fl_now_ns() + IDLE_SLEEP_WAIT_MS * 1000000ull;
	struct timespec ms = { 0, 1000000 };
	char st;
	int cpu;

	for (int i = 0; i < t->nidle; i++)
		while (!task_stat(t->idle[i].tid, &st, &cpu) && st != 'S' && fl_now_ns() < end)
			nanosleep(&ms, NULL);
}

static int idle_checked_in(struct fl_case *c, struct thpm *t)
{
	pthread_mutex_lock(&t->idle_lock);
	while (t->idle_in < t->idle_created)
		pthread_cond_wait(&t->idle_in_cond, &t->idle_lock);
	pthread_mutex_unlock(&t->idle_lock);
	for (int i = 0; i < t->nidle; i++) {
		struct thpm_idle *d = &t->idle[i];

		if (d->err > 0)
			return fl_case_fail(c, "idle thread %d cannot be pinned to CPU %d: %s", i,
					    d->cpu, strerror(d->err));
		if (d->err < 0)
			return fl_case_fail(c, "idle thread %d read a page of the range without its "
					    "stamp on CPU %d", i, d->cpu);
	}
	idle_wait_asleep(t);
	return 0;
}

static int start_idle(struct fl_case *c, struct thpm *t)
{
	int n = (int)fl_param_int(&c->params, "idle"), ret;

	if (!n)
		return 0;
	t->idle = calloc((size_t)n, sizeof(*t->idle));
	if (!t->idle)
		return fl_case_fail(c, "cannot allocate %d idle threads: out of memory", n);
	pthread_mutex_init(&t->idle_lock, NULL);
	pthread_cond_init(&t->idle_cond, NULL);
	pthread_cond_init(&t->idle_in_cond, NULL);
	t->idle_sync = true;
	t->nidle = n;
	for (int i = 0; i < n; i++) {
		struct thpm_idle *d = &t->idle[i];

		d->t = t;
		d->cpu = t->cpus_allowed[i % t->ncpus_allowed];
		d->ran_on = d->cpu1 = -1;
		d->sw0 = d->sw1 = -1;
		ret = pthread_create(&d->thread, NULL, idle_main, d);
		if (ret) {
			t->nidle = i;
			idle_checked_in(c, t);
			return fl_case_fail(c, "cannot create idle thread %d of %d: %s", i + 1, n,
					    strerror(ret));
		}
		t->idle_created++;
	}
	return idle_checked_in(c, t);
}

/* Right before (after = false) or after the operation: each idle thread's state, CPU and
 * context switches. */
static void idle_snapshot(struct thpm *t, bool after)
{
	for (int i = 0; i < t->nidle; i++) {
		struct thpm_idle *d = &t->idle[i];
		char st = '?';
		int cpu = -1;

		task_stat(d->tid, &st, &cpu);
		if (after) {
			d->state1 = st;
			d->cpu1 = cpu;
			d->sw1 = task_switches(d->tid);
		} else {
			d->state0 = st;
			d->sw0 = task_switches(d->tid);
		}
	}
}

static json_t *idle_json(const struct thpm *t)
{
	json_t *cpus = json_array(), *after = json_array();
	int asleep0 = 0, asleep1 = 0, ran = 0, unknown = 0, distinct = 0;
	unsigned char seen[CPU_SETSIZE] = { 0 };

	for (int i = 0; i < t->nidle; i++) {
		const struct thpm_idle *d = &t->idle[i];

		json_array_append_new(cpus, json_integer(d->ran_on));
		json_array_append_new(after, json_integer(d->cpu1));
		if (d->ran_on >= 0 && d->ran_on < CPU_SETSIZE && !seen[d->ran_on]++)
			distinct++;
		asleep0 += d->state0 == 'S';
		asleep1 += d->state1 == 'S';
		if (d->sw0 < 0 || d->sw1 < 0)
			unknown++;
		else
			ran += d->sw1 != d->sw0;
	}
	return json_pack("{s:i, s:s, s:o, s:i, s:i, s:i, s:i, s:i, s:o}", "threads", t->nidle,
			 "sleep", "pthread_cond_wait (a futex) until teardown", "cpus", cpus,
			 "distinct_cpus", distinct, "asleep_before_op", asleep0, "asleep_after_op",
			 asleep1, "ran_during_op", ran, "switches_unknown", unknown,
			 "last_cpu_after_op", after);
}

static void stop_idle(struct thpm *t)
{
	if (!t->idle_sync)
		return;
	pthread_mutex_lock(&t->idle_lock);
	t->idle_release = true;
	pthread_cond_broadcast(&t->idle_cond);
	pthread_mutex_unlock(&t->idle_lock);
	for (int i = 0; i < t->idle_created; i++)
		pthread_join(t->idle[i].thread, NULL);
	t->idle_created = 0;
	pthread_cond_destroy(&t->idle_in_cond);
	pthread_cond_destroy(&t->idle_cond);
	pthread_mutex_destroy(&t->idle_lock);
	t->idle_sync = false;
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
	for (t->op = OP_MUNMAP; strcmp(op_names[t->op], fl_param_str(p, "op")); t->op++)
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
	if (allowed_cpus(c, t))
		return FL_WL_FAIL;
	fl_pin_parse(fl_param_str(p, "pin"), &pin);
	if (fl_cpubind_last(&t->bind, pin, err, sizeof(err)))
		return fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "timing_cpu", json_integer(t->bind.cpu));
	ret = map_range(c, t);
	if (!ret)
		ret = populate(c, t);
	if (!ret && t->op == OP_MUNMAP)
		ret = precheck(c, t);
	if (!ret)
		ret = start_idle(c, t);
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
	if (fl_thp_collapse(t->base, t->size, 10, &eagain)) {
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
		if (!v && json_object_get(ipi, "status"))
			v = ipi;	/* the whole section is a status: it speaks for each class */
		if (v)
			json_object_set(per_gib, cls, v);
		else
			json_object_set_new(per_gib, cls, json_pack("{s:s, s:s}", "status",
					    "unsupported", "reason", "no IPI data"));
		thpm_metric_missing(c, metric, json_object_get(per_gib, cls));
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

	if (!fc || json_is_integer(json_object_get(fc, "total")) ||
	    !json_is_integer(json_object_get(calls, "total")))
		return;
	v = json_deep_copy(calls);
	json_object_set(v, "muxed_row", json_object_get(fc, "reason"));
	json_object_set_new(ipi, "function_call", v);
}

/* The role of each CPU during the operation (thp_munmap_ipi.h). */
static void thpm_roles_fill(struct thpm *t, struct thpm_roles *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < t->nidle; i++)
		thpm_role_set(r, t->idle[i].ran_on, THPM_IDLE);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (atomic_load(&t->walked_on[cpu]))
			thpm_role_set(r, cpu, THPM_WALKING);
	for (int i = 0; t->walkers && i < fl_team_size(t->walkers); i++)
		thpm_role_set(r, fl_team_worker(t->walkers, i)->cpu, THPM_WALKING);
	thpm_role_set(r, t->op_cpu0, THPM_SENDER);
	thpm_role_set(r, t->op_cpu1, THPM_SENDER);
}

/*
 * detail.ipi_receivers: the CPUs by role and each class split by the role of the CPU that
 * received it; the per-op metrics. A class the kernel does not count keeps its status and
 * reason. The csd counts are split too where they are not already the function_call class.
 */
static void ipi_receivers(struct fl_case *c, struct thpm *t, json_t *ipi, json_t *calls)
{
	static const char *const cls[] = { "function_call", "tlb_shootdown", "other" };
	static const char *const base[] = { "function_call_ipis", "tlb_ipis", "other_ipis" };
	json_t *cpus = json_object_get(ipi, "cpus"), *out = json_object(), *split;
	struct thpm_roles *r = malloc(sizeof(*r));

	if (!r) {
		json_decref(out);
		return;
	}
	thpm_roles_fill(t, r);
	fl_case_metric(c, "mm_cpus", thpm_roles_mm_cpus(r));
	json_object_set_new(out, "roles", thpm_roles_json(r, cpus));
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		json_t *v = json_object_get(ipi, cls[i]);

		/* No class at all: the whole section is a status (the CPU set changed). */
		split = thpm_ipi_split(v ? v : ipi, cpus, r);
		thpm_split_metrics(c, split, base[i]);
		json_object_set_new(out, cls[i], split);
	}
	if (calls && json_object_get(json_object_get(ipi, "function_call"), "source") == NULL)
		json_object_set_new(out, "csd_calls", thpm_ipi_split(calls, cpus, r));
	json_object_set_new(c->extra, "ipi_receivers", out);
	free(r);
}

static void ipi_metrics(struct fl_case *c, struct thpm *t)
{
	double gib = (double)t->size / GIB;
	json_t *ipi, *per_gib, *calls, *cpus;

	/* A section that is a status when /proc/interrupts could not be used; tlb_shootdown
	 * unsupported where a hypervisor flushes without an IPI (mmstat.h). */
	ipi = fl_ipi_delta_here(t->irq0, t->irq1);
	if (!ipi)
		ipi = json_pack("{s:s, s:s}", "status", "unsupported", "reason", "out of memory");
	calls = t->csd ? fl_csd_calls_json(t->csd) : NULL;
	ipi_function_calls(ipi, calls);
	per_gib = json_object();
	ipi_class(c, ipi, "function_call", "function_call_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "tlb_shootdown", "tlb_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "other", "other_ipis_per_gib", gib, per_gib);
	ipi_total(c, ipi, gib);
	cpus = json_object_get(ipi, "cpus");
	if (cpus)
		json_object_set(per_gib, "cpus", cpus);
	json_object_set_new(c->extra, "ipi_per_gib", per_gib);
	ipi_receivers(c, t, ipi, calls);
	json_object_set_new(c->extra, "ipi_op", ipi);
	if (calls)	/* where the row exists too: the two sources side by side */
		json_object_set_new(c->extra, "csd_calls_op", calls);
}

/* The sender's side of the remote TLB flushes (counted even where the TLB row is not), and
 * every tlb:tlb_flush reason in detail.tlb_flush_op. */
static void tlb_flush_metrics(struct fl_case *c, struct thpm *t)
{
	unsigned long long n;
	json_t *missing, *tp;

	if (!t->tlb)
		return;
	if (!fl_tlb_flush_count(t->tlb, "remote IPI send", &n, &missing)) {
		fl_case_metric(c, "remote_tlb_flushes", (double)n);
		fl_case_metric(c, "remote_tlb_flushes_per_gib", (double)n / ((double)t->size / GIB));
	} else {
		thpm_metric_missing(c, "remote_tlb_flushes", missing);
		thpm_metric_missing(c, "remote_tlb_flushes_per_gib", missing);
		json_decref(missing);
	}
	tp = json_object();
	fl_tlb_flush_emit(t->tlb, tp);
	json_object_set_new(c->extra, "tlb_flush_op", tp);
}

/* The mm's page tables in kB (VmPTE), or -1. Read into the stack: a malloc here could grow
 * the heap by a page table of its own. */
static long long vmpte_kb(void)
{
	char buf[8192];
	ssize_t n = -1;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return thpm_vmpte_kb(buf);
}

/* Before the operation: for a munmap, the PMD tables its neighbours let free_pgtables()
 * free (thp_munmap_pgt.h). */
static void pgt_before(struct thpm *t)
{
	uintptr_t s = (uintptr_t)t->base, e = s + t->size;
	char *maps = NULL;

	t->pgt = (struct thpm_pgt){ .page = t->page, .hpage = t->hpage, .pud = t->pud,
				    .size = t->size, .predicted = -1, .vmpte_kb1 = -1 };
	if (t->op == OP_MUNMAP)
		maps = fl_slurp("/proc/self/maps", NULL);
	if (maps && !thpm_maps_gap(maps, s, e, &t->pgt.floor, &t->pgt.ceiling))
		t->pgt.predicted = thpm_pmd_tables_freeable(s, e, t->pgt.floor, t->pgt.ceiling,
							     t->pud);
	free(maps);
}

/* op munmap: detail.page_tables and pmd_tables_freed, or why it is missing. */
static void pgt_metrics(struct fl_case *c, struct thpm *t)
{
	json_t *o;
	double n;

	if (t->op != OP_MUNMAP)
		return;
	o = thpm_pgt_json(&t->pgt, &n);
	if (!json_object_get(o, "status"))
		fl_case_metric(c, "pmd_tables_freed", n);
	else
		thpm_metric_missing(c, "pmd_tables_freed", o);
	json_object_set_new(c->extra, "page_tables", o);
}

static int thpm_run(struct fl_case *c)
{
	struct thpm *t = c->priv;
	uint64_t t0, t1 = 0, calls0;
	int ret;

	t->tlb = fl_tlb_flush_open();
	t->csd = fl_csd_calls_open();
	idle_snapshot(t, false);
	/* The csd counter starts last and stops first: it does not see the other's calls. */
	if (t->tlb)
		fl_tlb_flush_start(t->tlb);
	if (t->csd)
		fl_csd_calls_start(t->csd);
	pgt_before(t);
	t->irq0 = fl_slurp("/proc/interrupts", NULL);
	t->pgt.vmpte_kb0 = vmpte_kb();	/* right around the op, after the mallocs */
	calls0 = atomic_load(&t->walk_calls);
	t->op_cpu0 = sched_getcpu();
	atomic_store(&t->phase, PH_OP);
	t0 = fl_now_ns();
	ret = do_op(c, t, t0, &t1);
	if (!t1)
		t1 = fl_now_ns();
	atomic_store(&t->phase, PH_AFTER);
	t->op_cpu1 = sched_getcpu();
	t->pgt.vmpte_kb1 = vmpte_kb();
	t->irq1 = fl_slurp("/proc/interrupts", NULL);
	if (t->csd)
		fl_csd_calls_stop(t->csd);
	if (t->tlb)
		fl_tlb_flush_stop(t->tlb);
	idle_snapshot(t, true);
	if (t->nidle)
		json_object_set_new(c->extra, "idle", idle_json(t));
	if (ret)
		return ret;
	fl_case_metric(c, "op_ms", (double)(t1 - t0) / 1e6);
	fl_case_metric(c, "ms_per_gib", (double)(t1 - t0) / 1e6 / ((double)t->size / GIB));
	if (t->walkers)
		fl_case_metric(c, "walker_gups_per_s", (double)(atomic_load(&t->walk_calls) -
							   calls0) / ((double)(t1 - t0) / 1e9));
	ipi_metrics(c, t);
	tlb_flush_metrics(c, t);
	pgt_metrics(c, t);
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
	stop_idle(t);
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
