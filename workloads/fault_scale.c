// SPDX-License-Identifier: GPL-2.0
/*
 * fault-scale: will-it-scale's page_fault tests (seed 001, SPF v12 / per-VMA locks). N
 * threads of one mm each loop: map a private region, fault every page, munmap. Kinds:
 *   anon         MAP_PRIVATE|MAP_ANONYMOUS, write          (will-it-scale page_fault1)
 *   file-private MAP_PRIVATE of a file, write: COW faults   (page_fault2)
 *   file-shared  MAP_SHARED of a file, write               (page_fault3)
 *   file-read    MAP_SHARED of a file, read faults only
 * An optional writer thread maps, touches and unmaps small regions elsewhere in the same mm,
 * so faults meet mmap-lock writers and VMA changes: the fallback paths of SPF or per-VMA
 * locks fire. One op is one page faulted in.
 * Verification: every faulted page's first word is read back in the loop (it is what the
 * fault wrote, or the file's stamp); each thread's last region stays mapped and is checked
 * again after the run (file-shared through pread of the file: the page cache has it).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/badlog.h"
#include "lib/fault_timer.h"
#include "lib/mmstat.h"
#include "lib/samples.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "lib/timing.h"
#include "workload.h"

enum fs_kind { FS_ANON, FS_FILE_PRIVATE, FS_FILE_SHARED, FS_FILE_READ };

static const char *const fs_kind_names[] = {
	[FS_ANON] = "anon", [FS_FILE_PRIVATE] = "file-private",
	[FS_FILE_SHARED] = "file-shared", [FS_FILE_READ] = "file-read",
};

#define WRITER_PAGES 16

struct fs_thread {
	int fd;				/* file kinds: this thread's (unlinked) file */
	char *last;			/* the last region, left mapped for verify() */
	uint64_t last_iter;
	uint64_t checked;
} __attribute__((aligned(64)));

struct fault_scale {
	enum fs_kind kind;
	size_t page, size, npages;
	bool writer, thp;
	bool fault_latency;		/* time each page's first touch */
	struct fl_fclock clk;
	int nthreads;
	struct fs_thread *t;
	struct fl_team *team;
	pthread_t writer_tid;
	bool writer_started;
	atomic_bool writer_stop;
	_Atomic uint64_t writer_ops;
	char writer_err[160];
	struct fl_badlog bad;		/* pages that did not read back what was written */
	struct fl_mmsnap s0, s1;
};

static const struct fl_param fs_params[] = {
	{ "threads", 't', FL_P_INT, "cpus", 1, 4096, NULL, "faulting threads in one mm" },
	{ "size", 's', FL_P_SIZE, "16M", 4096, 1ull << 40, NULL,
	  "region each thread maps, faults and unmaps per loop" },
	{ "kind", 'k', FL_P_ENUM, "anon", 0, 0, "anon|file-private|file-shared|file-read",
	  "anon: page_fault1; file-private: page_fault2 (COW); file-shared: page_fault3; "
	  "file-read: read faults of a shared file mapping" },
	{ "writer", 'w', FL_P_BOOL, NULL, 0, 0, NULL,
	  "one more thread mmaps/touches/munmaps small regions in the same mm meanwhile" },
	{ "seconds", 'S', FL_P_DOUBLE, "5", 0.1, 86400, NULL, "length of the measured phase" },
	{ "dir", 'd', FL_P_STRING, "/dev/shm", 0, 0, NULL,
	  "directory for the file kinds' files (tmpfs by default; a disk filesystem works too)" },
	{ "thp", 0, FL_P_BOOL, NULL, 0, 0, NULL,
	  "MADV_HUGEPAGE the anon regions (default MADV_NOHUGEPAGE: one fault per page)" },
	{ "pin", 0, FL_P_ENUM, "pu", 0, 0, "none|core|pu", "bind threads with hwloc" },
	FL_FAULT_LAT_PARAM,
	{ NULL },
};

