/* SPDX-License-Identifier: GPL-2.0 */
/* LAVA: job definitions from a suite, job logs back into a run directory. */
#ifndef FL_LAVA_H
#define FL_LAVA_H

#include <stdio.h>
#include "runner.h"

struct fl_lava_job {
	const char *name, *run_id, *candidate;
	const char *qemu_arch;			/* LAVA's context arch: amd64, arm64, ... */
	const char *kernel_url, *ramdisk_url;
	const char *const *extra;		/* QEMU extra_options, NULL-terminated */
	int job_minutes;
};

/* Write the job YAML for plan to f. 0, or -1 with a sentence in err (a plan without cases,
 * a step that does not fit, a string that is not UTF-8). */
int fl_lava_render(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan,
		   char *err, size_t errlen);

/*
 * The log scanner on its own (for collect and for the fuzz target): scan LEN bytes of BUF
 * (any bytes: NULs, no final newline, lines of any length; it may be called once per line
 * or once for a whole log) for FAULTLINE-PLAN / FAULTLINE-CASE markers, keeping the plan
 * entries that are well formed and the case documents whose sha256 matches and that
 * validate against faultline/1.
 */
struct fl_lava_log;
struct fl_lava_log *fl_lava_log_new(void);
void fl_lava_log_scan(struct fl_lava_log *lg, const char *buf, size_t len);
void fl_lava_log_free(struct fl_lava_log *lg);

/* Read LAVA job logs (lava-dispatcher's YAML log or the plain console) and write the run
 * directory out: run.json and cases/ from the markers; a case file's name is made from the
 * index and the plan entry's workload, which must be one of workloads (NULL-terminated; NULL:
 * any safe name), iteration and warm-up flag, and stays under out. 0 or an exit status with
 * err. */
int fl_lava_collect(char *const *logs, int nlogs, const char *out,
		    const char *const *workloads, char *err, size_t errlen);

#endif
