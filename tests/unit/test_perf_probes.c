// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the perf probes (sw, tracepoints, hw), the probe set and the perf stat control
 * FIFOs, against the running kernel: no mocks. Tracepoint tests are skipped unless root.
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
			    "comma list of: sw,tracepoints,hw,vmstat,interrupts,mmap_lock; all is "
			    "every one but mmap_lock)");
	assert_null(fl_probes_open("", &ctx, err, sizeof(err)));
	assert_null(fl_probes_open("all,bogus", &ctx, err, sizeof(err)));
	assert_string_equal(fl_probes_all_names(), "sw,tracepoints,hw,vmstat,interrupts,mmap_lock");
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
		cmocka_unit_test(test_tp_absent),
		cmocka_unit_test(test_tp_counts_syscalls),
		cmocka_unit_test(test_tp_cap),
		cmocka_unit_test(test_csd_calls_remote_reads),
		cmocka_unit_test(test_hw_value_or_unsupported),
		cmocka_unit_test(test_set_unknown_name),
		cmocka_unit_test(test_set_none),
		cmocka_unit_test(test_section),
		cmocka_unit_test(test_ctl_bad_spec),
		cmocka_unit_test(test_ctl_perf_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
