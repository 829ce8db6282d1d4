// SPDX-License-Identifier: GPL-2.0
/*
 * The console titles a hunt counts (runner/targets/console_classify.c): the mm reports the seeded
 * bugs of issue 16 should produce. Lines follow Linux 6.12's own format strings (mm/memory.c
 * print_bad_pte, kernel/fork.c check_mm, lib/bug.c, mm/page_table_check.c's BUG_ON); the
 * KASAN, lockdep and Bad page state titles on real reports are in test_console.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "console_classify.h"

static void expect(const char *text, const char *title)
{
	json_t *f = fl_console_classify(text, strlen(text));

	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "title")),
			    title);
	json_decref(f);
}

/* syzkaller's title; it was "Bad rss-counter" (without BUG: and state). */
static void test_rss_counter(void **state)
{
	expect("[   61.902718] BUG: Bad rss-counter state mm:000000004e8f3a1c "
	       "type:MM_FILEPAGES val:-512\n", "BUG: Bad rss-counter state");
}

/* A page table freed under a walker leaves a stale entry: print_bad_pte (was no finding). */
static void test_bad_page_map(void **state)
{
	expect("[   88.120033] BUG: Bad page map in process pt-retract  pte:8000000105a3d025 "
	       "pmd:10de61067\n", "BUG: Bad page map");
}

/* Page-table accounting left over at exit (was no finding). */
static void test_pgtables_bytes(void **state)
{
	expect("[   90.000001] BUG: non-zero pgtables_bytes on freeing mm: 4096\n",
	       "BUG: non-zero pgtables_bytes on freeing mm");
}

/* DEBUG_SPINLOCK on a freed page table's lock reused (kernel/locking/spinlock_debug.c spin_dump;
 * was no finding): the message up to " on CPU#". */
static void test_spinlock(void **state)
{
	expect("[  101.7] BUG: spinlock bad magic on CPU#2, pt-retract/612\n"
	       "[  101.7]  lock: 0xffff888104617aa8, .magic: 6b6b6b6b, .owner: <none>/-1, "
	       ".owner_cpu: -1\n", "BUG: spinlock bad magic");
	expect("BUG: rwlock wrong owner on CPU#0, khugepaged/41, ffff8881001b2c40\n",
	       "BUG: rwlock wrong owner");
}

/* PAGE_TABLE_CHECK's BUG_ON and a DEBUG_VM WARN: the function from RIP / the WARNING line. */
static void test_bug_and_warning(void **state)
{
	expect("[   70.5] ------------[ cut here ]------------\n"
	       "[   70.5] kernel BUG at mm/page_table_check.c:113!\n"
	       "[   70.5] Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	       "[   70.5] RIP: 0010:page_table_check_clear+0x2f4/0x3a0\n",
	       "kernel BUG in page_table_check_clear");
	expect("[   12.3] WARNING: CPU: 2 PID: 411 at mm/khugepaged.c:1702 "
	       "collapse_pte_mapped_thp+0x8d1/0xb40\n", "WARNING in collapse_pte_mapped_thp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_counter),
		cmocka_unit_test(test_bad_page_map),
		cmocka_unit_test(test_pgtables_bytes),
		cmocka_unit_test(test_spinlock),
		cmocka_unit_test(test_bug_and_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
