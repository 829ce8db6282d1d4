// SPDX-License-Identifier: GPL-2.0
/*
 * Worker team: n threads, each bound with hwloc to a core or PU (round-robin), parked at a
 * gate until fl_team_start(), stopped by a flag they poll. Each records its own CPU time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <hwloc.h>
#include "fl_util.h"
#include "team.h"

enum team_gate {
	GATE_WAIT,	/* workers park */
	GATE_GO,	/* run the worker function */
	GATE_ABORT,	/* return without running it (creation failed, or never started) */
};

struct fl_team {
	int n;
	fl_worker_fn fn;
	struct fl_worker *w;
	pthread_t *tids;
	int nthreads;			/* threads actually created */
	bool joined;
	hwloc_topology_t topo;		/* NULL: no pinning */
	hwloc_bitmap_t *sets;		/* per-worker binding; NULL entries run unpinned */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;			/* workers parked at the gate */
	enum team_gate gate;
	atomic_bool stop;
	atomic_int running;		/* workers not yet returned */
};

int fl_pin_parse(const char *s, enum fl_pin *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "none"))
		*out = FL_PIN_NONE;
	else if (!strcmp(s, "core"))
		*out = FL_PIN_CORE;
	else if (!strcmp(s, "pu"))
		*out = FL_PIN_PU;
	else
		return -1;
	return 0;
}

hwloc_obj_t fl_pin_obj(hwloc_topology_t topo, enum fl_pin pin, int i)
{
	hwloc_obj_type_t type = pin == FL_PIN_CORE ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
	int n = hwloc_get_nbobjs_by_type(topo, type);

	if (n <= 0 && type == HWLOC_OBJ_CORE) {
		type = HWLOC_OBJ_PU;
		n = hwloc_get_nbobjs_by_type(topo, type);
	}
	if (n <= 0)
		return NULL;
	return hwloc_get_obj_by_type(topo, type, (unsigned int)(i < 0 ? n - 1 : i % n));
}

/* Load the topology and pick worker i's cpuset: object i % count of the wanted type.
 * Any failure means no pinning, never an error. */
static void team_topology(struct fl_team *t, enum fl_pin pin)
{
	int i;

	if (hwloc_topology_init(&t->topo))
		goto err;
	if (hwloc_topology_load(t->topo))
		goto err_topo;
	if (!fl_pin_obj(t->topo, pin, 0))
		goto err_topo;
	t->sets = calloc((size_t)t->n, sizeof(*t->sets));
	if (!t->sets)
		goto err_topo;
	for (i = 0; i < t->n; i++) {
		hwloc_obj_t obj = fl_pin_obj(t->topo, pin, i);

		if (obj && obj->cpuset && !hwloc_bitmap_iszero(obj->cpuset))
			t->sets[i] = hwloc_bitmap_dup(obj->cpuset);
	}
	return;

err_topo:
	hwloc_topology_destroy(t->topo);
err:
	t->topo = NULL;
}

/* Runs on the worker's own thread. */
static void team_bind(struct fl_team *t, struct fl_worker *w)
{
	hwloc_bitmap_t set = t->sets ? t->sets[w->id] : NULL;

	w->cpu = -1;
	if (!set)
		return;
	if (hwloc_set_thread_cpubind(t->topo, pthread_self(), set, HWLOC_CPUBIND_THREAD))
		return;
	w->cpu = hwloc_bitmap_first(set);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The thread's CPU time: the total from its CPU clock, split user/sys as getrusage says. */
static void team_cputime(struct fl_worker *w)
{
	struct timespec ts;
	struct rusage ru;
	double u = 0, s = 0, total;

	if (!getrusage(RUSAGE_THREAD, &ru)) {
		u = tv_s(ru.ru_utime);
		s = tv_s(ru.ru_stime);
	}
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) {
		w->user_s = u;
		w->sys_s = s;
		return;
	}
	total = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (u + s <= 0) {
		w->user_s = total;
		w->sys_s = 0;
		return;
	}
	/* Both as fractions of the total: a difference could round below 0. */
	w->user_s = total * (u / (u + s));
	w->sys_s = total * (s / (u + s));
}

static void *team_thread(void *arg)
{
	struct fl_worker *w = arg;
	struct fl_team *t = w->team;
	bool go;

	team_bind(t, w);
	pthread_mutex_lock(&t->lock);
	atomic_fetch_add(&t->running, 1);
	t->ready++;
	pthread_cond_broadcast(&t->cond);
	while (t->gate == GATE_WAIT)
		pthread_cond_wait(&t->cond, &t->lock);
	go = t->gate == GATE_GO;
	pthread_mutex_unlock(&t->lock);

	if (go)
		t->fn(w);
	team_cputime(w);
	atomic_fetch_sub(&t->running, 1);
	return NULL;
}

