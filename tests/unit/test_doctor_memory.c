// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of runner/doctor/doctor_memory.c on the PVM development guest's own sysfs
 * (tests/fixtures/x86_64-6.18-pvm/memory: /sys/bus/virtio/devices/N/{device,features},
 * page_reporting_order and the DAMON admin tree, copied file by file on 2026-12-01): free page
 * reporting on through virtio0 at order 9, kdamond 0 paging out memory idle for 60 s; and on
 * trees made here: no balloon, a balloon without the reporting bit, a kdamond that is off, no
 * DAMON at all, a scheme-less (monitoring) kdamond.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "compare.h"
#include "doctor.h"

static const char *top(void)
{
	return getenv("FL_TOP") ?: ".";
}

/* The one finding of doc with id. */
static json_t *finding(json_t *doc, const char *id)
{
	json_t *f = fl_cmp_find(json_object_get(doc, "findings"), "id", id);

	if (!f)
		fail_msg("no finding %s", id);
	return f;
}

static const char *str(json_t *f, const char *k)
{
	return json_string_value(json_object_get(f, k));
}

/* dir/rel holding text, its folders made. */
static void put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void test_real_capture(void **state)
{
	char v[PATH_MAX], o[PATH_MAX], d[PATH_MAX], fix[PATH_MAX + 64];
	json_t *doc = json_pack("{s:[]}", "findings"), *f;

	snprintf(v, sizeof(v), "%s/tests/fixtures/x86_64-6.18-pvm/memory/virtio", top());
	snprintf(o, sizeof(o), "%s/tests/fixtures/x86_64-6.18-pvm/memory/page_reporting_order",
		 top());
	snprintf(d, sizeof(d), "%s/tests/fixtures/x86_64-6.18-pvm/memory/damon", top());
	fl_doctor_check_reporting(doc, v, o);
	fl_doctor_check_damon(doc, d);
	f = finding(doc, "reporting");
	assert_string_equal(str(f, "level"), "info");
	assert_non_null(strstr(str(f, "state"), "on (virtio-balloon virtio0, order 9: blocks of "
				"2048 KiB)"));
	assert_string_equal(str(json_object_get(f, "settings"), "free_page_reporting"), "order 9");
	f = finding(doc, "damon");
	assert_string_equal(str(f, "level"), "info");
	assert_non_null(strstr(str(f, "state"), "kdamond 0 on (paddr, sampling every 0.5 s): "
				"pageout of memory seen accessed in at most 1 of 10 samples for 60 s "
				"or more, at most 128 MiB per 1 s"));
	snprintf(fix, sizeof(fix), "echo off > %s/kdamonds/0/state while measuring", d);
	assert_non_null(strstr(str(f, "fix"), fix));
	assert_string_equal(str(json_object_get(f, "settings"), "kdamond.0"), "paddr: pageout");
	json_decref(doc);
}

/* The two findings on the trees dir/v and dir/d (made by the test; v or d may not exist). */
static json_t *doctor_of(const char *dir, const char *v, const char *d)
{
	json_t *doc = json_pack("{s:[]}", "findings");
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/%s", dir, v);
	fl_doctor_check_reporting(doc, sub, "/nonexistent");
	snprintf(sub, sizeof(sub), "%s/%s", dir, d);
	fl_doctor_check_damon(doc, sub);
	return doc;
}

static void test_made_trees(void **state)
{
	char dir[] = "/tmp/fl-doctor-memory.XXXXXX";
	json_t *doc, *f;

	assert_non_null(mkdtemp(dir));
	/* no balloon (a block device only), no DAMON */
	put(dir, "v1/virtio1/device", "0x0002\n");
	put(dir, "v1/virtio1/features", "0010001001100100000000000000010010000000\n");
	doc = doctor_of(dir, "v1", "no-damon");
	f = finding(doc, "reporting");
	assert_string_equal(str(f, "level"), "ok");
	assert_string_equal(str(f, "state"), "off: no virtio-balloon device");
	assert_string_equal(str(json_object_get(f, "settings"), "free_page_reporting"), "off");
	f = finding(doc, "damon");
	assert_string_equal(str(f, "level"), "ok");
	assert_int_equal(json_object_size(json_object_get(f, "settings")), 0);
	json_decref(doc);

	/* a balloon without bit 5; kdamond 0 off, kdamond 1 on with no scheme */
	put(dir, "v2/virtio0/device", "0x0005\n");
	put(dir, "v2/virtio0/features", "0110000100000000000000000000000010000000\n");
	put(dir, "d/kdamonds/nr_kdamonds", "2\n");
	put(dir, "d/kdamonds/0/state", "off\n");
	put(dir, "d/kdamonds/1/state", "on\n");
	put(dir, "d/kdamonds/1/contexts/nr_contexts", "1\n");
	put(dir, "d/kdamonds/1/contexts/0/operations", "vaddr\n");
	put(dir, "d/kdamonds/1/contexts/0/monitoring_attrs/intervals/sample_us", "5000\n");
	put(dir, "d/kdamonds/1/contexts/0/monitoring_attrs/intervals/aggr_us", "100000\n");
	put(dir, "d/kdamonds/1/contexts/0/schemes/nr_schemes", "0\n");
	doc = doctor_of(dir, "v2", "d");
	f = finding(doc, "reporting");
	assert_string_equal(str(f, "level"), "ok");
	assert_string_equal(str(f, "state"), "off: the virtio-balloon device virtio0 does not "
			    "report free pages");
	f = finding(doc, "damon");
	assert_string_equal(str(f, "level"), "info");
	assert_non_null(strstr(str(f, "state"), "kdamond 1 on (vaddr, sampling every 0.005 s): "
				"monitoring only"));
	assert_null(json_object_get(json_object_get(f, "settings"), "kdamond.0"));
	assert_string_equal(str(json_object_get(f, "settings"), "kdamond.1"), "vaddr:");
	json_decref(doc);

	/* the kdamond off: ok */
	put(dir, "d/kdamonds/1/state", "off\n");
	doc = doctor_of(dir, "v2", "d");
	f = finding(doc, "damon");
	assert_string_equal(str(f, "level"), "ok");
	assert_string_equal(str(f, "state"), "no kdamond on");
	json_decref(doc);
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_capture),
		cmocka_unit_test(test_made_trees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
