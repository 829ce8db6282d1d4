// SPDX-License-Identifier: GPL-2.0
/*
 * "rusage" probe (in the default set): page faults, context switches and CPU time of the
 * agent process and its child processes over the measured phase, from the counters the kernel
 * keeps for every task anyway, read once at start and once at stop. Nothing runs per fault or
 * per context switch, unlike the per-task perf software events of the "sw" probe (3-5% of a
 * fault-bound workload), which stay available by name (--probes all,sw) and take precedence
 * for the names both count.
 *
 * What is counted: getrusage(RUSAGE_SELF) (every thread, exited ones included) and
 * getrusage(RUSAGE_CHILDREN) (children waited for in the phase, with what they waited for),
 * plus the children still alive at stop, from /proc/PID/stat (faults of the whole child
 * process) and each of their threads' status (context switches) and schedstat (CPU time).
 * Not counted: a live child's threads that exited before stop (their context switches and
 * time), and grandchildren not yet waited for at stop. No migrations: getrusage has none, and
 * /proc/PID/task/TID/sched loses the threads that exit in the phase, so cpu-migrations is
 * "absent" here (the sw probe counts it).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probes/probe.h"
#include "probes/procparse.h"
#include "probes/rusage.h"
#include "fl_json.h"
#include "fl_util.h"

#define RU_TEXT		4096	/* /proc/PID/stat and status fit; children lists are read in full */

int fl_ru_parse_stat(const char *text, unsigned long long *minflt, unsigned long long *majflt,
		     pid_t *ppid, unsigned long long *starttime)
{
	const char *p = strrchr(text, ')');
	int pp;

	/* After "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime */
	if (!p || sscanf(p + 1, " %*s %d %*s %*s %*s %*s %*s %llu %*s %llu %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %llu", &pp, minflt, majflt, starttime) != 4)
		return -1;
	*ppid = pp;
	return 0;
}

static int status_field(const char *text, const char *key, unsigned long long *out)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return sscanf(p + klen + 1, " %llu", out) == 1 ? 0 : -1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int fl_ru_parse_status(const char *text, unsigned long long *nvcsw, unsigned long long *nivcsw)
{
	if (status_field(text, "voluntary_ctxt_switches", nvcsw) ||
	    status_field(text, "nonvoluntary_ctxt_switches", nivcsw))
		return -1;
	return 0;
}

static void ru_from_rusage(const struct rusage *ru, struct fl_ru_vals *v)
{
	v->v[FL_RU_MINFLT] = (unsigned long long)ru->ru_minflt;
	v->v[FL_RU_MAJFLT] = (unsigned long long)ru->ru_majflt;
	v->v[FL_RU_NVCSW] = (unsigned long long)ru->ru_nvcsw;
	v->v[FL_RU_NIVCSW] = (unsigned long long)ru->ru_nivcsw;
	v->v[FL_RU_CPU_NS] = (unsigned long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
			     1000000000ull +
			     (unsigned long long)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000ull;
}

static const struct fl_ru_child *ru_find(const struct fl_ru_snap *s, const struct fl_ru_child *k)
{
	size_t i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i].pid == k->pid && s->kids[i].starttime == k->starttime)
			return &s->kids[i];
	return NULL;
}

int fl_ru_phase(const struct fl_ru_snap *s0, const struct fl_ru_snap *s1, struct fl_ru_vals *out)
{
	long long d[FL_RU_NR];
	const struct fl_ru_child *m;
	size_t i, f;

	for (f = 0; f < FL_RU_NR; f++)
		d[f] = (long long)(s1->self.v[f] - s0->self.v[f]) +
		       (long long)(s1->reaped.v[f] - s0->reaped.v[f]);
	for (i = 0; i < s1->nkids; i++) {
		m = ru_find(s0, &s1->kids[i]);
		for (f = 0; f < FL_RU_NR; f++)
			d[f] += (long long)s1->kids[i].v.v[f] - (m ? (long long)m->v.v[f] : 0);
	}
	for (i = 0; i < s0->nkids; i++) {	/* reaped in the phase: counted from start only */
		if (ru_find(s1, &s0->kids[i]))
			continue;
		for (f = 0; f < FL_RU_NR; f++)
			d[f] -= (long long)s0->kids[i].v.v[f];
	}
	for (f = 0; f < FL_RU_NR; f++) {
		if (d[f] < 0)
			return -1;
		out->v[f] = (unsigned long long)d[f];
	}
	return 0;
}

