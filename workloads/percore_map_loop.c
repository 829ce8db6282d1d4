// SPDX-License-Identifier: GPL-2.0
/*
 * percore-map's worker loops (percore_map.h): op=zap populates, reads back and zaps a
 * long-lived window; op=mmap maps, touches, reads back and unmaps a fresh one. Each page's
 * word 0 holds a stamp of (worker, op, page); a wrong one goes to the slot's corruption log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "fl_interrupt.h"
#include "lib/stamp.h"
#include "lib/timing.h"
#include "percore_map.h"

static uint64_t pc_expect(int id, uint64_t it, size_t pg)
{
	return fl_stamp_word(((uint64_t)id + 1) << 40 | it, pg, 0);
}

static void pc_check(struct percore *p, struct pc_slot *s, int id, const char *w, uint64_t it,
		     const char *when)
{
	for (size_t pg = 0; pg < p->npages; pg++) {
		uint64_t v = *(volatile const uint64_t *)(w + pg * p->page);

		if (v != pc_expect(id, it, pg))
			fl_badlog_note(&s->bad, "worker %d op %lu page %zu (case page %zu) %s: "
				       "found %#lx, expected %#lx", id, (unsigned long)it, pg,
				       (size_t)id * p->npages + pg, when, (unsigned long)v,
				       (unsigned long)pc_expect(id, it, pg));
	}
	s->checked += p->npages;
}

/* Test hook: flip a byte of case page pg when it lies in worker id's window. */
static void pc_inject(struct percore *p, int id, char *w)
{
	long pg = p->corrupt_page;

	if (pg >= 0 && (size_t)pg / p->npages == (size_t)id)
		w[(size_t)pg % p->npages * p->page] ^= 0x5a;
}

/* Stamp word 0 of every page of worker id's window for op it: each store a write fault,
 * timed into s->fault when asked. */
static void pc_touch(struct percore *p, struct pc_slot *s, int id, char *w, uint64_t it)
{
	struct fl_ftouch ft;

	fl_ftouch_init(&ft, &p->clk, p->fault_latency ? &s->fault : NULL);
	fl_ftouch_start(&ft);
	for (size_t pg = 0; pg < p->npages; pg++) {
		*(volatile uint64_t *)(w + pg * p->page) = pc_expect(id, it, pg);
		fl_ftouch_mark(&ft);
	}
}

/* op=mmap, one worker: map -> touch -> unmap a fresh window per op. */
static void pc_mmap_loop(struct percore *p, int id, _Atomic uint64_t *ops,
			 bool (*stop)(void *), void *arg)
{
	struct pc_slot *s = &p->slots[id];
	char *w = NULL;
	uint64_t it;

	for (it = 0; ; it++) {
		uint64_t t0 = fl_now_ns();

		w = mmap(NULL, p->window, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (w == MAP_FAILED) {
			snprintf(s->err, sizeof(s->err), "worker %d: mmap of %zu bytes failed: %s",
				 id, p->window, strerror(errno));
			return;
		}
		pc_touch(p, s, id, w, it);
		pc_check(p, s, id, w, it, "read back before unmap");
		if (stop(arg) || fl_interrupted())
			break;
		munmap(w, p->window);
		fl_hist_record(&s->hist, fl_now_ns() - t0);
		atomic_fetch_add_explicit(ops, 1, memory_order_relaxed);
	}
	/* The last op's window stays mapped: check it once more, then unmap (not timed). */
	pc_inject(p, id, w);
	pc_check(p, s, id, w, it, "after the loop");
	munmap(w, p->window);
}

/* Fill worker id's window for op it: MADV_POPULATE_WRITE first if asked, then the stamps. */
static int pc_populate(struct percore *p, struct pc_slot *s, int id, char *w, uint64_t it)
{
	if (!p->populate_madvise) {
		pc_touch(p, s, id, w, it);
		return 0;
	}
	if (madvise(w, p->window, MADV_POPULATE_WRITE)) {
		snprintf(s->err, sizeof(s->err), "worker %d: madvise(MADV_POPULATE_WRITE) of %zu "
			 "bytes failed: %s (needs Linux 5.14+; use populate=touch)", id, p->window,
			 strerror(errno));
		return -1;
	}
	for (size_t pg = 0; pg < p->npages; pg++)
		*(volatile uint64_t *)(w + pg * p->page) = pc_expect(id, it, pg);
	return 0;
}

static int pc_zap(struct pc_slot *s, int id, char *w, size_t len)
{
	if (!madvise(w, len, MADV_DONTNEED))
		return 0;
	snprintf(s->err, sizeof(s->err), "worker %d: madvise(MADV_DONTNEED) of %zu bytes failed: "
		 "%s", id, len, strerror(errno));
	return -1;
}

/* A zapped private anonymous page reads as zero. */
static void pc_check_zapped(struct percore *p, struct pc_slot *s, int id, const char *w)
{
	for (size_t pg = 0; pg < p->npages; pg++) {
		uint64_t v = *(volatile const uint64_t *)(w + pg * p->page);

		if (v)
			fl_badlog_note(&s->bad, "worker %d page %zu (case page %zu) after "
				       "MADV_DONTNEED: found %#lx, expected 0", id, pg,
				       (size_t)id * p->npages + pg, (unsigned long)v);
	}
	s->checked += p->npages;
}

/*
 * op=zap, one worker: populate -> read back -> zap its long-lived window. No mmap or munmap
 * in the loop, so mmap_lock is only taken for read (faults, madvise). Nothing reads the
 * window between the zap and the next populate: a read would map the zero page and the next
 * write would replace it, a flush of its own.
 */
static void pc_zap_loop(struct percore *p, int id, _Atomic uint64_t *ops,
			bool (*stop)(void *), void *arg)
{
	struct pc_slot *s = &p->slots[id];
	char *w = p->arena + (size_t)id * p->stride;
	uint64_t it;

	for (it = 0; ; it++) {
		uint64_t t0 = fl_now_ns();

		if (pc_populate(p, s, id, w, it))
			return;
		pc_check(p, s, id, w, it, "read back before the zap");
		if (stop(arg) || fl_interrupted())
			break;
		if (pc_zap(s, id, w, p->window))
			return;
		fl_hist_record(&s->hist, fl_now_ns() - t0);
		atomic_fetch_add_explicit(ops, 1, memory_order_relaxed);
	}
	/* The last op's window stays populated: check it once more, zap, check zeros. */
	pc_inject(p, id, w);
	pc_check(p, s, id, w, it, "after the loop");
	if (!pc_zap(s, id, w, p->window))
		pc_check_zapped(p, s, id, w);
}

void pc_loop(struct percore *p, int id, _Atomic uint64_t *ops, bool (*stop)(void *),
	     void *arg)
{
	if (p->zap)
		pc_zap_loop(p, id, ops, stop, arg);
	else
		pc_mmap_loop(p, id, ops, stop, arg);
}

static bool pc_team_stop(void *arg)
{
	return fl_team_stopping(arg);
}

/* shared-mm: the team's workers run the loop themselves. */
void pc_thread_worker(struct fl_worker *w)
{
	struct percore *p = w->arg;
	struct pc_slot *s = &p->slots[w->id];

	s->cpu = w->cpu;
	pc_loop(p, w->id, &w->ops, pc_team_stop, w);
	if (s->err[0]) {
		w->err = 1;
		snprintf(w->errmsg, sizeof(w->errmsg), "%s", s->err);
	}
}
