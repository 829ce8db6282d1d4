// SPDX-License-Identifier: GPL-2.0
/*
 * percore-map, mode percore-mm (percore_map.h): one child process (its own mm) per worker,
 * forked already bound to its core (pc_fork_on), running the worker loop at its slot's gate;
 * in the parent a team worker per child mirrors the child's op count for the per-second
 * samples and stops it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/cpubind.h"
#include "lib/timing.h"
#include "percore_map.h"

#define PROXY_POLL_US	10000		/* how often a proxy mirrors its child's op count */
#define CHILD_WAIT_S	10		/* a child that has not stopped by then is killed */

static bool pc_slot_stop(void *arg)
{
	struct pc_slot *s = arg;

	return atomic_load_explicit(&s->stop, memory_order_relaxed);
}

/* percore-mm: a proxy starts its child, mirrors its op count, stops it and waits for it. */
void pc_proxy_worker(struct fl_worker *w)
{
	struct percore *p = w->arg;
	struct pc_slot *s = &p->slots[w->id];
	uint64_t deadline;

	atomic_store(&s->go, 1);
	while (!fl_team_stopping(w)) {
		atomic_store(&w->ops, atomic_load(&s->ops));
		usleep(PROXY_POLL_US);
	}
	atomic_store(&s->stop, 1);
	deadline = fl_now_ns() + CHILD_WAIT_S * 1000000000ull;
	while (!atomic_load(&s->done) && fl_now_ns() < deadline)
		usleep(1000);
	atomic_store(&w->ops, atomic_load(&s->ops));
	if (!atomic_load(&s->done)) {
		w->err = 1;
		snprintf(w->errmsg, sizeof(w->errmsg), "child %d did not stop within %d s",
			 w->id, CHILD_WAIT_S);
	} else if (s->err[0]) {
		w->err = 1;
		snprintf(w->errmsg, sizeof(w->errmsg), "%s", s->err);
	}
}

static void pc_child(struct percore *p, int id, pid_t parent)
{
	struct pc_slot *s = &p->slots[id];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	while (!atomic_load(&s->go) && !atomic_load(&s->stop))
		usleep(200);
	if (!atomic_load(&s->stop))
		pc_loop(p, id, &s->ops, pc_slot_stop, s);
	atomic_store(&s->done, 1);
	_exit(0);
}

/*
 * fork() with this thread bound to worker i's core (or PU) first (fl_cpubind_to): the child
 * inherits the binding and its mm runs only there (its slot's cpu says which; -1 when it could
 * not be bound). Binding the child after the fork moved it, and loading a topology in the
 * child moved it over every CPU (hwloc's x86 backend runs CPUID on each): each CPU it ran on
 * stays in its mm_cpumask until a remote flush_tlb_func clears it, and where a hypervisor
 * flushes remote TLBs (a PVM guest's PVM_HC_FLUSH_TLB_MULTI) none runs, so every flush of the
 * child's mm went out as a remote flush (1.0 per op, as many as shared-mm's). The thread's
 * own binding is put back after the fork.
 */
static pid_t pc_fork_on(enum fl_pin pin, int i, int *cpu)
{
	struct fl_cpubind b;
	char ignored[FL_ERRLEN];	/* not bound: the slot's cpu -1 says so */
	pid_t pid;
	int err;

	fl_cpubind_to(&b, pin, i, ignored, sizeof(ignored));
	*cpu = b.cpu;
	pid = fork();
	if (pid == 0)
		return 0;
	err = errno;	/* for the caller's message when the fork failed */
	fl_cpubind_restore(&b);
	errno = err;
	return pid;
}

int pc_fork_children(struct fl_case *c, struct percore *p)
{
	pid_t parent = getpid();

	p->pids = calloc((size_t)p->n, sizeof(*p->pids));
	if (!p->pids)
		return fl_case_fail(c, "out of memory");
	fflush(NULL);
	for (int i = 0; i < p->n; i++) {
		pid_t pid = pc_fork_on(p->pin, i, &p->slots[i].cpu);

		if (pid < 0)
			return fl_case_fail(c, "cannot fork worker process %d of %d: %s", i, p->n,
					    strerror(errno));
		if (pid == 0)
			pc_child(p, i, parent);
		p->pids[i] = pid;
	}
	return 0;
}

/* Stop the children (they may still wait at the gate), wait; kill one that hangs. */
void pc_reap(struct percore *p)
{
	uint64_t deadline = fl_now_ns() + CHILD_WAIT_S * 1000000000ull;

	for (int i = 0; i < p->n; i++)
		atomic_store(&p->slots[i].stop, 1);
	for (int i = 0; i < p->n; i++) {
		if (p->pids[i] <= 0)
			continue;
		while (waitpid(p->pids[i], NULL, WNOHANG) == 0) {
			if (fl_now_ns() > deadline) {
				kill(p->pids[i], SIGKILL);
				waitpid(p->pids[i], NULL, 0);
				break;
			}
			usleep(1000);
		}
	}
}
