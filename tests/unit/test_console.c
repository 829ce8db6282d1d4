// SPDX-License-Identifier: GPL-2.0
/* The crash classifier's titles on real kernel reports (tests/fixtures/console/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "console_classify.h"
#include "fl_util.h"

static json_t *classify_file(const char *name)
{
	char path[512], buf[65536];
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/console/%s",
		 getenv("FL_ROOT") ? getenv("FL_ROOT") : ".", name);
	n = fl_read_file(path, buf, sizeof(buf));
	assert_true(n > 0);
	return fl_console_classify(buf, (size_t)n);
}

static void expect_title(const char *file, const char *title)
{
	json_t *f = classify_file(file);
	const char *got = json_string_value(json_object_get(json_array_get(f, 0), "title"));

	assert_non_null(got);
	assert_string_equal(got, title);
	assert_non_null(json_string_value(json_object_get(json_array_get(f, 0), "excerpt")));
	json_decref(f);
}

static void test_lockdep(void **state)
{
	expect_title("lockdep-circular.txt", "possible deadlock in elv_iosched_store");
}

static void test_kasan(void **state)
{
	expect_title("kasan-uaf.txt", "KASAN: use-after-free in l2cap_sock_ready_cb");
}

static void test_soft_lockup(void **state)
{
	expect_title("soft-lockup.txt", "BUG: soft lockup in queued_spin_lock_slowpath");
}

static void test_bad_page_state(void **state)
{
	expect_title("bad-page-state.txt", "BUG: Bad page state");
}

static void test_sysrq_panic(void **state)
{
	expect_title("sysrq-panic-6.12.txt", "kernel panic");
}

static void test_synthetic_lines(void **state)
{
	static const struct { const char *text, *title; } cases[] = {
		{ "[    5.1] WARNING: CPU: 1 PID: 9 at mm/memory.c:123 zap_pte_range+0x12/0x40\n",
		  "WARNING in zap_pte_range" },
		{ "BUG: unable to handle page fault for address: 0000000000001234\n"
		  "#PF: supervisor read access in kernel mode\n"
		  "RIP: 0010:do_user_addr_fault+0x1a/0x30\n",
		  "BUG: unable to handle page fault in do_user_addr_fault" },
		{ "[  40.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n",
		  "INFO: rcu detected stall" },
		{ "INFO: task khugepaged:42 blocked for more than 120 seconds.\n", "INFO: task hung" },
		{ "BUG: Bad rss-counter state mm:00000000 type:MM_ANONPAGES val:1\n",
		  "BUG: Bad rss-counter state" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *f = fl_console_classify(cases[i].text, strlen(cases[i].text));

		assert_int_equal(json_array_size(f), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "title")),
				    cases[i].title);
		json_decref(f);
	}
}

static void test_clean_console(void **state)
{
	const char *text = "[    0.0] Linux version 6.12\nfaultline-init: ready on /dev/vport0p1\n";
	json_t *f = fl_console_classify(text, strlen(text));

	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
}

/* The fuzzer's finding (tests/fuzz/fuzz_console.c): line noise on a console lost findings.
 * A NUL byte ended the text (the panic after it was not seen), a byte that is not UTF-8 in a
 * title made Jansson refuse the finding, and one in an excerpt made the findings
 * unserializable (json_dumps NULL); an escape sequence in a title reached the terminal. */
static void test_console_noise(void **state)
{
	static const char text[] =
		"BUG: KASAN: use-\xff-after-free in \x1b[2Jfoo\n"
		"BUG: Bad page state in process x  pfn:\xc3\0\0\n"
		"[    9.9] Kernel panic - not syncing: \xed\xa0\x80 Fatal exception\n";
	static const char *const titles[] = {
		"BUG: KASAN: use-?-after-free in ?[2Jfoo", "BUG: Bad page state", "kernel panic",
	};
	json_t *f = fl_console_classify(text, sizeof(text) - 1);
	char *dump = json_dumps(f, 0);

	assert_non_null(dump);
	free(dump);
	assert_int_equal(json_array_size(f), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(f, i),
								      "title")), titles[i]);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(f, 2), "line")), 3);
	json_decref(f);
}

/* The fuzzer's first crash: a "NIP [" line ending at its ']' made func_rip() read a byte past
 * the end of the console copy (ASan: heap-buffer-overflow in symbol_at). */
static void test_console_nip_at_end(void **state)
{
	static const char text[] = "BUG: soft lockup - CPU#0 stuck for 22s!\nNIP [c000]";
	json_t *f = fl_console_classify(text, sizeof(text) - 1);

	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "title")),
			    "BUG: soft lockup");
	json_decref(f);
}

/* A title cut to its buffer (255 bytes) in the middle of a UTF-8 sequence is valid UTF-8. */
static void test_console_title_cut(void **state)
{
	char text[600] = "BUG: KASAN: ", *dump;
	json_t *f;

	for (size_t i = strlen(text); i + 3 < 590; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);	/* e-acute; byte 254 starts one */
	strcat(text, "\n");
	f = fl_console_classify(text, strlen(text));
	assert_int_equal(json_array_size(f), 1);
	assert_non_null(json_string_value(json_object_get(json_array_get(f, 0), "title")));
	dump = json_dumps(f, 0);
	assert_non_null(dump);
	free(dump);
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockdep),
		cmocka_unit_test(test_kasan),
		cmocka_unit_test(test_soft_lockup),
		cmocka_unit_test(test_bad_page_state),
		cmocka_unit_test(test_sysrq_panic),
		cmocka_unit_test(test_synthetic_lines),
		cmocka_unit_test(test_clean_console),
		cmocka_unit_test(test_console_noise),
		cmocka_unit_test(test_console_nip_at_end),
		cmocka_unit_test(test_console_title_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
