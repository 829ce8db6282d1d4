/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hunt's findings (faultline hunt): the run dirs of a stress suite on several kernels, the
 * first the clean one, reduced to one document (schema/hunt-1.schema.json) that the matrix is
 * printed from. Findings are deduplicated by title per kernel across cases and rounds, as
 * syzkaller does: each title once, with its count of reports, the cases it came in, the first
 * case and the time to it.
 *
 * A finding is
 *   - a console report of a case (case.console.findings, runner/targets/console_classify.c titles; a
 *     "kernel panic" in a case that has another title is that report's consequence, not a
 *     finding of its own), including the runner's "no output from guest" / "lost connection";
 *   - a failed case: "verification failed in WORKLOAD: REASON" when its data check failed
 *     (a "corrupt" count in case.verify, or a reason saying a page was wrong, corrupt or lost),
 *     else "WORKLOAD failed: REASON"; REASON is the case's reason up to its first ';' with
 *     numbers as N, so the same failure on other pages is one title;
 *   - a report on the kernel's console.log outside every case (at boot, between cases):
 *     column "boot", no time.
 * Skipped cases and cases not run (the hunt stopped) are listed as not run, not findings.
 *
 * Time to first finding: the wall time of that kernel's cases in the order they ran (round by
 * round, each round in suite order), summed up to the end of the case that first showed the
 * title (run.json elapsed_s; the document's measured_s where that is missing). Boots and the
 * other kernels' turns are not counted; under TCG the guest clock runs with the host's, so it
 * is the guest time that kernel was stressed before the finding.
 */
#ifndef FL_FINDINGS_H
#define FL_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define FL_HUNT_SCHEMA "faultline-hunt/1"
#define FL_HUNT_BOOT "boot"	/* the column of findings outside every case */

/*
 * Load the kernels of dirs: a dir holding runs.json (a hunt's or a multi-kernel run's out dir:
 * its kernels in order) or run.json (one kernel). The first kernel is the clean one.
 * Returns the document, or NULL with one sentence in err (not a run, a broken run.json).
 */
json_t *fl_hunt_load(const char *const *dirs, size_t ndirs, char *err, size_t errlen);

/* The clean kernel (the first) has a finding. */
bool fl_hunt_false_alarm(json_t *doc);
/* The clean kernel ran no case (it failed to build or boot, or the hunt stopped first). */
bool fl_hunt_clean_missing(json_t *doc);

/*
 * The title of a case that ended "failed" (see above); *kind gets "verification" or "failure".
 * verify: the case's "verify" object or NULL.
 */
void fl_hunt_failure_title(const char *workload, const char *reason, json_t *verify,
			   char *buf, size_t len, const char **kind);
/* The title of a case that crashed or timed out with no console report of its own:
 * "WORKLOAD STATUS: REASON", REASON as for a failure. */
void fl_hunt_end_title(const char *workload, const char *status, const char *reason, char *buf,
		       size_t len);

#endif
