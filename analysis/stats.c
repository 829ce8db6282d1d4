// SPDX-License-Identifier: GPL-2.0
/* Statistics: descriptive (GSL), Welch's t-test (GSL's t distribution), Mann-Whitney U (exact
 * by dynamic programming, else GSL's normal distribution), Holm and Benjamini-Hochberg. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "stats.h"

void fl_describe(const double *x, size_t n, struct fl_desc *d)
{
	double inv = 0;

	d->n = n;
	d->mean = d->sd = d->cov = d->min = d->max = d->hmean = NAN;
	if (!n)
		return;
	d->mean = gsl_stats_mean(x, 1, n);
	gsl_stats_minmax(&d->min, &d->max, x, 1, n);
	if (d->min > 0) {
		for (size_t i = 0; i < n; i++)
			inv += 1.0 / x[i];
		d->hmean = (double)n / inv;
	}
	if (n < 2)
		return;
	d->sd = gsl_stats_sd_m(x, 1, n, d->mean);
	if (d->mean != 0)
		d->cov = d->sd / fabs(d->mean);
}

int fl_welch(const double *a, size_t na, const double *b, size_t nb, double level,
	     struct fl_test *t)
{
	double ma, mb, va, vb, sa, sb, se, q;

	memset(t, 0, sizeof(*t));
	if (na < 2 || nb < 2)
		return -1;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma);
	vb = gsl_stats_variance_m(b, 1, nb, mb);
	sa = va / (double)na;
	sb = vb / (double)nb;
	se = sqrt(sa + sb);
	t->diff = mb - ma;
	t->estimate = t->diff;
	if (se == 0) {
		t->stat = t->diff == 0 ? 0 : copysign(INFINITY, t->diff);
		t->df = (double)(na + nb - 2);
		t->p = t->diff == 0 ? 1 : 0;
		t->ci_low = t->ci_high = t->diff;
		return 0;
	}
	t->stat = t->diff / se;
	t->df = (sa + sb) * (sa + sb) /
		(sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	t->p = 2 * gsl_cdf_tdist_Q(fabs(t->stat), t->df);
	if (t->p > 1)
		t->p = 1;
	q = gsl_cdf_tdist_Qinv((1 - level) / 2, t->df);
	t->ci_low = t->diff - q * se;
	t->ci_high = t->diff + q * se;
	return 0;
}

double fl_prediction_halfwidth(const double *x, size_t n, double level)
{
	double m, sd;

	if (n < 2)
		return NAN;
	m = gsl_stats_mean(x, 1, n);
	sd = gsl_stats_sd_m(x, 1, n, m);
	return gsl_cdf_tdist_Qinv((1 - level) / 2, (double)(n - 1)) * sd * sqrt(1 + 1.0 / (double)n);
}

struct ranked {
	double v;
	int from_b;
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->v, b = ((const struct ranked *)y)->v;

	return (a > b) - (a < b);
}

/* The distribution of U for samples of sizes m and n without ties: pmf[0..m*n], from the
 * counts of arrangements N(u; m, n) = N(u - n; m - 1, n) + N(u; m, n - 1), in doubles. */
static double *mwu_exact_pmf(size_t m, size_t n)
{
	size_t umax = m * n;
	double *f = calloc((m + 1) * (n + 1) * (umax + 1), sizeof(double)), *pmf, total = 0;

#define F(i, j, w) f[((i) * (n + 1) + (j)) * (umax + 1) + (w)]
	pmf = malloc((umax + 1) * sizeof(double));
	if (!f || !pmf) {
		free(f);
		free(pmf);
		return NULL;
	}
	for (size_t i = 0; i <= m; i++)
		for (size_t j = 0; j <= n; j++)
			for (size_t w = 0; w <= i * j; w++) {
				if (!i || !j) {
					F(i, j, w) = w == 0;
					continue;
				}
				F(i, j, w) = F(i, j - 1, w) + (w >= j ? F(i - 1, j, w - j) : 0);
			}
	for (size_t w = 0; w <= umax; w++)
		total += F(m, n, w);
	for (size_t w = 0; w <= umax; w++)
		pmf[w] = F(m, n, w) / total;
#undef F
	free(f);
	return pmf;
}

/* P(U <= u) from the pmf of U in 0..umax. */
static double pmf_cdf(const double *pmf, size_t umax, double u)
{
	double below = 0;

	for (size_t w = 0; w <= umax && (double)w <= u; w++)
		below += pmf[w];
	return below;
}

