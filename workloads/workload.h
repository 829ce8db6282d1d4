/* SPDX-License-Identifier: GPL-2.0 */
/* The workload contract (DESIGN.md): a static descriptor per workload, listed once in
 * workloads.def. */
#ifndef FL_WORKLOAD_H
#define FL_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <jansson.h>
#include "lib/params.h"

struct fl_knobs;
struct fl_team;

enum fl_better {
	FL_BETTER_HIGHER,
	FL_BETTER_LOWER,
	FL_BETTER_NONE,		/* informational */
};

struct fl_metric {
	const char *name;
	const char *unit;
	enum fl_better better;
	const char *help;
};

/* Case status (schema). */
enum fl_status {
	FL_OK,
	FL_FAILED,	/* verification or workload error */
	FL_SKIPPED,	/* a requirement is missing (reason says which) */
};

/* Whose resource use (getrusage): the agent's own threads, or its children waited for. */
enum fl_ru_who { FL_RU_SELF, FL_RU_CHILDREN, FL_RU_WHO_N };

/* Resource use of the measured phase so far (fl_case_rusage). */
struct fl_rusage {
	double user_s, sys_s;		/* CPU time */
	double faults;			/* page faults, minor + major */
	double nvcsw, nivcsw;		/* voluntary (sleeps) and involuntary context switches */
};

/* Test-only fault injection, set from hidden agent options. */
struct fl_test_hooks {
	long corrupt_page;	/* >= 0: flip a byte in this page before verify */
	long delay_us;		/* spin this long per op (a known slowdown for analysis tests) */
	long drop_rewrite;	/* >= 0: swapin-collapse leaves this page out of its rewrite */
};

struct fl_case {
	const struct fl_workload *wl;
	struct fl_params params;
	int ncpus;			/* online CPUs */
	json_t *metrics;		/* "metrics" section, filled by run() */
	json_t *verify;			/* "verify" section, filled by verify() */
	json_t *extra;			/* workload-specific section "detail" (may stay empty) */
	json_t *resolved;		/* "resolved": what a symbolic parameter came to on this
					 * machine, {"jobs": "-j1"} for jobs=half; shown in labels */
	json_t *console;		/* "console": {"findings": [...]} of a workload that scans
					 * the kernel log (lib/kmsg.h); NULL: not scanned */
	double ops;			/* operations done in the measured phase */
	const char *op_unit;		/* "record", "fault", "op" ... */
	double measured_s;		/* set by the agent around run() */
	struct rusage ru_start[FL_RU_WHO_N];	/* set by the agent right before run() */
	enum fl_status status;
	char reason[512];		/* why failed / skipped */
	struct fl_test_hooks test;
	struct fl_knobs *knobs;		/* journal of kernel settings changed (lib/knobs.h) */
	bool force;			/* --force: skip the memory-fit check */
	void *priv;			/* the workload's own state */
};

struct fl_workload {
	const char *name, *summary;
	const struct fl_param *params;		/* NULL-name terminated */
	const struct fl_metric *metrics;	/* NULL-name terminated; the first is the main one */
	const char *op_unit;			/* what one op is: "record" */
	const char *events;			/* default tracepoint globs; NULL: the agent's */
	int (*setup)(struct fl_case *c);	/* allocate, populate, save+set kernel knobs */
	int (*run)(struct fl_case *c);		/* the measured phase; probes bracket it */
	int (*verify)(struct fl_case *c);	/* data integrity */
	void (*teardown)(struct fl_case *c);	/* always runs; restores what setup changed */
};

/* Return values of setup/run/verify: 0 ok; FL_WL_SKIP (requirement missing, c->reason says);
 * FL_WL_FAIL (workload error or corruption, c->reason says). */
#define FL_WL_SKIP 1
#define FL_WL_FAIL (-1)

/* The registry: every workload of workloads.def, NULL-terminated (registry.c). */
extern const struct fl_workload *const fl_workloads[];
const struct fl_workload *fl_workload_find(const char *name);

/* Record a metric value; the name must be one of the workload's metrics. */
void fl_case_metric(struct fl_case *c, const char *name, double value);
/* Attach per-second samples to a metric ("samples": {"unit", "per_second": [...]}). */
void fl_case_samples(struct fl_case *c, const char *name, const char *unit, json_t *per_second);
/* Mark the case failed/skipped with a reason; returns FL_WL_FAIL / FL_WL_SKIP. */
int fl_case_fail(struct fl_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fl_case_skip(struct fl_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The harness's rusage of the measured phase (case_rusage.c). The agent calls
 * fl_case_rusage_start right before run(); a workload reads the use since then, of who, where
 * its phase's work ends (0, or -1 when getrusage fails), and reports its CPU time as the metrics
 * user_s and sys_s (seconds; the workload's table lists them). */
void fl_case_rusage_start(struct fl_case *c);
int fl_case_rusage(const struct fl_case *c, enum fl_ru_who who, struct fl_rusage *ru);
void fl_case_cpu_metrics(struct fl_case *c, const struct fl_rusage *ru);

/* The slowest and the fastest worker of a team (lib/team.h): ops / elapsed as two metrics. */
void fl_case_thread_rates(struct fl_case *c, struct fl_team *t, double elapsed,
			  const char *min_metric, const char *max_metric);

/* Refuse (FL_WL_FAIL with a reason naming the figures) a size that does not fit in
 * MemAvailable (plus free swap when with_swap), unless c->force. */
int fl_case_check_memory(struct fl_case *c, unsigned long long bytes, bool with_swap);

/* The verify section of a data check: "<unit>s_checked", "corrupt", "first_corrupt"; fails
 * the case ("3 corrupt page(s); first: ...") when corrupt > 0. unit: "page", "record". */
int fl_case_verdict(struct fl_case *c, const char *unit, uint64_t checked, uint64_t corrupt,
		    const char *first);

json_t *fl_metrics_describe(const struct fl_metric *m);
const char *fl_better_name(enum fl_better b);

#endif
