// SPDX-License-Identifier: GPL-2.0
/*
 * ebizzy: the semantics of ebizzy 0.3 (seed 001, SPF v12: "ebizzy -mTt <nrcpus>").
 * A record is: pick a chunk at random, allocate a copy buffer, touch it (-T) or copy the chunk
 * into it and search it for a random key, free it. Fixed against the original: its PRNG state
 * never left 0 (every thread picked chunk 0) and all threads added to one unlocked counter;
 * here each thread has its own PRNG stream and its own counter.
 * Verification: every search must find its key; touched pages are read back before the free;
 * the source chunks are checked record by record after the run.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/badlog.h"
#include "lib/fault_timer.h"
#include "lib/samples.h"
#include "lib/team.h"
#include "lib/timing.h"
#include "workload.h"
#include "fl_json.h"

typedef unsigned long record_t;

/* With the fault timing on: the clock ticks each thread spent allocating and freeing records
 * (mmap/munmap with -m), the kernel time beside the faults in sys time; and, for one record in
 * EB_CPU_EVERY, the thread's CPU time in them. Wall time grows with preemption on a loaded
 * machine (at load 8-10 on a 2-vCPU guest the wall-clock munmap total reached 60-85% of the
 * run's sys time, against about 18% quiet); a thread's CPU time does not. Sampled so the two clock_gettime calls per record that
 * CLOCK_THREAD_CPUTIME_ID costs (a syscall: the vDSO does not serve it) stay off most records. */
#define EB_CPU_EVERY 8
struct eb_thread {
	uint64_t alloc_ticks, free_ticks;
	uint64_t records, sampled, alloc_cpu_ns, free_cpu_ns;
	uint64_t clock_cpu_ns;	/* sampled records: two back-to-back reads, the clock's own cost */
} __attribute__((aligned(64)));

struct ebizzy {
	unsigned long chunks, chunk_size, nrec;	/* nrec: records per chunk */
	size_t page;
	bool mmap_always, mmap_never, touch, random_size, perm_guard, hole_guard;
	bool byte_loop, linear;
	bool fault_latency;		/* time each page's first touch (touch_only) */
	struct fl_fclock clk;
	struct eb_thread *thr;		/* per worker, with fault_latency */
	long delay_us;
	record_t **mem;
	struct fl_team *team;
	struct fl_badlog bad;			/* failed searches and bad read-backs */
	_Atomic uint64_t checked;		/* records searched + pages read back */
};

static const struct fl_param ebizzy_params[] = {
	{ "threads", 't', FL_P_INT, "2*cpus", 1, 4096, NULL, "worker threads (ebizzy -t)" },
	{ "seconds", 'S', FL_P_DOUBLE, "10", 0.1, 86400, NULL, "length of the measured phase (-S)" },
	{ "chunks", 'n', FL_P_INT, "10", 1, 1 << 20, NULL, "memory chunks to search (-n)" },
	{ "chunk_size", 's', FL_P_SIZE, "512K", 64, 1ull << 34, NULL, "bytes per chunk (-s)" },
	{ "mmap", 'm', FL_P_BOOL, NULL, 0, 0, NULL, "always allocate with mmap (-m)" },
	{ "never_mmap", 'M', FL_P_BOOL, NULL, 0, 0, NULL, "never allocate with mmap (-M)" },
	{ "touch_only", 'T', FL_P_BOOL, NULL, 0, 0, NULL, "touch one byte per page instead of copy+search (-T)" },
	{ "random_size", 'R', FL_P_BOOL, NULL, 0, 0, NULL, "random copy sizes (-R)" },
	{ "perm_guard", 'p', FL_P_BOOL, NULL, 0, 0, NULL,
	  "prevent VMA merging: a PROT_NONE page after each mapping (-p)" },
	{ "hole_guard", 'P', FL_P_BOOL, NULL, 0, 0, NULL,
	  "prevent VMA merging: a hole after each mapping (-P)" },
	{ "byte_loop", 'l', FL_P_BOOL, NULL, 0, 0, NULL, "copy with a byte loop, not libc memcpy (-l)" },
	{ "linear", 'z', FL_P_BOOL, NULL, 0, 0, NULL, "linear search instead of binary search (-z)" },
	{ "pin", 0, FL_P_ENUM, "none", 0, 0, "none|core|pu", "bind threads with hwloc" },
	FL_FAULT_LAT_PARAM,
	{ NULL },
};