/* One thread of a child: its context switches and CPU time added to v. 0, or -1 (gone). */
static int ru_child_thread(const char *dir, const char *tid, struct fl_ru_vals *v)
{
	unsigned long long nv, niv, ns;
	char path[600], text[RU_TEXT];

	snprintf(path, sizeof(path), "%s/%s/status", dir, tid);
	if (fl_read_file(path, text, sizeof(text)) <= 0 || fl_ru_parse_status(text, &nv, &niv))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/schedstat", dir, tid);
	if (fl_read_file(path, text, sizeof(text)) <= 0 || sscanf(text, "%llu", &ns) != 1)
		return -1;
	v->v[FL_RU_NVCSW] += nv;
	v->v[FL_RU_NIVCSW] += niv;
	v->v[FL_RU_CPU_NS] += ns;
	return 0;
}

/* A live child's counts; 0, or -1 if it is gone (exited and reaped meanwhile). */
static int ru_child_read(const char *proc_root, struct fl_ru_child *k)
{
	char path[300], text[RU_TEXT];
	struct dirent *de;
	pid_t ppid;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)k->pid);
	memset(&k->v, 0, sizeof(k->v));
	if (fl_read_file(path, text, sizeof(text)) <= 0 ||
	    fl_ru_parse_stat(text, &k->v.v[FL_RU_MINFLT], &k->v.v[FL_RU_MAJFLT], &ppid,
			     &k->starttime))
		return -1;
	snprintf(path, sizeof(path), "%s/%d/task", proc_root, (int)k->pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			ru_child_thread(path, de->d_name, &k->v);
	closedir(d);
	return 0;
}

static int ru_add_child(struct fl_ru_snap *s, size_t *cap, pid_t pid, const char *proc_root)
{
	struct fl_ru_child *k;

	if (s->nkids == *cap) {
		size_t n = *cap ? *cap * 2 : 8;

		k = realloc(s->kids, n * sizeof(*k));
		if (!k)
			return -1;
		s->kids = k;
		*cap = n;
	}
	k = &s->kids[s->nkids];
	k->pid = pid;
	if (ru_child_read(proc_root, k) == 0)
		s->nkids++;
	return 0;
}

/* Children from /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): 0, 1 if the kernel has no
 * such file, -1 out of memory. */
static int ru_children_files(pid_t pid, const char *proc_root, struct fl_ru_snap *s,
			     size_t *cap)
{
	char path[300], file[600], *text, *p, *end;
	struct dirent *de;
	size_t len;
	int ret = 0, seen = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d/task", proc_root, (int)pid);
	d = opendir(path);
	if (!d)
		return 1;
	while (ret == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/children", path, de->d_name);
		text = fl_read_all(file, 0, 0, &len, NULL, 0);
		if (!text)
			continue;
		seen = 1;
		for (p = text; ret == 0; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			ret = ru_add_child(s, cap, (pid_t)c, proc_root);
		}
		free(text);
	}
	closedir(d);
	return ret ? -1 : !seen;
}

/* Without children files: every process of proc_root whose parent is pid. */
static int ru_children_scan(pid_t pid, const char *proc_root, struct fl_ru_snap *s, size_t *cap)
{
	unsigned long long a, b, st;
	char path[300], text[RU_TEXT];
	struct dirent *de;
	pid_t ppid;
	int ret = 0;
	DIR *d;

	d = opendir(proc_root);
	if (!d)
		return -1;
	while (ret == 0 && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/stat", proc_root, de->d_name);
		if (fl_read_file(path, text, sizeof(text)) <= 0 ||
		    fl_ru_parse_stat(text, &a, &b, &ppid, &st) || ppid != pid)
			continue;
		ret = ru_add_child(s, cap, (pid_t)atoi(de->d_name), proc_root);
	}
	closedir(d);
	return ret;
}

int fl_ru_snap_take(pid_t pid, const char *proc_root, struct fl_ru_snap *s, char *why,
		    size_t whylen)
{
	struct rusage self, kids;
	size_t cap = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return fl_seterr(why, whylen, "getrusage failed: %s", strerror(errno));
	ru_from_rusage(&self, &s->self);
	ru_from_rusage(&kids, &s->reaped);
	ret = ru_children_files(pid, proc_root, s, &cap);
	if (ret == 1)
		ret = ru_children_scan(pid, proc_root, s, &cap);
	if (ret) {
		fl_ru_snap_free(s);
		return fl_seterr(why, whylen, "cannot list the child processes in %s", proc_root);
	}
	return 0;
}

void fl_ru_snap_free(struct fl_ru_snap *s)
{
	free(s->kids);
	s->kids = NULL;
	s->nkids = 0;
}

