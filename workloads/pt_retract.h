/* SPDX-License-Identifier: GPL-2.0 */
/* pt-retract's state, shared by its files: the workload (pt_retract.c), each round's file
 * (pt_retract_file.c), the walker and exiter threads (pt_retract_threads.c) and the two
 * collapse contexts, MADV_COLLAPSE and khugepaged (pt_retract_collapse.c). */
#ifndef FL_PT_RETRACT_H
#define FL_PT_RETRACT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/badlog.h"
#include "lib/hist.h"
#include "lib/kmsg.h"
#include "lib/team.h"
#include "workload.h"

#define WALK_PAGES 16

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
	_Atomic uint64_t walk_calls, walk_pages, walk_efault;
	struct fl_badlog walk_bad;	/* pages walkers read wrong: count, the first */
	struct fl_kmsg kmsg;
	bool kmsg_open;
	char *buf;			/* one PMD of stamps for pwrite */
	char *anchor;			/* khugepaged: anonymous MADV_HUGEPAGE registration */
	struct fl_ctrace *trace;	/* khugepaged: the huge_memory tracepoints */
	char trace_why[256];
	uint64_t t0;			/* the current round's fast scan asked */
};

/* pt_retract_file.c: a new file stamped with seed, mapped PMD-aligned, faulted in as small
 * pages. 0, or -1 with err (f is then for ptr_file_drop). */
int ptr_file_make(struct ptr *t, struct ptr_file *f, uint64_t seed, char *err, size_t len);
void ptr_file_drop(struct ptr *t, struct ptr_file *f);
/* PMD-mapped and resident kB of the current mapping. 0, or -1 with errno (smaps). */
int ptr_pmd_mapped(struct ptr *t, uint64_t *kb, uint64_t *rss_kb);
/* Can the kernel collapse this kind of file? 0, FL_WL_SKIP (why in c->reason), FL_WL_FAIL. */
int ptr_probe_collapse(struct fl_case *c, struct ptr *t);

/* pt_retract_threads.c: the walker and exiter teams (not started). 0 or FL_WL_FAIL. */
int ptr_make_teams(struct fl_case *c, struct ptr *t);

/* pt_retract_collapse.c: mode khugepaged's settings, registration and tracepoints; one
 * round's collapse by either context. Each returns 0, FL_WL_SKIP or FL_WL_FAIL. */
int ptr_khugepaged_slow(struct fl_case *c);
int ptr_khugepaged_knobs(struct fl_case *c, struct ptr *t);
int ptr_khugepaged_register(struct fl_case *c, struct ptr *t);
int ptr_collapse_madvise(struct fl_case *c, struct ptr *t);
int ptr_collapse_khugepaged(struct fl_case *c, struct ptr *t);
void ptr_trace_start(struct fl_case *c, struct ptr *t);
void ptr_trace_report(struct fl_case *c, struct ptr *t);

#endif
