// SPDX-License-Identifier: GPL-2.0
/* swapin-collapse's optional threads during the collapse: one changing VMAs (mprotect of a
 * page of the range, munmap+mmap or mremap of the neighbour PMD), one reading random pages. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/rng.h"
#include "swapin_collapse.h"

static void *fault_thread(void *arg)
{
	struct sc *s = arg;
	size_t npages = s->len / s->page;
	struct fl_rng r;
	volatile uint64_t sink = 0;

	fl_rng_seed(&r, s->seed, 1);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		size_t pg = (size_t)fl_rng_below(&r, npages);

		sink += *(volatile const uint64_t *)(s->base + pg * s->page);
		atomic_fetch_add_explicit(&s->fault_reads, 1, memory_order_relaxed);
	}
	(void)sink;
	return NULL;
}

/* One page of the range read-only and back: its VMA is split and merged again. */
static int vma_mprotect(struct sc *s, struct fl_rng *r)
{
	char *pg = s->base + fl_rng_below(r, s->len / s->page) * s->page;

	if (mprotect(pg, s->page, PROT_READ))
		return -1;
	usleep(200);
	return mprotect(pg, s->page, PROT_READ | PROT_WRITE);
}

/* The neighbour PMD unmapped and mapped again at the same place (never over anything else). */
static int vma_remap(struct sc *s)
{
	char *p;

	if (munmap(s->nb, s->pmd))
		return -1;
	p = mmap(s->nb, s->pmd, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (p != s->nb) {
		munmap(p, s->pmd);
		errno = EEXIST;
		return -1;
	}
	*(volatile char *)p = 1;
	return 0;
}

/* The neighbour shrunk to half and grown back in place. */
static int vma_mremap(struct sc *s)
{
	if (mremap(s->nb, s->pmd, s->pmd / 2, 0) == MAP_FAILED)
		return -1;
	if (mremap(s->nb, s->pmd / 2, s->pmd, 0) == MAP_FAILED)
		return -1;
	*(volatile char *)s->nb = 1;
	return 0;
}

static void *vma_thread(void *arg)
{
	struct sc *s = arg;
	struct fl_rng r;
	uint64_t n = 0;

	fl_rng_seed(&r, s->seed, 2);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		enum sc_vma op = s->vma == VMA_ALL ? (enum sc_vma)(VMA_MPROTECT + n % 3) : s->vma;
		int ret = op == VMA_MPROTECT ? vma_mprotect(s, &r) :
			  op == VMA_REMAP ? vma_remap(s) : vma_mremap(s);

		if (ret) {
			snprintf(s->thread_err, sizeof(s->thread_err), "vma thread: %s failed: %s",
				 op == VMA_MPROTECT ? "mprotect" : op == VMA_REMAP ?
				 "munmap+mmap of the neighbour" : "mremap of the neighbour",
				 strerror(errno));
			break;
		}
		n++;
		atomic_fetch_add_explicit(&s->vma_changes, 1, memory_order_relaxed);
		usleep(500);
	}
	return NULL;
}

int sc_threads_start(struct fl_case *c, struct sc *s)
{
	static const char *const names[] = { "none", "mprotect", "remap", "mremap", "all" };
	const char *v = fl_param_str(&c->params, "vma_thread");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i]))
			s->vma = (enum sc_vma)i;
	s->faulter = fl_param_bool(&c->params, "fault_thread");
	if (s->vma != VMA_NONE) {
		if (pthread_create(&s->vma_tid, NULL, vma_thread, s))
			return fl_case_fail(c, "cannot start the vma thread");
		s->vma_started = true;
	}
	if (s->faulter) {
		if (pthread_create(&s->fault_tid, NULL, fault_thread, s))
			return fl_case_fail(c, "cannot start the fault thread");
		s->fault_started = true;
	}
	return 0;
}

void sc_threads_join(struct sc *s)
{
	atomic_store(&s->stop, true);
	if (s->vma_started)
		pthread_join(s->vma_tid, NULL);
	if (s->fault_started)
		pthread_join(s->fault_tid, NULL);
	s->vma_started = s->fault_started = false;
}

void sc_threads_stop(struct fl_case *c, struct sc *s)
{
	sc_threads_join(s);
	if (s->vma != VMA_NONE || s->faulter)
		json_object_set_new(c->extra, "threads", json_pack("{s:s, s:I, s:b, s:I}",
				"vma_thread", fl_param_str(&c->params, "vma_thread"),
				"vma_changes", (json_int_t)s->vma_changes,
				"fault_thread", s->faulter,
				"fault_reads", (json_int_t)s->fault_reads));
}