/* ---- the probe ---- */

static const struct ru_counter {
	const char *name, *unit;
	unsigned int fields;	/* bits of enum fl_ru_field, summed */
} ru_counters[] = {
	{ "page-faults",	"count", 1u << FL_RU_MINFLT | 1u << FL_RU_MAJFLT },
	{ "minor-faults",	"count", 1u << FL_RU_MINFLT },
	{ "major-faults",	"count", 1u << FL_RU_MAJFLT },
	{ "context-switches",	"count", 1u << FL_RU_NVCSW | 1u << FL_RU_NIVCSW },
	{ "task-clock",		"ns",	 1u << FL_RU_CPU_NS },
};

#define RU_NR_COUNTERS (sizeof(ru_counters) / sizeof(ru_counters[0]))

static const char ru_no_migrations[] =
	"not counted by the default probes: getrusage has no migration count and "
	"/proc/PID/task/TID/sched loses the threads that exit in the phase; --probes all,sw "
	"counts cpu-migrations with perf (a per-task software event, a few percent of a "
	"fault-bound workload)";

struct ru_state {
	pid_t pid;
	char proc_root[256];
	struct fl_ru_snap s0, s1;
	struct fl_ru_vals d;
	int started, have;
	char reason[200];
};

static int ru_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct ru_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	st->pid = ctx->pid;
	snprintf(st->proc_root, sizeof(st->proc_root), "%s",
		 ctx->proc_root ? ctx->proc_root : "/proc");
	if (ctx->pid != getpid())
		snprintf(st->reason, sizeof(st->reason), "getrusage counts only the calling "
			 "process (%d), not pid %d", (int)getpid(), (int)ctx->pid);
	*state = st;
	return 0;
}

static int ru_start(void *state)
{
	struct ru_state *st = state;

	if (st->reason[0])
		return 0;
	if (fl_ru_snap_take(st->pid, st->proc_root, &st->s0, st->reason, sizeof(st->reason)))
		return -1;
	st->started = 1;
	return 0;
}

static int ru_stop(void *state)
{
	struct ru_state *st = state;

	if (!st->started || st->reason[0])
		return 0;
	if (fl_ru_snap_take(st->pid, st->proc_root, &st->s1, st->reason, sizeof(st->reason)))
		return -1;
	if (fl_ru_phase(&st->s0, &st->s1, &st->d))
		snprintf(st->reason, sizeof(st->reason), "the counts of the process and its "
			 "children went backwards between start and stop");
	else
		st->have = 1;
	return 0;
}

/* A name another probe (sw) already counted keeps that value. */
static void ru_set(json_t *counters, const char *name, json_t *v)
{
	json_t *old = json_object_get(counters, name);

	if (old && json_object_get(old, "value")) {
		json_decref(v);
		return;
	}
	json_object_set_new(counters, name, v);
}

static void ru_emit(void *state, json_t *case_obj)
{
	struct ru_state *st = state;
	json_t *counters = fl_probe_section(case_obj, "counters");
	unsigned long long sum;
	size_t i, f;

	if (!counters)
		return;
	for (i = 0; i < RU_NR_COUNTERS; i++) {
		json_t *v;

		if (!st->have) {
			ru_set(counters, ru_counters[i].name, fl_json_missing("unsupported",
			       st->reason[0] ? st->reason : "the probe was not started"));
			continue;
		}
		for (sum = 0, f = 0; f < FL_RU_NR; f++)
			if (ru_counters[i].fields & (1u << f))
				sum += st->d.v[f];
		v = json_pack("{s:I, s:s, s:s, s:s}", "value", (json_int_t)sum, "unit",
			      ru_counters[i].unit, "source", "getrusage", "scope", "task");
		ru_set(counters, ru_counters[i].name, v);
	}
	ru_set(counters, "cpu-migrations", fl_json_missing("absent", ru_no_migrations));
}

static void ru_close(void *state)
{
	struct ru_state *st = state;

	if (!st)
		return;
	fl_ru_snap_free(&st->s0);
	fl_ru_snap_free(&st->s1);
	free(st);
}

const struct fl_probe_ops fl_probe_rusage = {
	.name = "rusage",
	.help = "page-faults, minor-faults, major-faults, context-switches and task-clock of the "
		"workload, its threads and child processes from getrusage and /proc, read at start "
		"and stop (no cost per event)",
	.open = ru_open,
	.start = ru_start,
	.stop = ru_stop,
	.emit = ru_emit,
	.close = ru_close,
};
