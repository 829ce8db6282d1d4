// SPDX-License-Identifier: GPL-2.0
/* khugepaged's huge_memory tracepoints in a private tracefs instance: per-PMD collapse latency,
 * scan results by name, the swapin event's figures (collapse_trace.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collapse_trace.h"
#include "fl_json.h"
#include "fl_util.h"
#include "knobs.h"
#include "probes/tracefs.h"

#define BUFFER_KB "4096"

struct fl_ctrace {
	char root[PATH_MAX];		/* the tracefs mount */
	char inst[PATH_MAX + 128];	/* root/instances/faultline-<tag>-<pid> */
	char name[96];
	enum fl_ct_kind kind;
	int kh_pid;
	bool mono, sched, mm_learn;
	char mm_why[160];
	uint64_t t0_ns;
	struct fl_ct_an an;
};

/* ---- parsing --------------------------------------------------------------------- */

static int parse_ts(const char *p, uint64_t *ns, const char **end)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		sec = sec * 10 + (uint64_t)(*p++ - '0');
	if (*p++ != '.')
		return -1;
	while (isdigit((unsigned char)*p) && digits < 9) {
		frac = frac * 10 + (uint64_t)(*p++ - '0');
		digits++;
	}
	if (*p != ':' || !digits)
		return -1;
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	*end = p + 1;
	return 0;
}

/* "CPU:1 [LOST 12 EVENTS]" */
static int parse_lost(const char *line, uint64_t *lost)
{
	const char *p = strstr(line, "[LOST ");

	if (strncmp(line, "CPU:", 4) || !p)
		return -1;
	if (lost)
		*lost += strtoull(p + 6, NULL, 10);
	return 0;
}

/* "<comm>-<pid> [<cpu>] <flags> <sec>.<usec>: <event>: <fields>" (flags may be absent). */
int fl_ct_parse_line(char *line, struct fl_ct_event *ev, uint64_t *lost)
{
	char *cpu = line, *p, *dash, *colon;
	const char *q;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || parse_lost(line, lost) == 0)
		return -1;
	while ((cpu = strstr(cpu, " [")) && !isdigit((unsigned char)cpu[2]))
		cpu += 2;
	if (!cpu || !(p = strchr(cpu, ']')))
		return -1;
	*cpu = '\0';
	dash = strrchr(line, '-');
	if (!dash)
		return -1;
	ev->pid = atoi(dash + 1);
	for (p++; *p == ' '; p++)
		;
	if (parse_ts(p, &ev->ts_ns, &q)) {
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
		if (parse_ts(p, &ev->ts_ns, &q))
			return -1;
	}
	while (*q == ' ')
		q++;
	p = (char *)q;
	colon = strchr(p, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	ev->name = p;
	ev->fields = colon[1] == ' ' ? colon + 2 : colon + 1;
	return 0;
}

/* key=value pairs separated by ", " (huge_memory) or " " (sched_switch). */
int fl_ct_field(const char *fields, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = fields;

	buf[0] = '\0';
	while ((p = strstr(p, key))) {
		if ((p == fields || p[-1] == ' ' || p[-1] == ',') && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, ", ");
			if (n >= len)
				n = len - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		p += klen;
	}
	return -1;
}

/* ---- analysis -------------------------------------------------------------------- */

void fl_ct_an_init(struct fl_ct_an *a, enum fl_ct_kind kind)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	fl_hist_init(&a->collapse);
	fl_hist_init(&a->swapin);
}

static void count_result(struct fl_ct_an *a, const char *name)
{
	int i;

	for (i = 0; i < a->nres; i++)
		if (!strcmp(a->res_name[i], name))
			break;
	if (i == a->nres) {
		if (a->nres == FL_CT_RESULTS)
			return;
		snprintf(a->res_name[a->nres++], sizeof(a->res_name[0]), "%s", name);
	}
	a->res_count[i]++;
}

static long field_long(const char *fields, const char *key)
{
	char v[32];

	return fl_ct_field(fields, key, v, sizeof(v)) ? 0 : strtol(v, NULL, 0);
}

