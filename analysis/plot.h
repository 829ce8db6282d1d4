/* SPDX-License-Identifier: GPL-2.0 */
/* gnuplot images of a comparison and of a nightly history. Each image IMG.png|.svg comes with
 * IMG.gp (the script) and IMG-*.dat (its data) beside it: edit and re-run with
 * "cd DIR && gnuplot IMG.gp". */
#ifndef FL_PLOT_H
#define FL_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "runload.h"

#define FL_PLOT_TITLE 160	/* a legend title, bytes */

struct fl_plot_opts {
	/* In: the legend title of each run, or NULL (or a NULL entry) for the default:
	 * "A: 6.18.4 spf-v2", with the run's start time when two runs' kernels read the same. */
	const char *const *titles;
	/* Out: IMG-cdf.png|.svg when the runs' cases carry latency histograms, else "". */
	char cdf_path[1100];
};

/* IMG: the scaling curve of each sweep (main metric against the swept parameter, threads
 * first, x tics at the swept values, log2 when they span 8x; one line per run, error bars:
 * sd), a per-iteration run chart of the first group's main metric, per-CPU IPI bars.
 * IMG-cdf.EXT beside it when the cases carry latency histograms with a "cdf"
 * (workloads/lib/hist.h; runload's struct fl_cdf): per case group and histogram a panel of
 * CDFs, one line per run (its measured cases' counts added), p50 and p99 in the legend.
 * Returns 0, or -1 with one sentence in err (bad extension, gnuplot missing or failing).
 * o may be NULL. */
int fl_plot_compare_opts(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
			 struct fl_plot_opts *o, char *err, size_t errlen);
int fl_plot_compare(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		    char *err, size_t errlen);

/* A nightly trend (fl_history_trend): {"runs": [{"date", "kernel", "status"}], "series":
 * [{"title", "unit", "better", "points": [[run, mean, sd]]}]}, run counting from 1 in "runs".
 * One panel per series over the same runs, labelled by date and kernel; regressed runs
 * marked. */
int fl_plot_trend(json_t *trend, const char *path, char *err, size_t errlen);

/* STR as one single-quoted gnuplot string literal: '' for a quote, control characters (line
 * breaks too) as '?'. gnuplot substitutes neither backquotes nor @macros inside single quotes,
 * so this is the only way a string from a document enters a script. */
void fl_gp_quote(FILE *f, const char *str);

#endif
