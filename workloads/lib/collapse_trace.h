/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khugepaged collapse timed from the huge_memory tracepoints, in a private tracefs instance
 * (instances/faultline-<tag>-<pid>: nothing global is changed, and the instance is removed at
 * close). The kernel emits mm_khugepaged_scan_pmd / mm_khugepaged_scan_file when it is done with
 * one PMD (after collapsing it, if it did), mm_collapse_huge_page / mm_khugepaged_collapse_file
 * at the end of a collapse and mm_collapse_huge_page_swapin after swapping the PMD's pages in.
 * None marks the start of a PMD, so a PMD starts where khugepaged finished the previous one
 * (any mm), or where it woke from its scan sleep (sched:sched_switch of the khugepaged thread,
 * when that tracepoint is there). The workload's own mm is recognised by its hashed pointer in a
 * mmap_lock event the workload itself causes; without that, every mm is counted (said so).
 * Timestamps are CLOCK_MONOTONIC (trace_clock mono), the clock of fl_now_ns().
 */
#ifndef FL_COLLAPSE_TRACE_H
#define FL_COLLAPSE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hist.h"

#define FL_CT_RESULTS 48	/* scan result codes counted by name (the kernel has ~31) */

enum fl_ct_kind { FL_CT_ANON, FL_CT_FILE };

/* One line of a tracefs "trace" file. Pointers point into the line (modified in place). */
struct fl_ct_event {
	uint64_t ts_ns;
	int pid;
	const char *name;	/* "mm_khugepaged_scan_pmd" */
	char *fields;		/* "mm=..., status=succeeded, ..." */
};

/* The analysis: fed events in timestamp order. */
struct fl_ct_an {
	enum fl_ct_kind kind;
	char mm[40];			/* "": count every mm */
	int kh_pid;			/* khugepaged's pid, 0: unknown */
	uint64_t t0_ns;			/* khugepaged told to scan fast (0: unknown) */
	uint64_t pmd_start;		/* where the PMD khugepaged is on began */
	bool kh_sleeping;
	uint64_t events, ours, pmds, collapsed, wakeups, lost;
	uint64_t first_ns, last_ns;	/* first and last collapse of ours */
	struct fl_hist collapse, swapin;
	uint64_t swapin_events, swapped_in, referenced, swapin_ok;
	int nres;
	char res_name[FL_CT_RESULTS][32];
	uint64_t res_count[FL_CT_RESULTS];
};

/* Parse one line of the trace file: 0, or -1 for a header or an unparsable line. A "CPU:N
 * [LOST M EVENTS]" line returns -1 and adds M to *lost when lost is not NULL. */
int fl_ct_parse_line(char *line, struct fl_ct_event *ev, uint64_t *lost);
/* Field key of an event's fields into buf ("" when absent): 0, or -1 when absent. */
int fl_ct_field(const char *fields, const char *key, char *buf, size_t len);

void fl_ct_an_init(struct fl_ct_an *a, enum fl_ct_kind kind);
/* Learn the workload's mm from a mmap_lock event of pid (the first one wins). */
void fl_ct_an_feed(struct fl_ct_an *a, struct fl_ct_event *ev, int self_pid);
/* {"events", "pmds_scanned", "collapsed", "scan_results": {name: n}, "collapse_ns": hist,
 *  "swapin": {...}, ...} */
json_t *fl_ct_an_json(const struct fl_ct_an *a);

struct fl_ctrace;

struct fl_knobs;
/* Make the instance (journaled in k first, so a killed agent's is removed by the next
 * restore) and enable the events of kind: NULL with why when the tracepoints or tracefs are
 * not there (the caller reports {"status": "unsupported", "reason": why}). */
struct fl_ctrace *fl_ctrace_open(const char *tag, enum fl_ct_kind kind, struct fl_knobs *k,
				 char *why, size_t len);
/* Start recording and learn this process's mm (a mmap_lock event of its own). */
int fl_ctrace_start(struct fl_ctrace *t, char *err, size_t len);
/* The moment khugepaged was told to scan fast: time-to-collapse counts from here. */
void fl_ctrace_mark(struct fl_ctrace *t, uint64_t t0_ns);
/* Stop recording, read and analyse the buffer. The result stays valid until close. */
const struct fl_ct_an *fl_ctrace_stop(struct fl_ctrace *t, char *err, size_t len);
/* The instance's name and what filters the events ("mm of pid N", or why none). */
json_t *fl_ctrace_describe(const struct fl_ctrace *t);
/* fl_ctrace_stop, then detail.collapse_trace: the analysis (fl_ct_an_json) with the
 * description, and *an set to it; or {"status": "unsupported", "reason"} and *an NULL when
 * the buffer could not be read. */
json_t *fl_ctrace_report(struct fl_ctrace *t, const struct fl_ct_an **an);
/* Remove the instance. NULL is fine. */
void fl_ctrace_close(struct fl_ctrace *t);

#endif
