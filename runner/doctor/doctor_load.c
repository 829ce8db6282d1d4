// SPDX-License-Identifier: GPL-2.0
/*
 * faultline doctor: the moment's load (doctor.h). /proc/stat and every /proc/PID/stat read
 * twice, sample_s apart: how busy the CPUs were, which processes used them (this one left
 * out), the steal time, and meanwhile the host's steadiness (doctor_steady.c: page-fault work
 * under the host lock, taken without waiting, so no run that measures is disturbed; the
 * work's own CPU time is not counted as load); without a sample, the load average only.
 * Other faultline runs: the host lock (its flock in /proc/locks, its owner file) and knobs
 * journals left behind. No kernel setting is changed, no journal replayed.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "doctor.h"
#include "fl_hostlock.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lib/knobs.h"

#define MAX_PROCS 8192
#define TOP_SHOWN 3

struct cpu_times {
	unsigned long long total, idle, steal;
};

struct proc_ticks {
	int pid;
	unsigned long long ticks;
	char comm[20];
};

struct sample {
	struct cpu_times cpu;
	struct proc_ticks *procs;
	size_t n;
};

static int read_cpu_times(struct cpu_times *c)
{
	unsigned long long v[10] = { 0 };
	char line[512];
	int n;

	if (fl_doctor_read("/proc/stat", line, sizeof(line)))
		return -1;
	n = sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	if (n < 4)
		return -1;
	c->total = 0;
	for (int i = 0; i < 8; i++)	/* guest time is inside user already */
		c->total += v[i];
	c->idle = v[3] + v[4];
	c->steal = v[7];
	return 0;
}

