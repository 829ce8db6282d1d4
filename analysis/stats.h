/* SPDX-License-Identifier: GPL-2.0 */
/* Descriptive statistics, two-sample tests and multiple-testing corrections (GSL underneath). */
#ifndef FL_STATS_H
#define FL_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct fl_desc {
	size_t n;
	double mean, sd, cov, min, max;	/* sd: sample standard deviation (n-1); cov = sd/mean */
	double hmean;			/* harmonic mean; NaN unless every value is > 0 */
};

/* Describe x[0..n); sd and cov are NaN when n < 2, cov NaN when mean is 0. */
void fl_describe(const double *x, size_t n, struct fl_desc *d);

/* A two-sample comparison of b against a (difference = mean(b) - mean(a)). */
struct fl_test {
	double diff;		/* mean(b) - mean(a) */
	double stat;		/* Welch: t; Mann-Whitney: U of sample b */
	double df;		/* Welch-Satterthwaite degrees of freedom (NaN for Mann-Whitney) */
	double p;		/* two-sided p-value */
	double estimate;	/* Welch: diff; Mann-Whitney: the Hodges-Lehmann shift of b vs a */
	double ci_low, ci_high;	/* at the given level: Welch's CI of diff, or (ci_hl) the
				 * Hodges-Lehmann CI of the shift */
	bool exact;		/* Mann-Whitney: exact distribution (no ties, small samples) */
	bool ci_hl;		/* the CI is Hodges-Lehmann's (Mann-Whitney) */
	bool ci_boot;		/* the CI and p are the percentile bootstrap's (bootstrap.h) */
};

/* Welch's unequal-variance t-test and the level (e.g. 0.95) CI of the difference of means.
 * Needs na, nb >= 2; returns -1 otherwise. Zero variance in both: p is 1 if the means are
 * equal, else 0, and the CI is the difference itself. */
int fl_welch(const double *a, size_t na, const double *b, size_t nb, double level,
	     struct fl_test *t);

/* Mann-Whitney U (Wilcoxon rank-sum), two-sided. Exact when there are no ties and
 * na * nb <= FL_MWU_EXACT_MAX; otherwise the normal approximation with tie and continuity
 * corrections (as R's wilcox.test). estimate and the CI are Hodges-Lehmann's: the median
 * of the differences b[j] - a[i] and a pair of their order statistics (exact quantiles of U
 * when the test is exact, as wilcox.test(b, a, conf.int = TRUE); else the large-sample
 * approximation). */
#define FL_MWU_EXACT_MAX 2500
int fl_mwu(const double *a, size_t na, const double *b, size_t nb, double level,
	   struct fl_test *t);

/* Half-width of the level (e.g. 0.99) prediction interval for one more draw from the normal
 * population x[0..n) is a sample of: t(level, n-1) * sd * sqrt(1 + 1/n). NaN when n < 2. */
double fl_prediction_halfwidth(const double *x, size_t n, double level);

/* The type-7 (linear interpolation, R's default, numpy's) quantile p of sorted[0..n). */
double fl_quantile_sorted(const double *sorted, size_t n, double p);
/* qsort's comparison of two doubles, ascending. */
int fl_double_cmp(const void *x, const void *y);

/* Adjusted Fisher-Pearson skewness G1 (as Excel SKEW, R e1071 type 2); NaN when n < 3 or
 * the values are all equal. */
double fl_skewness(const double *x, size_t n);

/* Outliers by Tukey's fences on the quartiles (type 7), criterion.rs's classes: beyond
 * 1.5 IQR mild, beyond 3 IQR severe, low or high. Flagged, never removed. */
enum fl_outlier { FL_OUT_NONE, FL_OUT_LOW_SEVERE, FL_OUT_LOW_MILD, FL_OUT_HIGH_MILD,
		  FL_OUT_HIGH_SEVERE };
struct fl_outliers {
	size_t low_severe, low_mild, high_mild, high_severe;
	double q1, q3;		/* NaN when n < 4 (no fences: nothing is flagged) */
};
#define FL_OUTLIER_MIN_N 4
/* Classify x[0..n) into o; cls (may be NULL) gets each value's enum fl_outlier. -1 when
 * out of memory. */
int fl_outliers(const double *x, size_t n, struct fl_outliers *o, unsigned char *cls);

/* The test compare picks when asked for "auto": the percentile bootstrap when both samples
 * have at least FL_AUTO_MIN_N values and one of them is skewed (|G1| > FL_AUTO_SKEW) or has
 * a severe outlier (heavy tail); Welch's t-test otherwise. Below FL_AUTO_MIN_N neither
 * skewness nor a tail can be told from noise, and a percentile bootstrap under-covers (its
 * resampled means have only a few distinct values), so Welch's t, whose t quantile is wider,
 * decides. Above FL_AUTO_MAX_N values on a side the mean is normal enough however skewed
 * the values (central limit) and 10,000 resamples (over 10^7 draws a row) would cost more
 * than they tell: Welch again.
 * Returns true for the bootstrap. */
#define FL_AUTO_MIN_N 8
#define FL_AUTO_MAX_N 1000
#define FL_AUTO_SKEW 1.0
bool fl_auto_wants_bootstrap(const double *a, size_t na, const double *b, size_t nb);

enum fl_correction { FL_CORR_HOLM, FL_CORR_BH, FL_CORR_NONE };
/* Adjusted p-values (as R's p.adjust "holm", "BH", "none") of p[0..n) into adj[0..n).
 * NaN entries are left out of the family and stay NaN. Returns 0, -1 on allocation failure. */
int fl_p_adjust(const double *p, size_t n, enum fl_correction c, double *adj);
/* The same with weights w[0..n) (> 0; NULL: equal): Holm's weighted step-down (a p-value
 * is multiplied by the weight still in the family over its own weight) and weighted
 * Benjamini-Hochberg (BH on p / w, w scaled to a mean of 1). Equal weights give fl_p_adjust's
 * values; a hypothesis with half the family's weight is tested at alpha / 2 at first. */
int fl_p_adjust_weighted(const double *p, const double *w, size_t n, enum fl_correction c,
			 double *adj);
const char *fl_correction_name(enum fl_correction c);

#endif