static const struct fl_metric fs_metrics[] = {
	{ "faults_per_s", "faults/s", FL_BETTER_HIGHER, "pages faulted per second, all threads" },
	{ "thread_min_faults_per_s", "faults/s", FL_BETTER_HIGHER, "slowest thread" },
	{ "thread_max_faults_per_s", "faults/s", FL_BETTER_HIGHER, "fastest thread" },
	{ "writer_ops_per_s", "ops/s", FL_BETTER_HIGHER,
	  "writer thread map+touch+unmap cycles per second (writer=true only)" },
	{ "faults_per_page", "faults/page", FL_BETTER_NONE,
	  "page faults of the process (getrusage, writer included) per page faulted" },
	{ "vma_lock_fallback_pct", "%", FL_BETTER_LOWER,
	  "faults that fell back to the mmap lock: vma_lock_{abort,miss,retry} / all vma_lock_* "
	  "(system-wide vmstat; only with CONFIG_PER_VMA_LOCK_STATS)" },
	{ "vma_lock_abort_pct", "%", FL_BETTER_LOWER,
	  "vma_lock_abort / all vma_lock_* (only with CONFIG_PER_VMA_LOCK_STATS)" },
	{ "spf_pct", "%", FL_BETTER_HIGHER,
	  "speculative_pgfault / pgfault (system-wide vmstat; only on an SPF kernel)" },
	FL_FAULT_LAT_METRICS("a page of a region: its fault (thp: a PMD's first page faults)"),
	{ "samples", "faults/s", FL_BETTER_HIGHER, "faults per second, each second" },
	{ NULL },
};

/* What thread id writes into word 0 of page pg in iteration it (file kinds: the stamp). */
static uint64_t fs_expect(const struct fault_scale *f, int id, uint64_t it, size_t pg)
{
	if (f->kind == FS_FILE_READ)
		return fl_stamp_word((uint64_t)id + 1, pg, 0);
	return fl_stamp_word(((uint64_t)id + 1) << 40 | it, pg, 0);
}

/* Word 0 of page pg as loaded (v) against what iteration it stored there (wrote) or the
 * file's stamp. */
static void fs_check(struct fault_scale *f, int id, uint64_t it, size_t pg, uint64_t v,
		     bool wrote)
{
	uint64_t want = fs_expect(f, id, it, pg);

	if (v != want)
		fl_badlog_note(&f->bad, "thread %d iteration %lu page %zu: read %s%#lx, %s %#lx",
			       id, (unsigned long)it, pg, wrote ? "back " : "", (unsigned long)v,
			       wrote ? "wrote" : "expected", (unsigned long)want);
}

