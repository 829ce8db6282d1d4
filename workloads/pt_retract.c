// SPDX-License-Identifier: GPL-2.0
/*
 * pt-retract (seed 002, page tables freed by RCU): collapse file-backed ranges into huge pages
 * while walker threads read the range locklessly and child processes that map the range exit,
 * so khugepaged's retract_page_tables() (which frees page tables of other mms without their
 * mmap lock) races with GUP-fast and with exit. Each round makes a new file (a memfd on the
 * internal shmem mount, or an unlinked regular file for READ_ONLY_THP_FOR_FS), writes page
 * stamps through the file (small pages), maps it at a PMD-aligned address, faults it in, and
 * collapses it: MADV_COLLAPSE per PMD (each timed), or khugepaged: kept slow (pages_to_scan 8,
 * a long scan sleep) while the round's file is made and its "before" is measured, then told to
 * scan fast (journaled); each PMD's collapse is timed from the huge_memory tracepoints
 * (lib/collapse_trace.h).
 * Walkers: vmsplice of 16 pages (GUP-fast), each page's first word checked. Exiters: fork a
 * child that maps the current file PMD-aligned, checks one word per page and exits; the parent
 * times fork -> waitpid and the child's _exit -> waitpid. Afterwards every page is verified
 * and the kernel log written during the case is scanned for Bad page state, BUG, WARNING, Oops.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/collapse_trace.h"
#include "lib/gup.h"
#include "lib/hist.h"
#include "fl_interrupt.h"
#include "lib/kmsg.h"
#include "lib/knobs.h"
#include "lib/smaps.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "probes/procparse.h"
#include "workload.h"


#define WALK_PAGES 16
#define POLL_NS (20 * 1000000ull)

enum ptr_target { TARGET_SHMEM, TARGET_FILE };

/* One round's file and the parent's mapping of it. */
struct ptr_file {
	int fd;			/* -1: none */
	char *map;
	uint64_t seed;
};

/* What a child tells its parent (a shared anonymous page per exiter). */
struct ptr_slot {
	uint64_t exit_ns;	/* fl_now_ns() just before _exit */
	uint64_t bad_page;
	uint64_t bad_found;
};

struct ptr_exiter {
	struct fl_hist life, exit;
	uint64_t children, bad, failed;
	char first_bad[160];
};

struct ptr {
	enum ptr_target target;
	bool khugepaged;
	size_t size, page, npages, hpage, npmd;
	int rounds, nwalk, nexit;
	double timeout_s;
	const char *dir;
	pthread_rwlock_t lock;		/* writers: the round switch; readers: walkers, forks */
	bool lock_init;
	struct ptr_file cur;
	struct fl_team *walkers, *exiters;
	struct ptr_exiter *ex;
	struct ptr_slot *slots;		/* MAP_SHARED anonymous, one per exiter */
	struct fl_hist collapse, round;
	uint64_t collapses, collapse_fail, eagain;
	_Atomic uint64_t walk_calls, walk_pages, walk_efault, walk_bad;
	_Atomic int first_bad_set;
	char first_bad[200];
	struct fl_kmsg kmsg;
	bool kmsg_open;
	char *buf;			/* one PMD of stamps for pwrite */
	char *anchor;			/* khugepaged: anonymous MADV_HUGEPAGE registration */
	struct fl_ctrace *trace;	/* khugepaged: the huge_memory tracepoints */
	char trace_why[256];
	uint64_t t0;			/* the current round's fast scan asked */
};

static const struct fl_param ptr_params[] = {
	{ "size", 's', FL_P_SIZE, "64M", 2 << 20, 1ull << 40, NULL,
	  "bytes of file to collapse (rounded up to the PMD size)" },
	{ "mode", 'm', FL_P_ENUM, "madvise-collapse", 0, 0, "madvise-collapse|khugepaged",
	  "who collapses: MADV_COLLAPSE per PMD, or khugepaged (slow until each round's before "
	  "snapshot, then a fast scan; journaled)" },
	{ "target", 't', FL_P_ENUM, "shmem", 0, 0, "shmem|file",
	  "shmem: a memfd; file: an unlinked regular file in dir (READ_ONLY_THP_FOR_FS)" },
	{ "walkers", 'w', FL_P_INT, "1", 0, 1024, NULL,
	  "GUP-fast reader threads (vmsplice of the range)" },
	{ "exiters", 'e', FL_P_INT, "2", 0, 256, NULL,
	  "threads each forking, one at a time, children that map the range and exit" },
	{ "rounds", 'r', FL_P_INT, "4", 1, 100000, NULL,
	  "collapse cycles: new file written as small pages, mapped, collapsed" },
	{ "timeout", 0, FL_P_DOUBLE, "30", 1, 3600, NULL,
	  "mode khugepaged: seconds to wait for a round's collapse" },
	{ "dir", 'd', FL_P_STRING, "/var/tmp", 0, 0, NULL,
	  "target file: directory of the regular file (not tmpfs)" },
	{ "pin", 0, FL_P_ENUM, "core", 0, 0, "none|core|pu", "bind walker threads with hwloc" },
	{ NULL },
};

