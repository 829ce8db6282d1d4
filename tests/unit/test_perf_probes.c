// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the perf probes (sw, tracepoints, hw), the rusage probe, the probe set and the perf
 * stat control FIFOs, against the running kernel: no mocks. Tracepoint tests are skipped unless root.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "probes/probe.h"
#include "probes/perf_ctl.h"
#include "probes/csd_calls.h"
#include "probes/rusage.h"
#include "fl_util.h"

#define TOUCH_PAGES	4096
#define FAULT_SLACK	128	/* faults of the test's own code between start and stop */

struct run {
	struct fl_probe_set *set;
	json_t *case_obj;
	char err[FL_ERRLEN];
};

static void run_open(struct run *r, const char *list, const char *const *tps)
{
	struct fl_probe_ctx ctx = {
		.pid = getpid(),
		.ncpus = fl_online_cpus(),
		.tracepoints = tps,
		.proc_root = "/proc",
	};

	r->err[0] = '\0';
	r->set = fl_probes_open(list, &ctx, r->err, sizeof(r->err));
	if (!r->set)
		fail_msg("fl_probes_open(%s): %s", list, r->err);
	r->case_obj = json_object();
	assert_non_null(r->case_obj);
}

static void run_finish(struct run *r)
{
	fl_probes_emit(r->set, r->case_obj);
	fl_probes_close(r->set);
	r->set = NULL;
}

static json_t *counter(struct run *r, const char *name)
{
	json_t *c = json_object_get(json_object_get(r->case_obj, "counters"), name);

	if (!c) {
		char *dump = json_dumps(r->case_obj, JSON_COMPACT);

		fail_msg("no counter '%s' in %s", name, dump ? dump : "?");
	}
	return c;
}

static long long value_of(json_t *c)
{
	json_t *v = json_object_get(c, "value");

	if (!json_is_integer(v)) {
		char *dump = json_dumps(c, JSON_COMPACT);

		fail_msg("not a counted value: %s", dump ? dump : "?");
	}
	return json_integer_value(v);
}

