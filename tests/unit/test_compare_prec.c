// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/compare_prec.c: each run's precision (run.json's "precision") on a
 * compare group. A group takes the run's precision group whose suite parameters it has, all
 * equal (1 and 1.0 alike), naming most of them; a run without a target, or without a case of
 * the group, is null; a group no run had a target on has no "precision"; fields of the wrong
 * type or an unknown "stopped" word (run.json is outside input) give null, never a guess; the
 * text line; a pooled baseline (fl_run_absorb) has none.
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
#include "fl_util.h"
#include "fake_run.h"

/* Run label with n (2 or 4) ebizzy cases: 2 of mmap=true, then 2 of mmap=false, each threads=1
 * seconds=1.0, records_per_s 100 + i; its run.json precision prec (taken, may be NULL). */
static void fake_run_n(struct fl_run *r, const char *label, json_t *prec, size_t n)
{
	fake_run_init(r, label, json_object(), n);
	for (size_t i = 0; i < n; i++) {
		struct fl_run_case *c = &r->cases[i];

		fake_case_init(c, "ebizzy", json_pack("{s:i, s:f, s:b}", "threads", 1, "seconds",
			       1.0, "mmap", i < 2), "ok", "", "record", 10);
		c->nitems = 1;
		c->items = calloc(1, sizeof(*c->items));
		c->items[0] = (struct fl_item){ strdup("records_per_s"), strdup("records/s"), NULL,
						FL_ITEM_METRIC, 'h', FL_ITEM_OK, 100.0 + (double)i,
						NULL, 0 };
	}
	r->precision = prec;
}

static void fake_run(struct fl_run *r, const char *label, json_t *prec)
{
	fake_run_n(r, label, prec, 4);
}

/* A precision group as run.json writes it. */
static json_t *pgroup(json_t *params, double target, double hw, int n, const char *stopped)
{
	return json_pack("{s:s, s:o, s:s, s:f, s:f, s:i, s:s}", "workload", "ebizzy", "params",
			 params, "metric", "records_per_s", "target_pct", target,
			 "halfwidth_pct", hw, "n", n, "stopped", stopped);
}

static json_t *prec_of(json_t *groups)
{
	return json_pack("{s:f, s:o}", "level", 0.95, "groups", groups);
}

/* The compare group whose params have mmap == mmap. */
static json_t *group_of(json_t *cmp, bool mmap)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(cmp, "groups"), i, g)
		if (json_is_true(json_object_get(json_object_get(g, "params"), "mmap")) == mmap)
			return g;
	fail_msg("no group with mmap=%d", mmap);
	return NULL;
}

static json_t *build(struct fl_run *runs, size_t n)
{
	struct fl_cmp_opts o;
	struct fl_cmp_floors f;
	char err[FL_ERRLEN];
	json_t *cmp;

	fl_cmp_opts_default(&o, &f);
	cmp = fl_compare_build_floors(runs, n, &o, &f, err, sizeof(err));
	if (!cmp)
		fail_msg("%s", err);
	return cmp;
}

static void test_matching(void **state)
{
	struct fl_run runs[2];
	json_t *cmp, *p;
	char line[512];

	/* A: {threads: 1} for all at ±5%, {threads: 1, seconds: 1, mmap: true} at ±1% */
	fake_run(&runs[0], "A", prec_of(json_pack("[o, o]",
		pgroup(json_pack("{s:i}", "threads", 1), 5, 4.5, 12, "precision"),
		pgroup(json_pack("{s:i, s:i, s:b}", "threads", 1, "seconds", 1, "mmap", 1), 1,
		       2.5, 40, "time"))));
	/* B: only mmap=true cases, a target for threads=1 */
	fake_run_n(&runs[1], "B", prec_of(json_pack("[o]", pgroup(json_pack("{s:i}", "threads", 1),
		   2, 1.5, 10, "precision"))), 2);
	cmp = build(runs, 2);
	p = json_object_get(group_of(cmp, true), "precision");
	assert_int_equal(json_array_size(p), 2);
	/* the one naming most of the case's parameters; seconds 1 is 1.0 */
	assert_float_equal(json_real_value(json_object_get(json_array_get(p, 0), "target_pct")),
			   1, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(p, 0), "n")), 40);
	assert_string_equal(json_string_value(json_object_get(json_array_get(p, 0), "stopped")),
			    "time");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(p, 1), "n")), 10);
	assert_true(fl_cmp_precision_text(cmp, group_of(cmp, true), line, sizeof(line)));
	assert_string_equal(line, "precision of records_per_s (95% CI half-width of the mean): "
			    "A ±2.50% (target ±1%, time spent), B ±1.50% (target ±2%, reached)");
	/* mmap=false: A's second does not match, its first does; B has no such case */
	p = json_object_get(group_of(cmp, false), "precision");
	assert_true(json_is_null(json_array_get(p, 1)));
	assert_float_equal(json_real_value(json_object_get(json_array_get(p, 0), "target_pct")),
			   5, 1e-9);
	assert_true(fl_cmp_precision_text(cmp, group_of(cmp, false), line, sizeof(line)));
	assert_string_equal(line, "precision of records_per_s (95% CI half-width of the mean): "
			    "A ±4.50% (target ±5%, reached), B no target recorded");
	json_decref(cmp);
	fl_run_free(&runs[0]);
	fl_run_free(&runs[1]);
}

/* No target (stopped "planned", target null), or fields of the wrong type: nothing shown. */
static void test_nothing_asked_or_bad(void **state)
{
	json_t *bad[] = {
		prec_of(json_pack("[o]", pgroup(json_pack("{s:i}", "threads", 1), 0, 1, 5,
						"planned"))),
		prec_of(json_pack("[o]", pgroup(json_pack("{s:i}", "threads", 1), 1, 1, 5,
						"$(reboot)"))),
		prec_of(json_pack("[o]", pgroup(json_pack("{s:i}", "threads", 1), 1, 1, -3,
						"time"))),
		prec_of(json_pack("[o]", pgroup(json_pack("{s:i}", "threads", 2), 1, 1, 5,
						"time"))),
		prec_of(json_pack("[{s:s, s:{}, s:s, s:s, s:i, s:s}]", "workload", "ebizzy",
				  "params", "metric", "records_per_s", "target_pct", "1",
				  "n", 5, "stopped", "time")),
		prec_of(json_pack("[{s:s, s:{}, s:i, s:f, s:i, s:s}]", "workload", "ebizzy",
				  "params", "metric", 7, "target_pct", 1.0, "n", 5,
				  "stopped", "time")),
		prec_of(json_string("groups")),
		json_pack("{s:o}", "groups", json_pack("[o]", pgroup(json_pack("{s:i}", "threads",
				  1), 1, 1, 5, "time"))),
	};
	char line[256] = "";

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct fl_run runs[2];
		json_t *cmp;

		fake_run(&runs[0], "A", bad[k]);
		fake_run(&runs[1], "B", NULL);
		if (k == sizeof(bad) / sizeof(bad[0]) - 1) {
			/* the last is good: a pooled baseline drops it */
			struct fl_run pool;

			fake_run(&pool, "P", NULL);
			assert_int_equal(fl_run_absorb(&runs[0], &pool), 0);
			assert_null(runs[0].precision);
			fl_run_free(&pool);
		}
		cmp = build(runs, 2);
		assert_null(json_object_get(group_of(cmp, true), "precision"));
		assert_false(fl_cmp_precision_text(cmp, group_of(cmp, true), line,
						   sizeof(line)));
		json_decref(cmp);
		fl_run_free(&runs[0]);
		fl_run_free(&runs[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_nothing_asked_or_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
