// SPDX-License-Identifier: GPL-2.0
/*
 * "mmap_lock" probe (mmap_lock.h): the mmap_lock tracepoints of the workload's mm recorded
 * system-wide in per-CPU perf ring buffers (libperf: perf_evlist__mmap,
 * perf_mmap__read_event), paired in time order by mmap_lock_pair.c.
 *
 * Which mm: the tracepoints carry the mm (a pointer; 6.12 and 6.18 alike, 6.12 with a
 * memcg_path string, 6.18 with a memcg_id). At open, a short per-thread recording of one
 * mmap/munmap of this thread gives this process's mm, and each event gets the filter
 * "mm == <it>", so the ring buffers hold only the workload's mm: its own tasks, khugepaged
 * working on it, anyone reading its /proc files. If the filter is refused, or the workload is
 * another process, the same choice is made by the reader from the samples (scope "tasks": the
 * mms the workload's own tasks used).
 *
 * A reader thread (mmap_lock_ring.c) drains the buffers while the phase runs (they would fill
 * in well under a second under fault-scale), merges the CPUs' streams in time order the way
 * perf does (events up to the previous round's newest are safe to pair) and feeds the pairing.
 * It allocates nothing during the phase unless its queue must grow; its own lock traffic is
 * counted under other_tasks. A ring that overflows writes PERF_RECORD_LOST: the loss is counted
 * per CPU and every figure carries it.
 */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "fl_json.h"
#include "fl_util.h"
#include "probes/mmap_lock_probe.h"
#include "probes/procparse.h"
#include "probes/tracefs.h"

/* In libperf.a but not in its public headers (internal/evsel.h). */
int perf_evsel__apply_filter(struct perf_evsel *evsel, const char *filter);

static const char *const mml_event_names[FL_MML_TYPES] = {
	"mmap_lock_start_locking", "mmap_lock_acquire_returned", "mmap_lock_released",
};

static int mml_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int mml_missing(struct fl_mml_probe *m, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mml_missing(struct fl_mml_probe *m, const char *status, const char *fmt, ...)
{
	va_list ap;

	if (m->status)
		return 0;
	m->status = status;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return 0;
}

static int mml_formats(struct fl_mml_probe *m, const char *dir)
{
	char path[PATH_MAX], why[160];
	char *text;
	int i;

	for (i = 0; i < FL_MML_TYPES; i++) {
		snprintf(path, sizeof(path), "%s/mmap_lock/%s/format", dir, mml_event_names[i]);
		text = fl_read_all(path, 0, 0, NULL, NULL, 0);
		if (!text && (errno == ENOENT || errno == ENOTDIR))
			return mml_missing(m, "absent", "this kernel has no mmap_lock:%s tracepoint",
					   mml_event_names[i]);
		if (!text)
			return mml_missing(m, "unsupported", "cannot read %s: %s", path,
					   strerror(errno));
		if (fl_mml_format_parse(text, i == FL_MML_ACQUIRE, &m->fmt[i], why, sizeof(why)))
			mml_missing(m, "unsupported", "%s: %s", path, why);
		free(text);
	}
	return 0;
}

/* ---- khugepaged ------------------------------------------------------------------- */

/* Kernel threads named khugepaged (one per system today). */
static void kh_scan(struct fl_mml_probe *m)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], comm[32];

	while (d && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		if (fl_read_file(path, comm, sizeof(comm)) > 0 && !strcmp(comm, "khugepaged\n"))
			fl_mml_kh_add(m, atoi(de->d_name));
	}
	if (d)
		closedir(d);
}

/* ---- open / start / stop / emit / close -------------------------------------------- */

static void mml_attr(struct perf_event_attr *a, unsigned long long id, bool comm)
{
	memset(a, 0, sizeof(*a));
	a->type = PERF_TYPE_TRACEPOINT;
	a->size = sizeof(*a);
	a->config = id;
	a->sample_period = 1;
	a->sample_type = MML_SAMPLE;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->disabled = 1;
	a->watermark = 1;
	a->wakeup_watermark = MML_PAGES * (uint32_t)sysconf(_SC_PAGESIZE) / 4;
	a->comm = comm;		/* a khugepaged started during the phase is named */
}

static void mml_filter(struct fl_mml_probe *m)
{
	char filter[64];
	struct perf_evsel *ev;

	if (!m->mm_known)
		return;
	snprintf(filter, sizeof(filter), "%s == 0x%llx", m->fmt[0].mm_is_id ? "mm_id" : "mm",
		 (unsigned long long)m->mm);
	m->kfilter = true;
	perf_evlist__for_each_evsel(m->evlist, ev)
		if (perf_evsel__apply_filter(ev, filter))
			m->kfilter = false;
	if (!m->kfilter)	/* all or nothing: a half-filtered set would skew the pairing */
		perf_evlist__for_each_evsel(m->evlist, ev)
			perf_evsel__apply_filter(ev, "0 == 0");
}

static int mml_open_events(struct fl_mml_probe *m)
{
	struct perf_event_attr attr;
	struct perf_evsel *ev;
	int i, err;

	m->cpus = perf_cpu_map__new_online_cpus();
	m->threads = perf_thread_map__new_dummy();
	m->evlist = perf_evlist__new();
	if (!m->cpus || !m->threads || !m->evlist)
		return -1;
	for (i = 0; i < FL_MML_TYPES; i++) {
		mml_attr(&attr, m->fmt[i].id, i == 0);
		ev = perf_evsel__new(&attr);
		if (!ev)
			return -1;
		perf_evlist__add(m->evlist, ev);
	}
	perf_evlist__set_maps(m->evlist, m->cpus, m->threads);
	err = perf_evlist__open(m->evlist);
	if (err)
		return mml_missing(m, "unsupported", "perf cannot record the mmap_lock tracepoints "
				   "system-wide (perf_event_open: %s)%s", strerror(-err),
				   -err == EACCES || -err == EPERM ? ": needs root (CAP_PERFMON)" : "");
	mml_filter(m);
	if (perf_evlist__mmap(m->evlist, MML_PAGES))
		return mml_missing(m, "unsupported", "mapping the perf ring buffers (%d pages per "
				   "CPU) failed: %s", MML_PAGES, strerror(errno));
	m->mapped = true;
	return 0;
}

