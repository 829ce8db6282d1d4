// SPDX-License-Identifier: GPL-2.0
/* IPI normalization: which /proc/interrupts rows are IPIs of which class on each arch,
 * why a class has no row, and the "ipi" section from two snapshots (procparse_ipi.h). */
#include "probes/procparse_ipi.h"

#include "fl_json.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const ipi_class_names[FL_IPI_NCLASSES] = {
	[FL_IPI_FUNCTION_CALL]	= "function_call",
	[FL_IPI_TLB_SHOOTDOWN]	= "tlb_shootdown",
	[FL_IPI_RESCHEDULE]	= "reschedule",
	[FL_IPI_OTHER]		= "other",
};

const char *fl_ipi_class_name(enum fl_ipi_class c)
{
	if (c < 0 || c >= FL_IPI_NCLASSES)
		return "none";
	return ipi_class_names[c];
}

/* uname machine -> arch family of the tables below. */
static const struct { const char *machine, *family; } ipi_archs[] = {
	{ "x86_64", "x86" }, { "amd64", "x86" }, { "i?86", "x86" },
	{ "aarch64", "arm64" }, { "arm64", "arm64" },
	{ "ppc64le", "powerpc" }, { "ppc64", "powerpc" }, { "ppc", "powerpc" },
	{ "powerpc*", "powerpc" },
	{ "s390x", "s390" }, { "s390", "s390" },
};

const char *fl_ipi_arch_family(const char *machine)
{
	size_t i;

	if (!machine)
		return NULL;
	for (i = 0; i < sizeof(ipi_archs) / sizeof(ipi_archs[0]); i++)
		if (fnmatch(ipi_archs[i].machine, machine, 0) == 0)
			return ipi_archs[i].family;
	return NULL;
}

/*
 * Which /proc/interrupts rows are IPIs of which class, per arch family; first match wins.
 * name and desc are fnmatch globs; desc is the row text with blank runs squeezed.
 * Why each arch looks as it does is in workloads/probes/README.md.
 */
static const struct ipi_rule {
	const char *family, *name, *desc;
	enum fl_ipi_class cls;
} ipi_rules[] = {
	/* x86: each IPI vector has its own row. IWI is irq_work, raised by IPI. */
	{ "x86",	"CAL",		"*",				FL_IPI_FUNCTION_CALL },
	{ "x86",	"TLB",		"*",				FL_IPI_TLB_SHOOTDOWN },
	{ "x86",	"RES",		"*",				FL_IPI_RESCHEDULE },
	{ "x86",	"IWI",		"*",				FL_IPI_OTHER },
	/* arm64: IPI0..IPIn, told apart by their text, not their number. */
	{ "arm64",	"IPI*",		"Rescheduling interrupts",	FL_IPI_RESCHEDULE },
	{ "arm64",	"IPI*",		"Function call interrupts",	FL_IPI_FUNCTION_CALL },
	{ "arm64",	"IPI*",		"*",				FL_IPI_OTHER },
	/* powerpc with one virq per message (no muxing; rare). */
	{ "powerpc",	"[0-9]*",	"* ipi call function",		FL_IPI_FUNCTION_CALL },
	{ "powerpc",	"[0-9]*",	"* ipi reschedule",		FL_IPI_RESCHEDULE },
	{ "powerpc",	"[0-9]*",	"* ipi tick-broadcast",		FL_IPI_OTHER },
	{ "powerpc",	"[0-9]*",	"* nmi ipi",			FL_IPI_OTHER },
	/* powerpc muxed: XIVE "IPI-<node>" or XICS "IPI" carries every message;
	 * doorbells carry the same muxed messages between SMT threads of a core. */
	{ "powerpc",	"[0-9]*",	"XIVE-IPI *",			FL_IPI_OTHER },
	{ "powerpc",	"[0-9]*",	"* IPI",			FL_IPI_OTHER },
	{ "powerpc",	"DBL",		"*",				FL_IPI_OTHER },
	/* s390: SIGP external call / emergency signal carry one mask of every message. */
	{ "s390",	"EXC",		"*",				FL_IPI_OTHER },
	{ "s390",	"EMS",		"*",				FL_IPI_OTHER },
};