static void assert_missing(json_t *c, const char *status)
{
	const char *st = json_string_value(json_object_get(c, "status"));
	const char *reason = json_string_value(json_object_get(c, "reason"));

	assert_non_null(st);
	assert_string_equal(st, status);
	assert_non_null(reason);
	assert_true(strlen(reason) > 10);
	assert_null(json_object_get(c, "value"));
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* Without root and with perf_event_paranoid 2 the sw counters are unsupported, with why. */
static void skip_if_not_permitted(struct run *r)
{
	json_t *c = counter(r, "page-faults");

	if (geteuid() == 0 || json_object_get(c, "value"))
		return;
	assert_missing(c, "unsupported");
	json_decref(r->case_obj);
	skip();
}

/* Not instrumented: ASan shadow accesses would add faults of their own. */
__attribute__((no_sanitize_address, noinline))
static void touch_pages(char *p, size_t pages, size_t psz)
{
	size_t i;

	for (i = 0; i < pages; i++)
		((volatile char *)p)[i * psz] = 1;
}

static char *fresh_pages(size_t pages, size_t psz)
{
	char *p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(madvise(p, pages * psz, MADV_NOHUGEPAGE), 0);
	return p;
}

static void test_sw_page_faults(void **state)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	char *p = fresh_pages(TOUCH_PAGES, psz);
	struct run r;
	long long faults;

	run_open(&r, "sw", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	touch_pages(p, TOUCH_PAGES, psz);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	skip_if_not_permitted(&r);

	faults = value_of(counter(&r, "page-faults"));
	print_message("page-faults %lld for %d touched pages\n", faults, TOUCH_PAGES);
	assert_true(faults >= TOUCH_PAGES);
	assert_true(faults < TOUCH_PAGES + FAULT_SLACK);
	assert_true(value_of(counter(&r, "minor-faults")) >= TOUCH_PAGES);
	/* task-clock is read here, but not required > 0: on a loaded machine kernel 6.18
	 * sometimes reports 0 ns for this short phase of one thread (seen 4-138 times in 200
	 * loops, before and after the probe refactor); the agent's real cases count it. */
	assert_true(value_of(counter(&r, "task-clock")) >= 0);
	assert_string_equal(json_string_value(json_object_get(counter(&r, "task-clock"), "unit")),
			    "ns");
	assert_string_equal(json_string_value(json_object_get(counter(&r, "page-faults"),
							      "scope")), "task");
	value_of(counter(&r, "major-faults"));
	value_of(counter(&r, "context-switches"));
	value_of(counter(&r, "cpu-migrations"));
	json_decref(r.case_obj);
	munmap(p, TOUCH_PAGES * psz);
}

struct toucher {
	pthread_barrier_t go, done;
	char *p;
	size_t pages, psz;
};

static void *toucher_fn(void *arg)
{
	struct toucher *t = arg;

	pthread_barrier_wait(&t->go);
	touch_pages(t->p, t->pages, t->psz);
	pthread_barrier_wait(&t->done);
	return NULL;
}

/* A thread created after open and before start is counted (inherit), also after it exits. */
static void test_sw_inherit_thread(void **state)
{
	struct toucher t = { .pages = 1024, .psz = sysconf(_SC_PAGESIZE) };
	pthread_t th;
	struct run r;
	long long faults;

	t.p = fresh_pages(t.pages, t.psz);
	pthread_barrier_init(&t.go, NULL, 2);
	pthread_barrier_init(&t.done, NULL, 2);
	run_open(&r, "sw", NULL);
	assert_int_equal(pthread_create(&th, NULL, toucher_fn, &t), 0);
	assert_int_equal(fl_probes_start(r.set), 0);
	pthread_barrier_wait(&t.go);
	pthread_barrier_wait(&t.done);
	pthread_join(th, NULL);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	skip_if_not_permitted(&r);

	faults = value_of(counter(&r, "page-faults"));
	print_message("page-faults %lld for %zu pages touched by a thread\n", faults, t.pages);
	assert_true(faults >= (long long)t.pages);
	assert_true(faults < (long long)t.pages + FAULT_SLACK);
	json_decref(r.case_obj);
	pthread_barrier_destroy(&t.go);
	pthread_barrier_destroy(&t.done);
	munmap(t.p, t.pages * t.psz);
}

static const char *source_of(json_t *c)
{
	const char *src = json_string_value(json_object_get(c, "source"));

	if (!src) {
		char *dump = json_dumps(c, JSON_COMPACT);

		fail_msg("no source in %s", dump ? dump : "?");
	}
	return src;
}

/* The default set counts faults, context switches and CPU time from getrusage (nothing per
 * event), not with the per-task perf software events; cpu-migrations is absent, with why.
 * Before: "all" ran the sw probe ("source": "perf", 3-5% of a fault-bound workload). */
static void test_default_set_getrusage(void **state)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	char *p = fresh_pages(TOUCH_PAGES, psz);
	static const char *const names[] = { "page-faults", "minor-faults", "major-faults",
					     "context-switches", "task-clock" };
	struct run r;
	long long faults;
	size_t i;

	run_open(&r, "all", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	touch_pages(p, TOUCH_PAGES, psz);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(source_of(counter(&r, names[i])), "getrusage");
		assert_string_equal(json_string_value(json_object_get(counter(&r, names[i]),
								      "scope")), "task");
		assert_true(value_of(counter(&r, names[i])) >= 0);
	}
	faults = value_of(counter(&r, "page-faults"));
	print_message("default probes: page-faults %lld for %d touched pages\n", faults,
		      TOUCH_PAGES);
	assert_true(faults >= TOUCH_PAGES);
	assert_true(faults < TOUCH_PAGES + FAULT_SLACK);
	assert_int_equal(value_of(counter(&r, "minor-faults")) +
			 value_of(counter(&r, "major-faults")), faults);
	assert_string_equal(json_string_value(json_object_get(counter(&r, "task-clock"), "unit")),
			    "ns");
	assert_missing(counter(&r, "cpu-migrations"), "absent");
	assert_non_null(strstr(json_string_value(json_object_get(counter(&r, "cpu-migrations"),
								 "reason")), "--probes all,sw"));
	json_decref(r.case_obj);
	munmap(p, TOUCH_PAGES * psz);
}

/* Named, the perf software events keep the names they count (cpu-migrations included). */
static void test_all_sw_perf_names(void **state)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	char *p = fresh_pages(TOUCH_PAGES, psz);
	struct run r;

	run_open(&r, "all,sw", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	touch_pages(p, TOUCH_PAGES, psz);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	skip_if_not_permitted(&r);
	assert_string_equal(source_of(counter(&r, "page-faults")), "perf");
	assert_string_equal(source_of(counter(&r, "cpu-migrations")), "perf");
	assert_string_equal(source_of(counter(&r, "task-clock")), "perf");
	assert_true(value_of(counter(&r, "page-faults")) >= TOUCH_PAGES);
	json_decref(r.case_obj);
	munmap(p, TOUCH_PAGES * psz);
}

