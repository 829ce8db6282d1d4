// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_lock pairing (mmap_lock.h): waits and holds from the three tracepoints, in time order.
 *
 * Per task: the attempt in flight (start_locking, answered by acquire_returned with the same
 * mm and mode) and the locks held (acquire_returned success, closed by the latest released of
 * the same mm and mode). Cases the kernel produces besides the plain pairs:
 *  - trylock: acquire_returned with no start_locking (mmap_read_trylock, mmap_write_trylock);
 *    counted as an acquisition with no wait (or as a failed trylock);
 *  - downgrade: mmap_write_downgrade emits acquire_returned(read, success) while the task
 *    holds the write lock, and the later release is a read release: the write hold ends
 *    there and the read remainder is not timed;
 *  - a killable/interruptible lock that gives up: acquire_returned(success=false): a wait,
 *    counted as failed, no hold;
 *  - a release with no acquisition (taken before the phase, or released by another task as
 *    mmap_read_unlock_non_owner does): counted as unmatched.
 * Contended: the attempt failed (a trylock that found the lock taken, a killable wait that
 * gave up), or began while another task held the lock in a conflicting mode or waited for it
 * for write (rwsem queues readers behind a waiting writer), as the trace shows it: a holder
 * from before the phase is not seen.
 */
#include <stdlib.h>
#include <string.h>

#include "fl_json.h"
#include "lib/hist.h"
#include "probes/mmap_lock.h"

#define MML_HOLDS	4	/* locks one task holds at once (two mms in fork's dup_mmap) */
#define MML_MMS		8	/* mms whose holders are tracked for "contended" */

struct fl_mml_side {
	uint64_t acquired, failed, trylock, trylock_failed, contended, downgrades, unmatched;
	struct fl_hist wait, hold;
};

struct mml_hold {
	uint64_t mm, time;
	bool write, downgraded;
};

struct mml_task {
	int32_t tid;
	bool used, pending, p_write, p_contended;
	uint64_t p_mm, p_time;
	int nholds;
	struct mml_hold h[MML_HOLDS];
};

struct mml_mm {
	uint64_t mm;
	int32_t writer;		/* tid holding it for write, 0: none */
	uint32_t readers;	/* read holds */
	uint32_t wwait;		/* tasks waiting for it for write */
};

struct fl_mml {
	struct fl_mml_side side[FL_MML_ROLES][2];
	struct mml_task *task;
	size_t cap, used;
	struct mml_mm mms[MML_MMS];
	int nmms;
	struct fl_mml_totals tot;
};

struct fl_mml *fl_mml_new(void)
{
	struct fl_mml *m = calloc(1, sizeof(*m));
	int r, w;

	if (!m)
		return NULL;
	m->cap = 64;
	m->task = calloc(m->cap, sizeof(*m->task));
	if (!m->task) {
		free(m);
		return NULL;
	}
	for (r = 0; r < FL_MML_ROLES; r++)
		for (w = 0; w < 2; w++) {
			fl_hist_init(&m->side[r][w].wait);
			fl_hist_init(&m->side[r][w].hold);
		}
	return m;
}

void fl_mml_free(struct fl_mml *m)
{
	if (!m)
		return;
	free(m->task);
	free(m);
}

/* ---- tasks: open addressing on the tid ------------------------------------------- */

static struct mml_task *slot_of(struct mml_task *tab, size_t cap, int32_t tid)
{
	size_t i = ((uint32_t)tid * 2654435761u) & (cap - 1);

	while (tab[i].used && tab[i].tid != tid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int tasks_grow(struct fl_mml *m)
{
	size_t cap = m->cap * 2, i;
	struct mml_task *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->task[i].used)
			*slot_of(tab, cap, m->task[i].tid) = m->task[i];
	free(m->task);
	m->task = tab;
	m->cap = cap;
	return 0;
}

/* NULL only when out of memory (the event is then not paired). */
static struct mml_task *task_get(struct fl_mml *m, int32_t tid)
{
	struct mml_task *t;

	if (2 * (m->used + 1) > m->cap && tasks_grow(m))
		return NULL;
	t = slot_of(m->task, m->cap, tid);
	if (!t->used) {
		memset(t, 0, sizeof(*t));
		t->used = true;
		t->tid = tid;
		m->used++;
	}
	return t;
}

/* ---- who holds each mm ----------------------------------------------------------- */

static struct mml_mm *mm_get(struct fl_mml *m, uint64_t mm)
{
	int i;

