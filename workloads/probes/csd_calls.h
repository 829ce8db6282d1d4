/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cross-CPU function calls received per CPU, from the csd:csd_function_entry tracepoint
 * (6.3+) filtered to "csd != 0": the kernel passes a NULL csd when a CPU runs its own part of
 * an smp_call_function*(), so what is left are the calls another CPU sent it through the
 * call-function IPI; and to func != sched_ttwu_pending (its address from /proc/kallsyms),
 * which runs a CPU's queued remote wakeups, reschedule work. Where /proc/interrupts folds that
 * IPI into one multiplexed row (powerpc, s390) this is the function-call count; elsewhere it
 * sits beside the rows. It counts calls, not interrupts: x86 counts its TLB-flush calls in the
 * TLB row and one IPI can carry several queued calls; calls a polling idle CPU picks up
 * without an interrupt were not seen on a 6.18 x86 host (1006 sent, 161 without an IPI, 844
 * counted).
 * The counter's own disable reaches each other CPU as one such call, so a count carries at
 * most one extra call per CPU (tests/unit/test_perf_probes.c: 1000 remote reads -> 1001).
 */
#ifndef FL_CSD_CALLS_H
#define FL_CSD_CALLS_H

#include <jansson.h>

struct fl_csd_calls;

/* Opens the counters (disabled); NULL only when out of memory. A tracepoint that cannot be
 * counted is remembered, with the reason, for fl_csd_calls_json. */
struct fl_csd_calls *fl_csd_calls_open(void);
void fl_csd_calls_start(struct fl_csd_calls *c);
void fl_csd_calls_stop(struct fl_csd_calls *c);
/* {"total", "per_cpu" (in the order of "cpus"), "cpus", "source", "filter"}, or {"status",
 * "reason"}. */
json_t *fl_csd_calls_json(const struct fl_csd_calls *c);
void fl_csd_calls_close(struct fl_csd_calls *c);

#endif
