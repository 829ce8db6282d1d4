// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of common/fl_schema*.c: the embedded faultline/1 schema accepts every document in
 * tests/fixtures/schema/valid/ and rejects every one in invalid/ naming the expected JSON path
 * (tests/integration/schema_crosscheck.py checks python3-jsonschema agrees on the same files),
 * the validator's keyword subset behaves as JSON Schema says, unsupported keywords fail at
 * load, and readers refuse another major version.
 *
 * Fixtures are found under $FL_TOP (default: the current directory if it holds tests/fixtures,
 * else three levels above this program, i.e. the tree holding build/san/tests/).
 */
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_schema.h"
#include "fl_util.h"

static char fixtures[PATH_MAX];

/* Every invalid fixture and the start of the message it must produce. */
static const struct {
	const char *file;
	const char *want;
} invalid[] = {
	{ "case-bad-started.json", "run.started: expected an RFC 3339 time" },
	{ "case-counter-absent-with-value.json",
	  "case.counters.pagefault:spf_vma_changed: expected {value, unit, source} or {status: absent|unsupported, reason}" },
	{ "case-counter-bad-source.json", "case.counters.page-faults.source: expected one of perf," },
	{ "case-counter-value-with-status.json",
	  "case.counters.page-faults: expected {value, unit, source} or {status: absent|unsupported, reason}" },
	{ "case-empty-reason.json", "case.reason: expected a non-empty string" },
	{ "case-failed-no-reason.json", "case.reason: expected a reason string" },
	{ "case-ipi-negative.json", "case.ipi.tlb_shootdown.per_cpu[1]: expected a value >= 0, got -1" },
	{ "case-metric-no-unit.json", "case.metrics.records_per_s.unit: required key is missing" },
	{ "case-metric-value-string.json", "case.metrics.records_per_s.value: expected a number, got a string" },
	{ "case-negative-iteration.json", "case.iteration: expected a value >= 0" },
	{ "case-no-warmup.json", "case.warmup: required key is missing" },
	{ "case-ok-null-measured.json", "case.measured_s: expected a number, got null" },
	{ "case-param-object.json", "case.params.size: expected a scalar" },
	{ "case-target-kind.json", "run.target.kind: expected one of local, qemu, ssh or lava, got \"docker\"" },
	{ "case-unknown-key.json", "case.counter: not allowed here" },
	{ "case-unknown-status.json", "case.status: expected one of ok, failed," },
	{ "case-vmstat-zero-for-missing.json",
	  "case.vmstat.vma_lock_success: expected {value, unit} or {status: absent|unsupported, reason}" },
	{ "case-wrong-schema.json", "schema: expected \"faultline/1\", got \"faultline/2\"" },
	{ "run-bad-state.json", "state: expected one of running, complete or interrupted" },
	{ "run-case-skipped-no-reason.json", "cases[2].reason: expected a reason string" },
	{ "run-wrong-schema.json", "schema: expected \"faultline/1\", got \"faultline/0\"" },
};

