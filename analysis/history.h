/* SPDX-License-Identifier: GPL-2.0 */
/* The nightly history: DIR/index.json (faultline-history/1, rewritten atomically) lists the
 * runs in DIR/runs/<id>/ in the order they were added, with their verdict and the mean of
 * each main metric (for the trend plots). A run directory is complete before the index names
 * it, so an interrupted nightly leaves at most an unlisted directory behind. */
#ifndef FL_HISTORY_H
#define FL_HISTORY_H

#include <stddef.h>
#include <jansson.h>
#include "runload.h"

#define FL_HISTORY_SCHEMA "faultline-history/1"

/* DIR/index.json, or an empty index if there is none yet. NULL with err if it is corrupt. */
json_t *fl_history_load(const char *dir, char *err, size_t errlen);
/* Write DIR/index.json atomically; 0, or -1 with one sentence in err. */
int fl_history_save(const char *dir, json_t *index, char *err, size_t errlen);
/* Copy run.json and cases/ of src into DIR/runs/<id> through a temporary directory and a
 * rename. The new directory's path goes into dst. 0, or -1 with one sentence in err. */
int fl_history_import(const char *dir, const char *src, const char *id, char *dst,
		      size_t dstlen, char *err, size_t errlen);
/* The directory of an index entry, DIR/runs/NAME: "dir" must be runs/NAME with a safe NAME
 * (fl_name_ok) and stay inside DIR once links are resolved; an index from elsewhere cannot
 * make nightly read or prune another directory. 0, or -1 with one sentence in err. */
int fl_history_run_dir(const char *hist, json_t *entry, char *path, size_t len, char *err,
		       size_t errlen);
/* Main metric (first metric with a better direction) of each case group of r, as
 * [{"key", "workload", "metric", "unit", "better", "n", "mean", "sd"}]. */
json_t *fl_history_summary(const struct fl_run *r);
/* Rotation: delete the case files and logs of every run but the last keep ones (their
 * run.json and the index entry with its summary stay; the entry gets "pruned": true and is no
 * longer used as a baseline). Returns how many runs were pruned now, or -1 with err. */
int fl_history_prune(const char *dir, json_t *index, size_t keep, char *err, size_t errlen);
/* The new run's start time ("started") and kernel ({"release", "candidate"}) in its index
 * entry, for the trend's x labels. */
void fl_history_entry_run(json_t *entry, const struct fl_run *r);
/* An index entry's kernel ({"release", "candidate"}, as fl_history_entry_run keeps it), from
 * hist/runs/NAME/run.json for entries written before it was kept; NULL if neither has one. A
 * new reference. */
json_t *fl_history_entry_kernel(const char *hist, json_t *e);
/* The trend of the last max index entries for fl_plot_trend: {"runs": [{"id", "date":
 * "11-30 12:05", "kernel": candidate name or release, "status"}], "series": [{"name" (the
 * group key and metric), "title": "percore-map threads=4: ops_per_s" (the workload, the
 * parameters that vary among its groups in the window, the metric), "unit", "better",
 * "points": [[run (1 = first in "runs"), mean, sd]]}]}. An entry written before "kernel" was
 * kept has it read from hist/runs/NAME/run.json (hist NULL: not read). */
json_t *fl_history_trend(const char *hist, json_t *index, size_t max);

#endif