static char *fs_map(struct fault_scale *f, struct fs_thread *t)
{
	int prot = f->kind == FS_FILE_READ ? PROT_READ : PROT_READ | PROT_WRITE;
	int flags = f->kind == FS_ANON ? MAP_PRIVATE | MAP_ANONYMOUS :
		    f->kind == FS_FILE_PRIVATE ? MAP_PRIVATE : MAP_SHARED;
	char *p = mmap(NULL, f->size, prot, flags, f->kind == FS_ANON ? -1 : t->fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (f->kind == FS_ANON)
		madvise(p, f->size, f->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* Fault every page of the region (the first access of each page, timed into w->hist when
 * asked), then read word 0 back. */
static void fs_fault_region(struct fault_scale *f, struct fl_worker *w, char *p, uint64_t it)
{
	struct fs_thread *t = &f->t[w->id];
	struct fl_ftouch ft;
	size_t pg;

	fl_ftouch_init(&ft, &f->clk, w->hist);
	fl_ftouch_start(&ft);
	if (f->kind == FS_FILE_READ) {
		for (pg = 0; pg < f->npages; pg++) {
			uint64_t v = *(volatile uint64_t *)(p + pg * f->page);

			fl_ftouch_mark(&ft);
			fs_check(f, w->id, it, pg, v, false);
		}
	} else {
		for (pg = 0; pg < f->npages; pg++) {
			*(volatile uint64_t *)(p + pg * f->page) = fs_expect(f, w->id, it, pg);
			fl_ftouch_mark(&ft);
		}
		for (pg = 0; pg < f->npages; pg++)
			fs_check(f, w->id, it, pg, *(volatile uint64_t *)(p + pg * f->page), true);
	}
	t->checked += f->npages;
}

static void fs_worker(struct fl_worker *w)
{
	struct fault_scale *f = w->arg;
	struct fs_thread *t = &f->t[w->id];

	for (uint64_t it = 0; ; it++) {
		char *p = fs_map(f, t);

		if (!p) {
			w->err = 1;
			snprintf(w->errmsg, sizeof(w->errmsg), "mmap of %zu bytes failed: %s",
				 f->size, strerror(errno));
			return;
		}
		fs_fault_region(f, w, p, it);
		atomic_fetch_add_explicit(&w->ops, f->npages, memory_order_relaxed);
		if (fl_team_stopping(w)) {
			t->last = p;
			t->last_iter = it;
			return;
		}
		munmap(p, f->size);
	}
}

/* Map, touch one page, unmap: mmap-lock writers and VMA changes beside the faulting threads. */
static void *fs_writer(void *arg)
{
	struct fault_scale *f = arg;
	size_t len = WRITER_PAGES * f->page;

	while (!atomic_load_explicit(&f->writer_stop, memory_order_relaxed)) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED) {
			snprintf(f->writer_err, sizeof(f->writer_err),
				 "writer: mmap of %zu bytes failed: %s", len, strerror(errno));
			return NULL;
		}
		p[0] = 1;
		munmap(p, len);
		atomic_fetch_add_explicit(&f->writer_ops, 1, memory_order_relaxed);
	}
	return NULL;
}

/* A file of f->size for thread id, unlinked at once, every page stamped. */
static int fs_make_file(struct fl_case *c, struct fault_scale *f, int id)
{
	const char *dir = fl_param_str(&c->params, "dir");
	char path[512];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/faultline-fault-scale.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return fl_case_fail(c, "cannot create a file in %s (parameter dir): %s", dir,
				    strerror(errno));
	unlink(path);
	f->t[id].fd = fd;
	if (ftruncate(fd, (off_t)f->size))
		return fl_case_fail(c, "cannot size a file in %s to %zu bytes: %s", dir, f->size,
				    strerror(errno));
	p = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fl_case_fail(c, "cannot map the file in %s: %s", dir, strerror(errno));
	for (size_t pg = 0; pg < f->npages; pg++)
		fl_stamp_fill_page(p + pg * f->page, f->page, (uint64_t)id + 1, pg);
	munmap(p, f->size);
	return 0;
}

static int fs_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	struct fault_scale *f = calloc(1, sizeof(*f));
	unsigned long long need;
	enum fl_pin pin;
	char err[256];

	if (!f)
		return fl_case_fail(c, "out of memory");
	c->priv = f;
	f->page = (size_t)sysconf(_SC_PAGESIZE);
	f->nthreads = (int)fl_param_int(p, "threads");
	f->size = (size_t)fl_param_int(p, "size") / f->page * f->page;
	f->npages = f->size / f->page;
	f->writer = fl_param_bool(p, "writer");
	f->thp = fl_param_bool(p, "thp");
	f->fault_latency = fl_param_bool(p, "fault_latency");
	for (int k = 0; k <= FS_FILE_READ; k++)
		if (!strcmp(fl_param_str(p, "kind"), fs_kind_names[k]))
			f->kind = (enum fs_kind)k;
	need = (unsigned long long)f->nthreads * f->size * (f->kind == FS_ANON ? 1 : 2);
	if (fl_case_check_memory(c, need, false))
		return FL_WL_FAIL;
	f->t = aligned_alloc(64, sizeof(*f->t) * (size_t)f->nthreads);
	if (!f->t)
		return fl_case_fail(c, "out of memory");
	memset(f->t, 0, sizeof(*f->t) * (size_t)f->nthreads);
	for (int i = 0; i < f->nthreads; i++)
		f->t[i].fd = -1;
	for (int i = 0; f->kind != FS_ANON && i < f->nthreads; i++)
		if (fs_make_file(c, f, i))
			return FL_WL_FAIL;
	fl_pin_parse(fl_param_str(p, "pin"), &pin);
	if (f->fault_latency)
		fl_fclock_init(&f->clk);
	f->team = fl_team_create(f->nthreads, pin, f->fault_latency, (uint64_t)fl_now_ns(), fs_worker, f,
				 err, sizeof(err));
	if (!f->team)
		return fl_case_fail(c, "%s", err);
	json_object_set_new(c->extra, "pages_per_region", json_integer((json_int_t)f->npages));
	return 0;
}

