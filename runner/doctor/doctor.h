/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faultline doctor: what on this host makes numbers noisy or wrong. Each check adds one
 * finding {id, name, level, state, fix[, settings][, volatile]} to a document of schema
 * "faultline-doctor/1" (schema/doctor-1.schema.json):
 *   level   "ok" (nothing to do), "warn" (numbers measured now are noisy or wrong: fix it),
 *           "info" (a fact of this machine that shapes the numbers; often not fixable here);
 *   state   one line saying what was found;
 *   fix     one line saying what to do (also for info: what would change it);
 *   settings  the comparable values behind the finding (kernel knobs, detected hypervisor):
 *           what fl_conditions_diff() (analysis/conditions.h) compares between two runs;
 *   volatile  true for findings of the moment (load, busy processes, steal, other runs):
 *           two runs are compared on their level only.
 * The same document, without the timed load sample, is a run's "conditions" in run.json.
 */
#ifndef FL_DOCTOR_H
#define FL_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#define FL_DOCTOR_SCHEMA "faultline-doctor/1"
/* The knobs journal of `doctor --tune` (not the agents': they run under it and journal
 * their own changes in theirs). A killed doctor's journal is restored by the next
 * `doctor --tune`, or `faultline-agent --restore --journal=PATH`. */
#define FL_DOCTOR_JOURNAL "/run/faultline/doctor.journal"

struct fl_doctor_opts {
	double sample_s;	/* load sample (busy processes, steal); 0: none */
	bool self_holds_lock;	/* the caller holds the host lock (faultline run) */
	const char *lock_path;	/* FL_HOSTLOCK_PATH, or a test's */
};

/* The whole document. */
json_t *fl_doctor_collect(const struct fl_doctor_opts *o);
/* A run's conditions: fl_doctor_collect without the load sample (fast, well under 0.5 s). */
json_t *fl_doctor_conditions(bool self_holds_lock);
/* Whether a finding warns (faultline doctor then exits 1). */
bool fl_doctor_warns(json_t *doc);
/* The findings as text, 80 columns. */
void fl_doctor_print(json_t *doc, FILE *out);
/* text from column col (the cursor is there), wrapped at 80 columns, continuation lines
 * indented to col. */
void fl_doctor_wrap(FILE *out, const char *text, int col);

/* doc's "summary" (how many findings are ok, warn, info), again after findings were added. */
void fl_doctor_summarize(json_t *doc);

/* Helpers shared by the doctor_*.c files. */
json_t *fl_doctor_add(json_t *doc, const char *id, const char *name, const char *level,
		      const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Boot parameter name of cmdline (/proc/cmdline's text; what follows "--" is init's, not
 * the kernel's): its value in buf ("" for a bare flag such as nopti); NULL when not given. */
const char *fl_doctor_cmdline_arg(const char *cmdline, const char *name, char *buf, size_t len);
/* A small file's first line, trailing blanks removed; -1 when it cannot be read. */
int fl_doctor_read(const char *path, char *buf, size_t len);
/* The kernel defaults of the THP and khugepaged files: {"enabled": "madvise", ...,
 * "khugepaged/pages_to_scan": "4096"}, names relative to /sys/kernel/mm/transparent_hugepage/.
 * The boot command line and the kernel config decide some; one not known is left out. */
json_t *fl_doctor_thp_defaults(void);
#define FL_THP_DIR "/sys/kernel/mm/transparent_hugepage/"

/* doctor_settings.c: the kernel and machine settings; doctor_cmdline.c: boot parameters
 * that change what mm workloads measure; doctor_load.c: the moment's load. */
void fl_doctor_check_settings(json_t *doc);
void fl_doctor_check_cmdline(json_t *doc);
void fl_doctor_check_load(json_t *doc, const struct fl_doctor_opts *o);

/* Host steadiness (doctor_steady.c): the same page-fault work timed in FL_STEADY_BLOCKS blocks
 * over the load sample; it warns when the blocks' time per fault spreads by FL_STEADY_WARN_COV
 * percent (CoV) or more. */
#define FL_STEADY_BLOCKS 10
#define FL_STEADY_WARN_COV 5.0
struct fl_steady {
	bool measured;
	int n;				/* blocks with work in them */
	double block_s;
	double us[FL_STEADY_BLOCKS];	/* CPU time per fault of each block */
};
/* secs of work; -1 when memory could not be mapped (s->measured false). */
int fl_steady_measure(double secs, struct fl_steady *s);
/* The "steady" finding of s; why_not (may be NULL) says why it was not measured. */
void fl_doctor_check_steady(json_t *doc, const struct fl_steady *s, const char *why_not);
/* doctor_memory.c: free page reporting and DAMON (the real sysfs); the same two from other
 * roots (tests: tests/fixtures/x86_64-6.18-pvm/memory). */
void fl_doctor_check_memory(json_t *doc);
void fl_doctor_check_reporting(json_t *doc, const char *virtio_dir, const char *order_path);
void fl_doctor_check_damon(json_t *doc, const char *damon_admin_dir);

/* doctor_tune.c: faultline doctor --tune [--no-wait] -- COMMAND...: set the safe settings
 * through the knobs journal, run COMMAND, restore. Returns the exit status. */
int fl_doctor_tune(char **cmd, bool wait);

#endif
