// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of runner/run/precision.c: the CI half-width against R, durations, and the state of
 * a case group and the next adaptive round on small plans made here.
 *
 * Reference (R 4.x): t.test(1:5)$conf.int = 1.036757 4.963243, so the 95% half-width is
 * qt(0.975, 4) * sd(1:5) / sqrt(5) = 2.776445 * 1.581139 / 2.236068 = 1.963243;
 * t.test(c(100, 101, 99)): half-width 2.484138 (qt(0.975, 2) = 4.302653).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "precision.h"
#include "plan.h"

static void test_halfwidth(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 100, 101, 99 }, same[] = { 7, 7, 7 };

	(void)state;
	assert_float_equal(fl_prec_halfwidth(x, 5, 0.95), 1.963243, 1e-6);
	assert_float_equal(fl_prec_halfwidth(y, 3, 0.95), 2.484138, 1e-6);
	assert_float_equal(fl_prec_halfwidth(same, 3, 0.95), 0, 0);
	assert_true(isnan(fl_prec_halfwidth(x, 1, 0.95)));
}

static void test_duration(void **state)
{
	const char *bad[] = { "", "0", "abc", "5x", "-3s", "1h-", "8d", "s", "1e3q", "169h" };
	double d;

	(void)state;
	assert_int_equal(fl_parse_duration("600", &d), 0);
	assert_float_equal(d, 600, 0);
	assert_int_equal(fl_parse_duration("90s", &d), 0);
	assert_float_equal(d, 90, 0);
	assert_int_equal(fl_parse_duration("10m", &d), 0);
	assert_float_equal(d, 600, 0);
	assert_int_equal(fl_parse_duration("1h30m", &d), 0);
	assert_float_equal(d, 5400, 0);
	assert_int_equal(fl_parse_duration("1.5h", &d), 0);
	assert_float_equal(d, 5400, 0);
	assert_int_equal(fl_parse_duration("0.5", &d), 0);
	assert_float_equal(d, 0.5, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(fl_parse_duration(bad[i], &d), -1);
}

/* A plan of one group: n measured iterations with these values, each 1 s long. */
static void make_plan(struct fl_plan *plan, const double *v, size_t n, double target)
{
	memset(plan, 0, sizeof(*plan));
	plan->cases = calloc(16, sizeof(*plan->cases));
	plan->ngroups = 1;
	for (size_t i = 0; i < n; i++) {
		struct fl_plan_case *pc = &plan->cases[i];

		pc->workload = strdup("ebizzy");
		pc->params = json_pack("{s:i}", "threads", 1);
		pc->iteration = pc->round = (int)i;
		pc->precision_pct = target;
		pc->timeout_s = 60;
		pc->elapsed_s = 1;
		pc->value = v[i];
		snprintf(pc->metric, sizeof(pc->metric), "records_per_s");
		snprintf(pc->file, sizeof(pc->file), "cases/%04zu-ebizzy-i%zu.json", i, i);
		strcpy(pc->status, "ok");
	}
	plan->n = n;
}

static enum fl_prec_state state_of(const struct fl_plan *plan)
{
	struct fl_prec_group *g = fl_prec_assess(plan);
	enum fl_prec_state s;

	assert_non_null(g);
	s = g[0].state;
	free(g);
	return s;
}

static void test_states(void **state)
{
	const double v[] = { 100, 101, 99, 100, 101, 99, 100, 101, 99, 100 };
	struct fl_prec_group *g;
	struct fl_plan plan;

	(void)state;
	/* ±2.48% after 3 is within 3%, but a precision is not called before FL_PREC_MIN_N */
	make_plan(&plan, v, 3, 3);
	g = fl_prec_assess(&plan);
	assert_int_equal(g[0].state, FL_PREC_RUNNING);
	assert_int_equal(g[0].n, 3);
	assert_float_equal(g[0].halfwidth_pct, 2.484138, 1e-6);
	assert_float_equal(g[0].est_s, 1, 0);
	free(g);
	fl_plan_free(&plan);
	/* ±0.584% after 10 is reached at 1%, not at 0.5% */
	assert_int_equal(FL_PREC_MIN_N, 10);
	make_plan(&plan, v, 10, 1);
	g = fl_prec_assess(&plan);
	assert_int_equal(g[0].state, FL_PREC_PRECISION);
	assert_int_equal(g[0].n, 10);
	assert_float_equal(g[0].halfwidth_pct, 0.584086, 1e-6);
	free(g);
	fl_prec_apply(&plan, 0.5, 0);
	assert_int_equal(state_of(&plan), FL_PREC_RUNNING);
	/* the run's budget: 9.5 s spent of 10, an iteration takes 1 s */
	plan.max_time_s = 10;
	plan.spent_before_s = 9.5;
	assert_int_equal(state_of(&plan), FL_PREC_TIME);
	plan.max_time_s = 0;
	/* the group's own budget: 10 s spent of 10.5 */
	for (size_t i = 0; i < 10; i++)
		plan.cases[i].max_time_s = 10.5;
	assert_int_equal(state_of(&plan), FL_PREC_TIME);
	for (size_t i = 0; i < 10; i++)
		plan.cases[i].max_time_s = 0;
	/* no precision asked: its planned iterations */
	for (size_t i = 0; i < 10; i++)
		plan.cases[i].precision_pct = 0;
	assert_int_equal(state_of(&plan), FL_PREC_PLANNED);
	fl_prec_apply(&plan, 1, 0);
	strcpy(plan.cases[1].status, "failed");
	assert_int_equal(state_of(&plan), FL_PREC_FAILED);
	strcpy(plan.cases[1].status, "pending");
	assert_int_equal(state_of(&plan), FL_PREC_RUNNING);
	fl_plan_free(&plan);
}

static void test_next_round(void **state)
{
	const double v[] = { 100, 110, 90 };
	struct fl_plan plan;
	double est;

	(void)state;
	make_plan(&plan, v, 3, 1);
	assert_int_equal(fl_prec_next_round(&plan, 3, 0, NULL, &est), 1);
	assert_int_equal(plan.n, 4);
	assert_float_equal(est, 1, 0);
	assert_true(plan.cases[3].extra);
	assert_int_equal(plan.cases[3].iteration, 3);
	assert_int_equal(plan.cases[3].round, 3);
	assert_string_equal(plan.cases[3].file, "cases/0003-ebizzy-i3.json");
	assert_string_equal(plan.cases[3].status, "pending");
	/* it is pending: no second one until it is done */
	assert_int_equal(fl_prec_next_round(&plan, 4, 0, NULL, NULL), 0);
	strcpy(plan.cases[3].status, "ok");
	plan.cases[3].value = 100;
	plan.cases[3].elapsed_s = 1;
	snprintf(plan.cases[3].metric, sizeof(plan.cases[3].metric), "records_per_s");
	/* a reserve (another kernel's boot) that leaves no room in the budget */
	plan.max_time_s = 100;
	plan.spent_before_s = 98.5;
	assert_int_equal(fl_prec_next_round(&plan, 4, 1, NULL, NULL), 0);
	assert_int_equal(fl_prec_next_round(&plan, 4, 0, NULL, NULL), 1);
	fl_plan_free(&plan);
}

/* A multi-kernel run: a group that reached its precision goes on while another kernel's same
 * group wants more, not when that one stopped for time or is another group. */
static void test_keep(void **state)
{
	const double tight[] = { 100, 101, 99, 100, 101, 99, 100, 101, 99, 100 };
	const double wide[] = { 100, 140, 60 };
	struct fl_plan a, b;
	const struct fl_plan *others[] = { &b };
	bool keep[1];

	(void)state;
	make_plan(&a, tight, 10, 1);
	make_plan(&b, wide, 3, 1);
	assert_int_equal(state_of(&a), FL_PREC_PRECISION);
	assert_int_equal(state_of(&b), FL_PREC_RUNNING);
	assert_int_equal(fl_prec_next_round(&a, 10, 0, NULL, NULL), 0);
	assert_int_equal(fl_prec_keep(&a, others, 1, keep), 0);
	assert_true(keep[0]);
	assert_int_equal(fl_prec_next_round(&a, 10, 0, keep, NULL), 1);
	assert_int_equal(a.n, 11);
	assert_int_equal(a.cases[10].iteration, 10);
	/* b out of time: a stops with it */
	for (size_t i = 0; i < 3; i++)
		b.cases[i].max_time_s = 3;
	assert_int_equal(state_of(&b), FL_PREC_TIME);
	assert_int_equal(fl_prec_keep(&a, others, 1, keep), 0);
	assert_false(keep[0]);
	/* another group (other params) in b says nothing of a's */
	for (size_t i = 0; i < 3; i++) {
		b.cases[i].max_time_s = 0;
		json_object_set_new(b.cases[i].params, "threads", json_integer(2));
	}
	assert_int_equal(state_of(&b), FL_PREC_RUNNING);
	assert_int_equal(fl_prec_keep(&a, others, 1, keep), 0);
	assert_false(keep[0]);
	fl_plan_free(&a);
	fl_plan_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halfwidth),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_next_round),
		cmocka_unit_test(test_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
