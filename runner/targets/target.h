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
 * The table of targets is fl_targets[] in target.c; adding one is a new file and a line there.
 * A run_case may set *interrupted itself to stop the run resumably (ssh: a host that does not
 * come back), with res->interrupted and res->reason saying why.
 */
#ifndef FL_TARGET_H
#define FL_TARGET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
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

struct fl_target_ops {
	const char *kind, *summary;
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
/* The initramfs a prepared qemu target boots (ROOT/build/initramfs/ARCH-HASH.cpio.gz), or
 * NULL before prepare or for another kind. */
const char *fl_qemu_initrd(const struct fl_target *t);
/* "local, qemu" for messages. */
const char *fl_target_kinds(void);

/* Agent argv for a case, shared by targets: AGENT WORKLOAD --params... --iteration ... */
int fl_case_argv(const struct fl_plan_case *pc, const char *run_id, const char *suite,
		 const char *agent, const char *json_path, const char *kind, char **argv);

/* The directory holding kernels/, configs/ and runner/ (found from this executable or
 * $FAULTLINE_ROOT); NULL when none is found. */
const char *fl_project_root(char *buf, size_t len);

#endif
