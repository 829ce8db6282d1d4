/* SPDX-License-Identifier: GPL-2.0 */
/* gnuplot images of a comparison and of a nightly history. Each image IMG.png|.svg comes with
 * IMG.gp (the script) and IMG-*.dat (its data) beside it: edit and re-run with
 * "cd DIR && gnuplot IMG.gp". */
#ifndef FL_PLOT_H
#define FL_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "runload.h"

/* Scaling curves of each sweep (main metric against the swept parameter, one line per run,
 * error bars: stddev), a per-iteration run chart of each main metric, per-CPU IPI bars.
 * Returns 0, or -1 with one sentence in err (bad extension, gnuplot missing or failing). */
int fl_plot_compare(json_t *cmp, struct fl_run *runs, size_t nruns, const char *path,
		    char *err, size_t errlen);

/* One line per series over the history: series is [{"name", "points": [[x_label, mean, sd]]}].
 * Each series gets its own panel. */
int fl_plot_trend(json_t *series, const char *path, char *err, size_t errlen);

/* STR as one single-quoted gnuplot string literal: '' for a quote, control characters (line
 * breaks too) as '?'. gnuplot substitutes neither backquotes nor @macros inside single quotes,
 * so this is the only way a string from a document enters a script. */
void fl_gp_quote(FILE *f, const char *str);

#endif
