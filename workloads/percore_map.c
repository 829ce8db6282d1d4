// SPDX-License-Identifier: GPL-2.0
/*
 * percore-map (seed 004, VM_LOCAL_CPU for a per-core server): one worker per core, pinned
 * with hwloc. op=zap is the thread's op: each worker owns a long-lived window (its own VMA,
 * or its slice of one VMA all share), populates it (write faults, or MADV_POPULATE_WRITE)
 * and zaps it (MADV_DONTNEED), so mmap_lock is only taken for read and what is left is the
 * TLB flush of the zap. op=mmap maps, touches and unmaps a fresh window per op (mmap_lock
 * taken for write twice per op). Mode shared-mm puts all workers in one process (what the
 * seed calls unpatched: every zap flushes the TLB of every CPU the mm runs on); percore-mm
 * forks one process per worker, each with its own mm (the bound a CPU-local mapping could
 * reach). One op's latency goes into a histogram. Per op, around the loop: remote TLB
 * flushes sent and received (tlb:tlb_flush by reason, system-wide), TLB-shootdown and
 * function-call IPIs (/proc/interrupts; the TLB class is unsupported where a hypervisor
 * flushes without an IPI).
 * Results of both modes go through one MAP_SHARED area: in percore-mm the children write
 * there and a proxy thread per child mirrors its op count for the per-second samples.
 * Verification: every touched page is read back before the unmap; each worker's last window
 * stays mapped and is checked once more when the loop stops.
 * The loops are in percore_map_loop.c, the percore-mm processes in percore_map_proc.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/samples.h"
#include "lib/timing.h"
#include "percore_map.h"
#include "probes/tlb_flush.h"

static const struct fl_param pc_params[] = {
	{ "threads", 't', FL_P_INT, "cpus", 1, 4096, NULL,
	  "workers (one per core; sweep 1..2*cpus as the seed does)" },
	{ "mode", 'm', FL_P_ENUM, "shared-mm", 0, 0, "shared-mm|percore-mm",
	  "shared-mm: threads of one process; percore-mm: one process (own mm) per worker" },
	{ "op", 'o', FL_P_ENUM, "zap", 0, 0, "zap|mmap",
	  "zap: populate and MADV_DONTNEED a long-lived window (mmap_lock read only, the "
	  "thread's op); mmap: mmap -> touch -> munmap a fresh window" },
	{ "populate", 0, FL_P_ENUM, "touch", 0, 0, "touch|madvise",
	  "op=zap: fill the window by write faults (touch) or MADV_POPULATE_WRITE (madvise)" },
	{ "vma", 0, FL_P_ENUM, "own", 0, 0, "own|shared",
	  "op=zap: each worker's window is its own VMA, or its slice of one VMA" },
	{ "window", 'w', FL_P_SIZE, "64K", 4096, 1ull << 30, NULL,
	  "bytes each worker populates and zaps (op=zap) or maps, touches and unmaps per op" },
	{ "seconds", 'S', FL_P_DOUBLE, "5", 0.1, 86400, NULL, "length of the measured phase" },
	{ "pin", 0, FL_P_ENUM, "core", 0, 0, "none|core|pu", "bind workers with hwloc" },
	FL_FAULT_LAT_PARAM,
	{ NULL },
};

static const struct fl_metric pc_metrics[] = {
	{ "ops_per_s", "ops/s", FL_BETTER_HIGHER,
	  "ops (populate+zap, or map+touch+unmap) per second, all workers" },
	{ "lat_mean_us", "us", FL_BETTER_LOWER, "mean latency of one op" },
	{ "lat_p50_us", "us", FL_BETTER_LOWER, "median latency of one op" },
	{ "lat_p99_us", "us", FL_BETTER_LOWER, "99th percentile latency of one op" },
	FL_FAULT_LAT_METRICS("a page of the window: its write fault (not with populate=madvise)"),
	{ "remote_tlb_flushes_per_op", "flushes/op", FL_BETTER_LOWER,
	  "remote TLB flushes sent per op (tlb:tlb_flush \"remote IPI send\", all CPUs)" },
	{ "remote_tlb_flushes_received_per_op", "flushes/op", FL_BETTER_LOWER,
	  "remote TLB flushes run by receiving CPUs per op (tlb:tlb_flush \"remote shootdown\")" },
	{ "tlb_shootdown_ipis_per_op", "IPIs/op", FL_BETTER_LOWER,
	  "TLB-shootdown IPIs (/proc/interrupts, all CPUs) per op" },
	{ "function_call_ipis_per_op", "IPIs/op", FL_BETTER_LOWER,
	  "function-call IPIs (/proc/interrupts, all CPUs) per op" },
	{ "samples", "ops/s", FL_BETTER_HIGHER, "ops per second, each second" },
	{ NULL },
};

/*
 * op=zap: every worker's window, mapped once before the workers start (percore-mm children
 * inherit it; each touches only its own window). vma=own puts a PROT_NONE page between
 * windows so each is its own VMA (adjacent anonymous VMAs would merge); vma=shared maps them
 * back to back in one VMA. No THP: a fault is one page, as in the thread.
 */
