/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "rusage" probe's arithmetic, apart so that tests can feed it snapshots: what the agent
 * process and its child processes spent in the measured phase, from counters the kernel keeps
 * anyway (getrusage, /proc/PID/stat, status and schedstat) read at start and stop, so that a
 * fault or a context switch costs nothing more while the probe runs.
 */
#ifndef FL_RUSAGE_H
#define FL_RUSAGE_H

#include <stddef.h>
#include <sys/types.h>

enum fl_ru_field {
	FL_RU_MINFLT,
	FL_RU_MAJFLT,
	FL_RU_NVCSW,		/* voluntary context switches */
	FL_RU_NIVCSW,		/* involuntary context switches */
	FL_RU_CPU_NS,		/* user + system time */
	FL_RU_NR
};

struct fl_ru_vals {
	unsigned long long v[FL_RU_NR];
};

/* A child process alive at a snapshot: its own threads' counts (not its children's). */
struct fl_ru_child {
	pid_t pid;
	unsigned long long starttime;	/* /proc/PID/stat field 22: tells a reused pid apart */
	struct fl_ru_vals v;
};

struct fl_ru_snap {
	struct fl_ru_vals self;		/* getrusage(RUSAGE_SELF): every thread, exited ones too */
	struct fl_ru_vals reaped;	/* getrusage(RUSAGE_CHILDREN): children waited for */
	struct fl_ru_child *kids;	/* live (or zombie) children, not yet waited for */
	size_t nkids;
};

/*
 * The phase's counts from the snapshots at start (s0) and stop (s1): the process's own delta,
 * plus the children reaped in the phase (their whole life, less what a child alive at start had
 * already counted then), plus what each child alive at stop counted since start (since its
 * fork if it was born in the phase). 0, or -1 if the snapshots do not add up (a count went
 * backwards): then out is not valid.
 */
int fl_ru_phase(const struct fl_ru_snap *s0, const struct fl_ru_snap *s1, struct fl_ru_vals *out);

/* /proc/PID/stat: minflt, majflt (the whole process: live and exited threads), ppid and
 * starttime. 0, or -1 if the text is not a stat line. */
int fl_ru_parse_stat(const char *text, unsigned long long *minflt, unsigned long long *majflt,
		     pid_t *ppid, unsigned long long *starttime);
/* /proc/PID/task/TID/status: voluntary_ctxt_switches, nonvoluntary_ctxt_switches. 0 or -1. */
int fl_ru_parse_status(const char *text, unsigned long long *nvcsw, unsigned long long *nivcsw);

/* Takes a snapshot of the calling process (pid must be getpid()) and its children, reading
 * proc_root ("/proc"). 0, or -1 with the reason in why. s->kids is freed by fl_ru_snap_free. */
int fl_ru_snap_take(pid_t pid, const char *proc_root, struct fl_ru_snap *s, char *why,
		    size_t whylen);
void fl_ru_snap_free(struct fl_ru_snap *s);

#endif
