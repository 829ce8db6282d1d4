/* SPDX-License-Identifier: GPL-2.0 */
/* faultline compare: the comparison of runs as one JSON document (schema
 * schema/compare-1.schema.json, "faultline-compare/1"), which every renderer (text, md, csv),
 * the plots and nightly read. */
#ifndef FL_COMPARE_H
#define FL_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "runload.h"
#include "stats.h"

#define FL_COMPARE_SCHEMA "faultline-compare/1"

/* auto: Welch's t, or the percentile bootstrap where the samples are skewed or heavy-tailed
 * (fl_auto_wants_bootstrap); every comparison names the test it used and its CI is that
 * test's own. */
enum fl_cmp_test { FL_TEST_WELCH, FL_TEST_MWU, FL_TEST_BOOTSTRAP, FL_TEST_AUTO };

/* Each group's primary metric (its first workload metric with a better direction: the one
 * run --precision aims at and a nightly's trend follows) carries this share of its family's
 * weight in the correction, the family's other rows the rest (fl_p_adjust_weighted): with
 * Holm, a primary metric among 7 of a case is tested at alpha / 2 first, not alpha / 7, and
 * the family's error rate stays alpha. Measured (issue #15): ebizzy's records_per_s at -3.6%
 * (p 0.018) was "no change" after Holm over its 7 metrics (0.090), two of them its per-thread
 * copies, the same numbers at one thread. */
#define FL_CMP_PRIMARY_SHARE 0.5

struct fl_cmp_opts {
	enum fl_cmp_test test;
	enum fl_correction correction;
	double alpha;		/* significance level after correction (0.05) */
	double level;		/* confidence level of the intervals (0.95) */
};

/* What a significant difference must also exceed to be called better or worse (counts.h). */
struct fl_cmp_floors {
	double min_effect_pct;	/* metrics and counters that are not counts: the smallest
				 * difference, % of the base mean (0 = significance alone) */
	json_t *noise;		/* NULL, or the history's run-to-run noise floors, {case key:
				 * {metric: {"runs", "level", "run_cov_pct", "floor_pct"}}}
				 * (nightly) */
};

/* compare's defaults: auto, Holm, alpha 0.05, 95% intervals; FL_MIN_EFFECT_PCT, no noise. */
void fl_cmp_opts_default(struct fl_cmp_opts *o, struct fl_cmp_floors *f);
const char *fl_cmp_test_name(enum fl_cmp_test t);

/* Compare runs[1..n) against runs[0] (the base). NULL with one sentence in err when the runs
 * share no case (naming the parameters that differ). */
json_t *fl_compare_build(struct fl_run *runs, size_t nruns, const struct fl_cmp_opts *o,
			 char *err, size_t errlen);
/* The same with floors (NULL: significance alone, as fl_compare_build). */
json_t *fl_compare_build_floors(struct fl_run *runs, size_t nruns, const struct fl_cmp_opts *o,
				const struct fl_cmp_floors *fl, char *err, size_t errlen);

/* A copy of the document for display: every string with its control characters as '?'
 * (fl_text_clean), so a unit or a name from a case document cannot move the cursor or
 * change the terminal; md: also '|' escaped and '<', '>' as entities for Markdown tables.
 * The renderers below render from such a copy. */
json_t *fl_cmp_shown(json_t *cmp, bool md);
/* One string made so (malloc'd; NULL if out of memory). */
char *fl_text_shown(const char *text, bool md);

/* A parameter value as a label shows it: strings bare, numbers, true/false/null. */
void fl_cmp_value_str(json_t *v, char *buf, size_t len);
/* A group of the document with a measured case in some run. */
bool fl_cmp_group_measured(json_t *g);
/* Text wrapped at width - 2 columns, continuation lines indented by indent (render_text.c). */
void fl_text_wrap(FILE *out, const char *p, int indent, size_t width);

/* Cut a string snprintf may have truncated back to whole UTF-8 characters: Jansson refuses
 * a string with half a character, and a document would lose the row (or all of it). */
void fl_utf8_cut(char *buf);

/* Keep only the rows (metrics, counters, IPI classes, vmstat, per-op rows) whose name
 * matches one of list's comma-separated fnmatch globs; groups left without a row go. The
 * statistics (and the multiple-testing families) stay those of the whole comparison. The
 * document records the globs as "metrics_filter". -1 with one sentence in err when list is
 * malformed or matches nothing. */
