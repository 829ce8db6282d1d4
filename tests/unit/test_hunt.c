// SPDX-License-Identifier: GPL-2.0
/*
 * faultline hunt's findings and matrix (analysis/findings.c, runner/hunt/hunt_render.c) on the
 * hand-made hunt tests/fixtures/hunt/stress-hunt (mkfixture.py there; its console titles and
 * excerpts are real kernel reports from tests/fixtures/console/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "findings.h"
#include "fl_util.h"
#include "hunt.h"

static const char *fixture(char *buf, size_t len, const char *sub)
{
	snprintf(buf, len, "%s/tests/fixtures/hunt/stress-hunt%s%s",
		 getenv("FL_ROOT") ? getenv("FL_ROOT") : ".", *sub ? "/" : "", sub);
	return buf;
}

static json_t *load_fixture(void)
{
	char dir[512], err[FL_ERRLEN] = "";
	const char *dirs[] = { fixture(dir, sizeof(dir), "") };
	json_t *doc = fl_hunt_load(dirs, 1, err, sizeof(err));

	if (!doc)
		fail_msg("%s", err);
	return doc;
}

static json_t *kernel(json_t *doc, const char *name)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		if (!strcmp(json_string_value(json_object_get(k, "name")), name))
			return k;
	fail_msg("no kernel %s", name);
	return NULL;
}

static json_t *finding(json_t *k, const char *title)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(k, "findings"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "title")), title))
			return f;
	return NULL;
}

static long long ival(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static double dval(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Titles of failed cases: the data check, numbers as N, the signal kept. */
static void test_failure_titles(void **state)
{
	json_t *verify = json_pack("{s:i, s:{s:i}}", "pages_checked", 10, "children",
				   "corrupt", 2);
	const char *kind;
	char t[256];

	fl_hunt_failure_title("pt-retract", "2 child(ren) read a wrong page, 0 failed; first: "
			      "page 17", verify, t, sizeof(t), &kind);
	assert_string_equal(t, "verification failed in pt-retract: N child(ren) read a wrong "
			    "page, N failed");
	assert_string_equal(kind, "verification");
	fl_hunt_failure_title("percore-map", "3 corrupt page(s); first: page 0x1a0 word 2",
			      NULL, t, sizeof(t), &kind);
	assert_string_equal(t, "verification failed in percore-map: N corrupt page(s)");
	fl_hunt_failure_title("thp-munmap", "walker 1: vmsplice of the range failed: Bad address",
			      NULL, t, sizeof(t), &kind);
	assert_string_equal(t, "thp-munmap failed: walker N: vmsplice of the range failed: Bad "
			    "address");
	assert_string_equal(kind, "failure");
	fl_hunt_failure_title("fault-scale", "the agent died of signal 7 (Bus error)", NULL, t,
			      sizeof(t), &kind);
	assert_string_equal(t, "fault-scale failed: the agent died of signal 7 (Bus error)");
	fl_hunt_failure_title("ebizzy", NULL, NULL, t, sizeof(t), &kind);
	assert_string_equal(t, "ebizzy failed: no reason given");
	/* control characters from a document never reach a title */
	fl_hunt_failure_title("ebizzy", "bad\033[2Jthing", NULL, t, sizeof(t), &kind);
	assert_null(strchr(t, '\033'));
	json_decref(verify);
}

/* Columns in suite order with "boot" last, titles deduplicated, the panic after a report
 * dropped, the clean kernel clean. */
static void test_matrix(void **state)
{
	json_t *doc = load_fixture(), *cols = json_object_get(doc, "columns"), *t;
	size_t i;

	assert_int_equal(json_array_size(cols), 4);
	assert_string_equal(json_string_value(json_array_get(cols, 0)), "pt-retract");
	assert_string_equal(json_string_value(json_array_get(cols, 3)), FL_HUNT_BOOT);
	/* bad-page-state.txt's real report goes on with "BUG: non-zero pgtables_bytes" */
	assert_int_equal(json_array_size(json_object_get(doc, "titles")), 7);
	json_array_foreach(json_object_get(doc, "titles"), i, t)
		assert_string_not_equal(json_string_value(t), "kernel panic");
	assert_false(fl_hunt_false_alarm(doc));
	assert_false(fl_hunt_clean_missing(doc));
	assert_int_equal(json_array_size(json_object_get(kernel(doc, "src-6.12-debug"),
							 "findings")), 0);
	assert_true(json_is_true(json_object_get(kernel(doc, "src-6.12-debug"), "clean")));
	assert_string_equal(json_string_value(json_object_get(doc, "suite")), "stress");
	json_decref(doc);
}

/* One title across cases and rounds: its reports, cases, first case and time. */
static void test_dedup_and_time(void **state)
{
	json_t *doc = load_fixture(), *k = kernel(doc, "bug-pt-free-now");
	json_t *f = finding(k, "KASAN: use-after-free in l2cap_sock_ready_cb"), *cell;

	assert_non_null(f);
	assert_int_equal(ival(f, "count"), 3);
	assert_int_equal(ival(f, "cases"), 3);
	assert_string_equal(json_string_value(json_object_get(f, "first_case")),
			    "cases/0000-pt-retract-i0.json");
	assert_true(dval(f, "time_to_first_s") == 100.0);
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "console");
	/* the same title in thp-munmap, round 1: its own cell, at the end of the sixth case */
	cell = json_object_get(json_object_get(k, "cells"), "thp-munmap");
	assert_int_equal(json_array_size(cell), 1);
	assert_true(dval(json_array_get(cell, 0), "time_to_first_s") == 420.0);
	/* a report on the console outside every case: boot, no time */
	f = finding(k, "BUG: soft lockup in queued_spin_lock_slowpath");
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "first_workload")), FL_HUNT_BOOT);
	assert_true(json_is_null(json_object_get(f, "time_to_first_s")));
	assert_int_equal(json_array_size(json_object_get(k, "findings")), 2);
	json_decref(doc);
}

