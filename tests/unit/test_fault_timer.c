// SPDX-License-Identifier: GPL-2.0
/* Unit tests of workloads/lib/fault_timer: the clock's calibration, the per-page marks, the
 * report (metrics, detail.fault_latency, the absent reason). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "lib/fault_timer.h"
#include "workload.h"

static const struct fl_metric test_metrics[] = {
	FL_FAULT_LAT_METRICS("a test page"),
	{ NULL },
};

static const struct fl_workload test_wl = { .name = "test", .metrics = test_metrics };

/* The clock says which it is; a tick is a plausible time; a 20 ms window measured in ticks
 * and in CLOCK_MONOTONIC agree within 0.5%. */
static void test_fclock_calibration(void **state)
{
	struct timespec d = { 0, 20000000 };
	struct fl_fclock clk;
	uint64_t n0, t0, n1, t1;
	double ns;

	(void)state;
	fl_fclock_init(&clk);
	assert_true(clk.why[0]);
	if (!clk.tsc)
		assert_true(clk.ns_per_tick == 1.0);
	assert_true(clk.ns_per_tick > 0.01 && clk.ns_per_tick < 10.0);
	n0 = fl_now_ns();
	t0 = fl_fclock_ticks(&clk);
	nanosleep(&d, NULL);
	t1 = fl_fclock_ticks(&clk);
	n1 = fl_now_ns();
	ns = (double)fl_fclock_ns(&clk, t1 - t0);
	assert_true(ns > 0.995 * (double)(n1 - n0) - 2000 && ns < 1.005 * (double)(n1 - n0) + 2000);
}

/* Ticks to ns: identity off the TSC; on it, 10^12 ticks (minutes) do not overflow. */
static void test_fclock_ns_scale(void **state)
{
	struct fl_fclock mono = { .tsc = false, .mult = 1ull << 32, .ns_per_tick = 1.0 };
	struct fl_fclock clk;

	(void)state;
	assert_int_equal(fl_fclock_ns(&mono, 123456789), 123456789);
	fl_fclock_init(&clk);
	if (clk.tsc) {
		double want = 1e12 * clk.ns_per_tick;

		assert_true((double)fl_fclock_ns(&clk, 1000000000000ull) > want * 0.999999);
		assert_true((double)fl_fclock_ns(&clk, 1000000000000ull) < want * 1.000001);
	}
}

/* A mark per page: one value each, chained (their sum is the time from start to the last
 * mark); no histogram: nothing recorded, nothing read. */
static void test_ftouch_marks(void **state)
{
	struct fl_hist *h = malloc(sizeof(*h));
	struct timespec d = { 0, 1000000 };
	struct fl_fclock clk;
	struct fl_ftouch ft;
	uint64_t n0, n1;

	(void)state;
	assert_non_null(h);
	fl_hist_init(h);
	fl_fclock_init(&clk);
	fl_ftouch_init(&ft, &clk, NULL);
	fl_ftouch_start(&ft);
	fl_ftouch_mark(&ft);
	assert_int_equal(ft.t, 0);
	fl_ftouch_init(&ft, &clk, h);
	n0 = fl_now_ns();
	fl_ftouch_start(&ft);
	for (int i = 0; i < 3; i++) {
		nanosleep(&d, NULL);
		fl_ftouch_mark(&ft);
	}
	n1 = fl_now_ns();
	assert_int_equal(h->count, 3);
	assert_true(h->min >= 900000);		/* each mark after a 1 ms sleep */
	assert_true((double)h->sum <= 1.01 * (double)(n1 - n0) + 2000);
	free(h);
}

static struct fl_case *case_new(void)
{
	struct fl_case *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->wl = &test_wl;
	c->metrics = json_object();
	c->extra = json_object();
	return c;
}

static void case_free(struct fl_case *c)
{
	json_decref(c->metrics);
	json_decref(c->extra);
	free(c);
}

/* The report: p50 and p99 in us from the merged histogram, the histogram in ns with its
 * cdf, the clock; an empty one or none: the absent reason and no metric. */
static void test_report(void **state)
{
	struct fl_hist *h = malloc(sizeof(*h));
	struct fl_case *c = case_new();
	struct fl_fclock clk;
	json_t *d;

	(void)state;
	assert_non_null(h);
	fl_fclock_init(&clk);
	fl_hist_init(h);
	for (uint64_t v = 1000; v <= 100000; v += 1000)
		fl_hist_record(h, v);
	fl_fault_latency_report(c, &clk, h, "test pages");
	d = json_object_get(c->extra, "fault_latency");
	assert_int_equal(json_integer_value(json_object_get(d, "count")), 100);
	assert_string_equal(json_string_value(json_object_get(d, "unit")), "ns");
	assert_true(json_is_array(json_object_get(d, "cdf")));
	assert_true(json_real_value(json_object_get(d, "mean")) == 50500.0);
	assert_null(json_object_get(c->metrics, "fault_lat_mean_us"));
	assert_true(json_real_value(json_object_get(json_object_get(c->metrics,
				"fault_lat_p50_us"), "value")) ==
		    (double)json_integer_value(json_object_get(d, "p50")) / 1e3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(c->metrics,
				"fault_lat_p99_us"), "better")), "lower");
	d = json_object_get(c->extra, "fault_latency_clock");
	assert_string_equal(json_string_value(json_object_get(d, "what")), "test pages");
	case_free(c);

	c = case_new();
	fl_hist_init(h);
	fl_fault_latency_report(c, &clk, h, "test pages");
	d = json_object_get(c->extra, "fault_latency");
	assert_string_equal(json_string_value(json_object_get(d, "status")), "absent");
	assert_int_equal(json_object_size(c->metrics), 0);
	case_free(c);

	c = case_new();
	fl_fault_latency_report(c, &clk, NULL, "test pages");
	d = json_object_get(c->extra, "fault_latency");
	assert_non_null(strstr(json_string_value(json_object_get(d, "reason")), "out of memory"));
	assert_int_equal(json_object_size(c->metrics), 0);
	case_free(c);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fclock_calibration),
		cmocka_unit_test(test_fclock_ns_scale),
		cmocka_unit_test(test_ftouch_marks),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
