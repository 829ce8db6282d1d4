// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap_lock probe: the pairing engine fed synthetic event sequences (plain pairs,
 * several tasks, contention, lost events, unmatched releases, nesting and recursion,
 * downgrade, failed trylocks, roles), the format files of 6.12 and 6.18 and the raw decoding,
 * "all" leaving the probe out, and one short recording on the running kernel (root only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "probes/mmap_lock.h"
#include "probes/probe.h"
#include "fl_util.h"

#define MM1 0xffff888001000000ull
#define MM2 0xffff888002000000ull

static void ev(struct fl_mml *m, uint64_t t, int tid, int type, bool write, bool ok,
	       uint64_t mm, int role)
{
	struct fl_mml_event e = { .time = t, .mm = mm, .tid = tid, .type = (uint8_t)type,
				  .role = (uint8_t)role, .write = write, .success = ok };

	fl_mml_feed(m, &e);
}

/* Workload task tid on MM1. */
static void start(struct fl_mml *m, uint64_t t, int tid, bool w)
{
	ev(m, t, tid, FL_MML_START, w, false, MM1, FL_MML_WORKLOAD);
}

static void acq(struct fl_mml *m, uint64_t t, int tid, bool w, bool ok)
{
	ev(m, t, tid, FL_MML_ACQUIRE, w, ok, MM1, FL_MML_WORKLOAD);
}

static void rel(struct fl_mml *m, uint64_t t, int tid, bool w)
{
	ev(m, t, tid, FL_MML_RELEASE, w, false, MM1, FL_MML_WORKLOAD);
}

static const struct fl_mml_side *wl(const struct fl_mml *m, bool w)
{
	return fl_mml_side(m, FL_MML_WORKLOAD, w);
}

static uint64_t wait_max(const struct fl_mml_side *s, uint64_t *n)
{
	return fl_mml_side_wait(s, 100, n);
}

static uint64_t hold_max(const struct fl_mml_side *s, uint64_t *n)
{
	return fl_mml_side_hold(s, 100, n);
}

static void test_plain_pair(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	start(m, 100, 7, false);
	acq(m, 150, 7, false, true);
	rel(m, 400, 7, false);
	fl_mml_finish(m);
	assert_int_equal(fl_mml_side_count(wl(m, false)), 1);
	assert_int_equal(wait_max(wl(m, false), &n), 50);
	assert_int_equal(n, 1);
	assert_int_equal(hold_max(wl(m, false), &n), 250);
	assert_int_equal(n, 1);
	assert_int_equal(fl_mml_side_count(wl(m, true)), 0);
	assert_int_equal(fl_mml_side_contended(wl(m, false)), 0);
	fl_mml_free(m);
}

/* Two tasks interleaved: each wait and hold is paired within its own task. */
static void test_tasks_interleaved(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	start(m, 10, 1, false);
	start(m, 20, 2, false);
	acq(m, 25, 2, false, true);		/* task 2 waited 5 */
	acq(m, 40, 1, false, true);		/* task 1 waited 30 */
	rel(m, 50, 1, false);			/* task 1 held 10 */
	rel(m, 125, 2, false);			/* task 2 held 100 */
	assert_int_equal(fl_mml_side_count(wl(m, false)), 2);
	assert_int_equal(fl_mml_side_wait(wl(m, false), 1, &n), 5);
	assert_int_equal(wait_max(wl(m, false), &n), 30);
	assert_int_equal(fl_mml_side_hold(wl(m, false), 1, &n), 10);
	assert_int_equal(hold_max(wl(m, false), &n), 100);
	assert_int_equal(fl_mml_side_unmatched(wl(m, false)), 0);
	fl_mml_free(m);
}

/* A writer that starts while a reader holds, and readers that start while it holds, are
 * contended; a reader beside a reader is not. */
static void test_contended(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	start(m, 0, 1, false);
	acq(m, 1, 1, false, true);
	start(m, 2, 2, false);			/* reader beside reader: not contended */
	acq(m, 3, 2, false, true);
	start(m, 5, 3, true);			/* writer behind two readers: contended */
	rel(m, 10, 1, false);
	rel(m, 20, 2, false);
	acq(m, 21, 3, true, true);		/* waited 16 */
	start(m, 30, 1, false);			/* reader behind the writer: contended */
	rel(m, 121, 3, true);			/* held 100 */
	acq(m, 122, 1, false, true);
	rel(m, 130, 1, false);
	assert_int_equal(fl_mml_side_contended(wl(m, true)), 1);
	assert_int_equal(fl_mml_side_contended(wl(m, false)), 1);
	assert_int_equal(wait_max(wl(m, true), &n), 16);
	assert_int_equal(hold_max(wl(m, true), &n), 100);
	assert_int_equal(wait_max(wl(m, false), &n), 92);
	fl_mml_free(m);
}

/* A reader that starts while a writer waits (behind a reader) queues behind the writer:
 * contended, although only readers hold the lock. */
static void test_contended_writer_waiting(void **state)
{
	struct fl_mml *m = fl_mml_new();

	start(m, 0, 1, false);
	acq(m, 1, 1, false, true);
	start(m, 2, 2, true);			/* writer waits for reader 1 */
	start(m, 3, 3, false);			/* reader 3 behind the waiting writer */
	rel(m, 10, 1, false);
	acq(m, 11, 2, true, true);
	rel(m, 20, 2, true);
	acq(m, 21, 3, false, true);
	start(m, 30, 1, false);			/* nobody holds or waits: not contended */
	acq(m, 31, 1, false, true);
	assert_int_equal(fl_mml_side_contended(wl(m, true)), 1);
	assert_int_equal(fl_mml_side_contended(wl(m, false)), 1);
	fl_mml_free(m);
}

/* A task's own read hold does not make its own write attempt contended (it would deadlock,
 * but the trace must not invent contention from it either). */
static void test_own_hold_not_contended(void **state)
{
	struct fl_mml *m = fl_mml_new();

	start(m, 0, 1, false);
	acq(m, 1, 1, false, true);
	start(m, 2, 1, true);
	assert_int_equal(fl_mml_side_contended(wl(m, true)), 0);
	acq(m, 3, 1, true, true);
	assert_int_equal(fl_mml_side_contended(wl(m, true)), 0);
	fl_mml_free(m);
}

/* A loss forgets what is in flight: the release after it is unmatched, never a hold that
 * spans the gap; the figures say so. */
static void test_lost(void **state)
{
	struct fl_mml *m = fl_mml_new();
	struct fl_mml_totals t;
	json_t *o;
	uint64_t n;

	start(m, 0, 1, true);
	acq(m, 10, 1, true, true);
	start(m, 11, 2, false);
	fl_mml_lost(m, 42);
	rel(m, 5000, 1, true);
	acq(m, 5001, 2, false, true);		/* its start was forgotten: no wait */
	rel(m, 5010, 2, false);
	fl_mml_get_totals(m, &t);
	assert_int_equal(t.lost, 42);
	assert_int_equal(t.dropped, 2);
	hold_max(wl(m, true), &n);
	assert_int_equal(n, 0);
	assert_int_equal(fl_mml_side_unmatched(wl(m, true)), 1);
	wait_max(wl(m, false), &n);
	assert_int_equal(n, 0);
	assert_int_equal(hold_max(wl(m, false), &n), 9);
	o = fl_mml_json(m, true);
	assert_int_equal(json_integer_value(json_object_get(o, "lost_events")), 42);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "write"),
							    "lost_events")), 42);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(o, "read"),
						 "note")), "lost events"));
	assert_non_null(json_object_get(json_object_get(json_object_get(o, "khugepaged"),
							"write"), "lost_events"));
	json_decref(o);
	fl_mml_free(m);
}

