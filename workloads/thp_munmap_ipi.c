// SPDX-License-Identifier: GPL-2.0
/* thp-munmap: the IPIs of one operation split by the role of the CPU that received them. */
#include <stdio.h>
#include "thp_munmap_ipi.h"
#include "workload.h"

static const char *const role_names[THPM_NROLES] = {
	[THPM_NOT_IN_MM] = "not_in_mm", [THPM_IDLE] = "idle",
	[THPM_WALKING] = "walking", [THPM_SENDER] = "sender",
};

const char *thpm_role_name(enum thpm_role r)
{
	return r < THPM_NROLES ? role_names[r] : "not_in_mm";
}

void thpm_role_set(struct thpm_roles *r, int cpu, enum thpm_role role)
{
	if (cpu < 0 || cpu >= CPU_SETSIZE || role >= THPM_NROLES)
		return;
	if (role > r->role[cpu])
		r->role[cpu] = (unsigned char)role;
}

int thpm_roles_mm_cpus(const struct thpm_roles *r)
{
	int n = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		n += r->role[cpu] != THPM_NOT_IN_MM;
	return n;
}

static enum thpm_role role_of(const struct thpm_roles *r, const json_t *cpu)
{
	json_int_t n = json_integer_value(cpu);

	if (!json_is_integer(cpu) || n < 0 || n >= CPU_SETSIZE)
		return THPM_NOT_IN_MM;
	return (enum thpm_role)r->role[n];
}

json_t *thpm_roles_json(const struct thpm_roles *r, const json_t *cpus)
{
	json_t *out = json_object(), *lists[THPM_NROLES], *cpu;
	size_t i;

	for (int k = 0; k < THPM_NROLES; k++) {
		lists[k] = json_array();
		json_object_set_new(out, role_names[k], lists[k]);
	}
	json_array_foreach(cpus, i, cpu)
		json_array_append(lists[role_of(r, cpu)], (json_t *)cpu);
	return out;
}

static json_t *split_missing(json_int_t total, const char *reason)
{
	return json_pack("{s:I, s:{s:s, s:s}}", "total", total, "split", "status",
			 "unsupported", "reason", reason);
}

json_t *thpm_ipi_split(const json_t *cls, const json_t *cpus, const struct thpm_roles *r)
{
	const json_t *tot = json_object_get(cls, "total"), *pc = json_object_get(cls, "per_cpu");
	const json_t *own = json_object_get(cls, "cpus"), *x;
	json_int_t sums[THPM_NROLES] = { 0 };
	const char *status, *reason;
	json_t *out;
	size_t i;

	if (!json_is_integer(tot)) {
		status = json_string_value(json_object_get(cls, "status"));
		reason = json_string_value(json_object_get(cls, "reason"));
		return json_pack("{s:s, s:s}", "status", status ? status : "unsupported",
				 "reason", reason ? reason : "no count for this IPI class");
	}
	if (json_is_array(own))
		cpus = own;
	if (!json_is_array(pc) || !json_is_array(cpus) || json_array_size(pc) !=
	    json_array_size(cpus))
		return split_missing(json_integer_value(tot), "no per-CPU counts that match the "
				     "CPU list, so the receivers cannot be told apart");
	json_array_foreach(pc, i, x)
		sums[role_of(r, json_array_get(cpus, i))] += json_integer_value(x);
	out = json_pack("{s:I}", "total", json_integer_value(tot));
	for (int k = 0; k < THPM_NROLES; k++)
		json_object_set_new(out, role_names[k], json_integer(sums[k]));
	return out;
}

/* A metric that could not be counted: detail.metrics_missing names it with the status and
 * reason of what it would come from (never a 0 in metrics). */
void thpm_metric_missing(struct fl_case *c, const char *name, const json_t *why)
{
	json_t *m = json_object_get(c->extra, "metrics_missing");
	const char *status = json_string_value(json_object_get(why, "status"));
	const char *reason = json_string_value(json_object_get(why, "reason"));

	if (!m) {
		m = json_object();
		json_object_set_new(c->extra, "metrics_missing", m);
	}
	json_object_set_new(m, name, json_pack("{s:s, s:s}", "status",
				status ? status : "unsupported", "reason",
				reason ? reason : "no count for this IPI class"));
}

/* A class split by receiver role: base, base_idle and base_walking, or why not. */
void thpm_split_metrics(struct fl_case *c, const json_t *split, const char *base)
{
	const json_t *tot = json_object_get(split, "total"), *why = json_object_get(split, "split");
	char idle[64], walking[64];

	snprintf(idle, sizeof(idle), "%s_idle", base);
	snprintf(walking, sizeof(walking), "%s_walking", base);
	if (!json_is_integer(tot)) {
		thpm_metric_missing(c, base, split);
		why = split;
	} else {
		fl_case_metric(c, base, (double)json_integer_value(tot));
	}
	if (why) {
		thpm_metric_missing(c, idle, why);
		thpm_metric_missing(c, walking, why);
		return;
	}
	fl_case_metric(c, idle, (double)json_integer_value(json_object_get(split, "idle")));
	fl_case_metric(c, walking,
		       (double)json_integer_value(json_object_get(split, "walking")));
}
