// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of compare --table (analysis/table.c, table_emit.c), --metrics (fl_cmp_filter)
 * and the compare document's reviewer fields (run names, delta_better_pct, direction) on two
 * fake kernbench runs made to give seed 001's table row: Elapsed Time 56.52 (BASE) ->
 * 56.256 (SPF) is +0.47% in the thread (positive = better for a lower-is-better row).
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
#include "compare.h"
#include "fl_util.h"
#include "table.h"
#include "fake_run.h"

struct fake_item {
	const char *name;
	char better;
	double base, cand;	/* means; iterations spread by +-1% around them */
};

static const struct fake_item items[] = {
	{ "elapsed_s", 'l', 56.52, 56.256 },
	{ "user_s", 'l', 980.018, 984.958 },
	{ "sys_s", 'l', 130.744, 133.616 },
	{ "cpu_percent", 'h', 1965.6, 1988.4 },
	{ "context_switches", 'l', 29926.6, 30472.4 },
	{ "sleeps", 'l', 124793, 125003 },	/* the candidate does not report it */
};

#define NITEMS (sizeof(items) / sizeof(items[0]))
#define NITER 5

/* A run of NITER kernbench jobs=half cases (resolved -j1) with the items above and one
 * counter; the candidate's cases lack "sleeps". */
static void fake_run(struct fl_run *r, const char *label, const char *candidate, bool cand)
{
	fake_run_init(r, label, json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:i}}", "kernel", "release",
					  "5.1.0-rc4", "candidate", candidate, "target", "kind",
					  "local", "arch", "x86_64", "cpus", 48), NITER);
	for (size_t i = 0; i < NITER; i++) {
		struct fl_run_case *c = &r->cases[i];
		size_t n = 0;

		fake_case_init(c, "kernbench", json_pack("{s:s}", "jobs", "half"), "ok", "", "build", 1);
		c->resolved = json_pack("{s:s}", "jobs", "-j24");
		c->items = calloc(NITEMS + 1, sizeof(*c->items));
		for (size_t k = 0; k < NITEMS; k++) {
			double mean = cand ? items[k].cand : items[k].base;

			if (cand && !strcmp(items[k].name, "sleeps"))
				continue;
			c->items[n++] = (struct fl_item){ strdup(items[k].name), strdup("s"), NULL,
				FL_ITEM_METRIC, items[k].better, FL_ITEM_OK,
				mean * (1 + ((double)i - 2) / 100), NULL, 0 };
		}
		c->items[n++] = (struct fl_item){ strdup("page-faults"), strdup("count"), NULL,
			FL_ITEM_COUNTER, 'n', FL_ITEM_OK, 1000 + i, NULL, 0 };
		c->nitems = n;
	}
}

struct fixture {
	struct fl_run runs[2];
	json_t *cmp;
};

