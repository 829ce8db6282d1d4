// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap_lock probe's ring buffers (mmap_lock_probe.h): records decoded (samples, LOST,
 * THROTTLE, COMM), queued, merged in time order the way perf does (records up to the previous
 * round's newest are safe to pair) and fed to the pairing (mmap_lock_pair.c) with the role of
 * the task that raised each; the reader thread that drains them during the phase; and the
 * short recording of this thread's own mmap/munmap that gives this process's mm.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/mmap.h>
#include <perf/threadmap.h>

#include "probes/mmap_lock_probe.h"

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

void fl_mml_kh_add(struct fl_mml_probe *m, pid_t tid)
{
	int i;

	for (i = 0; i < m->nkh; i++)
		if (m->kh[i] == tid)
			return;
	if (m->nkh < MML_KH_MAX)
		m->kh[m->nkh++] = tid;
}

static bool kh_is(const struct fl_mml_probe *m, pid_t tid)
{
	int i;

	for (i = 0; i < m->nkh; i++)
		if (m->kh[i] == tid)
			return true;
	return false;
}

/* ---- ring records ----------------------------------------------------------------- */

struct mml_sample_id {		/* the sample_id_all trailer for TID|TIME|CPU */
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
};

static int rec_sample(const struct fl_mml_probe *m, const union perf_event *ev, struct mml_rec *r)
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

int fl_mml_ring_reserve(struct fl_mml_probe *m)
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

static void rec_queue(struct fl_mml_probe *m, const union perf_event *ev)
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
	if (ret || fl_mml_ring_reserve(m)) {
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

static bool mm_ours(struct fl_mml_probe *m, const struct mml_rec *r)
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

static void rec_feed(struct fl_mml_probe *m, struct mml_rec *r)
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
			fl_mml_kh_add(m, r->e.tid);
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
void fl_mml_ring_drain(struct fl_mml_probe *m, struct perf_evlist *evlist, bool final)
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

void *fl_mml_ring_reader(void *arg)
{
	struct fl_mml_probe *m = arg;

	atomic_store(&m->reader_tid, (int)gettid());
	while (!atomic_load(&m->quit)) {
		perf_evlist__poll(m->evlist, MML_POLL_MS);
		fl_mml_ring_drain(m, m->evlist, false);
	}
	return NULL;
}

/* perf_evlist__delete(), plus the map references each evsel took in perf_evlist__set_maps()
 * and libperf 6.12's perf_evsel__delete() does not drop. */
void fl_mml_evlist_free(struct perf_evlist *el, bool mapped)
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

static void learn_read(struct fl_mml_probe *m, struct perf_evlist *el, pid_t tid)
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
void fl_mml_learn_mm(struct fl_mml_probe *m)
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
	fl_mml_evlist_free(el, true);
	perf_evsel__delete(ev);
	perf_thread_map__put(th);
	perf_cpu_map__put(cpus);
}
