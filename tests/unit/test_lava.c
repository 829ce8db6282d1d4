// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA jobs and logs from untrusted strings: render refuses a plan without cases and writes
 * every scalar as an ASCII-only YAML double-quoted scalar (control characters, DEL, C1,
 * U+2028 escaped; not UTF-8 refused); the log scanner takes any bytes, whole or cut at any
 * length (under ASan: no read past a line, no NULL dereference on a tab). A job of one round
 * holds that round's cases only, with their indices in the whole plan; a round without cases is
 * refused. A job id is decimal digits only, 1..2^53.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fl_util.h"
#include "lava.h"
#include "plan.h"

static const char *const extra[] = { "-smp 4", NULL };

static char *render(const struct fl_lava_job *j, const struct fl_plan *p, int *ret, char *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = fl_lava_render(f, j, p, err, FL_ERRLEN);
	fclose(f);
	return buf;
}

static void test_render_empty_plan(void **state)
{
	struct fl_lava_job j = { "n", "r", "c", "amd64", "k", "r", extra, 10, false, 0, NULL };
	struct fl_plan p = { .suite_name = "empty", .n = 0, .cases = NULL };
	char err[FL_ERRLEN] = "";
	int ret;

	(void)state;
	free(render(&j, &p, &ret, err));
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "suite empty has no cases"));
}

static struct fl_plan_case one_case(const char *dir)
{
	struct fl_plan_case pc = { .workload = "fault-scale", .iteration = 0, .timeout_s = 60 };

	pc.params = json_pack("{s:s}", "dir", dir);
	snprintf(pc.file, sizeof(pc.file), "cases/0000-fault-scale-i0.json");
	return pc;
}

static void test_render_escapes(void **state)
{
	struct fl_plan_case pc = one_case("a\x01\x1b\x7f\xc2\x85\xe2\x80\xa8\xef\xbb\xbf'\"\\\xf0\x9f\x98\x80");
	struct fl_plan p = { .suite_name = "s", .n = 1, .cases = &pc };
	struct fl_lava_job j = { "name \"q\" \x7f", "r", "c", "amd64", "k", "r", extra, 10,
				 false, 0, NULL };
	char err[FL_ERRLEN] = "", *out;
	int ret;

	(void)state;
	out = render(&j, &p, &ret, err);
	assert_int_equal(ret, 0);
	for (const unsigned char *c = (const unsigned char *)out; *c; c++)
		assert_true(*c == '\n' || (*c >= 0x20 && *c < 0x7f));
	assert_non_null(strstr(out, "job_name: \"name \\\"q\\\" \\x7f\"\n"));
	/* the shell word inside the step, then YAML-escaped */
	assert_non_null(strstr(out, "'--param=dir=a\\x01\\x1b\\x7f\\u0085\\u2028\\ufeff'\\\\''\\\"\\\\"
			       "\\U0001f600'") ?: strstr(out, "'--dir=a\\x01"));
	free(out);
	json_decref(pc.params);
}

static void test_render_not_utf8(void **state)
{
	struct fl_plan_case pc = one_case("ok");
	struct fl_plan p = { .suite_name = "s", .n = 1, .cases = &pc };
	struct fl_lava_job j = { "name", "r", "bad\xc0\xaf", "amd64", "k", "r", extra, 10, false, 0,
				 NULL };
	char err[FL_ERRLEN] = "";
	int ret;

	(void)state;
	free(render(&j, &p, &ret, err));
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "faultline.candidate is not UTF-8"));
	json_decref(pc.params);
}

static void scan_all_ways(const char *buf, size_t n)
{
	struct fl_lava_log *lg = fl_lava_log_new();
	size_t step = n > 20000 ? 97 : 1;

	assert_non_null(lg);
	fl_lava_log_scan(lg, buf, n);
	for (size_t cut = 0; cut <= n; cut += step) {	/* every prefix, in a buffer of its size */
		char *p = malloc(cut ? cut : 1);

		memcpy(p, buf, cut);
		fl_lava_log_scan(lg, p, cut);
		free(p);
	}
	fl_lava_log_free(lg);
}

static void test_scan_fixtures(void **state)
{
	static const char *const logs[] = { "bad-path.log", "bad-tab.log", "bad-workload.log",
					    "bad-unknown.log", "bad-mismatch.log", "bad-junk.log",
					    NULL };
	static const char tab[] = "FAULTLINE-CASE 0\t0123456789012345678901234567890123456789"
				  "012345678901234567890123\tQUJD\nFAULTLINE-CASE 7\t";

	(void)state;
	for (int i = 0; logs[i]; i++) {
		char path[512];
		char *buf = malloc(1 << 20);
		long n;

		snprintf(path, sizeof(path), "%s/tests/fixtures/lava/%s",
			 getenv("FL_ROOT") ? getenv("FL_ROOT") : ".", logs[i]);
		n = fl_read_file(path, buf, 1 << 20);
		assert_true(n > 0);
		scan_all_ways(buf, (size_t)n);
		free(buf);
	}
	scan_all_ways(tab, sizeof(tab) - 1);
}

/* Round 1 of a plan of three cases: cases 0 and 2 are round 0, case 1 round 1. */
static void test_render_per_round(void **state)
{
	struct fl_plan_case pc[3] = { one_case("a"), one_case("b"), one_case("c") };
	struct fl_plan p = { .suite_name = "s", .n = 3, .cases = pc };
	struct fl_lava_job j = { "name", "r", "c", "amd64", "k", "r", extra, 10, true, 1, NULL };
	char err[FL_ERRLEN] = "", *out;
	int ret;

	(void)state;
	pc[1].iteration = 1;
	pc[1].round = 1;
	out = render(&j, &p, &ret, err);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(out, "echo 'FAULTLINE-PLAN 1 "));
	assert_null(strstr(out, "FAULTLINE-PLAN 0 "));
	assert_null(strstr(out, "FAULTLINE-PLAN 2 "));
	free(out);
	j.round = 2;
	free(render(&j, &p, &ret, err));
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "has no cases in this round"));
	for (int i = 0; i < 3; i++)
		json_decref(pc[i].params);
}

static void test_job_id(void **state)
{
	(void)state;
	assert_int_equal(fl_lava_job_id("42"), 42);
	assert_int_equal(fl_lava_job_id("9007199254740992"), 9007199254740992LL);
	assert_int_equal(fl_lava_job_id("9007199254740993"), 0);
	assert_int_equal(fl_lava_job_id("0"), 0);
	assert_int_equal(fl_lava_job_id(""), 0);
	assert_int_equal(fl_lava_job_id(NULL), 0);
	assert_int_equal(fl_lava_job_id("-1"), 0);
	assert_int_equal(fl_lava_job_id("12a"), 0);
	assert_int_equal(fl_lava_job_id("1/../2"), 0);
	assert_int_equal(fl_lava_job_id(" 1"), 0);
	assert_int_equal(fl_lava_job_id("00000000000000001"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_empty_plan),
		cmocka_unit_test(test_render_escapes),
		cmocka_unit_test(test_render_not_utf8),
		cmocka_unit_test(test_scan_fixtures),
		cmocka_unit_test(test_render_per_round),
		cmocka_unit_test(test_job_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
