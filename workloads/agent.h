/* SPDX-License-Identifier: GPL-2.0 */
/* faultline-agent: one case of one workload, measured and written as a case document. */
#ifndef FL_AGENT_H
#define FL_AGENT_H

#include <stdbool.h>
#include "workload.h"

/* Tracepoints counted when neither the workload nor --events says otherwise. Each hit of a
 * counted tracepoint costs its task the trace record perf fills in, so the default leaves
 * out the ones hit per fault or per lock: exceptions:page_fault_user (the page-faults
 * counter already has it; ~1% on a fault-bound case) and mmap_lock:* (three hits per mmap
 * and munmap and more per fallback fault: +0.7% on ebizzy -mT -t 1, bench/probe-overhead.sh;
 * fault-scale, percore-map and kernbench, whose threads are about that lock, name it). Ask
 * for either with --events. */
#define FL_DEFAULT_EVENTS "pagefault:*,tlb:tlb_flush,ipi:*,huge_memory:*"

struct fl_agent_opts {
	const struct fl_workload *wl;
	struct fl_params params;
	const char *json_path;		/* NULL: print the document on stdout */
	const char *probes;		/* "all", "none" or a list */
	char events[1024];		/* tracepoint globs, comma separated */
	const char *run_id, *suite, *target_kind, *perf_ctl;
	const char *journal;		/* knobs journal (lib/knobs.h); default fl_knobs_default_path() */
	long iteration;
	int nice;			/* --nice=N: setpriority before setup, when nice_set */
	bool nice_set;
	bool warmup, quiet, check_only, force;
	bool no_wait;			/* --no-wait: exit 3 when the host lock is busy */
	struct fl_test_hooks test;
};

/* Parse argv (after the workload name). Returns 0; 1 when help was printed; -1 on a usage
 * error (printed). */
int fl_agent_parse(struct fl_agent_opts *o, const struct fl_workload *wl, int argc, char **argv);
void fl_agent_workload_help(const struct fl_workload *wl, FILE *out);
/* Run the case and write its document. Returns the process exit status. */
int fl_agent_run_case(struct fl_agent_opts *o);
/* faultline-agent --restore [--journal=PATH] [--no-wait]: undo a stale knobs journal under
 * the host lock, print what was restored. Returns the exit status: 0 nothing to do or
 * restored, 3 something was not (or was refused), or the lock is busy with --no-wait. */
int fl_agent_restore(int argc, char **argv);
/* The "run" object of a case document: ids, tool, target, kernel identity, host. */
json_t *fl_agent_run_info(const struct fl_agent_opts *o);

#endif
