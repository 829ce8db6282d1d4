// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint filter of csd_calls.c and tp_percpu.c holds on EVERY CPU, against the running
 * kernel (root, csd:csd_function_entry, two CPUs; else skipped).
 *
 * libperf's perf_evsel__apply_filter(), which csd_calls.c used, set the filter only on the
 * first online CPU's fd: every other CPU counted csd:csd_function_entry unfiltered, a CPU's
 * calls to itself (NULL csd) included. Reading a perf counter that is active on a CPU runs
 * __perf_event_read there through smp_call_function_single(): from that same CPU it is a
 * self call (csd NULL, which "csd != 0" leaves out), from another CPU a received call.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "probes/csd_calls.h"
#include "probes/tp_percpu.h"
#include "probes/tracefs.h"

#define CALLS	2000

/* The first online CPU (its fd got the filter even before the fix) and another one. */
struct cpus {
	int first, other;
};

static _Atomic int spin_stop;

/* Keeps the first CPU busy: an idle CPU that polls may take calls without an interrupt. */
static void *spin(void *arg)
{
	const struct cpus *c = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->first, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!spin_stop)
		;
	return NULL;
}

static unsigned long long csd_id(void)
{
	unsigned long long id;
	char why[224];
	const char *dir;

	if (geteuid() != 0 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	dir = fl_tracefs_events_dir(why, sizeof(why));
	if (!dir || fl_tracefs_event_id(dir, "csd", "csd_function_entry", &id))
		skip();
	return id;
}

static int online_cpus(struct cpus *c)
{
	struct fl_tpc *p = fl_tpc_new();
	int n;

	assert_non_null(p);
	n = fl_tpc_ncpus(p);
	c->first = fl_tpc_cpu(p, 0);
	c->other = fl_tpc_cpu(p, n - 1);
	fl_tpc_free(p);
	return n;
}

static int cpu_clock_on(int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, 0);

	assert_true(fd >= 0);
	return fd;
}

/* The test runs on c->other, the first CPU spins; pthread in *th. */
static void place(const struct cpus *c, pthread_t *th)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->other, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
	spin_stop = 0;
	assert_int_equal(pthread_create(th, NULL, spin, (void *)c), 0);
	usleep(20000);
}

static void unplace(pthread_t th)
{
	cpu_set_t set;

	spin_stop = 1;
	pthread_join(th, NULL);
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* CALLS self calls on c->other and CALLS calls c->other sends to the first CPU. */
static void make_calls(int fd_self, int fd_remote)
{
	uint64_t v;

	for (int k = 0; k < CALLS; k++) {
		assert_int_equal(read(fd_self, &v, sizeof(v)), sizeof(v));
		assert_int_equal(read(fd_remote, &v, sizeof(v)), sizeof(v));
	}
}

static long long per_cpu(json_t *j, int cpu)
{
	json_t *cpus = json_object_get(j, "cpus"), *x;
	size_t i;

	json_array_foreach(cpus, i, x)
		if (json_integer_value(x) == cpu)
			return json_integer_value(json_array_get(json_object_get(j, "per_cpu"), i));
	fail_msg("CPU %d is not in the csd counts", cpu);
	return -1;
}

/* fl_csd_calls: a CPU other than the first does not count its calls to itself. */
static void test_csd_calls_leave_out_self_calls(void **state)
{
	struct fl_csd_calls *csd;
	int fd_self, fd_remote;
	long long self, remote;
	struct cpus c;
	pthread_t th;
	json_t *j;

	csd_id();
	online_cpus(&c);
	place(&c, &th);
	fd_self = cpu_clock_on(c.other);
	fd_remote = cpu_clock_on(c.first);
	csd = fl_csd_calls_open();
	assert_non_null(csd);
	fl_csd_calls_start(csd);
	make_calls(fd_self, fd_remote);
	fl_csd_calls_stop(csd);
	unplace(th);
	close(fd_self);
	close(fd_remote);
	j = fl_csd_calls_json(csd);
	assert_non_null(json_object_get(j, "total"));
	self = per_cpu(j, c.other);
	remote = per_cpu(j, c.first);
	print_message("%d self calls on CPU %d: %lld counted there; %d calls to CPU %d: %lld "
		      "counted (filter %s)\n", CALLS, c.other, self, CALLS, c.first, remote,
		      json_string_value(json_object_get(j, "filter")));
	assert_true(remote >= CALLS && remote <= CALLS + CALLS / 2);
	assert_true(self < CALLS / 10);
	json_decref(j);
	fl_csd_calls_close(csd);
}

/* fl_tpc: a filter that matches nothing counts 0 on every CPU while the same tracepoint
 * unfiltered counts the calls on both. */
static void test_tpc_filter_on_every_cpu(void **state)
{
	unsigned long long id = csd_id();
	int fd_self, fd_remote, none, all, n, idx;
	struct fl_tpc *p;
	struct cpus c;
	char why[256];
	pthread_t th;

	n = online_cpus(&c);
	place(&c, &th);
	fd_self = cpu_clock_on(c.other);
	fd_remote = cpu_clock_on(c.first);
	p = fl_tpc_new();
	assert_non_null(p);
	none = fl_tpc_add(p, id, "func == 0", "csd:csd_function_entry", why, sizeof(why));
	if (none < 0)
		fail_msg("%s", why);
	all = fl_tpc_add(p, id, NULL, "csd:csd_function_entry", why, sizeof(why));
	if (all < 0)
		fail_msg("%s", why);
	assert_int_equal(fl_tpc_enable(p, why, sizeof(why)), 0);
	make_calls(fd_self, fd_remote);
	assert_int_equal(fl_tpc_stop(p, why, sizeof(why)), 0);
	unplace(th);
	close(fd_self);
	close(fd_remote);
	assert_int_equal(fl_tpc_ncpus(p), n);
	for (idx = 0; idx < n; idx++) {
		print_message("CPU %d: func == 0 counted %llu, unfiltered %llu\n", fl_tpc_cpu(p, idx),
			      fl_tpc_count(p, none, idx), fl_tpc_count(p, all, idx));
		assert_int_equal(fl_tpc_count(p, none, idx), 0);
		if (fl_tpc_cpu(p, idx) == c.first || fl_tpc_cpu(p, idx) == c.other)
			assert_true(fl_tpc_count(p, all, idx) >= CALLS);
	}
	fl_tpc_free(p);
}

/* A filter the kernel refuses is an error naming the filter and the event. */
static void test_tpc_bad_filter(void **state)
{
	unsigned long long id = csd_id();
	struct fl_tpc *p = fl_tpc_new();
	char why[256];

	assert_non_null(p);
	assert_int_equal(fl_tpc_add(p, id, "no_such_field == 1", "csd:csd_function_entry", why,
				    sizeof(why)), -1);
	assert_non_null(strstr(why, "no_such_field == 1"));
	assert_non_null(strstr(why, "csd:csd_function_entry"));
	fl_tpc_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csd_calls_leave_out_self_calls),
		cmocka_unit_test(test_tpc_filter_on_every_cpu),
		cmocka_unit_test(test_tpc_bad_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
