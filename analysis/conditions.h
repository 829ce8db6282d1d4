/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's conditions (run.json "run.conditions": the faultline doctor document of the host
 * when the run started, runner/doctor/doctor.h) compared between two runs, for compare and nightly
 * to warn that a difference in numbers may come from the machine, not the kernel.
 */
#ifndef FL_CONDITIONS_H
#define FL_CONDITIONS_H

#include <jansson.h>

/*
 * The differences between conditions a (the first run's) and b, as a new JSON array of
 * sentences, one per differing finding, in a's order then b's extra ones:
 *   "THP: defrag is madvise in A, always in B"  (a setting, for each that differs)
 *   "load at start: ok in A (loadavg 0.10 ...), warn in B (loadavg 2.9 ...)"  (a finding of
 *      the moment: only its level is compared)
 *   "hypervisor: recorded in A only"
 * The runs are called A and B (fl_conditions_diff_named: la, lb). Either side NULL or
 * not a doctor document: one sentence saying which run has no recorded conditions (none
 * when both have none). Empty array: nothing differs. NULL only when out of memory.
 */
json_t *fl_conditions_diff(json_t *a, json_t *b);
json_t *fl_conditions_diff_named(json_t *a, json_t *b, const char *la, const char *lb);
/* run.json's (or a run object's) conditions: doc.run.conditions or doc.conditions, or NULL. */
json_t *fl_run_conditions(json_t *doc);

#endif