static int setup(void **state)
{
	struct fl_cmp_opts o = { FL_TEST_WELCH, FL_CORR_HOLM, 0.05, 0.95 };
	struct fixture *f = calloc(1, sizeof(*f));
	char err[FL_ERRLEN];

	fake_run(&f->runs[0], "A", "base", false);
	fake_run(&f->runs[1], "B", "spf", true);
	f->cmp = fl_compare_build(f->runs, 2, &o, err, sizeof(err));
	if (!f->cmp)
		fail_msg("%s", err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	json_decref(f->cmp);
	fl_run_free(&f->runs[0]);
	fl_run_free(&f->runs[1]);
	free(f);
	return 0;
}

static json_t *metric(json_t *cmp, const char *name)
{
	json_t *g = json_array_get(json_object_get(cmp, "groups"), 0), *m;
	size_t i;

	json_array_foreach(json_object_get(g, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")), name))
			return m;
	return NULL;
}

/* Seed 001's sign: a lower-is-better row that went down is positive; the direction word is
 * "~" when not significant; runs are named by their candidates. */
static void test_document_fields(void **state)
{
	struct fixture *f = *state;
	json_t *m = metric(f->cmp, "elapsed_s"), *c;

	assert_non_null(m);
	c = json_array_get(json_object_get(m, "comparisons"), 0);
	assert_float_equal(fl_cmp_num(json_object_get(c, "delta_better_pct")),
			   100 * (56.52 - 56.256) / 56.52, 1e-9);
	assert_float_equal(fl_cmp_num(json_object_get(c, "delta_pct")),
			   -100 * (56.52 - 56.256) / 56.52, 1e-9);
	assert_string_equal(json_string_value(json_object_get(c, "direction")), "~");
	c = json_array_get(json_object_get(metric(f->cmp, "cpu_percent"), "comparisons"), 0);
	assert_true(fl_cmp_num(json_object_get(c, "delta_better_pct")) > 0);
	c = json_array_get(json_object_get(metric(f->cmp, "sleeps"), "comparisons"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "direction")), "n/a");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(f->cmp, "runs"), 1), "name")), "spf");
	c = json_object_get(json_array_get(json_object_get(f->cmp, "groups"), 0), "resolved");
	assert_string_equal(json_string_value(json_object_get(c, "jobs")), "-j24");
}

/* Two runs of one kernel are told apart (no run id here: by their label). */
static void test_same_kernel_names(void **state)
{
	struct fl_cmp_opts o = { FL_TEST_WELCH, FL_CORR_HOLM, 0.05, 0.95 };
	struct fl_run runs[2];
	char err[FL_ERRLEN];
	json_t *cmp, *r;

	(void)state;
	fake_run(&runs[0], "A", "spf", false);
	fake_run(&runs[1], "B", "spf", true);
	cmp = fl_compare_build(runs, 2, &o, err, sizeof(err));
	assert_non_null(cmp);
	r = json_object_get(cmp, "runs");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "name")),
			    "spf A");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "name")),
			    "spf B");
	json_decref(cmp);
	fl_run_free(&runs[0]);
	fl_run_free(&runs[1]);
}

static char *render(json_t *cmp, const char *table, const char *format, const char *metrics,
		    int *ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	*ret = fl_table_render(cmp, fl_table_find(table), format, metrics, out, err, errlen);
	fclose(out);
	return buf;
}

static bool fits(const char *text, size_t width)
{
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		if (n > width)
			return false;
		p += n + (p[n] == '\n');
	}
	return true;
}

static void test_kernbench_table(void **state)
{
	struct fixture *f = *state;
	char err[FL_ERRLEN] = "";
	int ret;
	char *t = render(f->cmp, "kernbench", "text", NULL, &ret, err, sizeof(err));

	assert_int_equal(ret, 0);
	assert_non_null(strstr(t, "Average half load -j24 Run (std deviation)"));
	assert_non_null(strstr(t, "(base - candidate) / base on every row"));
	assert_non_null(strstr(t, "base"));
	assert_non_null(strstr(t, "spf"));
	assert_null(strstr(t, " A "));
	/* the seed's row, its sign and direction; Sleeps is n/a with its reason, never 0 */
	assert_non_null(strstr(t, "Elapsed Time"));
	assert_non_null(strstr(t, "+0.47%"));
	assert_non_null(strstr(t, "-0.50%"));	/* User Time 980.018 -> 984.958 */
	assert_non_null(strstr(t, "-1.16%"));	/* Percent CPU 1965.6 -> 1988.4, as the thread */
	assert_non_null(strstr(t, "n/a: sleeps, spf: not reported by that run"));
	assert_true(fits(t, 80));
	free(t);
}

