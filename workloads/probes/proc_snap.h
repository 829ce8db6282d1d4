/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A /proc file read at the start and the stop of the measured phase and kept as raw text,
 * parsed only after the phase (the vmstat and interrupts probes: their state begins with one,
 * so start, stop and close are the snap's own). A file that cannot be read leaves the reason,
 * and then nothing more is read.
 */
#ifndef FL_PROC_SNAP_H
#define FL_PROC_SNAP_H

#include <limits.h>

struct fl_proc_snap {
	char path[PATH_MAX];
	char *start, *stop;		/* raw text; parsed after the measured phase */
	char reason[PATH_MAX + 64];	/* non-empty: unsupported, and why */
};

/* <root>/<name> ("/proc", "vmstat"), read once now so that an unreadable file says so at open. */
void fl_proc_snap_open(struct fl_proc_snap *s, const char *root, const char *name);
/* Probe ops (probe.h) of a state that begins with its struct fl_proc_snap and holds nothing
 * else to free: read the text at start, at stop, and free the texts and the state. */
int fl_proc_snap_start(void *state);
int fl_proc_snap_stop(void *state);
void fl_proc_snap_close(void *state);

#endif
