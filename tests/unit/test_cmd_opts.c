// SPDX-License-Identifier: GPL-2.0
/*
 * The option values every command parses (runner/cmd_opts.c): a number is taken within its
 * range only, never empty, blank-led, with trailing text or NaN (compare --alpha nan reached
 * the tests and printed garbage); infinity only where the range is unbounded (nightly --wait
 * inf); a whole number refuses "2.0" and "1e3" (run --cpus 2.5 was 2); --precision takes its
 * '%'; --alpha is open at both ends; --test and --correction map their words to the enums and
 * refuse the rest; --min-effect goes into the floors. A refusal is one sentence naming the
 * command, the option, what it wants and what was given, control characters shown as '?'.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "cmd_opts.h"

static void test_double_range(void **state)
{
	double v = -7;

	assert_int_equal(fl_opt_double("nightly", "--wait", "2.5", 0, INFINITY, "s", &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(fl_opt_double("nightly", "--wait", "0", 0, INFINITY, "s", &v), 0);
	assert_int_equal(fl_opt_double("nightly", "--wait", "inf", 0, INFINITY, "s", &v), 0);
	v = -7;
	assert_int_equal(fl_opt_double("doctor", "--sample", "inf", 0, 60, "s", &v), -1);
	assert_int_equal(fl_opt_double("nightly", "--wait", "-1", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("nightly", "--wait", "", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("nightly", "--wait", " 1", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("nightly", "--wait", "nan", 0, INFINITY, "s", &v), -1);
	assert_int_equal(fl_opt_double("nightly", "--wait", "1x", 0, INFINITY, "s", &v), -1);
	assert_true(v == -7);	/* untouched when refused */
}

static void test_whole_range(void **state)
{
	long long v = -7;

	assert_int_equal(fl_opt_whole("nightly", "--keep", "3", 1, LONG_MAX, "n", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(fl_opt_whole("run", "--cpus", "64", 1, 64, "n", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(fl_opt_whole("run", "--cpus", "65", 1, 64, "n", &v), -1);
	assert_int_equal(fl_opt_whole("run", "--cpus", "2.5", 1, 64, "n", &v), -1);
	assert_int_equal(fl_opt_whole("nightly", "--keep", "0", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_whole("nightly", "--keep", "", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_whole("nightly", "--keep", "2.0", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_whole("nightly", "--keep", "1e3", 1, LONG_MAX, "n", &v), -1);
	assert_int_equal(fl_opt_whole("nightly", "--keep", "99999999999999999999", 1, LONG_MAX,
				      "n", &v), -1);
	assert_int_equal(v, 64);
}

static void test_num_in(void **state)
{
	double v = -7;

	assert_true(fl_opt_num_in("1e-3", 0, 1, &v));
	assert_true(v == 1e-3);
	assert_false(fl_opt_num_in("1%", 0, 100, &v));
	assert_false(fl_opt_num_in("-inf", -1, 1, &v));
	assert_true(v == 1e-3);
}

/* The sentence fl_opt_bad says, read back from stderr. */
static void test_sentence(void **state)
{
	char path[] = "/tmp/test_cmd_opts.XXXXXX", buf[512];
	int fd = mkstemp(path), saved = dup(2);
	long long v;
	FILE *f;
	size_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(fl_opt_whole("run", "--cpus", "x\033[2J", 1, 64,
				      "a whole number from 1 to 64", &v), -1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "faultline: run: --cpus wants a whole number from 1 to 64, "
			    "not 'x?[2J'\n");
}

static void test_stats_opts(void **state)
{
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;

	fl_cmp_opts_default(&o, &fl);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_TEST, "mwu", &o, &fl), 0);
	assert_int_equal(o.test, FL_TEST_MWU);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_TEST, "bootstrap", &o, &fl), 0);
	assert_int_equal(o.test, FL_TEST_BOOTSTRAP);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_TEST, "t", &o, &fl), -1);
	assert_int_equal(o.test, FL_TEST_BOOTSTRAP);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_CORRECTION, "bh", &o, &fl), 0);
	assert_int_equal(o.correction, FL_CORR_BH);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_CORRECTION, "BH", &o, &fl), -1);
	assert_int_equal(fl_stats_opt("nightly", FL_SOPT_ALPHA, "0.01", &o, &fl), 0);
	assert_true(o.alpha == 0.01);
	assert_int_equal(fl_stats_opt("nightly", FL_SOPT_ALPHA, "0", &o, &fl), -1);
	assert_int_equal(fl_stats_opt("nightly", FL_SOPT_ALPHA, "1", &o, &fl), -1);
	assert_int_equal(fl_stats_opt("nightly", FL_SOPT_ALPHA, "nan", &o, &fl), -1);
	assert_true(o.alpha == 0.01);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_MIN_EFFECT, "1000", &o, &fl), 0);
	assert_true(fl.min_effect_pct == 1000);
	assert_int_equal(fl_stats_opt("compare", FL_SOPT_MIN_EFFECT, "1000.5", &o, &fl), -1);
	assert_true(FL_SOPT_IS(FL_SOPT_MIN_EFFECT) && !FL_SOPT_IS('h') && !FL_SOPT_IS(FL_SOPT_END));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_range),
		cmocka_unit_test(test_whole_range),
		cmocka_unit_test(test_num_in),
		cmocka_unit_test(test_sentence),
		cmocka_unit_test(test_stats_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
