// SPDX-License-Identifier: GPL-2.0
/* swapin-collapse's measured phase: khugepaged told to scan fast and waited for, or
 * MADV_COLLAPSE a PMD at a time; the collapse tracepoints' and vmstat's figures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "fl_interrupt.h"
#include "fl_json.h"
#include "lib/collapse_trace.h"
#include "lib/hist.h"
#include "lib/knobs.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "swapin_collapse.h"

/* Wait for khugepaged: the share every 100 ms until it is full, stops growing (two full
 * scans without growth) or timeout_s passes. */
static int wait_khugepaged(struct fl_case *c, struct sc *s, json_t *series)
{
	double timeout = fl_param_double(&c->params, "timeout_s"), best = s->share_before;
	uint64_t t0 = s->t0, t = fl_now_ns(), grown_at = 0;
	char v[32];
	long long scans0 = -1;

	while (!fl_interrupted()) {
		double sh;

		t += POLL_NS;
		fl_sleep_until_ns(t);
		sh = sc_share(s);
		json_array_append_new(series, json_real(sh));
		if (sh > best + 1e-9) {
			best = sh;
			grown_at = fl_now_ns();
			scans0 = -1;
		}
		if (best >= 100.0 || (double)(fl_now_ns() - t0) / 1e9 >= timeout)
			break;
		if (fl_knob_get(KHP "/full_scans", v, sizeof(v)) == 0) {
			if (scans0 < 0)
				scans0 = atoll(v);
			else if (atoll(v) >= scans0 + 2 && grown_at)
				break;
		}
	}
	if (grown_at)
		fl_case_metric(c, "collapse_poll_s", (double)(grown_at - t0) / 1e9);
	return 0;
}

static void hist_metrics(struct fl_case *c, const struct fl_hist *h)
{
	if (!h->count)
		return;
	fl_case_metric(c, "collapse_ms_p50", (double)fl_hist_percentile(h, 50) / 1e6);
	fl_case_metric(c, "collapse_ms_p99", (double)fl_hist_percentile(h, 99) / 1e6);
}

static int madvise_collapse(struct fl_case *c, struct sc *s, json_t *series)
{
	uint64_t t0 = fl_now_ns(), total = 0;
	size_t n = 0, failed = 0;
	struct fl_hist h;
	int first_err = 0;

	/* An empty range answers EINVAL only for an advice the kernel does not know; a PMD's
	 * EINVAL below can also be the VMA thread's split of that PMD (a failed collapse). */
	if (madvise(s->base, 0, MADV_COLLAPSE) && errno == EINVAL)
		return fl_case_skip(c, "this kernel has no MADV_COLLAPSE (6.1+)");
	fl_hist_init(&h);
	for (size_t off = 0; off < s->len && !fl_interrupted(); off += s->pmd) {
		uint64_t t = fl_now_ns();

		/* One try, not FL_THP_COLLAPSE_TRIES: each PMD's time is one MADV_COLLAPSE (the
		 * collapse latency seed 003 compares), and a collapse the VMA or fault thread
		 * made fail, EAGAIN included, is counted with its errno rather than retried. */
		if (fl_thp_collapse(s->base + off, s->pmd, 1, NULL)) {
			failed++;
			if (!first_err)
				first_err = errno;
		}
		t = fl_now_ns() - t;
		total += t;
		n++;
		fl_hist_record(&h, t);
		json_array_append_new(series, json_real((double)t / 1e6));
	}
	fl_case_metric(c, "time_to_collapse_s", (double)(fl_now_ns() - t0) / 1e9);
	if (n)
		fl_case_metric(c, "collapse_ms_per_2m", (double)total / 1e6 / (double)n);
	hist_metrics(c, &h);
	json_object_set_new(c->extra, "collapse_failed", json_integer((json_int_t)failed));
	if (first_err)
		json_object_set_new(c->extra, "collapse_first_error",
				    json_string(strerror(first_err)));
	return 0;
}

/* The tracepoints' figures: collapse latency per PMD, time to the last collapse, scan results
 * by name, the swapin event. */
