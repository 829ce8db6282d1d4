/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Remote TLB flushes seen from both ends, and whether the TLB-shootdown IPI row counts them.
 *
 * tlb:tlb_flush counted by reason, system-wide, one counter per reason with the filter
 * "reason == N"; the reasons and their numbers come from the event's format file (its
 * __print_symbolic table), not from a copy of the kernel's enum, which grows (6.18 added
 * "remote wrong CPU"). On x86, "remote IPI send" is the sender's count (native_flush_tlb_multi:
 * one per flush that names other CPUs, also under KVM's paravirtual flush), "remote shootdown"
 * the receivers' (flush_tlb_func on each CPU an IPI reached).
 *
 * fl_tlb_facts_read() gathers what fl_tlb_ipi_less() (procparse.h) judges: CPUID (live x86
 * only), the kernel log, /sys/hypervisor/guest_type.
 */
#ifndef FL_TLB_FLUSH_H
#define FL_TLB_FLUSH_H

#include <stddef.h>
#include <jansson.h>
#include "probes/procparse.h"

#define FL_TLB_REASONS_MAX 16

struct fl_tlb_reason {
	int value;
	char text[48];		/* as the format file prints it: "remote IPI send" */
	char key[48];		/* lower case, '_' for blanks: "remote_ipi_send" */
};

/* The reasons of a tlb:tlb_flush format file (pure). Returns how many (<= max), or -1 when
 * the print fmt has no __print_symbolic(REC->reason, ...) table. */
int fl_tlb_reasons_parse(const char *format, struct fl_tlb_reason *out, int max);

/* Facts for the kernel behind proc_root ("/proc": live; else a captured tree, whose kernel
 * log is <proc_root>/kmsg if present and which has no CPUID). Free with fl_tlb_facts_free. */
void fl_tlb_facts_read(const char *proc_root, struct fl_tlb_facts *f);
void fl_tlb_facts_free(struct fl_tlb_facts *f);
/* fl_tlb_ipi_less() for the kernel behind proc_root. */
int fl_tlb_ipi_less_here(const char *proc_root, char *reason, size_t len);

struct fl_tlb_flush;

/* Opens the counters (disabled); NULL only when out of memory. What cannot be counted is
 * remembered with the reason. */
struct fl_tlb_flush *fl_tlb_flush_open(void);
void fl_tlb_flush_start(struct fl_tlb_flush *t);
void fl_tlb_flush_stop(struct fl_tlb_flush *t);
/* Count of the reason printed as text, any case ("remote IPI send"; 6.12 prints "remote ipi
 * send"): 0, or -1 with the missing
 * {"status", "reason"} in *missing (new reference). */
int fl_tlb_flush_count(const struct fl_tlb_flush *t, const char *text, unsigned long long *n,
		       json_t **missing);
/* counters["tlb:tlb_flush/<key>"] = {"value", "unit", "source", "scope", "per_cpu"} per
 * reason, or one counters["tlb:tlb_flush/by_reason"] = {"status", "reason"}. */
void fl_tlb_flush_emit(const struct fl_tlb_flush *t, json_t *counters);
void fl_tlb_flush_close(struct fl_tlb_flush *t);

#endif