static json_t *load(const char *dir, const char *name)
{
	char path[PATH_MAX + 300];
	json_error_t jerr;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s/%s", fixtures, dir, name);
	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

/* run-*.json are run documents, the rest case documents (as in schema_crosscheck.py). */
static int validate(const char *name, json_t *doc, char *err, size_t errlen)
{
	if (!strncmp(name, "run", 3))
		return fl_schema_validate_run(doc, err, errlen);
	return fl_schema_validate_case(doc, err, errlen);
}

static bool is_json(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 5 && !strcmp(de->d_name + n - 5, ".json");
}

static int list_fixtures(const char *dir, struct dirent ***names)
{
	char path[PATH_MAX + 100];
	int n;

	snprintf(path, sizeof(path), "%s/%s", fixtures, dir);
	n = scandir(path, names, NULL, alphasort);
	if (n < 0)
		fail_msg("cannot read %s (set FL_TOP to the source tree)", path);
	return n;
}

static void test_embedded_schema_loads(void **state)
{
	char err[FL_ERRLEN] = "";
	struct fl_schema *s = fl_schema_load(fl_schema_text, err, sizeof(err));

	if (!s)
		fail_msg("%s", err);
	fl_schema_free(s);
}

static void test_valid_fixtures(void **state)
{
	struct dirent **names;
	int i, n = list_fixtures("valid", &names), seen = 0;

	for (i = 0; i < n; i++) {
		char err[FL_ERRLEN] = "";
		json_t *doc;

		if (is_json(names[i])) {
			doc = load("valid", names[i]->d_name);
			if (validate(names[i]->d_name, doc, err, sizeof(err)))
				fail_msg("valid/%s rejected: %s", names[i]->d_name, err);
			assert_int_equal(fl_schema_check_major(doc, err, sizeof(err)), 0);
			json_decref(doc);
			seen++;
		}
		free(names[i]);
	}
	free(names);
	assert_true(seen >= 7);
}

static void test_invalid_fixtures(void **state)
{
	struct dirent **names;
	int i, n = list_fixtures("invalid", &names), seen = 0;

	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char err[FL_ERRLEN] = "";
		size_t k;
		json_t *doc;

		if (!is_json(names[i])) {
			free(names[i]);
			continue;
		}
		for (k = 0; k < sizeof(invalid) / sizeof(invalid[0]); k++)
			if (!strcmp(invalid[k].file, name))
				break;
		if (k == sizeof(invalid) / sizeof(invalid[0]))
			fail_msg("invalid/%s has no expected message in test_schema.c", name);
		doc = load("invalid", name);
		if (!validate(name, doc, err, sizeof(err)))
			fail_msg("invalid/%s accepted", name);
		if (strncmp(err, invalid[k].want, strlen(invalid[k].want)))
			fail_msg("invalid/%s: got \"%s\", want \"%s...\"", name, err, invalid[k].want);
		json_decref(doc);
		free(names[i]);
		seen++;
	}
	free(names);
	assert_int_equal(seen, sizeof(invalid) / sizeof(invalid[0]));
}

