// SPDX-License-Identifier: GPL-2.0
/*
 * What thp-munmap's operation cost (thp_munmap.h): the IPIs read from /proc/interrupts right
 * around it, per class and per GiB, split by the role of the CPU that received them
 * (thp_munmap_ipi.h); where the arch folds function calls into one multiplexed IPI row
 * (powerpc, s390), the cross-CPU calls each CPU received (probes/csd_calls.h) instead; the
 * remote TLB flushes it sent (tlb:tlb_flush); for a munmap, the page tables it freed
 * (thp_munmap_pgt.h).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "lib/mmstat.h"
#include "probes/csd_calls.h"
#include "probes/tlb_flush.h"
#include "thp_munmap.h"
#include "thp_munmap_ipi.h"

/* One IPI class per GiB: a metric and its per-CPU figures, or why it is missing. */
static void ipi_class(struct fl_case *c, json_t *ipi, const char *cls, const char *metric,
		      double gib, json_t *per_gib)
{
	json_t *v = json_object_get(ipi, cls), *tot = json_object_get(v, "total");
	json_t *pc = json_object_get(v, "per_cpu"), *arr, *x;
	size_t i;

	if (!json_is_integer(tot)) {
		if (!v && json_object_get(ipi, "status"))
			v = ipi;	/* the whole section is a status: it speaks for each class */
		if (v)
			json_object_set(per_gib, cls, v);
		else
			json_object_set_new(per_gib, cls,
					    fl_json_missing("unsupported", "no IPI data"));
		thpm_metric_missing(c, metric, json_object_get(per_gib, cls));
		return;
	}
	fl_case_metric(c, metric, (double)json_integer_value(tot) / gib);
	arr = json_array();
	json_array_foreach(pc, i, x)
		json_array_append_new(arr, json_real((double)json_integer_value(x) / gib));
	json_object_set_new(per_gib, cls, json_pack("{s:f, s:o}", "total",
				(double)json_integer_value(tot) / gib, "per_cpu", arr));
	if (json_object_get(v, "source"))
		json_object_set(json_object_get(per_gib, cls), "source",
				json_object_get(v, "source"));
}

/* The sum of the classes this arch counts (absent and unsupported ones add nothing; a class
 * taken from a tracepoint is already inside a muxed row). */
static void ipi_total(struct fl_case *c, json_t *ipi, double gib)
{
	static const char *const classes[] = { "function_call", "tlb_shootdown", "reschedule",
						"other" };
	long long sum = 0;
	bool any = false;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *v = json_object_get(ipi, classes[i]), *tot = json_object_get(v, "total");

		if (json_is_integer(tot) && !json_object_get(v, "source")) {
			sum += json_integer_value(tot);
			any = true;
		}
	}
	if (any)
		fl_case_metric(c, "ipis_per_gib", (double)sum / gib);
}

/*
 * No function-call row in /proc/interrupts (muxed IPIs): the cross-CPU calls received take
 * its place, with their source and the reason the row could not be used.
 */
static void ipi_function_calls(json_t *ipi, json_t *calls)
{
	json_t *fc = json_object_get(ipi, "function_call"), *v;

	if (!fc || json_is_integer(json_object_get(fc, "total")) ||
	    !json_is_integer(json_object_get(calls, "total")))
		return;
	v = json_deep_copy(calls);
	json_object_set(v, "muxed_row", json_object_get(fc, "reason"));
	json_object_set_new(ipi, "function_call", v);
}

/* The role of each CPU during the operation (thp_munmap_ipi.h). */
static void thpm_roles_fill(struct thpm *t, struct thpm_roles *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < t->nidle; i++)
		thpm_role_set(r, t->idle[i].ran_on, THPM_IDLE);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (atomic_load(&t->walked_on[cpu]))
			thpm_role_set(r, cpu, THPM_WALKING);
	for (int i = 0; t->walkers && i < fl_team_size(t->walkers); i++)
		thpm_role_set(r, fl_team_worker(t->walkers, i)->cpu, THPM_WALKING);
	thpm_role_set(r, t->op_cpu0, THPM_SENDER);
	thpm_role_set(r, t->op_cpu1, THPM_SENDER);
}

/*
 * detail.ipi_receivers: the CPUs by role and each class split by the role of the CPU that
 * received it; the per-op metrics. A class the kernel does not count keeps its status and
 * reason. The csd counts are split too where they are not already the function_call class.
 */