/* A thread created and gone within the phase is counted (RUSAGE_SELF keeps exited threads). */
static void test_rusage_thread_in_phase(void **state)
{
	struct toucher t = { .pages = 1024, .psz = sysconf(_SC_PAGESIZE) };
	pthread_t th;
	struct run r;
	long long faults;

	t.p = fresh_pages(t.pages, t.psz);
	pthread_barrier_init(&t.go, NULL, 2);
	pthread_barrier_init(&t.done, NULL, 2);
	run_open(&r, "rusage", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	assert_int_equal(pthread_create(&th, NULL, toucher_fn, &t), 0);
	pthread_barrier_wait(&t.go);
	pthread_barrier_wait(&t.done);
	pthread_join(th, NULL);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	faults = value_of(counter(&r, "page-faults"));
	print_message("page-faults %lld for %zu pages of a thread that exited in the phase\n",
		      faults, t.pages);
	assert_true(faults >= (long long)t.pages);
	assert_true(faults < (long long)t.pages + FAULT_SLACK);
	assert_true(value_of(counter(&r, "context-switches")) >= 1);
	json_decref(r.case_obj);
	pthread_barrier_destroy(&t.go);
	pthread_barrier_destroy(&t.done);
	munmap(t.p, t.pages * t.psz);
}

/* A child process that touches its pages when told (a byte on go), says so (a byte on done),
 * and exits when told again. */
struct kid {
	pid_t pid;
	int go, done;
};

static void kid_main(size_t pages, int go, int done)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	char *p, b = 'd';

	p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || read(go, &b, 1) != 1)
		_exit(1);
	madvise(p, pages * psz, MADV_NOHUGEPAGE);
	touch_pages(p, pages, psz);
	if (write(done, &b, 1) != 1)
		_exit(1);
	_exit(read(go, &b, 1) == 1 ? 0 : 1);
}

static void kid_fork(struct kid *k, size_t pages)
{
	int go[2], done[2];

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		close(go[1]);
		close(done[0]);
		kid_main(pages, go[0], done[1]);
	}
	close(go[0]);
	close(done[1]);
	k->go = go[1];
	k->done = done[0];
}

/* Tell the child to touch its pages and wait until it has. */
static void kid_touch(struct kid *k)
{
	char b;

	assert_int_equal(write(k->go, "g", 1), 1);
	assert_int_equal(read(k->done, &b, 1), 1);
}