static void test_no_lost_no_note(void **state)
{
	struct fl_mml *m = fl_mml_new();
	json_t *o, *r;

	start(m, 0, 1, false);
	acq(m, 1, 1, false, true);
	rel(m, 2, 1, false);
	o = fl_mml_json(m, false);
	r = json_object_get(o, "read");
	assert_null(json_object_get(r, "lost_events"));
	assert_null(json_object_get(r, "note"));
	assert_int_equal(json_integer_value(json_object_get(o, "lost_events")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "khugepaged"),
							      "status")), "absent");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "hold"), "p50")), 1);
	json_decref(o);
	fl_mml_free(m);
}

/* Releases of locks taken before the phase, or by another task (non_owner unlock). */
static void test_unmatched(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	rel(m, 5, 1, false);
	start(m, 10, 2, false);
	acq(m, 11, 2, false, true);
	rel(m, 20, 3, false);			/* another task releases task 2's lock */
	rel(m, 30, 1, true);
	assert_int_equal(fl_mml_side_unmatched(wl(m, false)), 2);
	assert_int_equal(fl_mml_side_unmatched(wl(m, true)), 1);
	hold_max(wl(m, false), &n);
	assert_int_equal(n, 0);
	fl_mml_free(m);
}

/* Recursive read holds pair last-in first-out; locks of two mms (fork's dup_mmap) pair by
 * mm. */
