// SPDX-License-Identifier: GPL-2.0
/*
 * faultline doctor: how steady this host is (doctor.h). During the load sample the doctor does
 * the same page-fault work over and over, as a fault-bound workload does (map 2 MiB of
 * anonymous memory without THP, write each 4 KiB page, unmap), and takes the CPU time (this
 * thread's clock) it costs per fault in blocks of the sample: the spread of the blocks is what a
 * measurement made now sees of the machine beneath it. Other work that shares the CPU does not
 * count (that is the load finding's), but a VM's host that changes the guest's speed from one
 * moment to the next does, as the guest's clock cannot tell a slow vCPU from a busy one, even
 * when steal time says nothing (a PVM guest at 0% steal: blocks of 0.1 s from 13.5 to 16 us of
 * CPU per fault). The work takes the host lock without waiting, so it never disturbs a run
 * that measures; when a run holds the lock it is not done, and the finding says so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "doctor.h"
#include "fl_util.h"
#include "stats.h"

#define UNIT_BYTES (2UL << 20)
#define PAGE_BYTES 4096UL

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One unit of work: map, write each page, unmap. -1 when the memory could not be mapped. */
static int fault_unit(void)
{
	volatile char *p = mmap(NULL, UNIT_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, UNIT_BYTES, MADV_NOHUGEPAGE);	/* 4 KiB faults, whatever THP says */
	for (size_t off = 0; off < UNIT_BYTES; off += PAGE_BYTES)
		p[off] = 1;
	munmap((void *)p, UNIT_BYTES);
	return 0;
}

int fl_steady_measure(double secs, struct fl_steady *s)
{
	double cpu[FL_STEADY_BLOCKS] = { 0 }, t0 = clock_s(CLOCK_MONOTONIC), t;
	unsigned long faults[FL_STEADY_BLOCKS] = { 0 };

	memset(s, 0, sizeof(*s));
	s->block_s = secs / FL_STEADY_BLOCKS;
	while ((t = clock_s(CLOCK_MONOTONIC)) - t0 < secs) {
		int k = (int)((t - t0) / s->block_s);
		double c = clock_s(CLOCK_THREAD_CPUTIME_ID);

		if (k >= FL_STEADY_BLOCKS)
			break;
		if (fault_unit())
			return -1;
		cpu[k] += clock_s(CLOCK_THREAD_CPUTIME_ID) - c;
		faults[k] += UNIT_BYTES / PAGE_BYTES;
	}
	for (int k = 0; k < FL_STEADY_BLOCKS; k++)
		if (faults[k])
			s->us[s->n++] = 1e6 * cpu[k] / (double)faults[k];
	s->measured = true;
	return 0;
}

/* The blocks' median (fl_describe has the rest: range, CoV). */
static double block_median(const struct fl_steady *s)
{
	double v[FL_STEADY_BLOCKS];

	memcpy(v, s->us, sizeof(double) * (size_t)s->n);
	qsort(v, (size_t)s->n, sizeof(double), fl_double_cmp);
	return fl_quantile_sorted(v, (size_t)s->n, 0.5);
}

void fl_doctor_check_steady(json_t *doc, const struct fl_steady *s, const char *why_not)
{
	struct fl_desc d;
	double med, cov;
	json_t *f, *blocks;
	bool warn;

	if (!s || !s->measured || s->n < 2) {
		f = fl_doctor_add(doc, "steady", "host steadiness", "info",
				  "run faultline doctor again when no run holds the host lock",
				  "not measured: %s", why_not ? why_not : "the sample was too short "
				  "for two blocks of page-fault work");
		json_object_set_new(f, "volatile", json_true());
		return;
	}
	fl_describe(s->us, (size_t)s->n, &d);
	med = block_median(s);
	cov = 100 * d.cov;
	warn = cov >= FL_STEADY_WARN_COV;
	f = fl_doctor_add(doc, "steady", "host steadiness", warn ? "warn" : "ok",
			  warn ? "measure on a steadier host (bare metal, or a VM with dedicated "
			  "CPUs); here give --precision and --max-time room and read the "
			  "precision compare shows" : "none needed",
			  "the same page-fault work took %.2f us of CPU per fault (median of %d blocks of "
			  "%.2g s), from %.2f to %.2f: %.1f%% CoV%s", med, s->n, s->block_s, d.min, d.max,
			  cov, warn ? ": the host changes this machine's speed under a "
			  "measurement" : "");
	blocks = json_array();
	for (int k = 0; k < s->n; k++)
		json_array_append_new(blocks, json_real(s->us[k]));
	json_object_set_new(f, "steady", json_pack("{s:o, s:f, s:o}", "blocks_us", blocks,
						   "block_s", s->block_s, "cov_pct",
						   isfinite(cov) ? json_real(cov) : json_null()));
	json_object_set_new(f, "volatile", json_true());
}
