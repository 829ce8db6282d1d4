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
 * another process, the same choice is made here from the samples (scope "tasks": the mms the
 * workload's own tasks used).
 *
 * A reader thread drains the buffers while the phase runs (they would fill in well under a
 * second under fault-scale), merges the CPUs' streams in time order the way perf does
 * (events up to the previous round's newest are safe to pair) and feeds the pairing. It
 * allocates nothing during the phase unless its queue must grow; its own lock traffic is
 * counted under other_tasks. A ring that overflows writes PERF_RECORD_LOST: the loss is
 * counted per CPU and every figure carries it.
 */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/mmap.h>
#include <perf/threadmap.h>

#include "fl_json.h"
#include "fl_util.h"
#include "probes/mmap_lock.h"
#include "probes/procparse.h"
#include "probes/tracefs.h"

/* In libperf.a but not in its public headers (internal/evsel.h). */
int perf_evsel__apply_filter(struct perf_evsel *evsel, const char *filter);

#define MML_PAGES	256	/* ring pages per CPU: 1 MiB with 4 KiB pages */
#define MML_POLL_MS	20	/* the reader's longest sleep */
#define MML_QUEUE	65536	/* records queued for ordering, preallocated */
#define MML_KH_MAX	8	/* khugepaged threads remembered */
#define MML_MMS_MAX	8	/* mms of the workload's tasks (scope "tasks") */
#define MML_SAMPLE	(PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)

static const char *const mml_event_names[FL_MML_TYPES] = {
	"mmap_lock_start_locking", "mmap_lock_acquire_returned", "mmap_lock_released",
};

enum mml_kind { MML_REC_SAMPLE, MML_REC_LOST, MML_REC_COMM, MML_REC_THROTTLE };

/* One record of a ring, decoded, waiting to be put in time order. */
struct mml_rec {
	uint64_t time, seq, lost;
	struct fl_mml_event e;
	int32_t tgid;
	uint32_t cpu;
	uint8_t kind;
	bool khugepaged;	/* a COMM record naming khugepaged */
};

struct mml {
	pid_t pid;
	const char *status;		/* NULL while usable */
	char why[320];
	struct fl_mml_format fmt[FL_MML_TYPES];
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct perf_evlist *evlist;
	bool mapped, kfilter, mm_known;
	uint64_t mm;
	uint64_t mms[MML_MMS_MAX];
	int nmms;
	pid_t kh[MML_KH_MAX];
	int nkh;
	struct fl_mml *eng;
	pthread_t reader;
	bool reader_on, started, stopped;
	atomic_bool quit;
	atomic_int reader_tid;
	struct mml_rec *q;
	size_t nq, qcap;
	uint64_t seq, round_max, cur_max;
	uint64_t *lost_cpu;		/* indexed by CPU number */
	int max_cpu;
	uint64_t throttles, undecoded;
};

static int mml_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int mml_missing(struct mml *m, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mml_missing(struct mml *m, const char *status, const char *fmt, ...)
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

/* ---- format files ---------------------------------------------------------------- */

/* "\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;" -> name "write", 24, 1 */
static int field_line(const char *line, char *name, size_t nlen, int *off, int *size)
{
	const char *semi = strchr(line, ';'), *p;
	size_t n;

	if (strncmp(line, "field:", 6) || !semi)
		return -1;
	for (p = semi; p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'); p--)
		;
	n = (size_t)(semi - p);
	if (!n || n >= nlen)
		return -1;
	memcpy(name, p, n);
	name[n] = '\0';
	if (sscanf(semi, "; offset:%d; size:%d;", off, size) != 2)
		return -1;
	return 0;
}

static void field_take(struct fl_mml_format *f, const char *name, int off, int size)
{
	struct fl_mml_field v = { .off = off, .size = size };

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (!strcmp(name, "mm")) {
		f->mm = v;
		f->mm_is_id = false;
	} else if (!strcmp(name, "mm_id") && !f->mm.size) {
		f->mm = v;
		f->mm_is_id = true;
	}
	else if (!strcmp(name, "write"))
		f->write = v;
	else if (!strcmp(name, "success"))
		f->success = v;
}

int fl_mml_format_parse(const char *text, bool need_success, struct fl_mml_format *f,
			char *why, size_t len)
{
	const char *line = text, *id;
	char name[64];
	int off, size;

	memset(f, 0, sizeof(*f));
	id = text ? strstr(text, "\nID: ") : NULL;
	if (!id || sscanf(id + 5, "%u", &f->id) != 1) {
		snprintf(why, len, "the format file has no \"ID:\" line");
		return -1;
	}
	while (line && *line) {
		while (*line == '\t' || *line == ' ')
			line++;
		if (!field_line(line, name, sizeof(name), &off, &size))
			field_take(f, name, off, size);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!f->mm.size || !f->write.size || (need_success && !f->success.size)) {
		snprintf(why, len, "the format file has no %s field", !f->mm.size ? "mm (or mm_id)" :
			 !f->write.size ? "write" : "success");
		return -1;
	}
	return 0;
}

static uint64_t raw_get(const unsigned char *raw, const struct fl_mml_field *fl)
{
	uint64_t v8 = 0;
	uint32_t v4 = 0;
	uint16_t v2 = 0;

	switch (fl->size) {
	case 1:
		return raw[fl->off];
	case 2:
		memcpy(&v2, raw + fl->off, 2);
		return v2;
	case 4:
		memcpy(&v4, raw + fl->off, 4);
		return v4;
	default:
		memcpy(&v8, raw + fl->off, 8);
		return v8;
	}
}

static bool field_fits(const struct fl_mml_field *fl, size_t size)
{
	return !fl->size || (fl->off >= 0 && (size_t)fl->off + (size_t)fl->size <= size);
}

int fl_mml_decode(const struct fl_mml_format fmt[FL_MML_TYPES], const void *raw, size_t size,
		  struct fl_mml_event *e)
{
	const struct fl_mml_format *f = NULL;
	uint16_t type;
	int i;

	if (size < 2)
		return -1;
	memcpy(&type, raw, 2);
	for (i = 0; i < FL_MML_TYPES; i++)
		if (fmt[i].id == type && fmt[i].mm.size)
			f = &fmt[i];
	if (!f || !field_fits(&f->mm, size) || !field_fits(&f->write, size) ||
	    !field_fits(&f->success, size))
		return -1;
	e->type = (uint8_t)(f - fmt);
	e->mm = raw_get(raw, &f->mm);
	e->write = raw_get(raw, &f->write) != 0;
	e->success = f->success.size ? raw_get(raw, &f->success) != 0 : true;
	return 0;
}

static int mml_formats(struct mml *m, const char *dir)
{
	char path[PATH_MAX], why[160];
	char *text;
	int i;

	for (i = 0; i < FL_MML_TYPES; i++) {
		snprintf(path, sizeof(path), "%s/mmap_lock/%s/format", dir, mml_event_names[i]);
		text = fl_slurp(path, NULL);
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

static void kh_add(struct mml *m, pid_t tid)
{
	int i;

	for (i = 0; i < m->nkh; i++)
		if (m->kh[i] == tid)
			return;
	if (m->nkh < MML_KH_MAX)
		m->kh[m->nkh++] = tid;
}

static bool kh_is(const struct mml *m, pid_t tid)
{
	int i;

	for (i = 0; i < m->nkh; i++)
		if (m->kh[i] == tid)
			return true;
	return false;
}

/* Kernel threads named khugepaged (one per system today). */
static void kh_scan(struct mml *m)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], comm[32];

	while (d && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		if (fl_read_file(path, comm, sizeof(comm)) > 0 && !strcmp(comm, "khugepaged\n"))
			kh_add(m, atoi(de->d_name));
	}
	if (d)
		closedir(d);
}

/* ---- ring records ----------------------------------------------------------------- */

struct mml_sample_id {		/* the sample_id_all trailer for TID|TIME|CPU */
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
};

static int rec_sample(const struct mml *m, const union perf_event *ev, struct mml_rec *r)
{
	const unsigned char *p = (const unsigned char *)ev + sizeof(ev->header);
	const unsigned char *end = (const unsigned char *)ev + ev->header.size;
	struct mml_sample_id id;
	uint32_t rawsz;

	if (end - p < (long)(sizeof(id) + 4))
		return -1;
	memcpy(&id, p, sizeof(id));
	memcpy(&rawsz, p + sizeof(id), 4);
	p += sizeof(id) + 4;
	if (rawsz > (size_t)(end - p) || fl_mml_decode(m->fmt, p, rawsz, &r->e))
		return -1;
	r->kind = MML_REC_SAMPLE;
	r->time = id.time;
	r->cpu = id.cpu;
	r->tgid = (int32_t)id.pid;
	r->e.tid = (int32_t)id.tid;
	r->e.time = id.time;
	return 0;
}

/* LOST, THROTTLE and COMM: the trailer is the last bytes of the record. */
static int rec_side(const union perf_event *ev, struct mml_rec *r)
{
	struct mml_sample_id id;
	size_t fixed = ev->header.type == PERF_RECORD_COMM ? 16 : 24;

	if (ev->header.size < fixed + sizeof(id))
		return -1;
	memcpy(&id, (const char *)ev + ev->header.size - sizeof(id), sizeof(id));
	r->time = id.time;
	r->cpu = id.cpu;
	if (ev->header.type == PERF_RECORD_LOST) {
		r->kind = MML_REC_LOST;
		r->lost = ev->lost.lost;
	} else if (ev->header.type == PERF_RECORD_THROTTLE) {
		r->kind = MML_REC_THROTTLE;
	} else {
		r->kind = MML_REC_COMM;
		r->e.tid = (int32_t)ev->comm.tid;
		r->khugepaged = !strncmp(ev->comm.comm, "khugepaged",
					 ev->header.size - fixed - sizeof(id)) &&
				ev->header.size - fixed - sizeof(id) > 10;
	}
	return 0;
}

static int q_reserve(struct mml *m)
{
	struct mml_rec *q;
	size_t cap;

	if (m->nq < m->qcap)
		return 0;
	cap = m->qcap ? 2 * m->qcap : MML_QUEUE;
	q = realloc(m->q, cap * sizeof(*q));
	if (!q)
		return -1;
	m->q = q;
	m->qcap = cap;
	return 0;
}

static void rec_queue(struct mml *m, const union perf_event *ev)
{
	struct mml_rec r = { 0 };
	int ret;

	if (ev->header.type == PERF_RECORD_SAMPLE)
		ret = rec_sample(m, ev, &r);
	else if (ev->header.type == PERF_RECORD_LOST || ev->header.type == PERF_RECORD_COMM ||
		 ev->header.type == PERF_RECORD_THROTTLE)
		ret = rec_side(ev, &r);
	else
		return;
	if (ret || q_reserve(m)) {
		m->undecoded++;
		return;
	}
	r.seq = m->seq++;
	if (r.time > m->cur_max)
		m->cur_max = r.time;
	m->q[m->nq++] = r;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct mml_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- feeding the pairing ---------------------------------------------------------- */

static bool mm_ours(struct mml *m, const struct mml_rec *r)
{
	int i;

	if (m->kfilter)
		return r->e.mm == m->mm;
	if (r->tgid == m->pid) {
		for (i = 0; i < m->nmms && m->mms[i] != r->e.mm; i++)
			;
		if (i == m->nmms && m->nmms < MML_MMS_MAX)
			m->mms[m->nmms++] = r->e.mm;
		return true;
	}
	for (i = 0; i < m->nmms; i++)
		if (m->mms[i] == r->e.mm)
			return true;
	return false;
}

static void rec_feed(struct mml *m, struct mml_rec *r)
{
	switch (r->kind) {
	case MML_REC_LOST:
		fl_mml_lost(m->eng, r->lost);
		if ((int)r->cpu <= m->max_cpu)
			m->lost_cpu[r->cpu] += r->lost;
		return;
	case MML_REC_THROTTLE:
		m->throttles++;
		fl_mml_lost(m->eng, 0);
		return;
	case MML_REC_COMM:
		if (r->khugepaged)
			kh_add(m, r->e.tid);
		return;
	}
	if (!mm_ours(m, r))
		return;
	if (r->e.tid == atomic_load(&m->reader_tid))
		r->e.role = FL_MML_OTHER;
	else if (r->tgid == m->pid)
		r->e.role = FL_MML_WORKLOAD;
	else if (kh_is(m, r->e.tid))
		r->e.role = FL_MML_KHUGEPAGED;
	else
		r->e.role = FL_MML_OTHER;
	fl_mml_feed(m->eng, &r->e);
}

/* One round: read every ring, then pair what is older than the previous round's newest
 * record (a record still in flight on another CPU is newer than that); all when final. */
static void drain_round(struct mml *m, struct perf_evlist *evlist, bool final)
{
	struct perf_mmap *map;
	union perf_event *ev;
	size_t i, n;

	perf_evlist__for_each_mmap(evlist, map, false) {
		if (perf_mmap__read_init(map) < 0)
			continue;
		while ((ev = perf_mmap__read_event(map)) != NULL) {
			rec_queue(m, ev);
			perf_mmap__consume(map);
		}
		perf_mmap__read_done(map);
	}
	qsort(m->q, m->nq, sizeof(*m->q), rec_cmp);
	for (n = 0; n < m->nq && (final || m->q[n].time <= m->round_max); n++)
		rec_feed(m, &m->q[n]);
	for (i = n; i < m->nq; i++)
		m->q[i - n] = m->q[i];
	m->nq -= n;
	m->round_max = m->cur_max;
}

static void *reader_main(void *arg)
{
	struct mml *m = arg;

	atomic_store(&m->reader_tid, (int)gettid());
	while (!atomic_load(&m->quit)) {
		perf_evlist__poll(m->evlist, MML_POLL_MS);
		drain_round(m, m->evlist, false);
	}
	return NULL;
}

/* perf_evlist__delete(), plus the map references each evsel took in perf_evlist__set_maps()
 * and libperf 6.12's perf_evsel__delete() does not drop. */
static void evlist_free(struct perf_evlist *el, bool mapped)
{
	struct perf_evsel *ev;

	if (!el)
		return;
	if (mapped)
		perf_evlist__munmap(el);
	perf_evlist__close(el);
	while ((ev = perf_evlist__next(el, NULL)) != NULL) {
		perf_evlist__remove(el, ev);
		perf_cpu_map__put(perf_evsel__cpus(ev));
		perf_thread_map__put(perf_evsel__threads(ev));
		perf_evsel__delete(ev);
	}
	perf_evlist__delete(el);
}

/* ---- this process's mm ------------------------------------------------------------ */

static void learn_read(struct mml *m, struct perf_evlist *el, pid_t tid)
{
	struct perf_mmap *map;
	union perf_event *ev;
	struct mml_rec r;

	perf_evlist__for_each_mmap(el, map, false) {
		if (perf_mmap__read_init(map) < 0)
			continue;
		while ((ev = perf_mmap__read_event(map)) != NULL) {
			memset(&r, 0, sizeof(r));
			if (ev->header.type == PERF_RECORD_SAMPLE && !rec_sample(m, ev, &r) &&
			    r.e.tid == tid && !m->mm_known) {
				m->mm = r.e.mm;
				m->mm_known = true;
			}
			perf_mmap__consume(map);
		}
		perf_mmap__read_done(map);
	}
}

/* Record this thread's own mmap + munmap: the mm of every lock event it raised. */
static void learn_mm(struct mml *m)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr),
		.config = m->fmt[FL_MML_ACQUIRE].id, .sample_period = 1,
		.sample_type = MML_SAMPLE, .disabled = 1, .sample_id_all = 1,
	};
	struct perf_evlist *el = perf_evlist__new();
	struct perf_cpu_map *cpus = perf_cpu_map__new_any_cpu();
	struct perf_thread_map *th = perf_thread_map__new_array(1, NULL);
	struct perf_evsel *ev = perf_evsel__new(&attr);
	pid_t tid = gettid();
	void *p;

	if (!el || !cpus || !th || !ev)
		goto out;
	perf_thread_map__set_pid(th, 0, tid);
	perf_evlist__add(el, ev);
	ev = NULL;
	perf_evlist__set_maps(el, cpus, th);
	if (perf_evlist__open(el) || perf_evlist__mmap(el, 2))
		goto out;
	perf_evlist__enable(el);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	perf_evlist__disable(el);
	learn_read(m, el, tid);
out:
	evlist_free(el, true);
	perf_evsel__delete(ev);
	perf_thread_map__put(th);
	perf_cpu_map__put(cpus);
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

static void mml_filter(struct mml *m)
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

static int mml_open_events(struct mml *m)
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
	struct mml *m = state;

	if (!m)
		return;
	if (m->reader_on) {
		atomic_store(&m->quit, true);
		pthread_join(m->reader, NULL);
	}
	evlist_free(m->evlist, m->mapped);
	perf_thread_map__put(m->threads);
	perf_cpu_map__put(m->cpus);
	fl_mml_free(m->eng);
	free(m->lost_cpu);
	free(m->q);
	free(m);
}

static int mml_alloc(struct mml *m)
{
	int i;

	m->eng = fl_mml_new();
	if (!m->eng || q_reserve(m))
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
	struct mml *m = calloc(1, sizeof(*m));
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
		learn_mm(m);
	if (mml_open_events(m) || (!m->status && mml_alloc(m))) {
		mml_close(m);
		*state = NULL;
		return -1;
	}
	return 0;
}

static int mml_start(void *state)
{
	struct mml *m = state;
	int err;

	if (m->status)
		return 0;
	atomic_store(&m->reader_tid, -1);
	err = pthread_create(&m->reader, NULL, reader_main, m);
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
	struct mml *m = state;

	if (m->status || !m->started || m->stopped)
		return 0;
	perf_evlist__disable(m->evlist);
	atomic_store(&m->quit, true);
	pthread_join(m->reader, NULL);
	m->reader_on = false;
	drain_round(m, m->evlist, true);
	fl_mml_finish(m->eng);
	kh_scan(m);
	m->stopped = true;
	return 0;
}

static json_t *lost_per_cpu(const struct mml *m)
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
	struct mml *m = state;
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
