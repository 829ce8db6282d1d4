/* SPDX-License-Identifier: GPL-2.0 */
/*
 * thp-munmap (seed 000): who received the IPIs of one operation. Each CPU has a role from
 * what the workload knows about it: the CPU(s) the operation ran on (sender), CPUs a walker
 * ran on during the operation (walking), CPUs where an idle thread ran once and then slept
 * (idle: the mm ran there, nothing walks there now), and the rest (not_in_mm). A per-CPU
 * count of one IPI class is split by those roles. Pure functions over JSON: no I/O.
 */
#ifndef FL_THP_MUNMAP_IPI_H
#define FL_THP_MUNMAP_IPI_H

#include <sched.h>
#include <stdbool.h>
#include <jansson.h>

enum thpm_role {
	THPM_NOT_IN_MM = 0,	/* nothing of ours ran there (as far as we know) */
	THPM_IDLE,		/* an idle thread ran there once, then slept */
	THPM_WALKING,		/* a walker ran there during the operation */
	THPM_SENDER,		/* the thread doing the operation ran there */
	THPM_NROLES,
};

struct thpm_roles {
	unsigned char role[CPU_SETSIZE];	/* by CPU number */
};

/* "not_in_mm", "idle", "walking", "sender". */
const char *thpm_role_name(enum thpm_role r);
/* Give cpu role r unless it already has a stronger one (sender > walking > idle). Out of
 * range CPUs are ignored. */
void thpm_role_set(struct thpm_roles *r, int cpu, enum thpm_role role);
/* CPUs with a role other than not_in_mm: the CPUs the mm ran on. */
int thpm_roles_mm_cpus(const struct thpm_roles *r);
/* {"idle": [cpu...], "walking": [...], "sender": [...], "not_in_mm": [...]} over cpus (the
 * CPU number of each per_cpu column). */
json_t *thpm_roles_json(const struct thpm_roles *r, const json_t *cpus);

/*
 * Split one IPI class of the "ipi" section ({"total", "per_cpu"[, "cpus"]} or {"status",
 * "reason"}) by receiver role. cpus: the column CPU numbers when the class has no "cpus" of
 * its own. Returns {"total", "idle", "walking", "sender", "not_in_mm"}, or {"status",
 * "reason"} when the class was not counted (its own status and reason; never zeros), or
 * when there is a total but no per-CPU figures ({"total", "status", "reason"} then: the
 * split alone is unsupported).
 */
json_t *thpm_ipi_split(const json_t *cls, const json_t *cpus, const struct thpm_roles *r);

struct fl_case;

/* A metric that could not be counted: detail.metrics_missing[name] = {"status", "reason"}
 * from why (a class or split status), never a 0 in metrics. */
void thpm_metric_missing(struct fl_case *c, const char *name, const json_t *why);
/* From a thpm_ipi_split() result: metrics base, base_idle and base_walking, or each one's
 * status and reason in detail.metrics_missing. */
void thpm_split_metrics(struct fl_case *c, const json_t *split, const char *base);

#endif
