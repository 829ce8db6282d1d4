/* SPDX-License-Identifier: GPL-2.0 */
/* Remote TLB flushes without an IPI (procparse_tlb.c): the facts and the judgement. */
#ifndef FL_PROCPARSE_TLB_H
#define FL_PROCPARSE_TLB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Facts a live system gives about how its kernel flushes other CPUs' TLBs, gathered by
 * fl_tlb_facts_read() (tlb_flush.h: CPUID, the kernel log, sysfs) and judged here, purely,
 * so tests can feed captured facts.
 */
struct fl_tlb_facts {
	bool cpuid;			/* the CPUID fields were read (x86, live system) */
	bool kvm;			/* "KVMKVMKVM" signature found at kvm_base */
	unsigned int kvm_base;		/* 0x40000000 + n * 0x100 */
	unsigned int kvm_features;	/* CPUID kvm_base + 1: EAX */
	unsigned int kvm_hints;		/* CPUID kvm_base + 1: EDX */
	bool hyperv;			/* "Microsoft Hv" at 0x40000000 */
	unsigned int hyperv_hints;	/* CPUID 0x40000004: EAX */
	bool mwait;			/* CPUID 1: ECX.MONITOR */
	int possible_cpus;		/* 0: unknown */
	const char *kmsg;		/* kernel log text (any format), NULL if not read */
	const char *xen_guest_type;	/* /sys/hypervisor/guest_type text, NULL if none */
};

/* CPUID bits the kernel tests (arch/x86/include/uapi/asm/kvm_para.h, hyperv-tlfs.h). */
#define FL_KVM_FEATURE_STEAL_TIME		(1u << 5)
#define FL_KVM_FEATURE_PV_TLB_FLUSH		(1u << 9)
#define FL_KVM_HINTS_REALTIME			(1u << 0)
#define FL_HV_REMOTE_TLB_FLUSH_RECOMMENDED	(1u << 2)

/* Does this kernel flush some other CPUs' TLBs without a TLB-shootdown IPI (a hypervisor
 * does it)? Returns 1 with the reason (which evidence, and what the TLB row still counts), or
 * 0 when nothing says so. machine is the uname machine: only x86 has a TLB IPI row. */
int fl_tlb_ipi_less(const char *machine, const struct fl_tlb_facts *f, char *reason,
		    size_t len);

#endif