static void kid_reap(struct kid *k)
{
	int status;

	assert_int_equal(write(k->go, "x", 1), 1);
	assert_int_equal(waitpid(k->pid, &status, 0), k->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(k->go);
	close(k->done);
}

/* Child processes, as percore-map's percore-mm workers (forked before, alive after the phase)
 * and pt-retract's or kernbench's (forked and waited for in the phase), and one alive at start
 * and reaped in the phase: each one's faults in the phase are counted once. The page counts
 * differ by more than the slack, so a child counted twice or not at all fails. */
static void test_rusage_children(void **state)
{
	const size_t n_across = 1024, n_reaped = 2048, n_inside = 4096, slack = 1000;
	long long faults, want = (long long)(n_across + n_reaped + n_inside);
	struct kid across, reaped, inside;
	struct run r;

	kid_fork(&across, n_across);
	kid_fork(&reaped, n_reaped);
	run_open(&r, "rusage", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	kid_touch(&across);
	kid_touch(&reaped);
	kid_reap(&reaped);
	kid_fork(&inside, n_inside);
	kid_touch(&inside);
	kid_reap(&inside);
	assert_int_equal(fl_probes_stop(r.set), 0);
	kid_reap(&across);
	run_finish(&r);
	faults = value_of(counter(&r, "page-faults"));
	print_message("page-faults %lld for %lld pages touched by three children\n", faults, want);
	assert_true(faults >= want);
	assert_true(faults < want + (long long)slack);
	assert_true(value_of(counter(&r, "context-switches")) >= 3);
	json_decref(r.case_obj);
}

/* The arithmetic over two snapshots: a child reaped in the phase counts from start only, one
 * born in it from 0, a reused pid (another starttime) is another child; counts that went
 * backwards are an error, not a figure. */
static void test_rusage_phase_arith(void **state)
{
	struct fl_ru_child k0[] = {
		{ .pid = 10, .starttime = 5, .v = { { 100, 1, 10, 2, 1000 } } },	/* reaped */
		{ .pid = 11, .starttime = 5, .v = { { 200, 0, 20, 0, 2000 } } },	/* lives */
		{ .pid = 12, .starttime = 5, .v = { { 300, 0, 30, 0, 3000 } } },	/* reused */
	};
	struct fl_ru_child k1[] = {
		{ .pid = 11, .starttime = 5, .v = { { 250, 0, 25, 1, 2500 } } },
		{ .pid = 12, .starttime = 9, .v = { { 7, 0, 1, 0, 70 } } },
		{ .pid = 13, .starttime = 9, .v = { { 40, 0, 4, 0, 400 } } },	/* born */
	};
	struct fl_ru_snap s0 = { .self = { { 1000, 0, 5, 5, 100000 } },
				 .reaped = { { 50, 0, 0, 0, 0 } }, .kids = k0, .nkids = 3 };
	struct fl_ru_snap s1 = { .self = { { 1500, 2, 8, 6, 300000 } },
				 .reaped = { { 50 + 130 + 300 + 20, 1 + 0, 12 + 30 + 3, 2 + 0,
					       1300 + 3000 + 200 } },
				 .kids = k1, .nkids = 3 };
	struct fl_ru_vals d;

	/* self 500 + reaped (130 - 100) + 12's old life (300 - 300) + 20 (born and reaped)
	 * + 11: 50 + 12 (new): 7 + 13: 40 */
	assert_int_equal(fl_ru_phase(&s0, &s1, &d), 0);
	assert_int_equal(d.v[FL_RU_MINFLT], 500 + 30 + 0 + 20 + 50 + 7 + 40);
	assert_int_equal(d.v[FL_RU_MAJFLT], 2 + 0 + 0);
	assert_int_equal(d.v[FL_RU_NVCSW], 3 + (12 - 10) + 0 + 3 + 5 + 1 + 4);
	assert_int_equal(d.v[FL_RU_NIVCSW], 1 + 0 + 1);
	assert_int_equal(d.v[FL_RU_CPU_NS], 200000 + 300 + 0 + 200 + 500 + 70 + 400);
	/* children 10 and the old 12 "reaped" with less than they had at start */
	s1.self.v[FL_RU_MINFLT] = 1000;
	s1.reaped.v[FL_RU_MINFLT] = 50;
	assert_int_equal(fl_ru_phase(&s0, &s1, &d), -1);
}

static void test_rusage_parse(void **state)
{
	static const char stat[] = "4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 1234 99 7 1 "
				   "10 20 0 0 20 0 1 0 987654 1000 100 18446744073709551615";
	static const char status[] = "Name:\ta\nvoluntary_ctxt_switches:\t12\n"
				     "nonvoluntary_ctxt_switches:\t34\n";
	unsigned long long minflt, majflt, st, nv, niv;
	pid_t ppid;

	assert_int_equal(fl_ru_parse_stat(stat, &minflt, &majflt, &ppid, &st), 0);
	assert_int_equal(minflt, 1234);
	assert_int_equal(majflt, 7);
	assert_int_equal(ppid, 17);
	assert_int_equal(st, 987654);
	assert_int_equal(fl_ru_parse_stat("4242 (a) S 1 2", &minflt, &majflt, &ppid, &st), -1);
	assert_int_equal(fl_ru_parse_status(status, &nv, &niv), 0);
	assert_int_equal(nv, 12);
	assert_int_equal(niv, 34);
	assert_int_equal(fl_ru_parse_status("Name:\ta\n", &nv, &niv), -1);
}

/* getrusage counts only the caller: another pid gets "unsupported" with the reason. */
static void test_rusage_other_pid(void **state)
{
	struct fl_probe_ctx ctx = { .pid = getppid(), .ncpus = 1, .proc_root = "/proc" };
	struct fl_probe_set *set;
	char err[FL_ERRLEN];
	json_t *o = json_object();

	set = fl_probes_open("rusage", &ctx, err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(fl_probes_start(set), 0);
	assert_int_equal(fl_probes_stop(set), 0);
	fl_probes_emit(set, o);
	fl_probes_close(set);
	assert_missing(json_object_get(json_object_get(o, "counters"), "page-faults"),
		       "unsupported");
	json_decref(o);
}

static void test_tp_absent(void **state)
{
	static const char *const tps[] = { "faultline_nosuch:*", "sched:faultline_nosuch", NULL };
	struct run r;
	const char *reason;

	skip_unless_root();
	run_open(&r, "tracepoints", tps);
	assert_int_equal(fl_probes_start(r.set), 0);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	assert_missing(counter(&r, "faultline_nosuch:*"), "absent");
	assert_missing(counter(&r, "sched:faultline_nosuch"), "absent");
	reason = json_string_value(json_object_get(counter(&r, "faultline_nosuch:*"), "reason"));
	assert_string_equal(reason, "no tracepoint matches faultline_nosuch:* in this kernel");
	json_decref(r.case_obj);
}

static int have_tracepoint(const char *sys, const char *ev)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", sys, ev);
	if (access(path, R_OK) == 0)
		return 1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s/id", sys, ev);
	return access(path, R_OK) == 0;
}

static void test_tp_counts_syscalls(void **state)
{
	static const char *const tps[] = { "syscalls:sys_enter_getppid", "raw_syscalls:sys_enter",
					   NULL };
	const int n = 1000;
	json_t *c, *per_cpu, *x;
	long long total, sum = 0;
	struct run r;
	size_t i;
	int k;

	skip_unless_root();
	run_open(&r, "tracepoints", tps);
	assert_int_equal(fl_probes_start(r.set), 0);
	for (k = 0; k < n; k++)
		syscall(SYS_getppid);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);

	c = counter(&r, have_tracepoint("syscalls", "sys_enter_getppid") ?
		    "syscalls:sys_enter_getppid" : "raw_syscalls:sys_enter");
	total = value_of(c);
	print_message("%d getppid calls counted as %lld\n", n, total);
	assert_true(total >= n);
	assert_string_equal(json_string_value(json_object_get(c, "scope")), "system");
	assert_string_equal(json_string_value(json_object_get(c, "source")), "tracepoint");
	per_cpu = json_object_get(c, "per_cpu");
	assert_true(json_is_array(per_cpu));
	assert_true(json_array_size(per_cpu) >= 1);
	json_array_foreach(per_cpu, i, x)
		sum += json_integer_value(x);
	assert_int_equal(sum, total);
	json_decref(r.case_obj);
}

static _Atomic int spin_stop;

static void *spin_on_cpu1(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!spin_stop)
		;
	return arg;
}

