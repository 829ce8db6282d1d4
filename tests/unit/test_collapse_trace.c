// SPDX-License-Identifier: GPL-2.0
/* Unit tests of workloads/lib/collapse_trace.c: tracefs "trace" lines (as 6.12 and 6.18 print
 * them), key=value fields of both separators, and the per-PMD analysis: a PMD starts where
 * khugepaged finished the previous one or woke from its scan sleep, only the workload's mm is
 * counted, results are counted by name, the swapin event's figures are summed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib/collapse_trace.h"

#define KH "      khugepaged-38      [001] d..2. "
#define ME 4242

static void feed(struct fl_ct_an *a, const char *text)
{
	char line[512];
	struct fl_ct_event ev;

	snprintf(line, sizeof(line), "%s", text);
	if (fl_ct_parse_line(line, &ev, &a->lost) == 0)
		fl_ct_an_feed(a, &ev, ME);
}

static void parse_lines(void **state)
{
	char l1[] = KH "12695.439183: mm_khugepaged_scan_pmd: mm=00000000abcd, scan_pfn=0x1, "
		    "writable=1, referenced=511, none_or_zero=0, status=succeeded, unmapped=26\n";
	char l2[] = " qemu-system-x86-31577   [000] 12695.453568: sched_switch: prev_comm=qemu "
		    "prev_pid=31577 prev_prio=120 prev_state=R ==> next_comm=khugepaged next_pid=38";
	char l3[] = "# tracer: nop", l4[] = "CPU:1 [LOST 17 EVENTS]", l5[] = "garbage";
	struct fl_ct_event ev;
	uint64_t lost = 0;
	char v[32];

	(void)state;
	assert_int_equal(fl_ct_parse_line(l1, &ev, &lost), 0);
	assert_int_equal(ev.pid, 38);
	assert_true(ev.ts_ns == 12695439183000ull);
	assert_string_equal(ev.name, "mm_khugepaged_scan_pmd");
	assert_int_equal(fl_ct_field(ev.fields, "status", v, sizeof(v)), 0);
	assert_string_equal(v, "succeeded");
	assert_int_equal(fl_ct_field(ev.fields, "mm", v, sizeof(v)), 0);
	assert_string_equal(v, "00000000abcd");
	assert_int_equal(fl_ct_field(ev.fields, "referenced", v, sizeof(v)), 0);
	assert_string_equal(v, "511");
	assert_int_equal(fl_ct_field(ev.fields, "swap", v, sizeof(v)), -1);
	/* no flags column; space-separated fields; a key that is the tail of another */
	assert_int_equal(fl_ct_parse_line(l2, &ev, &lost), 0);
	assert_int_equal(ev.pid, 31577);
	assert_string_equal(ev.name, "sched_switch");
	assert_int_equal(fl_ct_field(ev.fields, "next_pid", v, sizeof(v)), 0);
	assert_string_equal(v, "38");
	assert_int_equal(fl_ct_field(ev.fields, "prev_state", v, sizeof(v)), 0);
	assert_string_equal(v, "R");
	assert_int_equal(fl_ct_field(ev.fields, "pid", v, sizeof(v)), -1);
	assert_int_equal(fl_ct_parse_line(l3, &ev, &lost), -1);
	assert_int_equal(fl_ct_parse_line(l4, &ev, &lost), -1);
	assert_int_equal(lost, 17);
	assert_int_equal(fl_ct_parse_line(l5, &ev, &lost), -1);
}

/* Two PMDs of ours collapse (1 ms and 3 ms after the previous PMD's end), one of another mm
 * ends in between, a scan sleep separates passes, one PMD exceeds max_ptes_swap. */
