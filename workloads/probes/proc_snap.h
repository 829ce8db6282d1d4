/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A /proc file read at the start and the stop of the measured phase and kept as raw text,
 * parsed only after the phase (the vmstat and interrupts probes). A file that cannot be read
 * leaves the reason, and then nothing more is read.
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
void fl_proc_snap_start(struct fl_proc_snap *s);
void fl_proc_snap_stop(struct fl_proc_snap *s);
/* Frees the texts (s itself is the caller's). */
void fl_proc_snap_free(struct fl_proc_snap *s);

#endif
