/* SPDX-License-Identifier: GPL-2.0 */
/* Probes bracket the measured phase: open (before setup) -> start -> [run] -> stop -> emit ->
 * close. A probe that cannot count something says why: "absent" (this kernel has no such event) or
 * "unsupported" (this machine or privilege cannot count it). Never 0. */
#ifndef FL_PROBE_H
#define FL_PROBE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

struct fl_probe_ctx {
	pid_t pid;			/* the workload's process; its threads/children inherit */
	int ncpus;			/* online CPUs */
	const char *const *tracepoints;	/* tracepoint globs "sys:event" ("pagefault:*"), NULL-terminated */
	const char *proc_root;		/* "/proc" normally; tests point it at fixtures */
};

struct fl_probe_ops {
	const char *name;		/* its --probes name, as in probe_list.h */
	const char *help;
	/* Returns 0 and a state (which may hold only "unsupported" reasons), or -1 on a hard error. */
	int (*open)(void **state, const struct fl_probe_ctx *ctx);
	int (*start)(void *state);
	int (*stop)(void *state);
	/* Add what was measured to the case object: "counters", "vmstat" or "ipi". */
	void (*emit)(void *state, json_t *case_obj);
	void (*close)(void *state);
};

/* fl_probe_sw, fl_probe_rusage, ...: one per line of probe_list.h. */
#define FL_PROBE(name, when) extern const struct fl_probe_ops fl_probe_##name;
#include "probes/probe_list.h"

/* When a probe runs (probe_list.h): in the default set "all", or only when named. */
#define FL_PROBE_DEFAULT	0
#define FL_PROBE_NAMED		1

struct fl_probe_set;

/* list: "all", "none", or a comma list of probe names. err names a bad entry. */
struct fl_probe_set *fl_probes_open(const char *list, const struct fl_probe_ctx *ctx,
				    char *err, size_t errlen);
int fl_probes_start(struct fl_probe_set *set);
int fl_probes_stop(struct fl_probe_set *set);
void fl_probes_emit(struct fl_probe_set *set, json_t *case_obj);
void fl_probes_close(struct fl_probe_set *set);
/* Every probe name in list order, comma separated: "sw,rusage,...". */
const char *fl_probes_all_names(void);
/* The help of --probes for a usage text: the names, the default set, then each probe's
 * name and help, every line indented as an option's description. */
void fl_probes_usage(FILE *out);

/* Section helper: json object case_obj[section], created if missing. */
json_t *fl_probe_section(json_t *case_obj, const char *section);

/* Kernel identity (not a bracketing probe): release, version, cmdline, config source and
 * sha256, mechanism flags (true/false/null). proc_root as in fl_probe_ctx. */
json_t *fl_kernel_identity(const char *proc_root);

#endif
