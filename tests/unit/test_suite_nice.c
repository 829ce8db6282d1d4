// SPDX-License-Identifier: GPL-2.0
/*
 * The suite's "nice" (suite level and case level, the case's over the suite's) reaches the
 * agent's argv as --nice=N, only when set; run --nice (fl_plan_set_nice) sets every case and
 * the cases adaptive precision adds; 25, 1.5 and "x" are refused with one sentence naming the
 * file and the field. The agent check runs /bin/true (it accepts every case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_util.h"
#include "agent_exec.h"
#include "plan.h"
#include "target.h"

struct fx {
	char dir[64];
	char path[128];
	struct fl_plan plan;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/faultline-suite-nice-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/s.json", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fl_plan_free(&f->plan);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int load(struct fx *f, const char *text, char *err)
{
	FILE *out = fopen(f->path, "w");

	assert_non_null(out);
	fputs(text, out);
	fclose(out);
	fl_plan_free(&f->plan);
	return fl_suite_load(f->path, "/bin/true", &f->plan, err, FL_ERRLEN);
}

/* Whether the agent's argv for case i holds ARG (NULL: holds no --nice at all). */
static bool argv_has(const struct fl_plan *plan, size_t i, const char *arg)
{
	char *argv[FL_MAX_ARGS];
	bool found = false;
	int n = fl_case_argv(&plan->cases[i], "rid", "s", "/bin/true", "/tmp/c.json", "local",
			     argv);

	for (int k = 0; k < n; k++)
		found |= arg ? !strcmp(argv[k], arg) : !strncmp(argv[k], "--nice", 6);
	fl_argv_free(argv);
	return found;
}

static void test_suite_and_case_nice(void **state)
{
	struct fx *f = *state;
	char err[FL_ERRLEN] = "";

	assert_int_equal(load(f, "{\"name\": \"s\", \"iterations\": 1, \"nice\": -5, \"cases\": ["
			      "{\"workload\": \"ebizzy\", \"params\": {\"threads\": 1}},"
			      "{\"workload\": \"ebizzy\", \"params\": {\"threads\": 2}, \"nice\": 3}"
			      "]}", err), 0);
	assert_int_equal(f->plan.n, 2);
	assert_true(f->plan.nice_set);
	assert_int_equal(f->plan.nice, -5);
	assert_false(f->plan.nice_override);
	assert_true(argv_has(&f->plan, 0, "--nice=-5"));
	assert_true(argv_has(&f->plan, 1, "--nice=3"));	/* the case's over the suite's */
}

static void test_no_nice_no_option(void **state)
{
	struct fx *f = *state;
	char err[FL_ERRLEN] = "";

	assert_int_equal(load(f, "{\"name\": \"s\", \"iterations\": 1, \"cases\": ["
			      "{\"workload\": \"ebizzy\"}]}", err), 0);
	assert_false(f->plan.nice_set);
	assert_false(f->plan.cases[0].nice_set);
	assert_false(argv_has(&f->plan, 0, NULL));
}

static void test_case_only_and_zero(void **state)
{
	struct fx *f = *state;
	char err[FL_ERRLEN] = "";

	/* nice 0 given is passed (it is set, not the default) */
	assert_int_equal(load(f, "{\"name\": \"s\", \"iterations\": 1, \"cases\": ["
			      "{\"workload\": \"ebizzy\", \"nice\": 0},"
			      "{\"workload\": \"ebizzy\", \"params\": {\"threads\": 2}}]}", err), 0);
	assert_false(f->plan.nice_set);
	assert_true(argv_has(&f->plan, 0, "--nice=0"));
	assert_false(argv_has(&f->plan, 1, NULL));
}

static void test_run_nice_over_suite(void **state)
{
	struct fx *f = *state;
	char err[FL_ERRLEN] = "";

	assert_int_equal(load(f, "{\"name\": \"s\", \"iterations\": 1, \"nice\": 10, \"cases\": ["
			      "{\"workload\": \"ebizzy\", \"nice\": 5},"
			      "{\"workload\": \"ebizzy\", \"params\": {\"threads\": 2}}]}", err), 0);
	fl_plan_set_nice(&f->plan, -20);
	assert_true(f->plan.nice_override);
	assert_int_equal(f->plan.nice, -20);
	assert_true(argv_has(&f->plan, 0, "--nice=-20"));
	assert_true(argv_has(&f->plan, 1, "--nice=-20"));
	/* an iteration adaptive precision adds keeps it */
	assert_int_equal(fl_plan_add(&f->plan, 0, 1, 1), 0);
	assert_int_equal(f->plan.n, 3);
	assert_true(argv_has(&f->plan, 2, "--nice=-20"));
}

static void test_bad_values(void **state)
{
	static const char *const bad[] = { "25", "-21", "1.5", "\"x\"", "true", "null" };
	struct fx *f = *state;
	char err[FL_ERRLEN], text[256], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		snprintf(text, sizeof(text), "{\"name\": \"s\", \"nice\": %s, \"cases\": "
			 "[{\"workload\": \"ebizzy\"}]}", bad[i]);
		assert_int_equal(load(f, text, err), -1);
		snprintf(want, sizeof(want), "%s: the suite.nice must be a whole number from -20 "
			 "to 19", f->path);
		if (strcmp(err, want))
			fail_msg("suite \"nice\": %s: got '%s', want '%s'", bad[i], err, want);
		snprintf(text, sizeof(text), "{\"name\": \"s\", \"cases\": [{\"workload\": "
			 "\"ebizzy\", \"nice\": %s}]}", bad[i]);
		assert_int_equal(load(f, text, err), -1);
		snprintf(want, sizeof(want), "%s: cases[0].nice must be a whole number from -20 "
			 "to 19", f->path);
		if (strcmp(err, want))
			fail_msg("case \"nice\": %s: got '%s', want '%s'", bad[i], err, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_suite_and_case_nice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_nice_no_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_only_and_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_nice_over_suite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
