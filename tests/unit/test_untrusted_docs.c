// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/ on documents other machines wrote (issue #12): the case scanner's bounds (an empty
 * object where it blanks a value overflowed the heap; run under the ASan build), a string
 * ending in a backslash, the gnuplot literal, text and Markdown cleaning, the duration
 * formatter on huge and NaN values, history index entries that point outside the history, and
 * the one document reader (casedoc.h): another major, a case object without its fields, a link.
 */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "casedoc.h"
#include "compare.h"
#include "fl_util.h"
#include "history.h"
#include "plot.h"
#include "runload.h"
#include "summary.h"

static char dir[] = "/tmp/fl-untrusted-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#define CASE_HEAD "{\"schema\": \"faultline/1\", \"run\": %s, \"case\": {\"workload\": \"w\", " \
	"\"params\": {\"t\": 1}, \"status\": \"ok\", \"metrics\": {\"r\": {\"value\": 5, " \
	"\"unit\": \"x/s\", \"better\": \"higher\"}}, \"ipi\": {\"raw\": %s, \"function_call\": " \
	"{\"total\": 3, \"per_cpu\": [1, 2]}}, \"vmstat\": %s}}"

/* One run directory with nine copies of a case document made of the three parts (the
 * "run" object is blanked from the ninth file on); loads it. */
static int load_one(const char *run, const char *raw, const char *vmstat, struct fl_run *r)
{
	char doc[4096], err[FL_ERRLEN], name[64];

	assert_non_null(mkdtemp(strcpy(dir, "/tmp/fl-untrusted-XXXXXX")));
	snprintf(doc, sizeof(doc), "%s/cases", dir);
	assert_int_equal(mkdir(doc, 0755), 0);
	snprintf(doc, sizeof(doc), CASE_HEAD, run, raw, vmstat);
	for (int i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "cases/%04d-w-i%d.json", i, i);
		put(name, doc);
	}
	return fl_run_load(r, dir, err, sizeof(err));
}

/* "vmstat": {}, "raw": {}, "run": {} (and with a blank inside): the scanner replaced them by
 * "null", two bytes longer than "{}", and moved the rest of the text past the buffer. */
static void test_blank_empty_objects(void **state)
{
	static const char *const shapes[][3] = {
		{ "{}", "{}", "{}" }, { "{ }", "{ }", "{ }" }, { "{\"id\": \"x\"}", "{}", "{}" },
		{ "{}", "[]", "{\"pgfault\": {\"value\": 7}}" }, { "{}", "[]", "[]" },
		{ "{\"id\": 1}", "[]", "{}" }, { "{\"id\": 1}", "{}", "[]" },
	};

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct fl_run r;

		assert_int_equal(load_one(shapes[i][0], shapes[i][1], shapes[i][2], &r), 0);
		assert_int_equal(r.ncases, 9);
		assert_int_equal(json_array_size(r.skipped), 0);
		assert_non_null(fl_run_case_item(&r.cases[0], "r"));
		assert_non_null(fl_run_case_item(&r.cases[0], "ipi.function_call"));
		fl_run_free(&r);
		cleanup();
	}
}

/* A truncated document ending in an open object where the scanner looks: skipped, not read
 * past its end. */
static void test_blank_unterminated(void **state)
{
	struct fl_run r;
	char err[FL_ERRLEN], path[300];

	assert_non_null(mkdtemp(strcpy(dir, "/tmp/fl-untrusted-XXXXXX")));
	snprintf(path, sizeof(path), "%s/cases", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("cases/0001-w-i0.json", "{\"case\": {\"vmstat\": {");
	put("cases/0002-w-i1.json", "{\"case\": {\"raw\": {");
	put("cases/0003-w-i2.json", "{\"run\": {");
	assert_int_equal(fl_run_load(&r, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "every file in cases/ was skipped"));
	assert_int_equal(json_array_size(r.skipped), 3);
	fl_run_free(&r);
	cleanup();
}

/* A vmstat key ending in a backslash: "a\\" ends at its second quote. The scanner took that
 * quote as escaped, ran on to the end of the object and lost the counters after it. */
static void test_scanner_escaped_backslash(void **state)
{
	struct fl_run r;
	const struct fl_item *it;

	assert_int_equal(load_one("{}", "{}", "{\"a\\\\\": {\"value\": 1}, \"pgfault\": {"
				  "\"value\": 7, \"unit\": \"count\"}, \"b\\\"\": {\"value\": 2}}",
				  &r), 0);
	assert_int_equal(r.ncases, 9);
	it = fl_run_case_item(&r.cases[0], "vmstat.pgfault");
	assert_non_null(it);
	assert_true(it->value == 7);
	assert_non_null(fl_run_case_item(&r.cases[0], "r"));
	fl_run_free(&r);
	cleanup();
}

static char *quoted(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fl_gp_quote(f, s);
	fclose(f);
	return buf;
}

static void test_gp_quote(void **state)
{
	static const char *const cases[][2] = {
		{ "plain", "'plain'" },
		{ "'; system \"touch /tmp/x\"; '", "'''; system \"touch /tmp/x\"; '''" },
		{ "a\nsystem \"x\"\n", "'a?system \"x\"?'" },
		{ "back\\slash\\'", "'back\\slash\\'''" },
		{ "esc\x1b[2J c1\xc2\x9b", "'esc?[2J c1?'" },
		{ "", "''" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = quoted(cases[i][0]);

		assert_string_equal(q, cases[i][1]);
		free(q);
	}
}

static void test_text_shown(void **state)
{
	char *t = fl_text_shown("u\x1b[2J|\xc2\x9b<b>`x`", false), *m;

	assert_string_equal(t, "u?[2J|?<b>`x`");
	m = fl_text_shown("u\x1b[2J|\xc2\x9b<b>`x`", true);
	assert_string_equal(m, "u?[2J\\|?&lt;b&gt;'x'");
	free(t);
	free(m);
}

/* timeout_s: 1e308 printed a negative duration ((int) of a huge double). */
static void test_fmt_duration(void **state)
{
	char b[64];

	assert_string_equal(fl_fmt_duration(b, sizeof(b), 0), "0m00s");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), 125.7), "2m05s");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), 5 * 3600 + 120), "5h02m");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), 200 * 86400.0), "200 days");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), 1e308), "more than a billion days");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), INFINITY), "more than a billion days");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), NAN), "an unknown time");
	assert_string_equal(fl_fmt_duration(b, sizeof(b), -5), "an unknown time");
	assert_null(strchr(fl_fmt_duration(b, sizeof(b), 2147483648.0 * 60), '-'));
}

