#include "fl_util.h"
/* SPDX-License-Identifier: GPL-2.0 */
#include "fl_util.h"
/* Shared by the unit tests that read tests/fixtures (real captures) and check documents
#include "fl_util.h"
 * against the schema: include after <cmocka.h>, "fl_json.h" and "fl_schema.h", and pass
#include "fl_util.h"
 * find_fixtures as the group set-up. */
#include "fl_util.h"
#ifndef FL_TEST_FIXTURES_H
#include "fl_util.h"
#define FL_TEST_FIXTURES_H
#include "fl_util.h"

#include "fl_util.h"
#include <limits.h>
#include "fl_util.h"
#include <stdio.h>
#include "fl_util.h"
#include <stdlib.h>
#include "fl_util.h"
#include <string.h>
#include "fl_util.h"
#include <unistd.h>
#include "fl_util.h"

#include "fl_util.h"
static char fixtures[PATH_MAX + 32];
#include "fl_util.h"

#include "fl_util.h"
/* tests/fixtures from $FL_TEST_FIXTURES, the repo root (cwd), or beside the binary
#include "fl_util.h"
 * (build/<kind>/tests/test_X -> ../../../tests/fixtures). */
#include "fl_util.h"
static inline int find_fixtures(void **state)
#include "fl_util.h"
{
#include "fl_util.h"
	const char *env = getenv("FL_TEST_FIXTURES");
#include "fl_util.h"
	char exe[PATH_MAX], *slash;
#include "fl_util.h"
	ssize_t n;
#include "fl_util.h"
	int up;
#include "fl_util.h"

#include "fl_util.h"
	(void)state;
#include "fl_util.h"
	if (env) {
#include "fl_util.h"
		snprintf(fixtures, sizeof(fixtures), "%s", env);
#include "fl_util.h"
		return 0;
#include "fl_util.h"
	}
#include "fl_util.h"
	if (access("tests/fixtures/x86_64-6.12", R_OK) == 0) {
#include "fl_util.h"
		snprintf(fixtures, sizeof(fixtures), "tests/fixtures");
#include "fl_util.h"
		return 0;
#include "fl_util.h"
	}
#include "fl_util.h"
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
#include "fl_util.h"
	if (n <= 0)
#include "fl_util.h"
		return -1;
#include "fl_util.h"
	exe[n] = '\0';
#include "fl_util.h"
	for (up = 0; up < 4 && (slash = strrchr(exe, '/')); up++)
#include "fl_util.h"
		*slash = '\0';
#include "fl_util.h"
	snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures", exe);
#include "fl_util.h"
	return access(fixtures, R_OK);
#include "fl_util.h"
}
#include "fl_util.h"

#include "fl_util.h"
/* The text of tests/fixtures/DIR/FILE (free it), or the test fails. */
#include "fl_util.h"
static inline char *fixture(const char *dir, const char *file)
#include "fl_util.h"
{
#include "fl_util.h"
	char path[PATH_MAX * 2];
#include "fl_util.h"
	char *text;
#include "fl_util.h"

#include "fl_util.h"
	snprintf(path, sizeof(path), "%s/%s/%s", fixtures, dir, file);
#include "fl_util.h"
	text = fl_read_all(path, 0, 0, NULL, NULL, 0);
#include "fl_util.h"
	if (!text)
#include "fl_util.h"
		fail_msg("cannot read fixture %s", path);
#include "fl_util.h"
	return text;
#include "fl_util.h"
}
#include "fl_util.h"

#include "fl_util.h"
/* doc matches schema/faultline-1.schema.json's $defs/<def>, or the test fails. */
#include "fl_util.h"
static inline void assert_schema(const char *def, json_t *doc)
#include "fl_util.h"
{
#include "fl_util.h"
	char err[512];
#include "fl_util.h"
	struct fl_schema *s = fl_schema_load(fl_schema_text, err, sizeof(err));
#include "fl_util.h"
	int ret;
#include "fl_util.h"

#include "fl_util.h"
	if (!s)
#include "fl_util.h"
		fail_msg("schema: %s", err);
#include "fl_util.h"
	ret = fl_schema_validate(s, def, doc, err, sizeof(err));
#include "fl_util.h"
	fl_schema_free(s);
#include "fl_util.h"
	if (ret)
#include "fl_util.h"
		fail_msg("%s does not match the schema: %s", def, err);
#include "fl_util.h"
}
#include "fl_util.h"

#include "fl_util.h"
#endif
