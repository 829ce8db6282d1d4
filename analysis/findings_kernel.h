/* SPDX-License-Identifier: GPL-2.0 */
/* One kernel of a hunt's findings (findings.h): its run dir -> its entry in the document. */
#ifndef FL_FINDINGS_KERNEL_H
#define FL_FINDINGS_KERNEL_H

#include <stddef.h>
#include <jansson.h>

/*
 * Fill the kernel entry obj ({"dir", "status", ...}) from its run dir dir: cases, cases_run,
 * state, suite, case_time_s, findings, cells, not_run, ran; a workload seen first is appended
 * to cols. Returns 0, or -1 with one sentence in err (dir is not a faultline run).
 */
int fl_hunt_kernel_load(json_t *obj, const char *dir, json_t *cols, char *err, size_t errlen);

#endif
