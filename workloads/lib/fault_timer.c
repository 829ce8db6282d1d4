// SPDX-License-Identifier: GPL-2.0
/* First-touch latency: the clock's choice and calibration, and the report (fault_timer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fault_timer.h"
#include "team.h"
#include "workload.h"

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define CAL_NS 5000000ull	/* one calibration window */
#define CAL_ROUNDS 3		/* the median of three windows */

static void fclock_monotonic(struct fl_fclock *clk, const char *why)
{
	clk->tsc = false;
	clk->mult = 1ull << 32;
	clk->ns_per_tick = 1.0;
	snprintf(clk->why, sizeof(clk->why), "%s", why);
}

#if defined(__x86_64__)
/* TSC ticks per CAL_NS of CLOCK_MONOTONIC, as mult (ns = ticks * mult >> 32). */
static uint64_t fclock_window(void)
{
	uint64_t n0, n1, t0, t1;

	n0 = fl_now_ns();
	t0 = __rdtsc();
	do
		n1 = fl_now_ns();
	while (n1 - n0 < CAL_NS);
	t1 = __rdtsc();
	if (t1 <= t0)
		return 0;
	return (uint64_t)(((unsigned __int128)(n1 - n0) << 32) / (t1 - t0));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool clocksource_is_tsc(void)
{
	char cs[32] = "";
	FILE *f = fopen(CLOCKSOURCE, "re");

	if (!f)
		return false;
	if (!fgets(cs, sizeof(cs), f))
		cs[0] = 0;
	fclose(f);
	return !strcmp(cs, "tsc\n");
}

void fl_fclock_init(struct fl_fclock *clk)
{
	uint64_t m[CAL_ROUNDS];

	if (!clocksource_is_tsc()) {
		fclock_monotonic(clk, "the kernel's clocksource is not tsc (" CLOCKSOURCE
				 "): CLOCK_MONOTONIC (vDSO)");
		return;
	}
	for (int i = 0; i < CAL_ROUNDS; i++)
		m[i] = fclock_window();
	qsort(m, CAL_ROUNDS, sizeof(m[0]), cmp_u64);
	if (!m[CAL_ROUNDS / 2]) {
		fclock_monotonic(clk, "the TSC did not advance during calibration: "
				 "CLOCK_MONOTONIC (vDSO)");
		return;
	}
	clk->tsc = true;
	clk->mult = m[CAL_ROUNDS / 2];
	clk->ns_per_tick = (double)clk->mult / 4294967296.0;
	snprintf(clk->why, sizeof(clk->why), "the kernel's clocksource is tsc: rdtsc, calibrated "
		 "against CLOCK_MONOTONIC (median of %d windows of %llu ms)", CAL_ROUNDS,
		 CAL_NS / 1000000);
}
#else
void fl_fclock_init(struct fl_fclock *clk)
{
	fclock_monotonic(clk, "not x86_64: CLOCK_MONOTONIC (vDSO)");
}
#endif

void fl_fault_latency_absent(struct fl_case *c, const char *why)
{
	json_object_set_new(c->extra, "fault_latency",
			    json_pack("{s:s, s:s}", "status", "absent", "reason", why));
}

struct fl_hist *fl_team_hist_merged(struct fl_team *t)
{
	struct fl_hist *all = malloc(sizeof(*all));

	if (!all)
		return NULL;
	fl_hist_init(all);
	for (int i = 0; i < fl_team_size(t); i++)
		if (fl_team_worker(t, i)->hist)
			fl_hist_merge(all, fl_team_worker(t, i)->hist);
	return all;
}

void fl_fault_latency_report(struct fl_case *c, const struct fl_fclock *clk,
			     const struct fl_hist *h, const char *what)
{
	if (!h) {
		fl_fault_latency_absent(c, "out of memory merging the per-thread histograms");
		return;
	}
	if (!h->count) {
		fl_fault_latency_absent(c, "no page was touched in the measured phase");
		return;
	}
	fl_case_metric(c, "fault_lat_p50_us", (double)fl_hist_percentile(h, 50) / 1e3);
	fl_case_metric(c, "fault_lat_p99_us", (double)fl_hist_percentile(h, 99) / 1e3);
	json_object_set_new(c->extra, "fault_latency", fl_hist_to_json(h, "ns"));
	json_object_set_new(c->extra, "fault_latency_clock",
			    json_pack("{s:s, s:f, s:s, s:s}", "clock",
				      clk->tsc ? "tsc" : "clock_gettime(CLOCK_MONOTONIC)",
				      "ns_per_tick", clk->ns_per_tick, "why", clk->why,
				      "what", what));
}