static void team_open_gate(struct fl_team *t, enum team_gate gate)
{
	pthread_mutex_lock(&t->lock);
	if (t->gate == GATE_WAIT) {
		t->gate = gate;
		pthread_cond_broadcast(&t->cond);
	}
	pthread_mutex_unlock(&t->lock);
}

static void team_free(struct fl_team *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->w)
			free(t->w[i].hist);
		if (t->sets && t->sets[i])
			hwloc_bitmap_free(t->sets[i]);
	}
	free(t->sets);
	if (t->topo)
		hwloc_topology_destroy(t->topo);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t->tids);
	free(t->w);
	free(t);
}

static int team_workers_init(struct fl_team *t, bool hist, uint64_t seed, void *arg)
{
	size_t sz = (size_t)t->n * sizeof(*t->w);
	int i;

	t->w = aligned_alloc(_Alignof(struct fl_worker), sz);
	if (!t->w)
		return -1;
	memset(t->w, 0, sz);
	for (i = 0; i < t->n; i++) {
		struct fl_worker *w = &t->w[i];

		w->id = i;
		w->cpu = -1;
		w->team = t;
		w->arg = arg;
		atomic_init(&w->ops, 0);
		fl_rng_seed(&w->rng, seed, (uint64_t)i);
		if (!hist)
			continue;
		w->hist = malloc(sizeof(*w->hist));
		if (!w->hist)
			return -1;
		fl_hist_init(w->hist);
	}
	return 0;
}

static int team_spawn(struct fl_team *t, char *err, size_t errlen)
{
	int rc;

	for (t->nthreads = 0; t->nthreads < t->n; t->nthreads++) {
		rc = pthread_create(&t->tids[t->nthreads], NULL, team_thread, &t->w[t->nthreads]);
		if (rc)
			return fl_seterr(err, errlen, "cannot create worker thread %d of %d: %s",
					 t->nthreads + 1, t->n, strerror(rc));
	}
	/* Everyone bound and parked: the start is then as simultaneous as it gets. */
	pthread_mutex_lock(&t->lock);
	while (t->ready < t->n)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

struct fl_team *fl_team_create(int n, enum fl_pin pin, bool hist, uint64_t seed,
			       fl_worker_fn fn, void *arg, char *err, size_t errlen)
{
	struct fl_team *t;

	if (n < 1 || !fn) {
		fl_seterr(err, errlen, "a team needs at least one worker and a worker function (got %d)", n);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto err_nomem;
	t->n = n;
	t->fn = fn;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	atomic_init(&t->stop, false);
	atomic_init(&t->running, 0);
	t->tids = calloc((size_t)n, sizeof(*t->tids));
	if (!t->tids || team_workers_init(t, hist, seed, arg))
		goto err_free;
	if (pin != FL_PIN_NONE)
		team_topology(t, pin);
	if (team_spawn(t, err, errlen))
		goto err_abort;
	return t;

err_abort:
	team_open_gate(t, GATE_ABORT);
	fl_team_join(t);
	team_free(t);
	return NULL;
err_free:
	team_free(t);
err_nomem:
	fl_seterr(err, errlen, "cannot allocate a team of %d workers: out of memory", n);
	return NULL;
}

void fl_team_start(struct fl_team *t)
{
	team_open_gate(t, GATE_GO);
}

bool fl_team_stopping(const struct fl_worker *w)
{
	return atomic_load_explicit(&w->team->stop, memory_order_relaxed);
}

void fl_team_stop(struct fl_team *t)
{
	atomic_store(&t->stop, true);
}

void fl_team_join(struct fl_team *t)
{
	int i;

	if (t->joined)
		return;
	/* Joining a team never started must not hang: its workers return at once. */
	team_open_gate(t, GATE_ABORT);
	for (i = 0; i < t->nthreads; i++)
		pthread_join(t->tids[i], NULL);
	t->joined = true;
}

void fl_team_destroy(struct fl_team *t)
{
	if (!t)
		return;
	fl_team_stop(t);
	fl_team_join(t);
	team_free(t);
}

int fl_team_size(const struct fl_team *t)
{
	return t->n;
}

struct fl_worker *fl_team_worker(struct fl_team *t, int i)
{
	return i >= 0 && i < t->n ? &t->w[i] : NULL;
}

struct fl_worker *fl_team_failed(struct fl_team *t)
{
	for (int i = 0; t && i < t->n; i++)
		if (t->w[i].err)
			return &t->w[i];
	return NULL;
}

uint64_t fl_team_ops(const struct fl_team *t)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < t->n; i++)
		sum += atomic_load_explicit(&t->w[i].ops, memory_order_relaxed);
	return sum;
}

int fl_team_running(const struct fl_team *t)
{
	return atomic_load(&t->running);
}