static const struct fl_metric ebizzy_metrics[] = {
	{ "records_per_s", "records/s", FL_BETTER_HIGHER, "records per second, all threads" },
	{ "thread_min_records_per_s", "records/s", FL_BETTER_HIGHER, "slowest thread" },
	{ "thread_max_records_per_s", "records/s", FL_BETTER_HIGHER, "fastest thread" },
	{ "faults_per_record", "faults/record", FL_BETTER_NONE,
	  "page faults (minor+major, getrusage) per record" },
	{ "user_s", "s", FL_BETTER_LOWER, "user CPU time of the measured phase" },
	{ "sys_s", "s", FL_BETTER_LOWER, "system CPU time of the measured phase" },
	FL_FAULT_LAT_METRICS("a page of a record's copy (touch_only; a fault with mmap)"),
	{ "samples", "records/s", FL_BETTER_HIGHER, "records per second, each second" },
	{ NULL },
};

/* Allocation as ebizzy does it, plus the guard page of -p / -P. */
static void *alloc_mem(struct ebizzy *e, size_t size)
{
	size_t len = size;
	char *p;

	if (!e->mmap_always)
		return malloc(size);
	if (e->perm_guard || e->hole_guard)
		len += e->page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (e->perm_guard)
		mprotect(p + len - e->page, e->page, PROT_NONE);
	else if (e->hole_guard)
		munmap(p + len - e->page, e->page);
	return p;
}

static void free_mem(struct ebizzy *e, void *p, size_t size)
{
	if (!e->mmap_always) {
		free(p);
		return;
	}
	if (e->perm_guard)
		size += e->page;
	munmap(p, size);
}

static void byte_copy(char *dst, const char *src, size_t n)
{
	volatile char *d = dst;

	while (n--)
		*d++ = *src++;
}

static int cmp_record(const void *a, const void *b)
{
	record_t x = *(const record_t *)a, y = *(const record_t *)b;

	return x < y ? -1 : x > y;
}

static record_t *linear_find(record_t key, record_t *v, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (v[i] == key)
			return &v[i];
	return NULL;
}

/* Touch one byte per page (each touch timed into w->hist when asked), then read every
 * touched byte back. */
static void touch_record(struct ebizzy *e, struct fl_worker *w, char *copy, size_t size)
{
	unsigned char tag = (unsigned char)(w->id * 31 + 7);
	struct fl_ftouch ft;
	size_t off;

	fl_ftouch_init(&ft, &e->clk, w->hist);
	fl_ftouch_start(&ft);
	for (off = 0; off < size; off += e->page) {
		copy[off] = (char)(tag ^ (off / e->page));
		fl_ftouch_mark(&ft);
	}
	for (off = 0; off < size; off += e->page)
		if ((unsigned char)copy[off] != (unsigned char)(tag ^ (off / e->page)))
			fl_badlog_note(&e->bad, "thread %d: touched page %zu of a copy read back "
				       "%#x, expected %#x", w->id, off / e->page,
				       (unsigned char)copy[off], (unsigned char)(tag ^ (off / e->page)));
	atomic_fetch_add_explicit(&e->checked, size / e->page + 1, memory_order_relaxed);
}