static const struct fl_metric ptr_metrics[] = {
	{ "round_ms_p50", "ms", FL_BETTER_LOWER,
	  "time to collapse the whole range, median over rounds" },
	{ "collapses", "collapses", FL_BETTER_HIGHER, "PMD-size collapses done, all rounds" },
	{ "collapse_ms_p50", "ms", FL_BETTER_LOWER, "collapse of one PMD, median: MADV_COLLAPSE "
	  "(with its EAGAIN retries), or khugepaged from its huge_memory tracepoints" },
	{ "collapse_ms_p99", "ms", FL_BETTER_LOWER, "collapse of one PMD, 99th percentile" },
	{ "collapse_ms_max", "ms", FL_BETTER_LOWER, "MADV_COLLAPSE of one PMD, slowest" },
	{ "exit_ms_p50", "ms", FL_BETTER_LOWER, "a mapping child's _exit -> parent's waitpid, median" },
	{ "exit_ms_p99", "ms", FL_BETTER_LOWER, "the same, 99th percentile" },
	{ "child_ms_p50", "ms", FL_BETTER_LOWER, "fork -> waitpid of a mapping child, median" },
	{ "child_ms_p99", "ms", FL_BETTER_LOWER, "the same, 99th percentile" },
	{ "thp_share_after", "%", FL_BETTER_HIGHER,
	  "PMD-mapped share of the range after the last round's collapse" },
	{ "children", "processes", FL_BETTER_NONE, "mapping children that ran and exited" },
	{ NULL },
};

