/* SPDX-License-Identifier: GPL-2.0 */
/* Change points over a whole nightly history (changepoint.h), next to nightly's comparison
 * with the last N runs: a slow drift or a step that the last-N window has already absorbed
 * is still seen, and the run where it began is named with its kernels. */
#ifndef FL_HISTORY_CP_H
#define FL_HISTORY_CP_H

#include <jansson.h>

/* For each case group's main metric, the series of its per-run means in the index's order
 * (runs without the group are left out of that series). Returns the change points, newest
 * first, at most max:
 *   [{"workload", "key", "metric", "unit", "better", "run", "run_index", "runs", "added",
 *     "before", "after", "change_pct", "direction" ("better"|"worse"|"none"), "p",
 *     "kernel_before", "kernel_after"}]
 * run_index counts from 1 over the group's series; kernels are the candidate name or the
 * release of the run before and of the run itself (null when its run.json is gone). A
 * change smaller than min_pct % of the mean before it is not reported (nightly passes its
 * --threshold: a change point is named by the same size rule as a regression). */
json_t *fl_history_change_points(const char *hist, json_t *index, size_t max, double min_pct);

#endif
