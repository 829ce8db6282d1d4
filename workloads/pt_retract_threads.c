// SPDX-License-Identifier: GPL-2.0
/*
 * pt-retract's threads (pt_retract.h). Walkers: vmsplice of 16 pages of the current file's
 * mapping (GUP-fast), each page's first word checked. Exiters: fork a child that maps the
 * current file PMD-aligned, checks one word per page and exits; the parent times fork ->
 * waitpid and the child's _exit -> waitpid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/gup.h"
#include "lib/map_aligned.h"
#include "lib/stamp.h"
#include "lib/timing.h"
#include "pt_retract.h"

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
			fl_badlog_note(&t->walk_bad, "walker %d read page %llu through vmsplice: "
				       "word 0 is %#llx, expected %#llx", w->id,
				       (unsigned long long)(pg + i), (unsigned long long)buf[i * words],
				       (unsigned long long)want);
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
	const char *p = fl_map_aligned(t->size, t->hpage, PROT_READ, MAP_SHARED, fd);

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

int ptr_make_teams(struct fl_case *c, struct ptr *t)
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