static void analysis(void **state)
{
	struct fl_ct_an a;
	json_t *j;

	(void)state;
	fl_ct_an_init(&a, FL_CT_ANON);
	a.kh_pid = 38;
	a.t0_ns = 100000000000ull;
	feed(&a, "           agent-4242    [000] ..... 99.000100: mmap_lock_acquire_returned: "
	     "mm=00000000aaaa memcg_id=0 write=true success=true");
	feed(&a, "           agent-4243    [000] ..... 99.000100: mmap_lock_acquire_returned: "
	     "mm=00000000ffff memcg_id=0 write=true success=true");
	assert_string_equal(a.mm, "00000000aaaa");
	/* the wakeup: the first switch-in starts the first PMD */
	feed(&a, "          <idle>-0       [000] d..2. 100.000000: sched_switch: prev_comm=swapper "
	     "prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=khugepaged next_pid=38 next_prio=139");
	feed(&a, KH "100.000500: mm_collapse_huge_page_swapin: mm=00000000aaaa, swapped_in=26, "
	     "referenced=486, ret=1");
	feed(&a, KH "100.000900: mm_collapse_huge_page: mm=00000000aaaa, isolated=1, status=succeeded");
	feed(&a, KH "100.001000: mm_khugepaged_scan_pmd: mm=00000000aaaa, scan_pfn=0x1, "
	     "referenced=486, none_or_zero=0, status=succeeded, unmapped=26");
	feed(&a, KH "100.002000: mm_khugepaged_scan_pmd: mm=00000000bbbb, scan_pfn=0x2, "
	     "referenced=0, none_or_zero=0, status=succeeded, unmapped=0");
	feed(&a, KH "100.005000: mm_khugepaged_scan_pmd: mm=00000000aaaa, scan_pfn=0x3, "
	     "referenced=486, none_or_zero=0, status=succeeded, unmapped=26");
	/* khugepaged sleeps 10 ms (S), is preempted once (R), then a PMD exceeds the limit */
	feed(&a, KH "100.005100: sched_switch: prev_comm=khugepaged prev_pid=38 prev_prio=139 "
	     "prev_state=S ==> next_comm=x next_pid=7 next_prio=120");
	feed(&a, "               x-7       [001] d..2. 100.015000: sched_switch: prev_comm=x "
	     "prev_pid=7 prev_prio=120 prev_state=R ==> next_comm=khugepaged next_pid=38 next_prio=139");
	feed(&a, KH "100.017000: mm_khugepaged_scan_pmd: mm=00000000aaaa, scan_pfn=0x4, "
	     "referenced=0, none_or_zero=0, status=exceed_swap_pte, unmapped=70");
	feed(&a, "CPU:0 [LOST 3 EVENTS]");
	assert_int_equal(a.pmds, 3);
	assert_int_equal(a.collapsed, 2);
	assert_int_equal(a.wakeups, 2);
	assert_int_equal(a.lost, 3);
	assert_int_equal(a.collapse.count, 2);
	assert_true(a.collapse.min >= 950000 && a.collapse.min <= 1050000);
	assert_true(a.collapse.max >= 2900000 && a.collapse.max <= 3100000);
	assert_int_equal(a.swapin_events, 1);
	assert_int_equal(a.swapped_in, 26);
	assert_int_equal(a.swapin_ok, 1);
	j = fl_ct_an_json(&a);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "scan_results"),
							    "exceed_swap_pte")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "scan_results"),
							    "succeeded")), 2);
	assert_true(json_real_value(json_object_get(j, "last_collapse_ms")) > 4.99 &&
		    json_real_value(json_object_get(j, "last_collapse_ms")) < 5.01);
	json_decref(j);
}

/* No mm learned: every mm counts. File collapses end with scan_file's result. */
static void file_any_mm(void **state)
{
	struct fl_ct_an a;

	(void)state;
	fl_ct_an_init(&a, FL_CT_FILE);
	feed(&a, KH "1.000000: mm_khugepaged_scan_file: mm=00000000aaaa, scan_pfn=0x0, "
	     "filename=memfd:faultline-pt-retract, present=512, swap=0, result=pte_mapped_hugepage");
	feed(&a, KH "1.002000: mm_khugepaged_collapse_file: mm=00000000bbbb, hpage_pfn=0x1, "
	     "index=0, addr=7f0000000000, is_shmem=1, filename=memfd:faultline-pt-retract, nr=512, "
	     "result=succeeded");
	feed(&a, KH "1.002100: mm_khugepaged_scan_file: mm=00000000bbbb, scan_pfn=0x0, "
	     "filename=memfd:faultline-pt-retract, present=512, swap=0, result=succeeded");
	feed(&a, KH "1.003000: mm_khugepaged_scan_pmd: mm=00000000bbbb, scan_pfn=0x2, "
	     "referenced=0, none_or_zero=0, status=succeeded, unmapped=0");
	assert_int_equal(a.pmds, 2);
	assert_int_equal(a.collapsed, 1);
	assert_int_equal(a.collapse.count, 1);
	assert_true(a.collapse.max >= 2000000 && a.collapse.max <= 2200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(analysis),
		cmocka_unit_test(file_any_mm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
