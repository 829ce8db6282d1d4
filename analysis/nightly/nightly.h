/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nightly verdict and what it writes (README.md in this folder): the baseline of a history
 * (nightly_baseline.c), the regressions and the verdict sentence (nightly_verdict.c), and
 * the files DIR/summary.md, summary.txt, verdict.json (nightly_pages.c) and index.html with
 * its plots (nightly_html.c). runner/cmd_nightly.c runs the suite, holds the lock and the
 * history's index, and calls these in turn.
 */
#ifndef FL_NIGHTLY_H
#define FL_NIGHTLY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "compare.h"
#include "runload.h"

#define FL_NIGHTLY_CP_REPORTED 5	/* change points named in the verdict, newest first */

/* The comparison of a new run with its history's baseline, and what the verdict says of it. */
struct fl_nightly_verdict {
	const char *id;		/* the new run's id */
	double threshold;	/* --threshold: % a regression must exceed */
	size_t nbase;		/* baseline runs (the last good ones, pooled) */
	size_t baseiters;	/* their measured iterations that finished ok */
	size_t problems;	/* cases of the new run that did not finish ok */
	json_t *cmp;		/* the baseline (A) against the new run (B); NULL: no baseline */
	json_t *regs;		/* regressions (fl_nightly_regressions), NULL with no baseline */
	json_t *largest;	/* the largest tested change, a regression or not, or NULL */
	size_t noisy;		/* worse changes that stayed within the run-to-run noise */
};

/* The last WANT good runs of the history's index (newest first) into *out, *n of them. 0, or
 * -1 with err; *out is NULL only when out of memory. */
int fl_nightly_baseline_load(const char *hist, json_t *index, long want, struct fl_run **out,
			     size_t *n, char *err, size_t errlen);
void fl_nightly_baseline_free(struct fl_run *runs, size_t n);

/* The baseline runs hist[0..nv->nbase) pooled into hist[0] (label A), compared with cur
 * (label B) under o, --threshold and the history's run-to-run noise: nv->cmp, regs, largest,
 * noisy and baseiters filled in; pair[] holds the two runs compared (for the plots). 0, or
 * -1 with err (the runs share no case). */
int fl_nightly_compare(struct fl_run *cur, struct fl_run *hist, const struct fl_cmp_opts *o,
		       struct fl_nightly_verdict *nv, struct fl_run pair[2], char *err,
		       size_t errlen);

/* Regressions: the comparisons of workload metrics the rule (counts.h) called worse. The
 * largest tested change in *largest; *noisy counts the worse changes that passed all but the
 * noise floor. */
json_t *fl_nightly_regressions(json_t *cmp, double threshold, json_t **largest, size_t *noisy);

/* The verdict sentence (malloc'ed; NULL when out of memory). */
char *fl_nightly_verdict_text(const struct fl_nightly_verdict *nv);

/* "; change points over the 60 runs: ..." appended to verdict (freed; a new string). */
char *fl_nightly_with_change_points(char *verdict, json_t *cps, size_t nruns);

/* What the files of DIR are written from. */
struct fl_nightly_report {
	const char *verdict;
	json_t *cmp, *index;
	bool compare_png, trend_png, cdf_png;
	const char *id, *suite, *history, *status;
	size_t nbase;
};

/* DIR/compare.png (and compare-cdf.png) from the comparison, pair[] its two runs; a plot that
 * fails is said on stderr and left out of the page. */
void fl_nightly_plot_compare(json_t *cmp, struct fl_run *pair, struct fl_nightly_report *rep);
/* DIR/trend.png from the last 30 runs of the history; the same. */
void fl_nightly_plot_trend(struct fl_nightly_report *rep);

/* DIR/summary.md, DIR/index.html and DIR/summary.txt, each written whole or not at all. 0,
 * or -1 with err. */
int fl_nightly_write_pages(const struct fl_nightly_report *r, char *err, size_t errlen);
/* index.html's page (nightly_html.c; fl_nightly_write_pages writes it). */
void fl_nightly_index_html(FILE *f, const struct fl_nightly_report *r);

/* DIR/verdict.json (faultline-verdict/1) for CI systems. 0, or -1 with err. */
int fl_nightly_write_verdict(const struct fl_nightly_report *r,
			     const struct fl_nightly_verdict *nv, int exit_status, json_t *cps,
			     char *err, size_t errlen);

#endif
