/* SPDX-License-Identifier: GPL-2.0 */
/* Bind the calling thread to the LAST core (or PU) with hwloc, so a fl_team's workers
 * (bound from the first core up) run on the other CPUs, or to a given one; and undo it. */
#ifndef FL_CPUBIND_H
#define FL_CPUBIND_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include "team.h"

struct fl_cpubind {
	bool saved;
	cpu_set_t old;		/* the thread's affinity before */
	int cpu;		/* first PU of the binding, -1 when not bound */
};

/* FL_PIN_NONE leaves the thread alone (cpu -1). Returns 0, or -1 with err. */
int fl_cpubind_last(struct fl_cpubind *b, enum fl_pin pin, char *err, size_t errlen);
/* The same for core (or PU) i, as fl_pin_obj counts them (i % count; -1: the last). A child
 * forked while bound inherits the binding. */
int fl_cpubind_to(struct fl_cpubind *b, enum fl_pin pin, int i, char *err, size_t errlen);
/* Put the old affinity back. */
void fl_cpubind_restore(struct fl_cpubind *b);

#endif