#define PPC_MUXED "powerpc multiplexes call-function, reschedule, tick-broadcast and NMI IPIs " \
	"on one interrupt (the XIVE/XICS IPI row, and doorbells); their sum is ipi.other, " \
	"the split is in the ipi:* tracepoints"
#define S390_MUXED "s390 sends call-function, reschedule, irq-work and stop requests as bits " \
	"of one mask, signalled by SIGP external call (target running) or emergency signal " \
	"(target not running); their sum is ipi.other, the split is in the ipi:* tracepoints"

/* Classes an arch has no row for, and why. */
static const struct ipi_gap {
	const char *family;
	enum fl_ipi_class cls;
	const char *status, *reason;
} ipi_gaps[] = {
	{ "arm64",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "arm64 broadcasts TLB invalidation in hardware; no TLB-shootdown IPI" },
	{ "powerpc",	FL_IPI_FUNCTION_CALL, "unsupported", PPC_MUXED },
	{ "powerpc",	FL_IPI_RESCHEDULE, "unsupported", PPC_MUXED },
	{ "powerpc",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "powerpc invalidates TLBs with broadcast tlbie; no TLB-shootdown IPI "
	  "(IPIs for tlbiel, when tlbie is disabled, are in ipi.other)" },
	{ "s390",	FL_IPI_FUNCTION_CALL, "unsupported", S390_MUXED },
	{ "s390",	FL_IPI_RESCHEDULE, "unsupported", S390_MUXED },
	{ "s390",	FL_IPI_TLB_SHOOTDOWN, "absent",
	  "s390 broadcasts TLB invalidation in hardware (IPTE/IDTE/CSP); no TLB-shootdown IPI" },
};

enum fl_ipi_class fl_ipi_classify(const char *machine, const char *name, const char *desc)
{
	const char *family = fl_ipi_arch_family(machine);
	const struct ipi_rule *r;
	size_t i;

	if (!family)
		return FL_IPI_NONE;
	for (i = 0; i < sizeof(ipi_rules) / sizeof(ipi_rules[0]); i++) {
		r = &ipi_rules[i];
		if (!strcmp(r->family, family) && fnmatch(r->name, name, 0) == 0 &&
		    fnmatch(r->desc, desc ? desc : "", 0) == 0)
			return r->cls;
	}
	return FL_IPI_NONE;
}

const char *fl_ipi_missing(const char *machine, enum fl_ipi_class c, const char **reason)
{
	const char *family = fl_ipi_arch_family(machine);
	size_t i;

	if (!family) {
		*reason = "no IPI normalization table for this arch; see ipi.raw";
		return "unsupported";
	}
	for (i = 0; i < sizeof(ipi_gaps) / sizeof(ipi_gaps[0]); i++) {
		if (!strcmp(ipi_gaps[i].family, family) && ipi_gaps[i].cls == c) {
			*reason = ipi_gaps[i].reason;
			return ipi_gaps[i].status;
		}
	}
	*reason = "this kernel prints no /proc/interrupts row of this class";
	return "absent";
}

/* Counter delta; the per-CPU interrupt counts are 32-bit in the kernel and may wrap. */
static unsigned long long count_delta(unsigned long long stop, unsigned long long start)
{
	if (stop >= start)
		return stop - start;
	if (start <= UINT32_MAX)
		return stop + (1ULL << 32) - start;
	return stop;
}

struct ipi_sum {
	bool seen;
	unsigned long long total;
	unsigned long long *per_cpu;
	json_t *rows;
};