static void search_record(struct ebizzy *e, struct fl_worker *w, record_t *copy,
			  unsigned long chunk, unsigned long nrec)
{
	record_t key = chunk * e->nrec + fl_rng_below(&w->rng, nrec);
	record_t *found;

	if (e->byte_loop)
		byte_copy((char *)copy, (const char *)e->mem[chunk], nrec * sizeof(record_t));
	else
		memcpy(copy, e->mem[chunk], nrec * sizeof(record_t));
	if (e->linear)
		found = linear_find(key, copy, nrec);
	else
		found = bsearch(&key, copy, nrec, sizeof(record_t), cmp_record);
	if (!found || *found != key)
		fl_badlog_note(&e->bad, "chunk %lu: key %lu not found in a copy of %lu records",
			       chunk, key, nrec);
	atomic_fetch_add_explicit(&e->checked, 1, memory_order_relaxed);
}

/* The --test-delay-us hook spins: a regression costs CPU time as the kernel's would, and a
 * sleep shorter than the timer slack (50 us) cannot be calibrated to a few percent. */
static void spin_us(long us)
{
	uint64_t end = fl_now_ns() + (uint64_t)us * 1000;

	while (fl_now_ns() < end)
		;
}

static uint64_t eb_ticks(const struct ebizzy *e)
{
	return e->thr ? fl_fclock_ticks(&e->clk) : 0;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The thread's CPU time now, on the records sampled for it (else 0, no call). */
static uint64_t eb_cpu(bool sample)
{
	return sample ? thread_cpu_ns() : 0;
}

static void ebizzy_worker(struct fl_worker *w)
{
	struct ebizzy *e = w->arg;
	struct eb_thread dummy, *th = e->thr ? &e->thr[w->id] : &dummy;

	while (!fl_team_stopping(w)) {
		unsigned long chunk = fl_rng_below(&w->rng, e->chunks);
		unsigned long nrec = e->nrec;
		bool sample = e->thr && th->records++ % EB_CPU_EVERY == 0;
		uint64_t t0, c0;
		size_t size;
		void *copy;

		if (e->random_size)
			nrec = fl_rng_below(&w->rng, e->nrec) + 1;
		size = nrec * sizeof(record_t);
		c0 = eb_cpu(sample);
		t0 = eb_ticks(e);
		copy = alloc_mem(e, size);
		th->alloc_ticks += eb_ticks(e) - t0;
		th->alloc_cpu_ns += eb_cpu(sample) - c0;
		if (!copy) {
			w->err = 1;
			snprintf(w->errmsg, sizeof(w->errmsg), "cannot allocate %zu bytes", size);
			return;
		}
		if (e->touch)
			touch_record(e, w, copy, size);
		else
			search_record(e, w, copy, chunk, nrec);
		c0 = eb_cpu(sample);
		t0 = eb_ticks(e);
		free_mem(e, copy, size);
		th->free_ticks += eb_ticks(e) - t0;
		th->free_cpu_ns += eb_cpu(sample) - c0;
		if (sample) {
			c0 = thread_cpu_ns();
			th->clock_cpu_ns += thread_cpu_ns() - c0;
			th->sampled++;
		}
		if (e->delay_us)
			spin_us(e->delay_us);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
}

static int alloc_chunks(struct fl_case *c, struct ebizzy *e)
{
	e->mem = calloc(e->chunks, sizeof(*e->mem));
	if (!e->mem)
		return fl_case_fail(c, "cannot allocate the chunk table");
	for (unsigned long i = 0; i < e->chunks; i++) {
		e->mem[i] = alloc_mem(e, e->chunk_size);
		if (!e->mem[i])
			return fl_case_fail(c, "cannot allocate chunk %lu of %lu bytes",
					    i, e->chunk_size);
		for (unsigned long r = 0; r < e->nrec; r++)
			e->mem[i][r] = i * e->nrec + r;
	}
	return 0;
}

static int ebizzy_setup(struct fl_case *c)
{
	const struct fl_params *p = &c->params;
	struct ebizzy *e = calloc(1, sizeof(*e));
	char err[256];
	enum fl_pin pin;

	if (!e)
		return fl_case_fail(c, "out of memory");
	c->priv = e;
	e->page = (size_t)sysconf(_SC_PAGESIZE);
	e->chunks = (unsigned long)fl_param_int(p, "chunks");
	e->chunk_size = (unsigned long)fl_param_int(p, "chunk_size");
	e->nrec = e->chunk_size / sizeof(record_t);
	e->mmap_always = fl_param_bool(p, "mmap");
	e->mmap_never = fl_param_bool(p, "never_mmap");
	e->touch = fl_param_bool(p, "touch_only");
	e->random_size = fl_param_bool(p, "random_size");
	e->perm_guard = fl_param_bool(p, "perm_guard");
	e->hole_guard = fl_param_bool(p, "hole_guard");
	e->byte_loop = fl_param_bool(p, "byte_loop");
	e->linear = fl_param_bool(p, "linear");
	e->fault_latency = e->touch && fl_param_bool(p, "fault_latency");
	e->delay_us = c->test.delay_us;
	if (e->mmap_always && e->mmap_never)
		return fl_case_fail(c, "options mmap (-m) and never_mmap (-M) exclude each other");
	if ((e->perm_guard || e->hole_guard) && !e->mmap_always)
		return fl_case_fail(c, "perm_guard (-p) and hole_guard (-P) need mmap (-m)");
	if (e->mmap_never && !mallopt(M_MMAP_MAX, 0))
		return fl_case_fail(c, "mallopt(M_MMAP_MAX, 0) failed");
	fl_pin_parse(fl_param_str(p, "pin"), &pin);
	if (alloc_chunks(c, e))
		return FL_WL_FAIL;
	if (e->fault_latency) {
		fl_fclock_init(&e->clk);
		e->thr = aligned_alloc(64, sizeof(*e->thr) * (size_t)fl_param_int(p, "threads"));
		if (!e->thr)
			return fl_case_fail(c, "out of memory");
		memset(e->thr, 0, sizeof(*e->thr) * (size_t)fl_param_int(p, "threads"));
	}
	e->team = fl_team_create((int)fl_param_int(p, "threads"), pin, e->fault_latency,
				 (uint64_t)fl_now_ns(), ebizzy_worker, e, err, sizeof(err));
	if (!e->team)
		return fl_case_fail(c, "%s", err);
	return 0;
}

/* detail.record_alloc_free: the time in allocating and freeing the records, so sys time per
 * fault can be set against the faults' latency without the mmap/munmap share. */
static void eb_alloc_free_time(struct fl_case *c, struct ebizzy *e)
{
	double a = 0, f = 0, acpu = 0, fcpu = 0;
	uint64_t sampled = 0;

	for (int i = 0; i < fl_team_size(e->team); i++) {
		const struct eb_thread *th = &e->thr[i];
		double scale = th->sampled ? (double)th->records / (double)th->sampled : 0;

		a += (double)fl_fclock_ns(&e->clk, th->alloc_ticks) / 1e9;
		f += (double)fl_fclock_ns(&e->clk, th->free_ticks) / 1e9;
		acpu += ((double)th->alloc_cpu_ns - (double)th->clock_cpu_ns) * scale / 1e9;
		fcpu += ((double)th->free_cpu_ns - (double)th->clock_cpu_ns) * scale / 1e9;
		sampled += th->sampled;
	}
	json_object_set_new(c->extra, "record_alloc_free", json_pack(
		"{s:f, s:f, s:f, s:f, s:I, s:o}", "alloc_s", a, "free_s", f,
		"alloc_cpu_s", acpu, "free_cpu_s", fcpu, "cpu_sampled_records", (json_int_t)sampled,
		"what", json_sprintf("%s of the records, all threads: wall time (alloc_s, free_s), "
				     "and the threads' CPU time in them measured on one record in %d "
				     "and scaled to all, less the CPU clock's own cost (alloc_cpu_s, "
				     "free_cpu_s; wall time also holds preemption)", e->mmap_always ? "mmap and munmap" :
				     "malloc and free", EB_CPU_EVERY)));
}

static void ebizzy_fault_latency(struct fl_case *c, struct ebizzy *e)
{
	struct fl_hist *h;

	if (!e->touch) {
		fl_fault_latency_absent(c, "not timed without touch_only: a record is one memcpy "
					"into its copy, no page is touched on its own");
		return;
	}
	if (!e->fault_latency) {
		fl_fault_latency_absent(c, "not timed: fault_latency=false");
		return;
	}
	h = fl_team_hist_merged(e->team);
	eb_alloc_free_time(c, e);
	fl_fault_latency_report(c, &e->clk, h, e->mmap_always ?
				"the first store to each page of a record's fresh mmap: a fault" :
				"the first store to each page of a record's malloc'd copy (a fault only "
				"where malloc handed out pages not mapped yet)");
	free(h);
}

static int ebizzy_run(struct fl_case *c)
{
	struct ebizzy *e = c->priv;
	struct fl_rusage ru;
	struct fl_worker *w;
	json_t *samples;
	double elapsed;

	samples = fl_run_team_sampled(e->team, fl_param_double(&c->params, "seconds"), &elapsed);
	fl_case_rusage(c, FL_RU_SELF, &ru);
	w = fl_team_failed(e->team);
	if (w) {
		json_decref(samples);
		return fl_case_fail(c, "thread %d: %s", w->id, w->errmsg);
	}
	c->ops = (double)fl_team_ops(e->team);
	fl_case_metric(c, "records_per_s", c->ops / elapsed);
	fl_case_thread_rates(c, e->team, elapsed, "thread_min_records_per_s",
			     "thread_max_records_per_s");
	if (c->ops > 0)
		fl_case_metric(c, "faults_per_record", ru.faults / c->ops);
	fl_case_cpu_metrics(c, &ru);
	ebizzy_fault_latency(c, e);
	fl_case_samples(c, "samples", "records/s", samples);
	return 0;
}

static void check_chunks(struct ebizzy *e)
{
	unsigned long per_page = e->page / sizeof(record_t);

	for (unsigned long i = 0; i < e->chunks; i++) {
		for (unsigned long r = 0; r < e->nrec; r++) {
			if (e->mem[i][r] == i * e->nrec + r)
				continue;
			fl_badlog_note(&e->bad, "chunk %lu page %lu record %lu: found %lu",
				       i, r / per_page, r, e->mem[i][r]);
			break;
		}
	}
	atomic_fetch_add(&e->checked, e->chunks * e->nrec);
}

/* Test hook: flip a byte in page pg of the chunks (pages counted across chunks). */
static void inject_corruption(struct ebizzy *e, unsigned long pg)
{
	unsigned long per_page = e->page / sizeof(record_t);
	unsigned long ppc = e->chunk_size / e->page ? e->chunk_size / e->page : 1;
	unsigned long chunk = pg / ppc, rec = (pg % ppc) * per_page;

	if (chunk < e->chunks && rec < e->nrec)
		e->mem[chunk][rec] ^= 0x5a;
}

static int ebizzy_verify(struct fl_case *c)
{
	struct ebizzy *e = c->priv;

	if (c->test.corrupt_page >= 0)
		inject_corruption(e, (unsigned long)c->test.corrupt_page);
	check_chunks(e);
	return fl_case_verdict(c, "record", e->checked, fl_badlog_count(&e->bad), e->bad.first);
}

static void ebizzy_teardown(struct fl_case *c)
{
	struct ebizzy *e = c->priv;

	if (!e)
		return;
	if (e->team)
		fl_team_destroy(e->team);
	for (unsigned long i = 0; e->mem && i < e->chunks; i++)
		if (e->mem[i])
			free_mem(e, e->mem[i], e->chunk_size);
	free(e->mem);
	free(e->thr);
	free(e);
	c->priv = NULL;
}

const struct fl_workload fl_wl_ebizzy = {
	.name = "ebizzy",
	.summary = "allocate, touch or copy+search, free: ebizzy 0.3 records/s (seed 001)",
	.params = ebizzy_params,
	.metrics = ebizzy_metrics,
	.op_unit = "record",
	.setup = ebizzy_setup,
	.run = ebizzy_run,
	.verify = ebizzy_verify,
	.teardown = ebizzy_teardown,
};
