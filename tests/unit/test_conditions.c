// SPDX-License-Identifier: GPL-2.0
/* Unit tests of two runs' conditions compared (analysis/conditions.c), and of the doctor's
 * document against schema/doctor-1.schema.json (run from the source tree's top). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fl_util.h"
#include "conditions.h"
#include "doctor.h"
#include "fl_schema.h"
#include "probes/procparse.h"

/* A conditions document: THP with defrag, a volatile load finding, a hypervisor. */
static json_t *conditions(const char *defrag, const char *load_level, const char *load_state)
{
	return json_pack("{s:s, s:f, s:[{s:s, s:s, s:s, s:s, s:s, s:b},"
			 "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}},"
			 "{s:s, s:s, s:s, s:s, s:s, s:{s:s}}]}",
			 "schema", FL_DOCTOR_SCHEMA, "sampled_s", 0.0, "findings",
			 "id", "load", "name", "load", "level", load_level, "state", load_state,
			 "fix", "wait", "volatile", 1,
			 "id", "thp", "name", "THP", "level", strcmp(defrag, "madvise") ? "warn" : "ok",
			 "state", "x", "fix", "y", "settings", "enabled", "madvise", "defrag", defrag,
			 "id", "hypervisor", "name", "hypervisor", "level", "info", "state", "kvm",
			 "fix", "z", "settings", "hypervisor", "kvm");
}

static const char *sentence(json_t *arr, size_t i)
{
	return json_string_value(json_array_get(arr, i));
}