static void test_table_formats(void **state)
{
	struct fixture *f = *state;
	char err[FL_ERRLEN] = "", *t, *p;
	int ret, bars = -1, rows = 0;

	t = render(f->cmp, "kernbench", "md", NULL, &ret, err, sizeof(err));
	assert_int_equal(ret, 0);
	for (p = strtok(t, "\n"); p; p = strtok(NULL, "\n")) {
		int n = 0;

		if (*p != '|')
			continue;
		for (char *q = p; *q; q++)
			n += *q == '|';
		if (bars < 0)
			bars = n;
		assert_int_equal(n, bars);
		rows++;
	}
	assert_int_equal(rows, 2 + 1 + 6);	/* head, rule, block, 6 metrics */
	free(t);
	t = render(f->cmp, "kernbench", "csv", NULL, &ret, err, sizeof(err));
	assert_int_equal(ret, 0);
	rows = 0;
	for (p = t; (p = strchr(p, '\n')); p++)
		rows++;
	assert_int_equal(rows, 1 + 6 * 2);	/* header, 6 metrics x 2 runs */
	assert_non_null(strstr(t, ",elapsed_s,s,lower,ok,,5,56.52,"));
	assert_non_null(strstr(t, ",sleeps,s,lower,missing,"));
	free(t);
}

static void test_table_errors(void **state)
{
	struct fixture *f = *state;
	char err[FL_ERRLEN] = "", *t;
	int ret;

	t = render(f->cmp, "ebizzy", "text", NULL, &ret, err, sizeof(err));
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "--table ebizzy: these runs have no measured ebizzy case"));
	assert_string_equal(t, "");
	free(t);
	t = render(f->cmp, "kernbench", "text", "records_per_s", &ret, err, sizeof(err));
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "none of the table's metrics matches"));
	free(t);
	t = render(f->cmp, "kernbench", "text", "elapsed_s,sys*", &ret, err, sizeof(err));
	assert_int_equal(ret, 0);
	assert_non_null(strstr(t, "Elapsed Time"));
	assert_non_null(strstr(t, "System Time"));
	assert_null(strstr(t, "User Time"));
	free(t);
	assert_null(fl_table_find("nosuch"));
}

/* --metrics keeps matching rows in the document every format renders; text folds counters */
static void test_metrics_filter(void **state)
{
	struct fixture *f = *state;
	json_t *c = json_deep_copy(f->cmp), *g;
	char err[FL_ERRLEN] = "", *buf = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&buf, &len);
	fl_render_text(f->cmp, out);
	fclose(out);
	assert_non_null(strstr(buf, "--counters: +2 counters"));	/* and its per-build row */
	assert_null(strstr(buf, "\npage-faults "));
	assert_true(fits(buf, 80));
	free(buf);
	assert_int_equal(fl_cmp_filter(c, "elapsed_s,page-faults*", err, sizeof(err)), 0);
	g = json_array_get(json_object_get(c, "groups"), 0);
	assert_int_equal(json_array_size(json_object_get(g, "metrics")), 3);
	assert_non_null(json_object_get(c, "metrics_filter"));
	out = open_memstream(&buf, &len);
	fl_render_text(c, out);
	fclose(out);
	assert_non_null(strstr(buf, "\npage-faults "));	/* asked for: not folded */
	assert_null(strstr(buf, "\nuser_s "));
	free(buf);
	json_decref(c);
	c = json_deep_copy(f->cmp);
	assert_int_equal(fl_cmp_filter(c, "nosuch*", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--metrics nosuch*: no metric or counter of these runs matches"));
	assert_int_equal(fl_cmp_filter(c, "a,,b", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected comma-separated metric names or globs"));
	json_decref(c);
}

/* fl_table_names() is made from the layouts: each name it lists is found, in their order. */
static void test_table_names(void **state)
{
	static const char *const names[] = { "ebizzy", "kernbench", "percore", "munmap",
					     "collapse" };

	(void)state;
	assert_string_equal(fl_table_names(), "ebizzy, kernbench, percore, munmap or collapse");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(fl_table_find(names[i])->name, names[i]);
	assert_null(fl_table_find("nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_document_fields, setup, teardown),
		cmocka_unit_test(test_same_kernel_names),
		cmocka_unit_test(test_table_names),
		cmocka_unit_test_setup_teardown(test_kernbench_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_filter, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