static void feed_sched(struct fl_ct_an *a, const struct fl_ct_event *ev)
{
	char state[16];

	if (!a->kh_pid)
		return;
	if (field_long(ev->fields, "prev_pid") == a->kh_pid) {
		fl_ct_field(ev->fields, "prev_state", state, sizeof(state));
		a->kh_sleeping = state[0] == 'S' || state[0] == 'I';
	}
	/* the first switch-in seen is the wakeup that began the traced phase */
	if (field_long(ev->fields, "next_pid") == a->kh_pid &&
	    (a->kh_sleeping || !a->pmd_start)) {
		a->pmd_start = ev->ts_ns;
		a->kh_sleeping = false;
		a->wakeups++;
	}
}

/* The end of one PMD: scan_pmd (anonymous) or scan_file, with the PMD's result. */
static void feed_pmd_end(struct fl_ct_an *a, const struct fl_ct_event *ev, bool mine,
			 const char *key)
{
	char res[32];

	if (mine) {
		a->pmds++;
		fl_ct_field(ev->fields, key, res, sizeof(res));
		count_result(a, res[0] ? res : "(none)");
		if (!strcmp(res, "succeeded")) {
			a->collapsed++;
			if (a->pmd_start && ev->ts_ns >= a->pmd_start)
				fl_hist_record(&a->collapse, ev->ts_ns - a->pmd_start);
			if (!a->first_ns)
				a->first_ns = ev->ts_ns;
			a->last_ns = ev->ts_ns;
		}
	}
	a->pmd_start = ev->ts_ns;
}

static void feed_swapin(struct fl_ct_an *a, const struct fl_ct_event *ev)
{
	a->swapin_events++;
	a->swapped_in += (uint64_t)field_long(ev->fields, "swapped_in");
	a->referenced += (uint64_t)field_long(ev->fields, "referenced");
	a->swapin_ok += field_long(ev->fields, "ret") == 1;	/* SCAN_SUCCEED */
	if (a->pmd_start && ev->ts_ns >= a->pmd_start)
		fl_hist_record(&a->swapin, ev->ts_ns - a->pmd_start);
}

void fl_ct_an_feed(struct fl_ct_an *a, struct fl_ct_event *ev, int self_pid)
{
	char mm[sizeof(a->mm)];
	bool mine;

	if (!strncmp(ev->name, "mmap_lock_", 10)) {
		if (!a->mm[0] && ev->pid == self_pid)
			fl_ct_field(ev->fields, "mm", a->mm, sizeof(a->mm));
		return;
	}
	if (!strcmp(ev->name, "sched_switch")) {
		feed_sched(a, ev);
		return;
	}
	a->events++;
	fl_ct_field(ev->fields, "mm", mm, sizeof(mm));
	mine = !a->mm[0] || !strcmp(mm, a->mm);
	a->ours += mine;
	if (!strcmp(ev->name, "mm_khugepaged_scan_pmd"))
		feed_pmd_end(a, ev, mine && a->kind == FL_CT_ANON, "status");
	else if (!strcmp(ev->name, "mm_khugepaged_scan_file"))
		feed_pmd_end(a, ev, mine && a->kind == FL_CT_FILE, "result");
	else if (!strcmp(ev->name, "mm_collapse_huge_page_swapin") && mine)
		feed_swapin(a, ev);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

json_t *fl_ct_an_json(const struct fl_ct_an *a)
{
	json_t *o = json_object(), *res = json_object();

	for (int i = 0; i < a->nres; i++)
		json_object_set_new(res, a->res_name[i], json_integer((json_int_t)a->res_count[i]));
	json_object_set_new(o, "events", json_integer((json_int_t)a->events));
	json_object_set_new(o, "events_of_this_mm", json_integer((json_int_t)a->ours));
	json_object_set_new(o, "pmds_scanned", json_integer((json_int_t)a->pmds));
	json_object_set_new(o, "collapsed", json_integer((json_int_t)a->collapsed));
	json_object_set_new(o, "scan_results", res);
	json_object_set_new(o, "khugepaged_wakeups", json_integer((json_int_t)a->wakeups));
	json_object_set_new(o, "lost_events", json_integer((json_int_t)a->lost));
	if (a->collapse.count)
		json_object_set_new(o, "collapse_ns", fl_hist_to_json(&a->collapse, "ns"));
	if (a->t0_ns && a->first_ns > a->t0_ns)
		json_object_set_new(o, "first_collapse_ms", json_real(ms(a->first_ns - a->t0_ns)));
	if (a->t0_ns && a->last_ns > a->t0_ns)
		json_object_set_new(o, "last_collapse_ms", json_real(ms(a->last_ns - a->t0_ns)));
	if (a->kind == FL_CT_ANON)
		json_object_set_new(o, "swapin", json_pack("{s:I, s:I, s:I, s:I, s:o}",
				"events", (json_int_t)a->swapin_events,
				"swapped_in", (json_int_t)a->swapped_in,
				"referenced", (json_int_t)a->referenced,
				"ret_succeeded", (json_int_t)a->swapin_ok,
				"until_swapped_in_ns", a->swapin.count ?
				fl_hist_to_json(&a->swapin, "ns") : json_null()));
	return o;
}

/* ---- the instance ---------------------------------------------------------------- */

static int put(const struct fl_ctrace *t, const char *rel, const char *val)
{
	char path[PATH_MAX + 320];
	size_t n = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", t->inst, rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (n && write(fd, val, n) != (ssize_t)n)
		ret = -1;
	close(fd);
	return ret;
}

static bool has_event(const struct fl_ctrace *t, const char *sys, const char *ev)
{
	char path[PATH_MAX + 320];

	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", t->inst, sys, ev);
	return access(path, W_OK) == 0;
}

static int enable(const struct fl_ctrace *t, const char *sys, const char *ev, const char *on)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "events/%s/%s/enable", sys, ev);
	return put(t, rel, on);
}

