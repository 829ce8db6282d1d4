// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/changepoint.c (E-divisive with means). Series are made here with a
 * fixed-seed normal generator, so each test sees the same numbers every time; how often the
 * method calls a change in a series without one is measured over many series below and in
 * bench/changepoint.sh on real runs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "changepoint.h"

static unsigned long long st;

static double uniform(void)
{
	st = st * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(st >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller: mean m, standard deviation sd. */
static double normal(double m, double sd)
{
	return m + sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* n values around 100 with CoV cov_pct; from index step on, the mean moves by step_pct. */
static void series(double *x, size_t n, double cov_pct, size_t step, double step_pct)
{
	for (size_t i = 0; i < n; i++)
		x[i] = normal(i >= step ? 100 * (1 + step_pct / 100) : 100, cov_pct);
}

static void test_small_exact(void **state)
{
	const double x[] = { 0, 0, 0, 1, 1, 1 };
	struct fl_cp_opts o;
	struct fl_cp cp[4];

	(void)state;
	fl_cp_defaults(&o);
	o.min_size = 2;
	o.alpha = 0.2;	/* 6 values: the smallest p a permutation test can give is about 0.1 */
	assert_int_equal(fl_cp_find(x, 6, &o, cp, 4), 1);
	assert_int_equal(cp[0].index, 3);
	assert_float_equal(cp[0].before, 0, 0);
	assert_float_equal(cp[0].after, 1, 0);
}

/* 60 runs, 1% noise, a 3% drop at run 40: found at 40 +/- 1, about -3%. */
static void test_step(void **state)
{
	double x[60];
	struct fl_cp_opts o;
	struct fl_cp cp[8];
	int n;

	(void)state;
	st = 1;
	series(x, 60, 1, 40, -3);
	fl_cp_defaults(&o);
	n = fl_cp_find(x, 60, &o, cp, 8);
	assert_int_equal(n, 1);
	assert_in_range(cp[0].index, 39, 41);
	assert_true(cp[0].change_pct < -2 && cp[0].change_pct > -4);
	assert_true(cp[0].p <= o.alpha);
}

static void test_two_steps(void **state)
{
	double x[90];
	struct fl_cp_opts o;
	struct fl_cp cp[8];

	(void)state;
	st = 7;
	series(x, 90, 1, 30, 5);
	for (size_t i = 60; i < 90; i++)
		x[i] -= 8;
	fl_cp_defaults(&o);
	assert_int_equal(fl_cp_find(x, 90, &o, cp, 8), 2);
	assert_in_range(cp[0].index, 29, 31);
	assert_in_range(cp[1].index, 59, 61);
	assert_true(cp[0].change_pct > 0 && cp[1].change_pct < 0);
}

/* No change: over 100 series of 60 runs at alpha 0.01, at most a few false calls. */
static void test_no_step_rate(void **state)
{
	double x[60];
	struct fl_cp_opts o;
	struct fl_cp cp[8];
	int found = 0;

	(void)state;
	st = 42;
	fl_cp_defaults(&o);
	o.permutations = 99;
	for (int r = 0; r < 100; r++) {
		series(x, 60, 2, 60, 0);
		found += fl_cp_find(x, 60, &o, cp, 8) > 0;
	}
	assert_in_range(found, 0, 5);
}

/* A significant 0.5% step and a 5% one: with min_change_pct 2 only the 5% one is named, and
 * its sides' means span the whole series (the small step is not a segment boundary). */
static void test_min_change(void **state)
{
	double x[60];
	struct fl_cp_opts o;
	struct fl_cp cp[8];

	(void)state;
	st = 11;
	series(x, 60, 0.1, 20, 0.5);
	for (size_t i = 45; i < 60; i++)
		x[i] *= 1.05;
	fl_cp_defaults(&o);
	assert_int_equal(fl_cp_find(x, 60, &o, cp, 8), 2);
	assert_in_range(cp[0].index, 19, 21);
	o.min_change_pct = 2;
	assert_int_equal(fl_cp_find(x, 60, &o, cp, 8), 1);
	assert_in_range(cp[0].index, 44, 46);
	assert_true(cp[0].change_pct > 4 && cp[0].change_pct < 6);
	assert_float_equal(cp[0].before, (100.5 * 25 + 100.0 * 20) / 45, 0.2);
}

static void test_edges(void **state)
{
	const double flat[12] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
	struct fl_cp_opts o;
	struct fl_cp cp[2];

	(void)state;
	fl_cp_defaults(&o);
	assert_int_equal(fl_cp_find(flat, 12, &o, cp, 2), 0);
	assert_int_equal(fl_cp_find(flat, 9, &o, cp, 2), 0);	/* shorter than 2 * 5 */
	assert_int_equal(fl_cp_find(flat, 0, &o, cp, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_no_step_rate),
		cmocka_unit_test(test_min_change),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
