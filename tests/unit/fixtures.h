/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the unit tests that read tests/fixtures (real captures) and check documents
 * against the schema: include after <cmocka.h>, "fl_json.h" and "fl_schema.h", and pass
 * find_fixtures as the group set-up. */
#ifndef FL_TEST_FIXTURES_H
#define FL_TEST_FIXTURES_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fixtures[PATH_MAX + 32];

/* tests/fixtures from $FL_TEST_FIXTURES, the repo root (cwd), or beside the binary
 * (build/<kind>/tests/test_X -> ../../../tests/fixtures). */
static inline int find_fixtures(void **state)
{
	const char *env = getenv("FL_TEST_FIXTURES");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int up;

	(void)state;
	if (env) {
		snprintf(fixtures, sizeof(fixtures), "%s", env);
		return 0;
	}
	if (access("tests/fixtures/x86_64-6.12", R_OK) == 0) {
		snprintf(fixtures, sizeof(fixtures), "tests/fixtures");
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (up = 0; up < 4 && (slash = strrchr(exe, '/')); up++)
		*slash = '\0';
	snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures", exe);
	return access(fixtures, R_OK);
}

/* The text of tests/fixtures/DIR/FILE (free it), or the test fails. */
static inline char *fixture(const char *dir, const char *file)
{
	char path[PATH_MAX * 2];
	char *text;

	snprintf(path, sizeof(path), "%s/%s/%s", fixtures, dir, file);
	text = fl_slurp(path, NULL);
	if (!text)
		fail_msg("cannot read fixture %s", path);
	return text;
}

/* doc matches schema/faultline-1.schema.json's $defs/<def>, or the test fails. */
static inline void assert_schema(const char *def, json_t *doc)
{
	char err[512];
	struct fl_schema *s = fl_schema_load(fl_schema_text, err, sizeof(err));
	int ret;

	if (!s)
		fail_msg("schema: %s", err);
	ret = fl_schema_validate(s, def, doc, err, sizeof(err));
	fl_schema_free(s);
	if (ret)
		fail_msg("%s does not match the schema: %s", def, err);
}

#endif
