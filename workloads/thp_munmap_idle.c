// SPDX-License-Identifier: GPL-2.0
/*
 * thp-munmap's idle threads (thp_munmap.h), the seed's qemu vCPU threads: idle thread i is
 * pinned to the i-th CPU this process may use, reads one page of the range there and sleeps
 * on a condition variable until teardown, so every CPU has run the mm but nothing of it runs
 * there during the operation. Their state and context switches are read right before and
 * after the operation (detail.idle).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fl_util.h"
#include "lib/timing.h"
#include "thp_munmap.h"

#define IDLE_SLEEP_WAIT_MS 10000	/* a TCG guest with many vCPUs is slow to schedule */

/* The CPUs this process may use, read before the timing thread binds itself. */
int thpm_allowed_cpus(struct fl_case *c, struct thpm *t)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return fl_case_fail(c, "cannot read this process's CPU affinity: %s",
				    strerror(errno));
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			t->cpus_allowed[t->ncpus_allowed++] = cpu;
	if (!t->ncpus_allowed)
		return fl_case_fail(c, "this process's CPU affinity is empty");
	return 0;
}

/* Pin to its CPU, read one stamped page there (the mm is now loaded on that CPU), check in,
 * then sleep until teardown. */
static void *idle_main(void *arg)
{
	struct thpm_idle *d = arg;
	struct thpm *t = d->t;
	size_t pg = ((size_t)(d - t->idle) * (t->hpage / t->page)) % t->npages;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(d->cpu, &set);
	d->tid = gettid();
	d->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!d->err) {
		d->ran_on = sched_getcpu();
		if (*(volatile uint64_t *)(t->base + pg * t->page) != fl_stamp_word(t->seed, pg, 0))
			d->err = -1;
	}
	pthread_mutex_lock(&t->idle_lock);
	t->idle_in++;
	pthread_cond_signal(&t->idle_in_cond);
	while (!t->idle_release)
		pthread_cond_wait(&t->idle_cond, &t->idle_lock);
	pthread_mutex_unlock(&t->idle_lock);
	return NULL;
}

/* State letter and the CPU a thread of ours last ran on (/proc/self/task/TID/stat fields
 * 3 and 39). */
static int task_stat(pid_t tid, char *state, int *cpu)
{
	char path[64], *text, *p;
	int f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	text = fl_read_all(path, 0, 0, NULL, NULL, 0);
	if (!text)
		return -1;
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		free(text);
		return -1;
	}
	p += 2;
	*state = *p;
	for (f = 3; f < 39 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	*cpu = p ? atoi(p) : -1;
	free(text);
	return 0;
}

/* Voluntary plus involuntary context switches of a thread of ours, or -1. */
static long long task_switches(pid_t tid)
{
	static const char vol[] = "\nvoluntary_ctxt_switches:";
	static const char nonvol[] = "\nnonvoluntary_ctxt_switches:";
	char path[64], *text, *p;
	long long v = -1, nv = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	text = fl_read_all(path, 0, 0, NULL, NULL, 0);
	if (!text)
		return -1;
	p = strstr(text, vol);
	if (p)
		v = strtoll(p + sizeof(vol) - 1, NULL, 10);
	p = strstr(text, nonvol);
	if (p)
		nv = strtoll(p + sizeof(nonvol) - 1, NULL, 10);
	free(text);
	return v < 0 || nv < 0 ? -1 : v + nv;
}

/* Give every idle thread up to IDLE_SLEEP_WAIT_MS to be asleep (state S); detail.idle says
 * what it was right before the operation. */
static void idle_wait_asleep(struct thpm *t)
{
	uint64_t end = fl_now_ns() + IDLE_SLEEP_WAIT_MS * 1000000ull;
	struct timespec ms = { 0, 1000000 };
	char st;
	int cpu;

	for (int i = 0; i < t->nidle; i++)
		while (!task_stat(t->idle[i].tid, &st, &cpu) && st != 'S' && fl_now_ns() < end)
			nanosleep(&ms, NULL);
}

