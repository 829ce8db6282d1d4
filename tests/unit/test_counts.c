// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/counts.c: which units are counts, the floors, the one rule that
 * decides a difference (fl_decide), and the family split in the comparison document: a count
 * metric is corrected in its own family, one more IPI per op is "worse" although a timing
 * metric beside it is noisy, a few events on a large count are not, and a significant timing
 * change below the minimum effect is "no change".
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
#include <cmocka.h>
#include "compare.h"
#include "counts.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "fake_run.h"

static void test_unit_is_count(void **state)
{
	static const char *const counts[] = {
		"IPIs/op", "IPIs/GiB", "IPIs", "faults/page", "faults/record", "flushes/op",
		"flushes", "flushes/GiB", "count", "collapses", "pages", "tables", "per pmd",
		"Faults / Page", "events", "fallbacks/fault", "calls",
	};
	static const char *const others[] = {
		"records/s", "faults/s", "ms", "ms/GiB", "s", "%", "us", "calls/s", "ops/s", "CPUs",
		"processes", "", "per s", "IPIs/s", "bytes",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!fl_unit_is_count(counts[i]))
			fail_msg("%s should be a count", counts[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (fl_unit_is_count(others[i]))
			fail_msg("%s should not be a count", others[i]);
	assert_false(fl_unit_is_count(NULL));
	assert_int_equal(fl_family_of(true, "IPIs"), FL_FAM_COUNTS);
	assert_int_equal(fl_family_of(true, "ms"), FL_FAM_METRICS);
	assert_int_equal(fl_family_of(false, "count"), FL_FAM_COUNTERS);
	assert_string_equal(fl_family_name(FL_FAM_COUNTS), "counts");
}

static void test_floors_and_rule(void **state)
{
	struct fl_floor f;
	bool beyond;

	(void)state;
	/* a count of 2 IPIs per munmap: 0.5 event; one more is worse */
	fl_floor_of(true, 2, 2, NAN, 0, &f);
	assert_float_equal(f.abs, 0.5, 0);
	assert_string_equal(f.source, "count");
	assert_string_equal(fl_decide(true, 1, 'l', &f, &beyond), "worse");
	assert_true(beyond);
	assert_string_equal(fl_decide(true, 0.4, 'l', &f, &beyond), "no change");
	assert_false(beyond);
	assert_string_equal(fl_decide(false, 1, 'l', &f, &beyond), "no change");
	assert_true(beyond);
	/* a large count: 1% of 262144 faults; 3 more faults are nothing */
	fl_floor_of(true, 262144, 2, NAN, 0.5, &f);
	assert_float_equal(f.abs, 2621.44, 1e-9);
	assert_string_equal(fl_decide(true, 3, 'n', &f, &beyond), "no change");
	assert_string_equal(fl_decide(true, 3000, 'n', &f, &beyond), "changed");
	/* timing: the minimum effect, then a larger noise floor that must be exceeded */
	fl_floor_of(false, 1000, 2, NAN, NAN, &f);
	assert_float_equal(f.abs, 20, 1e-9);
	assert_string_equal(f.source, "min effect");
	assert_string_equal(fl_decide(true, -20, 'h', &f, &beyond), "worse");
	assert_string_equal(fl_decide(true, 25, 'h', &f, &beyond), "better");
	fl_floor_of(false, 1000, 2, 6.5, NAN, &f);
	assert_float_equal(f.abs, 65, 1e-9);
	assert_float_equal(f.pct, 6.5, 1e-9);
	assert_string_equal(f.source, "noise");
	assert_string_equal(fl_decide(true, -65, 'h', &f, &beyond), "no change");
	assert_string_equal(fl_decide(true, -66, 'h', &f, &beyond), "worse");
	/* a count: no history noise floor (a wide 99% interval from a few runs' means would
	 * hide one event), but more than the spread of its iterations */
	fl_floor_of(true, 2, 2, 60, 0.1, &f);
	assert_float_equal(f.abs, 0.5, 0);
	assert_string_equal(f.source, "count");
	fl_floor_of(true, 2, 2, NAN, 0.8, &f);
	assert_float_equal(f.abs, 0.8, 0);
	assert_string_equal(f.source, "spread");
	assert_string_equal(fl_decide(true, 0.8, 'l', &f, &beyond), "no change");
	assert_string_equal(fl_decide(true, 0.81, 'l', &f, &beyond), "worse");
	/* a base of 0: the count floor in events, no percentage */
	fl_floor_of(true, 0, 2, NAN, NAN, &f);
	assert_float_equal(f.abs, 0.5, 0);
	assert_true(isnan(f.pct));
	assert_string_equal(fl_decide(true, NAN, 'l', &f, &beyond), "no change");
}

/* One item of a case. */
static struct fl_item item(const char *name, const char *unit, char better, double v)
{
	return (struct fl_item){ strdup(name), strdup(unit), NULL, FL_ITEM_METRIC, better,
				 FL_ITEM_OK, v, NULL, 0 };
}

/* A run of 6 iterations of thp-munmap: op_ms noisy (base ms * 1, 1.3, 0.8, 1.1, 0.7, 1.2),
 * function_call_ipis = ipis every time, faults = faults + i % 2. */
static void fake_run(struct fl_run *r, const char *label, double ms, double ipis,
		     double faults)
{
	static const double noise[] = { 1, 1.3, 0.8, 1.1, 0.7, 1.2 };
	size_t n = 6;

	fake_run_init(r, label, json_object(), n);
	for (size_t i = 0; i < n; i++) {
		struct fl_run_case *c = &r->cases[i];

		fake_case_init(c, "thp-munmap", json_pack("{s:s}", "size", "4M"), "ok", "", "pmd", 2);
		c->nitems = 3;
		c->items = calloc(3, sizeof(*c->items));
		c->items[0] = item("op_ms", "ms", 'l', ms * noise[i]);
		c->items[1] = item("function_call_ipis", "IPIs", 'l', ipis);
		c->items[2] = item("faults", "faults", 'n', faults + (double)(i % 2));
	}
}

static json_t *metric_of(json_t *cmp, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(json_array_get(json_object_get(cmp, "groups"), 0),
					   "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")), name))
			return m;
	fail_msg("no metric %s", name);
	return NULL;
}