static void test_nested(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	acq(m, 0, 1, false, true);		/* trylock-style: no start */
	acq(m, 10, 1, false, true);
	rel(m, 20, 1, false);			/* the inner one: 10 */
	rel(m, 50, 1, false);			/* the outer one: 50 */
	assert_int_equal(fl_mml_side_hold(wl(m, false), 1, &n), 10);
	assert_int_equal(hold_max(wl(m, false), &n), 50);
	assert_int_equal(n, 2);

	ev(m, 100, 5, FL_MML_START, true, false, MM1, FL_MML_WORKLOAD);
	ev(m, 101, 5, FL_MML_ACQUIRE, true, true, MM1, FL_MML_WORKLOAD);
	ev(m, 102, 5, FL_MML_START, true, false, MM2, FL_MML_WORKLOAD);
	ev(m, 104, 5, FL_MML_ACQUIRE, true, true, MM2, FL_MML_WORKLOAD);
	ev(m, 200, 5, FL_MML_RELEASE, true, false, MM1, FL_MML_WORKLOAD);	/* 99 */
	ev(m, 300, 5, FL_MML_RELEASE, true, false, MM2, FL_MML_WORKLOAD);	/* 196 */
	assert_int_equal(fl_mml_side_hold(wl(m, true), 1, &n), 99);
	assert_int_equal(hold_max(wl(m, true), &n), 196);
	assert_int_equal(n, 2);
	assert_int_equal(fl_mml_side_count(wl(m, true)), 2);
	fl_mml_free(m);
}

/* mmap_write_downgrade: acquire_returned(read) while holding write; the write hold ends
 * there, the read remainder is released as read and not timed. */
static void test_downgrade(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;

	start(m, 0, 1, true);
	acq(m, 10, 1, true, true);
	acq(m, 30, 1, false, true);
	rel(m, 100, 1, false);
	assert_int_equal(hold_max(wl(m, true), &n), 20);
	assert_int_equal(n, 1);
	assert_int_equal(fl_mml_side_downgrades(wl(m, true)), 1);
	assert_int_equal(fl_mml_side_count(wl(m, false)), 0);
	hold_max(wl(m, false), &n);
	assert_int_equal(n, 0);
	assert_int_equal(fl_mml_side_unmatched(wl(m, false)), 0);
	fl_mml_free(m);
}

/* A trylock that finds the lock taken, an interrupted killable wait: a wait, no hold. */
static void test_failed(void **state)
{
	struct fl_mml *m = fl_mml_new();
	json_t *o;
	uint64_t n;

	start(m, 0, 1, false);
	acq(m, 1, 1, false, false);
	start(m, 5, 1, true);
	acq(m, 905, 1, true, false);
	acq(m, 1000, 2, false, false);		/* no start at all: an older kernel's trylock */
	assert_int_equal(fl_mml_side_count(wl(m, false)), 0);
	assert_int_equal(fl_mml_side_count(wl(m, true)), 0);
	assert_int_equal(wait_max(wl(m, true), &n), 900);
	hold_max(wl(m, true), &n);
	assert_int_equal(n, 0);
	o = fl_mml_json(m, false);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "read"), "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "read"),
							    "trylock_failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "write"), "failed")), 1);
	/* a lock not got was contended, whatever the trace showed of its holder */
	assert_int_equal(fl_mml_side_contended(wl(m, false)), 2);
	assert_int_equal(fl_mml_side_contended(wl(m, true)), 1);
	json_decref(o);
	fl_mml_free(m);
}

/* A start never answered (its acquire_returned lost at a trace edge) is replaced, not paired
 * with a later answer of another mode. */
static void test_abandoned_and_finish(void **state)
{
	struct fl_mml *m = fl_mml_new();
	struct fl_mml_totals t;
	uint64_t n;

	start(m, 0, 1, true);
	start(m, 10, 1, false);
	acq(m, 12, 1, false, true);
	start(m, 20, 2, true);
	fl_mml_finish(m);
	fl_mml_get_totals(m, &t);
	assert_int_equal(t.abandoned, 1);
	assert_int_equal(t.pending_at_stop, 1);
	assert_int_equal(t.open_at_stop, 1);
	assert_int_equal(t.events[FL_MML_START], 3);
	assert_int_equal(t.events[FL_MML_ACQUIRE], 1);
	assert_int_equal(wait_max(wl(m, false), &n), 2);
	wait_max(wl(m, true), &n);
	assert_int_equal(n, 0);
	fl_mml_free(m);
}

