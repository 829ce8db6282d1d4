// SPDX-License-Identifier: GPL-2.0
/* Cross-CPU function calls received per CPU (csd:csd_function_entry, csd != 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/csd_calls.h"
#include "probes/tp_percpu.h"
#include "probes/tracefs.h"

#define CSD_FILTER	"csd != 0"
#define CSD_SOURCE	"csd:csd_function_entry with csd != 0: calls other CPUs sent, counted " \
			"on the CPU that ran them (TLB-flush calls included; calls a polling " \
			"idle CPU picks up without an interrupt may be missed)"
#define TTWU_SYM	"sched_ttwu_pending"

/* The filter is set on every CPU's fd (tp_percpu.h), not by libperf's perf_evsel__apply_filter,
 * which left every CPU but the first unfiltered. */
struct fl_csd_calls {
	struct fl_tpc *tp;
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

struct fl_csd_calls *fl_csd_calls_open(void)
{
	struct fl_csd_calls *c = calloc(1, sizeof(*c));
	unsigned long long id;
	char why[224];
	const char *dir;

	if (!c)
		return NULL;
	c->tp = fl_tpc_new();
	if (!c->tp) {
		free(c);
		return NULL;
	}
	dir = fl_tracefs_events_dir(why, sizeof(why));
	if (!dir) {
		csd_missing(c, "unsupported", "%s", why);
		return c;
	}
	if (fl_tracefs_event_id(dir, "csd", "csd_function_entry", &id)) {
		csd_missing(c, "absent", "%s", "this kernel has no csd:csd_function_entry "
			    "tracepoint (added in 6.3)");
		return c;
	}
	csd_filter(c);
	if (fl_tpc_add(c->tp, id, c->filter, "csd:csd_function_entry", c->reason,
		       sizeof(c->reason)) < 0)
		c->status = "unsupported";
	return c;
}

void fl_csd_calls_start(struct fl_csd_calls *c)
{
	if (!c->status && fl_tpc_enable(c->tp, c->reason, sizeof(c->reason)))
		c->status = "unsupported";
}

void fl_csd_calls_stop(struct fl_csd_calls *c)
{
	if (c->status)
		return;
	if (fl_tpc_stop(c->tp, c->reason, sizeof(c->reason)))
		c->status = "unsupported";
	else
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
	for (idx = 0; idx < fl_tpc_ncpus(c->tp); idx++) {
		unsigned long long n = fl_tpc_count(c->tp, 0, idx);

		json_array_append_new(per_cpu, json_integer((json_int_t)n));
		json_array_append_new(cpus, json_integer(fl_tpc_cpu(c->tp, idx)));
		total += (long long)n;
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
	fl_tpc_free(c->tp);
	free(c);
}