static void test_history_run_dir(void **state)
{
	static const char *const bad[] = { "runs/../x", "../x", "/etc", "runs/", "runs/.hidden",
					   "runs/a/b", "runs/-x", "cases" };
	char path[600], err[FL_ERRLEN];
	json_t *e;

	assert_non_null(mkdtemp(strcpy(dir, "/tmp/fl-untrusted-XXXXXX")));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = json_pack("{s:s}", "dir", bad[i]);
		assert_int_equal(fl_history_run_dir(dir, e, path, sizeof(path), err, sizeof(err)), -1);
		assert_non_null(strstr(err, "expected runs/NAME"));
		json_decref(e);
	}
	e = json_pack("{s:i}", "dir", 3);
	assert_int_equal(fl_history_run_dir(dir, e, path, sizeof(path), err, sizeof(err)), -1);
	json_decref(e);
	e = json_pack("{s:s}", "dir", "runs/20260101-quick-1a2b");
	assert_int_equal(fl_history_run_dir(dir, e, path, sizeof(path), err, sizeof(err)), 0);
	json_decref(e);
	/* a safe name that is a link out of the history */
	snprintf(path, sizeof(path), "%s/runs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/runs/away", dir);
	assert_int_equal(symlink("/etc", path), 0);
	e = json_pack("{s:s}", "dir", "runs/away");
	assert_int_equal(fl_history_run_dir(dir, e, path, sizeof(path), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not inside"));
	json_decref(e);
	cleanup();
}

/* The one reader: another major refuses the run (foreign, the sentence names the file); a
 * document without case.params is only this file's problem; a link is not followed. */
static void test_casedoc(void **state)
{
	char path[300], why[FL_ERRLEN];
	struct fl_casedoc d;
	json_t *run;

	assert_non_null(mkdtemp(strcpy(dir, "/tmp/fl-untrusted-XXXXXX")));
	put("v2.json", "{\"schema\": \"faultline/2\", \"case\": {}}");
	snprintf(path, sizeof(path), "%s/v2.json", dir);
	assert_int_equal(fl_casedoc_load(&d, path, why, sizeof(why)), -1);
	assert_true(d.foreign);
	assert_non_null(strstr(why, "v2.json has schema faultline/2"));
	assert_null(d.doc);
	put("np.json", "{\"schema\": \"faultline/1\", \"case\": {\"workload\": \"w\", "
	    "\"status\": \"ok\"}}");
	snprintf(path, sizeof(path), "%s/np.json", dir);
	assert_int_equal(fl_casedoc_load(&d, path, why, sizeof(why)), -1);
	assert_false(d.foreign);
	assert_non_null(strstr(why, "case.params missing"));
	put("ok.json", "{\"schema\": \"faultline/1.3\", \"case\": {\"workload\": \"w\", "
	    "\"status\": \"ok\", \"params\": {}}}");
	snprintf(path, sizeof(path), "%s/ok.json", dir);
	assert_int_equal(fl_casedoc_load(&d, path, why, sizeof(why)), 0);
	assert_string_equal(d.workload, "w");
	assert_string_equal(d.status, "ok");
	fl_casedoc_free(&d);
	snprintf(why, sizeof(why), "%s/link.json", dir);
	assert_int_equal(symlink(path, why), 0);
	assert_int_equal(fl_casedoc_load(&d, why, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "symbolic link"));
	run = fl_rundoc_load(path, why, sizeof(why));	/* a run document: only the major */
	assert_non_null(run);
	json_decref(run);
	snprintf(path, sizeof(path), "%s/v2.json", dir);
	assert_null(fl_rundoc_load(path, why, sizeof(why)));
	assert_non_null(strstr(why, "has schema faultline/2"));
	cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_empty_objects),
		cmocka_unit_test(test_blank_unterminated),
		cmocka_unit_test(test_scanner_escaped_backslash),
		cmocka_unit_test(test_gp_quote),
		cmocka_unit_test(test_text_shown),
		cmocka_unit_test(test_fmt_duration),
		cmocka_unit_test(test_history_run_dir),
		cmocka_unit_test(test_casedoc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