/* utime + stime of /proc/PID/stat; comm between the first '(' and the last ')'. */
static int read_proc(int pid, struct proc_ticks *p)
{
	char path[64], buf[1024], *l, *r;
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (fl_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	l = strchr(buf, '(');
	r = strrchr(buf, ')');
	if (!l || !r || r < l ||
	    sscanf(r + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	*r = '\0';
	fl_text_clean(p->comm, sizeof(p->comm), l + 1);
	p->pid = pid;
	p->ticks = ut + st;
	return 0;
}

static void take_sample(struct sample *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	memset(s, 0, sizeof(*s));
	read_cpu_times(&s->cpu);
	s->procs = calloc(MAX_PROCS, sizeof(*s->procs));
	while (d && s->procs && s->n < MAX_PROCS && (e = readdir(d))) {
		int pid = atoi(e->d_name);

		if (pid > 0 && pid != getpid() && read_proc(pid, &s->procs[s->n]) == 0)
			s->n++;
	}
	if (d)
		closedir(d);
}

static const struct proc_ticks *find_proc(const struct sample *s, int pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

static int by_ticks(const void *a, const void *b)
{
	const struct proc_ticks *x = a, *y = b;

	return x->ticks < y->ticks ? 1 : x->ticks > y->ticks ? -1 : 0;
}

/* The top users over the sample, as "cc1 (pid 12) 85%, ..." and a JSON list. */
static double top_users(struct sample *a, struct sample *b, double secs, char *text,
			size_t len, json_t *list)
{
	long hz = sysconf(_SC_CLK_TCK);
	double top = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct proc_ticks *p = find_proc(a, b->procs[i].pid);

		b->procs[i].ticks = p ? b->procs[i].ticks - p->ticks : 0;
	}
	qsort(b->procs, b->n, sizeof(*b->procs), by_ticks);
	text[0] = '\0';
	for (size_t i = 0; i < b->n && i < TOP_SHOWN; i++) {
		double pct = 100.0 * (double)b->procs[i].ticks / ((double)hz * secs);

		if (pct < 2)
			break;
		top = i ? top : pct;
		snprintf(text + strlen(text), len - strlen(text), "%s%s (pid %d) %.0f%%",
			 i ? ", " : "", b->procs[i].comm, b->procs[i].pid, pct);
		json_array_append_new(list, json_pack("{s:s, s:i, s:f}", "comm", b->procs[i].comm,
						      "pid", b->procs[i].pid, "cpu_pct", pct));
	}
	return top;
}

/* "1.83 2.29 2.52" (1, 5, 15 minutes) into buf; returns the 1-minute one. */
static double loadavg_text(char *buf, size_t len)
{
	double l[3] = { 0 };
	char text[128] = "";

	fl_doctor_read("/proc/loadavg", text, sizeof(text));
	if (sscanf(text, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%.2f %.2f %.2f", l[0], l[1], l[2]);
	return l[0];
}

/* The sample's secs: the steadiness work (doctor_steady.c) under the host lock, taken without
 * waiting; when another run holds it, a sleep, and why_not says so. */
static void sample_wait(double secs, const struct fl_doctor_opts *o, struct fl_steady *st,
			char *why_not, size_t len)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
	struct fl_hostlock hl = { .fd = -1 };
	char err[FL_ERRLEN];
	int r = fl_hostlock_take(&hl, o->lock_path, false, err, sizeof(err));

	memset(st, 0, sizeof(*st));
	if (r == FL_HOSTLOCK_BUSY)
		snprintf(why_not, len, "a run holds the host lock, and the work would disturb it");
	else if (r < 0)
		snprintf(why_not, len, "%s", err);
	else if (fl_steady_measure(secs, st))
		snprintf(why_not, len, "2 MiB of memory could not be mapped");
	if (r == 0)
		fl_hostlock_release(&hl);
	if (!st->measured)
		nanosleep(&ts, NULL);
}

static void check_sampled(json_t *doc, double secs, const struct fl_doctor_opts *o)
{
	struct sample a, b;
	struct proc_ticks self_a = { 0 }, self_b = { 0 };
	struct fl_steady st;
	unsigned long long dt, busy, self;
	char top[512], loadavg[64] = "", why_not[FL_ERRLEN] = "";
	json_t *list = json_array(), *f;
	double busy_pct, steal_pct, top_pct;

	take_sample(&a);
	read_proc(getpid(), &self_a);
	sample_wait(secs, o, &st, why_not, sizeof(why_not));
	read_proc(getpid(), &self_b);
	take_sample(&b);
	dt = b.cpu.total > a.cpu.total ? b.cpu.total - a.cpu.total : 1;
	busy = dt - (b.cpu.idle - a.cpu.idle);
	self = self_b.ticks - self_a.ticks;	/* the steadiness work is not load */
	busy = busy > self ? busy - self : 0;
	busy_pct = 100.0 * (double)busy / (double)dt;
	steal_pct = 100.0 * (double)(b.cpu.steal - a.cpu.steal) / (double)dt;
	top_pct = top_users(&a, &b, secs, top, sizeof(top), list);
	loadavg_text(loadavg, sizeof(loadavg));
	fl_doctor_add(doc, "load", "load", busy_pct >= 10 ? "warn" : "ok",
		      busy_pct >= 10 ? "measure when the machine is idle (busy: what runs)" :
		      "none needed", "CPUs %.0f%% busy over %.1f s (all %d CPUs; not this "
		      "process); loadavg %s", busy_pct, secs, fl_online_cpus(), loadavg);
	f = fl_doctor_add(doc, "busy", "busy processes", top_pct >= 10 ? "warn" : "ok",
			  top_pct >= 10 ? "stop them, or wait until they end" : "none needed",
			  "%s", top[0] ? top : "none above 2% of a CPU");
	json_object_set_new(f, "top", list);
	fl_doctor_add(doc, "steal", "steal time", steal_pct >= 2 ? "warn" : "ok",
		      steal_pct >= 2 ? "the host is busy: measure when it is quiet, or on "
		      "another host" : "none needed", "%.1f%% of CPU time taken by the host "
		      "over %.1f s", steal_pct, secs);
	fl_doctor_check_steady(doc, &st, why_not[0] ? why_not : NULL);
	free(a.procs);
	free(b.procs);
}

/* Without a sample: the 1-minute load average against the CPUs. */
static void check_loadavg(json_t *doc)
{
	char text[128];
	int cpus = fl_online_cpus();
	double l1 = loadavg_text(text, sizeof(text));

	fl_doctor_add(doc, "load", "load", l1 >= 0.3 * cpus ? "warn" : "ok",
		      l1 >= 0.3 * cpus ? "measure when the machine is idle (faultline doctor "
		      "names what runs)" : "none needed",
		      "loadavg %s on %d CPUs (not sampled)", text, cpus);
}

/* ---- other runs ---------------------------------------------------------------------- */

/* The pid holding a flock on path according to /proc/locks, 0 if none. */
static long flock_holder(const char *path)
{
	char *locks = fl_read_all("/proc/locks", 0, 0, NULL, NULL, 0), key[64];
	struct stat st;
	long pid = 0;

	if (!locks || stat(path, &st)) {
		free(locks);
		return 0;
	}
	snprintf(key, sizeof(key), " %02x:%02x:%lu ", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	for (char *l = locks; l && *l && !pid; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *nl = strchr(l, '\n'), *hit;

		if (nl)
			*nl = '\0';
		hit = strstr(l, key);
		if (hit && !strstr(l, "->") && strstr(l, "FLOCK")) {
			while (hit > l && hit[-1] == ' ')
				hit--;
			while (hit > l && isdigit((unsigned char)hit[-1]))
				hit--;
			pid = strtol(hit, NULL, 10);
		}
		if (nl)
			*nl = '\n';
	}
	free(locks);
	return pid;
}

/* pid is this process or one of its ancestors. */
static bool is_ours(long pid)
{
	char path[64], buf[1024], *r;
	long p = getpid();

	for (int depth = 0; p > 1 && depth < 64; depth++) {
		if (p == pid)
			return true;
		snprintf(path, sizeof(path), "/proc/%ld/stat", p);
		if (fl_read_file(path, buf, sizeof(buf)) <= 0 || !(r = strrchr(buf, ')')) ||
		    sscanf(r + 2, "%*c %ld", &p) != 1)
			break;
	}
	return false;
}

/* This process has the lock file open: it holds the lock (a run, or a lock passed down to
 * it: the pid /proc/locks names is then whoever took it first). */
static bool have_open(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	struct stat a, b;
	struct dirent *e;
	bool yes = false;

	if (!d || stat(path, &a)) {
		if (d)
			closedir(d);
		return false;
	}
	while (!yes && (e = readdir(d)))
		yes = isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) != dirfd(d) &&
		      !fstat(atoi(e->d_name), &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	closedir(d);
	return yes;
}

static void check_runs(json_t *doc, const struct fl_doctor_opts *o)
{
	char holder[768];
	long pid = flock_holder(o->lock_path);

	if (!pid) {
		fl_doctor_add(doc, "runs", "other runs", "ok", "none needed",
			      "none (the host lock %s is free)", o->lock_path);
	} else if (o->self_holds_lock || is_ours(pid) || have_open(o->lock_path)) {
		fl_doctor_add(doc, "runs", "other runs", "ok", "none needed",
			      "none: the host lock is held by this run");
	} else {
		fl_hostlock_holder(o->lock_path, holder, sizeof(holder));
		fl_doctor_add(doc, "runs", "other runs", "warn",
			      "wait for it (faultline run waits for the host lock by itself)",
			      "the host lock %s is held by %s", o->lock_path, holder);
	}
}

/* A journal with entries that nobody holds: an agent or doctor was killed before it put
 * the kernel settings back. */
static void check_journals(json_t *doc)
{
	const char *paths[] = { fl_knobs_default_path(), FL_DOCTOR_JOURNAL };
	char stale[600] = "", fix[700] = "";
	struct stat st;

	for (int i = 0; i < 2; i++) {
		if (stat(paths[i], &st) || st.st_size == 0 || flock_holder(paths[i]))
			continue;
		snprintf(stale + strlen(stale), sizeof(stale) - strlen(stale), "%s%s",
			 stale[0] ? ", " : "", paths[i]);
		snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix), "%sfaultline-agent "
			 "--restore --journal=%s", fix[0] ? "; " : "", paths[i]);
	}
	if (stale[0])
		fl_doctor_add(doc, "journal", "knobs journals", "warn", fix,
			      "left by a killed agent or doctor, settings maybe still changed: %s",
			      stale);
	else
		fl_doctor_add(doc, "journal", "knobs journals", "ok", "none needed",
			      "none left behind");
}

void fl_doctor_check_load(json_t *doc, const struct fl_doctor_opts *o)
{
	if (o->sample_s > 0)
		check_sampled(doc, o->sample_s, o);
	else
		check_loadavg(doc);
	check_runs(doc, o);
	check_journals(doc);
}