/* Reading a counter that is active on another CPU makes that CPU read it for us
 * (perf_event_read -> smp_call_function_single): from CPU 0, n reads of a CPU 1 software
 * counter are n calls received by CPU 1. CPU 1 is kept busy: an idle one polls and picks the
 * calls up without an interrupt, and those the tracepoint did not see here (6.18: 1006 calls,
 * 161 idle wakeups without an IPI, 844 counted). */
static void test_csd_calls_remote_reads(void **state)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
	};
	const int n = 1000;
	struct fl_csd_calls *csd;
	json_t *j, *per_cpu, *cpus, *x;
	long long on1 = -1, sum = 0;
	pthread_t th;
	uint64_t v;
	cpu_set_t set;
	size_t i;
	int k, fd;

	skip_unless_root();
	if (!have_tracepoint("csd", "csd_function_entry") || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
	fd = (int)syscall(SYS_perf_event_open, &attr, -1, 1, -1, 0);
	assert_true(fd >= 0);
	spin_stop = 0;
	assert_int_equal(pthread_create(&th, NULL, spin_on_cpu1, NULL), 0);
	usleep(20000);
	csd = fl_csd_calls_open();
	assert_non_null(csd);
	fl_csd_calls_start(csd);
	for (k = 0; k < n; k++)
		assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	fl_csd_calls_stop(csd);
	spin_stop = 1;
	pthread_join(th, NULL);
	close(fd);
	j = fl_csd_calls_json(csd);
	per_cpu = json_object_get(j, "per_cpu");
	cpus = json_object_get(j, "cpus");
	assert_non_null(per_cpu);
	assert_int_equal(json_array_size(per_cpu), json_array_size(cpus));
	json_array_foreach(per_cpu, i, x) {
		sum += json_integer_value(x);
		if (json_integer_value(json_array_get(cpus, i)) == 1)
			on1 = json_integer_value(x);
	}
	print_message("%d remote counter reads: CPU 1 received %lld cross-CPU calls, all %lld\n",
		      n, on1, sum);
	assert_int_equal(sum, json_integer_value(json_object_get(j, "total")));
	assert_true(on1 >= n && on1 <= n + n / 10);
	assert_non_null(strstr(json_string_value(json_object_get(j, "source")), "csd != 0"));
	json_decref(j);
	fl_csd_calls_close(csd);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* More events than the cap: the rest is reported under the glob, never silently dropped. */
static void test_tp_cap(void **state)
{
	static const char *const tps[] = { "*:*", NULL };
	const char *reason;
	struct run r;

	skip_unless_root();
	run_open(&r, "tracepoints", tps);
	run_finish(&r);
	assert_missing(counter(&r, "*:*"), "unsupported");
	reason = json_string_value(json_object_get(counter(&r, "*:*"), "reason"));
	print_message("%s\n", reason);
	assert_non_null(strstr(reason, "at most 256"));
	assert_true(json_object_size(json_object_get(r.case_obj, "counters")) == 257);
	json_decref(r.case_obj);
}

static void test_hw_value_or_unsupported(void **state)
{
	static const char *const names[] = { "cycles", "instructions", "dTLB-load-misses" };
	size_t psz = sysconf(_SC_PAGESIZE);
	char *p = fresh_pages(16, psz);
	struct run r;
	size_t i;

	run_open(&r, "hw", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	touch_pages(p, 16, psz);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	for (i = 0; i < 3; i++) {
		json_t *c = counter(&r, names[i]);

		if (json_object_get(c, "value")) {
			assert_true(value_of(c) > 0);
			continue;
		}
		assert_missing(c, "unsupported");
		print_message("%s: %s\n", names[i],
			      json_string_value(json_object_get(c, "reason")));
	}
	json_decref(r.case_obj);
	munmap(p, 16 * psz);
}

static void test_set_unknown_name(void **state)
{
	struct fl_probe_ctx ctx = { .pid = getpid(), .ncpus = 1, .proc_root = "/proc" };
	char err[FL_ERRLEN] = "";

	assert_null(fl_probes_open("sw,bogus,hw", &ctx, err, sizeof(err)));
	assert_string_equal(err, "unknown probe 'bogus' in --probes (expected all, none or a "
			    "comma list of: sw,rusage,tracepoints,hw,vmstat,interrupts,mmap_lock; all "
			    "is every one but sw and mmap_lock)");
	assert_null(fl_probes_open("", &ctx, err, sizeof(err)));
	assert_null(fl_probes_open("all,bogus", &ctx, err, sizeof(err)));
	assert_string_equal(fl_probes_all_names(),
			    "sw,rusage,tracepoints,hw,vmstat,interrupts,mmap_lock");
}

/* Names, help and validation come from the one list (probe_list.h): every listed name opens,
 * and the help names each probe with its own help text, wrapped under the option. */
static void test_list_derives(void **state)
{
	struct fl_probe_ctx ctx = { .pid = getpid(), .ncpus = 1, .proc_root = "/proc" };
	char err[FL_ERRLEN] = "", *names = strdup(fl_probes_all_names()), *tok, *save, *text;
	struct fl_probe_set *set;
	size_t len, n = 0;
	FILE *out;

	for (tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		set = fl_probes_open(tok, &ctx, err, sizeof(err));
		assert_non_null(set);
		fl_probes_close(set);
	}
	assert_int_equal(n, 7);
	free(names);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	fl_probes_usage(out);
	fclose(out);
	assert_non_null(strstr(text, "  --probes=LIST        all, none, or a comma list of the "
			       "probes below (default\n                       all: every one but sw "
			       "and mmap_lock, which are off\n                       unless named: "
			       "all,sw or all,mmap_lock):\n                         sw           "
			       "perf software events of the workload and\n"));
	assert_non_null(strstr(text, "\n                         mmap_lock    mmap_lock wait and "
			       "hold times of the\n                                      "
			       "workload's mm (tracepoints, perf ring\n"
			       "                                      buffers)\n"));
	for (tok = text; (tok = strchr(tok, '\n')) && tok[1]; tok++)
		assert_true(strcspn(tok + 1, "\n") <= 79);
	free(text);
}

static void test_set_none(void **state)
{
	struct run r;

	run_open(&r, "none", NULL);
	assert_int_equal(fl_probes_start(r.set), 0);
	assert_int_equal(fl_probes_stop(r.set), 0);
	run_finish(&r);
	assert_int_equal(json_object_size(r.case_obj), 0);
	json_decref(r.case_obj);
}

static void test_section(void **state)
{
	json_t *o = json_object();
	json_t *s = fl_probe_section(o, "counters");

	assert_non_null(s);
	assert_ptr_equal(fl_probe_section(o, "counters"), s);
	json_object_set_new(o, "bad", json_integer(1));
	assert_null(fl_probe_section(o, "bad"));
	json_decref(o);
}

static void test_ctl_bad_spec(void **state)
{
	char err[FL_ERRLEN];

	assert_null(fl_perf_ctl_open("onlyone", err, sizeof(err)));
	assert_non_null(strstr(err, "must be CTL_FIFO,ACK_FIFO"));
	assert_null(fl_perf_ctl_open("/nonexistent/ctl,/nonexistent/ack", err, sizeof(err)));
	assert_non_null(strstr(err, "No such file or directory"));
}

static pid_t spawn_perf_stat(const char *dir)
{
	char control[600], out[600];
	pid_t pid;
	int fd;

	snprintf(control, sizeof(control), "fifo:%s/ctl,%s/ack", dir, dir);
	snprintf(out, sizeof(out), "%s/stat.csv", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid)
		return pid;
	setpgid(0, 0);	/* so that the test can stop perf and its workload together */
	fd = open("/dev/null", O_RDWR);
	dup2(fd, 1);
	dup2(fd, 2);
	execlp("perf", "perf", "stat", "--control", control, "-D", "-1", "-e", "task-clock",
	       "-x", ",", "-o", out, "--", "sleep", "30", (char *)NULL);
	_exit(127);
}

/* The real perf stat acknowledges enable and disable. */
static void test_ctl_perf_stat(void **state)
{
	char dir[] = "/tmp/fl-perfctl-XXXXXX", path[600], spec[600], err[FL_ERRLEN] = "";
	struct fl_perf_ctl *ctl = NULL;
	int i, status;
	pid_t pid;

	if (system("perf --version >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/ack", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	pid = spawn_perf_stat(dir);
	snprintf(spec, sizeof(spec), "%s/ctl,%s/ack", dir, dir);
	for (i = 0; i < 100 && !ctl; i++) {
		ctl = fl_perf_ctl_open(spec, err, sizeof(err));
		if (!ctl)
			usleep(50000);
	}
	if (!ctl)
		fail_msg("%s", err);
	assert_int_equal(fl_perf_ctl_enable(ctl, err, sizeof(err)), 0);
	assert_int_equal(fl_perf_ctl_disable(ctl, err, sizeof(err)), 0);
	assert_int_equal(fl_perf_ctl_enable(ctl, err, sizeof(err)), 0);
	assert_int_equal(fl_perf_ctl_disable(ctl, err, sizeof(err)), 0);
	fl_perf_ctl_close(ctl);
	kill(-pid, SIGINT);
	waitpid(pid, &status, 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sw_page_faults),
		cmocka_unit_test(test_sw_inherit_thread),
		cmocka_unit_test(test_default_set_getrusage),
		cmocka_unit_test(test_all_sw_perf_names),
		cmocka_unit_test(test_rusage_thread_in_phase),
		cmocka_unit_test(test_rusage_children),
		cmocka_unit_test(test_rusage_phase_arith),
		cmocka_unit_test(test_rusage_parse),
		cmocka_unit_test(test_rusage_other_pid),
		cmocka_unit_test(test_tp_absent),
		cmocka_unit_test(test_tp_counts_syscalls),
		cmocka_unit_test(test_tp_cap),
		cmocka_unit_test(test_csd_calls_remote_reads),
		cmocka_unit_test(test_hw_value_or_unsupported),
		cmocka_unit_test(test_set_unknown_name),
		cmocka_unit_test(test_list_derives),
		cmocka_unit_test(test_set_none),
		cmocka_unit_test(test_section),
		cmocka_unit_test(test_ctl_bad_spec),
		cmocka_unit_test(test_ctl_perf_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