static json_t *ull_array(const unsigned long long *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *int_array(const int *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static bool same_cpus(const struct fl_irq_table *a, const struct fl_irq_table *b)
{
	return a->ncpus == b->ncpus &&
	       !memcmp(a->cpus, b->cpus, (size_t)a->ncpus * sizeof(*a->cpus));
}

/* Delta of one row into d[] (ncpus long); returns the row total. */
static unsigned long long row_delta(const struct fl_irq_row *r, const struct fl_irq_row *s,
				    unsigned long long *d)
{
	unsigned long long total = 0;
	int i;

	for (i = 0; i < r->ncounts; i++) {
		d[i] = count_delta(r->counts[i], s && i < s->ncounts ? s->counts[i] : 0);
		total += d[i];
	}
	return total;
}

static json_t *raw_row(const struct fl_irq_row *r, int ncpus, const unsigned long long *d,
		       unsigned long long total, enum fl_ipi_class cls)
{
	json_t *o = json_pack("{s:s,s:I}", "desc", r->desc, "total", (json_int_t)total);

	if (o && r->ncounts == ncpus)
		json_object_set_new(o, "per_cpu", ull_array(d, ncpus));
	if (o && cls != FL_IPI_NONE)
		json_object_set_new(o, "class", json_string(fl_ipi_class_name(cls)));
	return o;
}

static void sum_add(struct ipi_sum *sum, const struct fl_irq_row *r, int ncpus,
		    const unsigned long long *d, unsigned long long total)
{
	int i;

	sum->seen = true;
	sum->total += total;
	for (i = 0; r->ncounts == ncpus && i < ncpus; i++)
		sum->per_cpu[i] += d[i];
	json_array_append_new(sum->rows, json_string(r->key));
}

static json_t *sum_json(const char *machine, enum fl_ipi_class c, struct ipi_sum *sum, int ncpus)
{
	const char *status, *reason;

	if (!sum->seen) {
		status = fl_ipi_missing(machine, c, &reason);
		return fl_json_missing(status, reason);
	}
	return json_pack("{s:I,s:o,s:O}", "total", (json_int_t)sum->total,
			 "per_cpu", ull_array(sum->per_cpu, ncpus), "rows", sum->rows);
}

static int ipi_walk(const char *machine, const struct fl_irq_table *start,
		    const struct fl_irq_table *stop, struct ipi_sum *sums, json_t *raw)
{
	unsigned long long *d, total;
	const struct fl_irq_row *r;
	enum fl_ipi_class cls;
	size_t i;

	d = calloc((size_t)stop->ncpus, sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < stop->nrows; i++) {
		r = &stop->rows[i];
		cls = fl_ipi_classify(machine, r->name, r->desc);
		total = row_delta(r, fl_irq_find(start, r->key), d);
		if (cls != FL_IPI_NONE)
			sum_add(&sums[cls], r, stop->ncpus, d, total);
		if (cls != FL_IPI_NONE || total)
			json_object_set_new(raw, r->key, raw_row(r, stop->ncpus, d, total, cls));
	}
	free(d);
	return 0;
}

json_t *fl_ipi_delta_json(const char *machine, const struct fl_irq_table *start,
			  const struct fl_irq_table *stop)
{
	struct ipi_sum sums[FL_IPI_NCLASSES] = { 0 };
	json_t *obj = NULL, *raw;
	int c;

	if (!same_cpus(start, stop))
		return fl_json_missing("unsupported", "the set of online CPUs changed during the "
				       "measured phase; per-CPU IPI deltas would be wrong");
	raw = json_object();
	for (c = 0; c < FL_IPI_NCLASSES; c++) {
		sums[c].per_cpu = calloc((size_t)stop->ncpus, sizeof(*sums[c].per_cpu));
		sums[c].rows = json_array();
		if (!sums[c].per_cpu || !sums[c].rows)
			goto out;
	}
	if (!raw || ipi_walk(machine, start, stop, sums, raw))
		goto out;
	obj = json_object();
	for (c = 0; obj && c < FL_IPI_NCLASSES; c++)
		json_object_set_new(obj, fl_ipi_class_name(c),
				    sum_json(machine, c, &sums[c], stop->ncpus));
	if (obj) {
		json_object_set_new(obj, "arch", json_string(machine ? machine : "unknown"));
		json_object_set_new(obj, "cpus", int_array(stop->cpus, stop->ncpus));
		json_object_set(obj, "raw", raw);
	}
out:
	for (c = 0; c < FL_IPI_NCLASSES; c++) {
		free(sums[c].per_cpu);
		json_decref(sums[c].rows);
	}
	json_decref(raw);
	return obj;
}

int fl_ipi_set_missing(json_t *ipi, enum fl_ipi_class c, const char *status,
		       const char *reason)
{
	json_t *m;

	if (!ipi || json_object_get(ipi, "status") || c < 0 || c >= FL_IPI_NCLASSES)
		return 0;
	m = fl_json_missing(status, reason);
	if (!m || json_object_set_new(ipi, fl_ipi_class_name(c), m))
		return -1;
	return 0;
}
