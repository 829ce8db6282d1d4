// SPDX-License-Identifier: GPL-2.0
/* Bind the calling thread to a core or PU (hwloc); restore the old affinity. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <hwloc.h>
#include "cpubind.h"

int fl_cpubind_last(struct fl_cpubind *b, enum fl_pin pin, char *err, size_t errlen)
{
	return fl_cpubind_to(b, pin, -1, err, errlen);
}

int fl_cpubind_to(struct fl_cpubind *b, enum fl_pin pin, int i, char *err, size_t errlen)
{
	hwloc_topology_t topo;
	hwloc_obj_t obj;
	int ret = -1;

	b->saved = false;
	b->cpu = -1;
	if (pin == FL_PIN_NONE)
		return 0;
	if (pthread_getaffinity_np(pthread_self(), sizeof(b->old), &b->old) == 0)
		b->saved = true;
	if (hwloc_topology_init(&topo) || hwloc_topology_load(topo)) {
		snprintf(err, errlen, "hwloc cannot read the CPU topology");
		return -1;
	}
	obj = fl_pin_obj(topo, pin, i);
	if (!obj || !obj->cpuset) {
		snprintf(err, errlen, "hwloc finds no core or PU to bind to");
	} else if (hwloc_set_cpubind(topo, obj->cpuset, HWLOC_CPUBIND_THREAD)) {
		snprintf(err, errlen, "hwloc cannot bind the main thread: %s", strerror(errno));
	} else {
		b->cpu = hwloc_bitmap_first(obj->cpuset);
		ret = 0;
	}
	hwloc_topology_destroy(topo);
	return ret;
}

void fl_cpubind_restore(struct fl_cpubind *b)
{
	if (b->saved)
		pthread_setaffinity_np(pthread_self(), sizeof(b->old), &b->old);
	b->saved = false;
}