static int idle_checked_in(struct fl_case *c, struct thpm *t)
{
	pthread_mutex_lock(&t->idle_lock);
	while (t->idle_in < t->idle_created)
		pthread_cond_wait(&t->idle_in_cond, &t->idle_lock);
	pthread_mutex_unlock(&t->idle_lock);
	for (int i = 0; i < t->nidle; i++) {
		struct thpm_idle *d = &t->idle[i];

		if (d->err > 0)
			return fl_case_fail(c, "idle thread %d cannot be pinned to CPU %d: %s", i,
					    d->cpu, strerror(d->err));
		if (d->err < 0)
			return fl_case_fail(c, "idle thread %d read a page of the range without its "
					    "stamp on CPU %d", i, d->cpu);
	}
	idle_wait_asleep(t);
	return 0;
}

int thpm_start_idle(struct fl_case *c, struct thpm *t)
{
	int n = (int)fl_param_int(&c->params, "idle"), ret;

	if (!n)
		return 0;
	t->idle = calloc((size_t)n, sizeof(*t->idle));
	if (!t->idle)
		return fl_case_fail(c, "cannot allocate %d idle threads: out of memory", n);
	pthread_mutex_init(&t->idle_lock, NULL);
	pthread_cond_init(&t->idle_cond, NULL);
	pthread_cond_init(&t->idle_in_cond, NULL);
	t->idle_sync = true;
	t->nidle = n;
	for (int i = 0; i < n; i++) {
		struct thpm_idle *d = &t->idle[i];

		d->t = t;
		d->cpu = t->cpus_allowed[i % t->ncpus_allowed];
		d->ran_on = d->cpu1 = -1;
		d->sw0 = d->sw1 = -1;
		ret = pthread_create(&d->thread, NULL, idle_main, d);
		if (ret) {
			t->nidle = i;
			idle_checked_in(c, t);
			return fl_case_fail(c, "cannot create idle thread %d of %d: %s", i + 1, n,
					    strerror(ret));
		}
		t->idle_created++;
	}
	return idle_checked_in(c, t);
}

/* Right before (after = false) or after the operation: each idle thread's state, CPU and
 * context switches. */
void thpm_idle_snapshot(struct thpm *t, bool after)
{
	for (int i = 0; i < t->nidle; i++) {
		struct thpm_idle *d = &t->idle[i];
		char st = '?';
		int cpu = -1;

		task_stat(d->tid, &st, &cpu);
		if (after) {
			d->state1 = st;
			d->cpu1 = cpu;
			d->sw1 = task_switches(d->tid);
		} else {
			d->state0 = st;
			d->sw0 = task_switches(d->tid);
		}
	}
}

json_t *thpm_idle_json(const struct thpm *t)
{
	json_t *cpus = json_array(), *after = json_array();
	int asleep0 = 0, asleep1 = 0, ran = 0, unknown = 0, distinct = 0;
	unsigned char seen[CPU_SETSIZE] = { 0 };

	for (int i = 0; i < t->nidle; i++) {
		const struct thpm_idle *d = &t->idle[i];

		json_array_append_new(cpus, json_integer(d->ran_on));
		json_array_append_new(after, json_integer(d->cpu1));
		if (d->ran_on >= 0 && d->ran_on < CPU_SETSIZE && !seen[d->ran_on]++)
			distinct++;
		asleep0 += d->state0 == 'S';
		asleep1 += d->state1 == 'S';
		if (d->sw0 < 0 || d->sw1 < 0)
			unknown++;
		else
			ran += d->sw1 != d->sw0;
	}
	return json_pack("{s:i, s:s, s:o, s:i, s:i, s:i, s:i, s:i, s:o}", "threads", t->nidle,
			 "sleep", "pthread_cond_wait (a futex) until teardown", "cpus", cpus,
			 "distinct_cpus", distinct, "asleep_before_op", asleep0, "asleep_after_op",
			 asleep1, "ran_during_op", ran, "switches_unknown", unknown,
			 "last_cpu_after_op", after);
}

void thpm_stop_idle(struct thpm *t)
{
	if (!t->idle_sync)
		return;
	pthread_mutex_lock(&t->idle_lock);
	t->idle_release = true;
	pthread_cond_broadcast(&t->idle_cond);
	pthread_mutex_unlock(&t->idle_lock);
	for (int i = 0; i < t->idle_created; i++)
		pthread_join(t->idle[i].thread, NULL);
	t->idle_created = 0;
	pthread_cond_destroy(&t->idle_in_cond);
	pthread_cond_destroy(&t->idle_cond);
	pthread_mutex_destroy(&t->idle_lock);
	t->idle_sync = false;
}