static double fs_pct(unsigned long long part, unsigned long long all)
{
	return all ? 100.0 * (double)part / (double)all : 0;
}

/* vma_lock_* and speculative_pgfault as metrics when this kernel prints them; else say why. */
static void fs_mechanisms(struct fl_case *c, struct fault_scale *f)
{
	unsigned long long ok, abort_, retry, miss, spf, pgf, all;
	json_t *why = json_object();

	if (!fl_mmsnap_vmstat(&f->s0, &f->s1, "vma_lock_success", &ok) &&
	    !fl_mmsnap_vmstat(&f->s0, &f->s1, "vma_lock_abort", &abort_) &&
	    !fl_mmsnap_vmstat(&f->s0, &f->s1, "vma_lock_retry", &retry) &&
	    !fl_mmsnap_vmstat(&f->s0, &f->s1, "vma_lock_miss", &miss)) {
		all = ok + abort_ + retry + miss;
		if (all) {
			fl_case_metric(c, "vma_lock_fallback_pct", fs_pct(abort_ + retry + miss, all));
			fl_case_metric(c, "vma_lock_abort_pct", fs_pct(abort_, all));
		} else {
			json_object_set_new(why, "vma_lock", json_string(
				"vma_lock_* are in /proc/vmstat but none moved during the run: "
				"no fault took the per-VMA lock path (arch without PER_VMA_LOCK?)"));
		}
	} else {
		json_object_set_new(why, "vma_lock", json_string(
			"no vma_lock_* in /proc/vmstat: kernel built without "
			"CONFIG_PER_VMA_LOCK_STATS (per-VMA locks may still be on; "
			"their success/abort/retry/miss split is not counted)"));
	}
	if (!fl_mmsnap_vmstat(&f->s0, &f->s1, "speculative_pgfault", &spf) &&
	    !fl_mmsnap_vmstat(&f->s0, &f->s1, "pgfault", &pgf) && pgf)
		fl_case_metric(c, "spf_pct", fs_pct(spf, pgf));
	else
		json_object_set_new(why, "spf", json_string(
			"no speculative_pgfault in /proc/vmstat: not an SPF kernel "
			"(CONFIG_SPECULATIVE_PAGE_FAULT never went upstream)"));
	json_object_set_new(c->extra, "mechanism_metrics_absent", why);
}

static void fs_fault_latency(struct fl_case *c, struct fault_scale *f)
{
	struct fl_hist *h;

	if (!f->fault_latency) {
		fl_fault_latency_absent(c, "not timed: fault_latency=false");
		return;
	}
	h = fl_team_hist_merged(f->team);
	fl_fault_latency_report(c, &f->clk, h, f->kind == FS_FILE_READ ?
				"the first load from each page of a fresh mapping: a read fault, or none "
				"where the fault-around of an earlier fault mapped the page "
				"(faults_per_page says how many faulted)" :
				"the first store to each page of a fresh mapping: a write fault");
	free(h);
}

static int fs_start_writer(struct fl_case *c, struct fault_scale *f)
{
	int err;

	if (!f->writer)
		return 0;
	err = pthread_create(&f->writer_tid, NULL, fs_writer, f);
	if (err)
		return fl_case_fail(c, "cannot start the writer thread: %s", strerror(err));
	f->writer_started = true;
	pthread_setname_np(f->writer_tid, "fl-writer");	/* its comm tells it apart in traces */
	return 0;
}

static void fs_stop_writer(struct fault_scale *f)
{
	if (!f->writer_started)
		return;
	atomic_store(&f->writer_stop, true);
	pthread_join(f->writer_tid, NULL);
	f->writer_started = false;
}

