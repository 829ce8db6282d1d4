/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drive an outer `perf stat --control fifo:CTL,ACK -D -1` so that it counts exactly the
 * measured phase: enable right before the probes start, disable right after they stop.
 */
#ifndef FL_PERF_CTL_H
#define FL_PERF_CTL_H

#include <stddef.h>

/* How long enable/disable wait for perf's "ack". */
#define FL_PERF_CTL_TIMEOUT_MS 5000

struct fl_perf_ctl;

/* spec: "CTL_FIFO,ACK_FIFO" (a leading "fifo:" is accepted). NULL with a sentence in err. */
struct fl_perf_ctl *fl_perf_ctl_open(const char *spec, char *err, size_t errlen);
/* Send "enable"/"disable" and wait for perf's ack; 0, or -1 with a sentence in err. */
int fl_perf_ctl_enable(struct fl_perf_ctl *ctl, char *err, size_t errlen);
int fl_perf_ctl_disable(struct fl_perf_ctl *ctl, char *err, size_t errlen);
void fl_perf_ctl_close(struct fl_perf_ctl *ctl);

#endif