int fl_double_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/*
 * Hodges-Lehmann: the shift b - a is estimated by the median of the na*nb differences
 * b[j] - a[i], and its CI is a pair of order statistics of them, d(k) and d(N + 1 - k)
 * (1-based). Exact: k is R's qwilcox(alpha/2, na, nb) (at least 1), as wilcox.test(b, a,
 * conf.int = TRUE). Otherwise the large-sample k = floor(N/2 - z sigma) (Hollander & Wolfe),
 * sigma with the tie correction of the test; R iterates on the statistic instead, so the two
 * can differ by one order statistic.
 */
static int hodges_lehmann(const double *a, size_t na, const double *b, size_t nb, double level,
			  const double *pmf, double sigma, struct fl_test *t)
{
	size_t nd = na * nb, k = 0, i, j;
	double *d = malloc(nd * sizeof(*d)), cum = 0, alpha = 1 - level;

	if (!d)
		return -1;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[i * nb + j] = b[j] - a[i];
	qsort(d, nd, sizeof(*d), fl_double_cmp);
	t->estimate = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2;
	if (pmf) {
		while (k < nd && cum + pmf[k] < alpha / 2 - 1e-12)
			cum += pmf[k++];
	} else {
		double c = floor((double)nd / 2 - gsl_cdf_ugaussian_Qinv(alpha / 2) * sigma);

		k = c > 0 ? (size_t)c : 0;
	}
	if (k < 1)
		k = 1;
	if (k > (nd + 1) / 2)
		k = (nd + 1) / 2;
	t->ci_low = d[k - 1];
	t->ci_high = d[nd - k];
	t->ci_hl = true;
	free(d);
	return 0;
}

int fl_mwu(const double *a, size_t na, const double *b, size_t nb, double level,
	   struct fl_test *t)
{
	size_t n = na + nb, i, j;
	struct ranked *r;
	double rb = 0, ties = 0, mu, sigma, z, u;
	bool tied = false;

	if (fl_welch(a, na, b, nb, level, t))
		return -1;
	r = malloc(n * sizeof(*r));
	if (!r)
		return -1;
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double rank, cnt;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		cnt = (double)(j - i);
		rank = (double)(i + 1 + j) / 2;	/* mean of ranks i+1 .. j */
		for (size_t k = i; k < j; k++)
			rb += r[k].from_b ? rank : 0;
		if (cnt > 1) {
			tied = true;
			ties += cnt * cnt * cnt - cnt;
		}
	}
	free(r);
	u = rb - (double)nb * (double)(nb + 1) / 2;
	t->stat = u;
	t->df = NAN;
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb / 12 *
		     ((double)(n + 1) - ties / ((double)n * (double)(n - 1))));
	if (!tied && na * nb <= FL_MWU_EXACT_MAX) {
		double *pmf = mwu_exact_pmf(nb, na), lo, hi;
		int ret;

		if (!pmf)
			return -1;
		lo = pmf_cdf(pmf, na * nb, u);
		hi = 1 - pmf_cdf(pmf, na * nb, u - 1);
		t->exact = true;
		t->p = fmin(1, 2 * fmin(lo, hi));
		ret = hodges_lehmann(a, na, b, nb, level, pmf, sigma, t);
		free(pmf);
		return ret;
	}
	if (sigma == 0) {
		t->p = 1;
	} else {
		z = u - mu;
		z = (z - copysign(0.5, z)) / sigma;	/* continuity correction */
		if ((u - mu) == 0)
			z = 0;
		t->p = fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(z)));
	}
	return hodges_lehmann(a, na, b, nb, level, NULL, sigma, t);
}

int fl_p_adjust(const double *p, size_t n, enum fl_correction c, double *adj)
{
	return fl_p_adjust_weighted(p, NULL, n, c, adj);
}

