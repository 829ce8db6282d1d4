// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/precision_doc.c: run.json's "stopped" words are the schema's, each
 * read back as its state; the block `faultline run` prints as it goes and at its end, and
 * `faultline report` prints from run.json: one line per group with a target, the header's
 * counts and times, the "within it" line below FL_PREC_MIN_N; a document from outside with
 * fields of the wrong type, unknown words or control characters prints "?", never a guess.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "precision_doc.h"

/* The block of prec as a malloc'ed string. */
static char *printed(json_t *prec, const char *who, bool final)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fl_prec_doc_print(prec, who, final, f);
	fclose(f);
	return buf;
}

static json_t *group(const char *wl, json_t *target, json_t *hw, int n, const char *stopped)
{
	return json_pack("{s:s, s:{s:i}, s:s, s:o, s:o, s:i, s:s}", "workload", wl, "params",
			 "threads", 2, "metric", "records_per_s", "target_pct", target,
			 "halfwidth_pct", hw, "n", n, "stopped", stopped);
}

/* Every word of the schema's precision_group.stopped enum names a state and back again. */
static void test_words_are_the_schema(void **state)
{
	char path[4096];
	json_t *schema, *e, *w;
	json_error_t jerr;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/schema/faultline-1.schema.json",
		 getenv("FL_TOP") ?: ".");
	schema = json_load_file(path, 0, &jerr);
	assert_non_null(schema);
	e = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(
		schema, "$defs"), "precision_group"), "properties"), "stopped"), "enum");
	assert_int_equal(json_array_size(e), FL_PREC_NSTATES);
	json_array_foreach(e, i, w) {
		int s = fl_prec_state_of(json_string_value(w));

		assert_true(s >= 0);
		assert_string_equal(fl_prec_word(s), json_string_value(w));
	}
	assert_int_equal(fl_prec_state_of("Time"), -1);
	assert_int_equal(fl_prec_state_of(""), -1);
	assert_int_equal(fl_prec_state_of(NULL), -1);
	assert_string_equal(fl_prec_state_text(FL_PREC_TIME), "stopped: time budget spent");
	assert_string_equal(fl_prec_state_brief(FL_PREC_TIME), "time spent");
	assert_string_equal(fl_prec_word(FL_PREC_NSTATES), "?");
	json_decref(schema);
}

/* A "precision" object as the runner writes it, of three groups. */
static json_t *doc3(double spent, double max, json_t *g1, json_t *g2, json_t *g3)
{
	return json_pack("{s:f, s:f, s:f, s:[o, o, o]}", "level", 0.95, "spent_s", spent,
			 "max_time_s", max, "groups", g1, g2, g3);
}

/* The block of prec (taken) is want. */
static void expect_block(json_t *prec, const char *who, bool final, const char *want)
{
	char *out = printed(prec, who, final);

	assert_string_equal(out, want);
	free(out);
	json_decref(prec);
}

/* The end of a run: header with the level and time spent, one line per group with a target. */
static void test_final_block(void **state)
{
	(void)state;
	expect_block(doc3(254.5, 300,
			  group("ebizzy", json_real(1), json_real(1.6427), 179, "time"),
			  group("ebizzy", json_real(5), json_real(4.2), 12, "precision"),
			  group("fault_scale", json_null(), json_null(), 5, "planned")), NULL, true,
		"precision (95% CI half-width of the mean; 4m14s spent):\n"
		"  ebizzy threads=2: records_per_s ±1.64% (n=179), target ±1%; "
		"stopped: time budget spent\n"
		"  ebizzy threads=2: records_per_s ±4.20% (n=12), target ±5%; "
		"stopped: precision reached\n");
}

/* As it goes: how many want more, the budget, only their lines; below FL_PREC_MIN_N a group
 * within its target says it is not called yet. */
static void test_progress_block(void **state)
{
	(void)state;
	expect_block(doc3(5, 60,
			  group("ebizzy", json_real(90), json_real(20.5), 3, "running"),
			  group("ebizzy", json_real(1), json_real(3.0), 12, "running"),
			  group("ebizzy", json_real(5), json_real(4.2), 12, "precision")), "v6.12", false,
		"== precision of v6.12: 2 of 3 cases want more iterations (0m05s spent of 1m00s)\n"
		"  ebizzy threads=2: records_per_s ±20.50% (n=3), target ±90%; "
		"within it; wants n=10 before it stops\n"
		"  ebizzy threads=2: records_per_s ±3.00% (n=12), target ±1%; "
		"wants more iterations\n");
}

/* run.json from outside: wrong types and unknown words print "?", control characters '?'. */
static void test_outside_input(void **state)
{
	json_t *g = group("eb\x1b[2Jizzy", json_real(1), json_string("1.5"), 7, "sideways");

	(void)state;
	expect_block(json_pack("{s:s, s:[o, {s:f, s:n, s:s}]}", "spent_s", "long", "groups", g,
			       "target_pct", 2.0, "metric", "n", "x"), "a\nb", true,
		"precision of a?b (95% CI half-width of the mean; an unknown time spent):\n"
		"  eb?[2Jizzy threads=2: records_per_s ±? (n=7), target ±1%; ?\n"
		"  ? : no metric yet, target ±2%; ?\n");
	expect_block(NULL, NULL, true, "");
	/* no group with a target: nothing */
	expect_block(json_pack("{s:[o]}", "groups", group("ebizzy", json_null(), json_null(), 5,
			       "planned")), NULL, true, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_are_the_schema),
		cmocka_unit_test(test_final_block),
		cmocka_unit_test(test_progress_block),
		cmocka_unit_test(test_outside_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
