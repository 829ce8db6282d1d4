/* SPDX-License-Identifier: GPL-2.0 */
/* The tracefs events directory and tracepoint ids, read directly (see perf_tp.c for why not
 * libtracefs). */
#ifndef FL_TRACEFS_H
#define FL_TRACEFS_H

#include <stddef.h>

/* The events directory, mounting tracefs if needed; NULL with a reason in why. */
const char *fl_tracefs_events_dir(char *why, size_t len);
/* Read <dir>/<sys>/<ev>/id: 0, or -1 with errno (ENOENT/ENOTDIR: no such event). */
int fl_tracefs_event_id(const char *dir, const char *sys, const char *ev, unsigned long long *id);

#endif