int fl_cmp_filter(json_t *cmp, const char *list, char *err, size_t errlen);
/* list as a JSON array of globs, or NULL with one sentence in err (an empty glob). */
json_t *fl_cmp_globs(const char *list, char *err, size_t errlen);
/* name matches one of globs (fnmatch, no flags: '*' also matches '/'). */
bool fl_cmp_glob_match(json_t *globs, const char *name);

struct fl_render_opts {
	bool counters;		/* text: counter, IPI and vmstat rows shown, not folded */
};

/* Renderers of that document (render_*.c). fl_render_text folds the counter, IPI and vmstat
 * rows of each group into one line (shown when the document has a metrics_filter). */
void fl_render_text(json_t *cmp, FILE *out);
void fl_render_text_opts(json_t *cmp, FILE *out, const struct fl_render_opts *ro);
void fl_render_md(json_t *cmp, FILE *out);
void fl_render_csv(json_t *cmp, FILE *out);
void fl_render_matrix(json_t *cmp, FILE *out);
/* One CSV field (RFC 4180 quoting), then ',' or CRLF if last. */
void fl_csv_field(FILE *out, const char *v, bool last);
/* The precision run r's --precision reached on group g, on the row of its metric m (run.json's
 * "precision"; compare_prec.c), else four empty fields: target_pct, halfwidth_pct, n,
 * stopped; the last of the line. */
void fl_csv_precision(FILE *out, json_t *g, json_t *m, size_t r);

/* "9428", "128.0", "1.9e-05": a number in at most 9 characters; "-" for NaN/null. */
void fl_fmt_num(char *buf, size_t len, double v);
/* A number of the document (null -> NaN). */
double fl_cmp_num(json_t *v);
/* A string field of the document's object o, "-" when it has none. */
const char *fl_cmp_str(json_t *o, const char *key);
/* What a run's stats st show when they hold no value: "-" absent from the kernel, "n/a"
 * unsupported by the machine, "(missing)", "(no case)"; false (buf untouched) when ok. */
bool fl_cmp_no_value(json_t *st, char *buf, size_t len);
/* The mean and sd of a run's stats as fl_fmt_num prints them, each in len bytes. */
void fl_cmp_mean_sd(json_t *st, char *mean, char *sd, size_t len);
/* The direction word of a comparison: better, worse, changed (significant), ~ (not),
 * same, n<3 (too few samples), n/a. */
const char *fl_cmp_word(json_t *c);
/* The first object of array whose string key reads value (fl_cmp_str), or NULL. */
json_t *fl_cmp_find(json_t *array, const char *key, const char *value);
/* Run r's name for column heads ("name"), its label when it has none. */
const char *fl_cmp_run_name(json_t *cmp, size_t r);
/* Name n in at most w characters (w >= 4): a long one keeps its last word (the time or label
 * that tells two runs of one kernel apart) behind a '~'. Returns buf. */
const char *fl_cmp_fit(const char *n, size_t w, char *buf, size_t len);
/* A list of sentences of the document (its "differences", "conditions"): none when it is
 * empty (NULL: nothing), else head and item() for each. */
void fl_cmp_list(FILE *out, json_t *list, const char *none, const char *head,
		 void (*item)(FILE *out, const char *line));
/* The outlier mark of a run's stats: 'O' a severe outlier (beyond 3 IQR), 'o' a mild one
 * (beyond 1.5 IQR), ' ' none (flagged by Tukey's fences, never dropped). */
char fl_cmp_outlier_mark(json_t *st);
/* What the CI of a compare document is of, for the legends ("the difference of means ..."). */
const char *fl_cmp_ci_of(json_t *cmp);
/* "precision of records_per_s (95% CI half-width of the mean): A ±1.88% (target ±1%, time
 * spent), B ..." of group g of the document cmp, in buf; false (nothing) when no run of the
 * group was run with a precision target. */
bool fl_cmp_precision_text(json_t *cmp, json_t *g, char *buf, size_t len);
/* The metric named name of group, if group is a point of the sweep family; else NULL (the
 * last match, as the renderers took it). */
json_t *fl_cmp_sweep_metric(json_t *group, const char *family, const char *name);

#endif