static const char *verdict_of(json_t *cmp, const char *name)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(
		metric_of(cmp, name), "comparisons"), 0), "verdict"));
}

static struct fl_schema *schema(void)
{
	char path[PATH_MAX], err[FL_ERRLEN];
	const char *top = getenv("FL_TOP") ?: ".";
	struct fl_schema *s;
	char *text;
	FILE *f;
	long len;

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
	free(text);
	if (!s)
		fail_msg("%s", err);
	return s;
}

static void test_family_split(void **state)
{
	struct fl_cmp_opts o;
	struct fl_cmp_floors fl;
	struct fl_run runs[2];
	struct fl_schema *s = schema();
	char err[FL_ERRLEN];
	json_t *cmp, *m, *c;

	(void)state;
	fl_cmp_opts_default(&o, &fl);
	/* B: the same noisy timing 5% slower, one more IPI per munmap, 3 more faults of
	 * 262144 */
	fake_run(&runs[0], "A", 10, 2, 262144);
	fake_run(&runs[1], "B", 10.5, 3, 262147);
	cmp = fl_compare_build_floors(runs, 2, &o, &fl, err, sizeof(err));
	assert_non_null(cmp);
	if (fl_schema_validate(s, NULL, cmp, err, sizeof(err)))
		fail_msg("compare document invalid: %s", err);
	assert_int_equal(json_integer_value(json_object_get(cmp, "family_metrics")), 1);
	assert_int_equal(json_integer_value(json_object_get(cmp, "family_counts")), 2);
	assert_string_equal(json_string_value(json_object_get(metric_of(cmp, "op_ms"),
							      "family")), "metrics");
	m = metric_of(cmp, "function_call_ipis");
	assert_string_equal(json_string_value(json_object_get(m, "family")), "counts");
	assert_string_equal(verdict_of(cmp, "function_call_ipis"), "worse");
	c = json_array_get(json_object_get(m, "comparisons"), 0);
	assert_float_equal(fl_cmp_num(json_object_get(c, "delta")), 1, 1e-12);
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "floor"),
							      "source")), "count");
	assert_string_equal(verdict_of(cmp, "op_ms"), "no change");
	/* the faults moved by 3 in every iteration: significant, but below the count floor */
	c = json_array_get(json_object_get(metric_of(cmp, "faults"), "comparisons"), 0);
	assert_true(json_is_true(json_object_get(c, "significant")));
	assert_false(json_is_true(json_object_get(c, "beyond_floor")));
	assert_string_equal(verdict_of(cmp, "faults"), "no change");
	json_decref(cmp);
	fl_run_free(&runs[1]);

	/* the same IPI count: no change; a 2x slower timing: worse (Welch, small samples) */
	fake_run(&runs[1], "B", 20, 2, 262144);
	cmp = fl_compare_build_floors(runs, 2, &o, &fl, err, sizeof(err));
	assert_string_equal(verdict_of(cmp, "function_call_ipis"), "no change");
	assert_string_equal(verdict_of(cmp, "op_ms"), "worse");
	c = json_array_get(json_object_get(metric_of(cmp, "op_ms"), "comparisons"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "test")), "welch");
	assert_string_equal(json_string_value(json_object_get(c, "ci")), "Welch-Satterthwaite");
	/* outliers are counted, not dropped: n stays 6 */
	m = json_array_get(json_object_get(metric_of(cmp, "op_ms"), "runs"), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 6);
	assert_non_null(json_object_get(json_object_get(m, "outliers"), "indices"));
	json_decref(cmp);

	/* a significant timing change (+97%) below a minimum effect of 150% is no change */
	fl.min_effect_pct = 150;
	cmp = fl_compare_build_floors(runs, 2, &o, &fl, err, sizeof(err));
	assert_string_equal(verdict_of(cmp, "op_ms"), "no change");
	c = json_array_get(json_object_get(metric_of(cmp, "op_ms"), "comparisons"), 0);
	assert_true(json_is_true(json_object_get(c, "significant")));
	json_decref(cmp);

	/* --test bootstrap: the CI is the bootstrap's */
	o.test = FL_TEST_BOOTSTRAP;
	fl.min_effect_pct = 1;
	cmp = fl_compare_build_floors(runs, 2, &o, &fl, err, sizeof(err));
	if (fl_schema_validate(s, NULL, cmp, err, sizeof(err)))
		fail_msg("compare document invalid: %s", err);
	c = json_array_get(json_object_get(metric_of(cmp, "op_ms"), "comparisons"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "ci")), "bootstrap percentile");
	assert_int_equal(json_integer_value(json_object_get(c, "resamples")), 10000);
	assert_string_equal(json_string_value(json_object_get(cmp, "ci")), "bootstrap percentile");
	json_decref(cmp);
	fl_run_free(&runs[0]);
	fl_run_free(&runs[1]);
	fl_schema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_is_count),
		cmocka_unit_test(test_floors_and_rule),
		cmocka_unit_test(test_family_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