/* Verification and other failures are findings; a skipped case is not, and adds no time. */
static void test_failures_and_skips(void **state)
{
	json_t *doc = load_fixture(), *k = kernel(doc, "bug-swapin-noreval"), *f;

	f = finding(k, "verification failed in swapin-collapse: N corrupt page(s)");
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "verification");
	assert_true(dval(f, "time_to_first_s") == 290.0);	/* 100 + 80 + 30 + 0 + 80 */
	f = finding(k, "possible deadlock in elv_iosched_store");
	assert_non_null(f);
	assert_true(dval(f, "time_to_first_s") == 180.0);
	assert_non_null(finding(k, "thp-munmap failed: walker N: vmsplice of the range failed: "
				"Bad address"));
	assert_int_equal(ival(k, "cases_run"), 5);
	assert_int_equal(json_array_size(json_object_get(k, "not_run")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(k, "not_run"), 0), "status")), "skipped");
	/* the kernel that never booted: its reason, and its console's report under boot */
	k = kernel(doc, "bug-no-boot");
	assert_string_equal(json_string_value(json_object_get(k, "status")), "failed");
	assert_int_equal(ival(k, "cases_run"), 0);
	assert_non_null(finding(k, "BUG: Bad page state"));
	assert_non_null(finding(k, "BUG: non-zero pgtables_bytes on freeing mm"));
	json_decref(doc);
}

/* Run dirs given one by one: the first is the clean kernel; a finding on it is a false alarm. */
static void test_run_dirs(void **state)
{
	char a[512], b[512], err[FL_ERRLEN] = "";
	const char *dirs[] = { fixture(a, sizeof(a), "bug-pt-free-now"),
			       fixture(b, sizeof(b), "src-6.12-debug") };
	json_t *doc = fl_hunt_load(dirs, 2, err, sizeof(err));

	assert_non_null(doc);
	assert_true(fl_hunt_false_alarm(doc));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "kernels"), 0), "name")), "bug-pt-free-now");
	json_decref(doc);
}

/* A dir that is not a run, and a run.json that is not one, are one sentence each. */
static void test_bad_dirs(void **state)
{
	char tmpl[] = "/tmp/test-hunt-XXXXXX", path[600], err[FL_ERRLEN] = "";
	const char *dirs[] = { mkdtemp(tmpl) };
	FILE *f;

	assert_non_null(dirs[0]);
	assert_null(fl_hunt_load(dirs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a run"));
	snprintf(path, sizeof(path), "%s/run.json", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"schema\": \"faultline/1\", \"state\": \"complete\"}\n", f);
	fclose(f);
	assert_null(fl_hunt_load(dirs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a faultline run"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/runs.json", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"schema\": \"faultline-multi/1\", \"kernels\": [{\"dir\": \"../etc\"}]}\n", f);
	fclose(f);
	assert_null(fl_hunt_load(dirs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "not a safe name"));
	unlink(path);
	rmdir(tmpl);
}

/* The text matrix fits 80 columns; md and json print; another format is refused. */
static void test_render(void **state)
{
	json_t *doc = load_fixture();
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(fl_hunt_print(doc, "text", out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "bug-pt-free-now     A 1m40s     -           A 7m00s     B"));
	assert_non_null(strstr(buf, "src-6.12-debug *    -           -           -           -"));
	assert_non_null(strstr(buf, "bug-no-boot         n/a"));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= FL_HUNT_WIDTH);
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(fl_hunt_print(doc, "md", out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "| bug-pt-free-now | **A** KASAN: use-after-free in "
			       "l2cap\\_sock\\_ready\\_cb (1m40s) |"));
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(fl_hunt_print(doc, "json", out), 0);
	assert_int_equal(fl_hunt_print(doc, "csv", out), -1);
	fclose(out);
	assert_non_null(strstr(buf, "\"schema\": \"faultline-hunt/1\""));
	free(buf);
	json_decref(doc);
}

static void test_letters_and_durations(void **state)
{
	char b[32];

	fl_hunt_letter(0, b, sizeof(b));
	assert_string_equal(b, "A");
	fl_hunt_letter(25, b, sizeof(b));
	assert_string_equal(b, "Z");
	fl_hunt_letter(27, b, sizeof(b));
	assert_string_equal(b, "B1");
	assert_string_equal(fl_hunt_dur(b, sizeof(b), 45), "45s");
	assert_string_equal(fl_hunt_dur(b, sizeof(b), 130), "2m10s");
	assert_string_equal(fl_hunt_dur(b, sizeof(b), 3720), "1h02m");
	assert_string_equal(fl_hunt_dur(b, sizeof(b), -1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failure_titles),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_dedup_and_time),
		cmocka_unit_test(test_failures_and_skips),
		cmocka_unit_test(test_run_dirs),
		cmocka_unit_test(test_bad_dirs),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_letters_and_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
