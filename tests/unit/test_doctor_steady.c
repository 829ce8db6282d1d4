// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of runner/doctor/doctor_steady.c: the page-fault work really runs and gives a CPU
 * time per fault in each block of the sample; the finding is ok below FL_STEADY_WARN_COV and
 * warns at or above it, with the median, lowest, highest and CoV of the blocks (computed here
 * again), and says why when nothing was measured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compare.h"
#include "doctor.h"

/* The steady finding of blocks us[0..n) (n 0: not measured, for why_not). */
static json_t *finding_of(const double *us, int n, const char *why_not)
{
	struct fl_steady s = { .measured = n > 0, .n = n, .block_s = 0.1 };
	json_t *doc = json_pack("{s:[]}", "findings"), *f;

	if (n)
		memcpy(s.us, us, sizeof(double) * (size_t)n);
	fl_doctor_check_steady(doc, &s, why_not);
	f = json_incref(fl_cmp_find(json_object_get(doc, "findings"), "id", "steady"));
	json_decref(doc);
	assert_non_null(f);
	assert_true(json_is_true(json_object_get(f, "volatile")));
	return f;
}

static const char *str(json_t *f, const char *k)
{
	return json_string_value(json_object_get(f, k));
}

/* 0.2 s of the real work: each block has a CPU time per fault, and it is a plausible one. */
static void test_measure(void **state)
{
	struct fl_steady s;

	(void)state;
	assert_int_equal(fl_steady_measure(0.2, &s), 0);
	assert_true(s.measured);
	assert_true(s.n >= 2 && s.n <= FL_STEADY_BLOCKS);
	assert_true(s.block_s > 0.019 && s.block_s < 0.021);
	for (int k = 0; k < s.n; k++)
		assert_true(s.us[k] > 0.01 && s.us[k] < 10000);	/* 10 ns to 10 ms a fault */
}

/* Steady blocks: ok, with the median, range and CoV; spread ones warn, saying what it means. */
static void test_levels(void **state)
{
	const double flat[] = { 10, 10, 10, 10, 10.2, 9.8, 10, 10, 10, 10 };
	/* mean 11, sd 2.404 (CoV 21.9%); the median of 9,9,9,9,10,10,12,12,15,15 is 10 */
	const double spread[] = { 9, 12, 15, 9, 10, 12, 9, 15, 10, 9 };
	json_t *f = finding_of(flat, 10, NULL), *st;

	(void)state;
	assert_string_equal(str(f, "level"), "ok");
	assert_string_equal(str(f, "state"), "the same page-fault work took 10.00 us of CPU per "
			    "fault (median of 10 blocks of 0.1 s), from 9.80 to 10.20: 0.9% CoV");
	st = json_object_get(f, "steady");
	assert_int_equal(json_array_size(json_object_get(st, "blocks_us")), 10);
	assert_float_equal(json_real_value(json_object_get(st, "cov_pct")), 0.9428, 1e-3);
	json_decref(f);
	f = finding_of(spread, 10, NULL);
	assert_string_equal(str(f, "level"), "warn");
	assert_string_equal(str(f, "state"), "the same page-fault work took 10.00 us of CPU per "
			    "fault (median of 10 blocks of 0.1 s), from 9.00 to 15.00: 21.9% CoV: "
			    "the host changes this machine's speed under a measurement");
	assert_non_null(strstr(str(f, "fix"), "--precision"));
	json_decref(f);
}

/* Not measured: why (a run holds the lock), or one block only (a sample too short). */
static void test_not_measured(void **state)
{
	const double one[] = { 10 };
	json_t *f = finding_of(NULL, 0, "a run holds the host lock, and the work would disturb it");

	(void)state;
	assert_string_equal(str(f, "level"), "info");
	assert_string_equal(str(f, "state"), "not measured: a run holds the host lock, and the "
			    "work would disturb it");
	assert_null(json_object_get(f, "steady"));
	json_decref(f);
	f = finding_of(one, 1, NULL);
	assert_string_equal(str(f, "state"), "not measured: the sample was too short for two "
			    "blocks of page-fault work");
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_not_measured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
