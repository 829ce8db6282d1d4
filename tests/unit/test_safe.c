// SPDX-License-Identifier: GPL-2.0
/* Unit tests of common/fl_safe (names, paths, shell words, terminal text) and of the atomic
 * JSON writer's refusal to write through a planted link (SECURITY.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "fl_json.h"
#include "fl_safe.h"

static void test_names(void **state)
{
	static const char *good[] = { "quick", "debian-6.12", "src-6.12-arm64", "a_b+c", "x" };
	static const char *bad[] = { "", ".", "..", "../x", "-rf", ".hidden", "a/b", "a,b=c",
				     "x'y", "$(touch p)", "a b", "a\nb", "é" };
	char err[256], big[FL_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(fl_name_check("the name", good[i], err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(fl_name_check("the suite's \"name\"", bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "the suite's \"name\""));
		assert_null(strchr(err, '\n'));
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(fl_name_ok(big));
	big[FL_NAME_MAX] = '\0';
	assert_true(fl_name_ok(big));
}

static void test_path_under(void **state)
{
	char dir[] = "/tmp/fl-safe-XXXXXX", p[512], err[256];

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/sub/new/file.json", dir);
	assert_int_equal(fl_path_under(dir, p, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/sub/../../etc/passwd", dir);
	assert_int_equal(fl_path_under(dir, p, err, sizeof(err)), -1);
	snprintf(p, sizeof(p), "%s/new/../../x", dir);
	assert_int_equal(fl_path_under(dir, p, err, sizeof(err)), -1);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/link/passwd", dir);
	assert_int_equal(fl_path_under(dir, p, err, sizeof(err)), -1);
	snprintf(p, sizeof(p), "%s-sibling/x", dir);	/* a prefix, not a parent */
	assert_int_equal(fl_path_under(dir, p, err, sizeof(err)), -1);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

static void test_sh_quote(void **state)
{
	char buf[64] = "echo ", small[12] = "echo ";

	assert_int_equal(fl_sh_quote(buf, sizeof(buf), "it's $(x)"), 0);
	assert_string_equal(buf, "echo 'it'\\''s $(x)'");
	/* does not fit: refused whole, buffer unchanged (never a cut, unbalanced quote) */
	assert_int_equal(fl_sh_quote(small, sizeof(small), "abcdef'"), -1);
	assert_string_equal(small, "echo ");
	assert_int_equal(fl_sh_quote(small, sizeof(small), "abcd"), 0);
	assert_string_equal(small, "echo 'abcd'");
}

static void test_text_clean(void **state)
{
	char out[32];

	assert_string_equal(fl_text_clean(out, sizeof(out), "a\x1b[2Jb\x7f\t"), "a?[2Jb??");
	assert_string_equal(fl_text_clean(out, sizeof(out), "x\xc2\x9b" "1m y"), "x?1m y");
	assert_string_equal(fl_text_clean(out, sizeof(out), "µs"), "µs");
	assert_string_equal(fl_text_clean(out, 4, "abcdef"), "abc");
}

static void test_json_no_planted_link(void **state)
{
	char dir[] = "/tmp/fl-json-XXXXXX", path[256], tmp[300], canary[256], buf[64];
	json_t *doc = json_pack("{s:i}", "a", 1);
	char err[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index.json", dir);
	snprintf(canary, sizeof(canary), "%s/canary", dir);
	f = fopen(canary, "w");
	fputs("keep", f);
	fclose(f);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(symlink(canary, tmp), 0);	/* planted where the writer's temp goes */
	assert_int_equal(fl_json_write_atomic(path, doc, err, sizeof(err)), 0);
	f = fopen(canary, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "keep");
	json_decref(doc);
	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	assert_int_equal(system(buf), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_path_under),
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_json_no_planted_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
