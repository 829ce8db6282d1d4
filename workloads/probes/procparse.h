/* SPDX-License-Identifier: GPL-2.0 */
/* Pure parsers for /proc text (vmstat, interrupts, kernel config, uname -a) and the
 * per-arch normalization of IPI rows. No function here reads a file except fl_slurp();
 * tests feed them fixture text captured from real kernels. */
#ifndef FL_PROCPARSE_H
#define FL_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Read a whole file of unknown size (procfs reports st_size 0). Returns a malloc'd,
 * NUL-terminated buffer, or NULL with errno set. The only I/O helper in this module. */
char *fl_slurp(const char *path, size_t *len);

/* ---- /proc/vmstat ---------------------------------------------------------------- */

#define FL_VMSTAT_NAME_MAX 64

struct fl_vmstat_entry {
	char name[FL_VMSTAT_NAME_MAX];
	unsigned long long value;
};

struct fl_vmstat {
	size_t n;
	size_t skipped;			/* lines that were not "name value" */
	struct fl_vmstat_entry *v;	/* in file order */
};

/* Parse "name value\n" lines. Returns 0, or -1 (ENOMEM). Free with fl_vmstat_free(). */
int fl_vmstat_parse(const char *text, struct fl_vmstat *vs);
void fl_vmstat_free(struct fl_vmstat *vs);
const struct fl_vmstat_entry *fl_vmstat_find(const struct fl_vmstat *vs, const char *name);
/* Unit of a vmstat item ("count", "pages", "KiB", "hugepages", ...) and whether it is a
 * gauge (a level, so a delta is a change of level) rather than an event counter. */
const char *fl_vmstat_unit(const char *name, bool *gauge);
/* {name: {"value": stop - start, "unit": u[, "kind": "gauge"]}} for every item of stop;
 * items missing from start are skipped (they did not exist at the start). */
json_t *fl_vmstat_delta_json(const struct fl_vmstat *start, const struct fl_vmstat *stop);

/* ---- /proc/interrupts ------------------------------------------------------------ */

#define FL_IRQ_NAME_MAX 32

struct fl_irq_row {
	char key[FL_IRQ_NAME_MAX + 12];	/* name, or "NAME#2", "NAME#3" for a repeated name */
	char name[FL_IRQ_NAME_MAX];	/* as printed, without the ':' */
	char *desc;			/* text after the counts, trimmed; "" if none */
	int ncounts;			/* ncpus, or fewer (x86 ERR/MIS print one) */
	unsigned long long *counts;
};

struct fl_irq_table {
	int ncpus;			/* columns in the header */
	int *cpus;			/* CPU number of each column ("CPU3" -> 3) */
	size_t nrows;
	struct fl_irq_row *rows;	/* in file order */
};

/* Returns 0, or -1 with errno (EINVAL: no "CPUn" header; ENOMEM). */
int fl_irq_parse(const char *text, struct fl_irq_table *t);
void fl_irq_free(struct fl_irq_table *t);
const struct fl_irq_row *fl_irq_find(const struct fl_irq_table *t, const char *key);
unsigned long long fl_irq_row_total(const struct fl_irq_row *r);

/* ---- IPI normalization ----------------------------------------------------------- */

enum fl_ipi_class {
	FL_IPI_NONE = -1,
	FL_IPI_FUNCTION_CALL = 0,
	FL_IPI_TLB_SHOOTDOWN,
	FL_IPI_RESCHEDULE,
	FL_IPI_OTHER,
	FL_IPI_NCLASSES,
};

/* "function_call", "tlb_shootdown", "reschedule", "other". */
const char *fl_ipi_class_name(enum fl_ipi_class c);
/* Arch family of a uname machine: "x86", "arm64", "powerpc", "s390"; NULL if unknown. */
const char *fl_ipi_arch_family(const char *machine);
/* Class of one /proc/interrupts row on this machine (FL_IPI_NONE if not an IPI row). */
enum fl_ipi_class fl_ipi_classify(const char *machine, const char *name, const char *desc);
/* Why class c has no row on this machine: returns the JSON status ("absent" or
 * "unsupported") and sets *reason (the arch's own reason from the table, else a generic
 * one: unknown arch -> unsupported, a row this kernel does not print -> absent). */
const char *fl_ipi_missing(const char *machine, enum fl_ipi_class c, const char **reason);
/* The "ipi" section from two snapshots (see workloads/probes/README.md):
 * {"function_call": {"total", "per_cpu", "rows"} | {"status", "reason"}, ...,
 *  "arch": machine, "cpus": [CPU number of each per_cpu column],
 *  "raw": {key: {"desc", "total", "per_cpu"[, "class"]}}}.
 * A CPU set that changed between snapshots gives {"status": "unsupported", ...}. */
json_t *fl_ipi_delta_json(const char *machine, const struct fl_irq_table *start,
			  const struct fl_irq_table *stop);

/* ---- remote TLB flushes without an IPI ------------------------------------------- */

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
/* Replace class c of an "ipi" section (fl_ipi_delta_json) with {"status", "reason"}; the
 * class's rows stay in "raw". No-op when ipi is itself a status. 0, or -1 (ENOMEM). */
int fl_ipi_set_missing(json_t *ipi, enum fl_ipi_class c, const char *status,
		       const char *reason);

/* ---- kernel identity helpers ----------------------------------------------------- */

/* NULL-terminated list of the mechanism config symbols reported (without "CONFIG_"). */
extern const char *const fl_mechanism_symbols[];
/* Value of CONFIG_<sym> in config text: 'y', 'm', 'n' ("is not set"), 'v' (another
 * value), or 0 when the symbol does not appear. */
char fl_config_lookup(const char *config_text, const char *sym);
/* NULL-terminated extra symbols reported on one arch (uname machine; none if unknown). */
const char *const *fl_mechanism_arch_symbols(const char *machine);
/* {"PER_VMA_LOCK": true/false/null, ...} over the common and machine's own symbols: true
 * for =y/=m, false for "is not set" or absent; every flag null when config_text is NULL
 * (no config could be read). */
json_t *fl_config_mechanisms(const char *config_text, const char *machine);
/* Split one "uname -a" line into release, version and machine. Returns 0 or -1. */
int fl_parse_uname_a(const char *line, char *release, size_t rlen, char *version, size_t vlen,
		     char *machine, size_t mlen);
/* The bracketed choice of a sysfs selector: "always [madvise] never" -> "madvise".
 * Returns 0, or -1 if there is no bracketed word. */
int fl_sysfs_selected(const char *text, char *out, size_t len);
/* The uname machine of the kernel behind proc_root: uname() for "/proc" (or NULL), else
 * <proc_root>/sys/kernel/arch, so tests can point it at a fixture tree. 0 or -1.
 * (Defined in kernel_id.c; it reads files.) */
int fl_proc_machine(const char *proc_root, char *out, size_t len);

#endif