int fl_p_adjust_weighted(const double *p, const double *w, size_t n, enum fl_correction c,
			 double *adj)
{
	size_t *idx, *pos, m = 0;
	double *q, *s, total = 0, run, left;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		adj[i] = p[i];
		if (!isnan(p[i]))
			total += w ? w[i] : 1;
	}
	if (c == FL_CORR_NONE || !n)
		return 0;
	idx = malloc(n * sizeof(*idx));
	pos = malloc(n * sizeof(*pos));
	q = malloc(n * sizeof(*q));
	s = malloc(n * sizeof(*s));
	if (!idx || !pos || !q || !s)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			pos[m++] = i;
	rc = 0;
	if (!m)
		goto out;
	for (size_t k = 0; k < m; k++) {
		s[k] = (w ? w[pos[k]] : 1) / total;	/* its share: the kept ones' sum to 1 */
		q[k] = p[pos[k]] / s[k] / (double)m;	/* p / (share * m): p itself at equal weights */
	}
	gsl_sort_index(idx, q, 1, m);	/* idx[k]: position in q of the k-th smallest */
	if (c == FL_CORR_HOLM) {
		/* Holm (1979), weighted: p times the shares still in the family over its own */
		run = 0;
		left = 1;
		for (size_t k = 0; k < m; k++) {
			size_t j = idx[k];

			run = fmax(run, fmin(1, p[pos[j]] * fmax(left, s[j]) / s[j]));
			left -= s[j];
			adj[pos[j]] = run;
		}
	} else {
		/* Benjamini-Hochberg on p / (share * m) (Genovese, Roeder, Wasserman 2006) */
		run = 1;
		for (size_t k = m; k-- > 0;) {
			run = fmin(run, (double)m / (double)(k + 1) * q[idx[k]]);
			adj[pos[idx[k]]] = run;
		}
	}
out:
	free(idx);
	free(pos);
	free(q);
	free(s);
	return rc;
}

const char *fl_correction_name(enum fl_correction c)
{
	switch (c) {
	case FL_CORR_HOLM:
		return "Holm-Bonferroni";
	case FL_CORR_BH:
		return "Benjamini-Hochberg";
	default:
		return "none";
	}
}

double fl_quantile_sorted(const double *sorted, size_t n, double p)
{
	double h, lo;
	size_t i;

	if (!n)
		return NAN;
	h = (double)(n - 1) * p;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

double fl_skewness(const double *x, size_t n)
{
	double m = 0, m2 = 0, m3 = 0, g1, dn = (double)n;

	if (n < 3)
		return NAN;
	for (size_t i = 0; i < n; i++)
		m += x[i];
	m /= dn;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - m;

		m2 += d * d;
		m3 += d * d * d;
	}
	m2 /= dn;
	m3 /= dn;
	if (m2 <= 0)
		return NAN;
	g1 = m3 / pow(m2, 1.5);
	return g1 * sqrt(dn * (dn - 1)) / (dn - 2);
}

int fl_outliers(const double *x, size_t n, struct fl_outliers *o, unsigned char *cls)
{
	double *s, iqr, lo_s, lo_m, hi_m, hi_s;

	*o = (struct fl_outliers){ 0, 0, 0, 0, NAN, NAN };
	if (cls)
		memset(cls, FL_OUT_NONE, n);
	if (n < FL_OUTLIER_MIN_N)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), fl_double_cmp);
	o->q1 = fl_quantile_sorted(s, n, 0.25);
	o->q3 = fl_quantile_sorted(s, n, 0.75);
	free(s);
	iqr = o->q3 - o->q1;
	lo_s = o->q1 - 3 * iqr;
	lo_m = o->q1 - 1.5 * iqr;
	hi_m = o->q3 + 1.5 * iqr;
	hi_s = o->q3 + 3 * iqr;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = FL_OUT_NONE;

		if (x[i] < lo_s)
			c = FL_OUT_LOW_SEVERE;
		else if (x[i] < lo_m)
			c = FL_OUT_LOW_MILD;
		else if (x[i] > hi_s)
			c = FL_OUT_HIGH_SEVERE;
		else if (x[i] > hi_m)
			c = FL_OUT_HIGH_MILD;
		o->low_severe += c == FL_OUT_LOW_SEVERE;
		o->low_mild += c == FL_OUT_LOW_MILD;
		o->high_mild += c == FL_OUT_HIGH_MILD;
		o->high_severe += c == FL_OUT_HIGH_SEVERE;
		if (cls)
			cls[i] = c;
	}
	return 0;
}

static bool skewed_or_tailed(const double *x, size_t n)
{
	struct fl_outliers o;
	double g1 = fl_skewness(x, n);

	if (isfinite(g1) && fabs(g1) > FL_AUTO_SKEW)
		return true;
	return !fl_outliers(x, n, &o, NULL) && o.low_severe + o.high_severe > 0;
}

bool fl_auto_wants_bootstrap(const double *a, size_t na, const double *b, size_t nb)
{
	if (na < FL_AUTO_MIN_N || nb < FL_AUTO_MIN_N || na > FL_AUTO_MAX_N ||
	    nb > FL_AUTO_MAX_N)
		return false;
	return skewed_or_tailed(a, na) || skewed_or_tailed(b, nb);
}
