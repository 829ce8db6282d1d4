// SPDX-License-Identifier: GPL-2.0
/* Cross-CPU function calls received per CPU (csd:csd_function_entry, csd != 0). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/threadmap.h>
#include <perf/evsel.h>

#include "probes/csd_calls.h"
#include "probes/tracefs.h"

/* From libperf's internal/evsel.h (which needs the kernel's tools/include); the static
 * libperf.a we link exports it. */
int perf_evsel__apply_filter(struct perf_evsel *evsel, const char *filter);

#define CSD_FILTER	"csd != 0"
#define CSD_SOURCE	"csd:csd_function_entry with csd != 0: calls other CPUs sent, counted " \
			"on the CPU that ran them (TLB-flush calls included; calls a polling " \
			"idle CPU picks up without an interrupt may be missed)"
#define TTWU_SYM	"sched_ttwu_pending"

struct fl_csd_calls {
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct perf_evsel *evsel;
	__u64 *counts;
	char filter[96];
	int ttwu_hidden;		/* remote wakeups could not be filtered out */
	const char *status;		/* NULL while usable */
	char reason[256];
	int counted;
};

static void csd_missing(struct fl_csd_calls *c, const char *status, const char *fmt,
			const char *arg)
{
	c->status = status;
	snprintf(c->reason, sizeof(c->reason), fmt, arg);
}

/*
 * Remote wakeups queued on a CPU's list run as one call of sched_ttwu_pending with a csd:
 * reschedule work, not a function call. Its address from /proc/kallsyms (0 when hidden by
 * kptr_restrict) lets the filter leave them out.
 */
static unsigned long long ttwu_address(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr = 0, a;
	char line[512], type, name[256];

	if (!f)
		return 0;
	while (!addr && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && !strcmp(name, TTWU_SYM))
			addr = a;
	fclose(f);
	return addr;
}

static void csd_filter(struct fl_csd_calls *c)
{
	unsigned long long ttwu = ttwu_address();

	c->ttwu_hidden = !ttwu;
	if (ttwu)
		snprintf(c->filter, sizeof(c->filter), CSD_FILTER " && func != 0x%llx", ttwu);
	else
		snprintf(c->filter, sizeof(c->filter), CSD_FILTER);
}

static void csd_open_evsel(struct fl_csd_calls *c, unsigned long long id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = id,
		.disabled = 1,
	};
	int err;

	c->evsel = perf_evsel__new(&attr);
	if (!c->evsel) {
		csd_missing(c, "unsupported", "%s", "out of memory opening the counter");
		return;
	}
	err = perf_evsel__open(c->evsel, c->cpus, c->threads);
	if (err < 0) {
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
		csd_missing(c, "unsupported", "perf cannot count csd:csd_function_entry "
			    "system-wide (perf_event_open: %s)", strerror(-err));
		return;
	}
	/* perf_evsel__apply_filter returns ioctl()'s -1; the reason is in errno. */
	csd_filter(c);
	if (perf_evsel__apply_filter(c->evsel, c->filter))
		csd_missing(c, "unsupported", "the filter on csd:csd_function_entry was refused "
			    "(%s)", strerror(errno));
}

struct fl_csd_calls *fl_csd_calls_open(void)
{
	struct fl_csd_calls *c = calloc(1, sizeof(*c));
	unsigned long long id;
	char why[224];
	const char *dir;

	if (!c)
		return NULL;
	c->cpus = perf_cpu_map__new_online_cpus();
	c->threads = perf_thread_map__new_dummy();
	if (!c->cpus || !c->threads ||
	    !(c->counts = calloc(perf_cpu_map__nr(c->cpus), sizeof(*c->counts)))) {
		fl_csd_calls_close(c);
		return NULL;
	}
	dir = fl_tracefs_events_dir(why, sizeof(why));
	if (!dir)
		csd_missing(c, "unsupported", "%s", why);
	else if (fl_tracefs_event_id(dir, "csd", "csd_function_entry", &id))
		csd_missing(c, "absent", "%s", "this kernel has no csd:csd_function_entry "
			    "tracepoint (added in 6.3)");
	else
		csd_open_evsel(c, id);
	return c;
}

void fl_csd_calls_start(struct fl_csd_calls *c)
{
	if (c->status)
		return;
	if (perf_evsel__enable(c->evsel))
		csd_missing(c, "unsupported", "enabling the counter failed: %s", strerror(errno));
}

void fl_csd_calls_stop(struct fl_csd_calls *c)
{
	struct perf_counts_values v;
	int idx, err;

	if (c->status)
		return;
	perf_evsel__disable(c->evsel);
	for (idx = 0; idx < perf_cpu_map__nr(c->cpus); idx++) {
		err = perf_evsel__read(c->evsel, idx, 0, &v);
		if (err < 0) {
			csd_missing(c, "unsupported", "reading the counter failed: %s",
				    strerror(-err));
			return;
		}
		c->counts[idx] = v.val;
	}
	c->counted = 1;
}

json_t *fl_csd_calls_json(const struct fl_csd_calls *c)
{
	json_t *per_cpu, *cpus;
	long long total = 0;
	int idx;

	if (c->status || !c->counted)
		return json_pack("{s:s, s:s}", "status", c->status ? c->status : "unsupported",
				 "reason", c->status ? c->reason : "the counter was not read");
	per_cpu = json_array();
	cpus = json_array();
	for (idx = 0; idx < perf_cpu_map__nr(c->cpus); idx++) {
		json_array_append_new(per_cpu, json_integer((json_int_t)c->counts[idx]));
		json_array_append_new(cpus, json_integer(perf_cpu_map__cpu(c->cpus, idx).cpu));
		total += (long long)c->counts[idx];
	}
	return json_pack("{s:I, s:o, s:o, s:s, s:s}", "total", (json_int_t)total,
			 "per_cpu", per_cpu, "cpus", cpus, "source", c->ttwu_hidden ?
			 CSD_SOURCE "; remote wakeups included (" TTWU_SYM "'s address is hidden)" :
			 CSD_SOURCE "; remote wakeups (" TTWU_SYM ") left out", "filter", c->filter);
}

void fl_csd_calls_close(struct fl_csd_calls *c)
{
	if (!c)
		return;
	if (c->evsel) {
		perf_evsel__close(c->evsel);
		perf_evsel__delete(c->evsel);
	}
	free(c->counts);
	perf_thread_map__put(c->threads);
	perf_cpu_map__put(c->cpus);
	free(c);
}