static void note_bad(struct ptr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_bad(struct ptr *t, const char *fmt, ...)
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

/* Map len bytes of fd read-only at a PMD-aligned address (so collapse and retract apply). */
static char *map_aligned(int fd, size_t len, size_t hpage)
{
	char *raw = mmap(NULL, len + hpage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	char *p;

	if (raw == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)raw + hpage - 1) & ~(uintptr_t)(hpage - 1);
	p = mmap((void *)a, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(raw, len + hpage);
		return NULL;
	}
	if (a > (uintptr_t)raw)
		munmap(raw, a - (uintptr_t)raw);
	if ((uintptr_t)raw + hpage > a)
		munmap((char *)a + len, (uintptr_t)raw + hpage - a);
	return p;
}

/* ---- walkers -------------------------------------------------------------------- */

static void walk_once(struct ptr *t, struct fl_worker *w, struct fl_gup_pipe *g, uint64_t *buf)
{
	size_t words = t->page / sizeof(uint64_t);
	uint64_t pg = fl_rng_below(&w->rng, t->npages - WALK_PAGES + 1);
	ssize_t n;

	pthread_rwlock_rdlock(&t->lock);
	n = fl_gup_read(g, t->cur.map + pg * t->page, WALK_PAGES * t->page, buf);
	if (n < 0) {
		pthread_rwlock_unlock(&t->lock);
		if (errno != EFAULT) {
			w->err = 1;
			snprintf(w->errmsg, sizeof(w->errmsg), "vmsplice of the range failed: %s",
				 strerror(errno));
		}
		atomic_fetch_add(&t->walk_efault, 1);
		return;
	}
	for (size_t i = 0; i < (size_t)n / t->page; i++) {
		uint64_t want = fl_stamp_word(t->cur.seed, pg + i, 0);

		if (buf[i * words] != want)
			note_bad(t, "walker %d read page %llu through vmsplice: word 0 is %#llx, "
				 "expected %#llx", w->id, (unsigned long long)(pg + i),
				 (unsigned long long)buf[i * words], (unsigned long long)want);
	}
	pthread_rwlock_unlock(&t->lock);
	atomic_fetch_add_explicit(&t->walk_pages, (uint64_t)n / t->page, memory_order_relaxed);
}

static void walker(struct fl_worker *w)
{
	struct ptr *t = w->arg;
	struct fl_gup_pipe g;
	uint64_t *buf = malloc(WALK_PAGES * t->page);

	if (!buf || fl_gup_open(&g, WALK_PAGES * t->page, w->errmsg, sizeof(w->errmsg))) {
		if (!buf)
			snprintf(w->errmsg, sizeof(w->errmsg), "cannot allocate a walker buffer");
		w->err = 1;
		free(buf);
		return;
	}
	while (!fl_team_stopping(w) && !w->err) {
		walk_once(t, w, &g, buf);
		atomic_fetch_add_explicit(&t->walk_calls, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	fl_gup_close(&g);
	free(buf);
}

/* ---- exiters -------------------------------------------------------------------- */

/* The child: map the file, read one word of every page, check it, exit. */
static __attribute__((noreturn)) void child(struct ptr *t, struct ptr_slot *slot, int fd,
					    uint64_t seed)
{
	const char *p = map_aligned(fd, t->size, t->hpage);

	if (!p)
		_exit(1);
	for (size_t pg = 0; pg < t->npages; pg++) {
		uint64_t got = *(const volatile uint64_t *)(p + pg * t->page);

		if (got != fl_stamp_word(seed, pg, 0)) {
			slot->bad_page = pg;
			slot->bad_found = got;
			_exit(2);
		}
	}
	slot->exit_ns = fl_now_ns();
	_exit(0);
}

static void exit_once(struct ptr *t, struct fl_worker *w)
{
	struct ptr_exiter *e = &t->ex[w->id];
	struct ptr_slot *slot = &t->slots[w->id];
	uint64_t t0, t1;
	int status;
	pid_t pid;

	memset(slot, 0, sizeof(*slot));
	pthread_rwlock_rdlock(&t->lock);
	t0 = fl_now_ns();
	pid = fork();
	if (pid == 0)
		child(t, slot, t->cur.fd, t->cur.seed);
	pthread_rwlock_unlock(&t->lock);
	if (pid < 0) {
		w->err = 1;
		snprintf(w->errmsg, sizeof(w->errmsg), "fork failed: %s", strerror(errno));
		return;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t1 = fl_now_ns();
	e->children++;
	fl_hist_record(&e->life, t1 - t0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && slot->exit_ns && slot->exit_ns <= t1) {
		fl_hist_record(&e->exit, t1 - slot->exit_ns);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		if (!e->bad++)
			snprintf(e->first_bad, sizeof(e->first_bad),
				 "a child read page %llu of the file as %#llx",
				 (unsigned long long)slot->bad_page,
				 (unsigned long long)slot->bad_found);
	} else if (!e->failed++) {
		snprintf(e->first_bad, sizeof(e->first_bad), "a child ended with status %#x "
			 "(1: it could not map the file)", status);
	}
}

static void exiter(struct fl_worker *w)
{
	struct ptr *t = w->arg;

	while (!fl_team_stopping(w) && !w->err) {
		exit_once(t, w);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
}

/* ---- one round's file ----------------------------------------------------------- */

static int file_open(struct ptr *t, char *err, size_t len)
{
	int fd;

	if (t->target == TARGET_SHMEM) {
		fd = memfd_create("faultline-pt-retract", 0);
		if (fd < 0)
			snprintf(err, len, "memfd_create failed: %s", strerror(errno));
		return fd;
	}
	fd = open(t->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		snprintf(err, len, "cannot create an unlinked file in %s: %s", t->dir,
			 strerror(errno));
	return fd;
}

/* A regular file must not be open for writing when it is collapsed: reopen it read-only. */
static int file_readonly(int fd, char *err, size_t len)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		snprintf(err, len, "cannot reopen the file read-only: %s", strerror(errno));
	close(fd);
	return ro;
}

/* Stamps written through the file, PMD by PMD. */
static int file_write(struct ptr *t, int fd, uint64_t seed, char *err, size_t len)
{
	size_t ppp = t->hpage / t->page;

	if (ftruncate(fd, (off_t)t->size)) {
		snprintf(err, len, "ftruncate to %zu bytes failed: %s", t->size, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < t->npmd; i++) {
		fl_stamp_fill(t->buf, ppp, t->page, seed, i * ppp);
		if (pwrite(fd, t->buf, t->hpage, (off_t)(i * t->hpage)) != (ssize_t)t->hpage) {
			snprintf(err, len, "writing the file failed: %s", strerror(errno));
			return -1;
		}
	}
	if (t->target == TARGET_FILE && fsync(fd)) {
		snprintf(err, len, "fsync of the file failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* New file, stamped, mapped, faulted in as small pages. */
static int file_make(struct ptr *t, struct ptr_file *f, uint64_t seed, char *err, size_t len)
{
	volatile uint64_t sink = 0;

	f->map = NULL;
	f->seed = seed;
	f->fd = file_open(t, err, len);
	if (f->fd < 0)
		return -1;
	if (file_write(t, f->fd, seed, err, len))
		return -1;
	if (t->target == TARGET_FILE) {
		f->fd = file_readonly(f->fd, err, len);
		if (f->fd < 0)
			return -1;
	}
	f->map = map_aligned(f->fd, t->size, t->hpage);
	if (!f->map) {
		snprintf(err, len, "cannot map the file: %s", strerror(errno));
		return -1;
	}
	if (t->khugepaged && madvise(f->map, t->size, MADV_HUGEPAGE)) {
		snprintf(err, len, "madvise(MADV_HUGEPAGE) of the file failed: %s", strerror(errno));
		return -1;
	}
	for (size_t pg = 0; pg < t->npages; pg++)
		sink += *(const volatile uint64_t *)(f->map + pg * t->page);
	(void)sink;
	return 0;
}

static void file_drop(struct ptr *t, struct ptr_file *f)
{
	if (f->map)
		munmap(f->map, t->size);
	if (f->fd >= 0)
		close(f->fd);
	f->map = NULL;
	f->fd = -1;
}

/* PMD-mapped bytes of the current mapping, after touching one word per PMD (a retracted
 * page table is refaulted as a PMD mapping). */
static int pmd_mapped(struct ptr *t, uint64_t *kb, uint64_t *rss_kb)
{
	volatile uint64_t sink = 0;
	struct fl_smaps s;

	for (size_t i = 0; i < t->npmd; i++)
		sink += *(const volatile uint64_t *)(t->cur.map + i * t->hpage);
	(void)sink;
	if (fl_smaps_range(t->cur.map, t->size, &s))
		return -1;
	*kb = s.shmem_pmd_kb + s.file_pmd_kb;
	*rss_kb = s.rss_kb;
	return 0;
}

/* ---- setup ---------------------------------------------------------------------- */

static const char *config_says(const char *sym)
{
	FILE *f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	static const char *const said[] = { "", " (this kernel has CONFIG_%s=y)",
					    " (CONFIG_%s is not set in this kernel)" };
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	char v = 0;

	if (!f)
		return said[0];
	n = getdelim(&text, &cap, '\0', f);
	pclose(f);
	if (n > 0)
		v = fl_config_lookup(text, sym);
	free(text);
	return v == 'y' ? said[1] : v == 'n' ? said[2] : said[0];
}

/* Can this kernel collapse this kind of file? One PMD, MADV_COLLAPSE. */
static int probe_collapse(struct fl_case *c, struct ptr *t)
{
	struct ptr_file f = { .fd = -1 };
	size_t size = t->size, npages = t->npages, npmd = t->npmd;
	char err[256], why[160];
	int ret = 0;

	t->size = t->hpage;
	t->npages = t->hpage / t->page;
	t->npmd = 1;
	if (file_make(t, &f, 1, err, sizeof(err))) {
		ret = fl_case_fail(c, "%s", err);
	} else if (madvise(f.map, t->hpage, MADV_COLLAPSE) && errno == EINVAL &&
		   (t->target == TARGET_FILE || !t->khugepaged)) {
		if (t->target == TARGET_FILE)
			snprintf(why, sizeof(why), config_says("READ_ONLY_THP_FOR_FS"),
				 "READ_ONLY_THP_FOR_FS");
		else
			snprintf(why, sizeof(why), " (MADV_COLLAPSE came in Linux 6.1)");
		ret = fl_case_skip(c, "this kernel cannot collapse a %s mapping: MADV_COLLAPSE "
				   "gives EINVAL%s", t->target == TARGET_FILE ?
				   "read-only regular-file" : "shmem", why);
	}
	file_drop(t, &f);
	t->size = size;
	t->npages = npages;
	t->npmd = npmd;
	return ret;
}

/* khugepaged: shmem huge pages allowed for MADV_HUGEPAGE mappings; a slow scan until a round's
 * before snapshot (pages_to_scan first: writing it does not wake khugepaged; writing the scan
 * sleep does, for one pass of at most one PMD). */
static int khugepaged_slow(struct fl_case *c)
{
	int ret = fl_thp_set(c, "khugepaged/pages_to_scan", "8");

	return ret ? ret : fl_thp_set(c, "khugepaged/scan_sleep_millisecs", "600000");
}

static int khugepaged_knobs(struct fl_case *c, struct ptr *t)
{
	char cur[32];
	int ret = fl_thp_require_anon(c);

	if (ret)
		return ret;
	if (t->target == TARGET_SHMEM && !fl_thp_get("shmem_enabled", cur, sizeof(cur)) &&
	    (!strcmp(cur, "never") || !strcmp(cur, "deny")))
		ret = fl_thp_set(c, "shmem_enabled", "advise");
	return ret ? ret : khugepaged_slow(c);
}

/* khugepaged scans only mms registered with it. On 6.18 MADV_HUGEPAGE on a shmem mapping
 * does not register the mm (measured: no mm_khugepaged_scan_file event in 8 s), a faulted
 * anonymous MADV_HUGEPAGE mapping does: keep one for the case. */
static int khugepaged_register(struct fl_case *c, struct ptr *t)
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

static int make_teams(struct fl_case *c, struct ptr *t)
{
	char err[256];
	enum fl_pin pin;

	fl_pin_parse(fl_param_str(&c->params, "pin"), &pin);
	if (t->nwalk) {
		t->walkers = fl_team_create(t->nwalk, pin, false, fl_now_ns(), walker, t,
					    err, sizeof(err));
		if (!t->walkers)
			return fl_case_fail(c, "%s", err);
	}
	if (!t->nexit)
		return 0;
	t->ex = calloc((size_t)t->nexit, sizeof(*t->ex));
	t->slots = mmap(NULL, (size_t)t->nexit * sizeof(*t->slots), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!t->ex || t->slots == MAP_FAILED) {
		t->slots = NULL;
		return fl_case_fail(c, "cannot allocate the exiters' state");
	}
	for (int i = 0; i < t->nexit; i++) {
		fl_hist_init(&t->ex[i].life);
		fl_hist_init(&t->ex[i].exit);
	}
	t->exiters = fl_team_create(t->nexit, FL_PIN_NONE, false, fl_now_ns(), exiter, t,
				    err, sizeof(err));
	if (!t->exiters)
		return fl_case_fail(c, "%s", err);
	return 0;
}

static void open_kmsg(struct fl_case *c, struct ptr *t)
{
	char err[256];

	if (fl_kmsg_open(&t->kmsg, NULL, err, sizeof(err))) {
		json_object_set_new(c->extra, "console_scan", json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", err));
		return;
	}
	t->kmsg_open = true;
	c->console = json_array();
}

static int ptr_params_read(struct fl_case *c, struct ptr *t)
{
	const struct fl_params *p = &c->params;

	t->target = strcmp(fl_param_str(p, "target"), "file") ? TARGET_SHMEM : TARGET_FILE;
	t->khugepaged = !strcmp(fl_param_str(p, "mode"), "khugepaged");
	t->nwalk = (int)fl_param_int(p, "walkers");
	t->nexit = (int)fl_param_int(p, "exiters");
	t->rounds = (int)fl_param_int(p, "rounds");
	t->timeout_s = fl_param_double(p, "timeout");
	t->dir = fl_param_str(p, "dir");
	t->page = (size_t)sysconf(_SC_PAGESIZE);
	t->hpage = fl_thp_pmd_size();
	t->size = ((size_t)fl_param_int(p, "size") + t->hpage - 1) & ~(t->hpage - 1);
	t->npages = t->size / t->page;
	t->npmd = t->size / t->hpage;
	if (t->nwalk && t->npages < WALK_PAGES)
		return fl_case_fail(c, "size is smaller than one walker read (%d pages)",
				    WALK_PAGES);
	json_object_set_new(c->extra, "size_bytes", json_integer((json_int_t)t->size));
	json_object_set_new(c->extra, "pmd_bytes", json_integer((json_int_t)t->hpage));
	json_object_set_new(c->extra, "walker", json_string("vmsplice (GUP-fast) of 16 pages"));
	return 0;
}

static int ptr_setup(struct fl_case *c)
{
	struct ptr *t = calloc(1, sizeof(*t));
	pthread_rwlockattr_t attr;
	int ret;

	if (!t)
		return fl_case_fail(c, "out of memory");
	c->priv = t;
	t->cur.fd = -1;
	fl_hist_init(&t->collapse);
	fl_hist_init(&t->round);
	ret = ptr_params_read(c, t);
	if (ret)
		return ret;
	ret = fl_thp_require_present(c);
	if (ret)
		return ret;
	if (fl_case_check_memory(c, 3ull * t->size, false))
		return FL_WL_FAIL;
	t->buf = malloc(t->hpage);
	if (!t->buf)
		return fl_case_fail(c, "out of memory");
	/* THP settings first: MADV_HUGEPAGE registers the mm with khugepaged only when THP is
	 * not "never" (hugepage_pmd_enabled()); the fast scan waits for each round's before. */
	if (t->khugepaged)
		ret = khugepaged_knobs(c, t);
	if (!ret && t->khugepaged)
		ret = khugepaged_register(c, t);
	if (!ret && t->khugepaged)
		t->trace = fl_ctrace_open("pt-retract", FL_CT_FILE, c->knobs, t->trace_why,
					  sizeof(t->trace_why));
	if (!ret)
		ret = probe_collapse(c, t);
	if (ret)
		return ret;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&t->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	t->lock_init = true;
	open_kmsg(c, t);
	return make_teams(c, t);
}

/* ---- the measured phase ----------------------------------------------------------- */

static int collapse_madvise(struct fl_case *c, struct ptr *t)
{
	for (size_t i = 0; i < t->npmd && !fl_interrupted(); i++) {
		char *a = t->cur.map + i * t->hpage;
		uint64_t t0 = fl_now_ns();

		if (fl_thp_collapse(a, t->hpage, 10, &t->eagain)) {
			t->collapse_fail++;
			continue;
		}
		fl_hist_record(&t->collapse, fl_now_ns() - t0);
		t->collapses++;
	}
	return 0;
}

/* khugepaged: wait until every PMD of the mapping is huge, or the timeout. */
static int collapse_khugepaged(struct fl_case *c, struct ptr *t)
{
	uint64_t t0 = fl_now_ns(), end = t0 + (uint64_t)(t->timeout_s * 1e9), kb = 0, rss;

	while (!fl_interrupted()) {
		if (pmd_mapped(t, &kb, &rss))
			return fl_case_fail(c, "cannot read /proc/self/smaps: %s", strerror(errno));
		if (kb * 1024 >= t->size || fl_now_ns() >= end)
			break;
		fl_sleep_until_ns(fl_now_ns() + POLL_NS);
	}
	t->collapses += kb * 1024 / t->hpage;
	t->collapse_fail += t->npmd - kb * 1024 / t->hpage;
	return 0;
}

static int one_round(struct fl_case *c, struct ptr *t, int r, json_t *rounds)
{
	struct ptr_file nf, old;
	uint64_t t0, kb0 = 0, kb = 0, rss = 0, before = t->collapses;
	json_t *at_before;
	char err[256];
	int ret;

	if (t->khugepaged && r && khugepaged_slow(c))
		return FL_WL_SKIP;
	if (file_make(t, &nf, 0x7074726574726163ull + (uint64_t)r, err, sizeof(err))) {
		file_drop(t, &nf);
		return fl_case_fail(c, "round %d: %s", r, err);
	}
	pthread_rwlock_wrlock(&t->lock);
	old = t->cur;
	t->cur = nf;
	pthread_rwlock_unlock(&t->lock);
	file_drop(t, &old);
	pmd_mapped(t, &kb0, &rss);
	at_before = t->khugepaged ? fl_thp_khugepaged_now() : NULL;
	if (t->khugepaged && fl_thp_khugepaged_fast(c, 8192, 10, &t->t0)) {
		json_decref(at_before);
		return FL_WL_SKIP;
	}
	t0 = t->khugepaged ? t->t0 : fl_now_ns();
	if (t->trace && r == 0)
		fl_ctrace_mark(t->trace, t0);
	ret = t->khugepaged ? collapse_khugepaged(c, t) : collapse_madvise(c, t);
	if (ret) {
		json_decref(at_before);
		return ret;
	}
	fl_hist_record(&t->round, fl_now_ns() - t0);
	pmd_mapped(t, &kb, &rss);
	json_array_append_new(rounds, json_pack("{s:f, s:I, s:I, s:I, s:o*}", "ms",
				(double)(fl_now_ns() - t0) / 1e6, "collapses",
				(json_int_t)(t->collapses - before), "pmd_kb_before",
				(json_int_t)kb0, "pmd_kb_after", (json_int_t)kb,
				"khugepaged_at_before", at_before));
	if (rss)
		fl_case_metric(c, "thp_share_after", 100.0 * (double)kb / (double)rss);
	return 0;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void report(struct fl_case *c, struct ptr *t)
{
	struct fl_hist life, ex;

	fl_hist_init(&life);
	fl_hist_init(&ex);
	for (int i = 0; i < t->nexit; i++) {
		fl_hist_merge(&life, &t->ex[i].life);
		fl_hist_merge(&ex, &t->ex[i].exit);
	}
	c->ops = (double)t->collapses;
	fl_case_metric(c, "collapses", (double)t->collapses);
	if (t->round.count)
		fl_case_metric(c, "round_ms_p50", ms(fl_hist_percentile(&t->round, 50)));
	if (t->collapse.count) {
		fl_case_metric(c, "collapse_ms_p50", ms(fl_hist_percentile(&t->collapse, 50)));
		fl_case_metric(c, "collapse_ms_p99", ms(fl_hist_percentile(&t->collapse, 99)));
		fl_case_metric(c, "collapse_ms_max", ms(t->collapse.max));
		json_object_set_new(c->extra, "collapse_ns", fl_hist_to_json(&t->collapse, "ns"));
	}
	if (ex.count) {
		fl_case_metric(c, "exit_ms_p50", ms(fl_hist_percentile(&ex, 50)));
		fl_case_metric(c, "exit_ms_p99", ms(fl_hist_percentile(&ex, 99)));
		json_object_set_new(c->extra, "exit_ns", fl_hist_to_json(&ex, "ns"));
	}
	if (life.count) {
		fl_case_metric(c, "child_ms_p50", ms(fl_hist_percentile(&life, 50)));
		fl_case_metric(c, "child_ms_p99", ms(fl_hist_percentile(&life, 99)));
		json_object_set_new(c->extra, "child_ns", fl_hist_to_json(&life, "ns"));
	}
	if (t->nexit)
		fl_case_metric(c, "children", (double)life.count);
	json_object_set_new(c->extra, "collapse_failed", json_integer((json_int_t)t->collapse_fail));
	json_object_set_new(c->extra, "collapse_eagain", json_integer((json_int_t)t->eagain));
	json_object_set_new(c->extra, "walker_reads", json_pack("{s:I, s:I, s:I}", "calls",
				(json_int_t)t->walk_calls, "pages", (json_int_t)t->walk_pages,
				"efault", (json_int_t)t->walk_efault));
}

static void stop_team(struct fl_team *team)
{
	if (!team)
		return;
	fl_team_stop(team);
	fl_team_join(team);
}

static void trace_unsupported(struct fl_case *c, const char *why)
{
	json_object_set_new(c->extra, "collapse_trace", json_pack("{s:s, s:s}", "status",
				"unsupported", "reason", why));
}

static void trace_start(struct fl_case *c, struct ptr *t)
{
	if (!t->khugepaged)
		return;
	if (t->trace && fl_ctrace_start(t->trace, t->trace_why, sizeof(t->trace_why))) {
		fl_ctrace_close(t->trace);
		t->trace = NULL;
	}
	if (!t->trace)
		trace_unsupported(c, t->trace_why);
}

/* khugepaged's collapses from the tracepoints: per-PMD latency, scan results by name. */
static void trace_report(struct fl_case *c, struct ptr *t)
{
	const struct fl_ct_an *a;
	char err[256];
	json_t *o, *d;

	if (!t->trace)
		return;
	a = fl_ctrace_stop(t->trace, err, sizeof(err));
	if (!a) {
		trace_unsupported(c, err);
		return;
	}
	o = fl_ct_an_json(a);
	d = fl_ctrace_describe(t->trace);
	json_object_update(o, d);
	json_decref(d);
	json_object_set_new(c->extra, "collapse_trace", o);
	fl_hist_merge(&t->collapse, &a->collapse);
}

static int ptr_run(struct fl_case *c)
{
	struct ptr *t = c->priv;
	json_t *rounds = json_array();
	int ret = 0;

	json_object_set_new(c->extra, "rounds", rounds);
	trace_start(c, t);
	/* Round 0's file exists before the walkers and exiters start. */
	ret = one_round(c, t, 0, rounds);
	if (t->walkers)
		fl_team_start(t->walkers);
	if (t->exiters)
		fl_team_start(t->exiters);
	for (int r = 1; !ret && r < t->rounds && !fl_interrupted(); r++)
		ret = one_round(c, t, r, rounds);
	stop_team(t->walkers);
	stop_team(t->exiters);
	trace_report(c, t);
	if (ret)
		return ret;
	report(c, t);
	if (!t->collapses)
		return fl_case_fail(c, "no PMD of the %s range was collapsed in %d round(s)%s",
				    t->target == TARGET_FILE ? "file" : "shmem", t->rounds,
				    t->khugepaged ? " (khugepaged did not get to it in time)" : "");
	return 0;
}

/* ---- verify ------------------------------------------------------------------------- */

static int team_errors(struct fl_case *c, struct fl_team *team, const char *who)
{
	for (int i = 0; team && i < fl_team_size(team); i++) {
		struct fl_worker *w = fl_team_worker(team, i);

		if (w->err)
			return fl_case_fail(c, "%s %d: %s", who, i, w->errmsg);
	}
	return 0;
}

static int verify_children(struct fl_case *c, struct ptr *t)
{
	uint64_t bad = 0, failed = 0;
	const char *first = NULL;

	for (int i = 0; i < t->nexit; i++) {
		bad += t->ex[i].bad;
		failed += t->ex[i].failed;
		if (!first && (t->ex[i].bad || t->ex[i].failed))
			first = t->ex[i].first_bad;
	}
	json_object_set_new(c->verify, "children", json_pack("{s:I, s:I}", "corrupt",
				(json_int_t)bad, "failed", (json_int_t)failed));
	if (bad || failed)
		return fl_case_fail(c, "%llu child(ren) read a wrong page, %llu failed; first: %s",
				    (unsigned long long)bad, (unsigned long long)failed, first);
	return 0;
}

/* The test hook writes a wrong word through the file (a regular file is reopened). */
static void inject(struct fl_case *c, struct ptr *t)
{
	uint64_t junk = 0x5a5a5a5a5a5a5a5aull;
	char path[64];
	int fd;

	if (c->test.corrupt_page < 0 || (size_t)c->test.corrupt_page >= t->npages)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t->cur.fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pwrite(fd, &junk, sizeof(junk), (off_t)c->test.corrupt_page * (off_t)t->page + 8) < 0)
		perror("faultline-agent: test corruption");
	close(fd);
}

static int verify_console(struct fl_case *c, struct ptr *t)
{
	char err[256];
	json_t *f;

	if (!t->kmsg_open)
		return 0;
	if (fl_kmsg_scan(&t->kmsg, c->console, err, sizeof(err)) < 0)
		json_object_set_new(c->extra, "console_scan", json_pack("{s:s, s:s}", "status",
					"unsupported", "reason", err));
	f = json_array_get(c->console, 0);
	if (f)
		return fl_case_fail(c, "the kernel log reported %zu problem(s) during the case; "
				    "first: %s", json_array_size(c->console),
				    json_string_value(json_object_get(f, "title")));
	return 0;
}

static int ptr_verify(struct fl_case *c)
{
	struct ptr *t = c->priv;
	struct fl_stamp_report r;
	json_t *rep;
	int ret;

	ret = verify_console(c, t);
	if (!ret)
		ret = team_errors(c, t->walkers, "walker");
	if (!ret)
		ret = team_errors(c, t->exiters, "exiter");
	json_object_set_new(c->verify, "walker_corrupt", json_integer((json_int_t)t->walk_bad));
	if (!ret && t->walk_bad)
		ret = fl_case_fail(c, "%llu page(s) read by walkers were wrong; first: %s",
				   (unsigned long long)t->walk_bad, t->first_bad);
	if (!ret)
		ret = verify_children(c, t);
	inject(c, t);
	fl_stamp_report_init(&r);
	fl_stamp_verify(t->cur.map, t->npages, t->page, t->cur.seed, 0, &r);
	rep = fl_stamp_report_json(&r, t->cur.seed);
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (!ret && r.corrupt)
		ret = fl_case_fail(c, "%llu corrupt page(s) in the collapsed file; first: page %llu "
				   "word %llu", (unsigned long long)r.corrupt,
				   (unsigned long long)r.bad_page[0],
				   (unsigned long long)r.bad_word[0]);
	return ret;
}

static void ptr_teardown(struct fl_case *c)
{
	struct ptr *t = c->priv;

	if (!t)
		return;
	if (t->walkers)
		fl_team_destroy(t->walkers);
	if (t->exiters)
		fl_team_destroy(t->exiters);
	fl_ctrace_close(t->trace);
	file_drop(t, &t->cur);
	if (t->anchor)
		munmap(t->anchor, 2 * t->hpage);
	if (t->slots)
		munmap(t->slots, (size_t)t->nexit * sizeof(*t->slots));
	if (t->kmsg_open)
		fl_kmsg_close(&t->kmsg);
	if (t->lock_init)
		pthread_rwlock_destroy(&t->lock);
	free(t->ex);
	free(t->buf);
	free(t);
	c->priv = NULL;
}

const struct fl_workload fl_wl_pt_retract = {
	.name = "pt-retract",
	.summary = "collapse shmem/file ranges (MADV_COLLAPSE or khugepaged) under GUP-fast "
		   "walkers and exiting mappers; verify pages, scan the kernel log (seed 002)",
	.params = ptr_params,
	.metrics = ptr_metrics,
	.op_unit = "collapse",
	.events = "huge_memory:*,tlb:tlb_flush,ipi:*",
	.setup = ptr_setup,
	.run = ptr_run,
	.verify = ptr_verify,
	.teardown = ptr_teardown,
};
