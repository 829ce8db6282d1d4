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

/* Write the job YAML for plan to f. */
int fl_lava_render(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan);

/* Read LAVA job logs (lava-dispatcher's YAML log or the plain console) and write the run
 * directory out: run.json and cases/ from the FAULTLINE-PLAN / FAULTLINE-CASE markers (a
 * case document whose sha256 does not match is not used). 0 or an exit status with err. */
int fl_lava_collect(char *const *logs, int nlogs, const char *out, char *err, size_t errlen);

#endif
