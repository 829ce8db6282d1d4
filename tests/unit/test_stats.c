// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/stats.c against published reference values, and of the comparison
 * document against schema/compare-1.schema.json with common/fl_schema.c.
 *
 * References (R 4.x, datasets::sleep, "extra" by group; the outputs printed in R's own
 * documentation and every R tutorial that uses the data set):
 *   t.test(extra ~ group, data = sleep)      Welch: t = -1.8608, df = 17.776,
 *                                            p-value = 0.07939, 95% CI -3.3654832 0.2054832
 *   wilcox.test(extra ~ group, data = sleep) W = 25.5, p-value = 0.06933 (ties: normal
 *                                            approximation with continuity correction)
 *   ?wilcox.test, Hollander & Wolfe depression data x, y: wilcox.test(x, y, alternative = "g")
 *                                            W = 35, p-value = 0.1272 (exact; two-sided 0.2544)
 *   p.adjust(c(.01,.02,.03,.04,.05), "holm") = .05 .08 .09 .09 .09
 *   p.adjust(c(.04,.001,.5,.03), "BH")       = .05333 .004 .5 .05333
 *   qt(0.995, 4) * sd(1:5) * sqrt(1 + 1/5)    = 7.9745 (99% prediction half-width; qt(0.995, 4)
 *                                            = 4.604095, every t table)
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "compare.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "fake_run.h"
#include "stats.h"

static const double sleep1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
static const double sleep2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

static void test_welch_sleep(void **state)
{
	struct fl_test t;

	/* R reports group 1 - group 2: b = sleep1, a = sleep2 */
	assert_int_equal(fl_welch(sleep2, 10, sleep1, 10, 0.95, &t), 0);
	assert_float_equal(t.stat, -1.8608, 5e-5);
	assert_float_equal(t.df, 17.776, 5e-4);
	assert_float_equal(t.p, 0.07939, 5e-6);
	assert_float_equal(t.ci_low, -3.3654832, 5e-8);
	assert_float_equal(t.ci_high, 0.2054832, 5e-8);
	assert_float_equal(t.diff, 0.75 - 2.33, 1e-12);
}

static void test_welch_edges(void **state)
{
	const double a[] = { 1, 1, 1 }, b[] = { 2, 2, 2 };
	struct fl_test t;

	assert_int_equal(fl_welch(a, 1, b, 3, 0.95, &t), -1);	/* too few samples */
	assert_int_equal(fl_welch(a, 3, a, 3, 0.95, &t), 0);
	assert_float_equal(t.p, 1, 0);
	assert_int_equal(fl_welch(a, 3, b, 3, 0.95, &t), 0);
	assert_float_equal(t.p, 0, 0);
	assert_float_equal(t.ci_low, 1, 0);
}

static void test_mwu(void **state)
{
	const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct fl_test t;

	assert_int_equal(fl_mwu(sleep2, 10, sleep1, 10, 0.95, &t), 0);
	assert_float_equal(t.stat, 25.5, 0);
	assert_false(t.exact);
	assert_float_equal(t.p, 0.06933, 5e-6);
	/* R 4.2: wilcox.test(sleep1, sleep2, conf.int = TRUE) (ties, normal): CI -3.59995
	 * 0.09995, estimate -1.34639 (R solves for the root; the median of differences is -1.35) */
	assert_true(t.ci_hl);
	assert_float_equal(t.ci_low, -3.59995, 1e-3);
	assert_float_equal(t.ci_high, 0.09995, 1e-3);
	assert_float_equal(t.estimate, -1.35, 1e-9);
	assert_int_equal(fl_mwu(y, 5, x, 10, 0.95, &t), 0);	/* U of x = R's W */
	assert_float_equal(t.stat, 35, 0);
	assert_true(t.exact);
	assert_float_equal(t.p, 2 * 0.1272, 1e-4);
	/* R 4.2: wilcox.test(x, y, conf.int = TRUE) (exact): CI -0.15 0.76, estimate 0.305 */
	assert_float_equal(t.ci_low, -0.15, 1e-9);
	assert_float_equal(t.ci_high, 0.76, 1e-9);
	assert_float_equal(t.estimate, 0.305, 1e-9);
	/* Welch: the CI is of the difference of means, and the estimate is that difference. */
	assert_int_equal(fl_welch(y, 5, x, 10, 0.95, &t), 0);
	assert_false(t.ci_hl);
	assert_float_equal(t.estimate, t.diff, 0);
}

static void test_p_adjust(void **state)
{
	const double p[] = { 0.01, 0.02, 0.03, 0.04, 0.05 }, holm[] = { .05, .08, .09, .09, .09 };
	const double q[] = { 0.04, 0.001, 0.5, 0.03, NAN };
	const double bh[] = { 0.04 * 4 / 3, 0.004, 0.5, 0.04 * 4 / 3 };
	double adj[5];

	assert_int_equal(fl_p_adjust(p, 5, FL_CORR_HOLM, adj), 0);
	for (int i = 0; i < 5; i++)
		assert_float_equal(adj[i], holm[i], 1e-12);
	assert_int_equal(fl_p_adjust(q, 5, FL_CORR_BH, adj), 0);
	for (int i = 0; i < 4; i++)
		assert_float_equal(adj[i], bh[i], 1e-12);
	assert_true(isnan(adj[4]));
}

/* Weighted: equal weights give the unweighted values; a p-value with half the weight is
 * multiplied by 2 (not 3) at the first Holm step. Hand-worked: p {.018 .176 .01}, w {2 1 1}
 * (shares .5 .25 .25): Holm by p / share: .036, then .01 * .5 / .25 = .02 -> .036, then
 * .176; BH on p / (share * 3) {.012 .2347 .0133}: .0133 * 3 / 2 = .02, .012 * 3 -> .02. */
