// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of workloads/thp_munmap_ipi.c (seed 000): the IPIs of one operation split by the
 * role of the receiving CPU (idle, walking, sender, not_in_mm), and a class the kernel does
 * not count (x86 with hypervisor TLB flushes, powerpc's muxed function calls) reported as
 * missing with its status and reason, never as a metric of 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "thp_munmap_ipi.h"
#include "workload.h"

/* 4 CPUs: idle threads on all, a walker on 0, the operation on 3. */
static void roles_4(struct thpm_roles *r)
{
	memset(r, 0, sizeof(*r));
	for (int cpu = 0; cpu < 4; cpu++)
		thpm_role_set(r, cpu, THPM_IDLE);
	thpm_role_set(r, 0, THPM_WALKING);
	thpm_role_set(r, 3, THPM_SENDER);
	thpm_role_set(r, 3, THPM_IDLE);		/* weaker: stays sender */
	thpm_role_set(r, -1, THPM_SENDER);	/* unknown CPU: ignored */
	thpm_role_set(r, CPU_SETSIZE, THPM_SENDER);
}

static json_int_t get_int(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_roles(void **state)
{
	struct thpm_roles r;
	json_t *cpus = json_pack("[i,i,i,i,i]", 0, 1, 2, 3, 4), *j;

	roles_4(&r);
	assert_int_equal(thpm_roles_mm_cpus(&r), 4);
	assert_string_equal(thpm_role_name(r.role[0]), "walking");
	assert_string_equal(thpm_role_name(r.role[3]), "sender");
	j = thpm_roles_json(&r, cpus);
	assert_int_equal(json_array_size(json_object_get(j, "idle")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "walking"), 0)), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "not_in_mm"), 0)),
			 4);
	json_decref(j);
	json_decref(cpus);
}

static void test_split(void **state)
{
	struct thpm_roles r;
	json_t *cpus = json_pack("[i,i,i,i]", 0, 1, 2, 3);
	/* x86 CAL row: 5 to the walker's CPU, 7 + 11 to idle CPUs, 2 on the sender's. */
	json_t *cal = json_pack("{s:i, s:[i,i,i,i]}", "total", 25, "per_cpu", 5, 7, 11, 2);
	/* csd counts carry their own CPU order. */
	json_t *csd = json_pack("{s:i, s:[i,i], s:[i,i]}", "total", 9, "per_cpu", 4, 5, "cpus", 2, 0);
	json_t *s;

	roles_4(&r);
	s = thpm_ipi_split(cal, cpus, &r);
	assert_int_equal(get_int(s, "total"), 25);
	assert_int_equal(get_int(s, "walking"), 5);
	assert_int_equal(get_int(s, "idle"), 18);
	assert_int_equal(get_int(s, "sender"), 2);
	assert_int_equal(get_int(s, "not_in_mm"), 0);
	json_decref(s);
	s = thpm_ipi_split(csd, cpus, &r);
	assert_int_equal(get_int(s, "idle"), 4);
	assert_int_equal(get_int(s, "walking"), 5);
	json_decref(s);
	json_decref(cal);
	json_decref(csd);
	json_decref(cpus);
}

/* A class that was not counted keeps its own status and reason: no total, no zeros. */
static void test_split_missing(void **state)
{
	struct thpm_roles r;
	json_t *cpus = json_pack("[i,i,i,i]", 0, 1, 2, 3);
	json_t *tlb = json_pack("{s:s, s:s}", "status", "unsupported", "reason",
				"remote TLB flushes go through the hypervisor");
	json_t *fc = json_pack("{s:s, s:s}", "status", "absent", "reason", "no row");
	json_t *short_row = json_pack("{s:i, s:[i]}", "total", 3, "per_cpu", 3);
	json_t *s;

	roles_4(&r);
	s = thpm_ipi_split(tlb, cpus, &r);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "unsupported");
	assert_string_equal(json_string_value(json_object_get(s, "reason")),
			    "remote TLB flushes go through the hypervisor");
	assert_null(json_object_get(s, "total"));
	assert_null(json_object_get(s, "idle"));
	json_decref(s);
	s = thpm_ipi_split(fc, cpus, &r);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "absent");
	json_decref(s);
	s = thpm_ipi_split(NULL, cpus, &r);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "unsupported");
	json_decref(s);
	/* A total without per-CPU columns to match: the total stays, the split is unsupported. */
	s = thpm_ipi_split(short_row, cpus, &r);
	assert_int_equal(get_int(s, "total"), 3);
	assert_null(json_object_get(s, "idle"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "split"),
							      "status")), "unsupported");
	json_decref(s);
	json_decref(tlb);
	json_decref(fc);
	json_decref(short_row);
	json_decref(cpus);
}

static void case_init(struct fl_case *c)
{
	memset(c, 0, sizeof(*c));
	c->wl = fl_workload_find("thp-munmap");
	assert_non_null(c->wl);
	c->metrics = json_object();
	c->extra = json_object();
}

static void case_free(struct fl_case *c)
{
	json_decref(c->metrics);
	json_decref(c->extra);
}

/* The metrics: counted classes are numbers; an unsupported class is named in
 * detail.metrics_missing with its reason and is not in metrics at all. */
static void test_metrics(void **state)
{
	struct thpm_roles r;
	struct fl_case c;
	json_t *cpus = json_pack("[i,i,i,i]", 0, 1, 2, 3);
	json_t *cal = json_pack("{s:i, s:[i,i,i,i]}", "total", 25, "per_cpu", 5, 7, 11, 2);
	json_t *tlb = json_pack("{s:s, s:s}", "status", "unsupported", "reason",
				"remote TLB flushes go through the hypervisor");
	json_t *other = json_pack("{s:i}", "total", 4);
	json_t *s, *miss;

	roles_4(&r);
	case_init(&c);
	s = thpm_ipi_split(cal, cpus, &r);
	thpm_split_metrics(&c, s, "function_call_ipis");
	json_decref(s);
	s = thpm_ipi_split(tlb, cpus, &r);
	thpm_split_metrics(&c, s, "tlb_ipis");
	json_decref(s);
	s = thpm_ipi_split(other, cpus, &r);
	thpm_split_metrics(&c, s, "other_ipis");
	json_decref(s);

	assert_int_equal(json_number_value(json_object_get(json_object_get(c.metrics,
			 "function_call_ipis_idle"), "value")), 18);
	assert_int_equal(json_number_value(json_object_get(json_object_get(c.metrics,
			 "function_call_ipis_walking"), "value")), 5);
	assert_int_equal(json_number_value(json_object_get(json_object_get(c.metrics,
			 "other_ipis"), "value")), 4);
	miss = json_object_get(c.extra, "metrics_missing");
	for (const char *const *n = (const char *const[]){ "tlb_ipis", "tlb_ipis_idle",
			"tlb_ipis_walking", NULL }; *n; n++) {
		assert_null(json_object_get(c.metrics, *n));
		assert_string_equal(json_string_value(json_object_get(json_object_get(miss, *n),
				    "status")), "unsupported");
		assert_string_equal(json_string_value(json_object_get(json_object_get(miss, *n),
				    "reason")), "remote TLB flushes go through the hypervisor");
	}
	assert_null(json_object_get(c.metrics, "other_ipis_idle"));
	assert_non_null(json_object_get(miss, "other_ipis_idle"));
	assert_null(json_object_get(miss, "function_call_ipis"));
	case_free(&c);
	json_decref(cal);
	json_decref(tlb);
	json_decref(other);
	json_decref(cpus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_missing),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