/* khugepaged's write hold is its own figure; its hold makes the workload's reader contended. */
static void test_roles(void **state)
{
	struct fl_mml *m = fl_mml_new();
	const struct fl_mml_side *kh;
	json_t *o;
	uint64_t n;

	ev(m, 0, 38, FL_MML_START, true, false, MM1, FL_MML_KHUGEPAGED);
	ev(m, 2, 38, FL_MML_ACQUIRE, true, true, MM1, FL_MML_KHUGEPAGED);
	start(m, 3, 1, false);
	ev(m, 1002, 38, FL_MML_RELEASE, true, false, MM1, FL_MML_KHUGEPAGED);
	acq(m, 1003, 1, false, true);
	rel(m, 1010, 1, false);
	ev(m, 2000, 99, FL_MML_START, false, false, MM1, FL_MML_OTHER);
	ev(m, 2001, 99, FL_MML_ACQUIRE, false, true, MM1, FL_MML_OTHER);
	kh = fl_mml_side(m, FL_MML_KHUGEPAGED, true);
	assert_int_equal(fl_mml_side_count(kh), 1);
	assert_int_equal(hold_max(kh, &n), 1000);
	assert_int_equal(fl_mml_side_count(wl(m, true)), 0);
	assert_int_equal(fl_mml_side_contended(wl(m, false)), 1);
	assert_int_equal(wait_max(wl(m, false), &n), 1000);
	assert_int_equal(fl_mml_side_count(fl_mml_side(m, FL_MML_OTHER, false)), 1);
	o = fl_mml_json(m, true);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
			 o, "khugepaged"), "write"), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
			 o, "other_tasks"), "read"), "count")), 1);
	json_decref(o);
	fl_mml_free(m);
}

/* Many tasks: the task table grows and keeps every pairing. */
static void test_many_tasks(void **state)
{
	struct fl_mml *m = fl_mml_new();
	uint64_t n;
	int i;

	for (i = 1; i <= 1000; i++)
		start(m, (uint64_t)i, i, false);
	for (i = 1; i <= 1000; i++)
		acq(m, 2000 + (uint64_t)i, i, false, true);
	for (i = 1; i <= 1000; i++)
		rel(m, 4000 + (uint64_t)i, i, false);
	assert_int_equal(fl_mml_side_count(wl(m, false)), 1000);
	assert_int_equal(wait_max(wl(m, false), &n), 2000);
	assert_int_equal(n, 1000);
	assert_int_equal(hold_max(wl(m, false), &n), 2000);
	assert_int_equal(fl_mml_side_unmatched(wl(m, false)), 0);
	fl_mml_free(m);
}

/* ---- format files and decoding ---------------------------------------------------- */

static const char fmt_618[] =
	"name: mmap_lock_acquire_returned\nID: 675\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 memcg_id;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\tfield:bool success;\toffset:25;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_id=%llu write=%s success=%s\", REC->mm, REC->memcg_id, "
	"REC->write ? \"true\" : \"false\", REC->success ? \"true\" : \"false\"\n";

/* 6.12: memcg_path is a __data_loc string, so write and success sit elsewhere. */
static const char fmt_612[] =
	"name: mmap_lock_acquire_returned\nID: 512\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] memcg_path;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:bool write;\toffset:20;\tsize:1;\tsigned:0;\n"
	"\tfield:bool success;\toffset:21;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_path=%s write=%s success=%s\", REC->mm, "
	"__get_str(memcg_path), REC->write ? \"true\" : \"false\", REC->success ? \"true\" : "
	"\"false\"\n";

static const char fmt_mm_id[] =
	"name: mmap_lock_released\nID: 9\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned int mm_id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:bool write;\toffset:12;\tsize:1;\tsigned:0;\n";

