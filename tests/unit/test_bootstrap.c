// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/bootstrap.c (percentile bootstrap) and of the outlier classes,
 * skewness and auto test choice in analysis/stats.c.
 *
 * References:
 * - splitmix64 seeded with 1 gives 0x910a2dec89025cc1, 0xbeeb8da1658eec67, 0xf893a2eefb32555e
 *   (Vigna's splitmix64.c, the seeding generator of xoshiro/xoroshiro).
 * - The bootstrap values were computed offline by an independent pure-Python implementation
 *   of the same algorithm (/tmp/h3/bootref.py in the session of issue #15, reproduced in the
 *   comment of each test): the same generator, Lemire's multiply-shift for the index, a's
 *   draws before b's in each resample, type-7 quantiles, p = 2 min(#(d <= 0) + 1,
 *   #(d >= 0) + 1) / (B + 1). The C code must match it to the last digit printed.
 * - datasets::sleep (R), as test_stats.c: mean difference -1.58; the plug-in standard error
 *   of the bootstrap mean difference, sqrt(s1^2 (n-1)/n / n + s2^2 (n-1)/n / n) = 0.8056, so
 *   the percentile interval must lie near -1.58 +/- 1.96 * 0.8056 = [-3.159, -0.001].
 * - Tukey's fences as criterion.rs classifies outliers (book, "Analysis Process: outlier
 *   classification"): low severe < Q1 - 3 IQR < low mild < Q1 - 1.5 IQR; high mild >
 *   Q3 + 1.5 IQR; high severe > Q3 + 3 IQR. R: quantile(1:9, c(.25, .75)) = 3 7 (type 7).
 * - Skewness G1 of 1,2,3,4,10 (adjusted Fisher-Pearson, Excel SKEW): 1.6971 (by hand:
 *   m2 = 10, m3 = 36, g1 = 1.1384, * sqrt(20)/3).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "bootstrap.h"
#include "stats.h"

static const double sleep1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
static const double sleep2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

static void test_rng(void **state)
{
	struct fl_rng r = { 1 };

	(void)state;
	assert_true(fl_rng_next(&r) == 0x910a2dec89025cc1ULL);
	assert_true(fl_rng_next(&r) == 0xbeeb8da1658eec67ULL);
	assert_true(fl_rng_next(&r) == 0xf893a2eefb32555eULL);
	for (int i = 0; i < 1000; i++)
		assert_true(fl_rng_below(&r, 7) < 7);
}

/* bootref.py: boot(sleep2, sleep1) = -1.58, -3.16, -0.02, 0.0473952605 */
static void test_bootstrap_sleep(void **state)
{
	struct fl_test t, again;

	(void)state;
	assert_int_equal(fl_bootstrap(sleep2, 10, sleep1, 10, 0.95, FL_BOOT_RESAMPLES,
				      FL_BOOT_SEED, &t), 0);
	assert_float_equal(t.diff, -1.58, 1e-12);
	assert_float_equal(t.estimate, -1.58, 1e-12);
	assert_float_equal(t.ci_low, -3.16, 1e-9);
	assert_float_equal(t.ci_high, -0.02, 1e-9);
	assert_float_equal(t.p, 0.0473952605, 1e-10);
	assert_true(t.ci_boot && !t.ci_hl && isnan(t.stat) && isnan(t.df));
	/* the normal approximation of the same bootstrap distribution */
	assert_float_equal(t.ci_low, -1.58 - 1.96 * 0.8056, 0.05);
	assert_float_equal(t.ci_high, -1.58 + 1.96 * 0.8056, 0.05);
	/* the interval leaves 0 out exactly when p < 0.05 */
	assert_true(t.ci_high < 0 && t.p < 0.05);
	/* deterministic: the same samples, the same answer */
	assert_int_equal(fl_bootstrap(sleep2, 10, sleep1, 10, 0.95, FL_BOOT_RESAMPLES,
				      FL_BOOT_SEED, &again), 0);
	assert_true(again.p == t.p && again.ci_low == t.ci_low && again.ci_high == t.ci_high);
}

/* bootref.py: a skewed sample with one far value: -0.48, -3.52, 1.11, 0.6919308069 */
static void test_bootstrap_skewed(void **state)
{
	static const double a[] = { 10, 10.2, 9.9, 10.1, 10, 10.3, 9.8, 10, 10.1, 25 };
	static const double b[] = { 11, 11.2, 10.9, 11.1, 11, 11.3, 10.8, 11, 11.1, 11.2 };
	struct fl_test t;

	(void)state;
	assert_int_equal(fl_bootstrap(a, 10, b, 10, 0.95, FL_BOOT_RESAMPLES, FL_BOOT_SEED, &t),
			 0);
	assert_float_equal(t.diff, -0.48, 1e-12);
	assert_float_equal(t.ci_low, -3.52, 1e-9);
	assert_float_equal(t.ci_high, 1.11, 1e-9);
	assert_float_equal(t.p, 0.6919308069, 1e-10);
	assert_true(fl_auto_wants_bootstrap(a, 10, b, 10));
}

/* Counts that do not vary: the interval is the difference itself, p the smallest there is
 * (bootref.py: 1, 1, 1, 0.0001999800); equal samples: p 1. */
static void test_bootstrap_counts(void **state)
{
	static const double two[] = { 2, 2, 2 }, three[] = { 3, 3, 3 };
	struct fl_test t;

	(void)state;
	assert_int_equal(fl_bootstrap(two, 3, three, 3, 0.95, FL_BOOT_RESAMPLES, FL_BOOT_SEED,
				      &t), 0);
	assert_float_equal(t.ci_low, 1, 0);
	assert_float_equal(t.ci_high, 1, 0);
	assert_float_equal(t.p, 2.0 / 10001, 1e-12);
	assert_int_equal(fl_bootstrap(two, 3, two, 3, 0.95, FL_BOOT_RESAMPLES, FL_BOOT_SEED,
				      &t), 0);
	assert_float_equal(t.p, 1, 0);
	assert_int_equal(fl_bootstrap(two, 1, three, 3, 0.95, 100, 1, &t), -1);
}

static void test_outliers(void **state)
{
	/* 1..9: Q1 3, Q3 7, IQR 4: nothing beyond -3 or 13 */
	double x[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	double y[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, -14 };
	unsigned char cls[11];
	struct fl_outliers o;

	(void)state;
	assert_int_equal(fl_outliers(x, 9, &o, cls), 0);
	assert_float_equal(o.q1, 3, 1e-12);
	assert_float_equal(o.q3, 7, 1e-12);
	assert_int_equal(o.low_severe + o.low_mild + o.high_mild + o.high_severe, 0);
	/* with 18 and -14 the quartiles are 2.5 and 7.5 (type 7): IQR 5, mild beyond -5 and
	 * 15, severe beyond -12.5 and 22.5 */
	assert_int_equal(fl_outliers(y, 11, &o, cls), 0);
	assert_float_equal(o.q1, 2.5, 1e-12);
	assert_float_equal(o.q3, 7.5, 1e-12);
	assert_int_equal(o.high_mild, 1);
	assert_int_equal(o.low_severe, 1);
	assert_int_equal(o.low_mild + o.high_severe, 0);
	assert_int_equal(cls[9], FL_OUT_HIGH_MILD);
	assert_int_equal(cls[10], FL_OUT_LOW_SEVERE);
	assert_int_equal(cls[0], FL_OUT_NONE);
	/* below 4 values there are no fences */
	assert_int_equal(fl_outliers(y, 3, &o, cls), 0);
	assert_true(isnan(o.q1));
	assert_int_equal(cls[0] + cls[1] + cls[2], 0);
}

static void test_skew_and_auto(void **state)
{
	static const double sk[] = { 1, 2, 3, 4, 10 };
	static const double flat[] = { 10, 11, 9, 10.5, 9.5, 10.2, 9.8, 10.1 };
	static const double tail[] = { 10, 11, 9, 10.5, 9.5, 10.2, 9.8, 30 };

	(void)state;
	assert_float_equal(fl_skewness(sk, 5), 1.6971, 1e-4);
	assert_true(isnan(fl_skewness(sk, 2)));
	assert_true(isnan(fl_skewness(flat, 1)));
	/* Welch for symmetric samples and for small ones, whatever their shape */
	assert_false(fl_auto_wants_bootstrap(flat, 8, flat, 8));
	assert_false(fl_auto_wants_bootstrap(tail, 7, tail, 8));
	assert_true(fl_auto_wants_bootstrap(flat, 8, tail, 8));
	/* many values: Welch (the mean is normal enough, the bootstrap would be slow) */
	{
		double *big = calloc(FL_AUTO_MAX_N + 1, sizeof(double));

		assert_non_null(big);
		for (size_t i = 0; i <= FL_AUTO_MAX_N; i++)
			big[i] = i % 10 ? 1 : 100;	/* skewed, a long right tail */
		assert_true(fl_auto_wants_bootstrap(big, FL_AUTO_MAX_N, big, FL_AUTO_MAX_N));
		assert_false(fl_auto_wants_bootstrap(big, FL_AUTO_MAX_N + 1, big, 8));
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_bootstrap_sleep),
		cmocka_unit_test(test_bootstrap_skewed),
		cmocka_unit_test(test_bootstrap_counts),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_skew_and_auto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