static void mml_close(void *state)
{
	struct fl_mml_probe *m = state;

	if (!m)
		return;
	if (m->reader_on) {
		atomic_store(&m->quit, true);
		pthread_join(m->reader, NULL);
	}
	fl_mml_evlist_free(m->evlist, m->mapped);
	perf_thread_map__put(m->threads);
	perf_cpu_map__put(m->cpus);
	fl_mml_free(m->eng);
	free(m->lost_cpu);
	free(m->q);
	free(m);
}

static int mml_alloc(struct fl_mml_probe *m)
{
	int i;

	m->eng = fl_mml_new();
	if (!m->eng || fl_mml_ring_reserve(m))
		return -1;
	m->max_cpu = 0;
	for (i = 0; i < perf_cpu_map__nr(m->cpus); i++)
		if (perf_cpu_map__cpu(m->cpus, i).cpu > m->max_cpu)
			m->max_cpu = perf_cpu_map__cpu(m->cpus, i).cpu;
	m->lost_cpu = calloc((size_t)m->max_cpu + 1, sizeof(*m->lost_cpu));
	return m->lost_cpu ? 0 : -1;
}

static int mml_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct fl_mml_probe *m = calloc(1, sizeof(*m));
	const char *dir;
	char why[224];

	if (!m)
		return -1;
	libperf_init(mml_silent);
	m->pid = ctx->pid;
	*state = m;
	dir = fl_tracefs_events_dir(why, sizeof(why));
	if (!dir)
		return mml_missing(m, "unsupported", "%s", why);
	mml_formats(m, dir);
	if (m->status)
		return 0;
	kh_scan(m);
	if (ctx->pid == getpid())
		fl_mml_learn_mm(m);
	if (mml_open_events(m) || (!m->status && mml_alloc(m))) {
		mml_close(m);
		*state = NULL;
		return -1;
	}
	return 0;
}

static int mml_start(void *state)
{
	struct fl_mml_probe *m = state;
	int err;

	if (m->status)
		return 0;
	atomic_store(&m->reader_tid, -1);
	err = pthread_create(&m->reader, NULL, fl_mml_ring_reader, m);
	if (err) {
		mml_missing(m, "unsupported", "cannot start the ring buffer reader thread: %s",
			    strerror(err));
		return -1;
	}
	m->reader_on = true;
	perf_evlist__enable(m->evlist);
	m->started = true;
	return 0;
}

static int mml_stop(void *state)
{
	struct fl_mml_probe *m = state;

	if (m->status || !m->started || m->stopped)
		return 0;
	perf_evlist__disable(m->evlist);
	atomic_store(&m->quit, true);
	pthread_join(m->reader, NULL);
	m->reader_on = false;
	fl_mml_ring_drain(m, m->evlist, true);
	fl_mml_finish(m->eng);
	kh_scan(m);
	m->stopped = true;
	return 0;
}

static json_t *lost_per_cpu(const struct fl_mml_probe *m)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < perf_cpu_map__nr(m->cpus); i++) {
		int cpu = perf_cpu_map__cpu(m->cpus, i).cpu;

		json_array_append_new(a, json_integer((json_int_t)m->lost_cpu[cpu]));
	}
	return a;
}

static void mml_emit(void *state, json_t *case_obj)
{
	struct fl_mml_probe *m = state;
	json_t *o, *kh;
	int i;

	if (m->status || !m->stopped) {
		json_object_set_new(case_obj, "mmap_lock", fl_json_missing(m->status ?
				    m->status : "unsupported", m->status ? m->why :
				    "the mmap_lock probe was not started and stopped"));
		return;
	}
	o = fl_mml_json(m->eng, m->nkh > 0);
	if (!o)
		return;
	kh = json_array();
	for (i = 0; i < m->nkh; i++)
		json_array_append_new(kh, json_integer(m->kh[i]));
	json_object_set_new(o, "source", json_string("tracepoint"));
	json_object_set_new(o, "scope", json_string(m->kfilter ? "mm" : "tasks"));
	json_object_set_new(o, "scope_note", json_string(m->kfilter ?
			    "events of the workload's mm (its tasks, khugepaged, other readers), "
			    "filtered in the kernel" :
			    "events of the mms the workload's own tasks used, filtered here"));
	json_object_set_new(o, "khugepaged_pids", kh);
	json_object_set_new(o, "lost_per_cpu", lost_per_cpu(m));
	json_object_set_new(o, "throttled", json_integer((json_int_t)m->throttles));
	json_object_set_new(o, "undecoded", json_integer((json_int_t)m->undecoded));
	json_object_set_new(o, "ring_pages_per_cpu", json_integer(MML_PAGES));
	json_object_set_new(case_obj, "mmap_lock", o);
}

const struct fl_probe_ops fl_probe_mmap_lock = {
	.name = "mmap_lock",
	.help = "mmap_lock wait and hold times of the workload's mm (tracepoints, perf ring buffers)",
	.open = mml_open,
	.start = mml_start,
	.stop = mml_stop,
	.emit = mml_emit,
	.close = mml_close,
};
