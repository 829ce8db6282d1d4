/* SPDX-License-Identifier: GPL-2.0 */
/* thp-munmap's state, shared by its files: the workload (thp_munmap.c), the GUP-fast walkers
 * (thp_munmap_walk.c), the idle threads (thp_munmap_idle.c), what the operation cost
 * (thp_munmap_cost.c: IPIs, TLB flushes, page tables), the data checks (thp_munmap_verify.c),
 * and the pure helpers of thp_munmap_ipi.h and thp_munmap_pgt.h. */
#ifndef FL_THP_MUNMAP_H
#define FL_THP_MUNMAP_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/badlog.h"
#include "lib/cpubind.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "thp_munmap_pgt.h"
#include "workload.h"

struct fl_csd_calls;
struct fl_tlb_flush;

#define WALK_PAGES 16
#define GIB (1024.0 * 1024 * 1024)

enum thpm_op { OP_MUNMAP, OP_DONTNEED, OP_MPROTECT, OP_SPLIT };
extern const char *const thpm_op_names[];	/* by enum thpm_op: the op parameter's words */

enum thpm_phase { PH_BEFORE, PH_OP, PH_AFTER };

struct thpm;

/* One idle thread: runs once on its CPU, then sleeps through the operation. */
struct thpm_idle {
	struct thpm *t;
	pthread_t thread;
	pid_t tid;
	int cpu;			/* the CPU it was pinned to */
	int ran_on;			/* sched_getcpu() there, after pinning */
	int err;			/* errno of a failed pinning, or -1: read a wrong stamp */
	char state0, state1;		/* /proc state right before and after the operation */
	int cpu1;			/* the CPU it last ran on, after the operation */
	long long sw0, sw1;		/* context switches before and after */
};

struct thpm {
	enum thpm_op op;
	size_t size, page, npages, hpage, pud;
	char *base;
	bool align_pud;
	uintptr_t keep_lo, keep_hi;	/* what map_range kept: the range and its guards */
	struct thpm_pgt pgt;		/* page tables around the operation */
	uint64_t seed;
	struct fl_team *walkers;
	bool walkers_joined;
	struct fl_cpubind bind;
	_Atomic int phase;		/* enum thpm_phase */
	_Atomic uint64_t walk_calls, walk_pages, walk_efault;
	struct fl_badlog walk_bad;	/* pages walkers read wrong: count, the first */
	struct fl_stamp_report pre;	/* munmap: the stamps checked before the op */
	char *irq0, *irq1;
	struct fl_csd_calls *csd;	/* cross-CPU calls received, around the op */
	struct fl_tlb_flush *tlb;	/* tlb:tlb_flush by reason, around the op */
	int ncpus_allowed, cpus_allowed[CPU_SETSIZE];	/* this process's CPUs at setup */
	struct thpm_idle *idle;
	int nidle, idle_created, idle_in;
	bool idle_release, idle_sync;
	pthread_mutex_t idle_lock;
	pthread_cond_t idle_cond, idle_in_cond;
	_Atomic unsigned char walked_on[CPU_SETSIZE];	/* a walker ran there during the op */
	int op_cpu0, op_cpu1;		/* the operation's CPU before and after it */
};

/* thp_munmap_walk.c: start the walkers (walkers= of them), stop and join them, and the
 * verdict on what they read. Start and verdict return 0 or FL_WL_FAIL. */
int thpm_start_walkers(struct fl_case *c, struct thpm *t, enum fl_pin pin);
void thpm_stop_walkers(struct thpm *t);
int thpm_walkers_verdict(struct fl_case *c, struct thpm *t);

/* thp_munmap_idle.c: the CPUs this process may use (before the timing thread binds itself);
 * the idle threads, one per allowed CPU in turn, started and checked in; their state right
 * before (after = false) or after the operation, as detail.idle; stopped and joined. The
 * int ones return 0 or FL_WL_FAIL. */
int thpm_allowed_cpus(struct fl_case *c, struct thpm *t);
int thpm_start_idle(struct fl_case *c, struct thpm *t);
void thpm_idle_snapshot(struct thpm *t, bool after);
json_t *thpm_idle_json(const struct thpm *t);
void thpm_stop_idle(struct thpm *t);

/* thp_munmap_cost.c: the IPIs of the operation by class and receiver, the remote TLB flushes
 * it sent, the page tables munmap freed (thpm_pgt_before and thpm_vmpte_kb_now run right
 * before the operation, thpm_vmpte_kb_now again right after). */
void thpm_ipi_metrics(struct fl_case *c, struct thpm *t);
void thpm_tlb_flush_metrics(struct fl_case *c, struct thpm *t);
long long thpm_vmpte_kb_now(void);
void thpm_pgt_before(struct thpm *t);
void thpm_pgt_metrics(struct fl_case *c, struct thpm *t);

/* thp_munmap_verify.c: the stamps before a munmap, the range after each op. 0 or FL_WL_FAIL. */
int thpm_precheck(struct fl_case *c, struct thpm *t);
int thpm_verify_unmapped(struct fl_case *c, struct thpm *t);
int thpm_verify_zero(struct fl_case *c, struct thpm *t);
int thpm_verify_stamps(struct fl_case *c, struct thpm *t);

#endif
