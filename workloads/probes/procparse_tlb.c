// SPDX-License-Identifier: GPL-2.0
/* Remote TLB flushes without an IPI: the judgement from the facts (kernel log, CPUID,
 * sysfs) that a hypervisor flushes other CPUs' TLBs (procparse_tlb.h). Pure: the facts are
 * gathered by fl_tlb_facts_read() in tlb_flush.c and passed in. */
#include "probes/procparse_tlb.h"
#include "probes/procparse_ipi.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define KVM_PV_LINE	"KVM setup pv remote TLB flush"
#define HYPERV_PV_LINE	"Using hypercall for remote TLB flush"
/* A PVM guest (a paravirtual x86 guest; its host is a PVM hypervisor, CPUID says "bhyve"). */
#define PVM_PV_LINE	"remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI"
#define BOOT_LINE	"Linux version "

/*
 * What the kernel log says about a paravirtual flush: 1 it printed line, 0 the log holds the
 * whole boot and not the line, -1 the log is unread or has lost its start (the ring buffer
 * wrapped), so CPUID decides.
 */
static int kmsg_says(const char *kmsg, const char *line)
{
	if (!kmsg)
		return -1;
	if (strstr(kmsg, line))
		return 1;
	return strstr(kmsg, BOOT_LINE) ? 0 : -1;
}

/* arch/x86/kernel/kvm.c pv_tlb_flush_supported(), from CPUID. */
static bool kvm_cpuid_pv_flush(const struct fl_tlb_facts *f)
{
	return f->cpuid && f->kvm && (f->kvm_features & FL_KVM_FEATURE_PV_TLB_FLUSH) &&
	       (f->kvm_features & FL_KVM_FEATURE_STEAL_TIME) &&
	       !(f->kvm_hints & FL_KVM_HINTS_REALTIME) && !f->mwait && f->possible_cpus != 1;
}

/* arch/x86/hyperv/mmu.c hyperv_setup_mmu_ops(), from CPUID. */
static bool hyperv_cpuid_pv_flush(const struct fl_tlb_facts *f)
{
	return f->cpuid && f->hyperv && (f->hyperv_hints & FL_HV_REMOTE_TLB_FLUSH_RECOMMENDED);
}

static int tlb_pv(const struct fl_tlb_facts *f, const char *line, bool cpuid, const char *bits,
		  const char *how, char *reason, size_t len)
{
	int log = kmsg_says(f->kmsg, line);
	char evidence[256];

	if (log == 0 || (log < 0 && !cpuid))
		return 0;
	if (log == 1)
		snprintf(evidence, sizeof(evidence), "the kernel log (\"%s\")%s%s", line,
			 cpuid ? " and CPUID " : "", cpuid ? bits : "");
	else
		snprintf(evidence, sizeof(evidence), "CPUID %s", bits);
	snprintf(reason, len, "%s; %s says so. The TLB-shootdown row counts only the flushes "
		 "run by an IPI and can stay at 0; the sender's count is tlb:tlb_flush reason "
		 "\"remote IPI send\" (and nr_tlb_remote_flush with CONFIG_DEBUG_TLBFLUSH)",
		 how, evidence);
	return 1;
}

int fl_tlb_ipi_less(const char *machine, const struct fl_tlb_facts *f, char *reason,
		    size_t len)
{
	const char *family = fl_ipi_arch_family(machine);

	if (!family || strcmp(family, "x86") || !f)
		return 0;
	if (f->xen_guest_type && !strncmp(f->xen_guest_type, "PV", 2) &&
	    !isalnum((unsigned char)f->xen_guest_type[2])) {
		snprintf(reason, len, "this is a Xen PV guest (/sys/hypervisor/guest_type PV): "
			 "remote TLB flushes are hypercalls (MMUEXT_TLB_FLUSH_MULTI), no "
			 "TLB-shootdown IPI is sent; the sender's count is tlb:tlb_flush reason "
			 "\"remote IPI send\" only where the kernel traces it");
		return 1;
	}
	if (tlb_pv(f, KVM_PV_LINE, kvm_cpuid_pv_flush(f),
		   "(KVM_FEATURE_PV_TLB_FLUSH with STEAL_TIME, no REALTIME hint, no MWAIT)",
		   "remote TLB flushes go through KVM's paravirtual flush: a vCPU the host has "
		   "preempted is flushed by the host at its next entry, without an IPI", reason, len))
		return 1;
	if (tlb_pv(f, HYPERV_PV_LINE, hyperv_cpuid_pv_flush(f),
		   "(HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED)",
		   "remote TLB flushes are Hyper-V hypercalls (HvFlushVirtualAddressSpace), "
		   "without an IPI", reason, len))
		return 1;
	/* No CPUID bit to read: only the kernel log tells. */
	return tlb_pv(f, PVM_PV_LINE, false, "",
		      "remote TLB flushes are PVM hypercalls (PVM_HC_FLUSH_TLB_MULTI), without an "
		      "IPI", reason, len);
}