static void test_p_adjust_weighted(void **state)
{
	const double p[] = { 0.01, 0.02, 0.03, 0.04, 0.05 }, eq[] = { 3, 3, 3, 3, 3 };
	const double r[] = { 0.018, 0.176, 0.01, NAN }, w[] = { 2, 1, 1, 7 };
	const double holm[] = { 0.036, 0.176, 0.036 }, bh[] = { 0.02, 0.176 / 0.75, 0.02 };
	double adj[5], ref[5];

	for (int c = FL_CORR_HOLM; c <= FL_CORR_BH; c++) {
		assert_int_equal(fl_p_adjust(p, 5, c, ref), 0);
		assert_int_equal(fl_p_adjust_weighted(p, eq, 5, c, adj), 0);
		for (int i = 0; i < 5; i++)
			assert_float_equal(adj[i], ref[i], 1e-12);
	}
	assert_int_equal(fl_p_adjust_weighted(r, w, 4, FL_CORR_HOLM, adj), 0);
	for (int i = 0; i < 3; i++)
		assert_float_equal(adj[i], holm[i], 1e-12);
	assert_true(isnan(adj[3]));
	assert_int_equal(fl_p_adjust_weighted(r, w, 4, FL_CORR_BH, adj), 0);
	for (int i = 0; i < 3; i++)
		assert_float_equal(adj[i], bh[i], 1e-12);
	assert_int_equal(fl_p_adjust_weighted(r, w, 4, FL_CORR_NONE, adj), 0);
	assert_float_equal(adj[0], 0.018, 0);
}

static void test_describe(void **state)
{
	const double r[] = { 10, 20, 40 };
	struct fl_desc d;

	fl_describe(r, 3, &d);
	assert_float_equal(d.mean, 70.0 / 3, 1e-12);
	assert_float_equal(d.hmean, 3 / (0.1 + 0.05 + 0.025), 1e-12);
	assert_float_equal(d.min, 10, 0);
	fl_describe(r, 1, &d);
	assert_true(isnan(d.sd));
}

/* A run of n cases of one workload; records_per_s = base * (1 + i/100). */
static void fake_run(struct fl_run *r, const char *label, size_t n, double base)
{
	fake_run_init(r, label, json_object(), n);
	for (size_t i = 0; i < n; i++) {
		struct fl_run_case *c = &r->cases[i];

		fake_case_init(c, "ebizzy", json_pack("{s:i}", "threads", 1),
			       i == n - 1 ? "failed" : "ok", i == n - 1 ? "verification failed" : "",
			       "record", 1000);
		c->nitems = 2;
		c->items = calloc(2, sizeof(*c->items));
		c->items[0] = (struct fl_item){ strdup("records_per_s"), strdup("records/s"), NULL,
						FL_ITEM_METRIC, 'h', FL_ITEM_OK,
						base * (1 + (double)i / 100), NULL, 0 };
		c->items[1] = (struct fl_item){ strdup("cycles"), NULL, strdup("no PMU"),
						FL_ITEM_COUNTER, 'n', FL_ITEM_UNSUPPORTED, 0, NULL,
						0 };
	}
}

static void test_compare_document(void **state)
{
	char path[PATH_MAX], err[FL_ERRLEN];
	const char *top = getenv("FL_TOP") ?: ".";
	struct fl_cmp_opts o = { FL_TEST_WELCH, FL_CORR_HOLM, 0.05, 0.95 };
	struct fl_run runs[2];
	struct fl_schema *s;
	json_t *cmp, *m, *c;
	FILE *f;
	long len;
	char *text;

	snprintf(path, sizeof(path), "%s/schema/compare-1.schema.json", top);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s (set FL_TOP to the source tree)", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	s = fl_schema_load(text, err, sizeof(err));
	if (!s)
		fail_msg("%s", err);
	fake_run(&runs[0], "A", 6, 1000);
	fake_run(&runs[1], "B", 6, 800);
	cmp = fl_compare_build(runs, 2, &o, err, sizeof(err));
	assert_non_null(cmp);
	if (fl_schema_validate(s, NULL, cmp, err, sizeof(err)))
		fail_msg("compare document invalid: %s", err);
	m = json_array_get(json_object_get(json_array_get(json_object_get(cmp, "groups"), 0),
					   "metrics"), 0);
	c = json_array_get(json_object_get(m, "comparisons"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "worse");
	assert_float_equal(fl_cmp_num(json_object_get(c, "delta_pct")), -20, 1e-9);
	/* the failed case is a problem, not a sample: n = 5 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(m,
			 "runs"), 0), "n")), 5);
	assert_int_equal(json_array_size(json_object_get(cmp, "problems")), 2);
	m = json_array_get(json_object_get(json_array_get(json_object_get(cmp, "groups"), 0),
					   "metrics"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(m,
			    "runs"), 0), "status")), "unsupported");
	json_decref(cmp);
	fl_run_free(&runs[0]);
	fl_run_free(&runs[1]);
	fl_schema_free(s);
	free(text);
}

static void test_prediction(void **state)
{
	static const double x[] = { 1, 2, 3, 4, 5 }, same[] = { 2, 2, 2 };

	(void)state;
	assert_float_equal(fl_prediction_halfwidth(x, 5, 0.99), 7.974, 1e-3);
	assert_true(isnan(fl_prediction_halfwidth(x, 1, 0.99)));
	assert_float_equal(fl_prediction_halfwidth(same, 3, 0.99), 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch_sleep),
		cmocka_unit_test(test_welch_edges),
		cmocka_unit_test(test_mwu),
		cmocka_unit_test(test_p_adjust),
		cmocka_unit_test(test_p_adjust_weighted),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_prediction),
		cmocka_unit_test(test_compare_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