	for (i = 0; i < m->nmms; i++)
		if (m->mms[i].mm == mm)
			return &m->mms[i];
	if (m->nmms == MML_MMS)
		return NULL;
	m->mms[m->nmms] = (struct mml_mm){ .mm = mm };
	return &m->mms[m->nmms++];
}

static void mm_hold(struct fl_mml *m, uint64_t mm, int32_t tid, bool write, int delta)
{
	struct mml_mm *s = mm_get(m, mm);

	if (!s)
		return;
	if (write)
		s->writer = delta > 0 ? tid : 0;
	else if (delta > 0 || s->readers)
		s->readers += delta;
}

static void mm_wait(struct fl_mml *m, uint64_t mm, int delta)
{
	struct mml_mm *s = mm_get(m, mm);

	if (s && (delta > 0 || s->wwait))
		s->wwait += delta;
}

/* The task's attempt in flight ends (answered or given up). */
static void pending_end(struct fl_mml *m, struct mml_task *t)
{
	if (t->pending && t->p_write)
		mm_wait(m, t->p_mm, -1);
	t->pending = false;
}

/* Called with t's own attempt not in flight. */
static bool conflict(struct fl_mml *m, const struct mml_task *t, uint64_t mm, bool write)
{
	struct mml_mm *s = mm_get(m, mm);
	uint32_t own = 0;
	int i;

	if (!s)
		return false;
	if ((s->writer && s->writer != t->tid) || s->wwait)
		return true;
	if (!write)
		return false;
	for (i = 0; i < t->nholds; i++)
		own += t->h[i].mm == mm && !t->h[i].write;
	return s->readers > own;
}

/* ---- the events ------------------------------------------------------------------ */

static void hold_open(struct fl_mml *m, struct mml_task *t, const struct fl_mml_event *e,
		      bool downgraded)
{
	if (t->nholds == MML_HOLDS) {	/* deeper than any kernel path: drop the oldest */
		mm_hold(m, t->h[0].mm, t->tid, t->h[0].write, -1);
		memmove(&t->h[0], &t->h[1], sizeof(t->h[0]) * (MML_HOLDS - 1));
		t->nholds--;
		m->tot.dropped++;
	}
	t->h[t->nholds++] = (struct mml_hold){ .mm = e->mm, .time = e->time, .write = e->write,
					       .downgraded = downgraded };
	mm_hold(m, e->mm, t->tid, e->write, 1);
}

static void hold_close(struct fl_mml *m, struct mml_task *t, int i)
{
	mm_hold(m, t->h[i].mm, t->tid, t->h[i].write, -1);
	memmove(&t->h[i], &t->h[i + 1], sizeof(t->h[0]) * (size_t)(t->nholds - i - 1));
	t->nholds--;
}

/* The latest hold of mm in that mode, -1 if none. */
static int hold_find(const struct mml_task *t, uint64_t mm, bool write)
{
	int i;

	for (i = t->nholds - 1; i >= 0; i--)
		if (t->h[i].mm == mm && t->h[i].write == write)
			return i;
	return -1;
}

static uint64_t since(uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? t1 - t0 : 0;
}

static void on_start(struct fl_mml *m, struct mml_task *t, const struct fl_mml_event *e)
{
	if (t->pending)
		m->tot.abandoned++;
	pending_end(m, t);
	t->p_contended = conflict(m, t, e->mm, e->write);
	t->pending = true;
	t->p_mm = e->mm;
	t->p_write = e->write;
	t->p_time = e->time;
	if (e->write)
		mm_wait(m, e->mm, 1);
}

/* acquire_returned(read) while holding the write lock, with no attempt in flight. */
static bool on_downgrade(struct fl_mml *m, struct mml_task *t, const struct fl_mml_event *e)
{
	struct fl_mml_side *ws = &m->side[e->role][1];
	int i = hold_find(t, e->mm, true);

	if (e->write || !e->success || i < 0)
		return false;
	fl_hist_record(&ws->hold, since(t->h[i].time, e->time));
	ws->downgrades++;
	hold_close(m, t, i);
	hold_open(m, t, e, true);
	return true;
}

static void on_acquire(struct fl_mml *m, struct mml_task *t, const struct fl_mml_event *e)
{
	struct fl_mml_side *s = &m->side[e->role][e->write];

	if (t->pending && t->p_mm == e->mm && t->p_write == e->write) {
		pending_end(m, t);
		fl_hist_record(&s->wait, since(t->p_time, e->time));
		s->contended += t->p_contended || !e->success;
		if (!e->success) {
			s->failed++;
			return;
		}
	} else {
		if (t->pending) {	/* its answer was lost: never pair across it */
			pending_end(m, t);
			m->tot.abandoned++;
		}
		if (on_downgrade(m, t, e))
			return;
		if (!e->success) {
			s->trylock_failed++;
			s->contended++;
			return;
		}
		s->trylock++;
	}
	s->acquired++;
	hold_open(m, t, e, false);
}

static void on_release(struct fl_mml *m, struct mml_task *t, const struct fl_mml_event *e)
{
	struct fl_mml_side *s = &m->side[e->role][e->write];
	int i = hold_find(t, e->mm, e->write);

	if (i < 0) {
		s->unmatched++;
		return;
	}
	if (!t->h[i].downgraded)
		fl_hist_record(&s->hold, since(t->h[i].time, e->time));
	hold_close(m, t, i);
}

void fl_mml_feed(struct fl_mml *m, const struct fl_mml_event *e)
{
	struct mml_task *t;

	if (e->type >= FL_MML_TYPES || e->role >= FL_MML_ROLES)
		return;
	m->tot.events[e->type]++;
	t = task_get(m, e->tid);
	if (!t) {
		m->tot.dropped++;
		return;
	}
	if (e->type == FL_MML_START)
		on_start(m, t, e);
	else if (e->type == FL_MML_ACQUIRE)
		on_acquire(m, t, e);
	else
		on_release(m, t, e);
}

/* Every task's attempt and holds are forgotten; count adds to what. */
static void forget_all(struct fl_mml *m, uint64_t *pending, uint64_t *held)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		struct mml_task *t = &m->task[i];

