/* SPDX-License-Identifier: GPL-2.0 */
/* swapin-collapse's state and the pieces its files share: swapin_collapse.c (parameters,
 * metrics, set-up, verify, teardown), swapin_collapse_range.c (THP settings, the range, its
 * stamps, the push out to swap), swapin_collapse_threads.c (the optional threads during the
 * collapse), swapin_collapse_run.c (the measured phase). */
#ifndef FL_SWAPIN_COLLAPSE_H
#define FL_SWAPIN_COLLAPSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/fault_timer.h"
#include "lib/memcg.h"
#include "lib/mmstat.h"
#include "lib/swapdev.h"
#include "workload.h"

struct fl_ctrace;


#define THP "/sys/kernel/mm/transparent_hugepage"
#define KHP THP "/khugepaged"
#define POLL_NS 100000000ull
#define GEN2 0x9e3779b97f4a7c15ull	/* the rewrite's stamps: seed ^ GEN2 */
#define SLOW_PAGES "8"			/* khugepaged until the before snapshot */
#define SLOW_SLEEP_MS "600000"

enum sc_vma { VMA_NONE, VMA_MPROTECT, VMA_REMAP, VMA_MREMAP, VMA_ALL };

struct sc {
	char *base;
	size_t len, page, pmd;
	char *nb;			/* the neighbour PMD after the range (vma thread) */
	uint64_t seed;
	long drop;			/* test: the rewrite skips this page (-1: none) */
	struct fl_fclock clk;
	struct fl_hist *rewrite_lat;	/* the rewrite's first stores (NULL: not timed) */
	struct fl_swapdev swap;
	struct fl_memcg memcg;
	struct fl_mmsnap s0, s1, w0, w1;
	struct fl_ctrace *trace;
	char trace_why[256];
	double share_before;
	uint64_t t0;
	/* optional threads during the collapse */
	enum sc_vma vma;
	bool faulter;
	pthread_t vma_tid, fault_tid;
	bool vma_started, fault_started;
	atomic_bool stop;
	_Atomic uint64_t vma_changes, fault_reads;
	char thread_err[160];
};

/* swapin_collapse_range.c */
int sc_range_stats(const struct sc *s, unsigned long long *huge, unsigned long long *swap);
double sc_share(const struct sc *s);
int sc_thp_settings(struct fl_case *c);
int sc_map_range(struct fl_case *c, struct sc *s);
uint64_t sc_seed_of(const struct sc *s, const char *pattern, size_t pg);
int sc_stamp_pages(struct fl_case *c, struct sc *s, const char *pattern, bool rewrite);
int sc_rewrite_timer(struct fl_case *c, struct sc *s);
void sc_rewrite_latency(struct fl_case *c, struct sc *s);
int sc_push_out(struct fl_case *c, struct sc *s);

/* swapin_collapse_threads.c */
int sc_threads_start(struct fl_case *c, struct sc *s);
/* Stop and join the threads (teardown too: safe when none started). */
void sc_threads_join(struct sc *s);
/* Join them and record their counts in detail.threads. */
void sc_threads_stop(struct fl_case *c, struct sc *s);

/* swapin_collapse_run.c */
int sc_run(struct fl_case *c);

#endif