static void test_same_conditions_no_difference(void **state)
{
	json_t *a = conditions("madvise", "ok", "loadavg 0.01"), *b;
	json_t *d;

	/* a finding of the moment with another state but the same level is no difference */
	b = conditions("madvise", "ok", "loadavg 0.20");
	d = fl_conditions_diff(a, b);
	assert_non_null(d);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

/* Acceptance 6: two runs with different THP settings are told apart. */
static void test_thp_setting_differs(void **state)
{
	json_t *a = conditions("madvise", "ok", "l"), *b = conditions("always", "ok", "l");
	json_t *d = fl_conditions_diff(a, b);

	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(sentence(d, 0), "THP: defrag is madvise in A, always in B");
	json_decref(d);
	d = fl_conditions_diff_named(b, a, "A", "C");
	assert_string_equal(sentence(d, 0), "THP: defrag is always in A, madvise in C");
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

static void test_volatile_level_differs(void **state)
{
	json_t *a = conditions("madvise", "ok", "loadavg 0.01 on 2 CPUs");
	json_t *b = conditions("madvise", "warn", "loadavg 2.90 on 2 CPUs");
	json_t *d = fl_conditions_diff(a, b);

	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(sentence(d, 0), "load: ok in A (loadavg 0.01 on 2 CPUs), warn in B "
			    "(loadavg 2.90 on 2 CPUs)");
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

static void test_finding_on_one_side(void **state)
{
	json_t *a = conditions("madvise", "ok", "l"), *b = conditions("madvise", "ok", "l");
	json_t *d;

	json_array_remove(json_object_get(a, "findings"), 2);
	json_object_set_new(json_object_get(json_array_get(json_object_get(b, "findings"), 1),
					    "settings"), "use_zero_page", json_string("0"));
	d = fl_conditions_diff(a, b);
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(sentence(d, 0), "THP: use_zero_page is not recorded in A, 0 in B");
	assert_string_equal(sentence(d, 1), "hypervisor: recorded in B only");
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

static void test_missing_conditions(void **state)
{
	json_t *a = conditions("madvise", "ok", "l"), *empty = json_object(), *d;

	d = fl_conditions_diff(NULL, NULL);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	d = fl_conditions_diff(a, NULL);
	assert_int_equal(json_array_size(d), 1);
	assert_non_null(strstr(sentence(d, 0), "run B has no recorded conditions"));
	json_decref(d);
	d = fl_conditions_diff(empty, a);	/* not a doctor document */
	assert_non_null(strstr(sentence(d, 0), "run A has no recorded conditions"));
	json_decref(d);
	json_decref(empty);
	json_decref(a);
}

static void test_run_conditions(void **state)
{
	json_t *c = conditions("madvise", "ok", "l");
	json_t *doc = json_pack("{s:{s:O}}", "run", "conditions", c);

	assert_ptr_equal(fl_run_conditions(doc), c);
	assert_ptr_equal(fl_run_conditions(json_object_get(doc, "run")), c);
	json_object_set_new(json_object_get(doc, "run"), "conditions", json_string("x"));
	assert_null(fl_run_conditions(doc));
	json_decref(doc);
	json_decref(c);
}

/* This machine's real conditions: valid against the doctor's schema and the run schema's
 * run.conditions, no difference with themselves, fast enough for run start-up. */
static void test_real_conditions(void **state)
{
	char *text = fl_read_all("schema/doctor-1.schema.json", 0, 0, NULL, NULL, 0), err[512];
	struct fl_schema *s;
	json_t *c = fl_doctor_conditions(false), *again, *d;

	assert_non_null(text);
	s = fl_schema_load(text, err, sizeof(err));
	assert_non_null(s);
	if (fl_schema_validate(s, NULL, c, err, sizeof(err)))
		fail_msg("%s", err);
	again = fl_doctor_conditions(false);
	d = fl_conditions_diff(c, again);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	fl_schema_free(s);
	free(text);
	s = fl_schema_load(fl_schema_text, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(fl_schema_validate(s, "conditions", c, err, sizeof(err)), 0);
	json_object_set_new(c, "findings", json_pack("[{s:s}]", "id", "x"));
	assert_int_not_equal(fl_schema_validate(s, "conditions", c, err, sizeof(err)), 0);
	fl_schema_free(s);
	json_decref(again);
	json_decref(c);
}

/* Boot parameters read off /proc/cmdline's text: this machine's (2026-12-01), whose init
 * takes arguments after "--"; a bare flag; a name that only prefixes another. */
static void test_cmdline_arg(void **state)
{
	static const char cmd[] = "mitigations=auto,no_guest_host pti=on nopti panic=1 "
				  "memmap=1G pvm_no_zero_page=1 rdinit=/process_api -- "
				  "--firecracker-init mem=2G init_on_free=1\n";
	char v[64];

	assert_string_equal(fl_doctor_cmdline_arg(cmd, "mitigations", v, sizeof(v)),
			    "auto,no_guest_host");
	assert_string_equal(fl_doctor_cmdline_arg(cmd, "pti", v, sizeof(v)), "on");
	assert_string_equal(fl_doctor_cmdline_arg(cmd, "nopti", v, sizeof(v)), "");
	assert_string_equal(fl_doctor_cmdline_arg(cmd, "pvm_no_zero_page", v, sizeof(v)), "1");
	assert_null(fl_doctor_cmdline_arg(cmd, "mem", v, sizeof(v)));	/* memmap=; init's mem= */
	assert_null(fl_doctor_cmdline_arg(cmd, "init_on_free", v, sizeof(v)));
	assert_null(fl_doctor_cmdline_arg(cmd, "pan", v, sizeof(v)));
	assert_string_equal(fl_doctor_cmdline_arg("a x=1\n", "x", v, sizeof(v)), "1");
	assert_string_equal(fl_doctor_cmdline_arg("x=12345", "x", v, 3), "12");
	assert_null(fl_doctor_cmdline_arg(NULL, "x", v, sizeof(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_conditions_no_difference),
		cmocka_unit_test(test_thp_setting_differs),
		cmocka_unit_test(test_volatile_level_differs),
		cmocka_unit_test(test_finding_on_one_side),
		cmocka_unit_test(test_missing_conditions),
		cmocka_unit_test(test_run_conditions),
		cmocka_unit_test(test_real_conditions),
		cmocka_unit_test(test_cmdline_arg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
