/* SPDX-License-Identifier: GPL-2.0 */
/* The mmap_lock probe's state, shared by its two files: mmap_lock.c (the probe ops: formats,
 * events, start/stop/emit) and mmap_lock_ring.c (reading the ring buffers in time order into
 * the pairing, and learning this process's mm). Not for other callers: see mmap_lock.h. */
#ifndef FL_MMAP_LOCK_PROBE_H
#define FL_MMAP_LOCK_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/perf_event.h>

#include "probes/mmap_lock.h"

struct perf_cpu_map;
struct perf_thread_map;
struct perf_evlist;
struct mml_rec;

#define MML_PAGES	256	/* ring pages per CPU: 1 MiB with 4 KiB pages */
#define MML_POLL_MS	20	/* the reader's longest sleep */
#define MML_QUEUE	65536	/* records queued for ordering, preallocated */
#define MML_KH_MAX	8	/* khugepaged threads remembered */
#define MML_MMS_MAX	8	/* mms of the workload's tasks (scope "tasks") */
#define MML_SAMPLE	(PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)

struct fl_mml_probe {
	pid_t pid;
	const char *status;		/* NULL while usable */
	char why[320];
	struct fl_mml_format fmt[FL_MML_TYPES];
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct perf_evlist *evlist;
	bool mapped, kfilter, mm_known;
	uint64_t mm;
	uint64_t mms[MML_MMS_MAX];
	int nmms;
	pid_t kh[MML_KH_MAX];
	int nkh;
	struct fl_mml *eng;
	pthread_t reader;
	bool reader_on, started, stopped;
	atomic_bool quit;
	atomic_int reader_tid;
	struct mml_rec *q;
	size_t nq, qcap;
	uint64_t seq, round_max, cur_max;
	uint64_t *lost_cpu;		/* indexed by CPU number */
	int max_cpu;
	uint64_t throttles, undecoded;
};

/* The khugepaged thread tid, remembered (at most MML_KH_MAX). */
void fl_mml_kh_add(struct fl_mml_probe *m, pid_t tid);
/* Room for one more queued record: 0, or -1 (ENOMEM). */
int fl_mml_ring_reserve(struct fl_mml_probe *m);
/* One round: read every ring, then pair what is older than the previous round's newest
 * record; all when final. */
void fl_mml_ring_drain(struct fl_mml_probe *m, struct perf_evlist *evlist, bool final);
/* The reader thread (pthread_create's start): drains until m->quit. */
void *fl_mml_ring_reader(void *arg);
/* Record this thread's own mmap + munmap: sets m->mm and m->mm_known. */
void fl_mml_learn_mm(struct fl_mml_probe *m);
/* perf_evlist__delete(), plus the map references libperf 6.12 does not drop. */
void fl_mml_evlist_free(struct perf_evlist *el, bool mapped);

#endif