static int pc_map_arena(struct fl_case *c, struct percore *p)
{
	size_t i;

	p->stride = p->window + (p->shared_vma ? 0 : p->page);
	p->arena_len = p->stride * (size_t)p->n;
	p->arena = mmap(NULL, p->arena_len, p->shared_vma ? PROT_READ | PROT_WRITE : PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->arena == MAP_FAILED) {
		p->arena = NULL;
		return fl_case_fail(c, "cannot map the workers' windows (%zu bytes): %s",
				    p->arena_len, strerror(errno));
	}
	for (i = 0; !p->shared_vma && i < (size_t)p->n; i++)
		if (mprotect(p->arena + i * p->stride, p->window, PROT_READ | PROT_WRITE))
			return fl_case_fail(c, "cannot make worker %zu's window writable: %s", i,
					    strerror(errno));
	madvise(p->arena, p->arena_len, MADV_NOHUGEPAGE);	/* EINVAL without THP: fine */
	return 0;
}

static int pc_setup(struct fl_case *c)
{
	const struct fl_params *prm = &c->params;
	struct percore *p = calloc(1, sizeof(*p));
	char err[256];

	if (!p)
		return fl_case_fail(c, "out of memory");
	c->priv = p;
	p->page = (size_t)sysconf(_SC_PAGESIZE);
	p->n = (int)fl_param_int(prm, "threads");
	p->window = (size_t)fl_param_int(prm, "window") / p->page * p->page;
	p->npages = p->window / p->page;
	p->percore_mm = !strcmp(fl_param_str(prm, "mode"), "percore-mm");
	p->zap = !strcmp(fl_param_str(prm, "op"), "zap");
	p->populate_madvise = !strcmp(fl_param_str(prm, "populate"), "madvise");
	p->shared_vma = !strcmp(fl_param_str(prm, "vma"), "shared");
	/* populate=madvise: the pages are in before the stores, which do not fault */
	p->fault_latency = fl_param_bool(prm, "fault_latency") &&
			   !(p->zap && p->populate_madvise);
	p->corrupt_page = c->test.corrupt_page;
	fl_pin_parse(fl_param_str(prm, "pin"), &p->pin);
	if (fl_case_check_memory(c, (unsigned long long)p->n * p->window, false))
		return FL_WL_FAIL;
	p->slots_len = sizeof(*p->slots) * (size_t)p->n;
	p->slots = mmap(NULL, p->slots_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (p->slots == MAP_FAILED) {
		p->slots = NULL;
		return fl_case_fail(c, "cannot map the shared results area: %s", strerror(errno));
	}
	for (int i = 0; i < p->n; i++) {
		fl_hist_init(&p->slots[i].hist);
		fl_hist_init(&p->slots[i].fault);
		p->slots[i].cpu = -1;
	}
	if (p->fault_latency)
		fl_fclock_init(&p->clk);	/* before the fork: the children inherit it */
	if (p->zap && pc_map_arena(c, p))
		return FL_WL_FAIL;
	p->tlb = fl_tlb_flush_open();
	if (!p->tlb)
		return fl_case_fail(c, "out of memory");
	if (p->percore_mm && pc_fork_children(c, p))
		return FL_WL_FAIL;
	p->team = fl_team_create(p->n, p->percore_mm ? FL_PIN_NONE : p->pin, false,
				 (uint64_t)fl_now_ns(),
				 p->percore_mm ? pc_proxy_worker : pc_thread_worker, p,
				 err, sizeof(err));
	if (!p->team)
		return fl_case_fail(c, "%s", err);
	return 0;
}

/* IPIs per op of one class as a metric; when /proc/interrupts cannot count the class, the
 * reason. */
static void pc_ipi_metric(struct fl_case *c, struct percore *p, enum fl_ipi_class cls,
			  const char *metric, json_t *why)
{
	unsigned long long total;
	char reason[1024];

	if (!fl_mmsnap_ipi(&p->s0, &p->s1, cls, &total, reason, sizeof(reason))) {
		if (c->ops > 0)
			fl_case_metric(c, metric, (double)total / c->ops);
		return;
	}
	json_object_set_new(why, metric, json_string(reason));
}

/* Remote TLB flushes of one tlb:tlb_flush reason per op; when not counted, the reason. */
static void pc_flush_metric(struct fl_case *c, struct percore *p, const char *text,
			    const char *metric, json_t *why)
{
	unsigned long long n;
	json_t *missing;

	if (!fl_tlb_flush_count(p->tlb, text, &n, &missing)) {
		if (c->ops > 0)
			fl_case_metric(c, metric, (double)n / c->ops);
		return;
	}
	json_object_set(why, metric, json_object_get(missing, "reason"));
	json_decref(missing);
}

static void pc_mechanisms(struct fl_case *c, struct percore *p)
{
	json_t *why = json_object();
	json_t *tlb = fl_mmsnap_vmstat_prefix(&p->s0, &p->s1, "nr_tlb_");
	json_t *tp;

	pc_flush_metric(c, p, "remote IPI send", "remote_tlb_flushes_per_op", why);
	pc_flush_metric(c, p, "remote shootdown", "remote_tlb_flushes_received_per_op", why);
	tp = json_object();
	fl_tlb_flush_emit(p->tlb, tp);
	json_object_set_new(c->extra, "tlb_flush_tracepoint", tp);
	/* Unsupported where a hypervisor flushes without an IPI (fl_mmsnap_ipi says why). */
	pc_ipi_metric(c, p, FL_IPI_TLB_SHOOTDOWN, "tlb_shootdown_ipis_per_op", why);
	pc_ipi_metric(c, p, FL_IPI_FUNCTION_CALL, "function_call_ipis_per_op", why);
	if (tlb)
		json_object_set_new(c->extra, "tlb_flush_by_reason", tlb);
	else
		json_object_set_new(why, "tlb_flush_by_reason", json_string(
			"no nr_tlb_* in /proc/vmstat: kernel built without CONFIG_DEBUG_TLBFLUSH "
			"(the tlb:tlb_flush tracepoint total is in counters)"));
	json_object_set_new(c->extra, "metrics_absent", why);
}

static void pc_latency(struct fl_case *c, struct percore *p)
{
	struct fl_hist h;
	json_t *cpus = json_array();

	fl_hist_init(&h);
	for (int i = 0; i < p->n; i++) {
		fl_hist_merge(&h, &p->slots[i].hist);
		json_array_append_new(cpus, json_integer(p->slots[i].cpu));
	}
	json_object_set_new(c->extra, "worker_cpus", cpus);
	if (!h.count)
		return;
	fl_case_metric(c, "lat_mean_us", fl_hist_mean(&h) / 1e3);
	fl_case_metric(c, "lat_p50_us", (double)fl_hist_percentile(&h, 50) / 1e3);
	fl_case_metric(c, "lat_p99_us", (double)fl_hist_percentile(&h, 99) / 1e3);
	json_object_set_new(c->extra, "latency", fl_hist_to_json(&h, "ns"));
}

static void pc_fault_latency(struct fl_case *c, struct percore *p)
{
	struct fl_hist *h;

	if (p->zap && p->populate_madvise) {
		fl_fault_latency_absent(c, "not timed with populate=madvise: MADV_POPULATE_WRITE "
					"faults the pages in, the stores after it do not fault");
		return;
	}
	if (!p->fault_latency) {
		fl_fault_latency_absent(c, "not timed: fault_latency=false");
		return;
	}
	h = malloc(sizeof(*h));
	if (h) {
		fl_hist_init(h);
		for (int i = 0; i < p->n; i++)
			fl_hist_merge(h, &p->slots[i].fault);
	}
	fl_fault_latency_report(c, &p->clk, h, p->zap ?
				"the first store to each page of the window after its zap: a write "
				"fault" : "the first store to each page of a fresh window: a write fault");
	free(h);
}

static int pc_run(struct fl_case *c)
{
	struct percore *p = c->priv;
	struct fl_worker *w;
	double elapsed;
	json_t *samples;

	fl_mmsnap_take(&p->s0);
	fl_tlb_flush_start(p->tlb);
	samples = fl_run_team_sampled(p->team, fl_param_double(&c->params, "seconds"), &elapsed);
	fl_tlb_flush_stop(p->tlb);
	fl_mmsnap_take(&p->s1);
	w = fl_team_failed(p->team);
	if (w) {
		json_decref(samples);
		return fl_case_fail(c, "%s", w->errmsg);
	}
	c->ops = (double)fl_team_ops(p->team);
	fl_case_metric(c, "ops_per_s", c->ops / elapsed);
	pc_latency(c, p);
	pc_fault_latency(c, p);
	pc_mechanisms(c, p);
	fl_case_samples(c, "samples", "ops/s", samples);
	return 0;
}

static int pc_verify(struct fl_case *c)
{
	struct percore *p = c->priv;
	uint64_t checked = 0, corrupt = 0;
	const char *first = NULL;

	for (int i = 0; i < p->n; i++) {
		uint64_t n = fl_badlog_count(&p->slots[i].bad);

		checked += p->slots[i].checked;
		corrupt += n;
		if (!first && n)
			first = p->slots[i].bad.first;
	}
	return fl_case_verdict(c, "page", checked, corrupt, first);
}

static void pc_teardown(struct fl_case *c)
{
	struct percore *p = c->priv;

	if (!p)
		return;
	if (p->team)
		fl_team_destroy(p->team);
	if (p->pids)
		pc_reap(p);
	fl_mmsnap_free(&p->s0);
	fl_mmsnap_free(&p->s1);
	fl_tlb_flush_close(p->tlb);
	if (p->arena)
		munmap(p->arena, p->arena_len);
	if (p->slots)
		munmap(p->slots, p->slots_len);
	free(p->pids);
	free(p);
	c->priv = NULL;
}

const struct fl_workload fl_wl_percore_map = {
	.name = "percore-map",
	.summary = "per-core populate -> zap of a long-lived window (or map -> touch -> unmap), "
		   "one mm or one mm per core: Op/s, latency, remote TLB flushes and IPIs per op "
		   "(seed 004)",
	.params = pc_params,
	.metrics = pc_metrics,
	.op_unit = "op",
	.events = "tlb:tlb_flush,ipi:*,mmap_lock:*",
	.setup = pc_setup,
	.run = pc_run,
	.verify = pc_verify,
	.teardown = pc_teardown,
};