static void trace_report(struct fl_case *c, struct sc *s)
{
	const struct fl_ct_an *a;

	if (!s->trace) {
		json_object_set_new(c->extra, "collapse_trace", fl_json_missing("unsupported",
					s->trace_why[0] ? s->trace_why : "the trace was not started"));
		return;
	}
	json_object_set_new(c->extra, "collapse_trace", fl_ctrace_report(s->trace, &a));
	if (!a)
		return;
	hist_metrics(c, &a->collapse);
	if (a->t0_ns && a->last_ns > a->t0_ns)
		fl_case_metric(c, "time_to_collapse_s", (double)(a->last_ns - a->t0_ns) / 1e9);
	fl_case_metric(c, "swapped_in_by_khugepaged", (double)a->swapped_in);
}

static void vmstat_metric(struct fl_case *c, struct sc *s, const char *name)
{
	unsigned long long d;

	if (fl_mmsnap_vmstat(&s->s0, &s->s1, name, &d) == 0)
		fl_case_metric(c, name, (double)d);
}

/* pswpin and swap readahead while the range was written again (setup, not measured). */
static void rewrite_vmstat(struct fl_case *c, struct sc *s)
{
	static const char *const names[] = { "pswpin", "swap_ra", "swap_ra_hit",
					     "thp_collapse_alloc" };
	json_t *o = json_object();
	unsigned long long d;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(o, names[i], fl_mmsnap_vmstat(&s->w0, &s->w1, names[i], &d) ?
				    json_pack("{s:s, s:s}", "status", "absent", "reason",
					      "not in /proc/vmstat") : json_integer((json_int_t)d));
	json_object_set_new(c->extra, "rewrite_vmstat", o);
}

static int collapse(struct fl_case *c, struct sc *s, bool khugepaged, json_t *series)
{
	char err[256];
	int ret;

	s->share_before = sc_share(s);
	fl_mmsnap_take(&s->s0);
	if (s->trace && fl_ctrace_start(s->trace, err, sizeof(err))) {
		snprintf(s->trace_why, sizeof(s->trace_why), "%s", err);
		fl_ctrace_close(s->trace);
		s->trace = NULL;
	}
	if (khugepaged)
		json_object_set_new(c->extra, "khugepaged_at_before", fl_thp_khugepaged_now());
	ret = sc_threads_start(c, s);
	if (!ret && khugepaged)
		ret = fl_thp_khugepaged_fast(c, fl_param_int(&c->params, "pages_to_scan"),
					     fl_param_int(&c->params, "scan_sleep_ms"), &s->t0);
	if (s->trace)
		fl_ctrace_mark(s->trace, s->t0);
	if (!ret)
		ret = khugepaged ? wait_khugepaged(c, s, series) : madvise_collapse(c, s, series);
	sc_threads_stop(c, s);
	fl_mmsnap_take(&s->s1);
	if (khugepaged)
		trace_report(c, s);
	return ret;
}

int sc_run(struct fl_case *c)
{
	struct sc *s = c->priv;
	bool khugepaged = !strcmp(fl_param_str(&c->params, "mode"), "khugepaged");
	json_t *series = json_array();
	double after;
	int ret;

	ret = collapse(c, s, khugepaged, series);
	after = sc_share(s);
	json_object_set_new(c->extra, khugepaged ? "thp_share_pct_every_100ms" :
			    "collapse_ms_each_2m", series);
	if (ret)
		return ret;
	if (s->thread_err[0])
		return fl_case_fail(c, "%s", s->thread_err);
	fl_case_metric(c, "thp_share_before", s->share_before);
	fl_case_metric(c, "thp_share_after", after);
	vmstat_metric(c, s, "pswpin");
	vmstat_metric(c, s, "pswpout");
	vmstat_metric(c, s, "swap_ra");
	vmstat_metric(c, s, "swap_ra_hit");
	vmstat_metric(c, s, "thp_collapse_alloc");
	vmstat_metric(c, s, "thp_collapse_alloc_failed");
	rewrite_vmstat(c, s);
	c->ops = (after - s->share_before) / 100.0 * (double)(s->len / s->pmd);
	if (c->ops < 0)
		c->ops = 0;
	return 0;
}

