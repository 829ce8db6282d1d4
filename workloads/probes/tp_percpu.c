// SPDX-License-Identifier: GPL-2.0
/* A tracepoint counted on every online CPU with a filter set on each CPU's fd (tp_percpu.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <perf/cpumap.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "probes/tp_percpu.h"

struct tpc_counter {
	char event[64];			/* "sys:event", for the reasons */
	int *fd;			/* one per CPU, -1: not open */
	unsigned long long *count;	/* one per CPU */
};

struct fl_tpc {
	int ncpus;
	int *cpu;			/* online CPU numbers */
	struct tpc_counter *c;
	int n;
};

struct fl_tpc *fl_tpc_new(void)
{
	struct perf_cpu_map *m = perf_cpu_map__new_online_cpus();
	struct fl_tpc *p = calloc(1, sizeof(*p));
	int i;

	if (!m || !p)
		goto fail;
	p->ncpus = perf_cpu_map__nr(m);
	p->cpu = calloc((size_t)p->ncpus, sizeof(*p->cpu));
	if (!p->cpu || p->ncpus <= 0)
		goto fail;
	for (i = 0; i < p->ncpus; i++)
		p->cpu[i] = perf_cpu_map__cpu(m, i).cpu;
	perf_cpu_map__put(m);
	return p;
fail:
	perf_cpu_map__put(m);
	fl_tpc_free(p);
	return NULL;
}

int fl_tpc_ncpus(const struct fl_tpc *p)
{
	return p->ncpus;
}

int fl_tpc_cpu(const struct fl_tpc *p, int idx)
{
	return p->cpu[idx];
}

static void tpc_counter_free(struct tpc_counter *c, int ncpus)
{
	int i;

	for (i = 0; c->fd && i < ncpus; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	free(c->fd);
	free(c->count);
	c->fd = NULL;
	c->count = NULL;
}

/* Opens c on column idx with the filter: 0, or -1 with why. */
static int tpc_open_cpu(struct fl_tpc *p, struct tpc_counter *c, int idx,
			unsigned long long id, const char *filter, char *why, size_t len)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = id,
		.disabled = 1,
	};

	c->fd[idx] = (int)syscall(SYS_perf_event_open, &attr, -1, p->cpu[idx], -1,
				  PERF_FLAG_FD_CLOEXEC);
	if (c->fd[idx] < 0) {
		snprintf(why, len, "perf cannot count %s system-wide (perf_event_open on CPU %d: "
			 "%s)", c->event, p->cpu[idx], strerror(errno));
		return -1;
	}
	if (filter && ioctl(c->fd[idx], PERF_EVENT_IOC_SET_FILTER, filter)) {
		snprintf(why, len, "the filter \"%s\" on %s was refused (%s)", filter, c->event,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int fl_tpc_add(struct fl_tpc *p, unsigned long long id, const char *filter, const char *event,
	       char *why, size_t len)
{
	struct tpc_counter *nc = realloc(p->c, (size_t)(p->n + 1) * sizeof(*nc)), *c;
	int i;

	if (!nc) {
		snprintf(why, len, "out of memory opening %s", event);
		return -1;
	}
	p->c = nc;
	c = &p->c[p->n];
	memset(c, 0, sizeof(*c));
	snprintf(c->event, sizeof(c->event), "%s", event);
	c->fd = malloc((size_t)p->ncpus * sizeof(*c->fd));
	c->count = calloc((size_t)p->ncpus, sizeof(*c->count));
	if (!c->fd || !c->count) {
		tpc_counter_free(c, p->ncpus);
		snprintf(why, len, "out of memory opening %s", event);
		return -1;
	}
	for (i = 0; i < p->ncpus; i++)
		c->fd[i] = -1;
	for (i = 0; i < p->ncpus; i++) {
		if (tpc_open_cpu(p, c, i, id, filter, why, len)) {
			int saved = errno;

			tpc_counter_free(c, p->ncpus);
			errno = saved;
			return -1;
		}
	}
	return p->n++;
}

/* ioctl req on every fd: 0, or -1 with why ("enabling" / "disabling"). */
static int tpc_ioctl_all(struct fl_tpc *p, unsigned long req, const char *what, char *why,
			 size_t len)
{
	int n, i;

	for (n = 0; n < p->n; n++)
		for (i = 0; i < p->ncpus; i++)
			if (ioctl(p->c[n].fd[i], req, 0)) {
				snprintf(why, len, "%s the %s counters failed: %s", what,
					 p->c[n].event, strerror(errno));
				return -1;
			}
	return 0;
}

int fl_tpc_enable(struct fl_tpc *p, char *why, size_t len)
{
	return tpc_ioctl_all(p, PERF_EVENT_IOC_ENABLE, "enabling", why, len);
}

int fl_tpc_disable(struct fl_tpc *p, char *why, size_t len)
{
	return tpc_ioctl_all(p, PERF_EVENT_IOC_DISABLE, "disabling", why, len);
}

int fl_tpc_read(struct fl_tpc *p, int n, char *why, size_t len)
{
	struct tpc_counter *c = &p->c[n];
	int i;

	for (i = 0; i < p->ncpus; i++) {
		ssize_t r = read(c->fd[i], &c->count[i], sizeof(c->count[i]));

		if (r == (ssize_t)sizeof(c->count[i]))
			continue;
		snprintf(why, len, "reading the %s counters failed: %s", c->event,
			 r < 0 ? strerror(errno) : "short read");
		return -1;
	}
	return 0;
}

int fl_tpc_stop(struct fl_tpc *p, char *why, size_t len)
{
	int n;

	if (fl_tpc_disable(p, why, len))
		return -1;
	for (n = 0; n < p->n; n++)
		if (fl_tpc_read(p, n, why, len))
			return -1;
	return 0;
}

unsigned long long fl_tpc_count(const struct fl_tpc *p, int n, int idx)
{
	return p->c[n].count[idx];
}

unsigned long long fl_tpc_total(const struct fl_tpc *p, int n)
{
	unsigned long long sum = 0;
	int i;

	for (i = 0; i < p->ncpus; i++)
		sum += p->c[n].count[i];
	return sum;
}

void fl_tpc_free(struct fl_tpc *p)
{
	int n;

	if (!p)
		return;
	for (n = 0; n < p->n; n++)
		tpc_counter_free(&p->c[n], p->ncpus);
	free(p->c);
	free(p->cpu);
	free(p);
}