static void ipi_receivers(struct fl_case *c, struct thpm *t, json_t *ipi, json_t *calls)
{
	static const char *const cls[] = { "function_call", "tlb_shootdown", "other" };
	static const char *const base[] = { "function_call_ipis", "tlb_ipis", "other_ipis" };
	json_t *cpus = json_object_get(ipi, "cpus"), *out = json_object(), *split;
	struct thpm_roles *r = malloc(sizeof(*r));

	if (!r) {
		json_decref(out);
		return;
	}
	thpm_roles_fill(t, r);
	fl_case_metric(c, "mm_cpus", thpm_roles_mm_cpus(r));
	json_object_set_new(out, "roles", thpm_roles_json(r, cpus));
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		json_t *v = json_object_get(ipi, cls[i]);

		/* No class at all: the whole section is a status (the CPU set changed). */
		split = thpm_ipi_split(v ? v : ipi, cpus, r);
		thpm_split_metrics(c, split, base[i]);
		json_object_set_new(out, cls[i], split);
	}
	if (calls && json_object_get(json_object_get(ipi, "function_call"), "source") == NULL)
		json_object_set_new(out, "csd_calls", thpm_ipi_split(calls, cpus, r));
	json_object_set_new(c->extra, "ipi_receivers", out);
	free(r);
}

void thpm_ipi_metrics(struct fl_case *c, struct thpm *t)
{
	double gib = (double)t->size / GIB;
	json_t *ipi, *per_gib, *calls, *cpus;

	/* A section that is a status when /proc/interrupts could not be used; tlb_shootdown
	 * unsupported where a hypervisor flushes without an IPI (mmstat.h). */
	ipi = fl_ipi_delta_here(t->irq0, t->irq1);
	if (!ipi)
		ipi = fl_json_missing("unsupported", "out of memory");
	calls = t->csd ? fl_csd_calls_json(t->csd) : NULL;
	ipi_function_calls(ipi, calls);
	per_gib = json_object();
	ipi_class(c, ipi, "function_call", "function_call_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "tlb_shootdown", "tlb_ipis_per_gib", gib, per_gib);
	ipi_class(c, ipi, "other", "other_ipis_per_gib", gib, per_gib);
	ipi_total(c, ipi, gib);
	cpus = json_object_get(ipi, "cpus");
	if (cpus)
		json_object_set(per_gib, "cpus", cpus);
	json_object_set_new(c->extra, "ipi_per_gib", per_gib);
	ipi_receivers(c, t, ipi, calls);
	json_object_set_new(c->extra, "ipi_op", ipi);
	if (calls)	/* where the row exists too: the two sources side by side */
		json_object_set_new(c->extra, "csd_calls_op", calls);
}

/* The sender's side of the remote TLB flushes (counted even where the TLB row is not), and
 * every tlb:tlb_flush reason in detail.tlb_flush_op. */
void thpm_tlb_flush_metrics(struct fl_case *c, struct thpm *t)
{
	unsigned long long n;
	json_t *missing, *tp;

	if (!t->tlb)
		return;
	if (!fl_tlb_flush_count(t->tlb, "remote IPI send", &n, &missing)) {
		fl_case_metric(c, "remote_tlb_flushes", (double)n);
		fl_case_metric(c, "remote_tlb_flushes_per_gib", (double)n / ((double)t->size / GIB));
	} else {
		thpm_metric_missing(c, "remote_tlb_flushes", missing);
		thpm_metric_missing(c, "remote_tlb_flushes_per_gib", missing);
		json_decref(missing);
	}
	tp = json_object();
	fl_tlb_flush_emit(t->tlb, tp);
	json_object_set_new(c->extra, "tlb_flush_op", tp);
}

/* The mm's page tables in kB (VmPTE), or -1. Read into the stack: a malloc here could grow
 * the heap by a page table of its own. */
long long thpm_vmpte_kb_now(void)
{
	char buf[8192];
	ssize_t n = -1;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return thpm_vmpte_kb(buf);
}

/* Before the operation: for a munmap, the PMD tables its neighbours let free_pgtables()
 * free (thp_munmap_pgt.h). */
void thpm_pgt_before(struct thpm *t)
{
	uintptr_t s = (uintptr_t)t->base, e = s + t->size;
	char *maps = NULL;

	t->pgt = (struct thpm_pgt){ .page = t->page, .hpage = t->hpage, .pud = t->pud,
				    .size = t->size, .predicted = -1, .vmpte_kb1 = -1 };
	if (t->op == OP_MUNMAP)
		maps = fl_read_all("/proc/self/maps", 0, 0, NULL, NULL, 0);
	if (maps && !thpm_maps_gap(maps, s, e, &t->pgt.floor, &t->pgt.ceiling))
		t->pgt.predicted = thpm_pmd_tables_freeable(s, e, t->pgt.floor, t->pgt.ceiling,
							     t->pud);
	free(maps);
}

/* op munmap: detail.page_tables and pmd_tables_freed, or why it is missing. */
void thpm_pgt_metrics(struct fl_case *c, struct thpm *t)
{
	json_t *o;
	double n;

	if (t->op != OP_MUNMAP)
		return;
	o = thpm_pgt_json(&t->pgt, &n);
	if (!json_object_get(o, "status"))
		fl_case_metric(c, "pmd_tables_freed", n);
	else
		thpm_metric_missing(c, "pmd_tables_freed", o);
	json_object_set_new(c->extra, "page_tables", o);
}
