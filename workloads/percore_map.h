/* SPDX-License-Identifier: GPL-2.0 */
/* percore-map's state, shared by its files: the workload (percore_map.c), the worker loops
 * (percore_map_loop.c) and the one-process-per-worker side of mode percore-mm
 * (percore_map_proc.c). */
#ifndef FL_PERCORE_MAP_H
#define FL_PERCORE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/badlog.h"
#include "lib/fault_timer.h"
#include "lib/hist.h"
#include "lib/mmstat.h"
#include "lib/team.h"
#include "workload.h"

struct fl_tlb_flush;

/* One worker's results, in memory shared with the percore-mm children. */
struct pc_slot {
	_Atomic uint64_t ops;
	atomic_int go, stop, done;
	int cpu;			/* PU it ran on, -1 if not pinned */
	uint64_t checked;
	struct fl_badlog bad;		/* wrong pages: count and the first described */
	char err[200];
	struct fl_hist hist;		/* op latency, ns */
	struct fl_hist fault;		/* first-touch latency of a page, ns */
} __attribute__((aligned(64)));

struct percore {
	bool percore_mm, zap, populate_madvise, shared_vma;
	bool fault_latency;		/* time each page's first touch (its fault) */
	struct fl_fclock clk;
	int n;
	size_t page, window, npages;
	long corrupt_page;		/* test hook, -1: none */
	enum fl_pin pin;
	struct pc_slot *slots;		/* MAP_SHARED, n entries */
	size_t slots_len;
	pid_t *pids;
	struct fl_team *team;
	struct fl_mmsnap s0, s1;
	char *arena;			/* op=zap: every worker's window, mapped in setup */
	size_t arena_len, stride;	/* worker i's window is at arena + i * stride */
	struct fl_tlb_flush *tlb;	/* tlb:tlb_flush by reason, around the loop */
};

/* One worker's loop (op zap or mmap) until stop(arg) or an interrupt; its results go to
 * p->slots[id], its op count to *ops. */
void pc_loop(struct percore *p, int id, _Atomic uint64_t *ops, bool (*stop)(void *),
	     void *arg);
/* shared-mm: a team worker that runs the loop itself. */
void pc_thread_worker(struct fl_worker *w);
/* percore-mm: a team worker that proxies its child process (percore_map_proc.c). */
void pc_proxy_worker(struct fl_worker *w);
/* percore-mm: fork one child per worker, each waiting at its slot's gate. 0 or FL_WL_FAIL. */
int pc_fork_children(struct fl_case *c, struct percore *p);
/* Stop the children, wait for them; kill one that hangs. */
void pc_reap(struct percore *p);

#endif