static void test_check_major(void **state)
{
	static const struct {
		const char *doc;
		int rc;
		const char *msg;
	} cases[] = {
		{ "{\"schema\": \"faultline/1\"}", 0, "" },
		{ "{\"schema\": \"faultline/1.3\"}", 0, "" },
		{ "{\"schema\": \"faultline/2\"}", -1,
		  "results/x/run.json has schema faultline/2; this faultline reads faultline/1" },
		{ "{\"schema\": \"faultline/10.1\"}", -1,
		  "results/x/run.json has schema faultline/10.1; this faultline reads faultline/1" },
		{ "{\"schema\": \"faultline/1x\"}", -1,
		  "results/x/run.json has schema \"faultline/1x\", which is not a faultline result schema; expected \"faultline/1\"" },
		{ "{\"schema\": \"mmtests\"}", -1,
		  "results/x/run.json has schema \"mmtests\", which is not a faultline result schema; expected \"faultline/1\"" },
		{ "{\"case\": {}}", -1,
		  "results/x/run.json has no \"schema\" string; expected \"faultline/1\"" },
		{ "[1]", -1,
		  "results/x/run.json is not a JSON object; expected a faultline/1 result document" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_loads(cases[i].doc, 0, NULL);
		char err[FL_ERRLEN] = "";

		assert_non_null(doc);
		assert_int_equal(fl_schema_check_major_file(doc, "results/x/run.json", err,
							    sizeof(err)), cases[i].rc);
		assert_string_equal(err, cases[i].msg);
		json_decref(doc);
	}
	{
		json_t *doc = json_loads("{\"schema\": \"faultline/2\"}", 0, NULL);
		char err[FL_ERRLEN];

		assert_int_equal(fl_schema_check_major(doc, err, sizeof(err)), -1);
		assert_string_equal(err, "this document has schema faultline/2; this faultline reads faultline/1");
		json_decref(doc);
	}
}

/* Load schema text, expecting failure with a message that contains want. */
static void expect_load_error(const char *text, const char *want)
{
	char err[FL_ERRLEN] = "";
	struct fl_schema *s = fl_schema_load(text, err, sizeof(err));

	if (s) {
		fl_schema_free(s);
		fail_msg("schema %s loaded; want an error containing \"%s\"", text, want);
	}
	if (!strstr(err, want))
		fail_msg("schema %s: got \"%s\", want \"%s\"", text, err, want);
}

static void test_unsupported_keywords_fail_at_load(void **state)
{
	expect_load_error("{\"properties\": {\"t\": {\"type\": \"string\", \"format\": \"date-time\"}}}",
			  "schema #/properties/t/format: keyword \"format\" is not implemented");
	expect_load_error("{\"patternProperties\": {\"^x\": true}}", "\"patternProperties\" is not implemented");
	expect_load_error("{\"$defs\": {\"a~b/c\": {\"uniqueItems\": true}}}",
			  "schema #/$defs/a~0b~1c/uniqueItems: keyword");
	expect_load_error("{\"oneOf\": [true, {\"exclusiveMinimum\": 0}]}", "#/oneOf/1/exclusiveMinimum");
	expect_load_error("{\"$ref\": \"#/$defs/nope\"}", "\"#/$defs/nope\" does not resolve");
	expect_load_error("{\"$ref\": \"other.json#/$defs/x\"}", "does not resolve");
	expect_load_error("{\"$schema\": \"http://json-schema.org/draft-07/schema#\"}",
			  "the only draft common/fl_schema.c implements");
	expect_load_error("{\"type\": \"float\"}", "expected a JSON type name");
	expect_load_error("{\"items\": [true]}", "expected a schema");
	expect_load_error("{\"required\": \"a\"}", "expected an array of strings");
	expect_load_error("{\"minLength\": -1}", "expected an integer >= 0");
	expect_load_error("{\"enum\": []}", "expected a non-empty array");
	expect_load_error("{\"pattern\": \"(\"}", "does not compile");
	expect_load_error("{\"x-expected\": 1}", "expected a string");
	expect_load_error("{", "schema: line 1");
}

/* Validate the document text against the schema text; expect the given message or "". */
static void expect(const char *schema, const char *doc, const char *want)
{
	char err[FL_ERRLEN] = "";
	struct fl_schema *s = fl_schema_load(schema, err, sizeof(err));
	json_t *d = json_loads(doc, JSON_DECODE_ANY, NULL);
	int rc;

	if (!s)
		fail_msg("schema %s: %s", schema, err);
	assert_non_null(d);
	rc = fl_schema_validate(s, NULL, d, err, sizeof(err));
	if (!*want && rc)
		fail_msg("%s against %s: %s", doc, schema, err);
	if (*want && (!rc || strcmp(err, want)))
		fail_msg("%s against %s: got \"%s\", want \"%s\"", doc, schema, rc ? err : "(valid)",
			 want);
	json_decref(d);
	fl_schema_free(s);
}

static void test_keyword_semantics(void **state)
{
	/* type: integers include 1.0; number includes integers; arrays of types */
	expect("{\"type\": \"integer\"}", "1.0", "");
	expect("{\"type\": \"integer\"}", "1.5", "document: expected an integer, got a number");
	expect("{\"type\": \"number\"}", "3", "");
	expect("{\"type\": [\"boolean\", \"null\"]}", "\"x\"",
	       "document: expected a boolean or null, got a string");
	expect("{\"type\": \"boolean\"}", "0", "document: expected true or false, got an integer");
	/* const and enum compare numbers by value */
	expect("{\"const\": 1}", "1.0", "");
	expect("{\"enum\": [[1, {\"a\": 2}]]}", "[1.0, {\"a\": 2.0}]", "");
	expect("{\"const\": {\"a\": 1}}", "{\"a\": 1, \"b\": 2}",
	       "document: expected {\"a\":1}, got {\"a\":1,\"b\":2}");
	expect("{\"enum\": [\"x\"]}", "\"y\"", "document: expected x, got \"y\"");
	/* numeric, string and array keywords ignore other types */
	expect("{\"minimum\": 0, \"minLength\": 2, \"minItems\": 1}", "\"ab\"", "");
	expect("{\"minimum\": 0, \"minLength\": 2, \"minItems\": 1}", "-1",
	       "document: expected a value >= 0, got -1");
	expect("{\"maximum\": 10}", "10.5", "document: expected a value <= 10, got 10.5");
	expect("{\"minLength\": 2}", "\"\xc3\xa9\"", "document: expected at least 2 characters");
	expect("{\"minLength\": 2}", "\"\xc3\xa9\xc3\xa9\"", "");
	expect("{\"minItems\": 2}", "[1]", "document: expected at least 2 items, got 1");
	expect("{\"pattern\": \"^[a-z]+$\"}", "\"abc\"", "");
	expect("{\"pattern\": \"^[a-z]+$\"}", "\"aBc\"", "document: expected a string matching ^[a-z]+$");
	/* objects and arrays, with paths */
	expect("{\"properties\": {\"a\": {\"items\": {\"type\": \"integer\"}}}}",
	       "{\"a\": [1, 2, \"x\"]}", "a[2]: expected an integer, got a string");
	expect("{\"required\": [\"a\", \"b\"]}", "{\"a\": 1}", "b: required key is missing");
	expect("{\"properties\": {\"a\": true}, \"additionalProperties\": false}", "{\"a\": 1, \"z\": 2}",
	       "z: not allowed here");
	expect("{\"additionalProperties\": {\"properties\": {\"v\": {\"type\": \"number\"}}}}",
	       "{\"k\": {\"v\": null}}", "k.v: expected a number, got null");
	expect("false", "1", "document: not allowed here");
	expect("true", "{\"anything\": [1]}", "");
	/* combinators */
	expect("{\"allOf\": [{\"type\": \"integer\"}, {\"minimum\": 5}]}", "4",
	       "document: expected a value >= 5, got 4");
	expect("{\"anyOf\": [{\"type\": \"string\"}, {\"minimum\": 5}]}", "7", "");
	expect("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}", "7",
	       "document: matches none of the 2 allowed forms");
	expect("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 5}]}", "7",
	       "document: matches more than one of the 2 allowed forms");
	expect("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 5}]}", "7.5", "");
	expect("{\"not\": {\"type\": \"null\"}}", "null", "document: matches a form that is not allowed here");
	expect("{\"not\": {\"type\": \"null\"}}", "0", "");
	/* oneOf: the deepest branch explains; agreeing branches keep their message */
	expect("{\"oneOf\": [{\"required\": [\"a\"], \"properties\": {\"a\": {\"type\": \"string\"}}},"
	       " {\"required\": [\"b\"]}], \"x-expected\": \"{a} or {b}\"}",
	       "{\"a\": 1}", "a: expected a string, got an integer");
	expect("{\"oneOf\": [{\"required\": [\"a\"]}, {\"required\": [\"b\"]}], \"x-expected\": \"{a} or {b}\"}",
	       "{\"c\": 1}", "document: expected {a} or {b}");
	expect("{\"oneOf\": [{\"required\": [\"u\", \"a\"]}, {\"required\": [\"u\", \"b\"]}],"
	       " \"x-expected\": \"{u, a} or {u, b}\"}", "{\"c\": 1}", "u: required key is missing");
	/* if/then/else */
	expect("{\"if\": {\"properties\": {\"s\": {\"const\": \"ok\"}}}, \"then\": {\"required\": [\"t\"]},"
	       " \"else\": {\"required\": [\"r\"]}}", "{\"s\": \"ok\", \"t\": 1}", "");
	expect("{\"if\": {\"properties\": {\"s\": {\"const\": \"ok\"}}}, \"then\": {\"required\": [\"t\"]},"
	       " \"else\": {\"required\": [\"r\"]}}", "{\"s\": \"bad\", \"t\": 1}", "r: required key is missing");
	expect("{\"if\": {\"type\": \"string\"}}", "1", "");
	/* $ref with siblings, and the nesting guard on a loop */
	expect("{\"$defs\": {\"n\": {\"type\": \"integer\"}}, \"$ref\": \"#/$defs/n\", \"minimum\": 3}", "2",
	       "document: expected a value >= 3, got 2");
	expect("{\"$defs\": {\"loop\": {\"$ref\": \"#/$defs/loop\"}}, \"$ref\": \"#/$defs/loop\"}", "1",
	       "document: schema nesting is too deep (a $ref loop in the schema?)");
}

static void test_validate_api_edges(void **state)
{
	char err[FL_ERRLEN] = "", tiny[8];
	struct fl_schema *s = fl_schema_load(fl_schema_text, err, sizeof(err));
	json_t *doc = json_loads("{\"schema\": \"faultline/1\"}", 0, NULL);

	assert_non_null(s);
	assert_int_equal(fl_schema_validate(s, "no_such_def", doc, err, sizeof(err)), -1);
	assert_string_equal(err, "schema has no definition \"no_such_def\"");
	assert_int_equal(fl_schema_validate(s, "case_document", NULL, err, sizeof(err)), -1);
	/* the root schema is the case document */
	assert_int_equal(fl_schema_validate(s, NULL, doc, err, sizeof(err)), -1);
	assert_string_equal(err, "run: required key is missing");
	/* a small or absent error buffer is fine */
	assert_int_equal(fl_schema_validate_case(doc, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "run: re");
	assert_int_equal(fl_schema_validate_run(doc, NULL, 0), -1);
	json_decref(doc);
	fl_schema_free(s);
	fl_schema_free(NULL);
}

/* MISSING is exactly {status: absent|unsupported, reason: non-empty}. */
static void test_missing_shape_is_closed(void **state)
{
	char err[FL_ERRLEN] = "";
	json_t *doc = load("valid", "case-design-example.json");
	json_t *ctr = json_object_get(json_object_get(doc, "case"), "counters");

	json_object_set_new(ctr, "x", json_pack("{s:s, s:s}", "status", "unsupported",
						 "reason", "no PMU"));
	assert_int_equal(fl_schema_validate_case(doc, err, sizeof(err)), 0);
	json_object_set_new(ctr, "x", json_pack("{s:s, s:s}", "status", "unsupported", "reason", ""));
	assert_int_equal(fl_schema_validate_case(doc, err, sizeof(err)), -1);
	assert_string_equal(err, "case.counters.x.reason: expected a non-empty string");
	json_object_set_new(ctr, "x", json_pack("{s:s, s:s}", "status", "broken", "reason", "?"));
	assert_int_equal(fl_schema_validate_case(doc, err, sizeof(err)), -1);
	assert_string_equal(err, "case.counters.x.status: expected one of absent or unsupported, got \"broken\"");
	json_decref(doc);
}

static void find_fixtures(const char *argv0)
{
	const char *top = getenv("FL_TOP");
	char self[PATH_MAX];

	if (!top && access("tests/fixtures/schema", R_OK) == 0)
		top = ".";
	if (top) {
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/schema", top);
		return;
	}
	snprintf(self, sizeof(self), "%s", argv0);
	snprintf(fixtures, sizeof(fixtures), "%s/../../../tests/fixtures/schema", dirname(self));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_schema_loads),
		cmocka_unit_test(test_valid_fixtures),
		cmocka_unit_test(test_invalid_fixtures),
		cmocka_unit_test(test_check_major),
		cmocka_unit_test(test_unsupported_keywords_fail_at_load),
		cmocka_unit_test(test_keyword_semantics),
		cmocka_unit_test(test_validate_api_edges),
		cmocka_unit_test(test_missing_shape_is_closed),
	};

	find_fixtures(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