static int fs_run(struct fl_case *c)
{
	struct fault_scale *f = c->priv;
	struct fl_worker *failed;
	struct fl_rusage ru;
	json_t *samples;
	double elapsed;

	fl_mmsnap_take(&f->s0);
	if (fs_start_writer(c, f))
		return FL_WL_FAIL;
	samples = fl_run_team_sampled(f->team, fl_param_double(&c->params, "seconds"), &elapsed);
	fs_stop_writer(f);
	fl_case_rusage(c, FL_RU_SELF, &ru);
	fl_mmsnap_take(&f->s1);
	failed = fl_team_failed(f->team);
	if (failed || f->writer_err[0]) {
		json_decref(samples);
		if (failed)
			return fl_case_fail(c, "thread %d: %s", failed->id, failed->errmsg);
		return fl_case_fail(c, "%s", f->writer_err);
	}
	c->ops = (double)fl_team_ops(f->team);
	fl_case_metric(c, "faults_per_s", c->ops / elapsed);
	fl_case_thread_rates(c, f->team, elapsed, "thread_min_faults_per_s",
			     "thread_max_faults_per_s");
	if (f->writer)
		fl_case_metric(c, "writer_ops_per_s", (double)f->writer_ops / elapsed);
	if (c->ops > 0)
		fl_case_metric(c, "faults_per_page", ru.faults / c->ops);
	fs_mechanisms(c, f);
	fs_fault_latency(c, f);
	fl_case_samples(c, "samples", "faults/s", samples);
	return 0;
}

/* Test hook: flip a byte of page pg (pages counted across the threads' last regions). */
static void fs_inject(struct fault_scale *f, unsigned long pg)
{
	unsigned long id = pg / f->npages, off = (pg % f->npages) * f->page;
	struct fs_thread *t;
	unsigned char b;

	if (id >= (unsigned long)f->nthreads || !f->t[id].last)
		return;
	t = &f->t[id];
	if (f->kind != FS_FILE_READ) {
		t->last[off] ^= 0x5a;
		return;
	}
	b = (unsigned char)(t->last[off] ^ 0x5a);	/* read-only mapping: through the file */
	if (pwrite(t->fd, &b, 1, (off_t)off) != 1)
		fl_badlog_note(&f->bad, "thread %lu: cannot write the test corruption: %s", id,
			       strerror(errno));
}

/* Word 0 of every page of thread i's last region: in the mapping, and for file-shared also
 * in the file itself (pread: the page cache holds what the mapping wrote). */
static void fs_check_last(struct fault_scale *f, int i)
{
	struct fs_thread *t = &f->t[i];

	for (size_t pg = 0; t->last && pg < f->npages; pg++) {
		uint64_t want = fs_expect(f, i, t->last_iter, pg), v;

		v = *(volatile uint64_t *)(t->last + pg * f->page);
		if (f->kind == FS_FILE_SHARED &&
		    pread(t->fd, &v, sizeof(v), (off_t)(pg * f->page)) != sizeof(v))
			v = ~want;
		if (v != want)
			fl_badlog_note(&f->bad, "thread %d page %zu (case page %zu) of the last "
				       "region: found %#lx, expected %#lx", i, pg,
				       (size_t)i * f->npages + pg, (unsigned long)v,
				       (unsigned long)want);
		t->checked++;
	}
}

static int fs_verify(struct fl_case *c)
{
	struct fault_scale *f = c->priv;
	uint64_t checked = 0;

	if (c->test.corrupt_page >= 0)
		fs_inject(f, (unsigned long)c->test.corrupt_page);
	for (int i = 0; i < f->nthreads; i++) {
		fs_check_last(f, i);
		checked += f->t[i].checked;
	}
	return fl_case_verdict(c, "page", checked, fl_badlog_count(&f->bad), f->bad.first);
}

static void fs_teardown(struct fl_case *c)
{
	struct fault_scale *f = c->priv;

	if (!f)
		return;
	fs_stop_writer(f);
	if (f->team)
		fl_team_destroy(f->team);
	for (int i = 0; f->t && i < f->nthreads; i++) {
		if (f->t[i].last)
			munmap(f->t[i].last, f->size);
		if (f->t[i].fd >= 0)
			close(f->t[i].fd);
	}
	fl_mmsnap_free(&f->s0);
	fl_mmsnap_free(&f->s1);
	free(f->t);
	free(f);
	c->priv = NULL;
}

const struct fl_workload fl_wl_fault_scale = {
	.name = "fault-scale",
	.summary = "threads fault pages in one mm (page_fault1/2/3), optional mmap writer "
		   "(seed 001)",
	.params = fs_params,
	.metrics = fs_metrics,
	.op_unit = "fault",
	.events = "pagefault:*,mmap_lock:*,exceptions:page_fault_user",
	.setup = fs_setup,
	.run = fs_run,
	.verify = fs_verify,
	.teardown = fs_teardown,
};
