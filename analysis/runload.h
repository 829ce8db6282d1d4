/* SPDX-License-Identifier: GPL-2.0 */
/* Loading a run directory for analysis: run.json (identity, state) and every case file in cases/,
 * reduced to the numbers analysis needs. Fast: 10,000 case files in well under a second. */
#ifndef FL_RUNLOAD_H
#define FL_RUNLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum fl_item_kind { FL_ITEM_METRIC = 'm', FL_ITEM_COUNTER = 'c', FL_ITEM_IPI = 'i',
		    FL_ITEM_VMSTAT = 'v' };
enum fl_item_status { FL_ITEM_OK, FL_ITEM_ABSENT, FL_ITEM_UNSUPPORTED };

/* One number of a case: a metric, counter, IPI class total or vmstat event counter. */
struct fl_item {
	char *name;		/* "records_per_s", "page-faults", "ipi.tlb_shootdown", "vmstat.pgfault" */
	char *unit;
	char *reason;		/* absent/unsupported: why */
	char kind;		/* enum fl_item_kind */
	char better;		/* 'h'igher, 'l'ower, 'n'one */
	unsigned char status;	/* enum fl_item_status */
	double value;
	double *per_cpu;	/* IPI classes: per-CPU counts */
	size_t ncpu;
};

/* A latency distribution of a case: the "cdf" of a histogram (workloads/lib/hist.h) found in
 * its metrics, its "detail" or its "mmap_lock" section. */
struct fl_cdf {
	char *name;		/* "latency", "collapse_trace.collapse_ns", "mmap_lock.read.wait" */
	char *unit;		/* "ns" */
	size_t n;
	double *x;		/* n upper bounds, ascending */
	double *cum;		/* n cumulative counts, ascending; the last is the count */
};

struct fl_run_case {
	char *file;		/* "cases/0001-ebizzy-i0.json" */
	char *workload;
	json_t *params;
	json_t *resolved;	/* case.resolved, or NULL: {"jobs": "-j1"} for jobs=half */
	char *key;		/* workload + canonical parameters: the grouping key */
	long iteration;
	bool warmup;
	bool has_vmstat;	/* vmstat counters not listed were 0 */
	char *status, *reason;
	double ops;		/* ops.count, 0 if none */
	char *ops_unit;
	struct fl_item *items;
	size_t nitems;
	struct fl_cdf *cdfs;	/* at most FL_CASE_CDFS */
	size_t ncdfs;
};

#define FL_CASE_CDFS 16		/* latency distributions kept per case */
#define FL_CDF_POINTS 256	/* points of one; a "cdf" with more is not read */

struct fl_run {
	char *dir;
	char label[8];		/* "A", "B", ... */
	json_t *info;		/* the "run" object (run.json, else the first case document) */
	json_t *precision;	/* run.json's "precision" object (what --precision reached), or
				 * NULL: none, or a pooled baseline (fl_run_absorb) */
	char *state;		/* run.json's state, or "unknown" */
	struct fl_run_case *cases;
	size_t ncases;
	json_t *skipped;	/* [{"file", "reason"}]: case files that could not be used */
};

/* Load dir. Returns 0, or -1 with one sentence in err (not a run directory, no case
 * documents, another schema major version). Unreadable or corrupt case files are skipped
 * and listed in r->skipped with the reason. */
int fl_run_load(struct fl_run *r, const char *dir, char *err, size_t errlen);
/* Move src's cases into dst (nightly's pooled baseline); src keeps its identity, dst loses
 * its precision (the pool is not one run's). */
int fl_run_absorb(struct fl_run *dst, struct fl_run *src);
void fl_run_free(struct fl_run *r);
/* The item called name in c, or NULL. */
const struct fl_item *fl_run_case_item(const struct fl_run_case *c, const char *name);

#endif