static void test_format_parse(void **state)
{
	struct fl_mml_format f;
	char why[128];

	assert_int_equal(fl_mml_format_parse(fmt_618, true, &f, why, sizeof(why)), 0);
	assert_int_equal(f.id, 675);
	assert_int_equal(f.mm.off, 8);
	assert_int_equal(f.mm.size, 8);
	assert_int_equal(f.write.off, 24);
	assert_int_equal(f.success.off, 25);
	assert_false(f.mm_is_id);
	assert_int_equal(fl_mml_format_parse(fmt_612, true, &f, why, sizeof(why)), 0);
	assert_int_equal(f.id, 512);
	assert_int_equal(f.write.off, 20);
	assert_int_equal(f.success.off, 21);
	assert_int_equal(fl_mml_format_parse(fmt_mm_id, false, &f, why, sizeof(why)), 0);
	assert_true(f.mm_is_id);
	assert_int_equal(f.mm.size, 4);
	assert_int_equal(fl_mml_format_parse(fmt_mm_id, true, &f, why, sizeof(why)), -1);
	assert_string_equal(why, "the format file has no success field");
	assert_int_equal(fl_mml_format_parse("name: x\nformat:\n", false, &f, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "the format file has no \"ID:\" line");
	assert_int_equal(fl_mml_format_parse("name: x\nID: 3\n\tfield:bool write;\toffset:8;"
					     "\tsize:1;\tsigned:0;\n", false, &f, why,
					     sizeof(why)), -1);
	assert_string_equal(why, "the format file has no mm (or mm_id) field");
}

static void test_decode(void **state)
{
	struct fl_mml_format fmt[FL_MML_TYPES];
	struct fl_mml_event e = { 0 };
	unsigned char raw[32] = { 0 };
	uint16_t type = 512;
	uint64_t mm = MM2;
	char why[128];
	int i;

	for (i = 0; i < FL_MML_TYPES; i++)
		assert_int_equal(fl_mml_format_parse(fmt_612, true, &fmt[i], why, sizeof(why)), 0);
	fmt[FL_MML_START].id = 510;
	fmt[FL_MML_RELEASE].id = 511;
	memcpy(raw, &type, 2);
	memcpy(raw + 8, &mm, 8);
	raw[20] = 1;
	raw[21] = 0;
	assert_int_equal(fl_mml_decode(fmt, raw, 24, &e), 0);
	assert_int_equal(e.type, FL_MML_ACQUIRE);
	assert_true(e.mm == MM2);
	assert_true(e.write);
	assert_false(e.success);
	assert_int_equal(fl_mml_decode(fmt, raw, 21, &e), -1);	/* success cut off */
	type = 511;
	memcpy(raw, &type, 2);
	assert_int_equal(fl_mml_decode(fmt, raw, 24, &e), 0);
	assert_int_equal(e.type, FL_MML_RELEASE);
	type = 600;
	memcpy(raw, &type, 2);
	assert_int_equal(fl_mml_decode(fmt, raw, 24, &e), -1);
	assert_int_equal(fl_mml_decode(fmt, raw, 1, &e), -1);
}

/* ---- the probe set and the running kernel ------------------------------------------ */

static json_t *run_set(const char *list, int loops)
{
	struct fl_probe_ctx ctx = { .pid = getpid(), .ncpus = fl_online_cpus(),
				    .proc_root = "/proc" };
	char err[FL_ERRLEN] = "";
	struct fl_probe_set *set = fl_probes_open(list, &ctx, err, sizeof(err));
	json_t *o = json_object();
	int i;

	if (!set)
		fail_msg("fl_probes_open(%s): %s", list, err);
	assert_int_equal(fl_probes_start(set), 0);
	for (i = 0; i < loops; i++) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(p != MAP_FAILED);
		munmap(p, 4096);
	}
	assert_int_equal(fl_probes_stop(set), 0);
	fl_probes_emit(set, o);
	fl_probes_close(set);
	return o;
}

static void test_set_all_leaves_it_out(void **state)
{
	json_t *o = run_set("all", 0);

	assert_null(json_object_get(o, "mmap_lock"));
	assert_non_null(json_object_get(o, "vmstat"));
	json_decref(o);
	o = run_set("vmstat,mmap_lock", 0);
	assert_non_null(json_object_get(o, "mmap_lock"));
	json_decref(o);
}

static void test_kernel_records(void **state)
{
	json_t *o, *s, *w;

	if (geteuid() || access("/sys/kernel/tracing/events/mmap_lock", F_OK))
		skip();
	o = run_set("mmap_lock", 200);
	s = json_object_get(o, "mmap_lock");
	assert_null(json_object_get(s, "status"));
	assert_string_equal(json_string_value(json_object_get(s, "scope")), "mm");
	w = json_object_get(s, "write");
	/* mmap and munmap each take the write lock */
	assert_true(json_integer_value(json_object_get(w, "count")) >= 400);
	assert_true(json_integer_value(json_object_get(json_object_get(w, "hold"), "count")) >= 400);
	assert_int_equal(json_integer_value(json_object_get(s, "lost_events")), 0);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_pair),
		cmocka_unit_test(test_tasks_interleaved),
		cmocka_unit_test(test_contended),
		cmocka_unit_test(test_contended_writer_waiting),
		cmocka_unit_test(test_own_hold_not_contended),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_no_lost_no_note),
		cmocka_unit_test(test_unmatched),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_abandoned_and_finish),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_many_tasks),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_set_all_leaves_it_out),
		cmocka_unit_test(test_kernel_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
