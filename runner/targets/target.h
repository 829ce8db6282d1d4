/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Targets: where a plan's cases run. Every target has the same lifecycle (DESIGN.md):
 *
 *   prepare   resolve what is needed before anything runs (kernel image, initramfs); no run
 *             dir yet; returns 0 or an exit status (2 bad input, 3 environment) with err set
 *   describe  the "run" object of results (kernel identity, target, host) as known so far
 *   boot      bring the target up for the run dir (a guest: start QEMU, wait for the agent)
 *   run_case  run one planned case; fills a struct fl_case_result
 *   collect   put the case's document into the run dir (the local agent wrote it already)
 *   shutdown  stop and release everything; safe to call at any point
 *
 * Only describe and run_case are required; any other op may be NULL (nothing to do), so the
 * commands call them through fl_target_prepare() ... fl_target_shutdown() below. What a target
 * can do beyond that is its caps (FL_TGT_*), which the commands ask instead of its name.
 *
 * The table of targets is fl_targets[] in target.c; adding one is a new file and a line there,
 * and run --help, the list of kinds in messages and --target's check all follow from it.
 * A run_case may set *interrupted itself to stop the run resumably (ssh: a host that does not
 * come back), with res->interrupted and res->reason saying why.
 */
#ifndef FL_TARGET_H
#define FL_TARGET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "plan.h"
#include "rundir.h"

struct fl_target_opts {
	const char *kind;	/* local, qemu, ssh:[USER@]HOST[:PORT] */
	const char *arch;	/* NULL: the host's */
	const char *kernel;	/* candidate name or image path (qemu) */
	const char *agent;	/* the host's bin/faultline-agent */
	const char *accel;	/* auto (default), kvm, tcg */
	const char *inject;	/* test only: "N:panic,M:hang" (0-based plan case index) */
	int cpus;		/* 0: the machine table's default */
	long mem_mib;		/* 0: the machine table's default */
	bool panic_on_warn;
	double boot_timeout_s;	/* 0: default */
};

/* What one case came back with, before the runner writes it down. */
struct fl_case_result {
	double elapsed_s;
	bool timed_out;		/* the case (or the guest) did not answer in time */
	bool crashed;		/* the guest died (panic, QEMU gone) */
	bool interrupted;
	int exited, code, signaled, sig;
	char log_tail[2048];	/* the agent's own output, last bytes */
	char reason[512];	/* for crashed / timeout */
	json_t *findings;	/* console findings (array) or NULL */
	json_t *doc;		/* the case document received from a guest, or NULL */
};

struct fl_target;

/* What a target can do (fl_target_ops.caps). */
enum {
	/* the cases run on this machine's kernel: the run holds the host lock, restores a stale
	 * knobs journal first and records this machine's conditions (faultline doctor) */
	FL_TGT_THIS_HOST = 1 << 0,
	/* it boots the kernel --kernel names, so it needs one */
	FL_TGT_BOOTS_KERNEL = 1 << 1,
	/* several --kernel in one run: rounds interleaved, one kernel up at a time (run_multi.c) */
	FL_TGT_MULTI_KERNEL = 1 << 2,
};

struct fl_target_ops {
	const char *kind;	/* the word --target starts with */
	const char *spec;	/* how --target spells it in full (ssh:[USER@]HOST[:PORT]); NULL: kind */
	const char *summary;	/* run --help: lines of at most 59 characters */
	unsigned caps;		/* FL_TGT_* */
	int (*prepare)(struct fl_target *t, char *err, size_t errlen);
	json_t *(*describe)(struct fl_target *t, char *err, size_t errlen);
	int (*boot)(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen);
	int (*run_case)(struct fl_target *t, struct fl_rundir *rd, const char *suite,
			struct fl_plan_case *pc, size_t idx, volatile sig_atomic_t *interrupted,
			struct fl_case_result *res, char *err, size_t errlen);
	int (*collect)(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
		       struct fl_case_result *res, char *err, size_t errlen);
	void (*shutdown)(struct fl_target *t);
};

struct fl_target {
	const struct fl_target_ops *ops;
	struct fl_target_opts opts;
	void *priv;		/* the implementation's state */
};

extern const struct fl_target_ops fl_target_local_ops, fl_target_qemu_ops, fl_target_ssh_ops;

/* Look kind up in the table and set t up (no work yet); -1 with a sentence for an unknown one. */
int fl_target_init(struct fl_target *t, const struct fl_target_opts *o, char *err, size_t errlen);
/* The ops, NULL ones doing nothing: prepare returns 0 or an exit status (see above), boot and
 * collect 0 or -1 with err set. */
int fl_target_prepare(struct fl_target *t, char *err, size_t errlen);
int fl_target_boot(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen);
int fl_target_collect(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
		      struct fl_case_result *res, char *err, size_t errlen);
void fl_target_shutdown(struct fl_target *t);

/* Whether the target kind (a --target value) has every cap in caps; false for an unknown kind. */
bool fl_target_can(const char *kind, unsigned caps);
/* The first kind in the table with every cap in caps, or NULL. */
const char *fl_target_kind_with(unsigned caps);
/* The kinds with every cap in caps (0: all), as --target spells them, joined by ", ". */
const char *fl_target_kinds(unsigned caps, char *buf, size_t len);
/* The table for run --help: "    KIND  SUMMARY" lines, the summary from column 21. */
void fl_target_help(FILE *out);
/* The initramfs a prepared qemu target boots (ROOT/build/initramfs/ARCH-HASH.cpio.gz), or
 * NULL before prepare or for another kind. */
const char *fl_qemu_initrd(const struct fl_target *t);

/* Agent argv for a case, shared by targets: AGENT WORKLOAD --params... --iteration ... */
int fl_case_argv(const struct fl_plan_case *pc, const char *run_id, const char *suite,
		 const char *agent, const char *json_path, const char *kind, char **argv);

/* The directory holding kernels/, configs/ and runner/ (found from this executable or
 * $FAULTLINE_ROOT); NULL when none is found. */
const char *fl_project_root(char *buf, size_t len);

#endif
