/* SPDX-License-Identifier: GPL-2.0 */
/* A team of worker threads pinned with hwloc, started together, stopped by a flag. */
#ifndef FL_TEAM_H
#define FL_TEAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <hwloc.h>
#include "rng.h"
#include "hist.h"

enum fl_pin {
	FL_PIN_NONE,	/* let the scheduler place threads */
	FL_PIN_CORE,	/* worker i on core i % cores */
	FL_PIN_PU,	/* worker i on PU (hardware thread) i % PUs */
};

struct fl_team;

struct fl_worker {
	int id;
	int cpu;			/* PU it is bound to, -1 if not pinned */
	struct fl_team *team;
	void *arg;			/* the workload's shared state */
	struct fl_rng rng;		/* seeded per worker */
	_Atomic uint64_t ops;		/* operations completed; read by the sampler */
	struct fl_hist *hist;		/* per-worker latency histogram, NULL if not asked */
	double user_s, sys_s;		/* CPU time of this thread (filled at exit) */
	int err;			/* non-zero: the worker failed; errmsg says why */
	char errmsg[256];
} __attribute__((aligned(64)));

typedef void (*fl_worker_fn)(struct fl_worker *w);

/* Create n workers that wait until fl_team_start(). hist: give each a histogram. seed:
 * PRNG seed (each worker gets its own stream). Returns NULL with err on failure. */
struct fl_team *fl_team_create(int n, enum fl_pin pin, bool hist, uint64_t seed,
			       fl_worker_fn fn, void *arg, char *err, size_t errlen);
void fl_team_start(struct fl_team *t);
/* True once fl_team_stop() was called: workers poll it between ops. */
bool fl_team_stopping(const struct fl_worker *w);
void fl_team_stop(struct fl_team *t);
/* Wait for all workers to return. */
void fl_team_join(struct fl_team *t);
void fl_team_destroy(struct fl_team *t);

int fl_team_size(const struct fl_team *t);
struct fl_worker *fl_team_worker(struct fl_team *t, int i);
/* The first worker that failed (err set; its id and errmsg say which and why), or NULL when
 * none did or t is NULL. Read after fl_team_join(). */
struct fl_worker *fl_team_failed(struct fl_team *t);
uint64_t fl_team_ops(const struct fl_team *t);		/* sum of workers' ops now */
/* Workers that have not yet returned from their function (0 once all have exited). */
int fl_team_running(const struct fl_team *t);
/* Parse "none|core|pu". */
int fl_pin_parse(const char *s, enum fl_pin *out);
/* The hwloc object the i-th binding of pin gets: core i % cores (PU i % PUs for FL_PIN_PU,
 * or where hwloc finds no cores); i < 0: the last one. NULL when there is none. */
hwloc_obj_t fl_pin_obj(hwloc_topology_t topo, enum fl_pin pin, int i);

#endif
