// SPDX-License-Identifier: GPL-2.0
/*
 * The option values compare and nightly share (runner/cmd_opts.c): a number is taken within
 * its range only, never empty, trailing text or NaN (compare --alpha nan reached the tests
 * and printed garbage); --alpha is open at both ends; --test and --correction map their words
 * to the enums and refuse the rest; --min-effect goes into the floors.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include "cmd_opts.h"

static void test_double_range(void **state)
{
	double v = -7;

	assert_int_equal(fl_opt_double("--wait", "2.5", 0, INFINITY, "s", &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(fl_opt_double("--wait", "0", 0, INFINITY, "s", &v), 0);
	assert_int_equal(fl_opt_double("--wait", "inf", 0, INFINITY, "s", &v), 0);
	v = -7;
	assert_int_equal(fl_opt_double("--wait", "-1", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("--wait", "", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("--wait", "nan", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("--wait", "1x", 0, INFINITY, "s", &v), -1);
	assert_true(v == -7);	/* untouched when refused */
}

static void test_long_range(void **state)
{
	long v = -7;

	assert_int_equal(fl_opt_long("--keep", "3", 1, LONG_MAX, "n", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(fl_opt_long("--keep", "0", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_long("--keep", "", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_long("--keep", "2.0", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(v, 3);
}

static void test_stats_opts(void **state)
{
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;

	fl_cmp_opts_default(&o, &fl);
	assert_int_equal(fl_stats_opt(FL_SOPT_TEST, "mwu", &o, &fl), 0);
	assert_int_equal(o.test, FL_TEST_MWU);
	assert_int_equal(fl_stats_opt(FL_SOPT_TEST, "bootstrap", &o, &fl), 0);
	assert_int_equal(o.test, FL_TEST_BOOTSTRAP);
	assert_int_equal(fl_stats_opt(FL_SOPT_TEST, "t", &o, &fl), -1);
	assert_int_equal(o.test, FL_TEST_BOOTSTRAP);
	assert_int_equal(fl_stats_opt(FL_SOPT_CORRECTION, "bh", &o, &fl), 0);
	assert_int_equal(o.correction, FL_CORR_BH);
	assert_int_equal(fl_stats_opt(FL_SOPT_CORRECTION, "BH", &o, &fl), -1);
	assert_int_equal(fl_stats_opt(FL_SOPT_ALPHA, "0.01", &o, &fl), 0);
	assert_true(o.alpha == 0.01);
	assert_int_equal(fl_stats_opt(FL_SOPT_ALPHA, "0", &o, &fl), -1);
	assert_int_equal(fl_stats_opt(FL_SOPT_ALPHA, "1", &o, &fl), -1);
	assert_int_equal(fl_stats_opt(FL_SOPT_ALPHA, "nan", &o, &fl), -1);
	assert_true(o.alpha == 0.01);
	assert_int_equal(fl_stats_opt(FL_SOPT_MIN_EFFECT, "1000", &o, &fl), 0);
	assert_true(fl.min_effect_pct == 1000);
	assert_int_equal(fl_stats_opt(FL_SOPT_MIN_EFFECT, "1000.5", &o, &fl), -1);
	assert_true(FL_SOPT_IS(FL_SOPT_MIN_EFFECT) && !FL_SOPT_IS('h') && !FL_SOPT_IS(FL_SOPT_END));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_range),
		cmocka_unit_test(test_long_range),
		cmocka_unit_test(test_stats_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
