// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of workloads/thp_munmap_pgt.c (seed 000): the PMD tables a munmap frees, from
 * the layout (free_pmd_range's floor and ceiling: the neighbouring VMAs) and from the drop of
 * VmPTE less the range's PTE tables; an unreadable VmPTE is absent with a reason, never 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "thp_munmap_pgt.h"

#define MB (1ul << 20)
#define GB (1ul << 30)

static void test_pud_size(void **state)
{
	(void)state;
#if defined(__x86_64__) || defined(__aarch64__)
	assert_int_equal(thpm_pud_size(4096, 2 * MB), GB);
#endif
}

static void test_freeable(void **state)
{
	(void)state;
	/* 1 GiB on a PUD boundary: its one PMD table goes whatever the neighbours are. */
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB, 5 * GB, 4 * GB, 5 * GB, GB), 1);
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB, 6 * GB, 0, 0, GB), 2);
	/* align=pmd: one PMD past the boundary, guards right next to it: none. */
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB + 2 * MB, 5 * GB + 2 * MB,
						  4 * GB + 2 * MB, 5 * GB + 2 * MB, GB), 0);
	/* the seed's size: the PUD entries covered whole go even with close neighbours. */
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB + 2 * MB, 20 * GB + 2 * MB,
						  4 * GB + 2 * MB, 20 * GB + 2 * MB, GB), 15);
	/* 64M with no neighbour in its PUD entry: that PMD table goes too. */
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB + 64 * MB, 4 * GB + 128 * MB,
						  3 * GB, 6 * GB, GB), 1);
	assert_int_equal(thpm_pmd_tables_freeable(4 * GB + 64 * MB, 4 * GB + 128 * MB,
						  4 * GB + 1, 6 * GB, GB), 0);
	assert_int_equal(thpm_pmd_tables_freeable(5 * GB, 4 * GB, 0, 0, GB), 0);
}

static void test_maps_gap(void **state)
{
	static const char maps[] =
		"55d0c0000000-55d0c0021000 r-xp 00000000 08:01 123 /bin/x\n"
		"7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
		"7f0000001000-7f0040001000 rw-p 00000000 00:00 0 \n"
		"7f0040001000-7f0040002000 ---p 00000000 00:00 0 \n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
	uintptr_t f, c;

	(void)state;
	assert_int_equal(thpm_maps_gap(maps, 0x7f0000001000, 0x7f0040001000, &f, &c), 0);
	assert_true(f == 0x7f0000001000 && c == 0x7f0040001000);
	/* above the stack: [vsyscall] is not a VMA of the mm, the ceiling is the top (0) */
	assert_int_equal(thpm_maps_gap(maps, 0x7ffe00000000, 0x7ffe40000000, &f, &c), 0);
	assert_true(f == 0x7ffd00021000 && c == 0);
	assert_int_equal(thpm_maps_gap("garbage\n", 0, 1, &f, &c), -1);
}

static void test_vmpte(void **state)
{
	(void)state;
	assert_int_equal(thpm_vmpte_kb("Name:\tx\nVmPTE:\t    2116 kB\nVmSwap:\t 0 kB\n"), 2116);
	assert_int_equal(thpm_vmpte_kb("Name:\tx\nVmSwap:\t 0 kB\n"), -1);
	assert_int_equal(thpm_vmpte_kb(NULL), -1);
}

static void test_json(void **state)
{
	struct thpm_pgt p = { .page = 4096, .hpage = 2 * MB, .pud = GB, .size = GB,
			      .vmpte_kb0 = 2116, .vmpte_kb1 = 64, .predicted = 1 };
	json_t *o;
	double n;

	(void)state;
	/* 512 deposited PTE tables (2048 kB) and one PMD table (4 kB) */
	o = thpm_pgt_json(&p, &n);
	assert_true(n == 1.0);
	assert_true(json_is_true(json_object_get(o, "freed_pmd_tables")));
	assert_int_equal(json_integer_value(json_object_get(o, "pte_tables_kb")), 2048);
	json_decref(o);
	p.vmpte_kb1 = 68;	/* PTE tables only */
	o = thpm_pgt_json(&p, &n);
	assert_true(n == 0.0);
	assert_true(json_is_false(json_object_get(o, "freed_pmd_tables")));
	json_decref(o);
	p.vmpte_kb1 = 2116 - 2044;	/* another thread's new PTE table: -1, still measured */
	o = thpm_pgt_json(&p, &n);
	assert_true(n == -1.0);
	assert_null(json_object_get(o, "status"));
	json_decref(o);
	p.vmpte_kb1 = -1;
	o = thpm_pgt_json(&p, &n);
	assert_true(n < 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "absent");
	assert_non_null(json_string_value(json_object_get(o, "reason")));
	assert_null(json_object_get(o, "pmd_tables_freed"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pud_size),
		cmocka_unit_test(test_freeable),
		cmocka_unit_test(test_maps_gap),
		cmocka_unit_test(test_vmpte),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
