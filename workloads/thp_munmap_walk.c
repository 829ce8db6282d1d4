// SPDX-License-Identifier: GPL-2.0
/*
 * thp-munmap's walkers (thp_munmap.h): GUP-fast users, vmsplice() of 16 pages of the range
 * into a pipe (lib/gup.h), the first word of every page checked against its stamp; during the
 * operation each marks the CPU it runs on as walking (thp_munmap_ipi.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/gup.h"
#include "thp_munmap.h"

/* A page read by a walker holds its stamp; after MADV_DONTNEED started it may read zero. */
static void walker_check(struct thpm *t, struct fl_worker *w, const uint64_t *buf,
			 uint64_t first_pg, size_t npg)
{
	size_t words = t->page / sizeof(uint64_t);

	for (size_t i = 0; i < npg; i++) {
		uint64_t got = buf[i * words], want = fl_stamp_word(t->seed, first_pg + i, 0);

		if (got == want || (got == 0 && t->op == OP_DONTNEED && atomic_load(&t->phase)))
			continue;
		fl_badlog_note(&t->walk_bad, "walker %d read page %llu through vmsplice: word 0 is "
			       "%#llx, expected %#llx", w->id, (unsigned long long)(first_pg + i),
			       (unsigned long long)got, (unsigned long long)want);
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

int thpm_start_walkers(struct fl_case *c, struct thpm *t, enum fl_pin pin)
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

void thpm_stop_walkers(struct thpm *t)
{
	if (!t->walkers || t->walkers_joined)
		return;
	fl_team_stop(t->walkers);
	fl_team_join(t->walkers);
	t->walkers_joined = true;
}

int thpm_walkers_verdict(struct fl_case *c, struct thpm *t)
{
	uint64_t bad = fl_badlog_count(&t->walk_bad);
	struct fl_worker *w = fl_team_failed(t->walkers);

	json_object_set_new(c->verify, "walker_reads", json_pack("{s:I, s:I, s:I, s:I}",
				"calls", (json_int_t)t->walk_calls, "pages",
				(json_int_t)t->walk_pages, "efault", (json_int_t)t->walk_efault,
				"corrupt", (json_int_t)bad));
	if (w)
		return fl_case_fail(c, "walker %d: %s", w->id, w->errmsg);
	if (bad)
		return fl_case_fail(c, "%llu page(s) read by walkers were wrong; first: %s",
				    (unsigned long long)bad, t->walk_bad.first);
	return 0;
}