/* khugepaged's pid: a kernel thread (empty cmdline) named khugepaged. */
static int khugepaged_pid(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[64];
	int pid = 0;

	while (d && !pid && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (fl_read_file(path, buf, sizeof(buf)) <= 0 || strcmp(buf, "khugepaged\n"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if (fl_read_file(path, buf, sizeof(buf)) == 0)
			pid = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return pid;
}

static int open_events(struct fl_ctrace *t, char *why, size_t len)
{
	static const char *const anon[] = { "mm_khugepaged_scan_pmd", "mm_collapse_huge_page",
					    "mm_collapse_huge_page_swapin", NULL };
	static const char *const file[] = { "mm_khugepaged_scan_file",
					    "mm_khugepaged_collapse_file", NULL };
	const char *const *evs = t->kind == FL_CT_ANON ? anon : file;
	char filter[96];

	if (!has_event(t, "huge_memory", evs[0]))
		return fl_seterr(why, len, "no huge_memory:%s tracepoint in this kernel", evs[0]);
	for (int i = 0; evs[i]; i++)
		if (has_event(t, "huge_memory", evs[i]) && enable(t, "huge_memory", evs[i], "1"))
			return fl_seterr(why, len, "cannot enable huge_memory:%s in %s: %s", evs[i],
					 t->inst, strerror(errno));
	t->kh_pid = khugepaged_pid();
	if (t->kh_pid && has_event(t, "sched", "sched_switch")) {
		snprintf(filter, sizeof(filter), "prev_pid == %d || next_pid == %d", t->kh_pid,
			 t->kh_pid);
		t->sched = put(t, "events/sched/sched_switch/filter", filter) == 0 &&
			   enable(t, "sched", "sched_switch", "1") == 0;
	}
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	t->mm_learn = has_event(t, "mmap_lock", "mmap_lock_acquire_returned") &&
		      put(t, "events/mmap_lock/mmap_lock_acquire_returned/filter", filter) == 0;
	if (!t->mm_learn)
		snprintf(t->mm_why, sizeof(t->mm_why), "none: no mmap_lock:mmap_lock_acquire_"
			 "returned tracepoint to learn this process's mm; every mm is counted");
	return 0;
}

struct fl_ctrace *fl_ctrace_open(const char *tag, enum fl_ct_kind kind, struct fl_knobs *k,
				 char *why, size_t len)
{
	struct fl_ctrace *t = calloc(1, sizeof(*t));
	const char *events = fl_tracefs_events_dir(why, len);
	char *slash;

	if (!t || !events) {
		if (!t)
			fl_seterr(why, len, "out of memory");
		free(t);
		return NULL;
	}
	t->kind = kind;
	snprintf(t->root, sizeof(t->root), "%s", events);
	slash = strrchr(t->root, '/');
	*slash = '\0';
	snprintf(t->name, sizeof(t->name), "faultline-%s-%d", tag, (int)getpid());
	snprintf(t->inst, sizeof(t->inst), "%s/instances/%s", t->root, t->name);
	if (fl_knob_trace_instance_added(k, t->inst, why, len)) {
		free(t);
		return NULL;
	}
	if (mkdir(t->inst, 0700)) {
		fl_seterr(why, len, "cannot make the tracefs instance %s: %s", t->inst,
			  strerror(errno));
		free(t);
		return NULL;
	}
	put(t, "tracing_on", "0");
	put(t, "buffer_size_kb", BUFFER_KB);
	t->mono = put(t, "trace_clock", "mono") == 0;
	if (open_events(t, why, len)) {
		fl_ctrace_close(t);
		return NULL;
	}
	return t;
}

int fl_ctrace_start(struct fl_ctrace *t, char *err, size_t len)
{
	void *p;

	if (put(t, "trace", "") || put(t, "tracing_on", "1"))
		return fl_seterr(err, len, "cannot start tracing in %s: %s", t->inst,
				 strerror(errno));
	if (!t->mm_learn)
		return 0;
	/* mmap takes this mm's mmap_lock for write: the event names the mm. */
	enable(t, "mmap_lock", "mmap_lock_acquire_returned", "1");
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	enable(t, "mmap_lock", "mmap_lock_acquire_returned", "0");
	return 0;
}

void fl_ctrace_mark(struct fl_ctrace *t, uint64_t t0_ns)
{
	t->t0_ns = t0_ns;
}

const struct fl_ct_an *fl_ctrace_stop(struct fl_ctrace *t, char *err, size_t len)
{
	char path[PATH_MAX + 160], *line = NULL;
	struct fl_ct_event ev;
	size_t cap = 0;
	FILE *f;

	put(t, "tracing_on", "0");
	snprintf(path, sizeof(path), "%s/trace", t->inst);
	f = fopen(path, "re");
	if (!f) {
		fl_seterr(err, len, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	fl_ct_an_init(&t->an, t->kind);
	t->an.kh_pid = t->sched ? t->kh_pid : 0;
	t->an.t0_ns = t->mono ? t->t0_ns : 0;
	while (getline(&line, &cap, f) > 0)
		if (fl_ct_parse_line(line, &ev, &t->an.lost) == 0)
			fl_ct_an_feed(&t->an, &ev, (int)getpid());
	free(line);
	fclose(f);
	if (t->mm_learn && !t->an.mm[0])
		snprintf(t->mm_why, sizeof(t->mm_why), "none: no mmap_lock event of this process "
			 "was recorded; every mm is counted");
	return &t->an;
}

json_t *fl_ctrace_describe(const struct fl_ctrace *t)
{
	char mm[96];

	if (t->an.mm[0])
		snprintf(mm, sizeof(mm), "mm %s of pid %d (its mmap_lock event)", t->an.mm,
			 (int)getpid());
	return json_pack("{s:s, s:s, s:s, s:s}", "instance", t->name,
			 "clock", t->mono ? "mono" : "local (times to collapse not reported)",
			 "mm_filter", t->an.mm[0] ? mm : t->mm_why[0] ? t->mm_why : "none",
			 "pmd_start", t->sched ? "end of khugepaged's previous PMD, or its wakeup "
			 "(sched:sched_switch)" : "end of khugepaged's previous PMD (no "
			 "sched_switch: a PMD after a scan sleep includes the sleep)");
}

json_t *fl_ctrace_report(struct fl_ctrace *t, const struct fl_ct_an **an)
{
	char err[256];
	json_t *o, *d;

	*an = fl_ctrace_stop(t, err, sizeof(err));
	if (!*an)
		return fl_json_missing("unsupported", err);
	o = fl_ct_an_json(*an);
	d = fl_ctrace_describe(t);
	json_object_update(o, d);
	json_decref(d);
	return o;
}

void fl_ctrace_close(struct fl_ctrace *t)
{
	if (!t)
		return;
	put(t, "tracing_on", "0");
	put(t, "events/enable", "0");
	if (rmdir(t->inst) && errno != ENOENT)
		fprintf(stderr, "faultline-agent: cannot remove the tracefs instance %s: %s\n",
			t->inst, strerror(errno));
	free(t);
}