		if (!t->used)
			continue;
		*pending += t->pending;
		*held += (uint64_t)t->nholds;
		t->pending = false;
		t->nholds = 0;
	}
	m->nmms = 0;
}

void fl_mml_lost(struct fl_mml *m, uint64_t n)
{
	m->tot.lost += n;
	forget_all(m, &m->tot.dropped, &m->tot.dropped);
}

void fl_mml_finish(struct fl_mml *m)
{
	forget_all(m, &m->tot.pending_at_stop, &m->tot.open_at_stop);
}

void fl_mml_get_totals(const struct fl_mml *m, struct fl_mml_totals *t)
{
	*t = m->tot;
}

const struct fl_mml_side *fl_mml_side(const struct fl_mml *m, enum fl_mml_role role, bool write)
{
	return &m->side[role][write];
}

uint64_t fl_mml_side_count(const struct fl_mml_side *s)
{
	return s->acquired;
}

uint64_t fl_mml_side_contended(const struct fl_mml_side *s)
{
	return s->contended;
}

uint64_t fl_mml_side_unmatched(const struct fl_mml_side *s)
{
	return s->unmatched;
}

uint64_t fl_mml_side_downgrades(const struct fl_mml_side *s)
{
	return s->downgrades;
}

uint64_t fl_mml_side_wait(const struct fl_mml_side *s, double p, uint64_t *n)
{
	*n = s->wait.count;
	return fl_hist_percentile(&s->wait, p);
}

uint64_t fl_mml_side_hold(const struct fl_mml_side *s, double p, uint64_t *n)
{
	*n = s->hold.count;
	return fl_hist_percentile(&s->hold, p);
}

/* ---- JSON -------------------------------------------------------------------------- */

#define LOST_NOTE "the ring buffers lost events during the phase: counts are low and the " \
		  "waits and holds in flight at each loss were not timed"

static json_t *side_json(const struct fl_mml_side *s, uint64_t lost)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "count", (json_int_t)s->acquired,
			      "contended", (json_int_t)s->contended,
			      "trylock", (json_int_t)s->trylock,
			      "trylock_failed", (json_int_t)s->trylock_failed,
			      "failed", (json_int_t)s->failed,
			      "unmatched_releases", (json_int_t)s->unmatched,
			      "downgrades", (json_int_t)s->downgrades);

	if (!o)
		return NULL;
	json_object_set_new(o, "wait", fl_hist_to_json(&s->wait, "ns"));
	json_object_set_new(o, "hold", fl_hist_to_json(&s->hold, "ns"));
	json_object_set_new(o, "waited_ns", json_integer((json_int_t)s->wait.sum));
	json_object_set_new(o, "held_ns", json_integer((json_int_t)s->hold.sum));
	if (lost) {
		json_object_set_new(o, "lost_events", json_integer((json_int_t)lost));
		json_object_set_new(o, "note", json_string(LOST_NOTE));
	}
	return o;
}

static json_t *role_json(const struct fl_mml *m, enum fl_mml_role r)
{
	return json_pack("{s:o, s:o}", "read", side_json(&m->side[r][0], m->tot.lost),
			 "write", side_json(&m->side[r][1], m->tot.lost));
}

json_t *fl_mml_json(const struct fl_mml *m, bool khugepaged_known)
{
	const struct fl_mml_totals *t = &m->tot;
	json_t *o = role_json(m, FL_MML_WORKLOAD);

	if (!o)
		return NULL;
	json_object_set_new(o, "khugepaged", khugepaged_known ? role_json(m, FL_MML_KHUGEPAGED) :
			    fl_json_missing("absent", "no khugepaged thread ran during the phase "
					    "(THP disabled, or a kernel without it)"));
	json_object_set_new(o, "other_tasks", role_json(m, FL_MML_OTHER));
	json_object_set_new(o, "events", json_pack("{s:I, s:I, s:I}",
			    "start_locking", (json_int_t)t->events[FL_MML_START],
			    "acquire_returned", (json_int_t)t->events[FL_MML_ACQUIRE],
			    "released", (json_int_t)t->events[FL_MML_RELEASE]));
	json_object_set_new(o, "lost_events", json_integer((json_int_t)t->lost));
	json_object_set_new(o, "unpaired", json_pack("{s:I, s:I, s:I, s:I}",
			    "dropped", (json_int_t)t->dropped,
			    "abandoned_attempts", (json_int_t)t->abandoned,
			    "waiting_at_stop", (json_int_t)t->pending_at_stop,
			    "held_at_stop", (json_int_t)t->open_at_stop));
	return o;
}
